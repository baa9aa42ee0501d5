package detectors

import "bytes"

// A postal address goes on after its street: the unit, the town, the
// region, the postal code and the country, after commas on the same line or
// on the lines below ("12 Main Street, Apt. 4, Springfield, IL 62704",
// "Rue de Rivoli 38\n75001 Paris\nFrance"). A postal code and a town next
// to a street identify a household as well as the street does, so an
// address finding is extended over them: over the segments (the parts
// between commas and line breaks) that follow it and are wholly made of
// capitalized words with name particles between them, region codes, postal
// codes and unit numbers. The first segment that holds anything else (a
// word in small letters, a key=value or key: label, a timestamp, a
// finding of the main pass such as an e-mail or a phone number) is not
// taken and ends the address; so does sentence punctuation. The extension
// only ever follows an address finding: it makes none, and costs nothing on
// lines without one.

// Bounds of the extension: segments after the street, tokens in one
// segment, bytes after the street.
const (
	tailMaxSegs  = 6
	tailMaxToks  = 8
	tailMaxBytes = 160
)

// The kinds of token in an address's tail.
const (
	tkNone     = iota
	tkWord     // a capitalized or ALL-CAPS word: a town, region or country
	tkStopWord // a word of log vocabulary: a town's only with another word ("Port Whangarei")
	tkInitial  // one capital letter ("København V")
	tkParticle // "de", "am", "sur" between words ("Mora de Rubielos")
	tkUnit     // "Apt. 4", "Suite 282", "#12", "3rd Floor", "кв. 12"
	tkPost     // a postal code
)

// addressExtent returns the span of the whole postal address whose street
// (or unit or box) the name pass found at b[st:end]: with a building
// number right before the street's own number ("1987 74 Diakou Street")
// and the parts of the address after it (see addressTail). last is the end
// of the previous finding of the pass, main the findings of the main pass,
// in order; the span overlaps neither.
func (nm *nameMatchers) addressExtent(b []byte, st, end, last int, main []Finding) (int, int) {
	if isDigit(b[st]) {
		if s := numberBefore(b, st); s >= last && b[st-2] != ',' && !overlapsMain(main, s, st) {
			st = s
		}
	}
	limit := len(b)
	for _, f := range main {
		if f.Start >= end {
			limit = f.Start
			break
		}
	}
	return st, nm.addressTail(b, end, limit)
}

// addressTail returns the end of the parts of a postal address that follow
// its street, which ends at b[end], or end when none follow. The tail stays
// before b[limit], where a finding of the main pass starts.
func (nm *nameMatchers) addressTail(b []byte, end, limit int) int {
	out, i := end, end
	// A dot after the house number, before a line break, a comma or a
	// unit: "Erzsébet tér 19.\n", "Victor Hugo u. 49. Suite 638".
	if i > 0 && i+1 < limit && b[i] == '.' && isDigit(b[i-1]) && (b[i+1] == '\n' || b[i+1] == '\r' || b[i+1] == ',' || escBreak(b, i+1, limit) > 0 || b[i+1] == ' ' && i+2 < limit && tailUnitAt(b, i+2, limit) > 0) {
		i++
	}
	// The house number after a street that ends with its type, before a
	// comma, a line break or a unit ("Passauer Strasse 33, Graz"), not
	// any number ("12 Main Street 3 times").
	if i == end && i > 0 && i+1 < limit && b[i] == ' ' && isLetter(b[i-1]) {
		if e := houseNumber(b, i+1); e > 0 && tokEnd(b, e, limit) && (e == len(b) || b[e] != ' ' || e+1 < limit && tailUnitAt(b, e+1, limit) > 0) {
			out, i = e, e
		}
	}
	for segs := 0; segs < tailMaxSegs; segs++ {
		j, breaks := tailSep(b, i, limit)
		if j < 0 {
			break
		}
		e, strong, term := nm.tailSegment(b, j, limit)
		// A blank line ends the address unless a postal code, a unit or a
		// country follows ("Brønderslev\n\n Denmark 35018").
		if e == 0 || breaks > 1 && !strong || e-end > tailMaxBytes {
			break
		}
		out, i = e, e
		if term {
			break
		}
	}
	return out
}

