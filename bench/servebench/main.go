//go:build unix

// Command servebench measures albcheck serve beside serverless-offline on
// the same Node.js handler, loaded by wrk at several client counts, in
// interleaved rounds (each round measures every server once, so a machine
// that gets busier halfway hurts every side alike), and prints medians.
//
//	go run ./bench/servebench -albcheck bin/albcheck -sls bench/sls -orders bin/orders -sleepfn bin/sleepfn
//
// bench/serve.sh installs serverless-offline, builds what it needs and runs it.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	albcheck := flag.String("albcheck", "bin/albcheck", "the albcheck binary")
	sls := flag.String("sls", "bench/sls", "the folder of serverless.yml, handler.js and node_modules (npm ci)")
	orders := flag.String("orders", "", "the Go example function, measured for reference (skipped when empty)")
	sleepfn := flag.String("sleepfn", "", "a Go function that sleeps ?ms=N, measured for reference (skipped when empty)")
	rounds := flag.Int("rounds", 3, "rounds of every measurement (the median is reported)")
	secs := flag.Int("d", 2, "seconds of wrk per measurement")
	warm := flag.Duration("warm", 3*time.Second, "wrk's load before each measurement, unmeasured, so that both sides have started the environments (workers) the client count needs and V8 has compiled their hot code, as in a function in use (a Node.js process takes seconds of traffic to reach its steady cost per request)")
	clientList := flag.String("clients", "1,8,64", "client counts (comma-separated)")
	extra := flag.String("albcheck-args", "", "more arguments for every albcheck serve (space-separated), such as --max-concurrency 64")
	flag.Parse()
	wrk, err := exec.LookPath("wrk")
	check(err)
	var clients []int
	for _, c := range strings.Split(*clientList, ",") {
		n, err := strconv.Atoi(c)
		check(err)
		clients = append(clients, n)
	}
	more := strings.Fields(*extra)

	// Every server runs for the whole run; the measurements take turns.
	defer stopAll()
	slsPort := freePort()
	slsBase := startServer("serverless-offline", *sls, slsPort, "node", "node_modules/serverless/bin/serverless.js", "offline", "start",
		"--albPort", slsPort, "--httpPort", freePort(), "--lambdaPort", freePort())
	albNode := func(handler string, flags ...string) string {
		port := freePort()
		args := append(append([]string{"serve", "--runtime", "nodejs20.x", "--handler", handler, "--code-dir", *sls, "--listen", "127.0.0.1:" + port}, flags...), more...)
		return startServer("albcheck serve "+handler, "", port, append([]string{*albcheck}, args...)...)
	}
	albCmd := func(fn string) string {
		port := freePort()
		return startServer("albcheck serve --cmd "+fn, "", port, append([]string{*albcheck, "serve", "--cmd", fn, "--listen", "127.0.0.1:" + port}, more...)...)
	}

	type side struct {
		name string
		url  string
	}
	type load struct {
		fn    string // what the function does
		sides []side
	}
	loads := []load{
		{"trivial", []side{
			{"albcheck serve --runtime nodejs20.x", albNode("handler.trivial") + "/trivial"},
			{"serverless-offline 13", slsBase + "/trivial"},
		}},
		{"sleeps 50 ms", []side{
			{"albcheck serve --runtime nodejs20.x", albNode("handler.sleep") + "/sleep"},
			{"serverless-offline 13", slsBase + "/sleep"},
			// serverless-offline sets no limit on concurrent workers;
			// albcheck's default is 16 environments.
			{"albcheck serve --runtime nodejs20.x --max-concurrency 64", albNode("handler.sleep", "--max-concurrency", "64") + "/sleep"},
		}},
	}
	if *orders != "" {
		loads[0].sides = append(loads[0].sides, side{"albcheck serve --cmd bin/orders (Go, reference)", albCmd(*orders) + "/api/search?q=x"})
	}
	if *sleepfn != "" {
		loads[1].sides = append(loads[1].sides, side{"albcheck serve --cmd bin/sleepfn (Go, reference)", albCmd(*sleepfn) + "/sleep?ms=50"})
	}
	for _, s := range servers {
		s.ready()
	}

	type key struct {
		fn, side string
		clients  int
	}
	results := map[key][]result{}
	for round := range *rounds {
		for _, l := range loads {
			for _, c := range clients {
				for _, sd := range l.sides {
					if *warm > 0 {
						runWrk(wrk, sd.url, c, *warm)
					}
					r := runWrk(wrk, sd.url, c, time.Duration(*secs)*time.Second)
					results[key{l.fn, sd.name, c}] = append(results[key{l.fn, sd.name, c}], r)
					fmt.Fprintf(os.Stderr, "round %d: %s, %s, %d client(s): %.0f/s, %d not 2xx\n", round+1, l.fn, sd.name, c, r.rps, r.bad)
				}
			}
		}
	}
	load1, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("%d rounds of %d s of wrk per measurement (after %s unmeasured), medians; load average at the end: %s\n", *rounds, *secs, *warm, strings.Join(strings.Fields(string(load1))[:3], " "))
	fmt.Println("| function | clients | server | per second | p50 | p99 | not 2xx (all rounds) | albcheck / serverless-offline |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, l := range loads {
		for _, c := range clients {
			peer := median(results[key{l.fn, l.sides[1].name, c}])
			for _, sd := range l.sides {
				rs := results[key{l.fn, sd.name, c}]
				m := median(rs)
				bad := 0
				for _, r := range rs {
					bad += r.bad
				}
				ratio := ""
				if sd.name != l.sides[1].name && peer.rps > 0 {
					ratio = fmt.Sprintf("%.2fx", m.rps/peer.rps)
				}
				fmt.Printf("| %s | %d | %s | %.0f | %s | %s | %d | %s |\n", l.fn, c, sd.name, m.rps, m.p50, m.p99, bad, ratio)
			}
		}
	}
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	bad      int // responses that were not 2xx or 3xx, and socket errors
}

