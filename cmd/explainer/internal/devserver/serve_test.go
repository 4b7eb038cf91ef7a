package devserver

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestHostilePaths sends request targets exactly as written, past any
// client-side cleaning, and checks that none reaches outside the site.
func TestHostilePaths(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	ts.Publish(build(t, project(t)))
	host := "Host: " + ts.addr + "\r\n"
	tests := []struct {
		target string
		status int
	}{
		// Parent references, plain and encoded.
		{"/..", 400},
		{"/../", 400},
		{"/../etc/passwd", 400},
		{"/documents/../../etc/passwd", 400},
		{"/_explainer/../index.html", 400},
		{"/%2e%2e/etc/passwd", 400},
		{"/%2E%2E/%2E%2E/etc/passwd", 400},
		{"/.%2e/etc/passwd", 400},
		{"/%2e./etc/passwd", 400},
		{"/documents/%2e%2e/index.html", 400},
		{"/%2e/index.html", 400},
		{"/..%2fetc%2fpasswd", 400},
		{"/..%2Fetc%2Fpasswd", 400},
		{"/documents%2findex.html", 400},
		{"/%2fetc/passwd", 400},
		// Backslashes, raw and encoded.
		{`/..\etc\passwd`, 400},
		{`/documents\..\index.html`, 400},
		{"/..%5cetc%5cpasswd", 400},
		{"/documents%5C..%5Cindex.html", 400},
		// NUL and control characters.
		{"/%00", 400},
		{"/index.html%00.css", 400},
		{"/index.html%00", 400},
		{"/%0aindex.html", 400},
		{"/%7f", 400},
		// Double encoding.
		{"/%252e%252e/etc/passwd", 400},
		{"/%252e%252e%252fetc%252fpasswd", 400},
		{"/%25", 400},
		// Overlong and invalid UTF-8, bad escapes.
		{"/%c0%ae%c0%ae/etc/passwd", 400},
		{"/%ff", 400},
		{"/%u002e%u002e/etc/passwd", 400},
		{"/%", 400},
		// Absolute-form and odd targets.
		{"http://" + ts.addr + "/../etc/passwd", 400},
		{"*", 400},
		{"etc/passwd", 400},
		// Unclean but harmless: redirected to the clean path, never served.
		{"//etc/passwd", 302},
		{"//evil.example/", 302},
		{"/./index.html", 302},
		{"/documents//index.html", 302},
		{"/documents/.", 302},
		// Names that are not in the site.
		{"/...", 404},
		{"/.git/config", 404},
		{"/etc/passwd", 404},
		{"/index.html/", 404},
		{"/css/", 404}, // a directory without index.html: no listing
		{"/css", 404},
		{"/documents/draft-a/2/index.html/..", 400},
		{"/_explainer/", 404},
		{"/_explainer/live.js/", 404},
		// The rest of the checklist's table (SECURITY-CHECKLIST.md, 11).
		{"/a/%2e%2e%5c", 400},
		{"/%2F..", 400},
		{"/.\x00", 400},
		{"/index.html::$DATA", 404},
		{"/INDEX.HTML", 404},
		{"/PROGRA~1/", 404},
		{"/#/../../", 400},
		{"/.explainer-build", 404},
		{"/.generator-manifest.json", 404},
		{"../x", 400},
		// The site itself.
		{"/", 200},
		{"/index.html", 200},
		{"/css/site.css", 200},
		{"/documents/", 200},
		{"/documents/?q=../..", 200},
		{"/documents", 302},
	}
	for _, tt := range tests {
		resp, body := rawRequest(t, ts.addr, "GET", tt.target, host)
		if resp.StatusCode != tt.status {
			t.Errorf("GET %q: status %d, want %d", tt.target, resp.StatusCode, tt.status)
		}
		if tt.status != 200 && strings.Contains(body, "root:") {
			t.Errorf("GET %q: served a system file", tt.target)
		}
		if loc := resp.Header.Get("Location"); loc != "" && !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
			t.Errorf("GET %q: redirected off the site, to %q", tt.target, loc)
		}
	}
}