// tailSep returns where the segment after the separator at b[i] starts
// and how many line breaks the separator holds, or -1: spaces, at most one
// comma and at most two line breaks (with the '>' of a mail reply after
// them), one byte at least.
func tailSep(b []byte, i, limit int) (int, int) {
	j, commas, breaks := i, 0, 0
	for ; j < limit && j-i < 24; j++ {
		c := b[j]
		if c == ' ' || c == '\r' || c == ',' || c == '\n' || c == '>' && breaks > 0 {
			// '>': the quote marks of a mail reply, at a line's start.
			if c == ',' {
				commas++
			} else if c == '\n' {
				breaks++
			}
			continue
		}
		if escBreak(b, j, limit) > 0 {
			// A line break escaped in a one-line record: "\n", "\r".
			if b[j+1] == 'n' {
				breaks++
			}
			j++
			continue
		}
		if j == i || commas > 1 || breaks > 2 {
			return -1, 0
		}
		return j, breaks
	}
	return -1, 0
}

// tailSegment reads the segment at b[j]: tokens (see tailToken) separated
// by spaces, up to a comma, a line break, sentence punctuation or the end
// of b. It returns the end of its last token, whether it holds a postal
// code, a unit or a country (which may follow a blank line), and whether
// the address ends after it; or an end of 0 when the segment is no part of
// an address. A segment that goes on with something else after its units
// ("Suite 215 for"), after a place and its postal code ("Poland 52096
// last night") or after a country ("Tunisia last night") ends the
// address there.
func (nm *nameMatchers) tailSegment(b []byte, j, limit int) (int, bool, bool) {
	k := j
	strong, units := false, true
	prev, pend := tkNone, 0 // the previous token's kind; particles not yet followed by a word
	commit := 0             // the end of the units, or of a place and its code or country
	var words [tailMaxToks]int
	nw, stops := 0, 0
	for t := 0; t < tailMaxToks; t++ {
		e, kind := nm.tailToken(b, k, limit, prev == tkParticle)
		switch kind {
		case tkNone:
			return tailCommit(commit)
		case tkParticle:
			if prev != tkWord && prev != tkParticle || pend == 2 {
				return tailCommit(commit)
			}
			pend++
		case tkInitial:
			if prev != tkWord {
				return tailCommit(commit)
			}
		case tkWord, tkStopWord:
			if kind == tkStopWord {
				stops++
			}
			kind = tkWord
			pend = 0
			words[nw] = k
			nw++
			// A country ends a run of words: "United Kingdom".
			for x := nw - 1; x >= 0 && x >= nw-3; x-- {
				if country(b[words[x]:e]) {
					strong = true
					commit = e
					break
				}
			}
		default:
			if pend > 0 {
				return tailCommit(commit)
			}
			strong = true
			if units && kind == tkUnit || kind == tkPost && nw > stops {
				commit = e
			}
		}
		units = units && kind == tkUnit
		prev = kind
		k = e
		// What follows the token: a space and another token, or the end
		// of the segment.
		end, term := false, false
		switch {
		case k == len(b):
			end, term = true, true
		case k >= limit:
			return tailCommit(commit) // glued to a finding of the main pass
		case b[k] == ',' || b[k] == '\n' || b[k] == '\r' || escBreak(b, k, limit) > 0:
			end = true
		case b[k] == ' ':
			p := k
			for p < limit && b[p] == ' ' && p-k < 4 {
				p++
			}
			switch {
			case p == len(b):
				end, term = true, true
			case p >= limit || b[p] == ' ':
				return tailCommit(commit)
			case b[p] == ',' || b[p] == '\n' || b[p] == '\r' || escBreak(b, p, limit) > 0:
				end = true
			case tailTerminal(b, p):
				end, term = true, true
			default:
				k = p
			}
		case tailTerminal(b, k):
			end, term = true, true
		default:
			return tailCommit(commit) // "Street:", "User=jdoe", "Boston/"
		}
		if end {
			// Log vocabulary alone ("ERROR", "Status Active") is no
			// place.
			if pend > 0 || nw > 0 && stops == nw {
				return tailCommit(commit)
			}
			return k, strong, term
		}
	}
	return tailCommit(commit)
}

