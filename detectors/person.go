package detectors

// The person detector finds names in free text by three kinds of evidence:
// the lexicon (given names and surnames of many languages, lexicon.go),
// cues (a title or salutation before the name, a word such as "customer" or
// "assigned to", an e-mail display name), and shape (capitalized words, one
// to four of them, with initials and particles between). Code is kept out
// by shape: a capitalized word that goes on in CamelCase, is ALL-CAPS, has
// a digit or '_', is joined by a dot to the next word (a package or class
// name) or stands in a path or URL is not a name word. Names that are also
// common English words or log vocabulary ("Will", "Grant", "Kafka") need a
// cue or a second name word.

// A nameTok is one word of a run of capitalized words.
type nameTok struct {
	st, end int
	flags   uint16
	initial bool // "N." or "N"
}

const maxNameToks = 6

// capToken reads the capitalized word at b[i]: an upper-case letter, then
// small letters (non-ASCII bytes count as letters), hyphenated parts
// ("Jean-Luc") and an apostrophe before a capital ("O'Brien"). It returns
// the end of the word and the hash of its first part, or an end of 0 when
// the word is code-shaped: CamelCase, ALL-CAPS beyond one letter, a digit
// or '_' inside.
func capToken(b []byte, i int) (int, uint64) {
	n := len(b)
	h := uint64(fnvOffset)
	j := i
	hashing := true
	first := true
	for j < n {
		c := b[j]
		if c-'a' < 26 {
			// A run of small letters, most of a word, in a loop of its
			// own.
			if hashing {
				for {
					h = (h ^ uint64(c)) * fnvPrime
					if j++; j >= n {
						break
					}
					if c = b[j]; c-'a' >= 26 {
						break
					}
				}
			} else {
				for j++; j < n && b[j]-'a' < 26; j++ {
				}
			}
			first = false
			continue
		}
		switch {
		case c >= 'A' && c <= 'Z':
			if !first && !mcPrefix(b, i, j) {
				return 0, 0 // CamelCase or ALL-CAPS
			}
			if hashing {
				h = (h ^ uint64(c+'a'-'A')) * fnvPrime
			}
			j++
		case c >= 0xc0 && c < 0xe0 && j+1 < n:
			if !first && capitalAt(b, j) {
				return 0, 0
			}
			if hashing {
				c2, d2 := foldPair(c, b[j+1])
				h = (h ^ uint64(c2)) * fnvPrime
				h = (h ^ uint64(d2)) * fnvPrime
			}
			j += 2
		case c == 0xe1 && j+2 < n && b[j+1] >= 0xb8 && b[j+1] <= 0xbb:
			// Latin Extended Additional (U+1E00-U+1EFF), the letters
			// of Vietnamese ("Nguyễn", "Trần", "Thị"): capitals have
			// even code points. Hashed as they are, as foldHash does.
			if !first && b[j+2]&1 == 0 { // the code point's low bit
				return 0, 0
			}
			if hashing {
				h = (h ^ uint64(c)) * fnvPrime
				h = (h ^ uint64(b[j+1])) * fnvPrime
				h = (h ^ uint64(b[j+2])) * fnvPrime
			}
			j += 3
		case c == '-' || c == '\'' || c == 0xe2 && j+2 < n && b[j+1] == 0x80 && b[j+2] == 0x99:
			// A hyphen or apostrophe inside a name: a capital follows
			// ("Jean-Luc", "O'Brien", "D’Angelo"); "'s" ends the word.
			k := j + 1
			if c == 0xe2 {
				k = j + 3
			}
			if k < n && (b[k] >= 'A' && b[k] <= 'Z' || capitalAt(b, k)) && j > i {
				hashing = false
				j = k + 1
				if b[k] >= 0x80 {
					j = k + 2
				}
				continue
			}
			return j, h
		case c >= 0x80:
			return j, h // other scripts and punctuation end the word
		case class[c]&cDigit != 0 || c == '_':
			return 0, 0
		default:
			return j, h
		}
		first = false
	}
	return j, h
}

