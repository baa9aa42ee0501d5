package main

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/scrubd/scrubd/bench/gen"
)

// BenchmarkScrubCLI measures `scrubd scrub` on generated lines of each
// format, read from memory and written to io.Discard with one worker:
// the engine plus the command's reading, chunking and writing (issue 20
// counts MB per CPU-second of the whole command). Run it with -cpu 1.
func BenchmarkScrubCLI(b *testing.B) {
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
				if code := run(context.Background(), []string{"scrub", "--workers", "1"}, bytes.NewReader(in.Bytes()), io.Discard, io.Discard); code != exitOK {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}
