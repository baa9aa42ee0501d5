package detectors

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkScanTextFile scans the lines of the file named by
// SCRUBD_BENCH_TEXT, generated text (go run ./bench/gen/cmd/scrubd-gen
// -mix text), where the phone matcher meets the digit runs of real system
// logs; run it under cachegrind for instruction counts per byte.
func BenchmarkScanTextFile(b *testing.B) {
	name := os.Getenv("SCRUBD_BENCH_TEXT")
	if name == "" {
		b.Skip("SCRUBD_BENCH_TEXT not set")
	}
	data, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	s := newTestScanner(b)
	b.SetBytes(int64(len(data)))
	dst := make([]Finding, 0, 16)
	for b.Loop() {
		for _, l := range lines {
			dst, _ = s.Scan(dst[:0], l)
		}
	}
}
