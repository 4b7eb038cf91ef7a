package devserver

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/explainer/explainer/site"
	"github.com/google/go-cmp/cmp"
)

// TestSocketRoundTrip walks one client through the whole protocol.
func TestSocketRoundTrip(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	src := project(t)
	ts.Publish(build(t, src))
	ignoreBuild := cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Build" }, cmp.Ignore())

	c, _ := dialSocket(t, ts.addr, "Origin: "+ts.URL+"\r\n")
	hello := c.next(t)
	if hello.Type != "hello" || hello.Build == "" || hello.Build == noBuild {
		t.Fatalf("first message %+v, want hello with the build", hello)
	}
	waitClients(t, ts.Server, 1)

	// A stylesheet edit: pages stay, the stylesheet is swapped.
	css := edit(t, src, "static/css/site.css", "rgb(1, 2, 3)", "rgb(4, 5, 6)")
	ts.Publish(build(t, css))
	m := c.next(t)
	want := message{Type: "reload", Pages: []string{}, Styles: []string{"/css/site.css"}, Assets: []string{}}
	if diff := cmp.Diff(want, m, ignoreBuild); diff != "" {
		t.Errorf("after a stylesheet edit (-want +got):\n%s", diff)
	}
	if m.Build == hello.Build {
		t.Errorf("reload names build %q, the same as before", m.Build)
	}

	// A failed build: the problems, and again for a client connecting now.
	problems := []string{`content/sections/02-next.md:5:3: unknown topic "feez"`, "content/topics.yaml:2:1: bad"}
	ts.Fail(problems)
	m = c.next(t)
	if diff := cmp.Diff(message{Type: "errors", Problems: problems}, m, ignoreBuild); diff != "" {
		t.Errorf("after Fail (-want +got):\n%s", diff)
	}
	late, _ := dialSocket(t, ts.addr, "")
	if m := late.next(t); m.Type != "hello" {
		t.Errorf("a client connecting while broken first got %+v, want hello", m)
	}
	if m := late.next(t); m.Type != "errors" || !slices.Equal(m.Problems, problems) {
		t.Errorf("a client connecting while broken then got %+v, want the errors", m)
	}

	// The fix: the same output as before the failure changes nothing.
	ts.Publish(build(t, css))
	for _, cl := range []*wsClient{c, late} {
		if m := cl.next(t); m.Type != "ok" {
			t.Errorf("after fixing the build: %+v, want ok", m)
		}
	}

	// A content edit reloads the pages it touches.
	ts.Publish(build(t, edit(t, css, "content/sections/02-next.md", "A vote is due.", "A vote is due soon.")))
	m = c.next(t)
	if m.Type != "reload" || !slices.Contains(m.Pages, "/sections/next/") || len(m.Styles) != 0 {
		t.Errorf("after a section edit: %+v, want a reload of /sections/next/", m)
	}

	// Pings are answered with the same payload.
	if err := c.write(opPing, []byte("are you there")); err != nil {
		t.Fatal(err)
	}
	for {
		op, payload, err := c.readFrame(5 * time.Second)
		if err != nil {
			t.Fatalf("waiting for a pong: %v", err)
		}
		if op == opPong {
			if string(payload) != "are you there" {
				t.Errorf("pong %q, want the ping's payload", payload)
			}
			break
		}
	}

	// A close from the client is answered and ends the connection.
	c.write(opClose, binary.BigEndian.AppendUint16(nil, closeNormal))
	if code := c.expectClose(t); code != closeNormal {
		t.Errorf("close status %d, want %d", code, closeNormal)
	}
	waitClients(t, ts.Server, 1) // late is still there
}

