package discover

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// Progress shows, on a terminal, a line that says how far a long run has
// got, rewritten in place. It stays silent for the first second, so that a
// small input shows none, and on anything but a terminal.
type Progress struct {
	w     io.Writer
	label string
	now   func() time.Time
	start time.Time
	last  time.Time
	shown bool
}

// Progress timing.
const (
	progressDelay = time.Second            // before the first line
	progressEvery = 500 * time.Millisecond // between lines
)

// NewProgress returns a Progress writing to w, or nil when w is not a
// terminal. A nil *Progress does nothing.
func NewProgress(w io.Writer, label string) *Progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return newProgress(w, label, time.Now)
}

func newProgress(w io.Writer, label string, now func() time.Time) *Progress {
	t := now()
	return &Progress{w: w, label: label, now: now, start: t, last: t}
}

// Update shows the records and bytes read so far and the records that
// failed closed, when it is time to.
func (p *Progress) Update(records, failed, bytes int64) {
	if p == nil {
		return
	}
	t := p.now()
	if t.Sub(p.start) < progressDelay || p.shown && t.Sub(p.last) < progressEvery {
		return
	}
	p.last, p.shown = t, true
	secs := t.Sub(p.start).Seconds()
	fmt.Fprintf(p.w, "\r\x1b[K%s: %d records, %d failed closed, %.1f MB, %.1f MB/s", p.label, records, failed, float64(bytes)/1e6, float64(bytes)/1e6/secs)
}

// Done clears the progress line, if one was shown.
func (p *Progress) Done() {
	if p == nil || !p.shown {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K")
	p.shown = false
}