// codeAround reports whether the word b[st:end] is part of code or a path:
// joined by a dot, slash, '$', '#', '\' or '::' to what is before or after
// it, or followed by '(' (a call) or '<'. A sentence end ("Smith.") is not.
func codeAround(b []byte, st, end int) bool {
	if st > 0 {
		switch b[st-1] {
		case '.', '/', '\\', '$', '#', '_', '@', '%', '&', '*', '^', '|', '~', '`', '+':
			return true
		case '-':
			return st > 1 && b[st-2] != ' '
		case ':':
			return st > 1 && b[st-2] == ':'
		}
	}
	if end < len(b) {
		switch b[end] {
		case '.':
			return end+1 < len(b) && (class[b[end+1]]&cAlnum != 0 || b[end+1] == '_' || b[end+1] == '$' || b[end+1] >= 0x80)
		case '(', '<', '/', '\\', '$', '_', '#', '@', '[', '{', '=', '|', '*', '%', '^', '~', '`', '+':
			return true
		case ':':
			return end+1 < len(b) && (b[end+1] == ':' || b[end+1] == '/' || class[b[end+1]]&cAlnum != 0)
		}
	}
	return false
}

// particle reports whether b[i:j] is a lower-case name particle ("van",
// "de", "bin") that may stand between two name words.
func particle(w []byte) bool {
	switch string(w) {
	case "van", "von", "de", "da", "del", "della", "der", "den", "di", "do", "dos", "das", "du", "la", "le",
		"bin", "ibn", "al", "el", "ter", "ten", "y", "e", "zu", "af", "dei", "degli", "delle", "des":
		return true
	}
	return false
}

// suffixWord reports whether w ends a name ("Jr", "MD", "III").
func suffixWord(w []byte) bool {
	switch string(w) {
	case "Jr", "Sr", "II", "III", "IV", "MD", "PhD", "DDS", "DVM", "Esq", "MBA", "RN":
		return true
	}
	return false
}

// readNameRun reads the run of capitalized words from b[i]: words separated
// by one space, with initials ("N." or "N") and particles between them. It
// fills toks and returns how many it read and the end of the run (after a
// suffix such as "Jr."). A code-shaped first word gives 0 words.
func (nm *nameMatchers) readNameRun(b []byte, i int, toks *[maxNameToks]nameTok) (int, int) {
	n := len(b)
	k := 0
	runEnd := i
	for k < maxNameToks && i < n {
		// An initial: one capital, then '.' or a space, then a word.
		if b[i] >= 'A' && b[i] <= 'Z' && i+2 < n && (b[i+1] == '.' && b[i+2] == ' ' || b[i+1] == ' ') && k > 0 {
			e := i + 1
			if b[i+1] == '.' {
				e++
			}
			if e+1 < n && b[e] == ' ' && b[e+1] >= 'A' && b[e+1] <= 'Z' {
				toks[k] = nameTok{st: i, end: e, initial: true}
				k++
				i = e + 1
				continue
			}
		}
		end, h := capToken(b, i)
		if end <= i+1 || codeAround(b, i, end) {
			if e := wordEnd(b, i); k > 0 && suffixWord(b[i:e]) && !codeAround(b, i, e) {
				runEnd = e
			}
			break
		}
		if end > i+1 && suffixWord(b[i:end]) && k > 0 {
			runEnd = end
			break
		}
		toks[k] = nameTok{st: i, end: end, flags: nm.lex.get(h)}
		k++
		runEnd = end
		// The next word: after one space, or a particle and a space; a
		// title or a street word may end with a dot ("Dr. Smith", "Av.
		// Paulista").
		j := end + 1
		if toks[k-1].flags&(lxTitle|lxStreetBefore) != 0 && end+2 < n && b[end] == '.' && b[end+1] == ' ' {
			j = end + 2
		} else if end+1 >= n || b[end] != ' ' {
			break
		}
		if b[j] >= 'a' && b[j] <= 'z' {
			p := j
			for p < n && b[p] >= 'a' && b[p] <= 'z' {
				p++
			}
			if !particle(b[j:p]) || p+1 >= n || b[p] != ' ' {
				break
			}
			j = p + 1
			if b[j] >= 'a' && b[j] <= 'z' { // "de la"
				q := j
				for q < n && b[q] >= 'a' && b[q] <= 'z' {
					q++
				}
				if !particle(b[j:q]) || q+1 >= n || b[q] != ' ' {
					break
				}
				j = q + 1
			}
		}
		if !(b[j] >= 'A' && b[j] <= 'Z' || capitalAt(b, j)) {
			break
		}
		i = j
	}
	return k, runEnd
}

