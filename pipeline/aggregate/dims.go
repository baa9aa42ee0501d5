package aggregate

import (
	"fmt"
	"slices"
	"strings"
)

// Dim is a dimension that aggregates count by.
type Dim string

// The dimensions. Every value is coarse: a template, a family, a code.
const (
	// DimEvent is the event type the policy extracts (extract.event).
	DimEvent Dim = "event"
	// DimPath is the page path template (extract.path) with id-like
	// segments replaced by "{id}" and the query string dropped.
	DimPath Dim = "path"
	// DimMethod is the HTTP method of an access-log request line.
	DimMethod Dim = "method"
	// DimCountry is the ISO 3166-1 alpha-2 country of the client address.
	DimCountry Dim = "country"
	// DimJurisdiction is the jurisdiction of the country, from the policy.
	DimJurisdiction Dim = "jurisdiction"
	// DimBrowser is the browser family of the User-Agent ("Chrome").
	DimBrowser Dim = "browser"
	// DimOS is the operating-system family of the User-Agent ("Android").
	DimOS Dim = "os"
	// DimStatus is the HTTP status code (100 to 599).
	DimStatus Dim = "status"
)

// AllDims lists every dimension in its canonical order.
var AllDims = []Dim{DimEvent, DimPath, DimMethod, DimCountry, DimJurisdiction, DimBrowser, DimOS, DimStatus}

// Values of dimensions that are not a record's own.
const (
	// Other is the value of every dimension of the bucket that buckets of
	// fewer than k records are folded into, and the value of a dimension
	// whose record value is unsafe to show (not a short plain token, or
	// one in which the policy's detectors find personal data).
	Other = "__other__"
	// Unknown is the value of a dimension the record does not give.
	Unknown = "unknown"
)

// ParseDims checks names against the known dimensions and returns them.
// Duplicates and unknown names are errors; an empty list is an error.
func ParseDims(names []string) ([]Dim, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("no dimensions; choose from %s", dimList())
	}
	out := make([]Dim, 0, len(names))
	for _, n := range names {
		d := Dim(n)
		if !slices.Contains(AllDims, d) {
			return nil, fmt.Errorf("unknown dimension %q; one of %s", n, dimList())
		}
		if slices.Contains(out, d) {
			return nil, fmt.Errorf("dimension %q named twice", n)
		}
		out = append(out, d)
	}
	return out, nil
}

func dimList() string {
	s := make([]string, len(AllDims))
	for i, d := range AllDims {
		s[i] = string(d)
	}
	return strings.Join(s, ", ")
}

// maxTokenLen bounds a dimension value other than a path template.
const maxTokenLen = 64

// plainToken reports whether v may be a dimension value as it is: 1 to
// maxTokenLen bytes of ASCII letters, digits, space and "._-:/+()".
// Anything else (other bytes, control characters, '@', '=', '%', quotes,
// the key separator) makes the value unsafe.
func plainToken(v string) bool {
	if v == "" || len(v) > maxTokenLen {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == ' ' || c == '.' || c == '_' || c == '-' || c == ':' || c == '/' || c == '+' || c == '(' || c == ')':
		default:
			return false
		}
	}
	return true
}

// keySep separates dimension values in a bucket's map key; no value may
// contain it (plainToken and the path template exclude it).
const keySep = '\x00'

// appendKey appends the map key of the values vals.
func appendKey(dst []byte, vals []string) []byte {
	for i, v := range vals {
		if i > 0 {
			dst = append(dst, keySep)
		}
		dst = append(dst, v...)
	}
	return dst
}

// DimsSchema names a list of dimensions and their order, for changelog
// entries: "event,path,status".
func DimsSchema(dims []Dim) string {
	s := make([]string, len(dims))
	for i, d := range dims {
		s[i] = string(d)
	}
	return strings.Join(s, ",")
}
