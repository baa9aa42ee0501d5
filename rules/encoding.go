package rules

import (
	"encoding/binary"
)

// Opaque payloads: records the engine cannot read as text, because the
// personal data in them is compressed out of sight, or because rewriting a
// value would corrupt the length prefixes of a binary encoding. They fail
// closed with ReasonUnsupportedEncoding.

// sniffWindow is how many leading bytes of a record the binary check reads.
// Binary encodings show themselves in their first bytes (tags, length
// prefixes, headers); reading no further keeps the check's cost per record
// small and fixed, whatever the record's size: four words read and tested
// at once, about 1 % of scrubbing a line of free text.
const sniffWindow = 32

// A magic is the leading bytes of a compressed or framed payload.
type magic struct {
	prefix string
	what   string // for RecordError.Detail
}

// magics are the payload signatures recognised. Their first bytes are
// control characters or above 0x7f, except for zstd's "(", zip's "PK" and
// Avro's "Obj", which are followed by bytes that text does not hold.
// bzip2's "BZh" is followed by a block size and a 48-bit block or end
// marker, ten bytes in all, which no log line begins with (see isBzip2).
var magics = [...]magic{
	{"\x1f\x8b", "gzip-compressed payload"},
	{"\x28\xb5\x2f\xfd", "zstd-compressed payload"},
	{"\x04\x22\x4d\x18", "lz4-compressed payload (frame format)"},
	{"\x02\x21\x4c\x18", "lz4-compressed payload (legacy format)"},
	{"\xff\x06\x00\x00\x73\x4e\x61\x50\x70\x59", "snappy-compressed payload (framing format)"},
	{"\xfd\x37\x7a\x58\x5a\x00", "xz-compressed payload"},
	{"PK\x03\x04", "zip archive"},
	{"PK\x05\x06", "zip archive"},
	{"PK\x07\x08", "zip archive"},
	{"Obj\x01", "Avro object container file"},
}

// sniffOpaque reports whether rec is an opaque payload, returning a fixed
// description of what it is, or "" when rec is to be read as a record. It
// reads at most the first sniffWindow bytes. The rules, in order:
//
//   - a signature of a compressed format or archive at the start: gzip,
//     zstd, lz4 (frame and legacy), snappy framing, bzip2, xz, zip, and
//     Avro's object container files;
//   - a NUL first byte followed by at least four bytes: the Confluent wire
//     format (magic byte 0 and a 4-byte schema id, then Avro, Protobuf or
//     JSON Schema bytes), whose strings sit under length prefixes;
//   - binary data: a NUL byte in the window, a first byte that is a control
//     character text does not use, or two such control characters in the
//     window.
//
// The engine applies the first two rules, which read a few bytes, to every
// record (opaqueSignature) and the third only to records that are not
// walked as JSON (looksBinary): a JSON walk reads every byte anyway, and
// what it accepts is JSON, whatever control characters its strings hold.
//
// The control characters that text uses are allowed and never counted: tab,
// line feed, vertical tab, form feed, carriage return, ESC (ANSI colours),
// SOH, STX and ETX (the field and frame separators of FIX and serial
// protocols) and FS, GS, RS and US (separators of HL7 framing, EDI and GS1).
// Bytes from 0x80 up are not judged: UTF-8 (CJK, emoji) and legacy 8-bit
// encodings are text. Text in UTF-16 holds NUL bytes and is opaque.
func sniffOpaque(rec []byte) string {
	if what := opaqueSignature(rec); what != "" {
		return what
	}
	if len(rec) > 0 && looksBinary(rec[:min(len(rec), sniffWindow)]) {
		return binaryPayload
	}
	return ""
}

// binaryPayload describes a record that looksBinary.
const binaryPayload = "binary payload"

// sigLead marks the bytes a signature starts with (see magics and
// opaqueSignature): a record that starts with another byte, as text does,
// is passed by one table lookup.
var sigLead = func() (t [256]bool) {
	for _, m := range magics {
		t[m.prefix[0]] = true
	}
	t[0], t['B'] = true, true
	return t
}()

// opaqueSignature applies the signature rules of sniffOpaque to rec.
func opaqueSignature(rec []byte) string {
	if len(rec) == 0 || !sigLead[rec[0]] {
		return ""
	}
	switch c := rec[0]; {
	case c == 0 && len(rec) >= 5:
		return "Confluent wire format (magic byte 0 and a schema id)"
	case c == 'B':
		if isBzip2(rec) {
			return "bzip2-compressed payload"
		}
	default:
		for _, m := range magics {
			if len(rec) >= len(m.prefix) && string(rec[:len(m.prefix)]) == m.prefix {
				return m.what
			}
		}
	}
	return ""
}

// isBzip2 reports whether b starts like a bzip2 stream: "BZh", a block size
// digit, and the magic of a block (the BCD digits of pi) or of the end of
// the stream (those of sqrt(pi)).
func isBzip2(b []byte) bool {
	if len(b) < 10 || string(b[:3]) != "BZh" || b[3] < '1' || b[3] > '9' {
		return false
	}
	m := string(b[4:10])
	return m == "\x31\x41\x59\x26\x53\x59" || m == "\x17\x72\x45\x38\x50\x90"
}

// ctlOdd marks the bytes that count as binary: the C0 control characters
// that text does not use (see sniffOpaque), and DEL. NUL is among them and
// is decisive on its own.
var ctlOdd = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	for _, c := range []byte{'\t', '\n', '\v', '\f', '\r', 0x1b, 0x01, 0x02, 0x03, 0x1c, 0x1d, 0x1e, 0x1f} {
		t[c] = false
	}
	t[0x7f] = true
	return t
}()

// looksBinary applies the binary rules of sniffOpaque to the window b, at
// most sniffWindow bytes. It tests four words that cover the window (they
// overlap when it is shorter) at once, and looks at single bytes only when
// one of them holds a control character or DEL, so text without control
// characters costs a few arithmetic operations per eight bytes and one
// branch.
func looksBinary(b []byte) bool {
	if ctlOdd[b[0]] {
		return true
	}
	if n := len(b); n >= 8 {
		le := binary.LittleEndian
		if !hasControl(le.Uint64(b), le.Uint64(b[min(8, n-8):]), le.Uint64(b[min(16, n-8):]), le.Uint64(b[n-8:])) {
			return false // the common case: no control character at all
		}
	}
	odd := 0
	for _, c := range b {
		if ctlOdd[c] {
			if c == 0 {
				return true
			}
			odd++
		}
	}
	return odd >= 2
}

// hasControl reports whether a byte of the words w, x, y, z is below 0x20
// or is 0x7f (the has-less-than and has-zero-byte tests of "Bit Twiddling
// Hacks", exact for the words as a whole).
func hasControl(w, x, y, z uint64) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
		space = 0x20 * ones
		del   = 0x7f * ones
	)
	lt := (w-space)&^w | (x-space)&^x | (y-space)&^y | (z-space)&^z
	dw, dx, dy, dz := w^del, x^del, y^del, z^del
	eq := (dw-ones)&^dw | (dx-ones)&^dx | (dy-ones)&^dy | (dz-ones)&^dz
	return (lt|eq)&highs != 0
}
