package main

// End-to-end tests of "explainer serve": each test runs the real command in
// process on 127.0.0.1:0 against a project of its own in a temporary
// directory, edits files the way editors do, and watches what the server
// serves, prints and sends over its reload socket. TestServeBrowser does
// the same with headless Chromium.
//
// Every wait polls with a generous timeout: these tests check what happens,
// never how fast.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/explainer/explainer/cmd/explainer/internal/devserver"
	"github.com/explainer/explainer/site"
	"github.com/explainer/explainer/site/sitetest"
)

// serveTimeout bounds every wait for the server to show something.
const serveTimeout = 10 * time.Second

// serveProjectFile is the project every serve test starts from.
const serveProjectFile = "../../site/testdata/build/basic.txtar"

// syncBuffer is an io.Writer that tests may read while run writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

// newServeProject writes the files of basic.txtar, without its expected
// output, into a new temporary directory and returns it.
func newServeProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, sitetest.Project(t, serveProjectFile)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A served is one "explainer serve" running in the test.
type served struct {
	dir    string // the project
	url    string // "http://127.0.0.1:PORT/", as printed
	addr   string // "127.0.0.1:PORT"
	stdout *syncBuffer
	stderr *syncBuffer
	cancel context.CancelFunc // Ctrl-C
	done   chan error         // receives what run returned
	client *http.Client
}

// servingLine is everything serve may print on stdout: bound to loopback
// (as startServe binds it, or to localhost), or to all interfaces.
var servingLine = regexp.MustCompile(`^Serving at (http://((?:127\.0\.0\.1|0\.0\.0\.0|\[::\]):[1-9][0-9]*)/)\n$`)

