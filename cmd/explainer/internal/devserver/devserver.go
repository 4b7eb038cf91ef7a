// Package devserver is the HTTP side of explainer serve: it serves the
// latest good build from memory and tells the open pages, over one
// WebSocket per tab, what a new build changed.
//
// The caller owns the listener, the file watcher and the builds. It binds
// a listener, creates a Server with the bound address, serves
// [Server.Handler] (or runs [Server.HTTPServer]), and after every rebuild
// calls [Server.Publish] with the new [site.Output] or [Server.Fail] with
// the problems of a failed build. Builds must be made with
// site.Options{LiveReload: devserver.ScriptPath}, so that every page loads
// the reload script.
//
// # Serving
//
// A request for /dir/ gets dir/index.html; /dir redirects (302, which
// browsers do not keep) to /dir/ when dir/index.html exists; anything else that is not a file of the build
// gets the build's 404.html with status 404. There are no directory
// listings. Only GET and HEAD are allowed. Every response carries
// Cache-Control: no-store, so that a reload always shows the newest build.
//
// Nothing outside the build is ever served: the build is held in memory
// and looked up by name, and a request whose path could mean anything but
// a plain file name is refused with 400 before any lookup: a ".." segment,
// a backslash, a NUL or other control character, invalid UTF-8, or any of
// the percent-encoded characters %2e (dot), %2f (slash), %5c (backslash),
// %00 and %25 (percent: double encoding). A path with empty or "."
// segments is redirected to its clean form.
//
// A request is served from one build from start to end: the current build
// is an atomic pointer, read once per request, so Publish can swap builds
// while requests are in flight. HTML responses name their build in a
// Server-Timing header (explainer;desc="ID"), which the reload script
// reads to learn the exact build its page came from.
//
// Before the first good build, every path gets a small 503 page, listing
// the problems if the build failed, that reloads once a build succeeds.
//
// # Host and Origin
//
// To defeat DNS rebinding, a request is answered only when its Host
// header names the bound address, localhost or a name under .localhost,
// 127.0.0.1, [::1] or a name of Options.AllowHost, always with the bound
// port (no port means port 80). Anything else gets 403. When the server
// is bound to all interfaces (0.0.0.0, [::] or an empty host), any IP
// literal is accepted too, since a rebinding attack needs a name; other
// names still get 403. The reload socket also checks Origin: it must be
// absent (a non-browser client) or http://HOST where HOST passes the
// Host check; when bound to all interfaces it must equal the request's
// own Host.
//
// Every response carries Cross-Origin-Resource-Policy: same-origin, and
// a request another site's page makes (Sec-Fetch-Site: cross-site) gets
// 403 unless it is a navigation, a link followed: another site can
// neither load the reload script nor read a file of the build.
//
// # Live reload protocol
//
// The script at ScriptPath (/_explainer/live.js) opens one WebSocket per
// tab to SocketPath (/_explainer/socket), at a URL derived from the
// script's own src, so it works at any depth and under any host. A
// WebSocket does not count against the browser's limit of six HTTP/1.1
// connections per host, so many open tabs cannot starve page loads the
// way one EventSource per tab would.
//
// The sockets are github.com/coder/websocket's, behind the server's own
// Host and Origin checks. The server sends text messages, reads and
// discards whatever a client sends (up to 64 KiB a message) so that its
// pings and closing handshake are answered, pings every 20 seconds, and
// drops a client that has not answered a ping within 30. Publish and Fail
// never wait for a client: what each client has yet to be told waits in
// its outbox, merged, so a tab that falls behind gets one message with
// the newest build and every page, style and asset changed since it last
// read, followed by the errors if the newest build failed. A write that
// takes over 10 seconds drops the client (the page reconnects, and its
// hello tells it whether it missed a build).
//
// Every message is a JSON object whose "build" names the build being
// served (a per-process prefix and a counter, "none" before the first good
// build):
//
//	{"type":"hello","build":ID}
//	    sent first on every connection. A page that does not know its
//	    build learns it here; a page whose build differs (it missed a
//	    change, or the server restarted) reloads.
//	{"type":"reload","build":ID,"pages":[...],"styles":[...],"assets":[...]}
//	    after Publish: the URL paths of the pages (as "/", "/documents/x/",
//	    "/404.html"), stylesheets and other files that changed. A page in
//	    "pages" fetches its new HTML and puts the new body (and the
//	    title and other passive parts of the head) in place of the old
//	    one, without navigating, so that its scroll position and state
//	    stay; when that could show something other than a reload would
//	    (the head's scripts, styles or other active elements changed, or
//	    either body holds a script or a noscript) or the fetch fails, it
//	    reloads and restores its scroll position. A page using a changed
//	    asset through src (images, scripts) reloads. Any other page swaps
//	    in each changed stylesheet it links, without reloading, and takes
//	    the new build as its own.
//	{"type":"ok","build":ID}
//	    after a Publish that changed nothing.
//	{"type":"errors","build":ID,"problems":["PATH:LINE:COL: message",...]}
//	    after Fail, and right after hello on every connection made while
//	    the build is broken. Pages show the problems in an overlay over
//	    the last good build; reload and ok remove it.
//
// When the socket closes, the script reconnects with a backoff from
// 250 ms up to 2 s, so tabs survive a server restart.
package devserver

import (
	"crypto/rand"
	_ "embed"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/explainer/explainer/site"
)