// tailCommit is what tailSegment returns when its segment goes on with
// something that is no part of an address: the end of the part before it
// that stands alone (or 0), after which the address ends.
func tailCommit(commit int) (int, bool, bool) {
	return commit, true, true
}

// tailTerminal reports whether b[k] ends an address: sentence punctuation
// (a dot before a space or the end, '?', '!', ';'), a closing quote or
// bracket, a tab or a '|' between fields.
func tailTerminal(b []byte, k int) bool {
	switch b[k] {
	case '.':
		return k+1 == len(b) || b[k+1] == ' ' || b[k+1] == '\n' || b[k+1] == '\r' || b[k+1] == '"' || b[k+1] == '\'' || b[k+1] == ')'
	case '?', '!', ';', '"', '\'', ')', ']', '}', '<', '\t', '|':
		return true
	}
	return false
}

// tailToken reads the token at b[k] of an address's tail and returns its
// end and kind, or tkNone. After a particle, a word is a place's whatever
// the lexicon says ("Frankfurt am Main").
func (nm *nameMatchers) tailToken(b []byte, k, limit int, afterParticle bool) (int, int) {
	c := b[k]
	switch {
	case isDigit(c):
		if e := postcodeAt(b, k, limit); e > 0 {
			return e, tkPost
		}
		if e := floorAt(b, k, limit); e > 0 {
			return e, tkUnit
		}
		return 0, tkNone
	case c == '#':
		if e := unitNumberEnd(b, k+1, limit); e > 0 {
			return e, tkUnit
		}
		return 0, tkNone
	case c == '(':
		// "Cyprus (Greek)".
		if e, kind := nm.tailWord(b, k+1, limit, false); kind == tkWord && e < limit && b[e] == ')' {
			return e + 1, tkWord
		}
		return 0, tkNone
	}
	if e := tailUnitAt(b, k, limit); e > 0 {
		return e, tkUnit
	}
	if c >= 'A' && c <= 'Z' {
		if e := postcodeAt(b, k, limit); e > 0 {
			return e, tkPost
		}
	}
	if c >= 'a' && c <= 'z' {
		p := k
		for p < limit && b[p] >= 'a' && b[p] <= 'z' {
			p++
		}
		if p < limit && b[p] == ' ' && placeParticle(b[k:p]) {
			return p, tkParticle
		}
		return 0, tkNone
	}
	return nm.tailWord(b, k, limit, afterParticle)
}

// placeParticle reports whether w may stand in small letters between the
// words of a place's name ("Mora de Rubielos", "Frankfurt am Main",
// "Newcastle upon Tyne").
func placeParticle(w []byte) bool {
	if particle(w) {
		return true
	}
	switch string(w) {
	case "am", "im", "an", "sur", "sous", "les", "upon", "op", "aan", "bei", "ob", "lès", "nad", "pod", "pri", "na", "u":
		return true
	}
	return false
}

