package detectors

import (
	"bufio"
	"os"
	"testing"
)

// BenchmarkScanTextFile scans the lines of the file named by
// SCRUBD_BENCH_TEXT (generated text: bench/gen -mix text), for instruction
// counts of the phone matcher's share under cachegrind.
func BenchmarkScanTextFile(b *testing.B) {
	name := os.Getenv("SCRUBD_BENCH_TEXT")
	if name == "" {
		b.Skip("SCRUBD_BENCH_TEXT not set")
	}
	f, err := os.Open(name)
	if err != nil {
		b.Skip("text not present: ", err)
	}
	defer f.Close()
	var lines [][]byte
	var total int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
		total += int64(len(sc.Bytes()))
	}
	s := newTestScanner(b)
	b.SetBytes(total)
	dst := make([]Finding, 0, 16)
	for b.Loop() {
		for _, l := range lines {
			dst, _ = s.Scan(dst[:0], l)
		}
	}
}