// TestServe checks what the site's files are served with.
func TestServe(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	out := build(t, project(t))
	ts.Publish(out)
	home, _ := out.File("index.html")
	css, _ := out.File("css/site.css")
	notFound, _ := out.File("404.html")
	tests := []struct {
		method, target string
		status         int
		contentType    string
		location       string
		body           []byte // nil: not checked
	}{
		{"GET", "/", 200, "text/html; charset=utf-8", "", home},
		{"GET", "/index.html", 200, "text/html; charset=utf-8", "", home},
		{"HEAD", "/", 200, "text/html; charset=utf-8", "", []byte{}},
		{"GET", "/css/site.css", 200, "text/css; charset=utf-8", "", css},
		{"GET", "/css/site.css?v=123", 200, "text/css; charset=utf-8", "", css},
		{"GET", "/data/explainer.json", 200, "application/json", "", nil},
		{"GET", ScriptPath, 200, "text/javascript; charset=utf-8", "", []byte(liveJS)},
		{"GET", "/documents", 302, "", "/documents/", nil},
		{"GET", "/documents?x=1", 302, "", "/documents/?x=1", nil},
		{"GET", "/documents/draft-a", 302, "", "/documents/draft-a/", nil},
		{"GET", "/documents//draft-a/", 302, "", "/documents/draft-a/", nil},
		{"GET", "/no/such/page/", 404, "text/html; charset=utf-8", "", notFound},
		{"HEAD", "/no/such/page/", 404, "text/html; charset=utf-8", "", []byte{}},
		{"GET", "/404.html", 200, "text/html; charset=utf-8", "", notFound},
		{"POST", "/", 405, "", "", nil},
		{"PUT", "/index.html", 405, "", "", nil},
		{"DELETE", "/index.html", 405, "", "", nil},
	}
	host := "Host: " + ts.addr + "\r\n"
	for _, tt := range tests {
		resp, body := rawRequest(t, ts.addr, tt.method, tt.target, host+"Content-Length: 0\r\n")
		name := tt.method + " " + tt.target
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", name, resp.StatusCode, tt.status)
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", name, got)
		}
		if tt.contentType != "" && !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.contentType) {
			t.Errorf("%s: Content-Type %q, want %q", name, resp.Header.Get("Content-Type"), tt.contentType)
		}
		if got := resp.Header.Get("Location"); got != tt.location {
			t.Errorf("%s: Location %q, want %q", name, got, tt.location)
		}
		if tt.body != nil && !bytes.Equal([]byte(body), tt.body) {
			t.Errorf("%s: body is %d bytes, want the %d of the build", name, len(body), len(tt.body))
		}
	}
}

