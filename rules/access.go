package rules

import "bytes"

// accessFields are the byte spans of the fields of an access-log line in the
// Apache/Nginx common or combined format:
//
//	%h %l %u [%t] "%r" %>s %b "%{Referer}i" "%{User-Agent}i" ...
//
// Each field has the name Nginx gives its variable; field rules match them by
// that name ("remote_user", "http_referer").
type accessFields struct {
	spans [9][2]int
	n     int // fields present: 7 (common) or 9 (combined)
}

var accessNames = [9]string{
	"remote_addr", "remote_logname", "remote_user", "time_local", "request",
	"status", "body_bytes_sent", "http_referer", "http_user_agent",
}

// accessPaths are the key paths of the fields, made once.
var accessPaths = func() (p [9][][]byte) {
	for k, n := range accessNames {
		p[k] = [][]byte{[]byte(n)}
	}
	return p
}()

// accessScanned marks the fields the detectors scan when no field rule names
// them: all of them, even the status and size (which parseAccess checked to
// be digits), so that no field is ever passed unscanned.
var accessScanned = [9]bool{true, true, true, true, true, true, true, true, true}

// parseAccess recognises an access-log line and sets f to its fields.
// Anything after the last field it knows is scanned as text. f is the
// caller's, so that the many lines that are not access logs cost no copy of
// it.
func parseAccess(b []byte, f *accessFields) bool {
	f.n = 0
	// The time is bracketed and the request quoted: a line without a
	// quote (as most lines of free text are) or without a bracket (as
	// most logfmt lines are) is ruled out by a vectorised search.
	if len(b) < 20 || bytes.IndexByte(b, '"') < 0 || bytes.IndexByte(b, '[') < 0 {
		return false
	}
	i := 0
	// The first three fields are short words, each before one space: a
	// byte loop finds them faster than a call per word, and most lines
	// that are not access logs fail here.
	for k := range 3 {
		s := i
		for i < len(b) && b[i] != ' ' {
			i++
		}
		if i == s || i == len(b) {
			return false
		}
		f.spans[k] = [2]int{s, i}
		i++ // the space
	}
	quoted := func(k int) bool {
		if i >= len(b) || b[i] != '"' {
			return false
		}
		i++
		s := i
		for {
			q := bytes.IndexByte(b[i:], '"')
			if q < 0 {
				return false
			}
			i += q
			// A quote escaped by an odd number of backslashes is content.
			bs := 0
			for k := i - 1; k >= s && b[k] == '\\'; k-- {
				bs++
			}
			if bs%2 == 0 {
				break
			}
			i++
		}
		f.spans[k] = [2]int{s, i}
		i++
		return true
	}
	if i >= len(b) || b[i] != '[' {
		return false
	}
	s := i + 1
	for i < len(b) && b[i] != ']' {
		i++
	}
	if i >= len(b) || i+2 >= len(b) || b[i+1] != ' ' {
		return false
	}
	f.spans[3] = [2]int{s, i}
	i += 2
	if !quoted(4) || i >= len(b) || b[i] != ' ' {
		return false
	}
	i++
	// Status: three digits.
	s = i
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	if i-s != 3 || i >= len(b) || b[i] != ' ' {
		return false
	}
	f.spans[5] = [2]int{s, i}
	i++
	s = i
	for i < len(b) && ('0' <= b[i] && b[i] <= '9' || b[i] == '-') {
		i++
	}
	if i == s || i < len(b) && b[i] != ' ' {
		return false
	}
	f.spans[6] = [2]int{s, i}
	f.n = 7
	if i+1 < len(b) && b[i] == ' ' && b[i+1] == '"' {
		save := i
		i++
		if quoted(7) && i+1 < len(b) && b[i] == ' ' && b[i+1] == '"' {
			i++
			if quoted(8) {
				f.n = 9
				return true
			}
		}
		i = save
	}
	return true
}

// access scrubs an access-log line field by field.
func (w *walker) access(f *accessFields) error {
	in := w.in
	prev := 0
	for k := 0; k < f.n; k++ {
		s, e := f.spans[k][0], f.spans[k][1]
		w.accessField = k + 1
		w.out = append(w.out, in[prev:s]...)
		prev = e
		v := in[s:e]
		if x := w.e.accessExtract[k]; x >= 0 {
			w.res.setExtract(x, v)
		}
		if w.raw > 0 {
			continue // extracting only
		}
		if r := w.e.accessRules[k]; r != nil && r.shape.fits(v) {
			switch r.action {
			case Keep:
				w.out = append(w.out, v...)
				continue
			case DropRecord:
				if r.matchesValue(v) {
					w.dropRecord = true
					w.note(r.name, s, e, r.action)
				}
				w.out = append(w.out, v...)
				continue
			}
			if r.action == Pseudonymize && (len(v) == 0 || len(v) == 1 && v[0] == '-') {
				w.out = append(w.out, v...)
				continue
			}
			mark := len(w.out)
			w.out = w.apply(w.out, v, r)
			w.subject(r, v, w.out[mark:])
			w.note(r.name, s, e, r.action)
			continue
		}
		if !accessScanned[k] {
			w.out = append(w.out, v...)
			continue
		}
		// Referers and User-Agents repeat from line to line: one found
		// clean before is clean again.
		cache := &w.cleanRef
		if k == 8 {
			cache = &w.cleanUA
		}
		cacheable := (k == 7 || k == 8) && len(v) <= cleanMaxField
		if cacheable && *cache != nil {
			if _, ok := (*cache)[string(v)]; ok {
				w.out = append(w.out, v...)
				continue
			}
		}
		var err error
		var changed, drop bool
		nf := len(w.res.Findings)
		w.userAgent = k == 8
		// A time in the usual layout holds no key/value pair: the search
		// for them is skipped (it would find none).
		w.noPairs = k == 3 && accessTimeLayout(v)
		w.out, changed, drop, err = w.scrubText(w.out, v, s, nil, true)
		w.userAgent, w.noPairs = false, false
		if err != nil {
			return err
		}
		if cacheable && !changed && !drop && len(w.res.Findings) == nf && !w.dropRecord {
			if *cache == nil || len(*cache) >= cleanMaxEntries {
				*cache = make(map[string]struct{}, 256)
			}
			(*cache)[string(v)] = struct{}{}
		}
	}
	rest := in[prev:]
	w.accessField = 0
	if len(rest) > 0 && w.raw == 0 {
		var err error
		w.out, _, _, err = w.scrubText(w.out, rest, prev, nil, true)
		if err != nil {
			return err
		}
	}
	return nil
}

// accessTimeLayout reports whether v is a time in the layout of access logs,
// "10/Oct/2000:13:55:36 -0700", byte for byte: digits, a month of letters
// and a signed zone at their places.
func accessTimeLayout(v []byte) bool {
	if len(v) != 26 || v[2] != '/' || v[6] != '/' || v[11] != ':' || v[14] != ':' || v[17] != ':' || v[20] != ' ' ||
		v[21] != '+' && v[21] != '-' || !isLetter(v[3]) || !isLetter(v[4]) || !isLetter(v[5]) {
		return false
	}
	for _, k := range [...]int{0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19, 22, 23, 24, 25} {
		if !isDigit(v[k]) {
			return false
		}
	}
	return true
}
