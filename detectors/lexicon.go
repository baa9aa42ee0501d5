package detectors

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
	"sync"
)

// The lexicons of the person and address detectors (lexicon/SOURCES.md).
var (
	//go:embed lexicon/given.txt
	lexGiven []byte
	//go:embed lexicon/surname.txt
	lexSurname []byte
	//go:embed lexicon/common.txt
	lexCommon []byte
	//go:embed lexicon/zh_family.txt
	lexZHFamily []byte
	//go:embed lexicon/hand.txt
	lexHand []byte
	//go:embed lexicon/given_first.txt
	lexGivenFirst []byte
)

// Flags of a word in the lexicon table. A word may have several.
const (
	lxGiven        = 1 << iota // a given name
	lxSurname                  // a family name
	lxCommon                   // also a common English word: needs support
	lxStop                     // log or technology vocabulary: never starts a name
	lxTitle                    // Mr, Dr, Frau: a strong cue before a name
	lxSalute                   // Dear, Hello: a strong cue before a name
	lxStreetAfter              // Street, Ave: ends a street name ("12 Main St")
	lxStreetBefore             // Rue, Via, Calle: starts one ("Via Roma 131")
	lxUnit                     // Suite, Apt: a unit number follows
	lxPOBox                    // Box, Postfach: a box number follows
	lxZHFamily                 // a Chinese family name
	lxGivenFirst               // borne as a given name more than as a surname
	lxOrg                      // Inc, Bank, Valley: a run with it names no person
	lxPlace                    // a country or region ("Poland", "Southern")
	lxJob                      // Producer, Senator: a weak cue before a name
)

// A lexTable maps a folded word (see foldHash) to its flags. It is an
// open-addressing table of 64-bit entries: the high 48 bits of the word's
// hash and 16 bits of flags. One probe is usually one cache line.
type lexTable struct {
	slots []uint64
	mask  uint64
}

const lexFlagBits = 0xffff

func newLexTable(n int) *lexTable {
	size := 1024
	for size < n*2 {
		size <<= 1
	}
	return &lexTable{slots: make([]uint64, size), mask: uint64(size - 1)}
}

// add sets flags on the word whose hash is h.
func (t *lexTable) add(h uint64, flags uint16) {
	key := h&^lexFlagBits | 1<<63
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		e := t.slots[i]
		if e == 0 {
			t.slots[i] = key | uint64(flags)
			return
		}
		if e&^lexFlagBits == key {
			t.slots[i] = e | uint64(flags)
			return
		}
	}
}

// get returns the flags of the word whose hash is h, 0 when it is absent.
func (t *lexTable) get(h uint64) uint16 {
	key := h&^lexFlagBits | 1<<63
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		e := t.slots[i]
		if e == 0 {
			return 0
		}
		if e&^lexFlagBits == key {
			return uint16(e)
		}
	}
}

func (t *lexTable) clone() *lexTable {
	return &lexTable{slots: append([]uint64(nil), t.slots...), mask: t.mask}
}

// FNV-1a, 64 bits: one multiply a byte, computed while the word is walked.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// foldHash hashes w case-folded: ASCII, Latin-1 and basic Cyrillic and
// Greek capitals count as their small letters, so that "JOSÉ", "José" and
// "josé" are one key. Other bytes are hashed as they are.
func foldHash(w []byte) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c >= 0xc3 && i+1 < len(w):
			d := w[i+1]
			c, d = foldPair(c, d)
			h = (h ^ uint64(c)) * fnvPrime
			c = d
			i++
		}
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// foldPair lowers the two-byte UTF-8 capitals of Latin-1, Cyrillic and
// Greek; other pairs are returned as they are.
func foldPair(c, d byte) (byte, byte) {
	switch c {
	case 0xc3: // À-Þ except ×
		if d >= 0x80 && d <= 0x9e && d != 0x97 {
			d += 0x20
		}
	case 0xd0:
		switch {
		case d >= 0x90 && d <= 0x9f: // А-П
			d += 0x20
		case d >= 0xa0 && d <= 0xaf: // Р-Я
			c, d = 0xd1, d-0x20
		case d >= 0x80 && d <= 0x8f: // Ѐ-Џ
			c, d = 0xd1, d+0x10
		}
	case 0xce:
		switch {
		case d >= 0x91 && d <= 0x9f: // Α-Ο
			d += 0x20
		case d >= 0xa0 && d <= 0xa9: // Π-Ω
			c, d = 0xcf, d-0x20
		}
	}
	return c, d
}

var (
	baseLexOnce sync.Once
	baseLex     *lexTable
)

// baseLexicon returns the table of the embedded lexicons, built once.
func baseLexicon() *lexTable {
	baseLexOnce.Do(func() {
		t := newLexTable(120000)
		addWords(t, lexGiven, lxGiven)
		addWords(t, lexSurname, lxSurname)
		addWords(t, lexCommon, lxCommon)
		addWords(t, lexZHFamily, lxZHFamily)
		addWords(t, lexGivenFirst, lxGivenFirst)
		addHand(t, lexHand)
		baseLex = t
	})
	return baseLex
}

// addWords adds every line of data (one word a line; '#' starts a comment)
// with flags.
func addWords(t *lexTable, data []byte, flags uint16) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		w := bytes.TrimSpace(sc.Bytes())
		if len(w) == 0 || w[0] == '#' {
			continue
		}
		t.add(foldHash(w), flags)
	}
}

var handSections = map[string]uint16{
	"title": lxTitle, "cue": lxSalute, "street_after": lxStreetAfter, "street_before": lxStreetBefore,
	"unit": lxUnit, "pobox": lxPOBox, "stop": lxStop | lxCommon, "org": lxOrg, "place": lxCommon | lxPlace, "job": lxJob,
}

// addHand adds hand.txt: words under [section] headers. The street
// suffixes are kept apart (streetSuffixes), being word ends.
func addHand(t *lexTable, data []byte) {
	var flags uint16
	section := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '[':
			section = strings.Trim(line, "[]")
			flags = handSections[section]
		case section == "street_suffix":
			streetSuffixes = append(streetSuffixes, line)
		default:
			t.add(foldHash([]byte(line)), flags)
		}
	}
}

// streetSuffixes are the ends of compound street names ("Pohlstraße",
// "Rooseveltlaan"), lower case, from hand.txt.
var streetSuffixes []string

// NameOptions tunes the person and address detectors.
type NameOptions struct {
	// PersonCueOnly reports a person only after a cue (a title, a
	// salutation, "assigned to", "customer", ...), never on the lexicon
	// and capitalization alone.
	PersonCueOnly bool
	// AddressCueOnly reports an address only after a cue ("ship to",
	// "address", "deliver to", "billing") or with a unit or box number.
	AddressCueOnly bool
	// Lexicons are extra name lists, each the text of a file with one
	// name a line ('#' starts a comment); their names count as given
	// names and surnames, never as common words.
	Lexicons [][]byte
}

// nameLexicon returns the table for opts: the embedded one, or a copy with
// the extra lexicons added.
func nameLexicon(opts NameOptions) *lexTable {
	t := baseLexicon()
	if len(opts.Lexicons) == 0 {
		return t
	}
	t = t.clone()
	for _, l := range opts.Lexicons {
		addWords(t, l, lxGiven|lxSurname)
	}
	return t
}