const (
	lxName = lxGiven | lxSurname
)

// personAt decides whether the run of words toks[:k] (ending at runEnd) is
// a person's name, and returns its span.
func (nm *nameMatchers) personAt(b []byte, toks []nameTok, runEnd int) (int, int) {
	// One word that is in no lexicon (most capitalized words of a log
	// line): a name only after a strong cue.
	if len(toks) == 1 && toks[0].flags == 0 && !mailDisplayName(b, runEnd) && !strongCueBefore(b, toks[0].st) && !strongCueAfter(b, runEnd) {
		return 0, 0
	}
	// A leading title or salutation is a strong cue, a job a weak one.
	strong, job := false, false
	for len(toks) > 1 {
		f := toks[0].flags
		if f&(lxTitle|lxSalute) != 0 {
			strong = true
			toks = toks[1:]
			continue
		}
		if f&lxJob != 0 && !strong {
			job = true
			toks = toks[1:]
			continue
		}
		break
	}
	// Trailing log vocabulary ("Jennifer Started") is not part of the name.
	for len(toks) > 0 && toks[len(toks)-1].flags&lxStop != 0 {
		toks = toks[:len(toks)-1]
		if len(toks) > 0 {
			runEnd = toks[len(toks)-1].end
		}
	}
	// The whole run, else the run without its first word ("Started
	// Jennifer Smith", "Visit Shelly Park"); but the words after a street
	// type ("Rue de Rivoli", "Via Roma") name a street.
	for len(toks) > 0 && toks[0].flags&lxStreetBefore == 0 {
		if st, end := nm.decidePerson(b, toks, runEnd, strong, job); end > 0 || strong {
			return st, end
		}
		toks = toks[1:]
		for len(toks) > 0 && toks[0].initial {
			toks = toks[1:]
		}
	}
	return 0, 0
}

// decidePerson decides whether the run of words toks (ending at runEnd,
// after a title when strong) is a person's name, and returns its span.
func (nm *nameMatchers) decidePerson(b []byte, toks []nameTok, runEnd int, strong, job bool) (int, int) {
	if len(toks) == 0 || toks[0].initial && len(toks) == 1 {
		return 0, 0
	}
	st := toks[0].st
	if toks[len(toks)-1].end < runEnd && runEnd > toks[len(toks)-1].end+4 {
		runEnd = toks[len(toks)-1].end
	}
	// A company, a place or a street named after someone ("Johnson Inc",
	// "Shelly Park", "Victor Hugo Street") is no person; after a title a
	// street word is a surname ("Dr. Wells").
	reject := uint16(lxStop | lxOrg | lxStreetAfter | lxStreetBefore | lxUnit | lxPOBox)
	if strong {
		reject &^= lxStreetAfter
	}
	for _, t := range toks {
		if t.flags&reject != 0 && t.flags&lxTitle == 0 {
			return 0, 0
		}
	}
	if orgAfter(nm.lex, b, runEnd) || len(toks) > 1 && toks[len(toks)-1].flags&lxPlace != 0 {
		return 0, 0
	}
	if !strong {
		strong = mailDisplayName(b, runEnd) || strongCueBefore(b, st) || strongCueAfter(b, runEnd)
	}
	if strong {
		return st, runEnd
	}
	weak := job || weakCueBefore(b, st)
	names, plain, words, initials, shaped, particles := 0, 0, 0, 0, 0, 0
	for x := range toks {
		t := &toks[x]
		if t.initial {
			initials++
			continue
		}
		words++
		if t.flags == 0 && surnameShape(b[t.st:t.end]) {
			t.flags = lxSurname
		}
		if t.flags&lxName == 0 && latinDiacritic(b[t.st:t.end]) {
			shaped++
		}
		if x > 0 && t.st > toks[x-1].end+1 && !toks[x-1].initial {
			particles++
		}
		if t.flags&lxName != 0 {
			names++
			if t.flags&lxCommon == 0 {
				plain++
			}
		}
	}
	if weak && (plain > 0 || names >= 2) {
		return st, runEnd
	}
	if nm.personCue {
		return 0, 0
	}
	first := toks[0].flags
	if words >= 2 {
		// A given name that is no English word, then any capitalized
		// words; or two name words, one of them no English word.
		if first&lxGiven != 0 && first&lxCommon == 0 || plain >= 1 && names >= 2 {
			return st, runEnd
		}
		// Words around an initial ("Faina D. Yefremova"), or words of
		// which one is spelt with letters beyond ASCII ("Brosca Erdôs"):
		// the shape of a name when no word is in the lexicon.
		if initials > 0 && !toks[len(toks)-1].initial || shaped > 0 && words <= 3 && particles == 0 {
			return st, runEnd
		}
		// An unknown word before a surname that is no English word
		// ("Tintin Forsberg").
		last := toks[len(toks)-1].flags
		if last&lxSurname != 0 && last&lxCommon == 0 && first&^lxGivenFirst == 0 {
			return st, runEnd
		}
		return 0, 0
	}
	// One word and no cue: a given name that is no English word and no
	// common surname, standing in prose.
	if givenFirst(first) && proseAround(b, st, runEnd) || first&lxGiven != 0 && vocative(b, st, runEnd) {
		return st, runEnd
	}
	// A surname that is no English word, capitalized after a small word
	// in prose ("says Hartvigsson.", "than early Bulgakov?"): a proper
	// noun there, and a surname's.
	if first&lxSurname != 0 && first&lxCommon == 0 && afterSmallWord(b, st) && proseAround(b, st, runEnd) {
		return st, runEnd
	}
	return 0, 0
}

