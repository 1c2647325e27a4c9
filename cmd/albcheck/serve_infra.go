package main

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/internal/bootstrap"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/serve"
)

// runServeInfra serves every listener of the --infra files, each routed by
// its rules to the functions named by NAME=VALUE handler flags.
func runServeInfra(ctx context.Context, o *serveOptions, s *streams) error {
	p, err := loadProject(o.infra...)
	if err != nil {
		return usageError("--infra: %v", err)
	}
	ports, err := listenerPorts(o.ports, p.Listeners)
	if err != nil {
		return err
	}
	o.handlerOptions.warn = s.err
	// Serve's --port says where a listener is served here, not the port
	// the function is told: the site keeps the files' ports.
	b, err := buildSite(ctx, &o.handlerOptions, p, serve.SiteOptions{Seed: o.seed})
	if err != nil {
		return err
	}
	// The server closes the handlers when it stops; here only when it
	// never starts.
	started := false
	defer func() {
		if !started {
			b.closeHandlers()
		}
		b.cleanup()
	}()
	site, from := b.site, b.from
	var listeners []serve.Listener
	closeListeners := func() {
		for _, l := range listeners {
			l.Listener.Close()
		}
	}
	fmt.Fprintf(s.err, "albcheck serve: a local ALB for %s; Ctrl-C stops it\n", strings.Join(o.infra, ", "))
	for _, r := range site.Listeners {
		l := r.Listener()
		local := l.Port
		if local < 1024 {
			local += 8000
		}
		if _, mapped := ports[l.Name]; l.Port == 0 && !mapped {
			// A listener of another stack (Serverless's listenerArn, an
			// imported ARN): its rules are known, its port is not.
			fmt.Fprintf(s.err, "  listener %s: no port in the files, not served (serve its rules with --port %s=PORT)\n", l.Name, l.Name)
			continue
		}
		if p, ok := ports[l.Name]; ok {
			local = p
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(local)))
		if err != nil {
			closeListeners()
			return &exitError{code: exitUsage, err: fmt.Errorf("listener %s (%s %d): %w; map it elsewhere with --port %s=PORT", l.Name, l.Protocol, l.Port, err, l.Name)}
		}
		listeners = append(listeners, serve.Listener{Router: r, Listener: ln})
		if l.Port == 0 {
			fmt.Fprintf(s.err, "  listener %s (port unknown) on http://%s\n", l.Name, ln.Addr())
		} else {
			fmt.Fprintf(s.err, "  listener %s (%s %d) on http://%s\n", l.Name, l.Protocol, l.Port, ln.Addr())
		}
	}
	if len(listeners) == 0 {
		return usageError("--infra: no listener to serve")
	}
	for _, name := range sortedNames(site.Targets) {
		t := site.Targets[name]
		what := "no function"
		switch {
		case t.Handler != nil:
			what = fmt.Sprintf("%s (%s), timeout %s", t.Function, from[t.Function], t.Timeout)
		case t.Function != "":
			what = fmt.Sprintf("%s: no handler, requests get 502 (add --cmd %s=BINARY)", t.Function, t.Function)
		}
		health := ""
		if t.Health.Path != "" {
			health = fmt.Sprintf(", health check %s every %s", t.Health.Path, t.Health.Interval)
		}
		fmt.Fprintf(s.err, "  target group %s (%s mode): %s%s\n", name, t.Mode, what, health)
	}
	for _, r := range site.Listeners {
		for _, pr := range r.Problems() {
			fmt.Fprintf(s.err, "  %s: %s\n", r.Listener().Name, pr)
		}
	}
	srv := serve.New(serve.Options{
		Targets:       site.Targets,
		Log:           s.err,
		JSONLog:       o.logFormat == "json",
		RecordDir:     o.record,
		RecordSecrets: o.recordSecrets,
		IdleTimeout:   o.idleTimeout,
	})
	defer o.handlerOptions.leaveCores()()
	started = true
	if err := srv.RunListeners(ctx, listeners); err != nil {
		return &exitError{code: exitFindings, err: err}
	}
	fmt.Fprintln(s.err, "albcheck serve: stopped")
	return nil
}

