package devserver

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

const (
	sendBuffer = 8        // messages queued per client before it is dropped
	maxMessage = 64 << 10 // the largest message a client may send (pages send none)
)

// A client is one open reload socket. Only its write loop writes to conn.
type client struct {
	conn   *websocket.Conn
	remote string        // the client's address, for the log
	send   chan []byte   // messages, from Publish and Fail
	done   chan struct{} // closed to end the connection
	once   sync.Once
	stuck  atomic.Bool // dropped for not reading: no closing handshake
	gone   atomic.Bool // the read loop ended: the client closed, broke the protocol or left
}

// close ends the connection; the write loop says goodbye and closes conn.
func (c *client) close() {
	c.once.Do(func() { close(c.done) })
}

// serveSocket upgrades the request to a reload WebSocket and registers
// the client, sending it hello (and the errors, if the build is broken).
// The host policy checks Origin first, as it checked Host; coder/websocket
// then does the handshake, checking Origin against the same hosts.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !s.hosts.allowOrigin(r.Header.Values("Origin"), r.Host) {
		s.log.Warn("refused a reload socket from a foreign origin", "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr)
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
	// The socket outlives the request: drop the http.Server's deadlines
	// (see HTTPServer); the write loop keeps its own.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{})
	rc.SetWriteDeadline(time.Time{})
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: s.hosts.originPatterns()})
	if err != nil { // Accept has answered the request
		s.log.Debug("reload socket refused", "remote", r.RemoteAddr, "err", err)
		return
	}
	conn.SetReadLimit(maxMessage)
	c := &client{
		conn:   conn,
		remote: r.RemoteAddr,
		send:   make(chan []byte, sendBuffer),
		done:   make(chan struct{}),
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close(websocket.StatusGoingAway, "")
		return
	}
	st := s.state.Load()
	c.send <- message{Type: "hello", Build: st.build}.encode()
	if st.errors != nil {
		c.send <- st.errors
	}
	s.clients[c] = struct{}{}
	s.wg.Add(2)
	s.mu.Unlock()
	s.log.Debug("reload socket opened", "remote", r.RemoteAddr, "page", r.Header.Get("Referer"))
	go s.writeLoop(c)
	go s.readLoop(c)
}

// broadcast queues the message m for every client, dropping those whose
// queue is full. The caller holds s.mu.
func (s *Server) broadcast(m []byte) {
	for c := range s.clients {
		select {
		case <-c.done:
			continue
		default:
		}
		select {
		case c.send <- m:
		default:
			s.log.Info("dropped a reload socket that is not keeping up", "remote", c.remote)
			c.stuck.Store(true)
			c.close()
		}
	}
}

// writeLoop writes c's messages and pings until c is closed, a write
// fails or a ping goes unanswered, then closes the connection, with a
// closing handshake unless the client is gone or stuck, and unregisters c.
func (s *Server) writeLoop(c *client) {
	defer s.wg.Done()
	ping := time.NewTicker(s.pingEvery)
	defer ping.Stop()
	defer func() {
		c.close()
		s.mu.Lock()
		delete(s.clients, c)
		s.mu.Unlock()
		if c.stuck.Load() || c.gone.Load() {
			c.conn.CloseNow()
		} else {
			c.conn.Close(websocket.StatusGoingAway, "")
		}
	}()
	for {
		select {
		case <-c.done:
			return
		case m := <-c.send:
			ctx, cancel := context.WithTimeout(context.Background(), s.writeTimeout)
			err := c.conn.Write(ctx, websocket.MessageText, m)
			cancel()
			if err != nil {
				c.gone.Store(true)
				return
			}
		case <-ping.C:
			// A client that does not answer within one and a half
			// intervals is gone.
			ctx, cancel := context.WithTimeout(context.Background(), s.pingEvery*3/2)
			err := c.conn.Ping(ctx)
			cancel()
			if err != nil {
				return
			}
		}
	}
}

// readLoop reads c's messages, which pages never send, and discards
// them, until the connection fails or closes. Reading is what answers
// the client's pings and closing handshake, and lets Ping see pongs; a
// message over maxMessage ends the connection with status 1009.
func (s *Server) readLoop(c *client) {
	defer s.wg.Done()
	defer func() {
		c.gone.Store(true)
		c.close()
	}()
	for {
		_, r, err := c.conn.Reader(context.Background())
		if err != nil {
			return
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return
		}
	}
}
