package privacy

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/scrubd/scrubd/detectors/hexdig"
)

// jsonParser reads the one flat JSON object a request is. It is written by
// hand rather than with encoding/json because a request must be read
// strictly (encoding/json matches member names without regard to case and
// lets a repeated member win silently) and because the subject must be
// decoded into a buffer that can be wiped. The input is valid UTF-8.
type jsonParser struct {
	data []byte
	pos  int
}

func (p *jsonParser) fail(detail string) error {
	return &RequestError{Reason: ReasonMalformed, Pos: p.pos, Detail: detail}
}

func (p *jsonParser) space() {
	for p.pos < len(p.data) && isSpace(p.data[p.pos]) {
		p.pos++
	}
}

// object parses the whole input as one object, calling member for each
// member with its decoded name and position, with the parser placed at the
// member's value, which member must consume.
func (p *jsonParser) object(member func(name []byte, pos int) error) error {
	p.space()
	if p.pos >= len(p.data) || p.data[p.pos] != '{' {
		return p.fail("a request is a JSON object")
	}
	p.pos++
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return p.end()
	}
	for {
		p.space()
		pos := p.pos
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return p.fail("expected a member name")
		}
		name, err := p.str()
		if err != nil {
			return err
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return p.fail("expected ':'")
		}
		p.pos++
		p.space()
		err = member(name, pos)
		clear(name)
		if err != nil {
			return err
		}
		p.space()
		if p.pos >= len(p.data) {
			return p.fail("unterminated object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return p.end()
		default:
			return p.fail("expected ',' or '}'")
		}
	}
}

// end accepts only white space after the object.
func (p *jsonParser) end() error {
	p.space()
	if p.pos != len(p.data) {
		return p.fail("data after the object")
	}
	return nil
}

// stringValue decodes a string value. When the value is valid JSON of
// another kind it is skipped and ok is false.
func (p *jsonParser) stringValue() (v []byte, ok bool, err error) {
	if p.pos < len(p.data) && p.data[p.pos] == '"' {
		v, err = p.str()
		return v, err == nil, err
	}
	return nil, false, p.skipValue(0)
}

// stringArray decodes an array of strings, calling each for every one
// (valid during the call). ok is false, with the value skipped, when the
// value is valid JSON of another kind or an element is not a string.
func (p *jsonParser) stringArray(each func([]byte) error) (ok bool, err error) {
	if p.pos >= len(p.data) || p.data[p.pos] != '[' {
		return false, p.skipValue(0)
	}
	p.pos++
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return true, nil
	}
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return false, p.fail("expected a string in the array")
		}
		v, err := p.str()
		if err != nil {
			return false, err
		}
		if err := each(v); err != nil {
			return false, err
		}
		p.space()
		if p.pos >= len(p.data) {
			return false, p.fail("unterminated array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return true, nil
		default:
			return false, p.fail("expected ',' or ']'")
		}
	}
}

// str decodes the string at p.pos into a new buffer.
func (p *jsonParser) str() ([]byte, error) {
	p.pos++ // opening quote
	var out []byte
	for {
		if p.pos >= len(p.data) {
			clear(out)
			return nil, p.fail("unterminated string")
		}
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			if out == nil {
				out = []byte{}
			}
			return out, nil
		case c < 0x20:
			clear(out)
			return nil, p.fail("control character in a string")
		case c == '\\':
			var ok bool
			if out, ok = p.escape(out); !ok {
				clear(out)
				return nil, p.fail("invalid escape in a string")
			}
		default:
			out = append(out, c)
			p.pos++
		}
	}
}

// escape decodes the escape sequence at p.pos and appends it to out.
func (p *jsonParser) escape(out []byte) ([]byte, bool) {
	if p.pos+1 >= len(p.data) {
		return out, false
	}
	c := p.data[p.pos+1]
	p.pos += 2
	switch c {
	case '"', '\\', '/':
		return append(out, c), true
	case 'b':
		return append(out, '\b'), true
	case 'f':
		return append(out, '\f'), true
	case 'n':
		return append(out, '\n'), true
	case 'r':
		return append(out, '\r'), true
	case 't':
		return append(out, '\t'), true
	case 'u':
		r, ok := p.hex4()
		if !ok {
			return out, false
		}
		if utf16.IsSurrogate(r) {
			// Only a high surrogate followed by an escaped low one is a
			// character; a lone surrogate is rejected.
			if r >= 0xdc00 || p.pos+1 >= len(p.data) || p.data[p.pos] != '\\' || p.data[p.pos+1] != 'u' {
				return out, false
			}
			p.pos += 2
			r2, ok := p.hex4()
			if !ok {
				return out, false
			}
			if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
				return out, false
			}
		}
		return utf8.AppendRune(out, r), true
	}
	return out, false
}

// hex4 decodes the four digits of a \\u escape at the parser's position
// and moves past them.
func (p *jsonParser) hex4() (rune, bool) {
	r, ok := hexdig.Quad(p.data, p.pos)
	if ok {
		p.pos += 4
	}
	return r, ok
}

// maxDepth bounds the nesting of a skipped value.
const maxDepth = 16

// skipValue skips one JSON value of any kind, checking its syntax.
func (p *jsonParser) skipValue(depth int) error {
	if depth > maxDepth {
		return p.fail("value nested too deeply")
	}
	if p.pos >= len(p.data) {
		return p.fail("expected a value")
	}
	switch c := p.data[p.pos]; {
	case c == '"':
		v, err := p.str()
		clear(v)
		return err
	case c == '{' || c == '[':
		return p.skipContainer(depth)
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	}
	return p.fail("expected a value")
}

func (p *jsonParser) skipContainer(depth int) error {
	closing := byte(']')
	if p.data[p.pos] == '{' {
		closing = '}'
	}
	p.pos++
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == closing {
		p.pos++
		return nil
	}
	for {
		p.space()
		if closing == '}' {
			if p.pos >= len(p.data) || p.data[p.pos] != '"' {
				return p.fail("expected a member name")
			}
			name, err := p.str()
			clear(name)
			if err != nil {
				return err
			}
			p.space()
			if p.pos >= len(p.data) || p.data[p.pos] != ':' {
				return p.fail("expected ':'")
			}
			p.pos++
			p.space()
		}
		if err := p.skipValue(depth + 1); err != nil {
			return err
		}
		p.space()
		if p.pos >= len(p.data) {
			return p.fail("unterminated value")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case closing:
			p.pos++
			return nil
		default:
			return p.fail("expected ',' or the end of the value")
		}
	}
}

func (p *jsonParser) literal(s string) error {
	if len(p.data)-p.pos < len(s) || string(p.data[p.pos:p.pos+len(s)]) != s {
		return p.fail("expected a value")
	}
	p.pos += len(s)
	return nil
}

// number skips a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *jsonParser) number() error {
	d := p.data
	i := p.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case digits() == 0:
		return p.fail("invalid number")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if digits() == 0 {
			return p.fail("invalid number")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			return p.fail("invalid number")
		}
	}
	p.pos = i
	return nil
}