func TestSocketHandshakeErrors(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	host := "Host: " + ts.addr + "\r\n"
	const key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	const up = "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
	tests := []struct {
		name, method, header string
		status               int
	}{
		{"ok", "GET", up + key + "Sec-WebSocket-Version: 13\r\n", 101},
		{"POST", "POST", up + key + "Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n", 405},
		{"no Upgrade", "GET", "Connection: Upgrade\r\n" + key + "Sec-WebSocket-Version: 13\r\n", 426},
		{"no Connection: Upgrade", "GET", "Upgrade: websocket\r\n" + key + "Sec-WebSocket-Version: 13\r\n", 426},
		{"old version", "GET", up + key + "Sec-WebSocket-Version: 8\r\n", 400},
		{"no key", "GET", up + "Sec-WebSocket-Version: 13\r\n", 400},
		{"short key", "GET", up + "Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n", 400},
		{"plain GET", "GET", "", 426},
	}
	for _, tt := range tests {
		resp, _ := rawRequest(t, ts.addr, tt.method, SocketPath, host+tt.header)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
		if tt.name == "old version" && resp.Header.Get("Sec-WebSocket-Version") != "13" {
			t.Errorf("%s: no Sec-WebSocket-Version: 13 in the answer", tt.name)
		}
	}
}

// TestSocketProtocolErrors checks that a misbehaving client is closed
// with the right status.
func TestSocketProtocolErrors(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	tests := []struct {
		name  string
		frame []byte
		code  int
	}{
		{"unmasked", []byte{0x81, 0x02, 'h', 'i'}, 0}, // RFC 6455 5.1: the server closes the connection
		{"reserved bits", []byte{0xC1, 0x80, 0, 0, 0, 0}, closeProtocolError},
		{"unknown opcode", []byte{0x83, 0x80, 0, 0, 0, 0}, closeProtocolError},
		{"fragmented ping", []byte{0x09, 0x80, 0, 0, 0, 0}, closeProtocolError},
		{"long ping", append([]byte{0x89, 0x80 | 126, 0, 126}, make([]byte, 4+126)...), closeProtocolError},
		// Announces 4 GiB; the server reads what comes, up to its limit.
		{"huge message", append([]byte{0x82, 0x80 | 127, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, make([]byte, maxMessage+1)...), closeTooBig},
	}
	for _, tt := range tests {
		c, _ := dialSocket(t, ts.addr, "")
		c.next(t) // hello
		c.conn.Write(tt.frame)
		if code := c.expectClose(t); code != tt.code {
			t.Errorf("%s: close status %d, want %d", tt.name, code, tt.code)
		}
	}
	// Text and binary messages, even fragmented, are read and ignored.
	c, _ := dialSocket(t, ts.addr, "")
	c.next(t)
	c.write(opText, []byte(strings.Repeat("x", 70000/2)))
	c.conn.Write([]byte{0x01, 0x80, 0, 0, 0, 0}) // a text fragment
	c.conn.Write([]byte{0x80, 0x80, 0, 0, 0, 0}) // its final continuation
	c.write(opPing, nil)
	if op, _, err := c.readFrame(5 * time.Second); err != nil || op != opPong {
		t.Errorf("after data frames: opcode %#x, %v; want a pong", op, err)
	}
	waitClients(t, ts.Server, 1)
}

// TestSocketPing checks the server's pings, and that a client that stops
// answering is dropped.
func TestSocketPing(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0", func(s *Server) { s.pingEvery = 40 * time.Millisecond })
	alive, _ := dialSocket(t, ts.addr, "")
	silent, _ := dialSocket(t, ts.addr, "")
	alive.next(t)
	silent.next(t)
	waitClients(t, ts.Server, 2)
	pings := 0
	for deadline := time.Now().Add(300 * time.Millisecond); time.Now().Before(deadline); {
		op, payload, err := alive.readFrame(time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if op == opPing {
			pings++
			alive.write(opPong, payload)
		}
	}
	if pings < 3 {
		t.Errorf("%d pings in 300ms at one per 40ms", pings)
	}
	// silent read nothing and answered nothing: it is gone by now.
	waitClients(t, ts.Server, 1)
	if code := silent.expectClose(t); code != closeGoingAway {
		t.Errorf("silent client closed with %d, want %d", code, closeGoingAway)
	}
}

// TestSlowClient checks that a client that stops reading cannot hold up
// Fail or the other clients: its messages wait, merged, for it to read
// again, and it is dropped once a write to it times out.
func TestSlowClient(t *testing.T) {
	// 180 KB a message: far more than a socket's buffers hold in a few.
	big := slices.Repeat([]string{strings.Repeat("content/sections/01-x.md:1:1: a long problem ", 200)}, 20)
	start := func(t *testing.T, timeout time.Duration) (ts *testServer, stuck, healthy *wsClient) {
		ts = startServer(t, "127.0.0.1:0", func(s *Server) { s.writeTimeout = timeout })
		stuck, _ = dialSocket(t, ts.addr, "")
		healthy, _ = dialSocket(t, ts.addr, "")
		healthy.next(t)
		waitClients(t, ts.Server, 2)
		return ts, stuck, healthy
	}

	t.Run("kept while its write waits", func(t *testing.T) {
		ts, stuck, healthy := start(t, time.Hour)
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			for i := range 100 {
				ts.Fail(append(big, fmt.Sprint("content/_index.md:1:1: problem ", i)))
			}
		}()
		// Not a timing: Fail waiting on the stuck client would never end
		// with an hour-long write timeout.
		select {
		case <-finished:
		case <-time.After(time.Minute):
			t.Fatal("100 Fail calls did not end with a client that does not read")
		}
		for _, c := range []*wsClient{healthy, stuck} {
			for m := c.next(t); !lastProblem(m); m = c.next(t) {
				if m.Type != "errors" && m.Type != "hello" {
					t.Fatalf("%+v, want hello or errors", m)
				}
			}
		}
		if n := ts.clientCount(); n != 2 {
			t.Errorf("%d reload sockets, want both kept", n)
		}
	})

	t.Run("dropped when a write times out", func(t *testing.T) {
		ts, _, healthy := start(t, 500*time.Millisecond)
		// Not a timing: a guard against a client never dropped (it took
		// about 480 messages, half a second, here).
		deadline := time.Now().Add(time.Minute)
		for ts.clientCount() == 2 {
			if time.Now().After(deadline) {
				t.Fatal("a minute of messages of 180 KB, and the client that does not read is still there")
			}
			ts.Fail(big)
			if m := healthy.next(t); m.Type != "errors" {
				t.Fatalf("to the healthy client: %+v, want errors", m)
			}
		}
	})
}

// lastProblem reports whether m brings the last of TestSlowClient's errors.
func lastProblem(m message) bool {
	return m.Type == "errors" && m.Problems[len(m.Problems)-1] == "content/_index.md:1:1: problem 99"
}

// TestOutbox checks how a client's pending messages merge: builds into
// one message with the newest ID and every change, errors after them, a
// good build clearing the errors.
func TestOutbox(t *testing.T) {
	reload := func(build string, pages, styles, assets []string) message {
		return message{Type: "reload", Build: build, Pages: pages, Styles: styles, Assets: assets}
	}
	ok := message{Type: "ok", Build: "p-5"}
	errs := message{Type: "errors", Build: "p-1", Problems: []string{"content/a.md:1:1: bad"}}.encode()
	tests := []struct {
		name string
		do   func(o *outbox)
		want []message
	}{
		{"one build", func(o *outbox) {
			o.publish(reload("p-1", []string{"/a/"}, nil, nil))
		}, []message{reload("p-1", []string{"/a/"}, nil, nil)}},
		{"builds merge", func(o *outbox) {
			o.hello = message{Type: "hello", Build: "p-0"}.encode()
			o.publish(reload("p-1", []string{"/b/", "/d/"}, []string{"/css/site.css"}, nil))
			o.publish(ok)
			o.publish(reload("p-6", []string{"/a/", "/d/"}, nil, []string{"/img/x.png"}))
		}, []message{
			{Type: "hello", Build: "p-0"},
			reload("p-6", []string{"/a/", "/b/", "/d/"}, []string{"/css/site.css"}, []string{"/img/x.png"}),
		}},
		{"ok after a reload of styles", func(o *outbox) {
			o.publish(reload("p-1", nil, []string{"/css/site.css"}, nil))
			o.publish(ok)
		}, []message{reload("p-5", []string{}, []string{"/css/site.css"}, []string{})}},
		{"ok after ok", func(o *outbox) {
			o.publish(message{Type: "ok", Build: "p-4"})
			o.publish(ok)
		}, []message{ok}},
		{"errors after the news", func(o *outbox) {
			o.publish(reload("p-1", []string{"/a/"}, nil, nil))
			o.errors = errs
		}, []message{reload("p-1", []string{"/a/"}, nil, nil), {Type: "errors", Build: "p-1", Problems: []string{"content/a.md:1:1: bad"}}}},
		{"a good build clears the errors", func(o *outbox) {
			o.errors = errs
			o.publish(ok)
		}, []message{ok}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o outbox
			tt.do(&o)
			var got []message
			for b := o.next(); b != nil; b = o.next() {
				var m message
				if err := json.Unmarshal(b, &m); err != nil {
					t.Fatalf("%s: %v", b, err)
				}
				got = append(got, m)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("sent %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestClose checks that Close says goodbye to every client and refuses
// new ones.
func TestClose(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	var cs []*wsClient
	for range 3 {
		c, _ := dialSocket(t, ts.addr, "")
		c.next(t)
		cs = append(cs, c)
	}
	waitClients(t, ts.Server, 3)
	ts.Close()
	for _, c := range cs {
		if code := c.expectClose(t); code != closeGoingAway {
			t.Errorf("close status %d, want %d", code, closeGoingAway)
		}
	}
	if ts.clientCount() != 0 {
		t.Errorf("%d clients after Close", ts.clientCount())
	}
	if _, resp := dialSocket(t, ts.addr, ""); resp.StatusCode != 503 {
		t.Errorf("a socket after Close: status %d, want 503", resp.StatusCode)
	}
	ts.Publish(build(t, project(t))) // no clients: must not block or panic
}

// TestHTTPServer checks the timeouts of HTTPServer, and that they do not
// cut off the reload sockets, which outlive any request.
func TestHTTPServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Addr: ln.Addr().String()})
	srv := s.HTTPServer()
	got := [...]time.Duration{srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout}
	if want := [...]time.Duration{5 * time.Second, 30 * time.Second, 30 * time.Second, 60 * time.Second}; got != want {
		t.Errorf("timeouts (read header, read, write, idle) = %v, want %v", got, want)
	}
	if srv.Addr != ln.Addr().String() || srv.Handler == nil {
		t.Errorf("Addr %q, Handler %v; want the bound address and the handler", srv.Addr, srv.Handler)
	}
	srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout = 100*time.Millisecond, 100*time.Millisecond, 100*time.Millisecond
	go srv.Serve(ln)
	defer func() {
		srv.Shutdown(context.Background()) // closes the sockets too
		s.wg.Wait()
	}()
	c, _ := dialSocket(t, ln.Addr().String(), "")
	c.next(t)
	time.Sleep(300 * time.Millisecond)
	s.Fail([]string{"content/a.md:1:1: late"})
	if m := c.next(t); m.Type != "errors" {
		t.Errorf("after the request timeouts: %+v, want errors", m)
	}
	// A slow request is still cut off.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\n", ln.Addr())
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(conn); err != nil {
		t.Errorf("a request that never ends its header: %v, want the server to hang up", err)
	}
}

// TestManySubscribers opens 200 reload sockets, publishes 50 builds one
// after another, and checks that every socket hears of the last build
// (coalescing the others is allowed) and that once the sockets close,
// the server holds no more goroutines or files than before.
func TestManySubscribers(t *testing.T) {
	if testing.Short() {
		t.Skip("200 sockets and 50 builds")
	}
	const subscribers, builds = 200, 50
	src := project(t)
	outs := make([]*site.Output, builds)
	for i := range builds {
		outs[i] = build(t, edit(t, src, "content/_index.md", "title: The harbour deal, explained", fmt.Sprintf("title: The harbour deal, version %d", i)))
	}
	goroutines, fds := runtime.NumGoroutine(), openFiles(t)
	ts := startServer(t, "127.0.0.1:0")
	ts.Publish(outs[0])
	clients := make([]*wsClient, subscribers)
	for i := range clients {
		c, resp := dialSocket(t, ts.addr, "")
		if c == nil {
			t.Fatalf("socket %d: status %d", i, resp.StatusCode)
		}
		c.next(t) // hello
		clients[i] = c
	}
	waitClients(t, ts.Server, subscribers)
	// Each socket is read as a tab reads it, while the builds come (no
	// faster than a rebuild can be made).
	seen := make([]sync.Map, subscribers) // build IDs each socket was told of
	var wg sync.WaitGroup
	var done atomic.Bool
	for i, c := range clients {
		wg.Go(func() {
			for !done.Load() {
				op, payload, err := c.readFrame(200 * time.Millisecond)
				if errors.Is(err, os.ErrDeadlineExceeded) {
					continue
				}
				if err != nil {
					t.Errorf("socket %d: %v", i, err)
					return
				}
				var m message
				if op == opText && json.Unmarshal(payload, &m) == nil {
					seen[i].Store(m.Build, true)
				}
			}
		})
	}
	for _, out := range outs[1:] {
		ts.Publish(out)
		time.Sleep(10 * time.Millisecond)
	}
	last := ts.state.Load().build
	deadline := time.Now().Add(20 * time.Second)
	for i := range seen {
		for {
			if _, ok := seen[i].Load(last); ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("socket %d was not told of the last build", i)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	done.Store(true)
	wg.Wait()
	if ts.clientCount() != subscribers {
		t.Errorf("%d of %d sockets are left open", ts.clientCount(), subscribers)
	}
	for _, c := range clients {
		c.conn.Close()
	}
	waitClients(t, ts.Server, 0)
	ts.stop()
	deadline = time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > goroutines+5 || openFiles(t) > fds+5 {
		if time.Now().After(deadline) {
			t.Fatalf("after the sockets closed: %d goroutines (%d before), %d open files (%d before)", runtime.NumGoroutine(), goroutines, openFiles(t), fds)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// openFiles counts this process's open file descriptors, where the
// system says.
func openFiles(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd here")
	}
	return len(entries)
}

// TestSlowloris opens 300 connections that send a header a byte at a
// time, and checks that a normal request is answered meanwhile and that
// the server hangs up on them once ReadHeaderTimeout passes.
func TestSlowloris(t *testing.T) {
	if testing.Short() {
		t.Skip("300 connections")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Addr: ln.Addr().String()})
	s.Publish(build(t, project(t)))
	srv := s.HTTPServer()
	srv.ReadHeaderTimeout = 500 * time.Millisecond
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	addr := ln.Addr().String()
	var conns []net.Conn
	for range 300 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\nX-Slow: ", addr)
		conns = append(conns, c)
	}
	for range 3 { // a byte each, now and then: never a whole header
		time.Sleep(100 * time.Millisecond)
		for _, c := range conns {
			c.Write([]byte("a"))
		}
	}
	if resp, _ := rawRequest(t, addr, "GET", "/", "Host: "+addr+"\r\n"); resp.StatusCode != 200 {
		t.Errorf("a normal request among the slow ones: status %d", resp.StatusCode)
	}
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadAll(c); err != nil {
			t.Fatalf("slow connection %d: %v, want the server to hang up", i, err)
		}
	}
}