// TestHost checks the Host header against the bound address (DNS
// rebinding).
func TestHost(t *testing.T) {
	tests := []struct {
		bound string
		host  string
		ok    bool
	}{
		{"127.0.0.1:8000", "127.0.0.1:8000", true},
		{"127.0.0.1:8000", "foo.localhost:8000", true},
		{"127.0.0.1:8000", "Foo.LocalHost:8000", true},
		{"127.0.0.1:8000", "preview.example:8000", true}, // -allow-host
		{"127.0.0.1:8000", "preview.example:8001", false},
		{"127.0.0.1:8000", "other.example:8000", false},
		{"127.0.0.1:8000", "192.168.7.7:8000", true}, // -allow-host with an address
		{"127.0.0.1:8000", "[fd00::7]:8000", true},
		{"127.0.0.1:8000", "192.168.7.8:8000", false},
		{"127.0.0.1:8000", "localhost.example:8000", false},
		{"127.0.0.1:8000", "localhost:8000", true},
		{"127.0.0.1:8000", "LocalHost:8000", true},
		{"127.0.0.1:8000", "[::1]:8000", true},
		{"127.0.0.1:8000", "[0:0:0:0:0:0:0:1]:8000", true},
		{"127.0.0.1:8000", "[::ffff:127.0.0.1]:8000", true},
		{"127.0.0.1:8000", "127.0.0.1:8001", false},
		{"127.0.0.1:8000", "localhost:80", false},
		{"127.0.0.1:8000", "127.0.0.1", false},
		{"127.0.0.1:8000", "localhost", false},
		{"127.0.0.1:8000", "evil.example:8000", false},
		{"127.0.0.1:8000", "evil.example", false},
		{"127.0.0.1:8000", "localhost.:8000", false},
		{"127.0.0.1:8000", "localhost.evil.example:8000", false},
		{"127.0.0.1:8000", "127.0.0.1.nip.io:8000", false},
		{"127.0.0.1:8000", "127.0.0.2:8000", false},
		{"127.0.0.1:8000", "0.0.0.0:8000", false},
		{"127.0.0.1:8000", "2130706433:8000", false},
		{"127.0.0.1:8000", "0x7f000001:8000", false},
		{"127.0.0.1:8000", "192.168.1.20:8000", false},
		{"127.0.0.1:8000", "", false},
		{"127.0.0.1:8000", ":8000", false},
		{"127.0.0.1:8000", "127.0.0.1:8000:8000", false},
		{"localhost:8000", "localhost:8000", true},
		{"localhost:8000", "127.0.0.1:8000", true},
		{"localhost:8000", "evil.example:8000", false},
		{"[::1]:8000", "[::1]:8000", true},
		{"[::1]:8000", "localhost:8000", true},
		{"[::1]:8000", "[::1]:8001", false},
		{"192.168.1.20:8000", "192.168.1.20:8000", true},
		{"192.168.1.20:8000", "localhost:8000", true},
		{"192.168.1.20:8000", "192.168.1.21:8000", false},
		{"127.0.0.1:80", "localhost", true},
		{"127.0.0.1:80", "[::1]", true},
		{"127.0.0.1:80", "localhost:80", true},
		{"127.0.0.1:80", "evil.example", false},
		// Bound to all interfaces: any IP literal, localhost and the
		// names allowed; no other name (DNS rebinding needs one).
		{"0.0.0.0:8000", "evil.example:8000", false},
		{"0.0.0.0:8000", "192.168.1.20:8000", true},
		{"0.0.0.0:8000", "[fe80::1]:8000", true},
		{"0.0.0.0:8000", "192.168.1.20:8001", false},
		{"0.0.0.0:8000", "localhost:8000", true},
		{"0.0.0.0:8000", "preview.example:8000", true},
		{"[::]:8000", "my-laptop.local:8000", false},
		{":8000", "my-laptop.local:8000", false},
		{":8000", "10.0.0.5:8000", true},
		// Not a bound address: nothing is answered.
		{"127.0.0.1", "127.0.0.1", false},
		{"", "localhost:80", false},
	}
	for _, tt := range tests {
		s := New(Options{Addr: tt.bound, AllowHost: []string{"Preview.Example", "192.168.7.7", "[fd00::7]"}})
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = tt.host
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		want := http.StatusForbidden
		if tt.ok {
			want = http.StatusServiceUnavailable // no build yet
		}
		if w.Code != want {
			t.Errorf("bound to %q, Host %q: status %d, want %d", tt.bound, tt.host, w.Code, want)
		}
	}
}

// TestOrigin opens the reload socket with various Origin headers.
func TestOrigin(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	_, port, _ := strings.Cut(ts.addr, ":")
	tests := []struct {
		header string
		status int
	}{
		{"", 101},
		{"Origin: http://" + ts.addr + "\r\n", 101},
		{"Origin: http://localhost:" + port + "\r\n", 101},
		{"Origin: http://LOCALHOST:" + port + "\r\n", 101},
		{"Origin: http://[::1]:" + port + "\r\n", 101},
		{"Origin: http://evil.example\r\n", 403},
		{"Origin: http://evil.example:" + port + "\r\n", 403},
		{"Origin: http://localhost.evil.example:" + port + "\r\n", 403},
		{"Origin: http://127.0.0.1\r\n", 403},
		{"Origin: http://127.0.0.1:1\r\n", 403},
		{"Origin: http://192.0.2.10:" + port + "\r\n", 403}, // CVE-2025-30360's shape
		{"Origin: https://" + ts.addr + "\r\n", 403},
		{"Origin: null\r\n", 403},
		{"Origin: file://\r\n", 403},
		{"Origin: http://user@" + ts.addr + "\r\n", 403},
		{"Origin: http://" + ts.addr + "/page\r\n", 403},
		{"Origin: http://" + ts.addr + "\r\nOrigin: http://evil.example\r\n", 403},
	}
	for _, tt := range tests {
		c, resp := dialSocket(t, ts.addr, tt.header)
		if resp.StatusCode != tt.status {
			t.Errorf("%q: status %d, want %d", tt.header, resp.StatusCode, tt.status)
		}
		if c != nil {
			c.conn.Close()
		}
	}

	// Bound to all interfaces, the Origin must match the Host asked for.
	all := New(Options{Addr: "0.0.0.0:" + port})
	for _, tt := range []struct {
		host, origin string
		ok           bool
	}{
		{"192.168.1.20:" + port, "http://192.168.1.20:" + port, true},
		{"192.168.1.20:" + port, "", true},
		{"192.168.1.20:" + port, "http://evil.example:" + port, false},
		{"evil.example:" + port, "http://evil.example:" + port, false},
		{"localhost:" + port, "http://localhost:" + port, true},
		{"localhost:" + port, "http://192.0.2.10:" + port, false},
		{"192.0.2.10:" + port, "http://localhost:" + port, false},
	} {
		var origins []string
		if tt.origin != "" {
			origins = []string{tt.origin}
		}
		if got := all.hosts.allowOrigin(origins, tt.host); got != tt.ok {
			t.Errorf("bound to all, Host %q, Origin %q: allowed %v, want %v", tt.host, tt.origin, got, tt.ok)
		}
	}
}

