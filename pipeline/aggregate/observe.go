package aggregate

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"time"

	"github.com/scrubd/scrubd/detectors"
	"github.com/scrubd/scrubd/rules"
)

// Finder runs the policy's detectors over a value; *rules.Engine
// implements it. A value in which it finds anything, or on which it fails,
// is never shown in a dimension.
type Finder interface {
	ScrubText(dst, text []byte, res *rules.Result) ([]byte, error)
}

// Geo is where a record comes from; empty fields are unknown.
type Geo struct {
	Country      string
	Jurisdiction string
}

// Observation is what one record adds to the aggregates: its event time
// and its dimension values, in the Observer's order.
type Observation struct {
	// Time is the event time in Unix milliseconds.
	Time int64
	// Dims are the dimension values. They belong to the Scratch given to
	// Observe and are valid until it is used again.
	Dims []string
	// Fallback is true when the record had no usable event time and
	// Time is the fallback time given to Observe.
	Fallback bool
	// Subject is a hash of the record's first data subject (the pseudonym
	// rules made of it), for counting distinct subjects per bucket; 0
	// when the record names none, which then counts as a subject of its
	// own.
	Subject uint64
}

// Scratch is the reusable memory of one goroutine's Observe calls.
type Scratch struct {
	res  rules.Result
	buf  []byte
	vals []string
}

// Observer derives observations from records. It is safe for concurrent
// use when each goroutine brings its own Scratch.
type Observer struct {
	dims      []Dim
	times     *TimeParser
	ua        *UAParser // nil when neither browser nor os is a dimension
	finder    Finder
	maxFuture time.Duration
	seed      maphash.Seed // hashes subjects; random per process, never persisted
}

// NewObserver returns an Observer of dims. finder checks dimension values
// (see Finder); ua may be nil when dims has neither DimBrowser nor DimOS.
// An event time later than maxFuture past the time given to Observe is
// not believed, and the fallback time is used instead.
func NewObserver(dims []Dim, times *TimeParser, ua *UAParser, finder Finder, maxFuture time.Duration) (*Observer, error) {
	if finder == nil || times == nil {
		return nil, fmt.Errorf("aggregate observer: finder and time parser are required")
	}
	if ua == nil && (slices.Contains(dims, DimBrowser) || slices.Contains(dims, DimOS)) {
		return nil, fmt.Errorf("aggregate observer: the browser and os dimensions need a user-agent parser")
	}
	return &Observer{dims: slices.Clone(dims), times: times, ua: ua, finder: finder, maxFuture: maxFuture, seed: maphash.MakeSeed()}, nil
}

// Dims returns the dimensions, in the order of Observation.Dims.
func (o *Observer) Dims() []Dim { return o.dims }

// Observe returns the observation of the record whose extracted values
// res holds (res is only read), which comes from geo. fallback is the
// event time when the record has none that parses (the Kafka record's
// timestamp); now is the processing time.
func (o *Observer) Observe(res *rules.Result, geo Geo, fallback, now time.Time, s *Scratch) Observation {
	obs := Observation{}
	if t, ok := o.times.Parse(res.Extracted(rules.ExtractTimestamp)); ok && !t.After(now.Add(o.maxFuture)) {
		obs.Time = t.UnixMilli()
	} else {
		obs.Time, obs.Fallback = fallback.UnixMilli(), true
	}
	s.vals = s.vals[:0]
	var method, path string
	var browser, os string
	for _, d := range o.dims {
		var v string
		switch d {
		case DimEvent:
			v = o.token(res.Extracted(rules.ExtractEvent), s)
		case DimPath, DimMethod:
			if path == "" {
				method, path = o.template(res.Extracted(rules.ExtractPath), s)
			}
			v = path
			if d == DimMethod {
				v = method
			}
		case DimCountry:
			v = Unknown
			if len(geo.Country) == 2 && plainToken(geo.Country) {
				v = geo.Country
			}
		case DimJurisdiction:
			v = Unknown
			if geo.Jurisdiction != "" {
				v = geo.Jurisdiction
				if !plainToken(v) {
					v = Other
				}
			}
		case DimBrowser, DimOS:
			if browser == "" {
				browser, os = o.families(res.Extracted(rules.ExtractUserAgent), s)
			}
			v = browser
			if d == DimOS {
				v = os
			}
		case DimStatus:
			v = status(res.Extracted(rules.ExtractStatus))
		}
		s.vals = append(s.vals, v)
	}
	obs.Dims = s.vals
	obs.Subject = o.subject(res)
	return obs
}

