package devserver

import (
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

const maxMessage = 64 << 10 // the largest message a client may send (pages send none)

// A client is one open reload socket. Only its write loop writes to conn.
type client struct {
	conn   *websocket.Conn
	remote string        // the client's address, for the log
	wake   chan struct{} // a token: look in the outbox (it may have been emptied since)
	done   chan struct{} // closed to end the connection
	once   sync.Once
	gone   atomic.Bool // the read loop ended or a write failed: no closing handshake

	mu  sync.Mutex
	box outbox
}

// An outbox holds what a client has yet to be told, merged, so that it
// never grows with the number of builds and a slow reader is not dropped
// for falling behind: it is told, once it reads again, what it missed,
// in one message. Messages leave it in the order hello, news, errors.
type outbox struct {
	hello []byte
	// news merges the Publish messages not yet sent: the newest build,
	// and the union of the changed pages, styles and assets, so a page
	// that changed in any of them is still told.
	news message
	// errors is the latest Fail message, sent after the news; a Publish
	// removes it, as the news it brings hides the overlay.
	errors []byte
}

// publish merges m, a Publish message ("ok" or "reload").
func (o *outbox) publish(m message) {
	o.errors = nil
	if o.news.Type == "" {
		o.news = m
		return
	}
	n := message{Type: "ok", Build: m.Build}
	if m.Type == "reload" || o.news.Type == "reload" {
		// A reload lists all three, as an unmerged one does.
		n.Type = "reload"
		n.Pages = union(o.news.Pages, m.Pages)
		n.Styles = union(o.news.Styles, m.Styles)
		n.Assets = union(o.news.Assets, m.Assets)
	}
	o.news = n
}

// next removes and returns the first message to send, or nil.
func (o *outbox) next() []byte {
	var b []byte
	switch {
	case o.hello != nil:
		b, o.hello = o.hello, nil
	case o.news.Type != "":
		b, o.news = o.news.encode(), message{}
	default:
		b, o.errors = o.errors, nil
	}
	return b
}

// union returns the sorted union of the lists a and b, a new list, never
// nil (a reload's lists are written even when empty).
func union(a, b []string) []string {
	u := append(append([]string{}, a...), b...)
	slices.Sort(u)
	return slices.Compact(u)
}

// tell changes c's outbox with f and wakes its write loop.
func (c *client) tell(f func(*outbox)) {
	c.mu.Lock()
	f(&c.box)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default: // already awake
	}
}

// take removes and returns the next message to send to c, or nil.
func (c *client) take() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.box.next()
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
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close(websocket.StatusGoingAway, "")
		return
	}
	st := s.state.Load()
	c.tell(func(o *outbox) {
		o.hello = message{Type: "hello", Build: st.build}.encode()
		o.errors = st.errors
	})
	s.clients[c] = struct{}{}
	s.wg.Add(2)
	s.mu.Unlock()
	s.log.Debug("reload socket opened", "remote", r.RemoteAddr, "page", r.Header.Get("Referer"))
	go s.writeLoop(c)
	go s.readLoop(c)
}

// broadcast tells every client of a new build or a failed one, through
// its outbox, so that a client that does not read never holds anyone up.
// The caller holds s.mu.
func (s *Server) broadcast(f func(*outbox)) {
	for c := range s.clients {
		c.tell(f)
	}
}

// writeLoop writes c's messages and pings until c is closed, a write
// fails or a ping goes unanswered, then closes the connection, with a
// closing handshake unless the client is gone, and unregisters c. A
// client that stops reading is dropped when a write to it times out.
func (s *Server) writeLoop(c *client) {
	defer s.wg.Done()
	ping := time.NewTicker(s.pingEvery)
	defer ping.Stop()
	defer func() {
		c.close()
		s.mu.Lock()
		delete(s.clients, c)
		s.mu.Unlock()
		if c.gone.Load() {
			c.conn.CloseNow()
		} else {
			c.conn.Close(websocket.StatusGoingAway, "")
		}
	}()
	for {
		select {
		case <-c.done:
			return
		case <-c.wake:
			for m := c.take(); m != nil; m = c.take() {
				select {
				case <-c.done: // closed meanwhile: say no more
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), s.writeTimeout)
				err := c.conn.Write(ctx, websocket.MessageText, m)
				late := ctx.Err() == context.DeadlineExceeded
				cancel()
				if err != nil {
					if late {
						s.log.Info("dropped a reload socket that is not reading", "remote", c.remote)
					}
					c.gone.Store(true)
					return
				}
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