// afterSmallWord reports whether the word at b[st] follows a word in small
// letters and one space: it stands inside a sentence, where a capital marks
// a proper noun, not at the start of a line, a field or a sentence.
//
// The word before must be all small letters ("Station Nord" is a name of
// two words), and no article, possessive or preposition that makes the
// name an attribute ("the Uber website", "her Uber resignation", "University
// of Nicosia") or a particle of a place ("avenue de Provence").
func afterSmallWord(b []byte, st int) bool {
	j := smallWordBefore(b, st)
	if j < 0 {
		return false
	}
	w := b[j : st-1]
	if string(w) == "of" {
		// "the gender of Vehbija", but "University of Nicosia".
		return smallWordBefore(b, j) >= 0
	}
	if particle(w) {
		return false
	}
	switch string(w) {
	case "the", "an", "and", "or", "her", "his", "its", "our", "their", "my", "your", "this", "that", "these", "those", "in", "at", "on", "into", "onto", "via", "near":
		return false
	}
	return true
}

// smallWordBefore returns the start of the word of two or more small
// letters that ends one space before b[st], or -1.
func smallWordBefore(b []byte, st int) int {
	if st < 3 || b[st-1] != ' ' {
		return -1
	}
	j := st - 1
	for j > 0 && b[j-1] >= 'a' && b[j-1] <= 'z' {
		j--
	}
	if st-1-j < 2 || j > 0 && !proseBefore(b[j-1]) {
		return -1
	}
	return j
}

// proseBefore reports whether c may stand right before a word of a
// sentence: a space or an opening quote or bracket, not a letter, digit or
// the glue of identifiers and key/value pairs ("_", "-", ".", ":", "="), so
// that the tail of a pseudonym or a field ("account_id_r_ghij Aba") is no
// small word of prose.
func proseBefore(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '(', '[', '"', '\'', ',', ';':
		return true
	}
	return false
}

// givenFirst reports whether a word with flags f is above all a given name:
// a given name that is no English word, and no surname unless more people
// bear it as a given name ("James", not "Williams").
func givenFirst(f uint16) bool {
	return f&lxGiven != 0 && f&lxCommon == 0 && (f&lxSurname == 0 || f&lxGivenFirst != 0)
}

