package detectors

// Once a line names a person in full ("directed by Maciej Borkowski"), the
// same words stand for that person elsewhere in it ("and starring
// Borkowski", "everyone calls me Ján"), though alone they would need a cue;
// and the capitalized words listed with a name ("Morrison, Rogers and
// Torres") are names of the same kind. Both are judged after the name pass,
// and only on the few lines where it found a person, so log lines pay
// nothing for them.

// maxRepeatWords bounds the name words whose repeats are looked for.
const maxRepeatWords = 8

// personRepeats appends to dst the repeats in b of the words of the person
// findings dst[from:] (those of the name pass) and the names listed with
// them, and keeps dst[from:] in order. main holds the findings of the main
// pass, which a new finding may not overlap.
func (nm *nameMatchers) personRepeats(dst []Finding, from int, main []Finding, b []byte) []Finding {
	var words [maxRepeatWords][2]int
	nw := 0
	for _, f := range dst[from:] {
		if f.Type != Person {
			continue
		}
		for i := f.Start; i < f.End && nw < maxRepeatWords; {
			e := wordEnd(b, i)
			if e-i >= 3 && (b[i] >= 'A' && b[i] <= 'Z' || capitalAt(b, i)) && nm.lex.get(foldHash(b[i:e]))&(lxTitle|lxSalute|lxJob) == 0 {
				words[nw] = [2]int{i, e}
				nw++
			}
			if e == i {
				e++
			}
			i = e
		}
	}
	if nw == 0 {
		return dst
	}
	n0 := len(dst)
	for i := 0; i < len(b); {
		if b[i] < 'A' || b[i] > 'Z' && b[i] < 0x80 || i > 0 && (class[b[i-1]]&cAlnum != 0 || b[i-1] >= 0x80) {
			i++
			continue
		}
		e := wordEnd(b, i)
		if e == i {
			i++
			continue
		}
		if nm.repeatOf(b, i, e, words[:nw]) && !codeAround(b, i, e) && !overlapsMain(dst[from:], i, e) && !overlapsMain(main, i, e) {
			dst = append(dst, Finding{Type: Person, Start: i, End: e})
		}
		i = e
	}
	// The names listed with a person: each finding of the pass, the
	// repeats too, extends its list both ways, when a given name stands in
	// it: "Owens, Duran and Oneal", surnames alone, is how firms are named.
	for x := from; x < len(dst); x++ {
		if dst[x].Type != Person {
			continue
		}
		var mates [maxRepeatWords][2]int
		nm8 := 0
		given := nm.givenAt(b, dst[x].Start)
		for st := dst[x].Start; nm8 < maxRepeatWords; {
			ws, we := nm.listMateBefore(b, st)
			if we == 0 || overlapsMain(dst[from:], ws, we) || overlapsMain(main, ws, we) {
				break
			}
			mates[nm8] = [2]int{ws, we}
			nm8++
			given = given || nm.givenAt(b, ws)
			st = ws
		}
		for end := dst[x].End; nm8 < maxRepeatWords; {
			ws, we := nm.listMateAfter(b, end)
			if we == 0 || overlapsMain(dst[from:], ws, we) || overlapsMain(main, ws, we) {
				break
			}
			mates[nm8] = [2]int{ws, we}
			nm8++
			given = given || nm.givenAt(b, ws)
			end = we
		}
		if !given {
			continue
		}
		for _, m := range mates[:nm8] {
			dst = append(dst, Finding{Type: Person, Start: m[0], End: m[1]})
		}
	}
	if len(dst) > n0 {
		sortFindings(dst[from:])
	}
	return dst
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

// repeatOf reports whether the word b[st:end] is one of words (spans of b).
func (nm *nameMatchers) repeatOf(b []byte, st, end int, words [][2]int) bool {
	w := b[st:end]
	for _, x := range words {
		if x[0] != st && string(b[x[0]:x[1]]) == string(w) {
			return true
		}
	}
	return false
}