// startServe runs "explainer serve -src dir -addr 127.0.0.1:0" with the
// extra flags (a later -addr replaces the first), waits for it to be
// ready and stops it when the test ends.
func startServe(t *testing.T, dir string, extra ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{
		dir:    dir,
		stdout: &syncBuffer{},
		stderr: &syncBuffer{},
		cancel: cancel,
		done:   make(chan error, 1),
	}
	args := append([]string{"serve", "-src", dir, "-addr", "127.0.0.1:0"}, extra...)
	go func() { s.done <- run(ctx, args, s.stdout, s.stderr) }()

	deadline := time.After(serveTimeout)
	for !strings.Contains(s.stdout.String(), "\n") {
		select {
		case err := <-s.done:
			cancel()
			t.Fatalf("serve returned %v before it was ready\nstdout:\n%s\nstderr:\n%s", err, s.stdout, s.stderr)
		case <-deadline:
			cancel()
			t.Fatalf("serve printed no line on stdout within %v\nstderr:\n%s", serveTimeout, s.stderr)
		case <-time.After(5 * time.Millisecond):
		}
	}
	m := servingLine.FindStringSubmatch(s.stdout.String())
	if m == nil {
		cancel()
		t.Fatalf("stdout %q, want exactly one line \"Serving at http://HOST:PORT/\"", s.stdout)
	}
	s.url, s.addr = m[1], m[2]
	transport := &http.Transport{DisableCompression: true}
	s.client = &http.Client{
		Timeout:   serveTimeout,
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	t.Cleanup(func() {
		transport.CloseIdleConnections()
		s.stop(t)
		if out := s.stdout.String(); !servingLine.MatchString(out) {
			t.Errorf("stdout %q, want only the Serving at line", out)
		}
	})
	return s
}

// stop cancels serve's context, as Ctrl-C does, and returns how long run
// took to return. It may be called more than once.
func (s *served) stop(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	s.cancel()
	if s.done == nil {
		return 0
	}
	select {
	case err := <-s.done:
		s.done = nil
		if err != nil {
			t.Errorf("serve returned %v after Ctrl-C, want nil\nstderr:\n%s", err, s.stderr)
		}
	case <-time.After(serveTimeout):
		t.Errorf("serve did not return within %v of Ctrl-C", serveTimeout)
	}
	return time.Since(start)
}

// path returns the file name of the slash path rel in the project.
func (s *served) path(rel string) string {
	return filepath.Join(s.dir, filepath.FromSlash(rel))
}

// get fetches the URL path p.
func (s *served) get(t *testing.T, p string) (status int, body string) {
	t.Helper()
	resp, err := s.client.Get(strings.TrimSuffix(s.url, "/") + p)
	if err != nil {
		t.Fatalf("GET %s: %v", p, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", p, err)
	}
	return resp.StatusCode, string(b)
}

// mustGet fetches p, which must answer 200, and returns its body.
func (s *served) mustGet(t *testing.T, p string) string {
	t.Helper()
	status, body := s.get(t, p)
	if status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200\n%s", p, status, body)
	}
	return body
}

// waitUntil polls cond until it returns "" (done) or the timeout passes; a
// non-empty result says what is still missing.
func waitUntil(t *testing.T, what string, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(serveTimeout)
	for {
		missing := cond()
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s: %s", serveTimeout, what, missing)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitPage waits until GET p answers status with a body that contains
// every string of want and none of unwanted, and returns the body.
func (s *served) waitPage(t *testing.T, p string, status int, want []string, unwanted ...string) string {
	t.Helper()
	var body string
	waitUntil(t, "GET "+p, func() string {
		var got int
		got, body = s.get(t, p)
		if got != status {
			return fmt.Sprintf("status %d, want %d", got, status)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				return fmt.Sprintf("the page lacks %q", w)
			}
		}
		for _, u := range unwanted {
			if strings.Contains(body, u) {
				return fmt.Sprintf("the page still has %q", u)
			}
		}
		return ""
	})
	return body
}

// waitLog waits until what serve printed on stderr after its first since
// bytes has a line matching re, and returns the first such line.
func (s *served) waitLog(t *testing.T, since int, re *regexp.Regexp) string {
	t.Helper()
	var line string
	waitUntil(t, "a line matching "+re.String()+" on stderr", func() string {
		for l := range strings.Lines(s.stderr.String()[since:]) {
			if l = strings.TrimSuffix(l, "\n"); re.MatchString(l) {
				line = l
				return ""
			}
		}
		return "stderr since the edit:\n" + s.stderr.String()[since:]
	})
	return line
}

// waitCleanBuild waits until every file of a clean build of the project,
// as it is now, is served byte for byte: what serve rebuilt from the
// changes it saw is what a fresh build of the same files gives.
func (s *served) waitCleanBuild(t *testing.T) {
	t.Helper()
	out, err := site.Build(context.Background(), os.DirFS(s.dir), site.Options{LiveReload: devserver.ScriptPath})
	if err != nil {
		t.Fatalf("a clean build of the project: %v", err)
	}
	waitUntil(t, "the served site to match a clean build", func() string {
		for _, name := range out.Names() {
			want, _ := out.File(name)
			status, got := s.get(t, "/"+name)
			if status != http.StatusOK || got != string(want) {
				return fmt.Sprintf("GET /%s: status %d and %d bytes, want 200 and the %d bytes of a clean build", name, status, len(got), len(want))
			}
		}
		return ""
	})
}

// rebuiltLine matches serve's summary of a successful rebuild.
var rebuiltLine = regexp.MustCompile(`^rebuilt in \S+ after (.+): (\d+) pages? changed(?: \(the edited page was shown after \S+\))?$`)

// problemLine is the shape of every problem on stderr.
var problemLine = regexp.MustCompile(`^[^:\s]+:[0-9]+:[0-9]+: \S.*$`)

// writeAtomically saves data to the file name as editors such as
// gedit, JetBrains IDEs and many others do: into a new hidden file in the
// same directory, then renamed over the old one.
func writeAtomically(t *testing.T, name, data string) {
	t.Helper()
	f, err := os.CreateTemp(filepath.Dir(name), ".goutputstream-*")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
		t.Fatal(err)
	}
}

// writeInPlace saves data to the file name as VS Code does: it truncates
// the file, then writes the new content into it.
func writeInPlace(t *testing.T, name, data string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	err = f.Truncate(0)
	if err == nil {
		_, err = f.WriteString(data)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

// readFile returns the content of the file name.
func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// replaceIn returns s with old replaced by new, failing if old is absent.
func replaceIn(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("%q not found in:\n%s", old, s)
	}
	return strings.Replace(s, old, new, 1)
}

// A socketMessage is a message of the reload protocol (see the devserver
// package doc).
type socketMessage struct {
	Type     string   `json:"type"`
	Build    string   `json:"build"`
	Pages    []string `json:"pages"`
	Styles   []string `json:"styles"`
	Assets   []string `json:"assets"`
	Problems []string `json:"problems"`
}

// A socket is a minimal WebSocket client of the reload socket.
type socket struct {
	conn net.Conn
	msgs chan socketMessage // closed when the connection ends
	done chan struct{}      // closed when the test ends

	wmu sync.Mutex // serializes writes of pongs and the close frame

	mu  sync.Mutex
	err error // why the connection ended, once msgs is closed
}

// handshake opens a connection to the reload socket of s with the given
// Host and Origin headers (none when origin is "") and returns the
// server's response; with a 101, the connection and its reader.
func (s *served) handshake(t *testing.T, host, origin string) (*http.Response, net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", s.addr, serveTimeout)
	if err != nil {
		t.Fatal(err)
	}
	var raw [16]byte
	rand.Read(raw[:])
	key := base64.StdEncoding.EncodeToString(raw[:])
	req := "GET /_explainer/socket HTTP/1.1\r\n" +
		"Host: " + host + "\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\n" +
		"Sec-WebSocket-Version: 13\r\n"
	if origin != "" {
		req += "Origin: " + origin + "\r\n"
	}
	req += "\r\n"
	conn.SetDeadline(time.Now().Add(serveTimeout))
	if _, err := io.WriteString(conn, req); err != nil {
		conn.Close()
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		conn.Close()
		t.Fatalf("reading the handshake response: %v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		resp.Body.Close()
		conn.Close()
		return resp, nil, nil
	}
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if got, want := resp.Header.Get("Sec-WebSocket-Accept"), base64.StdEncoding.EncodeToString(sum[:]); got != want {
		conn.Close()
		t.Fatalf("Sec-WebSocket-Accept %q, want %q", got, want)
	}
	conn.SetDeadline(time.Time{})
	return resp, conn, r
}

// origin is the Origin header a page served by s sends: its URL without
// the path.
func (s *served) origin() string { return strings.TrimSuffix(s.url, "/") }

// dial connects to the reload socket as a page of the site does, waits
// for the hello and returns the socket, closed when the test ends. When
// the build is broken, the errors message follows the hello.
func (s *served) dial(t *testing.T) *socket {
	t.Helper()
	resp, conn, r := s.handshake(t, s.addr, s.origin())
	if conn == nil {
		t.Fatalf("reload socket: status %d, want 101", resp.StatusCode)
	}
	c := &socket{conn: conn, msgs: make(chan socketMessage, 64), done: make(chan struct{})}
	go c.read(r)
	t.Cleanup(func() {
		close(c.done)
		c.conn.Close()
	})
	c.next(t, "hello", func(m socketMessage) bool { return true }, func(m socketMessage) {
		if m.Type != "hello" || m.Build == "" {
			t.Fatalf("first message %+v, want a hello naming a build", m)
		}
	})
	return c
}

// read reads the server's frames until the connection ends, sending the
// text messages on c.msgs and answering pings and the closing handshake.
func (c *socket) read(r *bufio.Reader) {
	err := func() error {
		var msg []byte // a fragmented text message
		for {
			var head [2]byte
			if _, err := io.ReadFull(r, head[:]); err != nil {
				return err
			}
			fin, op := head[0]&0x80 != 0, head[0]&0x0F
			if head[0]&0x70 != 0 {
				return errors.New("a frame with reserved bits set")
			}
			if head[1]&0x80 != 0 {
				return errors.New("a masked frame from the server")
			}
			n := uint64(head[1] & 0x7F)
			switch n {
			case 126:
				var ext [2]byte
				if _, err := io.ReadFull(r, ext[:]); err != nil {
					return err
				}
				n = uint64(binary.BigEndian.Uint16(ext[:]))
			case 127:
				var ext [8]byte
				if _, err := io.ReadFull(r, ext[:]); err != nil {
					return err
				}
				n = binary.BigEndian.Uint64(ext[:])
			}
			if n > 16<<20 {
				return fmt.Errorf("a frame of %d bytes", n)
			}
			payload := make([]byte, n)
			if _, err := io.ReadFull(r, payload); err != nil {
				return err
			}
			switch op {
			case 0x1, 0x0: // text, continuation
				msg = append(msg, payload...)
				if !fin {
					continue
				}
				var m socketMessage
				if err := json.Unmarshal(msg, &m); err != nil {
					return fmt.Errorf("a text frame that is not a JSON message: %q: %v", msg, err)
				}
				msg = nil
				select {
				case c.msgs <- m:
				case <-c.done:
					return errors.New("the test ended")
				}
			case 0x8: // close: answer it, as browsers do
				c.write(0x8, payload[:min(len(payload), 2)])
				return io.EOF
			case 0x9: // ping
				c.write(0xA, payload)
			case 0xA: // pong
			default:
				return fmt.Errorf("a frame with opcode %#x", op)
			}
		}
	}()
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
	close(c.msgs)
}

// write sends a masked frame, as clients must.
func (c *socket) write(op byte, payload []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	var mask [4]byte
	rand.Read(mask[:])
	f := []byte{0x80 | op, 0x80 | byte(len(payload))}
	f = append(f, mask[:]...)
	for i, b := range payload {
		f = append(f, b^mask[i%4])
	}
	c.conn.SetWriteDeadline(time.Now().Add(serveTimeout))
	c.conn.Write(f)
}

// next waits for the first message that match accepts, skipping others,
// and passes it to check.
func (c *socket) next(t *testing.T, what string, match func(socketMessage) bool, check func(socketMessage)) socketMessage {
	t.Helper()
	var skipped []socketMessage
	timeout := time.After(serveTimeout)
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				c.mu.Lock()
				err := c.err
				c.mu.Unlock()
				t.Fatalf("the reload socket closed (%v) before %s; skipped %+v", err, what, skipped)
			}
			if !match(m) {
				skipped = append(skipped, m)
				continue
			}
			if check != nil {
				check(m)
			}
			return m
		case <-timeout:
			t.Fatalf("no %s on the reload socket within %v; got %+v", what, serveTimeout, skipped)
		}
	}
}

