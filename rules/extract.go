package rules

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// Extract names a value that scrubd reads out of a record, before scrubbing,
// for its own use: the client address (for GeoIP), the event time (for
// aggregate windows), the coarse dimensions of aggregates, and the fields
// that mark a minor's record. Extracted values are raw personal data: they
// never leave scrubd; only what is derived from them does (a country, a
// window, a browser family).
type Extract int

// The values extracted.
const (
	ExtractClientIP  Extract = iota // the client's IP address
	ExtractTimestamp                // the event time
	ExtractEvent                    // the event type
	ExtractPath                     // the page or request path (or the request line)
	ExtractStatus                   // the HTTP status
	ExtractUserAgent                // the User-Agent string
	ExtractAge                      // the subject's age
	ExtractMinor                    // a flag saying the subject is a minor
	numExtract
)

var extractNames = [numExtract]string{"client_ip", "timestamp", "event", "path", "status", "user_agent", "age", "minor"}

func (x Extract) String() string {
	if x >= 0 && x < numExtract {
		return extractNames[x]
	}
	return "extract(" + strconv.Itoa(int(x)) + ")"
}

// extractIndex compiles the policy's extract paths; the index of a pattern
// maps to its Extract through owner.
type extractIndex struct {
	idx   pathIndex
	owner []Extract
}

func compileExtract(m map[string][]string) (extractIndex, error) {
	var x extractIndex
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		e, ok := extractByName(n)
		if !ok {
			return x, fmt.Errorf("unknown extract %q; one of %s", n, strings.Join(extractNames[:], ", "))
		}
		for _, p := range m[n] {
			pp, err := compilePath(p)
			if err != nil {
				return x, fmt.Errorf("extract %s: %w", n, err)
			}
			x.idx.add(pp)
			x.owner = append(x.owner, e)
		}
	}
	return x, nil
}

func extractByName(n string) (Extract, bool) {
	for i, name := range extractNames {
		if name == n {
			return Extract(i), true
		}
	}
	return 0, false
}

// of returns what path is extracted as, or -1.
func (x *extractIndex) of(path [][]byte) Extract {
	if i := x.idx.first(path); i >= 0 {
		return x.owner[i]
	}
	return -1
}

// Extracted returns the raw value of x in the record last scrubbed or
// extracted into r, or nil. It is valid until r is reused.
func (r *Result) Extracted(x Extract) []byte {
	if x < 0 || x >= numExtract || !r.has[x] {
		return nil
	}
	return r.arena[r.fields[x][0]:r.fields[x][1]]
}

// setExtract records the value v of x unless one is recorded already: the
// first occurrence in the record wins.
func (r *Result) setExtract(x Extract, v []byte) {
	if x < 0 || x >= numExtract || r.has[x] {
		return
	}
	s := len(r.arena)
	r.arena = append(r.arena, v...)
	r.fields[x] = [2]int{s, len(r.arena)}
	r.has[x] = true
}

// ClientIP returns the client address of the record: the extracted client
// IP, without a port or brackets, and of a list (X-Forwarded-For) the first
// entry. ok is false when there is none or it does not parse.
func (r *Result) ClientIP() (addr netip.Addr, ok bool) {
	return parseClientIP(r.Extracted(ExtractClientIP))
}

func parseClientIP(v []byte) (netip.Addr, bool) {
	s := strings.TrimSpace(string(v))
	if i := strings.IndexByte(s, ','); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if s == "" {
		return netip.Addr{}, false
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone(""), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil {
			return a.WithZone(""), true
		}
	}
	return netip.Addr{}, false
}

// Minors configures how a minor's record is recognised.
type Minors struct {
	// BelowAge: a record whose extracted age is below it is a minor's.
	// Default 16; 0 switches the age test off.
	BelowAge *int `yaml:"below_age"`
	// Aggregate says whether minors' records are counted in aggregates.
	// Default false.
	Aggregate bool `yaml:"aggregate"`
}

// minor decides from the extracted age and minor flag whether the record is
// a minor's.
func (r *Result) minor(belowAge int) bool {
	if v := r.Extracted(ExtractMinor); v != nil {
		switch strings.ToLower(strings.Trim(string(v), `" `)) {
		case "true", "1", "yes", "y":
			return true
		}
	}
	if v := r.Extracted(ExtractAge); v != nil && belowAge > 0 {
		if age, err := strconv.ParseFloat(strings.Trim(string(v), `" `), 64); err == nil && age >= 0 && age < float64(belowAge) {
			return true
		}
	}
	return false
}