// median is the run with the median rate, its latencies with it.
func median(rs []result) result {
	if len(rs) == 0 {
		return result{}
	}
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b result) int {
		switch {
		case a.rps < b.rps:
			return -1
		case a.rps > b.rps:
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}

// runWrk loads url with c connections from one wrk thread, which takes
// about 5% of the machine (BENCHMARKS.md), for d.
func runWrk(wrk, url string, c int, d time.Duration) result {
	out, err := exec.Command(wrk, "-t1", "-c"+strconv.Itoa(c), "-d"+strconv.Itoa(max(1, int(d.Round(time.Second).Seconds())))+"s", "--latency", url).CombinedOutput()
	check(err)
	var r result
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			r.rps, _ = strconv.ParseFloat(f[1], 64)
		case len(f) == 2 && f[0] == "50%":
			r.p50 = wrkDuration(f[1])
		case len(f) == 2 && f[0] == "99%":
			r.p99 = wrkDuration(f[1])
		case strings.HasPrefix(strings.TrimSpace(line), "Non-2xx or 3xx responses:"):
			n, _ := strconv.Atoi(f[len(f)-1])
			r.bad += n
		case strings.HasPrefix(strings.TrimSpace(line), "Socket errors:"):
			// connect N, read N, write N, timeout N
			for i := 3; i < len(f); i += 2 {
				n, _ := strconv.Atoi(strings.TrimSuffix(f[i], ","))
				r.bad += n
			}
		}
	}
	// A server that answered nothing in the time is a result (serverless-
	// offline stalls so under 64 clients at times), not a broken run.
	if !strings.Contains(string(out), "Requests/sec:") {
		check(fmt.Errorf("cannot read wrk's output:\n%s", out))
	}
	return r
}

// wrkDuration reads wrk's 1.23ms, 456.78us, 1.02s.
func wrkDuration(s string) time.Duration {
	d, _ := time.ParseDuration(strings.Replace(s, "us", "µs", 1))
	return d
}

// server is one server under test, a process of its own.
type server struct {
	name string
	base string
	cmd  *exec.Cmd
	log  string // its output, removed when it stops
}

// servers are the servers started, for stopAll.
var servers []*server

// startServer starts argv in dir, a server that is to listen on port of
// 127.0.0.1, and returns its URL.
func startServer(name, dir, port string, argv ...string) string {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	// serverless v3 asks the network for news and telemetry unless told
	// not to; neither belongs in a measurement.
	cmd.Env = append(os.Environ(), "SLS_TELEMETRY_DISABLED=1", "SLS_NOTIFICATIONS_MODE=off", "SLS_DEPRECATION_DISABLE=*")
	log, err := os.CreateTemp("", "servebench-*.log")
	check(err)
	cmd.Stdout, cmd.Stderr = log, log
	// Its own process group, so that stop ends what it started too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	check(cmd.Start())
	log.Close()
	s := &server{name: name, cmd: cmd, base: "http://127.0.0.1:" + port, log: log.Name()}
	servers = append(servers, s)
	return s.base
}

func stopAll() {
	for _, s := range servers {
		s.stop()
	}
	servers = nil
}

// ready waits until the server answers HTTP.
func (s *server) ready() {
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.base + "/")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(s.log)
			check(fmt.Errorf("%s did not start: %v\n%s", s.name, err, out))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop interrupts the server's process group, as Ctrl-C would, and waits.
func (s *server) stop() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGINT)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	_ = os.Remove(s.log)
}

func freePort() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "servebench:", err)
		stopAll() // os.Exit skips main's deferred stop
		os.Exit(1)
	}
}
