package devserver

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/explainer/explainer/site"
	"github.com/explainer/explainer/site/sitetest"
)

// project returns a fresh copy of the project of
// ../../../../site/testdata/build/basic.txtar, with its own stylesheet and a section
// long enough to scroll.
// WebSocket opcodes (RFC 6455 section 5.2) and close status codes
// (section 7.4.1), for the raw client the tests talk to the server with.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA

	closeNormal          = 1000
	closeGoingAway       = 1001
	closeProtocolError   = 1002
	closePolicyViolation = 1008
	closeTooBig          = 1009
)

// acceptKey returns the Sec-WebSocket-Accept value for key (RFC 6455
// section 1.3), to check the server's handshake.
func acceptKey(key string) string {
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func project(t *testing.T) fstest.MapFS {
	t.Helper()
	src := sitetest.Project(t, "../../../../site/testdata/build/basic.txtar")
	src["static/css/site.css"] = &fstest.MapFile{Data: []byte("body { color: rgb(1, 2, 3); }\n")}
	var long strings.Builder
	long.Write(src["content/sections/02-next.md"].Data)
	for i := range 80 {
		fmt.Fprintf(&long, "\nParagraph %d of the long section, which makes the page scroll.\n", i)
	}
	src["content/sections/02-next.md"] = &fstest.MapFile{Data: []byte(long.String())}
	return src
}

// edit returns a copy of src in which the first old in the file name is
// replaced by new; a file that does not exist is created holding new.
func edit(t *testing.T, src fstest.MapFS, name, old, new string) fstest.MapFS {
	t.Helper()
	dst := maps.Clone(src)
	f, ok := src[name]
	if !ok {
		dst[name] = &fstest.MapFile{Data: []byte(new)}
		return dst
	}
	if !strings.Contains(string(f.Data), old) {
		t.Fatalf("edit %s: no %q", name, old)
	}
	dst[name] = &fstest.MapFile{Data: []byte(strings.Replace(string(f.Data), old, new, 1))}
	return dst
}

// build builds src as the dev server does.
func build(t testing.TB, src fstest.MapFS) *site.Output {
	t.Helper()
	out, err := site.Build(context.Background(), src, site.Options{LiveReload: ScriptPath})
	if err != nil {
		t.Fatalf("site.Build: %v", err)
	}
	return out
}

// A testServer is a Server behind a real listener on 127.0.0.1.
type testServer struct {
	*Server
	addr string // host:port
	URL  string // "http://" + addr
	http *http.Server
}

// startServer runs a Server on addr ("127.0.0.1:0" for a free port) until
// the test ends, tuned by tune before it serves anything.
func startServer(t *testing.T, addr string, tune ...func(*Server)) *testServer {
	t.Helper()
	ts, err := listenServer(t, addr, tune...)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// listenServer is startServer, returning the error of a failed listen.
func listenServer(t *testing.T, addr string, tune ...func(*Server)) (*testServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := New(Options{Addr: ln.Addr().String()})
	for _, f := range tune {
		f(s)
	}
	ts := &testServer{Server: s, addr: ln.Addr().String(), URL: "http://" + ln.Addr().String(), http: s.HTTPServer()}
	go ts.http.Serve(ln)
	t.Cleanup(ts.stop)
	return ts, nil
}

// stop shuts the server down, closing its reload sockets.
func (ts *testServer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ts.http.Shutdown(ctx)
	ts.Close()
}

// clientCount returns the number of open reload sockets.
func (s *Server) clientCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

// waitClients waits until the server has n reload sockets open.
func waitClients(t *testing.T, s *Server, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.clientCount() != n {
		if time.Now().After(deadline) {
			t.Fatalf("have %d reload sockets, want %d", s.clientCount(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rawRequest sends one request, exactly as written, to addr and returns
// the response with its body read. header lines end in "\r\n"; it must
// hold the Host line.
func rawRequest(t *testing.T, addr, method, target, header string) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\n%sConnection: close\r\n\r\n", method, target, header)
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s %q: %v", method, target, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

// A wsClient is a tiny WebSocket client, enough to talk to the reload
// socket: it masks what it sends and reads the server's unmasked frames.
type wsClient struct {
	conn net.Conn
	r    *bufio.Reader
}

// dialSocket opens the reload socket of the server at addr, sending
// header ("Origin: ...\r\n" or "") with the handshake. On a refused
// handshake it returns the response and a nil client.
func dialSocket(t *testing.T, addr, header string) (*wsClient, *http.Response) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 16)
	rand.Read(key)
	k := base64.StdEncoding.EncodeToString(key)
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n%s\r\n", SocketPath, addr, k, header)
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, &http.Request{Method: http.MethodGet})
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		io.Copy(io.Discard, resp.Body)
		conn.Close()
		return nil, resp
	}
	if got, want := resp.Header.Get("Sec-WebSocket-Accept"), acceptKey(k); got != want {
		t.Fatalf("Sec-WebSocket-Accept = %q, want %q", got, want)
	}
	conn.SetDeadline(time.Time{})
	c := &wsClient{conn: conn, r: r}
	t.Cleanup(func() { conn.Close() })
	return c, resp
}

// readFrame reads one server frame, which must be final and unmasked.
func (c *wsClient) readFrame(timeout time.Duration) (op byte, payload []byte, err error) {
	c.conn.SetReadDeadline(time.Now().Add(timeout))
	var head [2]byte
	if _, err := io.ReadFull(c.r, head[:]); err != nil {
		return 0, nil, err
	}
	if head[0]&0x80 == 0 || head[0]&0x70 != 0 || head[1]&0x80 != 0 {
		return 0, nil, fmt.Errorf("bad server frame header % x", head)
	}
	n := uint64(head[1] & 0x7F)
	switch n {
	case 126:
		var ext [2]byte
		io.ReadFull(c.r, ext[:])
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		io.ReadFull(c.r, ext[:])
		n = binary.BigEndian.Uint64(ext[:])
	}
	payload = make([]byte, n)
	_, err = io.ReadFull(c.r, payload)
	return head[0] & 0x0F, payload, err
}

// next returns the next message, skipping pings.
func (c *wsClient) next(t *testing.T) message {
	t.Helper()
	for {
		op, payload, err := c.readFrame(5 * time.Second)
		if err != nil {
			t.Fatalf("reading a message: %v", err)
		}
		switch op {
		case opPing:
			continue
		case opText:
			var m message
			if err := json.Unmarshal(payload, &m); err != nil {
				t.Fatalf("message %q: %v", payload, err)
			}
			return m
		default:
			t.Fatalf("got frame opcode %#x (% x), want a text message", op, payload)
		}
	}
}

// write sends a masked frame.
func (c *wsClient) write(op byte, payload []byte) error {
	var mask [4]byte
	rand.Read(mask[:])
	b := []byte{0x80 | op}
	switch n := len(payload); {
	case n <= 125:
		b = append(b, 0x80|byte(n))
	case n <= 0xFFFF:
		b = binary.BigEndian.AppendUint16(append(b, 0x80|126), uint16(n))
	default:
		b = binary.BigEndian.AppendUint64(append(b, 0x80|127), uint64(n))
	}
	b = append(b, mask[:]...)
	for i, x := range payload {
		b = append(b, x^mask[i%4])
	}
	_, err := c.conn.Write(b)
	return err
}

// expectClose reads until the server's close frame, answers it as
// browsers do, expects the connection to end and returns the frame's
// status: 0 when the connection ended without one.
func (c *wsClient) expectClose(t *testing.T) int {
	t.Helper()
	for {
		op, payload, err := c.readFrame(5 * time.Second)
		if errors.Is(err, io.EOF) {
			return 0 // closed without a close frame
		}
		if err != nil {
			t.Fatalf("waiting for a close frame: %v", err)
		}
		if op != opClose {
			continue
		}
		if len(payload) < 2 {
			t.Fatalf("close frame without status: % x", payload)
		}
		c.write(opClose, payload[:2]) // as browsers do, answer it
		var ne net.Error
		if _, _, err := c.readFrame(5 * time.Second); err == nil || errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("after the close frame: %v, want the connection to end", err)
		}
		return int(binary.BigEndian.Uint16(payload))
	}
}
