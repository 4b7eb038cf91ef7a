package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/explainer/explainer/cmd/explainer/internal/devserver"
	"github.com/explainer/explainer/cmd/explainer/internal/watch"
	"github.com/explainer/explainer/site"
)

// runServe implements "explainer serve": it builds the project in memory,
// serves it, and rebuilds what an edit touches whenever a file under
// content/, templates/ or static/ changes, telling open pages to reload.
// A failed build keeps the last good one served and shows its problems
// over the pages.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("serve", "[-src DIR] [-addr HOST:PORT] [-allow-host NAME]... [-drafts] [-poll DURATION]", stderr)
	src := flags.String("src", ".", "the explainer project `DIR`")
	addr := flags.String("addr", "127.0.0.1:8000", "the `HOST:PORT` to listen on; port 0 picks a free port")
	var allow []string
	flags.Func("allow-host", "answer requests for the host `NAME` too (repeatable): a name that reaches this machine, e.g. in a container", func(name string) error {
		if err := devserver.CheckHost(name); err != nil {
			return err
		}
		allow = append(allow, name)
		return nil
	})
	drafts := flags.Bool("drafts", false, "include sections marked draft")
	poll := flags.Duration("poll", 0, "watch for changes by polling at this `DURATION` (e.g. 500ms) instead of file system events")
	if err := parseFlags(flags, args, 0); err != nil {
		return err
	}
	if *poll < 0 {
		return usageError(flags, "-poll %v: must not be negative", *poll)
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return usageError(flags, "-addr %q: %v", *addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return usageError(flags, "-addr %q: the port must be a number from 0 to 65535", *addr)
	}
	project, err := openProject(*src)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	bound := ln.Addr().String()
	_, boundPort, _ := net.SplitHostPort(bound)
	ip := net.ParseIP(host)
	if host == "" || ip != nil && ip.IsUnspecified() {
		fmt.Fprintf(stderr, "warning: serving on all interfaces: anyone who can reach this machine can read the site, at %s (other names: -allow-host NAME)\n", strings.Join(reachableAt(boundPort, ip == nil || ip.To4() == nil), ", "))
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// The server answers to the address it is bound to, and to the name
	// it was given, if it was given one.
	if host != "" && ip == nil {
		bound = net.JoinHostPort(host, boundPort)
	}
	srv := devserver.New(devserver.Options{Addr: bound, AllowHost: allow, Logger: logger})
	defer srv.Close()

	// The events of one save (an editor's rename, or truncate and write)
	// come within a millisecond or two; each millisecond waited is one
	// the editor waits to see the change. A save slower than this builds
	// twice, the second time right.
	w, err := watch.New(*src, []string{"content", "templates", "static"}, watch.Options{Poll: *poll, Debounce: 4 * time.Millisecond, Logger: logger})
	if err != nil {
		return err
	}
	defer w.Close()

	bd := site.NewBuilder(site.Options{Drafts: *drafts, LiveReload: devserver.ScriptPath})
	var lastGood *site.Output // the last good build
	// rebuild builds the project again; changed lists the files the
	// watcher saw change, or is nil to read every file.
	rebuild := func(changed []string) {
		start := time.Now()
		var out *site.Output
		var err error
		// The page of an edited section, and the home page, are shown
		// first, in a few milliseconds; the rebuild then brings the rest.
		var previewed devserver.Changes
		var previewTime time.Duration
		if changed != nil && lastGood != nil {
			if pv, ok := bd.Preview(ctx, project, changed); ok {
				previewed = srv.Publish(pv)
				previewTime = time.Since(start)
			}
		}
		if changed == nil {
			out, err = bd.Build(ctx, project)
		} else {
			out, err = bd.BuildChanged(ctx, project, changed)
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil && previewTime > 0 {
			srv.Publish(lastGood) // what a failed build leaves served
		}
		if list, ok := errors.AsType[site.ErrorList](err); ok {
			printProblems(stderr, list)
			var lines []string
			for _, e := range list.Errors() {
				lines = append(lines, e.Error())
			}
			srv.Fail(lines)
			errs, _ := countProblems(list)
			if lastGood != nil {
				fmt.Fprintf(stderr, "build failed: %s; still serving the last good build\n", plural(errs, "error"))
			} else {
				fmt.Fprintf(stderr, "build failed: %s; the pages show them until a build succeeds\n", plural(errs, "error"))
			}
			return
		}
		if err != nil {
			srv.Fail([]string{err.Error()})
			fmt.Fprintf(stderr, "build failed: %v\n", err)
			return
		}
		printWarnings(stderr, out.Warnings, changed)
		lastGood = out
		changes := srv.Publish(out)
		if changed == nil {
			fmt.Fprintf(stderr, "built %s in %s\n", plural(out.Pages, "page"), roundDuration(time.Since(start)))
			return
		}
		pages := len(changes.Pages)
		for _, p := range previewed.Pages {
			if !slices.Contains(changes.Pages, p) {
				pages++
			}
		}
		shown := ""
		if previewTime > 0 {
			shown = fmt.Sprintf(" (the edited page was shown after %s)", roundDuration(previewTime))
		}
		fmt.Fprintf(stderr, "rebuilt in %s after %s: %s changed%s\n", roundDuration(time.Since(start)), describe(changed), plural(pages, "page"), shown)
	}
	rebuild(nil)

	hs := srv.HTTPServer()
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "Serving at http://%s/\n", ln.Addr())

	for {
		select {
		case <-ctx.Done():
			shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			srv.Close()
			hs.Shutdown(shutdown)
			cancel()
			fmt.Fprintln(stderr, "stopped")
			return nil
		case err := <-served:
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return err
		case err, ok := <-w.Errors():
			if ok {
				fmt.Fprintf(stderr, "warning: %v\n", err)
			}
		case files, ok := <-w.Changes():
			if !ok {
				return errors.New("the file watcher stopped")
			}
			rebuild(files)
		}
	}
}

// describe names the changed files for the rebuild summary.
func describe(files []string) string {
	switch len(files) {
	case 0:
		return "a change"
	case 1:
		return files[0]
	case 2:
		return files[0] + " and " + files[1]
	}
	return fmt.Sprintf("%s and %d more files", strings.Join(files[:1], ", "), len(files)-1)
}

// printWarnings prints the warnings of a build: all of them after the
// first build, and after a rebuild only those in the files that changed,
// so that a project with many warnings does not repeat them on every save.
func printWarnings(w io.Writer, warnings site.ErrorList, changed []string) {
	if changed == nil {
		printProblems(w, warnings)
		return
	}
	files := make(map[string]bool, len(changed))
	for _, f := range changed {
		files[f] = true
	}
	for _, e := range warnings {
		if files[e.Pos.File] {
			fmt.Fprintln(w, e.Error())
		}
	}
}

// reachableAt lists the URLs a server bound to all interfaces on port is
// reachable at: one per address of this machine's interfaces, IPv4
// first, and IPv6 ones too when v6 is set (bound to [::] or to no host).
func reachableAt(port string, v6 bool) []string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return []string{"every address of this machine"}
	}
	var four, six []string
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || n.IP.IsLinkLocalUnicast() || n.IP.IsLinkLocalMulticast() {
			continue
		}
		u := "http://" + net.JoinHostPort(n.IP.String(), port) + "/"
		if n.IP.To4() != nil {
			four = append(four, u)
		} else if v6 {
			six = append(six, u)
		}
	}
	return append(four, six...)
}
