package detectors

import "bytes"

// Once a line names a person in full ("directed by Maciej Borkowski"), the
// same words stand for that person elsewhere in it ("and starring
// Borkowski", "everyone calls me Ján"), though alone they would need a cue;
// and the capitalized words listed with a given name ("Gaetane, Hannah and
// Derek") are names of the same kind. Both are judged after the name pass,
// and only on the few lines where it found something, so log lines pay
// nothing for them; so is the town that follows a street ("Apt. 397, Mora
// de Rubielos"), which is dropped.

// maxRepeatWords bounds the name words whose repeats are looked for, and
// the names a list adds.
const maxRepeatWords = 8

// personRepeats drops from dst[from:] (the findings of the name pass) the
// persons that are the town of an address, then appends the repeats in b
// of the words of the persons left and the names listed with them, and
// keeps dst[from:] in order. main holds the findings of the main
// pass, which a new finding may not overlap.
func (nm *nameMatchers) personRepeats(dst []Finding, from int, main []Finding, b []byte) []Finding {
	dst = dropCityAfterStreet(dst, from, b)
	var words [maxRepeatWords][2]int
	nw := 0
	for _, f := range dst[from:] {
		if f.Type != Person {
			continue
		}
		// A finding holds no title ("Dr", "Dear": personAt drops them),
		// so its capitalized words are name words.
		for i := f.Start; i < f.End && nw < maxRepeatWords; {
			e := wordEnd(b, i)
			if e-i >= 3 && (b[i] >= 'A' && b[i] <= 'Z' || capitalAt(b, i)) {
				words[nw] = [2]int{i, e}
				nw++
			}
			i = max(e, i+1)
		}
	}
	if nw == 0 {
		return dst
	}
	n0 := len(dst)
	for _, x := range words[:nw] {
		w := b[x[0]:x[1]]
		for off := 0; off < len(b); {
			k := bytes.Index(b[off:], w)
			if k < 0 {
				break
			}
			i := off + k
			e := i + len(w)
			off = e
			if i == x[0] || i > 0 && (class[b[i-1]]&cAlnum != 0 || b[i-1] >= 0x80) || e < len(b) && (class[b[e]]&cAlnum != 0 || b[e] >= 0x80) {
				continue // the word itself, or inside another word
			}
			if !codeAround(b, i, e) && !overlapsMain(dst[from:], i, e) && !overlapsMain(main, i, e) {
				dst = append(dst, Finding{Type: Person, Start: i, End: e})
			}
		}
	}
	// The names listed with a person: each finding of the pass, the
	// repeats too, extends its list both ways.
	for x := from; x < len(dst); x++ {
		if dst[x].Type != Person {
			continue
		}
		if _, we := nm.listMateBefore(b, dst[x].Start); we == 0 {
			if _, we := nm.listMateAfter(b, dst[x].End); we == 0 {
				continue // no list: most names
			}
		}
		dst = nm.listMates(dst, from, main, b, dst[x])
	}
	if len(dst) > n0 {
		sortFindings(dst[from:])
	}
	return dst
}

// listMates appends the names listed with the person f, when a given name
// stands in the list: "Owens, Duran and Oneal", surnames alone, is how
// firms are named.
func (nm *nameMatchers) listMates(dst []Finding, from int, main []Finding, b []byte, f Finding) []Finding {
	var mates [maxRepeatWords][2]int
	n := 0
	given := false
	for st := f.Start; n < maxRepeatWords; {
		ws, we := nm.listMateBefore(b, st)
		if we == 0 || overlapsMain(dst[from:], ws, we) || overlapsMain(main, ws, we) {
			break
		}
		mates[n] = [2]int{ws, we}
		n++
		given = given || nm.givenAt(b, ws)
		st = ws
	}
	for end := f.End; n < maxRepeatWords; {
		ws, we := nm.listMateAfter(b, end)
		if we == 0 || overlapsMain(dst[from:], ws, we) || overlapsMain(main, ws, we) {
			break
		}
		mates[n] = [2]int{ws, we}
		n++
		given = given || nm.givenAt(b, ws)
		end = we
	}
	if !given && !nm.givenAt(b, f.Start) {
		return dst
	}
	for _, m := range mates[:n] {
		dst = append(dst, Finding{Type: Person, Start: m[0], End: m[1]})
	}
	return dst
}

