// Command scrubd-gen writes realistic, deterministic application logs with
// personal data in them, one record per line, for demos and benchmarks:
//
//	go run ./bench/gen/cmd/scrubd-gen -n 100000 -seed 1 > logs.txt
//	go run ./bench/gen/cmd/scrubd-gen -n 1000 -mix json=1,text=1 -seeds seeds.jsonl > logs.txt
//
// The same flags always give the same output. With -seeds it also writes,
// for each line, a JSON object listing the personal data planted in it (its
// type, value and byte range), so that what a scrubber leaves behind can be
// checked.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/scrubd/scrubd/bench/gen"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// seedLine is one line of the -seeds output.
type seedLine struct {
	Line  int        `json:"line"`
	Kind  string     `json:"kind"`
	Seeds []seedJSON `json:"seeds"`
}

type seedJSON struct {
	Type  string `json:"type"`
	Value string `json:"value"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scrubd-gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 100000, "number of lines")
	seed := fs.Uint64("seed", 1, "seed of the generator: the same seed gives the same lines")
	mixFlag := fs.String("mix", "json=3,logfmt=2,access=2,text=3", "kinds of lines and their weights, or a single kind (json, logfmt, access, text)")
	seedsPath := fs.String("seeds", "", "also write the planted personal data of each line as JSON lines to `file`")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: scrubd-gen [-n LINES] [-seed N] [-mix KIND=W,...] [-seeds FILE] > logs.txt")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *n < 0 {
		fs.Usage()
		return 2
	}
	mix, err := gen.ParseMix(*mixFlag)
	if err != nil {
		fmt.Fprintf(stderr, "scrubd-gen: %v\n", err)
		return 2
	}
	g := gen.New(*seed)
	if *seedsPath == "" {
		if _, err := g.Write(stdout, *n, mix); err != nil {
			fmt.Fprintf(stderr, "scrubd-gen: %v\n", err)
			return 1
		}
		return 0
	}
	if err := writeWithSeeds(g, *n, mix, stdout, *seedsPath); err != nil {
		fmt.Fprintf(stderr, "scrubd-gen: %v\n", err)
		return 1
	}
	return 0
}

// writeWithSeeds writes the lines to w and their seeds to the file at path.
func writeWithSeeds(g *gen.Generator, n int, mix gen.Mix, w io.Writer, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create seeds file: %w", err)
	}
	defer f.Close()
	lw := bufio.NewWriterSize(w, 256<<10)
	sw := bufio.NewWriterSize(f, 256<<10)
	enc := json.NewEncoder(sw)
	enc.SetEscapeHTML(false)
	var line []byte
	for i := range n {
		k := g.Next(mix)
		line = g.AppendLine(line[:0], k)
		line = append(line, '\n')
		if _, err := lw.Write(line); err != nil {
			return fmt.Errorf("write lines: %w", err)
		}
		sl := seedLine{Line: i + 1, Kind: k.String(), Seeds: []seedJSON{}}
		for _, s := range g.Seeded() {
			sl.Seeds = append(sl.Seeds, seedJSON{Type: string(s.Type), Value: s.Value, Start: s.Start, End: s.End})
		}
		if err := enc.Encode(sl); err != nil {
			return fmt.Errorf("write seeds: %w", err)
		}
	}
	if err := lw.Flush(); err != nil {
		return fmt.Errorf("write lines: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("write seeds: %w", err)
	}
	return f.Close()
}
