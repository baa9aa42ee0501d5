package linescrub

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/scrubd/scrubd/bench/gen"
)

// BenchmarkScrub measures the Scrubber of `scrubd scrub` on generated
// lines of each format, read from memory and written to io.Discard with one
// worker: the engine plus the reading, chunking and writing (issue 20 counts
// MB per CPU-second of the whole command). Run it with -cpu 1.
func BenchmarkScrub(b *testing.B) {
	e := engine(b, "")
	for _, f := range []struct {
		name string
		mix  gen.Mix
	}{
		{"json", gen.Only(gen.JSON)}, {"logfmt", gen.Only(gen.Logfmt)}, {"access", gen.Only(gen.Access)},
		{"mixed", gen.DefaultMix}, {"text", gen.Only(gen.Text)},
	} {
		var in bytes.Buffer
		if _, err := gen.New(1).Write(&in, 20000, f.mix); err != nil {
			b.Fatal(err)
		}
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(int64(in.Len()))
			b.ReportAllocs()
			for b.Loop() {
				s := New(e, Options{Workers: 1}, io.Discard)
				failed, err := s.Run(context.Background(), []Input{{name: "bench", r: bytes.NewReader(in.Bytes())}}, io.Discard)
				if failed != 0 || err != nil {
					b.Fatalf("%d failed closed, error %v", failed, err)
				}
			}
		})
	}
}
