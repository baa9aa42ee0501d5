package discover

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestProgress checks that the progress line waits a second, is rewritten
// at most twice a second, and is cleared at the end; and that a writer
// that is not a terminal gets none.
func TestProgress(t *testing.T) {
	now := time.Unix(0, 0)
	var b bytes.Buffer
	p := newProgress(&b, "scrubd scrub", func() time.Time { return now })
	p.Update(10, 0, 1000)
	if b.Len() != 0 {
		t.Fatalf("shown at once: %q", b.String())
	}
	now = now.Add(2 * time.Second)
	p.Update(20000, 3, 4e6)
	if got := b.String(); !strings.Contains(got, "scrubd scrub: 20000 records, 3 failed closed, 4.0 MB, 2.0 MB/s") || !strings.HasPrefix(got, "\r") {
		t.Errorf("progress line %q", got)
	}
	n := b.Len()
	now = now.Add(100 * time.Millisecond)
	p.Update(20001, 3, 4e6)
	if b.Len() != n {
		t.Error("rewritten within half a second")
	}
	p.Done()
	if !strings.HasSuffix(b.String(), "\r\x1b[K") {
		t.Errorf("not cleared: %q", b.String())
	}
	if NewProgress(&b, "x") != nil {
		t.Error("progress on a buffer")
	}
	var none *Progress
	none.Update(1, 1, 1)
	none.Done()
}
