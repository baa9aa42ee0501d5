// Package gen generates realistic, deterministic application logs for
// benchmarks and scrubbing tests.
//
// A Generator writes lines in four kinds: nested JSON application logs,
// logfmt, Apache/Nginx combined access logs and plain text (sshd, ZooKeeper,
// HDFS, Hadoop, Java applications with stack traces, Kafka brokers). Most
// lines hold no personal data or one value, as in production logs; the rest
// carry IPv4 and IPv6 addresses in their many spellings, e-mail addresses
// (some percent-encoded in URLs), E.164 and national phone numbers, IMEIs,
// MAC addresses, UUIDs, card numbers, IBANs, JWTs, bearer tokens, API keys,
// passwords in key=value pairs, and account and device ids under the keys
// that scrubd's default field rules name. The people behind the values come
// from a fixed population, so the same account, e-mail and device recur
// across lines as they do in real logs.
//
// Every value of personal data the generator writes is recorded as a Seed
// with its byte range in the line (Generator.Seeded), so that tests can check
// that none survives scrubbing. Values are seeded only where scrubd's default
// policy claims to find them: an account id appears under a key such as
// "user_id" or "uid=", never bare in free text.
//
// The output depends only on the seed: two Generators built with the same
// seed write the same lines, in any Go release that keeps math/rand/v2's PCG
// stable.
package gen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/scrubd/scrubd/detectors"
)

// Kind is a log line format.
type Kind uint8

// The kinds of lines a Generator writes.
const (
	// JSON lines are nested JSON objects as structured application loggers
	// write them (zap, logrus, pino, Logback's JSON encoder).
	JSON Kind = iota
	// Logfmt lines are key=value pairs as Go services and Grafana's
	// components write them.
	Logfmt
	// Access lines are Apache/Nginx combined-format access log lines.
	Access
	// Text lines are free text: sshd, ZooKeeper, HDFS, Hadoop, Java
	// applications and their stack traces, Kafka brokers.
	Text
	numKinds
)

// Kinds lists every kind, in order.
var Kinds = [...]Kind{JSON, Logfmt, Access, Text}

var kindNames = [...]string{JSON: "json", Logfmt: "logfmt", Access: "access", Text: "text"}

// String returns the kind's name: "json", "logfmt", "access" or "text".
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// ParseKind returns the kind named s, as Kind.String spells it.
func ParseKind(s string) (Kind, error) {
	for k, n := range kindNames {
		if n == s {
			return Kind(k), nil
		}
	}
	return 0, fmt.Errorf("unknown log kind %q (want json, logfmt, access or text)", s)
}

// Mix gives the relative weight of each kind in a run of lines. The zero
// value is not useful; a Mix with all weights zero is rejected by Lines and
// Write.
type Mix struct {
	JSON, Logfmt, Access, Text int
}

// DefaultMix is the blend of kinds a sidecar in front of a typical
// microservice fleet sees: mostly structured logs, a good share of access
// logs and free text.
var DefaultMix = Mix{JSON: 3, Logfmt: 2, Access: 2, Text: 3}

// Only returns a Mix of kind k alone.
func Only(k Kind) Mix {
	var m Mix
	*m.weight(k) = 1
	return m
}

func (m *Mix) weight(k Kind) *int {
	switch k {
	case JSON:
		return &m.JSON
	case Logfmt:
		return &m.Logfmt
	case Access:
		return &m.Access
	default:
		return &m.Text
	}
}

func (m Mix) total() int { return m.JSON + m.Logfmt + m.Access + m.Text }

func (m Mix) validate() error {
	if m.JSON < 0 || m.Logfmt < 0 || m.Access < 0 || m.Text < 0 || m.total() == 0 {
		return fmt.Errorf("invalid mix %+v: weights must be non-negative and not all zero", m)
	}
	return nil
}