// tailWord reads the word at b[k] when it can name a town, a region or a
// country: a capital (Latin with diacritics, Greek, Cyrillic), then
// letters; hyphens and apostrophes between letters ("Saint-Étienne",
// "L'Aquila"); ALL-CAPS ("LONDON"), but no CamelCase, digit or '_'. Log
// vocabulary, titles, salutations, unit words and the labels of other
// contact data ("Phone", "Email") are none, unless anyWord.
func (nm *nameMatchers) tailWord(b []byte, k, limit int, anyWord bool) (int, int) {
	if k >= limit {
		return 0, tkNone
	}
	c := b[k]
	j := k
	switch {
	case c >= 'A' && c <= 'Z':
		j++
	case c >= 0xc0 && c < 0xe0 && k+1 < limit && b[k+1]&0xc0 == 0x80 && capitalAt(b, k):
		j += 2
	default:
		return 0, tkNone
	}
	lower, caps := false, true
loop:
	for j < limit {
		c := b[j]
		switch {
		case c >= 'a' && c <= 'z':
			j++
			lower, caps = true, false
		case c >= 'A' && c <= 'Z':
			if lower && !mcPrefix(b, k, j) {
				return 0, tkNone // CamelCase
			}
			j++
		case c >= 0xc3 && c < 0xe0 && j+1 < limit && b[j+1]&0xc0 == 0x80:
			if !capitalAt(b, j) {
				caps = false
			}
			j += 2
		case c >= 0xe0 && c < 0xf0 && j+2 < limit && b[j+1]&0xc0 == 0x80 && b[j+2]&0xc0 == 0x80:
			if c == 0xe2 && b[j+1] == 0x80 || c == 0xe3 && b[j+1] == 0x80 || c == 0xef && b[j+1] >= 0xbc {
				// General and CJK punctuation, fullwidth forms: the
				// word ends, but a right quote inside it does not
				// ("D’Angelo").
				if c == 0xe2 && b[j+2] == 0x99 && j+3 < limit && letterAt(b, j+3) {
					j += 3
					lower = false
					continue
				}
				break loop
			}
			j += 3
		case (c == '-' || c == '\'') && j+1 < limit && letterAt(b, j+1):
			j++
			lower = false // "Grand-Leez", "L'Aquila"
		case isDigit(c) || c == '_':
			return 0, tkNone
		default:
			break loop
		}
	}
	w := b[k:j]
	if j-k <= 2 && (j-k == 1 || c >= 0xc0) {
		return j, tkInitial
	}
	// "St. Louis", "Mt. Pleasant": an abbreviation, not a sentence's end.
	if j+2 < limit && b[j] == '.' && b[j+1] == ' ' && (b[j+2] >= 'A' && b[j+2] <= 'Z' || capitalAt(b, j+2)) {
		switch string(w) {
		case "St", "Ste", "Ft", "Mt", "Pt":
			return j + 1, tkWord
		}
	}
	// Region codes ("CO", "ON", "NSW") are no words of a lexicon ("On").
	if !anyWord && !(caps && j-k <= 3) {
		f := nm.lex.get(foldHash(w))
		if f&(lxTitle|lxSalute|lxUnit|lxPOBox) != 0 {
			return 0, tkNone
		}
		for _, l := range [...]string{"Phone", "Tel", "Telephone", "Mobile", "Cell", "Fax", "Email", "E-mail", "Mail", "Website", "Web", "Contact", "Name", "Id"} {
			if bytes.EqualFold(w, []byte(l)) {
				return 0, tkNone
			}
		}
		if f&lxStop != 0 {
			return j, tkStopWord
		}
	}
	return j, tkWord
}

// letterAt reports whether a letter starts at b[i]: an ASCII letter or a
// non-ASCII character that is no punctuation.
func letterAt(b []byte, i int) bool {
	c := b[i]
	return isLetter(c) || c >= 0xc3 && !(c == 0xe2 && i+1 < len(b) && b[i+1] == 0x80)
}

// tokEnd reports whether a token may end at b[p]: before a space, a
// comma, a line break or punctuation that ends the address, or at the end
// of b, but not right before a finding of the main pass (limit).
func tokEnd(b []byte, p, limit int) bool {
	if p == len(b) && p <= limit {
		return true
	}
	if p >= limit {
		return false
	}
	switch b[p] {
	case ' ', ',', '\n', '\r':
		return true
	}
	return escBreak(b, p, limit) > 0 || tailTerminal(b, p)
}

// escBreak returns 2 when an escaped line break ("\n", "\r") starts at
// b[p], else 0.
func escBreak(b []byte, p, limit int) int {
	if p+1 < limit && b[p] == '\\' && (b[p+1] == 'n' || b[p+1] == 'r') {
		return 2
	}
	return 0
}

// digitsAt returns how many ASCII digits start at b[k], stopping at limit.
func digitsAt(b []byte, k, limit int) int {
	j := k
	for j < limit && isDigit(b[j]) {
		j++
	}
	return j - k
}

