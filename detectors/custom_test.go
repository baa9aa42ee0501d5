package detectors

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/google/go-cmp/cmp"
)

// TestCustomTimeoutBoundsWholeValue checks that a custom detector's timeout
// bounds all its matches in one value together. The pattern matches every
// "a" cheaply, but each match's lookahead reads to the end of the value, so
// the search is quadratic: about half a second for this value, where each
// match attempt alone takes well under the timeout. Bounded per attempt, the
// scan succeeded after that half second with 10,000 findings.
func TestCustomTimeoutBoundsWholeValue(t *testing.T) {
	const timeout = 10 * time.Millisecond
	s, err := New(Options{Custom: []Custom{{Name: "slow", Pattern: `a(?=[ab]*c)`, Timeout: timeout}}})
	if err != nil {
		t.Fatal(err)
	}
	value := []byte(strings.Repeat("ab", 10000) + "c")
	start := time.Now()
	found, err := s.Scan(nil, value)
	took := time.Since(start)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("scan of a value with %d matches did not time out (err %v, took %v)", len(found), err, took)
	}
	var de *DetectorError
	if !errors.As(err, &de) || de.Detector != "slow" {
		t.Errorf("error %v does not name the detector", err)
	}
	t.Logf("timed out after %v with %d findings (timeout %v)", took, len(found), timeout)
}

// TestCustomMatchesAsFindAll checks that find reports the same spans as
// regexp2's FindAllStringIndex, which it replaced: byte offsets, multi-byte
// and invalid UTF-8 before a match, empty matches left out.
func TestCustomMatchesAsFindAll(t *testing.T) {
	tests := []struct{ pattern, in string }{
		{`ORD-\d{6}`, "order ORD-123456 and ORD-000001, not ORD-12"},
		{`\d+`, "日本 42 \xff\xfe 7 naïve 123"},
		{`x*`, "axxbx"},
		{`(?<=id=)\w+`, "id=abc id=déf id="},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			d, err := newCustomDetector(Custom{Name: "c", Pattern: tt.pattern})
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.find(nil, []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			idx, err := regexp2.MustCompile(tt.pattern).FindAllStringIndex(tt.in, -1)
			if err != nil {
				t.Fatal(err)
			}
			var want []Finding
			for _, m := range idx {
				if m[1] > m[0] {
					want = append(want, Finding{Type: "c", Start: m[0], End: m[1]})
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("find(%q) (-FindAllStringIndex +find):\n%s", tt.in, diff)
			}
		})
	}
}