// TestForeignHostGetsNothing checks that a request with a foreign Host
// is refused over a real connection, for pages, the script and the socket.
func TestForeignHostGetsNothing(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	ts.Publish(build(t, project(t)))
	for _, target := range []string{"/", "/index.html", ScriptPath, SocketPath, "/../etc/passwd"} {
		resp, body := rawRequest(t, ts.addr, "GET", target, "Host: attacker.example:"+strings.Split(ts.addr, ":")[1]+"\r\n")
		if resp.StatusCode != 403 {
			t.Errorf("GET %s with a foreign Host: status %d, want 403", target, resp.StatusCode)
		}
		if strings.Contains(body, "<html") {
			t.Errorf("GET %s with a foreign Host: served a page", target)
		}
	}
}

// TestFallback checks what is served before the first good build.
func TestFallback(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	host := "Host: " + ts.addr + "\r\n"
	resp, body := rawRequest(t, ts.addr, "GET", "/documents/x/", host)
	if resp.StatusCode != 503 || !strings.Contains(body, "Building") || !strings.Contains(body, ScriptPath) {
		t.Errorf("before any build: status %d, body %q; want 503 with a building page loading the script", resp.StatusCode, body)
	}
	ts.Fail([]string{`content/a.md:1:2: unknown topic "<b>x</b>"`})
	resp, body = rawRequest(t, ts.addr, "GET", "/", host)
	if resp.StatusCode != 503 || !strings.Contains(body, `content/a.md:1:2: unknown topic &#34;&lt;b&gt;x&lt;/b&gt;&#34;`) {
		t.Errorf("after a failed first build: status %d, body %q; want 503 listing the problem, escaped", resp.StatusCode, body)
	}
	ts.Publish(build(t, project(t)))
	if resp, _ := rawRequest(t, ts.addr, "GET", "/", host); resp.StatusCode != 200 {
		t.Errorf("after a good build: status %d, want 200", resp.StatusCode)
	}
}

// TestFailKeepsServing checks that a failed build leaves the last good
// one in place.
func TestFailKeepsServing(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	out := build(t, project(t))
	ts.Publish(out)
	ts.Fail([]string{"content/x.md:1:1: broken"})
	resp, body := rawRequest(t, ts.addr, "GET", "/", "Host: "+ts.addr+"\r\n")
	want, _ := out.File("index.html")
	if resp.StatusCode != 200 || body != string(want) {
		t.Errorf("after Fail: status %d and %d bytes, want 200 and the last good home page", resp.StatusCode, len(body))
	}
}