// builtSite is a project's site with the handlers of its functions.
type builtSite struct {
	site     *serve.Site
	handlers map[string]replay.Handler
	// from says how each function is run, for the banner.
	from     map[string]string
	cleanups []func()
}

func (b *builtSite) closeHandlers() {
	for _, h := range b.handlers {
		h.Close()
	}
}

// cleanup removes the bootstraps extracted from zips.
func (b *builtSite) cleanup() {
	for _, c := range b.cleanups {
		c()
	}
}

// buildSite builds the handlers of the functions named by NAME=VALUE flags
// and, for every other function behind a Lambda target group, of the
// bootstrap its files hold (bootstrap.Find); then the site of the project.
func buildSite(ctx context.Context, o *handlerOptions, p *infra.Project, site serve.SiteOptions) (_ *builtSite, err error) {
	handlers, err := o.buildNamed(ctx, p)
	if err != nil {
		return nil, err
	}
	// b, not the result: "return nil, err" sets the result to nil before
	// this deferred function runs, and what was built must still end.
	b := &builtSite{handlers: handlers, from: map[string]string{}}
	defer func() {
		if err != nil {
			b.closeHandlers()
			b.cleanup()
		}
	}()
	for _, nh := range o.named {
		fn := p.FunctionNamed(nh.name)
		b.from[fn.Name] = nh.flag + " " + nh.value
		if fn.ReservedConcurrency == 0 && o.pool.Max > 0 {
			b.from[fn.Name] += "; reserved concurrency 0: every request is throttled"
		}
	}
	missing := map[string]string{} // why a function has no handler, for its requests' 502
	for _, fn := range p.Functions {
		if handlers[fn.Name] != nil || !behindLambdaGroup(p, fn) {
			continue
		}
		if fn.ReservedConcurrency == 0 && o.pool.Max > 0 {
			// Never invoked, so it needs no bootstrap: every request gets
			// the throttle (buildOne says why).
			if handlers[fn.Name], err = o.buildOne(ctx, "--cmd", "", fn); err != nil {
				return nil, err
			}
			b.from[fn.Name] = "reserved concurrency 0: every request is throttled"
			continue
		}
		path, cleanup, err := bootstrap.Find(fn)
		if err != nil {
			if !errors.Is(err, bootstrap.ErrNotFound) {
				return nil, usageError("function %s: %v", fn.Name, err)
			}
			// A Node.js or Python function runs from its code folder, as
			// --runtime does, with the template's Runtime and Handler.
			dir, why, codeCleanup, codeErr := runtimeCodeDir(fn)
			if codeErr != nil {
				return nil, usageError("function %s: %v", fn.Name, codeErr)
			}
			if why != "" { // a Node.js or Python function that cannot run
				missing[fn.Name] = fmt.Sprintf("function %s has no handler: %s (or name one: --cmd %s=BINARY, --exec, --invoke-url)", fn.Name, why, fn.Name)
			}
			if codeCleanup != nil {
				b.cleanups = append(b.cleanups, codeCleanup)
			}
			if dir != "" {
				h, err := o.buildOne(ctx, "--runtime", dir, fn)
				if err != nil {
					return nil, err
				}
				handlers[fn.Name] = h
				b.from[fn.Name] = fmt.Sprintf("--runtime %s --handler %s --code-dir %s", fn.Runtime, fn.Handler, dir)
				continue
			}
			if missing[fn.Name] == "" {
				missing[fn.Name] = fmt.Sprintf("function %s has no handler: add --cmd %s=BINARY (or --exec, --invoke-url), or build it (%v)", fn.Name, fn.Name, err)
			}
			continue
		}
		b.cleanups = append(b.cleanups, cleanup)
		h, err := o.buildOne(ctx, "--cmd", path, fn)
		if err != nil {
			return nil, err
		}
		handlers[fn.Name] = h
		b.from[fn.Name] = path
	}
	site.Handlers = handlers
	site.Missing = func(fn *infra.Function) string {
		if m := missing[fn.Name]; m != "" {
			return m
		}
		return fmt.Sprintf("function %s has no handler: add --cmd %s=BINARY (or --exec, --invoke-url)", fn.Name, fn.Name)
	}
	b.site, err = serve.NewSite(p, site)
	if err != nil {
		return nil, usageError("--infra: %v", err)
	}
	return b, nil
}