// ParseMix parses a mix written as comma-separated kind=weight pairs
// ("json=3,text=1"), or a single kind name ("access"). Kinds left out weigh
// zero.
func ParseMix(s string) (Mix, error) {
	var m Mix
	if k, err := ParseKind(s); err == nil {
		return Only(k), nil
	}
	for _, part := range strings.Split(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return Mix{}, fmt.Errorf("mix %q: %q is not kind=weight", s, part)
		}
		k, err := ParseKind(name)
		if err != nil {
			return Mix{}, fmt.Errorf("mix %q: %w", s, err)
		}
		n, err := strconv.Atoi(w)
		if err != nil || n < 0 {
			return Mix{}, fmt.Errorf("mix %q: weight %q is not a non-negative integer", s, w)
		}
		*m.weight(k) = n
	}
	if err := m.validate(); err != nil {
		return Mix{}, err
	}
	return m, nil
}

// A Seed is one value of personal data written into a line.
//
// Type says what the value is: a detector type (ipv4, ipv6, email, phone,
// credit_card, iban, mac, imei, uuid, jwt, secret) or, for values that only a
// field rule of the default policy recognises by their key, the rule's name
// (account_id, device_id, person). A UUID written under a "device_id" key is
// a device_id; an IMEI under an "imei" key is still an imei. Value is the
// value exactly as written, and [Start, End) its byte range in the line, so
// that line[Start:End] == Value.
type Seed struct {
	Type       detectors.Type
	Value      string
	Start, End int
}

// The types of seeds that are not detector types.
const (
	AccountID detectors.Type = "account_id"
	DeviceID  detectors.Type = "device_id"
	Person    detectors.Type = "person"
)

// A Record is a generated line with its kind and seeds.
type Record struct {
	Kind  Kind
	Line  []byte
	Seeds []Seed
}

type seedSpan struct {
	t          detectors.Type
	start, end int
}

// A Generator writes log lines. It is not safe for concurrent use; use one
// Generator per goroutine.
type Generator struct {
	base  uint64 // the seed New was called with
	r     *rand.Rand
	buf   []byte     // the line being written, then the last line
	spans []seedSpan // seeds of the line in buf
	clock int64      // Unix milliseconds of the current line
	now   time.Time
	users []*user
	pid   int
	seq   int
	// subjects counts the people Subject made, outside the population.
	subjects int
}

// epoch is the time of the first line: the generator's clock runs from it.
var epoch = time.Date(2026, time.March, 2, 8, 0, 0, 0, time.UTC)

// New returns a Generator whose output is determined by seed.
func New(seed uint64) *Generator {
	return &Generator{
		base:  seed,
		r:     rand.New(rand.NewPCG(seed, 0x5c12bd0a11ce5eed)),
		clock: epoch.UnixMilli(),
		users: make([]*user, populationSize),
		pid:   1000 + int(seed%30000),
		buf:   make([]byte, 0, 1024),
	}
}

// Line returns a new line of kind k, without a trailing newline. Its seeds
// are available from Seeded until the next line is made.
func (g *Generator) Line(k Kind) []byte {
	return append([]byte(nil), g.line(k)...)
}

// AppendLine appends a new line of kind k to dst, without a trailing
// newline, and returns the extended slice. The seeds' offsets, as Seeded
// reports them, are relative to the start of the line, not of dst.
func (g *Generator) AppendLine(dst []byte, k Kind) []byte {
	return append(dst, g.line(k)...)
}

// Seeded returns the seeds of the last line made, in order of their
// offsets. The slice is new and the caller's to keep.
func (g *Generator) Seeded() []Seed {
	out := make([]Seed, len(g.spans))
	for i, s := range g.spans {
		out[i] = Seed{Type: s.t, Value: string(g.buf[s.start:s.end]), Start: s.start, End: s.end}
	}
	return out
}

// Next returns the kind of the next line drawn from mix, which must have a
// positive total weight.
func (g *Generator) Next(mix Mix) Kind {
	n := g.r.IntN(mix.total())
	for _, k := range Kinds {
		w := *mix.weight(k)
		if n < w {
			return k
		}
		n -= w
	}
	return Text
}