// reloadOf waits for a reload message listing the page p.
func (c *socket) reloadOf(t *testing.T, p string) socketMessage {
	t.Helper()
	return c.next(t, "a reload of "+p, func(m socketMessage) bool {
		return m.Type == "reload" && slices.Contains(m.Pages, p)
	}, nil)
}

// TestServeEdit saves a section as editors do and checks that the section
// page and the home page show the new text, and that open pages are told
// which pages changed.
func TestServeEdit(t *testing.T) {
	for _, save := range []struct {
		name  string
		write func(t *testing.T, name, data string)
	}{
		{"write to temp then rename", writeAtomically},
		{"truncate then write", writeInPlace},
	} {
		t.Run(save.name, func(t *testing.T) {
			s := startServe(t, newServeProject(t))
			if !regexp.MustCompile(`(?m)^built \d+ pages in \S+$`).MatchString(s.stderr.String()) {
				t.Errorf("stderr %q lacks the summary of the first build", s.stderr)
			}
			s.waitPage(t, "/sections/first-draft/", 200, []string{"The first draft set"})
			untouched := s.mustGet(t, "/documents/draft-b/hours/")
			ws := s.dial(t)

			name := s.path("content/sections/01-first-draft.md")
			mark := s.stderr.Len()
			save.write(t, name, replaceIn(t, readFile(t, name), "The first draft set", "The saved draft set"))

			s.waitPage(t, "/sections/first-draft/", 200, []string{"The saved draft set"}, "The first draft set")
			s.waitPage(t, "/", 200, []string{"The saved draft set"}, "The first draft set")
			m := ws.reloadOf(t, "/sections/first-draft/")
			if !slices.Contains(m.Pages, "/") {
				t.Errorf("reload pages %q lack the home page", m.Pages)
			}
			if slices.Contains(m.Pages, "/documents/draft-b/hours/") {
				t.Errorf("reload pages %q list /documents/draft-b/hours/, whose output did not change", m.Pages)
			}
			if got := s.mustGet(t, "/documents/draft-b/hours/"); got != untouched {
				t.Errorf("/documents/draft-b/hours/ changed")
			}
			line := s.waitLog(t, mark, rebuiltLine)
			if got := rebuiltLine.FindStringSubmatch(line)[1]; got != "content/sections/01-first-draft.md" {
				t.Errorf("rebuild line %q names %q, want only content/sections/01-first-draft.md", line, got)
			}
			if strings.Contains(s.stderr.String(), "goutputstream") {
				t.Errorf("stderr mentions the editor's temp file:\n%s", s.stderr)
			}
			s.waitCleanBuild(t)
		})
	}
}

