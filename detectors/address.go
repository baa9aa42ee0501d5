package detectors

import "bytes"

// The address detector finds street addresses by their structure: a house
// number, a street name of capitalized words and a street-type word, in the
// orders the languages use ("12 Main Street", "Rue de Rivoli 38", "Via Roma
// 131", "Pohlstraße 9", "ул. Ленина, д. 5", "中山路123号"); unit and box
// numbers ("Suite 282", "Apt. 4B", "P.O. Box 123"); and a US city, state
// and ZIP code ("Springfield, IL 62704"). A street-type word alone is not
// enough: a number must stand where the street's language puts it.

// capWord looks at the capitalized word at b[i] and the run of words that
// starts there, for an address first and then a person's name. It returns
// the type and span of what it found, or an end of 0.
func (nm *nameMatchers) capWord(b []byte, i int) (Type, int, int) {
	var toks [maxNameToks]nameTok
	k, runEnd := nm.readNameRun(b, i, &toks)
	if k == 0 {
		return "", 0, 0
	}
	if nm.address {
		if st, end := nm.addressAt(b, toks[:k], runEnd); end > 0 {
			// A name before the address in the same run ("Mrs. Jane
			// Doe Suite 541") is found first; the address is found
			// when the scan reaches it.
			if nm.person && st > toks[0].st {
				x := 0
				for x < k && toks[x].end <= st {
					x++
				}
				if x > 0 {
					if pst, pend := nm.personAt(b, toks[:x], toks[x-1].end); pend > 0 {
						return Person, pst, pend
					}
				}
			}
			return Address, st, end
		}
	}
	if nm.person {
		if st, end := nm.personAt(b, toks[:k], runEnd); end > 0 {
			return Person, st, end
		}
	}
	return "", 0, 0
}

// houseNumber returns the end of a house number at b[i]: one to five
// digits, an optional letter ("4B", "12a") and an optional dot ("19.").
// It returns 0 when none starts there.
func houseNumber(b []byte, i int) int {
	j := i
	for j < len(b) && j < i+6 && isDigit(b[j]) {
		j++
	}
	if j == i || j-i > 5 {
		return 0
	}
	if j < len(b) && isLetter(b[j]) && (j+1 == len(b) || !isAlnum(b[j+1])) {
		j++
	}
	if j < len(b) && (isAlnum(b[j]) || b[j] == '.' && j+1 < len(b) && isAlnum(b[j+1]) || b[j] == ':' || b[j] == '-' && j+1 < len(b) && isDigit(b[j+1])) {
		return 0 // a longer number, a version, a time, a range
	}
	return j
}

// numberBefore returns the start of a house number that ends right before
// b[st] after one space (or ", "), or -1.
func numberBefore(b []byte, st int) int {
	j := st - 1
	if j < 1 || b[j] != ' ' {
		return -1
	}
	j--
	if b[j] == ',' {
		j--
	}
	e := j + 1
	if j >= 0 && isLetter(b[j]) && j > 0 && isDigit(b[j-1]) {
		j--
	}
	for j >= 0 && isDigit(b[j]) {
		j--
	}
	s := j + 1
	if s >= e || !isDigit(b[s]) || e-s > 6 || j >= 0 && (isAlnum(b[j]) || b[j] == '.' || b[j] == ':' || b[j] == '-' || b[j] == '/') {
		return -1
	}
	return s
}

