package kafka

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/config"
)

// NewLogger returns a logger on w at lc's level, JSON (for collectors, the
// default) or text (key=value, for people at a terminal), and routes
// sarama's log lines into it (see saramaWriter).
func NewLogger(w io.Writer, lc config.Log) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(lc.Level))
	opts := &slog.HandlerOptions{Level: l}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if lc.Format == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	lg := slog.New(h)
	saramaBridge.fold.setTarget(lg.With("component", "sarama"))
	saramaBridge.once.Do(func() {
		sarama.Logger = log.New(saramaWriter{}, "", 0)
	})
	return lg
}

// FlushLogs writes the count of sarama warnings folded since the last
// summary, so that a stop does not hide them.
func FlushLogs() { saramaBridge.fold.flush() }

// saramaBridge routes sarama's process-wide logger to the logger of the
// running command. sarama.Logger is a global that sarama's goroutines read
// at any time, so it is set once per process; the target it writes to is
// swapped under the folder's lock.
var saramaBridge struct {
	once sync.Once
	fold folder
}

// saramaWriter turns sarama's log lines into slog records. sarama has no
// levels and narrates every connection and rebalance, so lines that report
// a problem are logged at warning level and the others at debug level.
// sarama never logs record content.
type saramaWriter struct{}

var saramaProblems = [][]byte{
	[]byte("error"), []byte("Error"), []byte("fail"), []byte("Fail"), []byte("fenced"),
	[]byte("lost"), []byte("timed out"), []byte("abort"), []byte("retrying"), []byte("unable"),
}

// saramaRecovered are the words of sarama lines that say a connection
// works again: they end an outage's folding.
var saramaRecovered = [][]byte{
	[]byte("Connected to broker"), []byte("Successfully initialized"), []byte("successful"), []byte("succeeded"),
}

func (saramaWriter) Write(p []byte) (int, error) {
	saramaBridge.fold.line(bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// saramaLevel is the level of a sarama line.
func saramaLevel(msg []byte) slog.Level {
	if bytes.Contains(msg, []byte("successful")) || bytes.Contains(msg, []byte("Not an error")) {
		return slog.LevelDebug
	}
	for _, w := range saramaProblems {
		if bytes.Contains(msg, w) {
			return slog.LevelWarn
		}
	}
	return slog.LevelDebug
}

// foldEvery is how often a folder reports warnings that keep repeating.
const foldEvery = time.Minute

// A folder folds sarama's repeated warnings. During an outage sarama logs
// the same three lines every 250 ms (failed to connect, metadata error,
// retrying); the folder logs each kind of warning the first time it is
// seen, then counts its repeats: one summary line a minute while they go
// on, and one line when a connection succeeds again, with the count. Kinds
// are told apart by their text with the digits left out, so that attempt
// counts and back-off times do not make new kinds.
type folder struct {
	mu     sync.Mutex
	target *slog.Logger
	now    func() time.Time // nil: time.Now
	seen   map[string]bool  // the kinds of warning of the current outage
	since  time.Time        // when the outage began: its first warning
	last   time.Time        // when the last summary was written
	count  int              // repeats since the last summary
	total  int              // repeats since the outage began
	recent []byte           // the last repeat, for the summary
}

func (f *folder) setTarget(lg *slog.Logger) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.target = lg
}

func (f *folder) clock() time.Time {
	if f.now != nil {
		return f.now()
	}
	return time.Now()
}

// line logs or folds one sarama line.
func (f *folder) line(msg []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.target == nil {
		return
	}
	ctx := context.Background()
	level := saramaLevel(msg)
	if level < slog.LevelWarn {
		if len(f.seen) > 0 && containsAny(msg, saramaRecovered) {
			f.target.LogAttrs(ctx, slog.LevelInfo, "kafka client recovered: its repeated warnings stopped",
				slog.Int("kinds", len(f.seen)), slog.Int("repeats", f.total),
				slog.String("after", f.clock().Sub(f.since).Round(time.Millisecond).String()))
			f.reset()
		}
		f.target.Log(ctx, level, string(msg))
		return
	}
	kind := string(digitless(msg))
	now := f.clock()
	if !f.seen[kind] {
		if f.seen == nil {
			f.seen = map[string]bool{}
		}
		if len(f.seen) == 0 {
			f.since, f.last = now, now
		}
		f.seen[kind] = true
		f.target.Log(ctx, level, string(msg))
		return
	}
	f.count++
	f.total++
	f.recent = append(f.recent[:0], msg...)
	if now.Sub(f.last) >= foldEvery {
		f.summary(ctx)
		f.last = now
	}
}

// summary logs the repeats counted since the last one.
func (f *folder) summary(ctx context.Context) {
	f.target.LogAttrs(ctx, slog.LevelWarn, "kafka client warnings repeated",
		slog.Int("repeats", f.count), slog.Int("kinds", len(f.seen)),
		slog.Time("since", f.since), slog.String("last", string(f.recent)))
	f.count = 0
}

// flush logs the repeats not yet summarized.
func (f *folder) flush() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.target != nil && f.count > 0 {
		f.summary(context.Background())
	}
}

func (f *folder) reset() {
	clear(f.seen)
	f.count, f.total = 0, 0
}

func containsAny(b []byte, words [][]byte) bool {
	for _, w := range words {
		if bytes.Contains(b, w) {
			return true
		}
	}
	return false
}

// digitless returns msg with every run of digits replaced by "#".
func digitless(msg []byte) []byte {
	out := make([]byte, 0, len(msg))
	for i := 0; i < len(msg); i++ {
		if msg[i] >= '0' && msg[i] <= '9' {
			out = append(out, '#')
			for i+1 < len(msg) && msg[i+1] >= '0' && msg[i+1] <= '9' {
				i++
			}
			continue
		}
		out = append(out, msg[i])
	}
	return out
}
