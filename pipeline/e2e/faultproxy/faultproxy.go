// Package faultproxy is a TCP proxy for fault-injection tests. It forwards
// every accepted connection to one upstream address and, on command from the
// test, stalls, delays, drops or resets the connections going through it:
//
//   - Stall holds every byte in flight in both directions while the
//     connections stay open (a black hole: the peers see silence, then TCP
//     flow control); Resume lets the held bytes through in order.
//   - SetLatency delays every chunk by a fixed time in each direction,
//     without limiting throughput (a long, fat pipe).
//   - DropAll closes every open connection with a FIN (an orderly close the
//     peers did not ask for); ResetAll closes them with an RST (a crashed
//     middlebox or peer).
//   - Refuse makes the proxy reset every new connection as soon as it is
//     accepted, as a host that is down would refuse it.
//
// A Proxy is safe for concurrent use. Its zero value is not usable; create
// one with Listen and stop it with Close, which closes every connection.
package faultproxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Stats counts what a proxy did since it started.
type Stats struct {
	// Accepted is the number of connections forwarded upstream.
	Accepted int64
	// Refused is the number of connections reset at once because of Refuse
	// or because the upstream did not answer.
	Refused int64
	// Open is the number of connections open now.
	Open int
	// BytesUp and BytesDown are the bytes forwarded to the upstream and
	// back to the clients.
	BytesUp, BytesDown int64
	// Dropped and Reset count the connections closed by DropAll and
	// ResetAll.
	Dropped, Reset int64
}

// Proxy forwards TCP connections from its listener to an upstream address.
type Proxy struct {
	ln       net.Listener
	upstream string
	dialer   net.Dialer

	mu      sync.Mutex
	links   map[*link]struct{}
	refuse  bool
	latency time.Duration
	gate    chan struct{} // closed while not stalled; replaced by Stall
	closed  bool

	accepted, refused, dropped, reset atomic.Int64
	bytesUp, bytesDown                atomic.Int64

	wg sync.WaitGroup
}

// Listen starts a proxy listening on addr ("127.0.0.1:0" picks a free port)
// that forwards to upstream.
func Listen(addr, upstream string) (*Proxy, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen %s: %w", addr, err)
	}
	gate := make(chan struct{})
	close(gate)
	p := &Proxy{
		ln: ln, upstream: upstream, dialer: net.Dialer{Timeout: 5 * time.Second},
		links: map[*link]struct{}{}, gate: gate,
	}
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// Addr is the address the proxy listens on.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Upstream is the address the proxy forwards to.
func (p *Proxy) Upstream() string { return p.upstream }

// Close stops listening, closes every connection and waits for the proxy's
// goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	links := p.takeLinks()
	p.mu.Unlock()
	err := p.ln.Close()
	for _, l := range links {
		l.close(false)
	}
	p.wg.Wait()
	return err
}

// Stall holds every byte in flight, in both directions and on every
// connection, old and new, until Resume. Connections stay open.
func (p *Proxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.gate:
		p.gate = make(chan struct{})
	default: // already stalled
	}
}

// Resume ends a Stall: the held bytes are forwarded in order.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.gate:
	default:
		close(p.gate)
	}
}

// SetLatency delays every chunk of bytes by d in each direction, from the
// moment it is read; 0 forwards at once.
func (p *Proxy) SetLatency(d time.Duration) {
	p.mu.Lock()
	p.latency = d
	p.mu.Unlock()
}

// Refuse, when on, resets every new connection as soon as it is accepted.
// Open connections are not touched (see DropAll and ResetAll).
func (p *Proxy) Refuse(on bool) {
	p.mu.Lock()
	p.refuse = on
	p.mu.Unlock()
}

// DropAll closes every open connection, on both sides, with a FIN, and
// returns how many it closed. Bytes held by Stall or latency are lost.
func (p *Proxy) DropAll() int { return p.closeAll(false) }

// ResetAll closes every open connection, on both sides, with an RST, and
// returns how many it closed.
func (p *Proxy) ResetAll() int { return p.closeAll(true) }

// Stats returns the counters.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	open := len(p.links)
	p.mu.Unlock()
	return Stats{
		Accepted: p.accepted.Load(), Refused: p.refused.Load(), Open: open,
		BytesUp: p.bytesUp.Load(), BytesDown: p.bytesDown.Load(),
		Dropped: p.dropped.Load(), Reset: p.reset.Load(),
	}
}

func (p *Proxy) closeAll(rst bool) int {
	p.mu.Lock()
	links := p.takeLinks()
	p.mu.Unlock()
	for _, l := range links {
		l.close(rst)
	}
	if rst {
		p.reset.Add(int64(len(links)))
	} else {
		p.dropped.Add(int64(len(links)))
	}
	return len(links)
}

// takeLinks empties the set of links; p.mu is held.
func (p *Proxy) takeLinks() []*link {
	links := make([]*link, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	clear(p.links)
	return links
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		p.mu.Lock()
		refuse := p.refuse || p.closed
		p.mu.Unlock()
		if refuse {
			p.refused.Add(1)
			resetConn(c)
			continue
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// serve dials the upstream for the client connection c and forwards both
// ways until either side closes or the link is closed by the proxy.
func (p *Proxy) serve(c net.Conn) {
	defer p.wg.Done()
	up, err := p.dialer.Dial("tcp", p.upstream)
	if err != nil {
		p.refused.Add(1)
		resetConn(c)
		return
	}
	l := &link{client: c, upstream: up, done: make(chan struct{})}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		l.close(false)
		return
	}
	p.links[l] = struct{}{}
	p.mu.Unlock()
	p.accepted.Add(1)
	var wg sync.WaitGroup
	wg.Go(func() { p.pipe(l, up, c, &p.bytesUp) })
	wg.Go(func() { p.pipe(l, c, up, &p.bytesDown) })
	wg.Wait()
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
}

// chunk is bytes read from one side, with the time they were read.
type chunk struct {
	b  []byte
	at time.Time
}

// pipe copies src to dst through a queue, applying the stall gate and the
// latency, until src or dst fails or the link closes; then it closes the
// link (both connections), ending the other direction too.
func (p *Proxy) pipe(l *link, dst, src net.Conn, count *atomic.Int64) {
	q := make(chan chunk, 64)
	go func() {
		defer close(q)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				select {
				case q <- chunk{b: buf[:n], at: time.Now()}:
				case <-l.done:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		l.close(false)
		for range q { // let the reader end
		}
	}()
	for c := range q {
		p.mu.Lock()
		gate, latency := p.gate, p.latency
		p.mu.Unlock()
		select {
		case <-gate:
		case <-l.done:
			return
		}
		if wait := time.Until(c.at.Add(latency)); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-l.done:
				t.Stop()
				return
			}
		}
		// A stall that began while waiting holds this chunk too.
		p.mu.Lock()
		gate = p.gate
		p.mu.Unlock()
		select {
		case <-gate:
		case <-l.done:
			return
		}
		if _, err := dst.Write(c.b); err != nil {
			return
		}
		count.Add(int64(len(c.b)))
	}
}

// link is one proxied connection: the client side and the upstream side.
type link struct {
	client, upstream net.Conn
	once             sync.Once
	done             chan struct{}
}

// close closes both sides, with an RST when rst is set.
func (l *link) close(rst bool) {
	l.once.Do(func() {
		close(l.done)
		if rst {
			resetConn(l.client)
			resetConn(l.upstream)
			return
		}
		l.client.Close()
		l.upstream.Close()
	})
}

// resetConn closes c with an RST instead of a FIN.
func resetConn(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.Close()
}

var _ io.Closer = (*Proxy)(nil)