// orgAfter reports whether the word after a run ending at end makes it a
// company or place ("Johnson & Sons", "Ellis-Ingram Ltd").
func orgAfter(lex *lexTable, b []byte, end int) bool {
	j := end
	if j < len(b) && (b[j] == ',' || b[j] == '&') {
		j++
	}
	for j < len(b) && b[j] == ' ' {
		j++
	}
	if j < len(b) && b[j] == '&' {
		return true
	}
	if j+4 < len(b) && string(b[j:j+4]) == "and " {
		j += 4 // "Thomas and Sons"
	}
	if j >= len(b) || b[j] < 'A' || b[j] > 'Z' {
		return false // "Smith points out": a company word is capitalized
	}
	e := j
	for e < len(b) && class[b[e]]&cLetter != 0 {
		e++
	}
	return e > j && lex.get(foldHash(b[j:e]))&lxOrg != 0
}

// proseAround reports whether a single name word at b[st:end] stands in
// prose rather than in a log's fields: after the line start, a space, a
// quote or an opening bracket, before a space or sentence punctuation.
func proseAround(b []byte, st, end int) bool {
	if st > 0 {
		switch b[st-1] {
		case ' ', '"', '\'', '(', '>', '\t', '\n', '\r':
		default:
			return false
		}
	}
	if end < len(b) {
		switch b[end] {
		case ' ', ',', '.', ';', ':', '!', '?', '"', ')', '\'', '\t', '\n', '\r':
		default:
			return false
		}
	}
	return true
}

// mailDisplayName reports whether the name ending at end is the display name of
// an e-mail address: `John Smith <john@example.com>`.
func mailDisplayName(b []byte, end int) bool {
	if end+2 >= len(b) || b[end] != ' ' || b[end+1] != '<' {
		if end+1 < len(b) && b[end] == '"' && end+3 < len(b) && b[end+1] == ' ' && b[end+2] == '<' {
			end++
		} else {
			return false
		}
	}
	for j := end + 2; j < len(b) && j < end+80; j++ {
		switch b[j] {
		case '@':
			return true
		case '>', ' ':
			return false
		}
	}
	return false
}

// prevWord returns the word that ends right before b[st] after spaces and
// one ':' or ',' (lower-cased into buf), and where it starts.
func prevWord(b []byte, st int, buf *[16]byte) ([]byte, int) {
	j := st - 1
	for j >= 0 && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
		j--
	}
	if j >= 0 && (b[j] == ':' || b[j] == ',' || b[j] == '"' || b[j] == '?') {
		j--
		for j >= 0 && (b[j] == ' ' || b[j] == '\t') {
			j--
		}
	}
	e := j + 1
	for j >= 0 && class[b[j]]&cLetter != 0 {
		j--
	}
	w := b[j+1 : e]
	if len(w) == 0 || len(w) > len(buf) {
		return nil, j + 1
	}
	for k, c := range w {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[k] = c
	}
	return buf[:len(w)], j + 1
}

// strongCueBefore reports whether the words before b[st] announce a name
// whatever it is: "my name is", "named", "called", "Mr", "Dear".
func strongCueBefore(b []byte, st int) bool {
	// The last letter of the word before: every cue ends in one of a few.
	j := st - 1
	for j >= 0 && (b[j] == ' ' || b[j] == ':' || b[j] == ',' || b[j] == '"' || b[j] == '?' || b[j] == '\t' || b[j] == '\n') {
		j--
	}
	if j > 0 && b[j] == '.' && (b[j-1] == 'r' || b[j-1] == 's' || b[j-1] == 'f') {
		// A title abbreviated in small letters ("ms. Quinzia"); one
		// with a capital is read with the name (readNameRun).
		e := j
		for j > 0 && b[j-1] >= 'a' && b[j-1] <= 'z' {
			j--
		}
		if j > 0 && class[b[j-1]]&cAlnum != 0 {
			return false
		}
		switch string(b[j:e]) {
		case "mr", "mrs", "ms", "dr", "prof":
			return true
		}
		return false
	}
	if j < 0 || !strongCueLast[b[j]|0x20] {
		return false
	}
	var buf [16]byte
	w, ws := prevWord(b, st, &buf)
	switch string(w) {
	case "named", "called", "dear", "mr", "mrs", "ms", "dr", "sig", "sra", "name", "signed", "regards", "sincerely",
		"says", "said", "starring", "featuring":
		return true
	case "is", "am":
		var buf2 [16]byte
		w2, _ := prevWord(b, ws, &buf2)
		return string(w2) == "name"
	case "me", "him", "her":
		// "everyone calls me Ján", "she named him Luís".
		var buf2 [16]byte
		w2, _ := prevWord(b, ws, &buf2)
		switch string(w2) {
		case "call", "calls", "called", "named", "name":
			return true
		}
	case "kid", "daughter", "child", "wife", "husband", "brother", "sister", "niece", "uncle", "granddaughter",
		"mother", "father", "mom", "dad", "boyfriend", "girlfriend":
		// Kin after a possessive: "my kid Tadzio".
		var buf2 [16]byte
		w2, _ := prevWord(b, ws, &buf2)
		switch string(w2) {
		case "my", "your", "his", "her", "our", "their":
			return true
		}
	}
	return false
}

