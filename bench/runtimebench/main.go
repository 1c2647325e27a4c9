//go:build unix

// Command runtimebench measures, side by side on the same trivial handler
// (bench/runtimes), how many invocations per second a Node.js or Python
// handler gets through a bare Runtime API loop written in its language
// (the floor: nothing but /next, the handler, /response), albcheck replay
// --runtime (albcheck's bootstrap, every check on) and albcheck replay
// --exec (a process per event).
//
//	go run ./bench/runtimebench -albcheck bin/albcheck -n 2000 -exec-n 100
//
// bench/runtimes.sh builds what it needs and runs it.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/albcheck/albcheck/internal/bareloop"
)

// language is one runtime's interpreter and the scripts that run the
// handler in each way.
type language struct {
	runtime, interpreter string
	bare, exec           string // scripts under bench/runtimes
}

var languages = []language{
	{runtime: "nodejs", interpreter: "node", bare: "bare.js", exec: "exec.js"},
	{runtime: "python", interpreter: "python3", bare: "bare.py", exec: "exec.py"},
}

func main() {
	albcheck := flag.String("albcheck", "bin/albcheck", "the albcheck binary")
	code := flag.String("code", "bench/runtimes", "the folder of the handler and its scripts")
	n := flag.Int("n", 2000, "invocations per measurement through warm processes")
	execN := flag.Int("exec-n", 100, "invocations per --exec measurement (a process each)")
	rounds := flag.Int("rounds", 5, "interleaved rounds of every measurement (the median is reported)")
	flag.Parse()
	event := []byte(`{"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/0123456789abcdef"}},"httpMethod":"GET","path":"/api/search","queryStringParameters":{"q":"x"},"headers":{"host":"a.example.com","user-agent":"curl/8.5.0","x-forwarded-for":"198.51.100.7","x-forwarded-port":"443","x-forwarded-proto":"https"},"body":"","isBase64Encoded":false}`)
	codeDir, err := filepath.Abs(*code)
	check(err)

	warm, perProcess := fixtures(event, *n), fixtures(event, *execN)
	defer os.RemoveAll(warm)
	defer os.RemoveAll(perProcess)

	type measure struct {
		name string
		run  func() float64
	}
	var ms []measure
	for _, lang := range languages {
		in, err := exec.LookPath(lang.interpreter)
		if err != nil {
			fmt.Printf("%s: no %s on PATH, skipped\n", lang.runtime, lang.interpreter)
			continue
		}
		out, _ := exec.Command(in, "--version").CombinedOutput()
		fmt.Printf("%s: %s", lang.runtime, out)
		ms = append(ms,
			measure{fmt.Sprintf("%s: bare Runtime API loop (%s)", lang.runtime, lang.bare), func() float64 {
				return bareLoop([]string{in, filepath.Join(codeDir, lang.bare)}, event, *n)
			}},
			measure{fmt.Sprintf("%s: albcheck replay --runtime %s", lang.runtime, lang.runtime), func() float64 {
				return replayRun(*albcheck, *n, warm, "--runtime", lang.runtime, "--handler", "app.handler", "--code-dir", codeDir)
			}},
			measure{fmt.Sprintf("%s: albcheck replay --exec (process per event)", lang.runtime), func() float64 {
				return replayRun(*albcheck, *execN, perProcess, "--exec", in+" "+filepath.Join(codeDir, lang.exec))
			}},
		)
	}
	fmt.Printf("\n%d invocations through warm processes, %d through --exec; median of %d interleaved rounds\n\n", *n, *execN, *rounds)
	// Rounds are interleaved so that a slow spell of the machine touches
	// every measurement alike.
	rates := make([][]float64, len(ms))
	for range *rounds {
		for i, m := range ms {
			rates[i] = append(rates[i], m.run())
		}
	}
	fmt.Printf("%-56s %10s   %s\n", "", "per second", "every round")
	for i, m := range ms {
		all := make([]string, len(rates[i]))
		for j, r := range rates[i] {
			all[j] = strconv.FormatFloat(r, 'f', 0, 64)
		}
		fmt.Printf("%-56s %10.0f   %s\n", m.name, median(rates[i]), strings.Join(all, " "))
	}
}

// fixtures writes n copies of the event into a new folder.
func fixtures(event []byte, n int) string {
	dir, err := os.MkdirTemp("", "runtimebench")
	check(err)
	for i := range n {
		check(os.WriteFile(filepath.Join(dir, fmt.Sprintf("e%06d.json", i)), event, 0o644))
	}
	return dir
}

// bareLoop hands the event to the script n times over a bare Runtime API
// server (internal/bareloop), one invocation at a time, as replay
// --parallel 1 does. The interpreter's start is not counted: replay's
// warm processes start once too.
func bareLoop(argv []string, event []byte, n int) float64 {
	l, err := bareloop.StartCommand(argv, event)
	check(err)
	defer l.Close()
	l.Invoke() // the start and the module's load
	start := time.Now()
	for range n {
		l.Invoke()
	}
	return float64(n) / time.Since(start).Seconds()
}

// replayRun times the whole albcheck replay command over a folder of n
// fixtures, the interpreter's start included.
func replayRun(albcheck string, n int, dir string, args ...string) float64 {
	start := time.Now()
	cmd := exec.Command(albcheck, append(append([]string{"replay", "-q", "--parallel", "1"}, args...), dir)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Printf("albcheck %s failed: %v\n%s", strings.Join(args, " "), err, out)
		os.Exit(1)
	}
	return float64(n) / time.Since(start).Seconds()
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "runtimebench:", err)
		os.Exit(1)
	}
}
