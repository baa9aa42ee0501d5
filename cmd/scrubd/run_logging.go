package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"

	"github.com/IBM/sarama"
)

// newLogger returns a JSON logger on w at level, and bridges sarama's logger
// into it (see saramaWriter).
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	lg := slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
	sarama.Logger = log.New(&saramaWriter{log: lg.With("component", "sarama")}, "", 0)
	return lg
}

// saramaWriter turns sarama's log lines into slog records. sarama has no
// levels and narrates every connection and rebalance, so lines that report
// a problem are logged at warning level and the others at debug level.
// sarama never logs record content.
type saramaWriter struct {
	log *slog.Logger
}

var saramaProblems = [][]byte{
	[]byte("error"), []byte("Error"), []byte("fail"), []byte("Fail"), []byte("fenced"),
	[]byte("lost"), []byte("timed out"), []byte("abort"), []byte("retrying"), []byte("unable"),
}

func (s *saramaWriter) Write(p []byte) (int, error) {
	msg := bytes.TrimRight(p, "\n")
	level := slog.LevelDebug
	for _, w := range saramaProblems {
		if bytes.Contains(msg, w) && !bytes.Contains(msg, []byte("successful")) && !bytes.Contains(msg, []byte("Not an error")) {
			level = slog.LevelWarn
			break
		}
	}
	s.log.Log(context.Background(), level, string(msg))
	return len(p), nil
}