// TestServeBrokenEdit breaks the project in three ways and checks that the
// last good build keeps being served while the problem is shown on stderr
// and to open pages, and that fixing it reloads them.
func TestServeBrokenEdit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		file   string // the file edited, in the project
		page   string // a page that the broken edit would change
		old    string // on page before
		broken func(string) string
		want   *regexp.Regexp // the problem on stderr
		bad    string         // what the broken edit would add to page
		fixed  func(string) string
		good   string // on page after the fix
	}{{
		name: "YAML",
		file: "content/documents/draft-a.yaml",
		page: "/documents/draft-a/",
		old:  "First harbour draft",
		broken: func(s string) string {
			return strings.Replace(s, "title: First harbour draft", "title: [Broken harbour draft", 1)
		},
		want: regexp.MustCompile(`^content/documents/draft-a\.yaml:2:[0-9]+: yaml: `),
		bad:  "Broken harbour draft",
		fixed: func(s string) string {
			return strings.Replace(s, "title: First harbour draft", "title: Mended harbour draft", 1)
		},
		good: "Mended harbour draft",
	}, {
		name:   "template",
		file:   "templates/clause.tmpl", // templates/ does not exist yet
		page:   "/documents/draft-a/2/",
		old:    "Mooring fee",
		broken: func(string) string { return "{{define \"main\"}}\n<p>Broken point: {{.Nope}}</p>\n{{end}}\n" },
		want:   regexp.MustCompile(`^templates/clause\.tmpl:2:[0-9]+: .*Nope`),
		bad:    "Broken point",
		fixed: func(string) string {
			return "{{define \"main\"}}\n<p>Custom point: {{.Clause.Title}}</p>\n{{end}}\n"
		},
		good: "Custom point: Mooring fee",
	}, {
		name: "cross-reference",
		file: "content/sections/01-first-draft.md",
		page: "/sections/first-draft/",
		old:  "The first draft set",
		// The same length as before, so the link stays at column 31.
		broken: func(s string) string {
			return strings.Replace(s, "The first draft set [the fee](clause:draft-a/2)", "The wrong draft set [the fee](clause:draft-a/9)", 1)
		},
		want:  regexp.MustCompile(`^content/sections/01-first-draft\.md:7:31: unknown clause "draft-a/9"`),
		bad:   "The wrong draft set",
		fixed: func(s string) string { return strings.Replace(s, "The first draft set", "The mended draft set", 1) },
		good:  "The mended draft set",
	}, {
		name: "front matter",
		file: "content/sections/01-first-draft.md",
		page: "/sections/first-draft/",
		old:  "What was in the first draft?",
		broken: func(s string) string {
			return strings.Replace(s, "title: What was in the first draft?", "title: [What was broken?", 1)
		},
		want: regexp.MustCompile(`^content/sections/01-first-draft\.md:2:[0-9]+: yaml: `),
		bad:  "What was broken?",
		fixed: func(s string) string {
			return strings.Replace(s, "title: What was in the first draft?", "title: What was mended?", 1)
		},
		good: "What was mended?",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServe(t, newServeProject(t))
			s.waitPage(t, tc.page, 200, []string{tc.old})
			home := s.mustGet(t, "/")
			ws := s.dial(t)

			name := s.path(tc.file)
			orig := ""
			if b, err := os.ReadFile(name); err == nil {
				orig = string(b)
			} else if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Fatal(err)
			}
			broken, fixed := tc.broken(orig), tc.fixed(orig)
			if broken == orig || fixed == orig {
				t.Fatalf("the edits of %s change nothing", tc.file)
			}
			mark := s.stderr.Len()
			writeAtomically(t, name, broken)

			problem := s.waitLog(t, mark, tc.want)
			if !problemLine.MatchString(problem) {
				t.Errorf("problem %q is not PATH:LINE:COL: message", problem)
			}
			s.waitLog(t, mark, regexp.MustCompile(`^build failed: 1 error; still serving the last good build$`))
			ws.next(t, "the errors", func(m socketMessage) bool { return m.Type == "errors" }, func(m socketMessage) {
				if !slices.Contains(m.Problems, problem) {
					t.Errorf("errors message %q lacks %q", m.Problems, problem)
				}
			})
			// The last good build is still served, whole.
			s.waitPage(t, tc.page, 200, []string{tc.old}, tc.bad)
			if got := s.mustGet(t, "/"); got != home {
				t.Errorf("the home page changed while the build is broken")
			}
			// A page opened while the build is broken learns it at once.
			late := s.dial(t)
			late.next(t, "the errors after hello", func(socketMessage) bool { return true }, func(m socketMessage) {
				if m.Type != "errors" || !slices.Contains(m.Problems, problem) {
					t.Errorf("second message on a socket opened while broken: %+v, want the errors with %q", m, problem)
				}
			})

			mark = s.stderr.Len()
			writeAtomically(t, name, fixed)
			for _, c := range []*socket{ws, late} {
				c.next(t, "a reload or ok", func(m socketMessage) bool { return m.Type == "reload" || m.Type == "ok" }, nil)
			}
			s.waitPage(t, tc.page, 200, []string{tc.good}, tc.bad)
			s.waitLog(t, mark, rebuiltLine)
			s.waitCleanBuild(t)
		})
	}
}

