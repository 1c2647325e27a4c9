//go:build unix

// Command replaybench measures, side by side on the same function binary,
// how fast invocations go through a bare Runtime API loop (no checks), the
// Runtime Interface Emulator, and albcheck replay with every check on.
//
//	go run ./bench/replaybench -fn bin/orders -albcheck bin/albcheck -rie $(which aws-lambda-rie) -n 5000
//
// bench/replay.sh builds what it needs and runs it.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/albcheck/albcheck/internal/bareloop"
)

func main() {
	fn := flag.String("fn", "bin/orders", "the function binary")
	albcheck := flag.String("albcheck", "bin/albcheck", "the albcheck binary")
	baseline := flag.String("baseline", "", "an earlier albcheck binary, measured in the same rounds (replay and serve) to compare a change with")
	rie := flag.String("rie", "", "the aws-lambda-rie binary (skipped when empty)")
	n := flag.Int("n", 5000, "invocations per measurement")
	rounds := flag.Int("rounds", 5, "rounds of every measurement (the median is reported)")
	what := flag.String("what", "bare,replay,rie,serve", "what to measure: bare, replay, rie, serve, serve-infra (comma-separated)")
	flag.Parse()
	event := []byte(`{"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/0123456789abcdef"}},"httpMethod":"GET","path":"/api/search","queryStringParameters":{"q":"x"},"headers":{"host":"a.example.com","user-agent":"curl/8.5.0","x-amzn-trace-id":"Root=1-67a1b2c3-0123456789abcdef01234567","x-forwarded-for":"198.51.100.7","x-forwarded-port":"443","x-forwarded-proto":"https"},"body":"","isBase64Encoded":false}`)

	fmt.Printf("%d invocations each, %d cores, function %s, median of %d interleaved rounds\n\n", *n, runtimeCPUs(), *fn, *rounds)
	dir, err := os.MkdirTemp("", "replaybench")
	check(err)
	defer os.RemoveAll(dir)
	for i := range *n {
		check(os.WriteFile(filepath.Join(dir, fmt.Sprintf("e%06d.json", i)), event, 0o644))
	}
	type measure struct {
		name string
		run  func() (float64, time.Duration, time.Duration)
	}
	want := map[string]bool{}
	for _, w := range strings.Split(*what, ",") {
		want[w] = true
	}
	var ms []measure
	for _, procs := range []int{1, 2} {
		if want["bare"] {
			ms = append(ms, measure{fmt.Sprintf("bare Runtime API loop, %d process(es)", procs), func() (float64, time.Duration, time.Duration) {
				return bareLoop(*fn, event, *n, procs)
			}})
			// albcheck runs its own goroutines on the cores the functions
			// leave; the bare loop on as few is the stricter yardstick.
			gmp := max(1, runtime.NumCPU()-procs)
			ms = append(ms, measure{fmt.Sprintf("bare Runtime API loop, %d process(es), GOMAXPROCS=%d", procs, gmp), func() (float64, time.Duration, time.Duration) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(gmp))
				return bareLoop(*fn, event, *n, procs)
			}})
		}
		if want["replay"] {
			ms = append(ms, measure{fmt.Sprintf("albcheck replay --cmd, --parallel %d", procs), func() (float64, time.Duration, time.Duration) {
				return replayRun(*albcheck, *fn, dir, *n, procs)
			}})
			if *baseline != "" {
				ms = append(ms, measure{fmt.Sprintf("baseline replay --cmd, --parallel %d", procs), func() (float64, time.Duration, time.Duration) {
					return replayRun(*baseline, *fn, dir, *n, procs)
				}})
			}
		}
	}
	if *rie != "" && want["rie"] {
		ms = append(ms, measure{"Runtime Interface Emulator (sequential)", func() (float64, time.Duration, time.Duration) {
			return emulator(*rie, *fn, event, *n)
		}})
	}
	if want["serve"] {
		wrk, _ := exec.LookPath("wrk")
		load := "Go clients in this process"
		if wrk != "" {
			load = "wrk"
		}
		for _, clients := range []int{1, 8, 64} {
			ms = append(ms, measure{fmt.Sprintf("albcheck serve --parallel 2, %d client(s), %s", clients, load), func() (float64, time.Duration, time.Duration) {
				return serveLoad(*albcheck, *fn, wrk, *n, clients)
			}})
			if *baseline != "" {
				ms = append(ms, measure{fmt.Sprintf("baseline serve --parallel 2, %d client(s)", clients), func() (float64, time.Duration, time.Duration) {
					return serveLoad(*baseline, *fn, wrk, *n, clients)
				}})
			}
		}
	}
	if want["serve-infra"] {
		// Routing's cost: serve with no rules beside serve --infra whose
		// request is matched by the last of 20 rules, at 8 clients.
		wrk, _ := exec.LookPath("wrk")
		template := filepath.Join(dir, "template.yaml")
		check(os.WriteFile(template, []byte(twentyRules()), 0o644))
		ms = append(ms, measure{"albcheck serve --parallel 2, 8 clients", func() (float64, time.Duration, time.Duration) {
			return serveLoad(*albcheck, *fn, wrk, *n, 8)
		}}, measure{"albcheck serve --infra, 20 rules, 8 clients", func() (float64, time.Duration, time.Duration) {
			return serveLoadArgs(*albcheck, wrk, *n, 8, func(addr string) []string {
				_, port, _ := net.SplitHostPort(addr)
				return []string{"serve", "--infra", template, "--cmd", "Fn=" + *fn, "--parallel", "2", "--port", "80=" + port}
			})
		}})
	}
	// Rounds are interleaved so that a slow spell of the machine touches
	// every measurement alike; the median of each is reported.
	rates := make([][]float64, len(ms))
	p50s := make([][]time.Duration, len(ms))
	p99s := make([][]time.Duration, len(ms))
	for range *rounds {
		for i, m := range ms {
			r, a, b := m.run()
			rates[i] = append(rates[i], r)
			p50s[i] = append(p50s[i], a)
			p99s[i] = append(p99s[i], b)
		}
	}
	fmt.Printf("%-48s %10s %10s %10s   %s\n", "", "per second", "p50", "p99", "every round")
	for i, m := range ms {
		p50, p99 := "-", "-"
		if median(p50s[i]) > 0 {
			p50, p99 = median(p50s[i]).String(), median(p99s[i]).String()
		}
		all := make([]string, len(rates[i]))
		for j, r := range rates[i] {
			all[j] = strconv.FormatFloat(r, 'f', 0, 64)
		}
		fmt.Printf("%-48s %10.0f %10s %10s   %s\n", m.name, median(rates[i]), p50, p99, strings.Join(all, " "))
	}
}

