package devserver

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"
)

// files is what the server needs of a build: *site.Output, or a fake in
// tests.
type files interface {
	File(name string) ([]byte, bool)
	Parts(name string) ([][]byte, bool) // File's content in the parts it was made of
	Names() []string
}

// Handler returns the handler that serves the current build and the
// reload endpoints under /_explainer/.
func (s *Server) Handler() http.Handler {
	return recovering(s.log, http.HandlerFunc(s.serveHTTP))
}

// recovering serves with h, and answers a request whose handling panics
// with 500 (unless the response has begun), logging the panic: one bad
// request does not take the connection, let alone the server, down.
func recovering(log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &startedWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			switch v {
			case nil:
				return
			case http.ErrAbortHandler: // the server's own way to abort a response
				panic(v)
			}
			log.Error("a request's handling panicked", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			if !rw.started {
				http.Error(w, "500 internal server error", http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(rw, r)
	})
}

// A startedWriter records whether the response has begun.
type startedWriter struct {
	http.ResponseWriter
	started bool
}

func (w *startedWriter) WriteHeader(code int) {
	w.started = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *startedWriter) Write(p []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(p)
}

// Unwrap gives http.ResponseController, and the WebSocket upgrade, the
// connection underneath.
func (w *startedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if !s.hosts.allowHost(r.Host) {
		s.log.Warn("refused a request for a foreign host (DNS rebinding? if the name is yours, serve with -allow-host NAME)", "host", r.Host, "path", r.URL.Path, "remote", r.RemoteAddr)
		http.Error(w, "403 forbidden: unknown host "+r.Host+" (explainer serve answers it with -allow-host NAME)", http.StatusForbidden)
		return
	}
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" && r.Header.Get("Sec-Fetch-Mode") != "navigate" {
		s.log.Warn("refused a cross-site request", "path", r.URL.Path, "remote", r.RemoteAddr)
		http.Error(w, "403 forbidden: a cross-site request", http.StatusForbidden)
		return
	}
	if why := badPath(r); why != "" {
		s.log.Debug("refused a request path", "path", r.RequestURI, "why", why, "remote", r.RemoteAddr)
		http.Error(w, "400 bad request: "+why, http.StatusBadRequest)
		return
	}
	p := r.URL.Path
	if clean := cleanPath(p); clean != p {
		redirect(w, r, clean)
		return
	}
	if p == SocketPath {
		s.serveSocket(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch {
	case p == ScriptPath:
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		http.ServeContent(w, r, "live.js", time.Time{}, strings.NewReader(liveJS))
	case strings.HasPrefix(p, "/_explainer/"):
		http.NotFound(w, r)
	default:
		s.serveSite(w, r, p)
	}
}

// serveSite serves the file at the clean URL path p from the current build.
func (s *Server) serveSite(w http.ResponseWriter, r *http.Request, p string) {
	st := s.state.Load() // once: the whole response comes from one build
	w.Header().Set("Server-Timing", `explainer;desc="`+st.build+`"`)
	if st.out == nil {
		s.serveFallback(w, r, st)
		return
	}
	name := strings.TrimPrefix(p, "/")
	if name == "" || strings.HasSuffix(name, "/") {
		name += "index.html"
	}
	if data, ok := st.out.File(name); ok {
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
		return
	}
	if !strings.HasSuffix(p, "/") {
		if _, ok := st.out.File(name + "/index.html"); ok {
			redirect(w, r, p+"/")
			return
		}
	}
	notFound, ok := st.out.File("404.html")
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		w.Write(notFound)
	}
}

// serveFallback answers any request made before the first good build.
func (s *Server) serveFallback(w http.ResponseWriter, r *http.Request, st *state) {
	var buf bytes.Buffer
	if err := s.fallback.Execute(&buf, st.problems); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusServiceUnavailable)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// badPath reports why the request's path cannot name a file of the site,
// or "" if it may. It looks at the path both as sent and as decoded, so
// that no encoding can smuggle in a separator or a parent reference.
func badPath(r *http.Request) string {
	raw := strings.ToLower(r.URL.EscapedPath())
	for _, enc := range []struct{ code, what string }{
		{"%2e", "encoded dot"},
		{"%2f", "encoded slash"},
		{"%5c", "encoded backslash"},
		{"%00", "encoded NUL"},
		{"%25", "double encoding"},
	} {
		if strings.Contains(raw, enc.code) {
			return enc.what
		}
	}
	p := r.URL.Path
	switch {
	case !strings.HasPrefix(p, "/"):
		return "path does not start with /"
	case !utf8.ValidString(p):
		return "invalid UTF-8"
	case strings.ContainsRune(p, '\\'):
		return "backslash"
	case strings.ContainsFunc(p, func(c rune) bool { return c < 0x20 || c == 0x7f }):
		return "control character"
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == ".." {
			return "parent directory"
		}
	}
	return ""
}

// cleanPath returns p without empty or "." segments, keeping a trailing
// slash. p starts with "/" and has no ".." segment.
func cleanPath(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// redirect sends the client to the URL path p, keeping the query. p is
// clean, so it cannot start with "//" and leave the site.
func redirect(w http.ResponseWriter, r *http.Request, p string) {
	u := url.URL{Path: p, RawQuery: r.URL.RawQuery}
	http.Redirect(w, r, u.String(), http.StatusFound) // not 301: browsers would keep it after the site changes
}
