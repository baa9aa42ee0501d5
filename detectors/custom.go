package detectors

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	"github.com/dlclark/regexp2/v2"
)

// DefaultCustomTimeout bounds one custom detector's work on one input when
// Custom.Timeout is zero.
const DefaultCustomTimeout = 100 * time.Millisecond

// Custom is a detector written as a regular expression in the .NET/Perl
// dialect of regexp2 (lookarounds and backreferences allowed). Because such
// expressions can backtrack catastrophically, its search in one input runs
// under a timeout.
type Custom struct {
	// Name is the type reported for its findings, such as "order_id".
	Name Type
	// Pattern is the expression. Every match is a finding.
	Pattern string
	// IgnoreCase makes the expression case-insensitive.
	IgnoreCase bool
	// Timeout bounds the whole search in one input: all the detector's
	// match attempts on it together, not each one. Once they have taken
	// longer, Scan fails with ErrTimeout. The time is checked between
	// matches, and regexp2 stops a single attempt on a coarse clock (it
	// ticks every 100 ms), so the search can overrun by one attempt's
	// time. Zero means DefaultCustomTimeout.
	Timeout time.Duration
}

// ErrTimeout is wrapped by the error Scan returns when a custom detector ran
// out of time on an input. The input must then be treated as unscanned.
var ErrTimeout = errors.New("custom detector timed out")

// A DetectorError reports that a custom detector failed on an input. It names
// the detector only: regexp2's own errors quote the input, which may be
// personal data, so they are never passed on.
type DetectorError struct {
	Detector Type
	Timeout  bool
}

func (e *DetectorError) Error() string {
	if e.Timeout {
		return fmt.Sprintf("detector %q: %v", e.Detector, ErrTimeout)
	}
	return fmt.Sprintf("detector %q failed", e.Detector)
}

// Unwrap lets errors.Is(err, ErrTimeout) find a timeout.
func (e *DetectorError) Unwrap() error {
	if e.Timeout {
		return ErrTimeout
	}
	return nil
}

type customDetector struct {
	name    Type
	re      *regexp2.Regexp
	timeout time.Duration // for all the matches in one input
}

func newCustomDetector(c Custom) (*customDetector, error) {
	if c.Name == "" {
		return nil, errors.New("a custom detector needs a name")
	}
	if IsBuiltin(c.Name) {
		return nil, fmt.Errorf("name %q is a built-in type", c.Name)
	}
	var opts regexp2.RegexOptions
	if c.IgnoreCase {
		opts |= regexp2.IgnoreCase
	}
	re, err := regexp2.Compile(c.Pattern, opts)
	if err != nil {
		return nil, err
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultCustomTimeout
	}
	// regexp2's own timeout bounds one match attempt; find bounds them all.
	re.MatchTimeout = timeout
	return &customDetector{name: c.Name, re: re, timeout: timeout}, nil
}

// find appends the matches of d in b. All of them together get d.timeout:
// a pattern that matches cheaply but very often (a lookahead that reads to
// the end of the input from every match) is stopped as surely as one that
// backtracks within a single attempt.
func (d *customDetector) find(dst []Finding, b []byte) ([]Finding, error) {
	if len(b) == 0 {
		return dst, nil
	}
	start := time.Now()
	// regexp2 does not keep the string beyond the last match it returns,
	// which is dropped here, and b is not modified while it runs.
	s := unsafe.String(&b[0], len(b))
	m, err := d.re.FindStringMatch(s)
	for err == nil && m != nil {
		if i, n := m.ByteRange(); n > 0 {
			dst = append(dst, Finding{Type: d.name, Start: i, End: i + n})
		}
		if time.Since(start) > d.timeout {
			return dst, &DetectorError{Detector: d.name, Timeout: true}
		}
		m, err = d.re.FindNextMatch(m)
	}
	if err != nil {
		return dst, &DetectorError{Detector: d.name, Timeout: true}
	}
	return dst, nil
}

// scanCustom adds the custom detectors' findings to dst[base:], which holds
// the built-in findings in order, and resolves overlaps: of two overlapping
// findings the longer stays, and on a tie the built-in one.
func (s *Scanner) scanCustom(dst []Finding, base int, b []byte) ([]Finding, error) {
	var extra []Finding
	var err error
	for _, d := range s.custom {
		extra, err = d.find(extra, b)
		if err != nil {
			return dst, err
		}
	}
	if len(extra) == 0 {
		return dst, nil
	}
	merged := append([]Finding(nil), dst[base:]...)
	merged = append(merged, extra...)
	sortFindings(merged)
	out := dst[:base]
	for _, f := range merged {
		if k := len(out) - 1; k >= base && f.Start < out[k].End {
			if f.End-f.Start > out[k].End-out[k].Start {
				out[k] = f
			}
			continue
		}
		out = append(out, f)
	}
	return out, nil
}

// sortFindings sorts by start, then by longer span first. Lists are short, so
// an insertion sort is enough and allocates nothing.
func sortFindings(fs []Finding) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && less(fs[j], fs[j-1]); j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

func less(a, b Finding) bool {
	if a.Start != b.Start {
		return a.Start < b.Start
	}
	return a.End-a.Start > b.End-b.Start
}
