package rules

// Place is the kind of place in a record where a finding is (see
// Result.Location).
type Place uint8

// The places of findings.
const (
	// PlaceText: free text, a logfmt or text record, an envelope, or the
	// text after the fields of an access-log line; no field path.
	PlaceText Place = iota
	// PlaceJSON: a value (or a key) under a JSON key path.
	PlaceJSON
	// PlaceAccess: a field of an access-log line, by its Nginx name.
	PlaceAccess
)

func (p Place) String() string {
	switch p {
	case PlaceJSON:
		return "json"
	case PlaceAccess:
		return "access"
	}
	return "text"
}

// A location is where one finding is: its place and its path, a span of the
// result's arena.
type location struct {
	place Place
	s, e  int
}

// locate records where the finding being noted is, when the caller asked
// for locations (Result.Locate). The path is copied into the result's
// arena, so that a reused Result locates without allocating.
func (w *walker) locate() {
	r := w.res
	l := location{s: len(r.arena)}
	switch {
	case w.inJSON:
		l.place = PlaceJSON
		for i, k := range w.path {
			if i > 0 {
				r.arena = append(r.arena, '.')
			}
			for _, c := range k {
				if c == '.' || c == '\\' {
					r.arena = append(r.arena, '\\')
				}
				r.arena = append(r.arena, c)
			}
		}
	case w.accessField > 0:
		l.place = PlaceAccess
		r.arena = append(r.arena, accessNames[w.accessField-1]...)
	}
	l.e = len(r.arena)
	r.locs = append(r.locs, l)
}

// Location returns where Findings[i] is: its place and its field path (the
// JSON keys from the top, joined with '.', array elements left out, or the
// access-log field's name; empty for text). A '.' or '\' inside a JSON key
// is escaped with a '\', so that the keys can be told apart. ok is false
// when the Result's Locate was not set for the scrub that filled it.
//
// The path is the keys as the record wrote them, decoded: a key can itself
// be personal data (an object keyed by e-mail address), so a caller that
// shows paths must scrub them first. It is valid until the Result is
// reused.
func (r *Result) Location(i int) (place Place, path []byte, ok bool) {
	if !r.Locate || i < 0 || i >= len(r.locs) {
		return PlaceText, nil, false
	}
	l := r.locs[i]
	return l.place, r.arena[l.s:l.e], true
}
