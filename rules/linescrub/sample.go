package linescrub

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/scrubd/scrubd/pipeline/discover"
)

// Sample samples the lines of the files, "-" being standard input,
// one after the other until the sample is full.
func Sample(ctx context.Context, s *discover.Sampler, names []string, stdin io.Reader) error {
	for _, name := range names {
		if s.Full() {
			return nil
		}
		if err := sampleFile(ctx, s, name, stdin); err != nil {
			return err
		}
	}
	return nil
}

func sampleFile(ctx context.Context, s *discover.Sampler, name string, stdin io.Reader) error {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	dr, release, err := Decompress(r)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	defer release()
	if err := s.ReadLines(ctx, dr); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}