// dropCityAfterStreet drops from dst[from:] the person findings that follow
// an address finding with only spaces, line breaks or a comma between: a
// postal address goes on with its town ("Suite 084\n María Albina\n
// Uruguay", "Apt. 397, Mora de Rubielos"), and many towns bear a person's
// name.
func dropCityAfterStreet(dst []Finding, from int, b []byte) []Finding {
	out := from
	for x := from; x < len(dst); x++ {
		f := dst[x]
		if f.Type == Person && out > from && dst[out-1].Type == Address && onlyBreaks(b[dst[out-1].End:f.Start]) {
			continue
		}
		dst[out] = f
		out++
	}
	return dst[:out]
}

// onlyBreaks reports whether gap holds nothing but spaces, line breaks,
// commas and the quote marks of a mail reply ('>').
func onlyBreaks(gap []byte) bool {
	for _, c := range gap {
		switch c {
		case ' ', '\t', '\r', '\n', ',', '>':
		default:
			return false
		}
	}
	return true
}

// givenAt reports whether the word at b[i] is above all a given name.
func (nm *nameMatchers) givenAt(b []byte, i int) bool {
	end, h := capToken(b, i)
	return end > i+1 && givenFirst(nm.lex.get(h))
}

// listSeps are what stands between the items of a list of names.
var listSeps = [...]string{", and ", ", ", " and ", " or "}

// listMateAfter returns the span of the name listed right after the item
// ending at b[end] ("Rogers" in "Morrison, Rogers and"), or 0, 0.
func (nm *nameMatchers) listMateAfter(b []byte, end int) (int, int) {
	if end+2 >= len(b) || b[end] != ',' && b[end] != ' ' {
		return 0, 0
	}
	for _, sep := range listSeps {
		if end+len(sep) < len(b) && string(b[end:end+len(sep)]) == sep {
			st := end + len(sep)
			we := nm.listMate(b, st)
			if we == 0 {
				return 0, 0
			}
			// One word an item: a capitalized word after it makes it
			// part of a longer name, place or title.
			if we+1 < len(b) && b[we] == ' ' && (b[we+1] >= 'A' && b[we+1] <= 'Z' || capitalAt(b, we+1) || isDigit(b[we+1])) {
				return 0, 0
			}
			if p := wordEnd(b, we+1); we+1 < len(b) && b[we] == ' ' && particle(b[we+1:p]) {
				return 0, 0 // "Rúa do Paseo": a street or place
			}
			return st, we
		}
	}
	return 0, 0
}

// listMateBefore returns the span of the name listed right before the item
// starting at b[st], or 0, 0.
func (nm *nameMatchers) listMateBefore(b []byte, st int) (int, int) {
	if st < 3 || b[st-1] != ' ' || b[st-2] != ',' && b[st-2] != 'd' && b[st-2] != 'r' {
		return 0, 0 // every separator ends in ", ", "d " or "r "
	}
	for _, sep := range listSeps {
		if st-len(sep) > 0 && string(b[st-len(sep):st]) == sep {
			e := st - len(sep)
			ws := e
			for ws > 0 && (class[b[ws-1]]&cLetter != 0 || b[ws-1] >= 0x80 || b[ws-1] == '-' || b[ws-1] == '\'') {
				ws--
			}
			if ws == e || nm.listMate(b, ws) != e {
				return 0, 0
			}
			if ws > 1 && b[ws-1] == ' ' && class[b[ws-2]]&cLetter != 0 && b[ws-2] >= 'A' && b[ws-2] <= 'Z' {
				return 0, 0
			}
			if ws > 2 && b[ws-1] == ' ' && nm.lex.get(foldHash(prevLetters(b, ws-1)))&lxRunWord&^lxName != 0 {
				return 0, 0
			}
			return ws, e
		}
	}
	return 0, 0
}

// listMate returns the end of the capitalized word at b[i] when it can be
// an item of a list of names: name-shaped (see capToken), outside code and
// none of the words that make a run a title, a street, a place or a
// company; else 0.
func (nm *nameMatchers) listMate(b []byte, i int) int {
	if i >= len(b) || !(b[i] >= 'A' && b[i] <= 'Z' || capitalAt(b, i)) {
		return 0
	}
	end, h := capToken(b, i)
	if end <= i+1 || codeAround(b, i, end) {
		return 0
	}
	if nm.lex.get(h)&(lxStop|lxOrg|lxPlace|lxStreetAfter|lxStreetBefore|lxUnit|lxPOBox|lxTitle|lxSalute|lxJob) != 0 {
		return 0
	}
	return end
}

// prevLetters returns the run of ASCII letters that ends at b[end].
func prevLetters(b []byte, end int) []byte {
	s := end
	for s > 0 && class[b[s-1]]&cLetter != 0 {
		s--
	}
	return b[s:end]
}