// Lines returns n lines drawn from mix. It panics if mix has no positive
// weight.
func (g *Generator) Lines(n int, mix Mix) [][]byte {
	if err := mix.validate(); err != nil {
		panic("gen: " + err.Error())
	}
	out := make([][]byte, n)
	for i := range out {
		out[i] = g.Line(g.Next(mix))
	}
	return out
}

// Records returns n records drawn from mix, each with its seeds. It panics
// if mix has no positive weight.
func (g *Generator) Records(n int, mix Mix) []Record {
	if err := mix.validate(); err != nil {
		panic("gen: " + err.Error())
	}
	out := make([]Record, n)
	for i := range out {
		k := g.Next(mix)
		out[i] = Record{Kind: k, Line: g.Line(k), Seeds: g.Seeded()}
	}
	return out
}

// Write writes n lines drawn from mix to w, each followed by a newline, and
// returns the number of bytes written.
func (g *Generator) Write(w io.Writer, n int, mix Mix) (int64, error) {
	if err := mix.validate(); err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	var total int64
	for range n {
		l := g.line(g.Next(mix))
		l = append(l, '\n')
		g.buf = l
		m, err := bw.Write(l)
		total += int64(m)
		if err != nil {
			return total, err
		}
	}
	return total, bw.Flush()
}

// WriteFile writes n lines of the default mix, generated from seed, to the
// file at path, replacing it.
func WriteFile(path string, n int, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write generated logs: %w", err)
	}
	if _, err := New(seed).Write(f, n, DefaultMix); err != nil {
		f.Close()
		return fmt.Errorf("write generated logs to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write generated logs to %s: %w", path, err)
	}
	return nil
}

// line writes a line of kind k into g.buf and returns it.
func (g *Generator) line(k Kind) []byte {
	g.buf = g.buf[:0]
	g.spans = g.spans[:0]
	g.clock += int64(g.r.IntN(40))
	g.now = time.UnixMilli(g.clock).UTC()
	g.seq++
	switch k {
	case JSON:
		g.jsonLine()
	case Logfmt:
		g.logfmtLine()
	case Access:
		g.accessLine()
	default:
		g.textLine()
	}
	return g.buf
}

// ---- writing helpers ----

// s appends literal text.
func (g *Generator) s(text string) { g.buf = append(g.buf, text...) }

// seed appends v and records it as a seed of type t.
func (g *Generator) seed(t detectors.Type, v string) {
	st := len(g.buf)
	g.buf = append(g.buf, v...)
	g.spans = append(g.spans, seedSpan{t: t, start: st, end: len(g.buf)})
}

// int appends a decimal integer.
func (g *Generator) int(v int) { g.buf = strconv.AppendInt(g.buf, int64(v), 10) }

// intn appends a random integer in [lo, hi).
func (g *Generator) intn(lo, hi int) { g.int(lo + g.r.IntN(hi-lo)) }

// digits appends n random decimal digits.
func (g *Generator) digits(n int) {
	for range n {
		g.buf = append(g.buf, byte('0'+g.r.IntN(10)))
	}
}

// hex appends n random lower-case hex digits.
func (g *Generator) hex(n int) {
	for range n {
		g.buf = append(g.buf, hexLower[g.r.IntN(16)])
	}
}

// ms appends a duration in milliseconds with one decimal, such as "12.5".
func (g *Generator) ms(max int) {
	g.int(g.r.IntN(max))
	g.buf = append(g.buf, '.', byte('0'+g.r.IntN(10)))
}

// time appends the current line's time in layout.
func (g *Generator) time(layout string) { g.buf = g.now.AppendFormat(g.buf, layout) }

// pick returns a random element of list.
func (g *Generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

// chance reports true with probability p.
func (g *Generator) chance(p float64) bool { return g.r.Float64() < p }

const hexLower = "0123456789abcdef"