// addressAt looks for an address in the run of capitalized words toks.
func (nm *nameMatchers) addressAt(b []byte, toks []nameTok, runEnd int) (int, int) {
	n := len(b)
	for x, t := range toks {
		f := t.flags
		// A unit or box number: "Suite 282", "Apt. 4B", "P.O. Box 12".
		if f&(lxUnit|lxPOBox) != 0 {
			if st, end := unitNumberAt(b, t, f); end > 0 {
				return st, end
			}
		}
		if nm.addressCue && !addressCueBefore(b, toks[0].st) {
			continue
		}
		// Number, street name, type: "12 Main Street", "52 Huntly St".
		if f&lxStreetAfter != 0 && x > 0 {
			if st := numberBefore(b, toks[0].st); st >= 0 {
				return st, t.end
			}
		}
		// Type, street name, number: "Rue de Virton 38", "Via Roma 131".
		if f&lxStreetBefore != 0 && x < len(toks)-1 && runEnd == toks[len(toks)-1].end {
			s := numberBefore(b, t.st)
			if end := numberAfter(b, runEnd); end > 0 {
				if s < 0 {
					s = t.st
				}
				return s, end
			}
			// Number, type, name: "12 Rue de Rivoli", "5, Calle Mayor";
			// a unit word after the name is the unit's ("62 Rue Gafsa
			// Apt. 981"), which the address's tail takes.
			if s >= 0 {
				e := runEnd
				for y := x + 2; y < len(toks); y++ {
					if toks[y].flags&(lxUnit|lxPOBox) != 0 {
						e = toks[y-1].end
						break
					}
				}
				return s, e
			}
		}
	}
	// A compound street name and its number: "Pohlstrasse 9",
	// "Rooseveltlaan 110", "Snellmaninkatu 55".
	last := toks[len(toks)-1]
	// "Musterstr. 5": the abbreviation's dot before the number.
	ne := runEnd
	if ne+2 < n && b[ne] == '.' && b[ne+1] == ' ' && last.end-last.st > 3 && hasSuffixFold(b[last.st:last.end], "str") {
		ne++
	}
	if last.end == runEnd && ne+1 < n && b[ne] == ' ' && isDigit(b[ne+1]) && streetSuffix(b[last.st:last.end]) {
		if nm.addressCue && !addressCueBefore(b, toks[0].st) {
			return 0, 0
		}
		if end := numberAfter(b, ne); end > 0 {
			st := last.st
			if s := numberBefore(b, st); s >= 0 {
				st = s
			}
			return st, end
		}
	}
	// A street word in lower case before the name, as French, Spanish,
	// Italian, Portuguese and Polish prose writes it: "12 rue de la Paix",
	// "via Roma 10", "ul. Długa 5".
	if st, end := lowerStreetBefore(b, toks[0].st, runEnd); end > 0 && (!nm.addressCue || addressCueBefore(b, st)) {
		return st, end
	}
	// A street named after a person and its number, after a house number
	// or "at", "on", "of": "on Joaquin Suarez 2906", "5850 Jana Nerudy
	// 894"; or before a lower-case street word: "Kálmán Imre u. 12".
	if st, end := namedStreet(b, toks, runEnd); end > 0 && (!nm.addressCue || addressCueBefore(b, toks[0].st)) {
		return st, end
	}
	// A US city, state and ZIP code: "Springfield, IL 62704".
	if end := usStateZIP(b, runEnd); end > 0 && (!nm.addressCue || addressCueBefore(b, toks[0].st)) {
		return last.st, end
	}
	return 0, 0
}

// lowerStreetKind says whether w is a street-type word written in lower
// case before a street's name: 1 for one that comes after the house number
// too ("12 rue Lepic", "5, avenue Foch"), 2 for one written only before the
// name and its number ("rua Augusta 100", "calle Mayor 5", "ul. Długa 5"),
// 0 for any other word. A switch, which the compiler searches by length
// and bytes: it runs for most lone capitalized words of a log line.
func lowerStreetKind(w []byte) int {
	switch string(w) {
	case "rue", "avenue", "boulevard", "bd", "allée", "impasse", "chemin", "quai", "place", "cours":
		return 1
	case "calle", "avenida", "avda", "av", "paseo", "plaza", "carrera", "rua", "travessa", "praça", "alameda", "estrada",
		"via", "viale", "piazza", "corso", "largo", "vicolo", "ul", "ulica", "aleja", "plac":
		return 2
	}
	return 0
}

// lowerStreetBefore matches an address whose street word, in lower case,
// stands before the capitalized name that starts at b[st] (up to two
// particles between them: "rue de la Paix"), with the house number before
// the street word (French) or after the name, which ends at runEnd. A
// number after the name must end the address: the input ends, or
// punctuation, a postal code or a capitalized word follows ("via Roma 10,
// Milano"), not a lower-case word ("via Kafka 3 times").
func lowerStreetBefore(b []byte, st, runEnd int) (int, int) {
	j := st
	for k := 0; ; k++ {
		if j < 2 || b[j-1] != ' ' {
			return 0, 0
		}
		we := j - 1
		dot := b[we-1] == '.' // "ul.", "av.", "bd."
		if dot {
			we--
		}
		p := we
		for p > 0 && we-p < 12 && (isLetter(b[p-1]) || b[p-1] >= 0x80) {
			p--
		}
		if p == we || p > 0 && isAlnum(b[p-1]) {
			return 0, 0
		}
		w := b[p:we]
		if !dot && k < 2 && particle(w) {
			j = p
			continue
		}
		kind := lowerStreetKind(w)
		if kind == 0 {
			return 0, 0
		}
		if s := numberBefore(b, p); s >= 0 && kind == 1 {
			return s, runEnd
		}
		if end := numberAfter(b, runEnd); end > 0 && addressEndsAt(b, end) {
			return p, end
		}
		return 0, 0
	}
}

