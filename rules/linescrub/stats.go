package linescrub

import (
	"fmt"
	"io"
	"sync"

	"github.com/scrubd/scrubd/pipeline/discover"
	"github.com/scrubd/scrubd/rules"
)

// stats gathers the findings of `scrubd scrub --stats` by field and
// type, one tally per worker, and shows progress on a terminal.
type stats struct {
	e        *rules.Engine
	mu       sync.Mutex
	tallies  []*discover.Tally
	progress *discover.Progress // nil: stderr is not a terminal

	// Counted by the writer as chunks are written, for the progress line.
	records, failed, bytes int64
}

func newStats(e *rules.Engine, stderr io.Writer) *stats {
	return &stats{e: e, progress: discover.NewProgress(stderr, "scrubd scrub")}
}

// tally returns a new tally for one worker.
func (st *stats) tally() *discover.Tally {
	if st == nil {
		return nil
	}
	t := discover.New(st.e)
	st.mu.Lock()
	st.tallies = append(st.tallies, t)
	st.mu.Unlock()
	return t
}

// written counts a chunk written and updates the progress line.
func (st *stats) written(c *chunk) {
	if st == nil {
		return
	}
	st.records += int64(len(c.ends))
	st.failed += int64(len(c.fails))
	st.bytes += int64(len(c.data))
	for _, b := range c.big {
		st.bytes += int64(b.n)
	}
	st.progress.Update(st.records, st.failed, st.bytes)
}

// WriteStats clears the progress line and writes the totals of the
// workers' tallies, once Run is done, as `scrubd discover` does; sources
// name the inputs. Without Options.Stats it writes nothing.
func (s *Scrubber) WriteStats(w io.Writer, sources []string) error {
	return s.stats.write(w, sources)
}

// write clears the progress line and writes the totals of the workers'
// tallies, once they are done, as `scrubd discover` does.
func (st *stats) write(w io.Writer, sources []string) error {
	if st == nil {
		return nil
	}
	st.progress.Done()
	total := discover.New(st.e)
	for _, t := range st.tallies {
		total.Merge(t)
	}
	if _, err := fmt.Fprintln(w, "scrubd scrub: findings by field and type"); err != nil {
		return err
	}
	return total.Report(sources).WriteTable(w)
}