// strongCueAfter reports whether what follows the words ending at b[end] makes
// them a person's name: a verb only people are the subject of ("Timotea
// lives on", "Zak shouted at").
func strongCueAfter(b []byte, end int) bool {
	if end+4 >= len(b) || b[end] != ' ' {
		return false
	}
	return verbStarts[int(b[end+1]&31)<<5|int(b[end+2]&31)]>>(b[end+3]&31)&1 != 0 && humanVerbAt(b, end+1)
}

// humanVerbAt reports whether one of humanVerbs is the word at b[i].
func humanVerbAt(b []byte, i int) bool {
	e := i
	for e < len(b) && b[e] >= 'a' && b[e] <= 'z' {
		e++
	}
	if e < len(b) && class[b[e]]&cAlnum != 0 {
		return false
	}
	w := b[i:e]
	for _, v := range humanVerbs {
		if len(v) == len(w) && string(w) == v {
			return true
		}
	}
	return false
}

// humanVerbs are the verbs strongCueAfter looks for.
var humanVerbs = [...]string{"lives", "lived", "shouted", "yelled", "whispered", "screamed", "smiled", "laughed", "cried",
	"replied", "married", "said", "says", "told", "explained"}

// verbStarts holds, for the first two letters of each of humanVerbs (their
// low five bits), a bit for its third letter: three loads rule out the
// other words ("request", "should", "token").
var verbStarts = func() (t [32 * 32]uint32) {
	for _, v := range humanVerbs {
		t[int(v[0]&31)<<5|int(v[1]&31)] |= 1 << (v[2] & 31)
	}
	return t
}()

// vocative reports whether the name word b[st:end] is addressed to
// someone, between a comma and the end of the clause ("Remember me,
// Maria?", "Don't go to town, Mark!").
func vocative(b []byte, st, end int) bool {
	return st >= 2 && b[st-1] == ' ' && b[st-2] == ',' && end < len(b) && (b[end] == '?' || b[end] == '!')
}

// weakCueBefore reports whether the word before b[st] makes a name likely
// ("assigned to", "customer", "user", "contact", "signed", "by"): a word
// of the lexicon after it is taken as a name even when it is also an
// English word.
func weakCueBefore(b []byte, st int) bool {
	var buf [16]byte
	w, _ := prevWord(b, st, &buf)
	switch string(w) {
	case "by", "to", "customer", "user", "contact", "signed", "from", "name", "cc", "attn", "author",
		"owner", "assignee", "reviewer", "approver", "agent", "patient", "client", "employee", "member",
		"driver", "recipient", "sender", "guest", "buyer", "seller", "tenant", "applicant", "holder",
		"cardholder", "with", "and", "for", "hi", "hello", "thanks", "son", "daughter", "wife",
		"husband", "mother", "father", "brother", "sister", "friend", "sir", "madam", "colleague",
		"manager", "boss", "mrs", "ms", "mr", "dr":
		return true
	}
	return false
}