// runtimeCodeDir is the folder of a Node.js or Python function's code, for
// a function whose Runtime albcheck runs (replay.ParseRuntime) and whose
// Handler the model has: its code location (a CodeUri folder, or a zip
// file, unpacked into a temporary folder that cleanup removes), else the
// folder its source comes from (a serverless service's, an archive_file's
// source_dir). Paths are relative to the function's file.
func runtimeCodeDir(fn *infra.Function) (dir, why string, cleanup func(), err error) {
	if fn.Handler == "" {
		return "", "", nil, nil
	}
	if _, err := replay.ParseRuntime(fn.Runtime); err != nil {
		if strings.HasPrefix(fn.Runtime, "nodejs") || strings.HasPrefix(fn.Runtime, "python") {
			// A Node.js or Python function albcheck does not run: say so,
			// rather than that no bootstrap was found.
			return "", fmt.Sprintf("Runtime %s: %v", fn.Runtime, err), nil, nil
		}
		return "", "", nil, nil
	}
	var missing []string
	for _, loc := range []string{fn.Code, fn.CodeDir} {
		if loc == "" {
			continue
		}
		if !filepath.IsAbs(loc) {
			loc = filepath.Join(filepath.Dir(fn.Source.File), loc)
		}
		st, err := os.Stat(loc)
		switch {
		case err != nil: // not built yet, an S3 key: try the next
			missing = append(missing, loc)
		case st.IsDir():
			return loc, "", nil, nil
		case strings.EqualFold(filepath.Ext(loc), ".zip"):
			dir, cleanup, err := unzipCode(loc)
			return dir, "", cleanup, err
		}
	}
	if len(missing) > 0 {
		return "", fmt.Sprintf("its %s code is not there (%s)", fn.Runtime, strings.Join(missing, ", ")), nil, nil
	}
	return "", "", nil, nil
}

// unzipCode unpacks a function's zip into a temporary folder, as Lambda
// unpacks it into /var/task.
func unzipCode(path string) (string, func(), error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", path, err)
	}
	defer zr.Close()
	dir, err := os.MkdirTemp("", "albcheck-code-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	for _, f := range zr.File {
		// A name that climbs out of the folder (zip slip) is refused
		// rather than written wherever it points.
		name := filepath.FromSlash(f.Name)
		if !filepath.IsLocal(name) {
			cleanup()
			return "", nil, fmt.Errorf("%s: entry %q is outside the archive's folder", path, f.Name)
		}
		target := filepath.Join(dir, name)
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				cleanup()
				return "", nil, err
			}
			continue
		}
		if err := writeZipEntry(f, target); err != nil {
			cleanup()
			return "", nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return dir, cleanup, nil
}

func writeZipEntry(f *zip.File, target string) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, f.Mode().Perm()|0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// behindLambdaGroup reports whether fn is registered with a Lambda target
// group: only those need a handler.
func behindLambdaGroup(p *infra.Project, fn *infra.Function) bool {
	for _, tg := range p.TargetGroups {
		if !tg.IsLambda() {
			continue
		}
		for _, t := range tg.Targets {
			if t.Function == fn.Name {
				return true
			}
		}
	}
	return false
}

// listenerPorts reads --port LISTENER=PORT flags (serve and replay share
// them): LISTENER is a listener's name or its port in the files. The result
// is by listener name. A LISTENER that is none of the files' is a usage
// error, so that a typo does not leave the listener unmapped in silence.
func listenerPorts(specs []string, listeners []*infra.Listener) (map[string]int, error) {
	byName := map[string]int{}
	for _, spec := range specs {
		key, port, ok := strings.Cut(spec, "=")
		n, err := strconv.Atoi(port)
		if !ok || key == "" || err != nil || n < 0 || n > 65535 {
			return nil, usageError("--port %q: want LISTENER=PORT, LISTENER a listener's name or port", spec)
		}
		found := false
		for _, l := range listeners {
			if l.Name == key || (l.Port > 0 && strconv.Itoa(l.Port) == key) {
				byName[l.Name] = n
				found = true
			}
		}
		if !found {
			return nil, usageError("--port %s=...: no listener of the files has that name or port", key)
		}
	}
	return byName, nil
}

func sortedNames[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