// The URL paths the server reserves for itself.
const (
	ScriptPath = "/_explainer/live.js" // the reload script, for site.Options.LiveReload
	SocketPath = "/_explainer/socket"  // the reload WebSocket
)

// noBuild is the build ID before the first good build.
const noBuild = "none"

// maxProblems caps the problems sent to pages; the rest are summarised.
const maxProblems = 200

//go:embed live.js
var liveJS string

// Options configure a Server.
type Options struct {
	Addr      string       // the address the listener is bound to, host:port, e.g. "127.0.0.1:8000" (not port 0)
	AllowHost []string     // host names answered besides the bound one and localhost
	Logger    *slog.Logger // where to log rejected requests and dropped clients; nil discards
}

// Server serves the latest good build of a site and notifies open pages
// of new builds and build failures. Its methods are safe for concurrent
// use.
type Server struct {
	addr     string
	hosts    hostPolicy
	log      *slog.Logger
	prefix   string // makes build IDs unique across restarts
	fallback *template.Template

	// Timing of the reload sockets; tests shorten them.
	pingEvery    time.Duration
	writeTimeout time.Duration

	state atomic.Pointer[state] // what requests are served from

	mu      sync.Mutex // serializes Publish, Fail, Close and client registration
	seq     int        // builds published
	clients map[*client]struct{}
	closed  bool
	wg      sync.WaitGroup // client goroutines
}

// state is one immutable snapshot of what the server serves.
type state struct {
	out      *site.Output // the last good build; nil before the first
	build    string       // its ID
	problems []string     // the failed build's problems; nil when not broken
	errors   []byte       // the errors message, encoded, when broken
}

// New returns a Server for a listener bound to opts.Addr. Until the first
// Publish it answers every page with a placeholder.
func New(opts Options) *Server {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		addr:         opts.Addr,
		hosts:        newHostPolicy(opts.Addr, opts.AllowHost),
		log:          log,
		prefix:       rand.Text()[:6],
		fallback:     template.Must(template.New("fallback").Parse(fallbackPage)),
		pingEvery:    20 * time.Second,
		writeTimeout: 10 * time.Second,
		clients:      map[*client]struct{}{},
	}
	s.state.Store(&state{build: noBuild})
	return s
}

// HTTPServer returns an http.Server for s.Handler with timeouts suited to
// a dev server on an open port: slow or idle clients are cut off, while
// the reload sockets, which are hijacked, keep their own deadlines.
// Shutting it down closes the reload sockets too.
func (s *Server) HTTPServer() *http.Server {
	srv := &http.Server{
		Addr:              s.addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	srv.RegisterOnShutdown(s.Close)
	return srv
}

// Publish makes out, a successful build, the one served, clears any build
// errors shown on the pages, and tells every page what changed since the
// previous good build. It returns those changes; before the first good
// build, every page counts as changed. Their lists are also those of the
// messages still to be sent: the caller must not modify them. out must
// not be nil.
func (s *Server) Publish(out *site.Output) Changes {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ch Changes
	if old := s.state.Load(); old.out != nil {
		ch = diff(old.out, out)
	} else {
		ch = diff(nil, out)
	}
	s.seq++
	id := s.prefix + "-" + strconv.Itoa(s.seq)
	s.state.Store(&state{out: out, build: id})
	m := message{Type: "ok", Build: id}
	if !ch.Empty() {
		m = message{Type: "reload", Build: id, Pages: nonNil(ch.Pages), Styles: nonNil(ch.Styles), Assets: nonNil(ch.Files)}
	}
	s.broadcast(func(o *outbox) { o.publish(m) })
	return ch
}

// Fail records a failed build: the last good build keeps being served,
// and every open page, and every page loaded until the next Publish,
// shows problems (each "PATH:LINE:COL: message") over its content.
func (s *Server) Fail(problems []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.state.Load()
	shown := append([]string{}, problems...) // never nil: nil means not broken
	if n := len(shown); n > maxProblems {
		shown = append(shown[:maxProblems], "… and "+strconv.Itoa(n-maxProblems)+" more problems")
	}
	f := message{Type: "errors", Build: old.build, Problems: shown}.encode()
	s.state.Store(&state{out: old.out, build: old.build, problems: shown, errors: f})
	s.broadcast(func(o *outbox) { o.errors = f })
}

// Close closes every reload socket and refuses new ones, and returns once
// their goroutines have finished. Pages reconnect to the next server on
// the same address. Requests for pages are still served.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.clients {
		c.close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// A message is what the server sends to pages; see the package doc.
type message struct {
	Type     string   `json:"type"`
	Build    string   `json:"build"`
	Pages    []string `json:"pages,omitzero"`
	Styles   []string `json:"styles,omitzero"`
	Assets   []string `json:"assets,omitzero"`
	Problems []string `json:"problems,omitzero"`
}

// encode encodes m as JSON, for a WebSocket text message.
func (m message) encode() []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // strings and slices of strings always marshal
	}
	return b
}

// nonNil returns s, or an empty slice for nil, so that it is sent as [].
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// fallbackPage is served for every path before the first good build.
const fallbackPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .}}Build failed{{else}}Building…{{end}} · explainer</title>
<script src="` + ScriptPath + `" defer></script>
</head>
<body>
<h1>{{if .}}Build failed{{else}}Building…{{end}}</h1>
{{- with .}}
<ul>
{{- range .}}
<li><code>{{.}}</code></li>
{{- end}}
</ul>
{{- end}}
<p>There is no good build to show yet. This page reloads by itself once the site builds.</p>
</body>
</html>
`
