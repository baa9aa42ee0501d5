package kafka

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/scrubd/scrubd/pipeline/config"
)

// outage is what sarama logs every 250 ms while a broker refuses
// connections (seen with scrubd run against a closed port).
var outage = []string{
	"Failed to connect to broker 127.0.0.1:1: dial tcp 127.0.0.1:1: connect: connection refused",
	"client/metadata got error from broker -1 while fetching metadata: dial tcp 127.0.0.1:1: connect: connection refused",
	"client/metadata retrying after 250ms... (%d attempts remaining)",
}

// TestFolderOutage: an outage of 400 rounds (100 s) logs each kind of
// warning once, then one summary a minute with the count, then one line
// at the recovery with the total; debug lines pass through.
func TestFolderOutage(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	f := &folder{target: slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})), now: func() time.Time { return now }}
	for round := range 400 {
		for _, l := range outage {
			if strings.Contains(l, "%d") {
				l = fmt.Sprintf(l, 4-round%5)
			}
			f.line([]byte(l))
		}
		now = now.Add(250 * time.Millisecond)
	}
	f.line([]byte("Connected to broker at 127.0.0.1:9092 (unregistered)"))
	f.line([]byte("Failed to connect to broker 127.0.0.1:1: dial tcp 127.0.0.1:1: connect: connection refused"))
	f.flush()

	var got []map[string]any
	for l := range strings.Lines(buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	msgs := make([]string, len(got))
	for i, m := range got {
		msgs[i] = m["msg"].(string)
	}
	want := []string{
		outage[0], outage[1], "client/metadata retrying after 250ms... (4 attempts remaining)",
		"kafka client warnings repeated", // at 60 s
		"kafka client recovered: its repeated warnings stopped",
		outage[0], // a new outage is a new state
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
	// 1200 lines: 3 logged, 1197 folded; the first summary counts those of
	// the first minute (240 rounds, less the 3 logged), and the line at
	// 60 s that wrote it.
	if got[3]["repeats"].(float64) != 240*3-3+1 || got[3]["kinds"].(float64) != 3 {
		t.Errorf("summary %v", got[3])
	}
	if got[4]["repeats"].(float64) != 1197 || got[4]["after"] == nil {
		t.Errorf("recovery %v", got[4])
	}
}

// TestLogFormatText: log.format text writes key=value lines for people.
func TestLogFormatText(t *testing.T) {
	var buf bytes.Buffer
	NewLogger(&buf, config.Log{Level: "info", Format: "text"}).Info("starting", "policy", "p@1")
	if got := buf.String(); !strings.Contains(got, "level=INFO msg=starting policy=p@1") {
		t.Errorf("text log: %q", got)
	}
	buf.Reset()
	NewLogger(&buf, config.Log{Level: "info", Format: "json"}).Info("starting")
	if !strings.HasPrefix(buf.String(), "{") {
		t.Errorf("json log: %q", buf.String())
	}
}

// FuzzFolderLine: any sequence of sarama lines is logged or folded without
// a panic, and every line is accounted for: logged, or counted in the
// repeats a summary or the recovery reports.
func FuzzFolderLine(f *testing.F) {
	f.Add("Failed to connect to broker 1.2.3.4:9092: refused\nclient/metadata retrying after 250ms... (3 attempts remaining)\nConnected to broker at 1.2.3.4:9092")
	f.Add("error 1\nerror 2\nerror 3\nerror 4\nConnected to broker\nerror 5\nerror 6")
	f.Fuzz(func(t *testing.T, input string) {
		var buf bytes.Buffer
		now := time.Unix(0, 0)
		fl := &folder{target: slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), now: func() time.Time { return now }}
		n := 0
		for l := range strings.SplitSeq(input, "\n") {
			fl.line([]byte(l))
			now = now.Add(20 * time.Second)
			n++
		}
		fl.flush()
		// A recovery reports every repeat of its outage, the summaries'
		// included; summaries after the last recovery count on their own.
		logged, repeats, pending := 0, 0, 0
		for l := range strings.Lines(buf.String()) {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatal(err)
			}
			switch m["msg"] {
			case "kafka client warnings repeated":
				pending += int(m["repeats"].(float64))
			case "kafka client recovered: its repeated warnings stopped":
				repeats += int(m["repeats"].(float64))
				pending = 0
			default:
				logged++
			}
		}
		repeats += pending
		if logged+repeats != n {
			t.Fatalf("%d lines in, %d logged and %d counted as repeats", n, logged, repeats)
		}
	})
}
