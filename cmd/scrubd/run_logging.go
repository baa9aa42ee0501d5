package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/IBM/sarama"
)

// newLogger returns a JSON logger on w at level, and routes sarama's log
// lines into it (see saramaWriter).
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	lg := slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
	saramaBridge.target.Store(lg.With("component", "sarama"))
	saramaBridge.once.Do(func() {
		sarama.Logger = log.New(&saramaWriter{}, "", 0)
	})
	return lg
}

// saramaBridge routes sarama's process-wide logger to the logger of the
// running command. sarama.Logger is a global that sarama's goroutines read
// at any time, so it is set once per process; the target it writes to is
// swapped atomically.
var saramaBridge struct {
	once   sync.Once
	target atomic.Pointer[slog.Logger]
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

func (saramaWriter) Write(p []byte) (int, error) {
	lg := saramaBridge.target.Load()
	if lg == nil {
		return len(p), nil
	}
	msg := bytes.TrimRight(p, "\n")
	level := slog.LevelDebug
	for _, w := range saramaProblems {
		if bytes.Contains(msg, w) && !bytes.Contains(msg, []byte("successful")) && !bytes.Contains(msg, []byte("Not an error")) {
			level = slog.LevelWarn
			break
		}
	}
	lg.Log(context.Background(), level, string(msg))
	return len(p), nil
}
