package devserver

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// WebSocket opcodes (RFC 6455 section 5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// Close status codes (RFC 6455 section 7.4.1).
const (
	closeNormal        = 1000
	closeGoingAway     = 1001
	closeProtocolError = 1002
	closeTooBig        = 1009
)

const (
	websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" // RFC 6455 section 1.3
	sendBuffer    = 8                                      // messages queued per client before it is dropped
	maxFrame      = 64 << 10                               // the largest client frame read
	closeTimeout  = time.Second                            // for writing the closing frame
)

var (
	errProtocol = errors.New("websocket protocol error")
	errTooBig   = errors.New("websocket frame too big")
)

// A client is one open reload socket. Only its write loop writes to conn;
// only its read loop reads.
type client struct {
	conn  net.Conn
	r     *bufio.Reader
	send  chan []byte   // message frames, from Publish and Fail
	ctrl  chan []byte   // control frames, from the read loop (pongs)
	done  chan struct{} // closed to end the connection
	once  sync.Once
	code  atomic.Int32 // close status to send; 0 means going away
	stuck atomic.Bool  // dropped for not reading: no close frame
}

// close ends the connection; the write loop says goodbye and closes conn.
func (c *client) close() {
	c.once.Do(func() { close(c.done) })
}

// acceptKey returns the Sec-WebSocket-Accept value for key.
func acceptKey(key string) string {
	sum := sha1.Sum([]byte(key + websocketGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// serveSocket upgrades the request to a reload WebSocket and registers
// the client, sending it hello (and the errors, if the build is broken).
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	h := r.Header
	switch {
	case r.Method != http.MethodGet:
		w.Header().Set("Allow", "GET")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	case !r.ProtoAtLeast(1, 1) || r.ProtoMajor != 1 || !hasToken(h, "Connection", "upgrade") || !hasToken(h, "Upgrade", "websocket"):
		http.Error(w, "400 bad request: not a WebSocket handshake", http.StatusBadRequest)
		return
	case h.Get("Sec-WebSocket-Version") != "13":
		w.Header().Set("Sec-WebSocket-Version", "13")
		http.Error(w, "426 upgrade required: WebSocket version 13", http.StatusUpgradeRequired)
		return
	}
	key := h.Get("Sec-WebSocket-Key")
	if k, err := base64.StdEncoding.DecodeString(key); err != nil || len(k) != 16 {
		http.Error(w, "400 bad request: bad Sec-WebSocket-Key", http.StatusBadRequest)
		return
	}
	if !s.hosts.allowOrigin(h.Values("Origin"), r.Host) {
		s.log.Warn("refused a reload socket from a foreign origin", "origin", h.Get("Origin"), "remote", r.RemoteAddr)
		http.Error(w, "403 forbidden: foreign origin", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		http.Error(w, "503 service unavailable: shutting down", http.StatusServiceUnavailable)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "500 internal server error: cannot hijack the connection", http.StatusInternalServerError)
		return
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		s.log.Warn("reload socket", "err", err)
		return
	}
	// Drop the http.Server's deadlines: the socket lives on, with its own.
	conn.SetDeadline(time.Time{})
	conn.SetWriteDeadline(time.Now().Add(s.writeTimeout))
	brw.Writer.WriteString("HTTP/1.1 101 Switching Protocols\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + acceptKey(key) + "\r\n\r\n")
	if err := brw.Writer.Flush(); err != nil {
		conn.Close()
		return
	}
	c := &client{
		conn: conn,
		r:    brw.Reader,
		send: make(chan []byte, sendBuffer),
		ctrl: make(chan []byte, 2),
		done: make(chan struct{}),
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return
	}
	st := s.state.Load()
	c.send <- message{Type: "hello", Build: st.build}.frame()
	if st.errors != nil {
		c.send <- st.errors
	}
	s.clients[c] = struct{}{}
	s.wg.Add(2)
	s.mu.Unlock()
	s.log.Debug("reload socket opened", "remote", r.RemoteAddr, "page", h.Get("Referer"))
	go s.writeLoop(c)
	go s.readLoop(c)
}

// broadcast queues the frame f for every client, dropping those whose
// queue is full. The caller holds s.mu.
func (s *Server) broadcast(f []byte) {
	for c := range s.clients {
		select {
		case <-c.done:
			continue
		default:
		}
		select {
		case c.send <- f:
		default:
			s.log.Info("dropped a reload socket that is not keeping up", "remote", c.conn.RemoteAddr())
			c.stuck.Store(true)
			c.close()
			c.conn.SetWriteDeadline(time.Now()) // end a write stuck on it now
		}
	}
}

// writeLoop writes c's messages, pings and pongs until c is closed or a
// write fails, then sends a close frame, closes the connection and
// unregisters c.
func (s *Server) writeLoop(c *client) {
	defer s.wg.Done()
	defer func() {
		c.close()
		c.conn.Close()
		s.mu.Lock()
		delete(s.clients, c)
		s.mu.Unlock()
	}()
	ping := time.NewTicker(s.pingEvery)
	defer ping.Stop()
	write := func(f []byte) bool {
		c.conn.SetWriteDeadline(time.Now().Add(s.writeTimeout))
		_, err := c.conn.Write(f)
		return err == nil
	}
	for {
		var f []byte
		select {
		case <-c.done:
			if c.stuck.Load() {
				return
			}
			code := int(c.code.Load())
			if code == 0 {
				code = closeGoingAway
			}
			c.conn.SetWriteDeadline(time.Now().Add(closeTimeout))
			c.conn.Write(appendFrame(nil, opClose, binary.BigEndian.AppendUint16(nil, uint16(code))))
			return
		case f = <-c.send:
		case f = <-c.ctrl:
		case <-ping.C:
			f = appendFrame(nil, opPing, nil)
		}
		if !write(f) {
			return
		}
	}
}

// readLoop reads c's frames until the connection fails or closes,
// answering pings and close frames. A client that sends nothing, not even
// a pong, for two and a half ping intervals is gone.
func (s *Server) readLoop(c *client) {
	defer s.wg.Done()
	defer c.close()
	for {
		c.conn.SetReadDeadline(time.Now().Add(s.pingEvery * 5 / 2))
		op, payload, err := readFrame(c.r)
		switch {
		case errors.Is(err, errProtocol):
			c.code.Store(closeProtocolError)
			return
		case errors.Is(err, errTooBig):
			c.code.Store(closeTooBig)
			return
		case err != nil:
			return
		}
		switch op {
		case opClose:
			c.code.Store(closeNormal)
			return
		case opPing:
			select {
			case c.ctrl <- appendFrame(nil, opPong, payload):
			default: // a flood of pings: answering the last ones is enough
			}
		}
	}
}

// readFrame reads one masked client frame and returns its opcode and
// unmasked payload. Fragments of data messages are returned as they come;
// the server ignores data.
func readFrame(r *bufio.Reader) (op byte, payload []byte, err error) {
	var head [2]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return 0, nil, err
	}
	fin, rsv, op := head[0]&0x80 != 0, head[0]&0x70, head[0]&0x0F
	masked, n := head[1]&0x80 != 0, uint64(head[1]&0x7F)
	if rsv != 0 || !masked { // no extensions are negotiated; clients must mask
		return 0, nil, errProtocol
	}
	switch op {
	case opContinuation, opText, opBinary:
	case opClose, opPing, opPong:
		if !fin || n > 125 {
			return 0, nil, errProtocol
		}
	default:
		return 0, nil, errProtocol
	}
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(ext[:])
	}
	if n > maxFrame {
		return 0, nil, errTooBig
	}
	var mask [4]byte
	if _, err := io.ReadFull(r, mask[:]); err != nil {
		return 0, nil, err
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return 0, nil, err
	}
	for i := range payload {
		payload[i] ^= mask[i%4]
	}
	return op, payload, nil
}

// appendFrame appends to b an unmasked, final frame with opcode op.
func appendFrame(b []byte, op byte, payload []byte) []byte {
	b = append(b, 0x80|op)
	switch n := len(payload); {
	case n <= 125:
		b = append(b, byte(n))
	case n <= 0xFFFF:
		b = append(b, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

// hasToken reports whether the comma-separated header field name holds
// token, ignoring case ("Connection: keep-alive, Upgrade").
func hasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