// postcodeAt returns the end of the postal code at b[k], or 0: four to six
// digits ("75001", "7188"), a US ZIP+4 ("62704-1234"), "01310-100",
// "1000-205", "123-4567", "00-950", "1011 AB", "114 55", "SW1A 1AA",
// "K1A 0B1", "D02 X285" or a country prefix ("D-10115", "CH-8001").
func postcodeAt(b []byte, k, limit int) int {
	if isDigit(b[k]) {
		nd := digitsAt(b, k, limit)
		p := k + nd
		if p+1 < limit && b[p] == '-' {
			m := digitsAt(b, p+1, limit)
			e := p + 1 + m
			if (nd == 5 && (m == 4 || m == 3) || nd == 4 && m == 3 || nd == 3 && m == 4 || nd == 2 && m == 3) && tokEnd(b, e, limit) {
				return e
			}
			return 0
		}
		if p+3 < limit && b[p] == ' ' {
			// "1011 AB" (Netherlands), "114 55" (Sweden, Czechia,
			// Greece).
			if nd == 4 && isUpperByte(b[p+1]) && isUpperByte(b[p+2]) && tokEnd(b, p+3, limit) {
				return p + 3
			}
			if nd == 3 && digitsAt(b, p+1, limit) == 2 && tokEnd(b, p+3, limit) {
				return p + 3
			}
		}
		if nd >= 4 && nd <= 6 && tokEnd(b, p, limit) {
			return p
		}
		return 0
	}
	// Letters first: a country prefix, or the UK, Canadian and Irish
	// formats, an outward and an inward part.
	j := k
	for j < limit && j-k < 2 && isUpperByte(b[j]) {
		j++
	}
	if j < limit && b[j] == '-' {
		if m := digitsAt(b, j+1, limit); m >= 4 && m <= 5 && tokEnd(b, j+1+m, limit) {
			return j + 1 + m
		}
		return 0
	}
	// The outward part: one or two letters, a digit, then a letter or a
	// digit or nothing.
	if j == k || j >= limit || !isDigit(b[j]) {
		return 0
	}
	j++
	if j < limit && (isDigit(b[j]) || isUpperByte(b[j])) {
		j++
	}
	if j+1 >= limit || b[j] != ' ' {
		return 0
	}
	out := j - k
	j++
	// The inward part: digit, letter, letter (UK); digit, letter, digit
	// (Canada, after letter digit letter); four letters or digits (Ireland).
	if j+3 <= limit && isDigit(b[j]) && isUpperByte(b[j+1]) && isUpperByte(b[j+2]) && tokEnd(b, j+3, limit) {
		return j + 3
	}
	if out == 3 && isUpperByte(b[k+2]) && j+3 <= limit && isDigit(b[j]) && isUpperByte(b[j+1]) && isDigit(b[j+2]) && tokEnd(b, j+3, limit) {
		return j + 3
	}
	if out == 3 && isDigit(b[k+1]) && isDigit(b[k+2]) && j+4 <= limit && tokEnd(b, j+4, limit) {
		for _, c := range b[j : j+4] {
			if !isDigit(c) && !isUpperByte(c) {
				return 0
			}
		}
		return j + 4
	}
	return 0
}

// unitWords are the words before a unit, floor or box number, in the
// languages of the street words; the unit number follows after an
// optional dot and a space ("Apt. 4B", "Wohnung 3", "кв. 12").
var unitWords = [...]string{
	"P.O. Box", "PO Box", "P. O. Box", "Post Office Box", "Postfach", "Apartado", "Casilla", "Caixa Postal", "Box", "BP", "CP",
	"Apartment", "Apt", "Appt", "Suite", "Ste", "Unit", "Flat", "Floor", "Fl", "Room", "Rm", "Building", "Bldg", "Block", "Blk", "Level",
	"Wohnung", "Whg", "Etage", "Stock", "Stiege", "Top", "Tür",
	"Apartamento", "Apto", "Departamento", "Depto", "Dpto", "Piso", "Planta", "Puerta", "Andar", "Sala", "Bloco", "Bloque", "Escalera", "Esc", "Interior", "Int",
	"Appartement", "App", "Bâtiment", "Bât", "Étage", "étage", "Porte", "Scala", "Interno", "Piano",
	"Lgh", "Lägenhet", "Lok", "Lokal",
	"кв", "квартира", "корп", "корпус", "стр", "офис", "Кв", "Офис",
}