// subject hashes the record's first subject's pseudonym; 0 means none. The
// pseudonym is already a keyed hash; hashing it again to 64 bits keeps a
// bucket's set of subjects small, with a collision chance of about
// k^2/2^65, negligible for the k of aggregates.
func (o *Observer) subject(res *rules.Result) uint64 {
	if len(res.Subjects) == 0 {
		return 0
	}
	return max(1, maphash.Bytes(o.seed, res.Pseudonym(res.Subjects[0])))
}

// token returns raw as a dimension value: Unknown when empty, Other when
// not a plain token or when the detectors find anything in it.
func (o *Observer) token(raw []byte, s *Scratch) string {
	raw = bytes.Trim(raw, "\" \t")
	switch {
	case len(raw) == 0:
		return Unknown
	case !plainToken(string(raw)) || !o.safe(raw, s):
		return Other
	}
	return string(raw)
}

// template returns the method and path template of raw (see Template),
// with every segment in which the detectors find anything replaced by
// IDSegment.
func (o *Observer) template(raw []byte, s *Scratch) (method, path string) {
	raw = bytes.Trim(raw, "\" \t")
	if len(raw) == 0 {
		return Unknown, Unknown
	}
	method, path = Template(raw)
	out, err := o.finder.ScrubText(s.buf[:0], []byte(path), &s.res)
	s.buf = out
	if err != nil {
		return method, IDSegment
	}
	if len(s.res.Findings) == 0 && !s.res.Dropped {
		return method, path
	}
	return method, replaceFound(path, s.res.Findings)
}

// families returns the browser and OS families of the User-Agent raw.
func (o *Observer) families(raw []byte, s *Scratch) (browser, os string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return Unknown, Unknown
	}
	return o.ua.Families(raw, func(v string) bool { return o.safe([]byte(v), s) })
}

// safe reports whether the detectors find nothing in v.
func (o *Observer) safe(v []byte, s *Scratch) bool {
	out, err := o.finder.ScrubText(s.buf[:0], v, &s.res)
	s.buf = out
	return err == nil && len(s.res.Findings) == 0 && !s.res.Dropped
}

// status returns the HTTP status raw holds, Unknown when empty and Other
// when it is not a number from 100 to 599.
func status(raw []byte) string {
	raw = bytes.Trim(raw, "\" \t")
	if len(raw) == 0 || string(raw) == "-" {
		return Unknown
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil || n < 100 || n > 599 {
		return Other
	}
	return strconv.Itoa(n)
}

// replaceFound replaces every segment of the template path that overlaps
// a finding with IDSegment.
func replaceFound(path string, fs []detectors.Finding) string {
	var b []byte
	start := 0
	for i := 0; i <= len(path); i++ {
		if i < len(path) && path[i] != '/' {
			continue
		}
		seg := path[start:i]
		if seg != "" && overlaps(fs, start, i) {
			b = append(b, IDSegment...)
		} else {
			b = append(b, seg...)
		}
		if i < len(path) {
			b = append(b, '/')
		}
		start = i + 1
	}
	return string(b)
}

func overlaps(fs []detectors.Finding, s, e int) bool {
	for _, f := range fs {
		if f.Start < e && f.End > s {
			return true
		}
	}
	return false
}