// TestServeTemplateParseError checks that a template that does not parse
// is reported like other problems and that the site keeps being served.
func TestServeTemplateParseError(t *testing.T) {
	s := startServe(t, newServeProject(t))
	ws := s.dial(t)
	if err := os.MkdirAll(s.path("templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	mark := s.stderr.Len()
	writeAtomically(t, s.path("templates/clause.tmpl"), "{{define \"main\"}}\n<p>{{.Clause.Title</p>\n{{end}}\n")
	// html/template reports no column for parse errors, so this asks only
	// for the file and line.
	problem := s.waitLog(t, mark, regexp.MustCompile(`^templates/clause\.tmpl:2:`))
	ws.next(t, "the errors", func(m socketMessage) bool { return m.Type == "errors" }, func(m socketMessage) {
		if !slices.Contains(m.Problems, problem) {
			t.Errorf("errors message %q lacks %q", m.Problems, problem)
		}
	})
	s.waitPage(t, "/documents/draft-a/2/", 200, []string{"Mooring fee"})

	// Removing the file brings back the embedded template: the same site
	// as before the edit, so nothing reloads.
	if err := os.Remove(s.path("templates/clause.tmpl")); err != nil {
		t.Fatal(err)
	}
	ws.next(t, "ok", func(m socketMessage) bool { return m.Type == "ok" || m.Type == "reload" }, func(m socketMessage) {
		if m.Type != "ok" {
			t.Errorf("after the fix: %+v, want ok: the site is the same as before the edit", m)
		}
	})
}

// TestServeNewAndDeletedFiles adds a file in new folders and a section,
// then deletes the section.
func TestServeNewAndDeletedFiles(t *testing.T) {
	s := startServe(t, newServeProject(t))
	ws := s.dial(t)

	const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><circle cx=".5" cy=".5" r=".5"/></svg>` + "\n"
	if status, _ := s.get(t, "/img/dot.svg"); status != http.StatusNotFound {
		t.Fatalf("GET /img/dot.svg before it exists: status %d, want 404", status)
	}
	if err := os.MkdirAll(s.path("static/img"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path("static/img/dot.svg"), []byte(svg), 0o644); err != nil {
		t.Fatal(err)
	}
	s.waitPage(t, "/img/dot.svg", 200, []string{svg})
	if body := s.mustGet(t, "/img/dot.svg"); body != svg {
		t.Errorf("GET /img/dot.svg = %q, want %q", body, svg)
	}
	ws.next(t, "a reload naming /img/dot.svg", func(m socketMessage) bool {
		return m.Type == "reload" && slices.Contains(m.Assets, "/img/dot.svg")
	}, nil)

	const title = "Is there a new question?"
	section := "---\ntitle: " + title + "\nsources: [gazette]\n---\nA brand new answer.\n"
	s.waitPage(t, "/sections/new/", 404, nil)
	writeAtomically(t, s.path("content/sections/03-new.md"), section)
	s.waitPage(t, "/sections/new/", 200, []string{title, "A brand new answer."})
	s.waitPage(t, "/", 200, []string{title, `id="new"`, "A brand new answer."})
	m := ws.reloadOf(t, "/sections/new/")
	if !slices.Contains(m.Pages, "/") {
		t.Errorf("reload pages %q lack the home page", m.Pages)
	}

	if err := os.Remove(s.path("content/sections/03-new.md")); err != nil {
		t.Fatal(err)
	}
	s.waitPage(t, "/sections/new/", 404, []string{"Page not found"})
	s.waitPage(t, "/", 200, []string{"What happens next?"}, title, `id="new"`)
	m = ws.reloadOf(t, "/sections/new/")
	if !slices.Contains(m.Pages, "/") {
		t.Errorf("reload pages %q lack the home page", m.Pages)
	}
	// The image is still there.
	if body := s.mustGet(t, "/img/dot.svg"); body != svg {
		t.Errorf("GET /img/dot.svg = %q after deleting a section, want %q", body, svg)
	}

	// A folder renamed takes its files along; one removed, its files.
	if err := os.Rename(s.path("static/img"), s.path("static/pics")); err != nil {
		t.Fatal(err)
	}
	s.waitPage(t, "/pics/dot.svg", 200, []string{svg})
	s.waitPage(t, "/img/dot.svg", 404, nil)
	if err := os.RemoveAll(s.path("static/pics")); err != nil {
		t.Fatal(err)
	}
	s.waitPage(t, "/pics/dot.svg", 404, nil)
	// And a folder created again where one was removed is watched again.
	if err := os.MkdirAll(s.path("static/pics"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path("static/pics/dot.svg"), []byte(svg), 0o644); err != nil {
		t.Fatal(err)
	}
	s.waitPage(t, "/pics/dot.svg", 200, []string{svg})
	writeAtomically(t, s.path("static/pics/dot.svg"), strings.Replace(svg, `r=".5"`, `r=".4"`, 1))
	s.waitPage(t, "/pics/dot.svg", 200, []string{`r=".4"`})
	s.waitCleanBuild(t)
}

// cssVersion matches the cache-busting query of a stylesheet link.
var cssVersion = regexp.MustCompile(`\?v=[0-9a-fA-F]+"`)

// TestServeStylesheet overrides the embedded stylesheet and checks that
// open pages are told to swap it, not to reload.
func TestServeStylesheet(t *testing.T) {
	s := startServe(t, newServeProject(t))
	before := s.mustGet(t, "/sections/first-draft/")
	if !cssVersion.MatchString(before) {
		t.Fatalf("the page links no versioned stylesheet:\n%s", before)
	}
	ws := s.dial(t)

	const css = "/* the project's own */\nbody { color: rgb(1, 2, 3); }\n"
	if err := os.MkdirAll(s.path("static/css"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeAtomically(t, s.path("static/css/site.css"), css)
	m := ws.next(t, "a reload naming /css/site.css in styles", func(m socketMessage) bool {
		return m.Type == "reload" && slices.Contains(m.Styles, "/css/site.css")
	}, nil)
	if len(m.Pages) > 0 {
		t.Errorf("reload pages %q, want none: only the stylesheet's ?v= changed on them", m.Pages)
	}
	s.waitPage(t, "/css/site.css", 200, []string{css})
	after := s.mustGet(t, "/sections/first-draft/")
	if after == before {
		t.Errorf("the page is the same: its stylesheet link kept its old ?v=")
	}
	if a, b := cssVersion.ReplaceAllString(before, `"`), cssVersion.ReplaceAllString(after, `"`); a != b {
		t.Errorf("the page changed beyond the stylesheet's ?v=:\nbefore:\n%s\nafter:\n%s", a, b)
	}
	s.waitCleanBuild(t)
}

// TestServeIgnoresEditorTempFiles checks that editors' temporary files do
// not cause rebuilds by themselves.
func TestServeIgnoresEditorTempFiles(t *testing.T) {
	s := startServe(t, newServeProject(t))
	ws := s.dial(t)
	dir := s.path("content/sections")
	mark := s.stderr.Len()
	temps := []string{".#01-first-draft.md", "01-first-draft.md~", "4913"}
	for _, name := range temps {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("---\ntitle: [\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(dir, "4913")); err != nil { // vim's probe goes at once
		t.Fatal(err)
	}
	// Asserting that nothing happens takes a wait.
	time.Sleep(time.Second)
	if got := s.stderr.String()[mark:]; strings.Contains(got, "rebuilt") || strings.Contains(got, "build failed") {
		t.Errorf("editor temp files caused a rebuild:\n%s", got)
	}
	select {
	case m := <-ws.msgs:
		t.Errorf("editor temp files sent %+v to open pages", m)
	default:
	}

	// The real save that follows is picked up, alone.
	name := s.path("content/sections/01-first-draft.md")
	writeInPlace(t, name, replaceIn(t, readFile(t, name), "The first draft set", "The real draft set"))
	line := s.waitLog(t, mark, rebuiltLine)
	if got := rebuiltLine.FindStringSubmatch(line)[1]; got != "content/sections/01-first-draft.md" {
		t.Errorf("rebuild line %q names %q, want only content/sections/01-first-draft.md", line, got)
	}
	// An edit of a section's body is shown before the rebuild ends.
	if !strings.Contains(line, "(the edited page was shown after ") {
		t.Errorf("rebuild line %q: the edit of a section body was not previewed", line)
	}
	s.waitPage(t, "/sections/first-draft/", 200, []string{"The real draft set"})
}

// TestServeForeignHost checks the defences against DNS rebinding.
func TestServeForeignHost(t *testing.T) {
	s := startServe(t, newServeProject(t))
	_, port, _ := net.SplitHostPort(s.addr)
	s.checkHosts(t, s.url, map[string]int{
		s.addr:                     200,
		"localhost:" + port:        200,
		"evil.example:" + port:     403,
		"evil.example":             403,
		"127.0.0.1.nip.io:" + port: 403,
	})
	for _, tc := range []struct {
		host, origin string
		want         int
	}{
		{s.addr, s.origin(), 101},
		{s.addr, "", 101}, // not a browser
		{s.addr, "http://evil.example", 403},
		{s.addr, "http://evil.example:" + port, 403},
		{"evil.example:" + port, "http://evil.example:" + port, 403},
	} {
		resp, conn, _ := s.handshake(t, tc.host, tc.origin)
		if conn != nil {
			conn.Close()
		}
		if resp.StatusCode != tc.want {
			t.Errorf("reload socket with Host %q and Origin %q: status %d, want %d", tc.host, tc.origin, resp.StatusCode, tc.want)
		}
	}
}

// TestServeUsage checks that bad flag values are usage errors.
func TestServeUsage(t *testing.T) {
	dir := newServeProject(t)
	for _, args := range [][]string{
		{"-addr", "nonsense"},
		{"-addr", "127.0.0.1"},
		{"-addr", "127.0.0.1:0:0"},
		{"-addr", "127.0.0.1:99999"},
		{"-addr", "127.0.0.1:http"},
		{"-poll", "soon"},
		{"-poll", "-1s"},
		{"-allow-host", ""},
		{"-allow-host", "*.example"},
		{"-allow-host", "host:80"},
		{"-nosuchflag"},
		{"extra"},
	} {
		args := append([]string{"serve", "-src", dir}, args...)
		ctx, cancel := context.WithTimeout(context.Background(), serveTimeout)
		var stdout, stderr syncBuffer
		err := run(ctx, args, &stdout, &stderr)
		cancel()
		if code := exitCode(err); code != 2 {
			t.Errorf("%q: exit status %d (%v), want 2\nstderr:\n%s", args, code, err, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("%q: stdout %q, want nothing", args, stdout.String())
		}
		if !strings.Contains(stderr.String(), "usage: explainer serve") {
			t.Errorf("%q: stderr lacks the usage:\n%s", args, stderr.String())
		}
	}
}

// TestServePoll checks that -poll picks up edits without file system
// events.
func TestServePoll(t *testing.T) {
	s := startServe(t, newServeProject(t), "-poll", "200ms")
	ws := s.dial(t)
	name := s.path("content/sections/01-first-draft.md")
	writeAtomically(t, name, replaceIn(t, readFile(t, name), "The first draft set", "The polled draft set"))
	s.waitPage(t, "/sections/first-draft/", 200, []string{"The polled draft set"})
	ws.reloadOf(t, "/sections/first-draft/")

	// A new file in a new folder too.
	if err := os.MkdirAll(s.path("static/img"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.path("static/img/dot.svg"), []byte("<svg/>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.waitPage(t, "/img/dot.svg", 200, []string{"<svg/>"})
	s.waitCleanBuild(t)
}

// TestServeInterrupt checks that Ctrl-C stops serve cleanly: run returns
// nil, open reload sockets are closed and the port is free.
func TestServeInterrupt(t *testing.T) {
	s := startServe(t, newServeProject(t))
	ws := s.dial(t)
	s.mustGet(t, "/") // leaves an idle keep-alive connection

	d := s.stop(t)
	// Not a timing: a guard against a serve that hangs on its open
	// connections (it gives them 2 s).
	if d > 30*time.Second {
		t.Errorf("serve took %v to return after Ctrl-C", d)
	}
	t.Logf("Ctrl-C to return: %v", d)
	if !strings.HasSuffix(s.stderr.String(), "stopped\n") {
		t.Errorf("stderr does not end with \"stopped\":\n%s", s.stderr)
	}
	if conn, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after serve returned", s.addr)
	}
	// The reload socket is closed too.
	timeout := time.After(serveTimeout)
	for open := true; open; {
		select {
		case _, open = <-ws.msgs:
		case <-timeout:
			t.Fatalf("the reload socket is still open %v after serve returned", serveTimeout)
		}
	}
}

// browserEval evaluates the JavaScript expression js in the tab.
func browserEval[T any](t *testing.T, tab context.Context, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, serveTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// browserWait waits until the JavaScript expression js is true in the
// tab, through any reloads.
func browserWait(t *testing.T, tab context.Context, what, js string) {
	t.Helper()
	var last error
	waitUntil(t, what, func() string {
		ctx, cancel := context.WithTimeout(tab, 2*time.Second)
		defer cancel()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+js+")"))
		if err != nil {
			last = err
		}
		if err == nil && ok {
			return ""
		}
		return fmt.Sprintf("%s is false (last error: %v)", js, last)
	})
}

// TestServeBrowser drives serve with headless Chromium: a save shows up in
// the open page without navigating or moving its scroll position; a broken
// document shows its problem over the page until it is fixed.
func TestServeBrowser(t *testing.T) {
	tab := sitetest.Browser(t)
	dir := newServeProject(t)
	section := filepath.Join(dir, "content/sections/01-first-draft.md")
	long := readFile(t, section)
	for i := range 60 {
		long += fmt.Sprintf("\nParagraph %d makes the page long enough to scroll: the harbour, the boats, the fees and the lights.\n", i+1)
	}
	if err := os.WriteFile(section, []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, dir)

	ctx, cancel := context.WithTimeout(tab, serveTimeout)
	err := chromedp.Do(ctx, chromedp.Navigate(s.url+"sections/first-draft/"))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	browserWait(t, tab, "the page", `document.readyState === 'complete' && document.body.innerText.includes('Paragraph 60')`)
	// A save before the page's live connection is open reaches it as a
	// newer build in the server's hello, which rightly reloads the page.
	browserWait(t, tab, "the live connection", `window.__explainerLive === 'connected'`)
	// window.marker would go if the page reloaded: the edit is put in
	// place without navigating, and the scroll position stays.
	if y := browserEval[float64](t, tab, `window.marker = 1; scrollTo(0, 600); scrollY`); y != 600 {
		t.Fatalf("scrolled to %v, want 600: the page is too short", y)
	}

	start := time.Now()
	writeAtomically(t, section, replaceIn(t, long, "The first draft set", "The freshly saved draft set"))
	browserWait(t, tab, "the page to show the edit", `document.body.innerText.includes('The freshly saved draft set')`)
	t.Logf("save to updated page: %v", time.Since(start))
	if m := browserEval[int](t, tab, `window.marker || 0`); m != 1 {
		t.Errorf("the page reloaded; want the edit put in place")
	}
	if y := browserEval[float64](t, tab, `scrollY`); y != 600 {
		t.Errorf("scrollY %v after the edit, want 600", y)
	}
	if u := browserEval[string](t, tab, `location.href`); u != s.url+"sections/first-draft/" {
		t.Errorf("the tab is at %s, want %ssections/first-draft/", u, s.url)
	}

	browserEval[int](t, tab, `window.marker = 2`)
	doc := filepath.Join(dir, "content/documents/draft-a.yaml")
	good := readFile(t, doc)
	mark := s.stderr.Len()
	writeAtomically(t, doc, replaceIn(t, good, "title: First harbour draft", "title: [First harbour draft"))
	problem := s.waitLog(t, mark, regexp.MustCompile(`^content/documents/draft-a\.yaml:[0-9]+:[0-9]+: `))
	js, _ := json.Marshal(problem)
	browserWait(t, tab, "the error overlay with "+problem, `(() => {
		const e = document.getElementById('explainer-errors');
		if (!e || !e.shadowRoot || !e.shadowRoot.textContent.includes(`+string(js)+`)) return false;
		const r = e.getBoundingClientRect();
		return r.width > 0 && r.height > 0 && getComputedStyle(e).display !== 'none' &&
			getComputedStyle(e).visibility !== 'hidden' && document.elementFromPoint(r.x + 5, r.y + 5) === e;
	})()`)
	if !browserEval[bool](t, tab, `document.body.innerText.includes('The freshly saved draft set')`) {
		t.Errorf("the page under the overlay lost its content")
	}

	writeAtomically(t, doc, good)
	browserWait(t, tab, "the overlay to go", `!document.getElementById('explainer-errors')`)
	if m := browserEval[int](t, tab, `window.marker || 0`); m != 2 {
		t.Errorf("the page reloaded when the fix restored the previous build; want only the overlay removed")
	}
	if y := browserEval[float64](t, tab, `scrollY`); y < 597 || y > 603 {
		t.Errorf("scrollY %v after the overlay came and went, want 600", y)
	}
}

// TestServeEditsWhileBroken edits other files while the build is broken:
// once it is fixed, the site has every edit, as a clean build has.
func TestServeEditsWhileBroken(t *testing.T) {
	for _, mode := range []struct {
		name  string
		flags []string
	}{{"events", nil}, {"poll", []string{"-poll", "100ms"}}} {
		t.Run(mode.name, func(t *testing.T) {
			s := startServe(t, newServeProject(t), mode.flags...)
			ws := s.dial(t)
			doc := s.path("content/documents/draft-a.yaml")
			good := readFile(t, doc)
			writeAtomically(t, doc, replaceIn(t, good, "title: First harbour draft", "title: [First harbour draft"))
			ws.next(t, "the errors", func(m socketMessage) bool { return m.Type == "errors" }, nil)

			// While broken: edit a section, add one, delete one, add a
			// stylesheet.
			mark := s.stderr.Len()
			section := s.path("content/sections/01-first-draft.md")
			writeInPlace(t, section, replaceIn(t, readFile(t, section), "The first draft set", "The quietly edited draft set"))
			writeAtomically(t, s.path("content/sections/03-later.md"), "---\ntitle: What came later?\nsources: [gazette]\n---\nLater news.\n")
			if err := os.Remove(s.path("content/sections/02-next.md")); err != nil {
				t.Fatal(err)
			}
			// 02-next.md was linked from 01-first-draft.md: fix that too.
			writeInPlace(t, section, replaceIn(t, readFile(t, section), "See also [](section:next)", "See also [](section:later)"))
			if err := os.MkdirAll(s.path("static/css"), 0o755); err != nil {
				t.Fatal(err)
			}
			writeAtomically(t, s.path("static/css/site.css"), "body { color: rgb(7, 8, 9); }\n")
			// They make more failed builds, with the same problem.
			s.waitLog(t, mark, regexp.MustCompile(`^build failed: 1 error; still serving the last good build$`))
			s.waitPage(t, "/sections/first-draft/", 200, []string{"The first draft set"}, "quietly")

			writeAtomically(t, doc, strings.Replace(good, "title: First harbour draft", "title: Mended harbour draft", 1))
			ws.next(t, "a reload", func(m socketMessage) bool { return m.Type == "reload" }, nil)
			s.waitPage(t, "/sections/first-draft/", 200, []string{"The quietly edited draft set", "What came later?"})
			s.waitPage(t, "/sections/later/", 200, []string{"Later news."})
			s.waitPage(t, "/sections/next/", 404, nil)
			s.waitPage(t, "/css/site.css", 200, []string{"rgb(7, 8, 9)"})
			s.waitPage(t, "/documents/draft-a/", 200, []string{"Mended harbour draft"})
			s.waitCleanBuild(t)
		})
	}
}

// TestServeHostName checks that a server bound by name answers to that
// name: "localhost" here, the one name every machine resolves.
func TestServeHostName(t *testing.T) {
	s := startServe(t, newServeProject(t), "-addr", "localhost:0")
	_, port, _ := net.SplitHostPort(s.addr)
	req, _ := http.NewRequest("GET", s.url, nil)
	req.Host = "localhost:" + port
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET with Host %s: status %d, want 200", req.Host, resp.StatusCode)
	}
}

// TestServeWarnings checks that serve prints the warnings of its first
// build, as build does, and after a rebuild only those of the files that
// changed.
func TestServeWarnings(t *testing.T) {
	dir := newServeProject(t)
	unsourced := filepath.Join(dir, "content/sections/03-unsourced.md")
	if err := os.WriteFile(unsourced, []byte("---\ntitle: Unsourced?\nsources: [gazette]\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), serveTimeout)
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "-src", dir, "-addr", "127.0.0.1:0"}, &stdout, &stderr) }()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(serveTimeout); !cond(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s; stderr:\n%s", what, stderr.String())
			}
		}
	}
	const warning = `content/sections/03-unsourced.md:1:1: warning: section "unsourced" has no body`
	warnings := func() int { return strings.Count(stderr.String(), warning) }
	rebuilds := func() int { return strings.Count(stderr.String(), "rebuilt in") }
	waitFor("the server", func() bool { return strings.Contains(stdout.String(), "Serving at") })
	if warnings() != 1 {
		t.Errorf("after the first build, stderr has the warning %d times, want once:\n%s", warnings(), stderr.String())
	}

	writeAtomically(t, filepath.Join(dir, "content/sections/01-first-draft.md"), "---\ntitle: Edited?\nsources: [gazette]\n---\nEdited.\n")
	waitFor("a rebuild", func() bool { return rebuilds() == 1 })
	if warnings() != 1 {
		t.Errorf("a rebuild after editing another file repeated the warning:\n%s", stderr.String())
	}
	writeAtomically(t, unsourced, "---\ntitle: Still unsourced?\nsources: [gazette]\n---\n")
	waitFor("a second rebuild", func() bool { return rebuilds() == 2 })
	if warnings() != 2 {
		t.Errorf("a rebuild after editing the file with the warning did not print it:\n%s", stderr.String())
	}
	cancel()
	<-done
}

// TestServeFIFO: a named pipe saved into content/ is an error naming it,
// the last good site stays served, and edits go on being built once the
// pipe is gone (serve used to block on it for ever, deaf to Ctrl-C).
func TestServeFIFO(t *testing.T) {
	s := startServe(t, newServeProject(t))
	since := s.stderr.Len()
	if err := syscall.Mkfifo(s.path("content/sections/03-pipe.md"), 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	s.waitLog(t, since, regexp.MustCompile(`^content/sections/03-pipe\.md:1:1: cannot read: a named pipe`))
	s.waitPage(t, "/", 200, []string{"What happens next?"})
	if err := os.Remove(s.path("content/sections/03-pipe.md")); err != nil {
		t.Fatal(err)
	}
	const title = "Is the pipe gone?"
	writeAtomically(t, s.path("content/sections/03-new.md"), "---\ntitle: "+title+"\nsources: [gazette]\n---\nIt is.\n")
	s.waitPage(t, "/sections/new/", 200, []string{title})
}

// TestServeAllInterfaces: bound to all interfaces, serve warns and lists
// where it is reachable, and still refuses host names it was not given
// (a DNS rebinding request reaches it with the attacker's name), while IP
// addresses, localhost and -allow-host names are answered.
func TestServeAllInterfaces(t *testing.T) {
	s := startServe(t, newServeProject(t), "-addr", "0.0.0.0:0", "-allow-host", "preview.example")
	_, port, _ := net.SplitHostPort(s.addr)
	if w := s.stderr.String(); !strings.Contains(w, "warning: serving on all interfaces") || !strings.Contains(w, "http://127.0.0.1:"+port+"/") || !strings.Contains(w, "-allow-host") {
		t.Errorf("the warning does not list the loopback address and name -allow-host:\n%s", w)
	}
	s.checkHosts(t, "http://127.0.0.1:"+port+"/", map[string]int{
		"127.0.0.1:" + port:        200,
		"localhost:" + port:        200,
		"preview.example:" + port:  200,
		"evil.example:" + port:     403,
		"127.0.0.1.nip.io:" + port: 403,
	})
}

// checkHosts asks for url with each Host header of want and checks the
// status of the answer.
func (s *served) checkHosts(t *testing.T, url string, want map[string]int) {
	t.Helper()
	for host, status := range want {
		req, err := http.NewRequest("GET", url, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := s.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Errorf("GET %s with Host %q: status %d, want %d", url, host, resp.StatusCode, status)
		}
	}
}

// TestServePortInUse: serve on a port that is taken fails with a clear
// message, binding nothing else.
func TestServePortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var stdout, stderr syncBuffer
	err = run(context.Background(), []string{"serve", "-src", newServeProject(t), "-addr", ln.Addr().String()}, &stdout, &stderr)
	if exitCode(err) == 0 || !strings.Contains(err.Error()+stderr.String(), "address already in use") || stdout.String() != "" {
		t.Errorf("serve on a taken port: %v, exit %d, stdout %q, stderr %q", err, exitCode(err), stdout.String(), stderr.String())
	}
}

// TestServeContentRemoved: removing content/ while serving is an error
// that keeps the last good site served; putting it back builds again.
func TestServeContentRemoved(t *testing.T) {
	s := startServe(t, newServeProject(t))
	s.waitPage(t, "/", 200, []string{"What happens next?"})
	saved := filepath.Join(t.TempDir(), "content")
	since := s.stderr.Len()
	if err := os.Rename(s.path("content"), saved); err != nil {
		t.Fatal(err)
	}
	s.waitLog(t, since, regexp.MustCompile(`^content(/_index\.md)?:.*missing`))
	s.waitPage(t, "/", 200, []string{"What happens next?"})
	if err := os.Rename(saved, s.path("content")); err != nil {
		t.Fatal(err)
	}
	s.waitCleanBuild(t)
}

// TestServeDefaultAddress: with no -addr, serve listens on 127.0.0.1:8000
// alone, and says so; another address of this machine gets no answer.
func TestServeDefaultAddress(t *testing.T) {
	if ln, err := net.Listen("tcp", "127.0.0.1:8000"); err != nil {
		t.Skip("port 8000 is taken:", err)
	} else {
		ln.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), serveTimeout)
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "-src", newServeProject(t)}, &stdout, &stderr) }()
	waitUntil(t, "serve to start", func() string {
		if stdout.String() != "" {
			return ""
		}
		return "stderr: " + stderr.String()
	})
	if stdout.String() != "Serving at http://127.0.0.1:8000/\n" {
		t.Errorf("stdout %q", stdout.String())
	}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || n.IP.IsLoopback() || n.IP.IsLinkLocalUnicast() {
			continue
		}
		if c, err := net.DialTimeout("tcp", net.JoinHostPort(n.IP.String(), "8000"), time.Second); err == nil {
			c.Close()
			t.Errorf("serve answers at %s, not only on loopback", n.IP)
		}
	}
	cancel()
	<-done
}