// zhPersonAt finds a Chinese name around the cue at b[i]: a family name
// and one or two given-name characters before 先生, 女士 or 小姐 ("王伟先生"),
// or after 姓名, 客户, 用户, 联系人 or 收件人 ("联系人：张伟").
func zhPersonAt(lex *lexTable, b []byte, i int) (int, int) {
	if i+6 <= len(b) && (string(b[i:i+6]) == "先生" || string(b[i:i+6]) == "女士" || string(b[i:i+6]) == "小姐") {
		m := 0
		for m < 4 && cjkAt(b, i-3*(m+1)) {
			m++
		}
		for _, l := range [...]int{3, 2, 1} {
			if m >= l && (l < 3 || m == 3 || !zhFamily(lex, b, i-3*(l-1)-3)) && zhFamily(lex, b, i-3*l) {
				return i - 3*l, i
			}
		}
		return 0, 0
	}
	j := 0
	for _, c := range [...]string{"姓名", "客户", "用户", "联系人", "收件人", "寄件人", "持卡人"} {
		if i+len(c) <= len(b) && string(b[i:i+len(c)]) == c {
			j = i + len(c)
			break
		}
	}
	if j == 0 {
		return 0, 0
	}
	for _, sep := range [...]string{"：", ":", " "} {
		if j+len(sep) <= len(b) && string(b[j:j+len(sep)]) == sep {
			j += len(sep)
			break
		}
	}
	for j < len(b) && b[j] == ' ' {
		j++
	}
	if !zhFamily(lex, b, j) {
		return 0, 0
	}
	m := 1
	for m < 3 && cjkAt(b, j+3*m) {
		m++
	}
	if m < 2 {
		return 0, 0
	}
	return j, j + 3*m
}

// zhFamily reports whether the ideograph at b[i] is a Chinese family name.
func zhFamily(lex *lexTable, b []byte, i int) bool {
	return cjkAt(b, i) && lex.get(foldHash(b[i:i+3]))&lxZHFamily != 0
}

// surnameSuffixes are endings that mark a surname in many languages
// (Slavic, Nordic, Greek, Armenian, Georgian, Romanian, Turkish).
var surnameSuffixes = [...]string{"ov", "ova", "ev", "eva", "in", "ina", "sky", "ski", "ska", "cki", "cka", "dzki", "vich", "vič", "vić", "ić",
	"enko", "chuk", "czyk", "czak", "sson", "ssen", "poulos", "akis", "idis", "opoulou", "escu", "oglu", "oğlu", "yan", "ian", "shvili", "adze", "ová", "ný", "ská", "ský"}

// surnameShape reports whether the capitalized word w ends like a surname
// ("Yefremova", "Nowicki", "Petersson") and is long enough to be one.
func surnameShape(w []byte) bool {
	if len(w) < 6 || !surnameLast[w[len(w)-1]] {
		return false
	}
	for _, s := range surnameSuffixes {
		if len(w) > len(s)+2 && string(w[len(w)-len(s):]) == s {
			return true
		}
	}
	return false
}

// latinDiacritic reports whether w holds a Latin letter with a diacritic
// (Latin-1 Supplement, Latin Extended-A and B: "é", "ř", "ș").
func latinDiacritic(w []byte) bool {
	for _, c := range w {
		if c >= 0xc3 && c <= 0xc9 {
			return true
		}
	}
	return false
}

// mcPrefix reports whether the capital at b[j] follows "Mc" or "Mac" at
// the start of the word b[i:] ("McDowell", "MacArthur"), the one CamelCase
// that names have.
func mcPrefix(b []byte, i, j int) bool {
	return j == i+2 && b[i] == 'M' && b[i+1] == 'c' || j == i+3 && b[i] == 'M' && b[i+1] == 'a' && b[i+2] == 'c'
}

// surnameLast holds the last bytes of surnameSuffixes.
var surnameLast = func() (t [256]bool) {
	for _, s := range surnameSuffixes {
		t[s[len(s)-1]] = true
	}
	return t
}()

// strongCueLast holds the last letters of the words strongCueBefore looks
// for, in lower case.
var strongCueLast = func() (t [256]bool) {
	for _, c := range "dlrsgameyp" {
		t[c] = true
	}
	return t
}()