// TestPublishUnderLoad fetches pages from many goroutines while builds
// are published, and checks that every response is a whole page of one
// build, the build its Server-Timing header names.
func TestPublishUnderLoad(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	const builds = 4
	outs := make([][]byte, builds) // home page of each build
	src := project(t)
	var published []func()
	for i := range builds {
		v := edit(t, src, "content/_index.md", "title: The harbour deal, explained", fmt.Sprintf("title: The harbour deal, version %d", i))
		out := build(t, v)
		outs[i], _ = out.File("index.html")
		published = append(published, func() { ts.Publish(out) })
	}
	published[0]()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	var stop atomic.Bool
	var ids sync.Map // Server-Timing -> index in outs
	var fetched atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 16 {
		wg.Go(func() {
			for !stop.Load() {
				resp, err := client.Get(ts.URL + "/")
				if err != nil {
					errs <- err
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					errs <- fmt.Errorf("status %d, %v", resp.StatusCode, err)
					return
				}
				which := slices.IndexFunc(outs, func(o []byte) bool { return bytes.Equal(body, o) })
				if which < 0 {
					errs <- fmt.Errorf("got a home page of %d bytes that is no build's", len(body))
					return
				}
				// The build named in Server-Timing is the one served.
				id := resp.Header.Get("Server-Timing")
				if prev, loaded := ids.LoadOrStore(id, which); loaded && prev != which {
					errs <- fmt.Errorf("%s served build %d and build %d", id, prev, which)
					return
				}
				fetched.Add(1)
			}
		})
	}
	for i := 1; i < 40; i++ {
		published[i%builds]()
		time.Sleep(2 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if fetched.Load() == 0 {
		t.Error("fetched nothing")
	}
	t.Logf("%d pages fetched during 40 publishes", fetched.Load())
}

// TestCrossSite: another site's page may link to the server, but not load
// its reload script or fetch its files; every response says
// Cross-Origin-Resource-Policy: same-origin.
func TestCrossSite(t *testing.T) {
	s := New(Options{Addr: "127.0.0.1:8000"})
	s.Publish(build(t, project(t)))
	for _, tt := range []struct {
		path, site, mode string
		status           int
	}{
		{ScriptPath, "cross-site", "no-cors", 403},
		{ScriptPath, "cross-site", "cors", 403},
		{"/", "cross-site", "no-cors", 403},
		{"/", "cross-site", "navigate", 200},
		{ScriptPath, "same-origin", "no-cors", 200},
		{ScriptPath, "same-site", "no-cors", 200},
		{ScriptPath, "", "", 200}, // a client that sends no Sec-Fetch headers
	} {
		r := httptest.NewRequest("GET", tt.path, nil)
		r.Host = "127.0.0.1:8000"
		r.Header.Set("Origin", "http://evil.example")
		if tt.site != "" {
			r.Header.Set("Sec-Fetch-Site", tt.site)
			r.Header.Set("Sec-Fetch-Mode", tt.mode)
		}
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		if w.Code != tt.status {
			t.Errorf("GET %s (%s, %s): status %d, want %d", tt.path, tt.site, tt.mode, w.Code, tt.status)
		}
		if got := w.Header().Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("GET %s (%s, %s): Access-Control-Allow-Origin %q", tt.path, tt.site, tt.mode, got)
		}
		if got := w.Header().Get("Cross-Origin-Resource-Policy"); got != "same-origin" {
			t.Errorf("GET %s (%s, %s): Cross-Origin-Resource-Policy %q", tt.path, tt.site, tt.mode, got)
		}
	}
}

// TestPanicRecovered: a request whose handling panics gets 500, and the
// server goes on answering the next ones.
func TestPanicRecovered(t *testing.T) {
	h := recovering(slog.New(slog.DiscardHandler), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/boom" {
			panic("forced")
		}
		fmt.Fprint(w, "fine")
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, tt := range []struct {
		path   string
		status int
	}{{"/boom", 500}, {"/ok", 200}, {"/boom", 500}, {"/ok", 200}} {
		resp, err := srv.Client().Get(srv.URL + tt.path)
		if err != nil {
			t.Fatalf("GET %s: %v", tt.path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s: status %d, want %d", tt.path, resp.StatusCode, tt.status)
		}
	}
}

// TestCheckHost: -allow-host takes host names and IP addresses, never a
// pattern, which would become one of coder/websocket's Origin patterns;
// a name CheckHost refuses is not answered even if passed in Options.
func TestCheckHost(t *testing.T) {
	for name, ok := range map[string]bool{
		"preview.example": true, "my-laptop.local": true, "192.0.2.7": true, "[::1]": true, "::1": true,
		"": false, "*.example": false, "host:80": false, "a[b]": false, "ex?mple": false, strings.Repeat("a", 254): false,
	} {
		if err := CheckHost(name); (err == nil) != ok {
			t.Errorf("CheckHost(%q) = %v, want ok %v", name, err, ok)
		}
	}
	p := newHostPolicy("127.0.0.1:8000", []string{"*.example", "good.example"})
	if p.allowHost("x.example:8000") || !p.allowHost("good.example:8000") || slices.Contains(p.originPatterns(), "*.example:8000") {
		t.Errorf("a refused name was taken: names %q, patterns %q", p.names, p.originPatterns())
	}
}