func median[T float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// replayRun times the whole albcheck replay command over n fixture files.
func replayRun(albcheck, fn, dir string, n, procs int) (float64, time.Duration, time.Duration) {
	start := time.Now()
	cmd := exec.Command(albcheck, "replay", "-q", "--cmd", fn, "--parallel", strconv.Itoa(procs), dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		fmt.Printf("albcheck failed: %v\n%s", err, out)
		os.Exit(1)
	}
	return float64(n) / time.Since(start).Seconds(), 0, 0
}

func runtimeCPUs() int { n, _ := strconv.Atoi(os.Getenv("NPROC")); return max(n, numCPU()) }

// bareLoop hands out the event over bare Runtime API servers
// (internal/bareloop), one per process, and counts.
func bareLoop(fn string, event []byte, n, procs int) (float64, time.Duration, time.Duration) {
	var mu sync.Mutex
	var lat []time.Duration
	remaining := n
	var wg sync.WaitGroup
	start := time.Now()
	for range procs {
		l, err := bareloop.Start(fn, event)
		check(err)
		wg.Go(func() {
			defer l.Close()
			for {
				mu.Lock()
				if remaining == 0 {
					mu.Unlock()
					return
				}
				remaining--
				mu.Unlock()
				t0 := time.Now()
				l.Invoke()
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return rate(n, start, lat)
}

// emulator invokes the function through the Runtime Interface Emulator, one
// request at a time (it fails when two overlap).
func emulator(rie, fn string, event []byte, n int) (float64, time.Duration, time.Duration) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	addr := ln.Addr().String()
	ln.Close()
	api, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	apiAddr := api.Addr().String()
	api.Close()
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", apiAddr, fn)
	cmd.Env = append(os.Environ(), "LOG_LEVEL=error")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	check(cmd.Start())
	defer func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			check(fmt.Errorf("the emulator did not start"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	url := "http://" + addr + "/2015-03-31/functions/function/invocations"
	client := &http.Client{}
	var lat []time.Duration
	start := time.Now()
	for range n {
		t0 := time.Now()
		resp, err := client.Post(url, "application/json", bytes.NewReader(event))
		check(err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(t0))
	}
	return rate(n, start, lat)
}

// serveLoad starts albcheck serve in front of the function and sends n
// requests from the given number of concurrent clients: through wrk when
// given (one thread, for as long as n requests take at the direct rate),
// else from Go clients in this process, which take a large share of the two
// cores themselves (BENCHMARKS.md).
func serveLoad(albcheck, fn, wrk string, n, clients int) (float64, time.Duration, time.Duration) {
	return serveLoadArgs(albcheck, wrk, n, clients, func(addr string) []string {
		return []string{"serve", "--cmd", fn, "--parallel", "2", "--listen", addr}
	})
}

// serveLoadArgs is serveLoad with albcheck's arguments made for the
// address it is to listen on.
func serveLoadArgs(albcheck, wrk string, n, clients int, args func(addr string) []string) (float64, time.Duration, time.Duration) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(albcheck, args(addr)...)
	cmd.Stderr = io.Discard
	check(cmd.Start())
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			check(fmt.Errorf("albcheck serve did not start"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	url := "http://" + addr + "/api/search?q=x"
	if wrk != "" {
		secs := max(1, n/2000)
		out, err := exec.Command(wrk, "-t1", "-c"+strconv.Itoa(clients), "-d"+strconv.Itoa(secs)+"s", "--latency", url).CombinedOutput()
		check(err)
		return parseWrk(string(out))
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var mu sync.Mutex
	var lat []time.Duration
	next := make(chan struct{}, n)
	for range n {
		next <- struct{}{}
	}
	close(next)
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				t0 := time.Now()
				resp, err := client.Get(url)
				check(err)
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return rate(n, start, lat)
}

// parseWrk reads the rate and the 50th and 99th percentiles of wrk --latency.
func parseWrk(out string) (float64, time.Duration, time.Duration) {
	var rps float64
	var p50, p99 time.Duration
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			rps, _ = strconv.ParseFloat(f[1], 64)
		case len(f) == 2 && f[0] == "50%":
			p50, _ = time.ParseDuration(strings.Replace(f[1], "us", "µs", 1))
		case len(f) == 2 && f[0] == "99%":
			p99, _ = time.ParseDuration(strings.Replace(f[1], "us", "µs", 1))
		}
	}
	if rps == 0 {
		check(fmt.Errorf("cannot read wrk's output:\n%s", out))
	}
	return rps, p50, p99
}

func rate(n int, start time.Time, lat []time.Duration) (float64, time.Duration, time.Duration) {
	secs := time.Since(start).Seconds()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p := func(q float64) time.Duration {
		return lat[min(len(lat)-1, int(q*float64(len(lat))))].Round(10 * time.Microsecond)
	}
	return float64(n) / secs, p(0.50), p(0.99)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "replaybench:", err)
		os.Exit(1)
	}
}

// twentyRules is a template whose listener has 20 rules mixing every
// condition type, as albroute's BenchmarkRoute does; /api/search matches
// only the last.
func twentyRules() string {
	var b strings.Builder
	b.WriteString(`Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: fn/, Handler: bootstrap, Runtime: provided.al2023, Timeout: 3}
  TG:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      Targets: [{Id: !GetAtt Fn.Arn}]
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      Port: 80
      Protocol: HTTP
      DefaultActions: [{Type: fixed-response, FixedResponseConfig: {StatusCode: "404"}}]
`)
	conditions := []string{
		`{Field: path-pattern, PathPatternConfig: {Values: ["/v%d/*", "/static/%d/*.css"]}}`,
		`{Field: host-header, HostHeaderConfig: {Values: ["api%d.example.com"]}}`,
		`{Field: http-header, HttpHeaderConfig: {HttpHeaderName: X-Tenant, Values: ["tenant-%d-*"]}}`,
		`{Field: http-request-method, HttpRequestMethodConfig: {Values: [PATCH]}}, {Field: path-pattern, PathPatternConfig: {Values: ["/p%d"]}}`,
		`{Field: query-string, QueryStringConfig: {Values: [{Key: version, Value: "v%d"}]}}`,
		`{Field: source-ip, SourceIpConfig: {Values: ["10.%d.0.0/16"]}}`,
	}
	for i := 1; i < 20; i++ {
		fmt.Fprintf(&b, "  Rule%d:\n    Type: AWS::ElasticLoadBalancingV2::ListenerRule\n    Properties:\n      ListenerArn: !Ref Listener\n      Priority: %d\n      Conditions: [%s]\n      Actions: [{Type: fixed-response, FixedResponseConfig: {StatusCode: \"200\"}}]\n",
			i, i, strings.ReplaceAll(conditions[i%len(conditions)], "%d", strconv.Itoa(i)))
	}
	b.WriteString(`  Rule20:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Listener
      Priority: 20
      Conditions: [{Field: path-pattern, PathPatternConfig: {Values: ["/api/*"]}}]
      Actions: [{Type: forward, TargetGroupArn: !Ref TG}]
`)
	return b.String()
}