// addressEndsAt reports whether an address may end at b[e]: at the end of
// the input, before punctuation, or before a postal code or a capitalized
// word (the city).
func addressEndsAt(b []byte, e int) bool {
	if e >= len(b) {
		return true
	}
	switch b[e] {
	case ',', ';', '.', ')', '\n', '\r', '"', '\'':
		return true
	case ' ':
		return e+1 < len(b) && (isDigit(b[e+1]) || isUpperByte(b[e+1]) || capitalAt(b, e+1))
	}
	return false
}

// numberAfter returns the end of a house number after b[end] (" 38",
// ", 38"), or 0.
func numberAfter(b []byte, end int) int {
	j := end
	if j < len(b) && b[j] == ',' {
		j++
	}
	if j+1 >= len(b) || b[j] != ' ' || !isDigit(b[j+1]) {
		return 0
	}
	return houseNumber(b, j+1)
}

// unitNumberAt matches a unit or box number at the word t: "Suite 282", "Apt.
// 461", "Unit #4", "Box 4854" after "P.O." or "PO" or "PSC ..., ".
func unitNumberAt(b []byte, t nameTok, f uint16) (int, int) {
	st := t.st
	if f&lxPOBox != 0 && !bytes.Equal(b[t.st:t.end], []byte("Postfach")) {
		st = poBefore(b, t.st)
		if st < 0 {
			return 0, 0
		}
	}
	j := t.end
	if j < len(b) && b[j] == '.' {
		j++
	}
	if j+1 >= len(b) || b[j] != ' ' {
		return 0, 0
	}
	j++
	if b[j] == '#' {
		j++
	}
	if j >= len(b) || !isDigit(b[j]) {
		return 0, 0
	}
	if end := houseNumber(b, j); end > 0 {
		return st, end
	}
	return 0, 0
}

// poBefore returns where "P.O. ", "PO ", "P. O. ", "Post Office " or
// "PSC 1234, " starts before b[st], or -1.
func poBefore(b []byte, st int) int {
	for _, p := range [...]string{"P.O. ", "PO ", "P. O. ", "Post Office ", "P.O.", "Po "} {
		if s := st - len(p); s >= 0 && string(b[s:st]) == p && (s == 0 || !isAlnum(b[s-1])) {
			return s
		}
	}
	// "PSC 5217, Box 4854" (US military mail).
	j := st - 2
	if j > 4 && b[j] == ',' && b[j+1] == ' ' {
		k := j - 1
		for k >= 0 && isDigit(b[k]) {
			k--
		}
		if k >= 3 && k < j-1 && b[k] == ' ' && (string(b[k-3:k]) == "PSC" || string(b[k-3:k]) == "CMR" || string(b[k-3:k]) == "Unit"[:3]) {
			return k - 3
		}
	}
	return -1
}

// streetSuffix reports whether the word w ends in a street-type suffix and
// has a name before it ("Pohlstraße", not "Straße" alone).
func streetSuffix(w []byte) bool {
	for _, s := range streetSuffixes {
		if len(w) > len(s)+2 && hasSuffixFold(w, s) {
			return true
		}
	}
	return false
}

