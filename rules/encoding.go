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
// small and fixed, whatever the record's size: about 1 % of scrubbing a
// 250-byte line.
const sniffWindow = 128

// A magic is the leading bytes of a compressed or framed payload.
type magic struct {
	prefix string
	what   string // for RecordError.Detail
}

// magics are the payload signatures recognised, by their first byte.
// Their first bytes are control characters or above 0x7f, except for
// zstd's "(", zip's "PK" and Avro's "Obj", which are followed by bytes that
// text does not hold; bzip2's "BZh" (see isBzip2) is followed by a block size and a 48-bit
// block or end marker, ten bytes in all, which no log line begins with.
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
//     character text does not use, or such control characters making up at
//     least 1/32 of the window (and at least two of them).
//
// The control characters that text uses are allowed and never counted: tab,
// line feed, vertical tab, form feed, carriage return, ESC (ANSI colours),
// SOH, STX and ETX (the field and frame separators of FIX and serial
// protocols) and FS, GS, RS and US (separators of HL7 framing, EDI and GS1).
// Bytes from 0x80 up are not judged: UTF-8 (CJK, emoji) and legacy 8-bit
// encodings are text. Text in UTF-16 holds NUL bytes and is opaque.
func sniffOpaque(rec []byte) string {
	if len(rec) == 0 {
		return ""
	}
	switch c := rec[0]; {
	case c == 0 && len(rec) >= 5:
		return "Confluent wire format (magic byte 0 and a schema id)"
	case c == 'B':
		if isBzip2(rec) {
			return "bzip2-compressed payload"
		}
	case c < 0x20 || c >= 0x7f || c == '(' || c == 'P' || c == 'O':
		for _, m := range magics {
			if len(rec) >= len(m.prefix) && string(rec[:len(m.prefix)]) == m.prefix {
				return m.what
			}
		}
	}
	if looksBinary(rec[:min(len(rec), sniffWindow)]) {
		return "binary payload"
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

// looksBinary applies the binary rules of sniffOpaque to the window b. It
// reads sixteen bytes at a time up to the first pair of words that holds a
// control character or DEL, and byte by byte from there, so text without
// control characters costs a few arithmetic operations per eight bytes.
func looksBinary(b []byte) bool {
	if ctlOdd[b[0]] {
		return true
	}
	i := 0
	for ; i+16 <= len(b); i += 16 {
		if hasControl(binary.LittleEndian.Uint64(b[i:]), binary.LittleEndian.Uint64(b[i+8:])) {
			break
		}
	}
	if i == len(b) {
		return false // the common case: no control character at all
	}
	// Count from the first word with a control character on.
	odd := 0
	for _, c := range b[i:] {
		if ctlOdd[c] {
			if c == 0 {
				return true
			}
			odd++
		}
	}
	return odd >= 2 && odd*32 >= len(b)
}

// hasControl reports whether a byte of the words x and y is below 0x20 or
// is 0x7f (the has-less-than and has-zero-byte tests of "Bit Twiddling
// Hacks").
func hasControl(x, y uint64) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	dx, dy := x^0x7f*ones, y^0x7f*ones
	return ((x-0x20*ones)&^x|(y-0x20*ones)&^y|(dx-ones)&^dx|(dy-ones)&^dy)&highs != 0
}