// tailUnitAt returns the end of the unit number at b[k] ("Apt. 4B", "suite
// 12", "кв. 7"), or 0. An ASCII unit word may be written in small letters.
func tailUnitAt(b []byte, k, limit int) int {
	for _, w := range unitWords {
		if k+len(w) >= limit {
			continue
		}
		if string(b[k+1:k+len(w)]) != w[1:] || b[k] != w[0] && !(w[0] >= 'A' && w[0] <= 'Z' && b[k] == w[0]+'a'-'A') {
			continue
		}
		j := k + len(w)
		if letterAt(b, j) || isDigit(b[j]) {
			continue // "Boxer", "Top10"
		}
		sep := false
		if b[j] == '.' {
			j++
			sep = true
		}
		if j < limit && b[j] == ' ' {
			j++
			sep = true
		}
		if j < limit && b[j] == '#' {
			j++
			sep = true
		} else if j+3 < limit && (string(b[j:j+3]) == "No " || string(b[j:j+3]) == "No.") {
			j += 3
			if b[j-1] == '.' && j < limit && b[j] == ' ' {
				j++
			}
		}
		if !sep {
			continue
		}
		return unitNumberEnd(b, j, limit)
	}
	return 0
}

// unitNumberEnd returns the end of the unit number at b[j]: letters and
// digits with a digit among them, "-" or "/" between ("4B", "12-3"), up
// to eight bytes, or one capital alone ("Apt B"); or 0.
func unitNumberEnd(b []byte, j, limit int) int {
	e, digit := j, false
	for e < limit && e-j < 8 && (isAlnum(b[e]) || (b[e] == '-' || b[e] == '/') && e > j && e+1 < limit && isAlnum(b[e+1])) {
		digit = digit || isDigit(b[e])
		e++
	}
	if e == j || !digit && !(e == j+1 && isUpperByte(b[j])) || !tokEnd(b, e, limit) {
		return 0
	}
	return e
}

// floorAt returns the end of a floor given by its ordinal at b[k] ("3rd
// Floor", "2e étage", "3º andar", "5. Stock"), or 0.
func floorAt(b []byte, k, limit int) int {
	nd := digitsAt(b, k, limit)
	if nd > 3 {
		return 0
	}
	j := k + nd
	for _, s := range [...]string{"st ", "nd ", "rd ", "th ", "er ", "re ", "ème ", "e ", "º ", "ª ", "° ", ". "} {
		if j+len(s) <= limit && string(b[j:j+len(s)]) == s {
			j += len(s)
			for _, f := range [...]string{"Floor", "floor", "Fl.", "andar", "piso", "Piso", "planta", "étage", "Étage", "Etage", "Stock", "OG", "piano"} {
				if j+len(f) <= limit && string(b[j:j+len(f)]) == f && tokEnd(b, j+len(f), limit) {
					return j + len(f)
				}
			}
			return 0
		}
	}
	return 0
}

// countries are names of countries, in English and in their languages,
// that may end a postal address on a line of their own.
var countries = [...]string{
	"United States", "United States of America", "USA", "United Kingdom", "UK", "Great Britain", "England", "Scotland", "Wales", "Northern Ireland",
	"Ireland", "Éire", "Canada", "Australia", "New Zealand", "South Africa", "India", "Japan", "China", "Singapore",
	"Germany", "Deutschland", "Austria", "Österreich", "Switzerland", "Schweiz", "Suisse", "Svizzera", "Liechtenstein",
	"France", "Belgium", "België", "Belgique", "Netherlands", "Nederland", "Luxembourg", "Monaco",
	"Spain", "España", "Portugal", "Italy", "Italia", "Malta", "Andorra",
	"Denmark", "Danmark", "Sweden", "Sverige", "Norway", "Norge", "Finland", "Suomi", "Iceland", "Ísland",
	"Poland", "Polska", "Czechia", "Czech Republic", "Česko", "Slovakia", "Slovensko", "Hungary", "Magyarország",
	"Slovenia", "Slovenija", "Croatia", "Hrvatska", "Serbia", "Srbija", "Romania", "România", "Bulgaria", "България",
	"Greece", "Ελλάδα", "Cyprus", "Κύπρος", "Turkey", "Türkiye", "Russia", "Россия", "Ukraine", "Україна",
	"Estonia", "Eesti", "Latvia", "Latvija", "Lithuania", "Lietuva",
	"Mexico", "México", "Brazil", "Brasil", "Argentina", "Chile", "Uruguay", "Paraguay", "Peru", "Perú", "Colombia", "Venezuela", "Bolivia", "Ecuador",
}

// country reports whether w is the name of a country (see countries), in
// any case.
func country(w []byte) bool {
	for _, c := range countries {
		if bytes.EqualFold(w, []byte(c)) {
			return true
		}
	}
	return false
}