// hasSuffixFold reports whether w ends with the lower-case suffix s, ASCII
// case-insensitively.
func hasSuffixFold(w []byte, s string) bool {
	o := len(w) - len(s)
	for k := 0; k < len(s); k++ {
		c := w[o+k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[k] {
			return false
		}
	}
	return true
}

// usStates are the two-letter codes of US states, districts and
// territories, packed as c0<<8|c1.
var usStates = func() map[uint16]bool {
	m := map[uint16]bool{}
	for _, s := range []string{"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP", "AA", "AE", "AP"} {
		m[uint16(s[0])<<8|uint16(s[1])] = true
	}
	return m
}()

// usStateZIP returns the end of ", ST 12345" or ", ST 12345-6789" at
// b[end], or 0.
func usStateZIP(b []byte, end int) int {
	j := end
	if j+10 > len(b) || b[j] != ',' || b[j+1] != ' ' || !isUpperByte(b[j+2]) || !isUpperByte(b[j+3]) || b[j+4] != ' ' {
		return 0
	}
	if !usStates[uint16(b[j+2])<<8|uint16(b[j+3])] {
		return 0
	}
	z := j + 5
	for k := z; k < z+5; k++ {
		if !isDigit(b[k]) {
			return 0
		}
	}
	e := z + 5
	if e+5 <= len(b) && b[e] == '-' && isDigit(b[e+1]) && isDigit(b[e+2]) && isDigit(b[e+3]) && isDigit(b[e+4]) {
		e += 5
	}
	if e < len(b) && isAlnum(b[e]) {
		return 0
	}
	return e
}

// addressCueBefore reports whether an address cue ("ship to", "address",
// "deliver to", "billing", "lives at") stands in the 40 bytes before
// b[st].
func addressCueBefore(b []byte, st int) bool {
	lo := max(0, st-40)
	w := b[lo:st]
	for _, c := range [...]string{"ship to", "address", "deliver to", "delivery", "billing", "shipping", "lives at", "lives on", "located at", "mailing", "residence", "Ship to", "Address", "Deliver to", "Billing", "Shipping"} {
		if bytes.Contains(w, []byte(c)) {
			return true
		}
	}
	return false
}

// zhAddressAt matches a Chinese street address ending at the 号 at b[i]:
// ideographs, a street word (路, 街, 道, 巷, 弄, 里), the house number and
// 号 ("中山路123号").
func zhAddressAt(b []byte, i int) (int, int) {
	if !cjkIs(b, i, "号號") {
		return 0, 0
	}
	j := i - 1
	for j >= 0 && (isDigit(b[j]) || b[j] == '-') {
		j--
	}
	if j == i-1 || !isDigit(b[i-1]) {
		return 0, 0
	}
	r := j - 2
	if !cjkIs(b, r, "路街道巷弄里") {
		return 0, 0
	}
	st := r
	for k := 0; k < 12 && cjkAt(b, st-3); k++ {
		st -= 3
	}
	if st == r {
		return 0, 0
	}
	return st, i + 3
}

// ruStreets are the Russian street words that come before the street name.
var ruStreets = [...]string{"улица", "ул.", "проспект", "пр-т", "переулок", "пер.", "шоссе", "бульвар", "б-р", "площадь", "пл.", "набережная", "наб."}

// ruStreetAt matches a Russian street address at b[i]: a street word, the
// street's name, an optional "д." and the house number ("ул. Ленина, д.
// 5").
func ruStreetAt(b []byte, i int) int {
	j := -1
	for _, w := range ruStreets {
		if i+len(w) <= len(b) && string(b[i:i+len(w)]) == w {
			j = i + len(w)
			break
		}
	}
	if j < 0 || j+1 >= len(b) || b[j] != ' ' {
		return 0
	}
	// One to three words of the name: Cyrillic letters, capital first.
	words := 0
	for words < 3 && j+1 < len(b) && b[j] == ' ' && capitalAt(b, j+1) {
		k := j + 1
		for k+1 < len(b) && (b[k] == 0xd0 || b[k] == 0xd1) {
			k += 2
		}
		words++
		j = k
	}
	if words == 0 {
		return 0
	}
	if j < len(b) && b[j] == ',' {
		j++
	}
	for _, d := range [...]string{" д.", " дом"} {
		if j+len(d) <= len(b) && string(b[j:j+len(d)]) == d {
			j += len(d)
			break
		}
	}
	if j < len(b) && b[j] == ' ' {
		j++
	}
	if j >= len(b) || !isDigit(b[j]) {
		return 0
	}
	return houseNumber(b, j)
}

// namedStreet matches a street named after a person (or with words that are
// in no lexicon but spelt with diacritics) and its house number: the run
// toks, then a lower-case street word ("u.", "utca", "tér") or, after a
// house number or a preposition, the number alone.
func namedStreet(b []byte, toks []nameTok, runEnd int) (int, int) {
	named := false
	for _, t := range toks {
		if t.flags&(lxStop|lxOrg|lxPlace|lxTitle|lxSalute|lxJob) != 0 {
			return 0, 0
		}
		if t.flags&lxName != 0 || latinDiacritic(b[t.st:t.end]) {
			named = true
		}
	}
	if !named || toks[len(toks)-1].end != runEnd {
		return 0, 0
	}
	st := numberBefore(b, toks[0].st)
	j := runEnd
	for _, w := range [...]string{" u.", " utca", " útja", " tér", " út", " körút", " sétány", " köz", " krt."} {
		if j+len(w) < len(b) && string(b[j:j+len(w)]) == w && b[j+len(w)] == ' ' {
			if end := numberAfter(b, j+len(w)); end > 0 {
				if st < 0 {
					st = toks[0].st
				}
				return st, end
			}
		}
	}
	end := numberAfter(b, runEnd)
	if end == 0 || end < len(b) && b[end] != ' ' && b[end] != ',' && b[end] != '.' && b[end] != '\n' {
		return 0, 0
	}
	if st < 0 {
		var buf [16]byte
		w, _ := prevWord(b, toks[0].st, &buf)
		switch string(w) {
		case "at", "on", "of", "in", "to":
			st = toks[0].st
		default:
			return 0, 0
		}
	}
	return st, end
}
