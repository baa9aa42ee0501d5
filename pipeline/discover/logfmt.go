package discover

// A pair is one key=value pair of a logfmt record, by byte offsets: the key
// is rec[ks:ke], the value rec[vs:ve] (inside its quotes when quoted; empty
// for a bare key), and the pair ends before rec[end] (after the closing
// quote of a quoted value; at ke for a bare key).
type pair struct {
	ks, ke, vs, ve, end int
}

// logfmtPairs appends the pairs of a logfmt record to dst, in order. It
// never fails: logfmt has no error a discovery needs to stop at, so a bare
// word is a key without a value, and a quoted value that is not closed runs
// to the end of the record. It is hand-written rather than taken from
// go-logfmt because discovery needs the byte offsets of keys and values,
// which no logfmt library reports.
func logfmtPairs(dst []pair, rec []byte) []pair {
	i := 0
	for i < len(rec) {
		for i < len(rec) && rec[i] <= ' ' {
			i++
		}
		if i >= len(rec) {
			break
		}
		p := pair{ks: i}
		for i < len(rec) && rec[i] > ' ' && rec[i] != '=' && rec[i] != '"' {
			i++
		}
		p.ke = i
		if p.ke == p.ks {
			// A stray '=' or quote: skip it and what is glued to it.
			for i < len(rec) && rec[i] > ' ' {
				i++
			}
			continue
		}
		p.vs, p.ve, p.end = i, i, i
		if i < len(rec) && rec[i] == '=' {
			i++
			p.vs, i, p.ve = value(rec, i)
			p.end = i
		}
		dst = append(dst, p)
	}
	return dst
}

// value reads the value that starts at rec[i]: a quoted string (backslash
// escapes its quote) or a run of bytes up to the next space. It returns the
// value's span and where the next pair may start.
func value(rec []byte, i int) (vs, next, ve int) {
	if i >= len(rec) || rec[i] != '"' {
		vs = i
		for i < len(rec) && rec[i] > ' ' {
			i++
		}
		return vs, i, i
	}
	i++
	vs = i
	for i < len(rec) {
		switch rec[i] {
		case '\\':
			i += 2
			continue
		case '"':
			return vs, i + 1, i
		}
		i++
	}
	return vs, len(rec), len(rec)
}

// keyAt returns the index in pairs of the pair whose value (with its '='
// and quotes) holds the byte offset off, or -1: a finding in a bare word or
// in a key is in no field.
func keyAt(pairs []pair, off int) int {
	lo, hi := 0, len(pairs)
	for lo < hi {
		m := (lo + hi) / 2
		if pairs[m].ks <= off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	k := lo - 1
	if k < 0 || off <= pairs[k].ke-1 || off >= pairs[k].end {
		return -1
	}
	return k
}
