package privacy

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// Limits on a request.
const (
	// MaxRequestBytes is the largest request accepted.
	MaxRequestBytes = 64 << 10
	// MaxSubjectBytes is the longest subject accepted.
	MaxSubjectBytes = 1024
)

// Request is one parsed privacy request.
type Request struct {
	// Type is the kind of identifier the subject is, one of the request
	// types of the Types it was parsed with (by default user_id, email,
	// phone, device_id).
	Type string
	// Action is what the request asks for.
	Action Action
	// TS is when the request was made; zero when the request has no "ts".
	TS time.Time
	// Subject is the raw identifier. It is personal data: it must never
	// be logged, and Wipe must be called as soon as its pseudonyms are
	// computed.
	Subject []byte
}

// Wipe overwrites the subject with zeros and forgets it. Go cannot promise
// that no other copy exists (the record it was parsed from holds one), but
// nothing scrubd keeps refers to the raw value afterwards.
func (r *Request) Wipe() {
	clear(r.Subject)
	r.Subject = nil
}

// ParseRequest parses a request, a JSON object
//
//	{"subject":"<raw identifier>","type":"email","action":"erase","ts":"2026-01-02T15:04:05Z"}
//
// strictly: members other than these four, a member given twice, a value
// that is not a string, a missing subject, type or action, a type that types
// does not name (nil means DefaultTypes), an unknown action, a ts that is
// not RFC 3339, invalid UTF-8 and trailing data are errors. "ts" may be left
// out. The subject must not be empty, longer than MaxSubjectBytes, start or
// end with white space or hold control characters.
//
// Errors are *RequestError values; they never contain any part of data.
func ParseRequest(data []byte, types Types) (Request, error) {
	if types == nil {
		types = DefaultTypes()
	}
	var req Request
	if len(data) > MaxRequestBytes {
		return req, &RequestError{Reason: ReasonTooLarge, Pos: -1, Detail: fmt.Sprintf("%d bytes, limit %d", len(data), MaxRequestBytes)}
	}
	if !utf8.Valid(data) {
		return req, &RequestError{Reason: ReasonMalformed, Pos: -1, Detail: "not valid UTF-8"}
	}
	p := jsonParser{data: data}
	var seen [numFields]bool
	var typ, action, ts []byte
	err := p.object(func(name []byte, pos int) error {
		f := fieldOf(name)
		if f < 0 {
			return &RequestError{Reason: ReasonUnknownField, Pos: pos, Detail: "members are subject, type, action and ts"}
		}
		if seen[f] {
			return &RequestError{Reason: ReasonDuplicateField, Pos: pos, Detail: fieldNames[f] + " is given twice"}
		}
		seen[f] = true
		vpos := p.pos
		v, ok, err := p.stringValue()
		if err != nil {
			return err
		}
		if !ok {
			return &RequestError{Reason: fieldReasons[f], Pos: vpos, Detail: fieldNames[f] + " must be a JSON string"}
		}
		switch f {
		case fieldSubject:
			req.Subject = v
		case fieldType:
			typ = v
		case fieldAction:
			action = v
		case fieldTS:
			ts = v
		}
		return nil
	})
	if err != nil {
		req.Wipe()
		return Request{}, err
	}
	if err := req.check(types, seen, typ, action, ts); err != nil {
		req.Wipe()
		return Request{}, err
	}
	return req, nil
}

// check validates the decoded members and fills in type, action and ts.
func (req *Request) check(types Types, seen [numFields]bool, typ, action, ts []byte) error {
	if !seen[fieldSubject] || len(req.Subject) == 0 {
		return &RequestError{Reason: ReasonMissingSubject, Pos: -1, Detail: "subject is missing or empty"}
	}
	if err := checkSubject(req.Subject); err != nil {
		return err
	}
	if !seen[fieldType] {
		return &RequestError{Reason: ReasonBadType, Pos: -1, Detail: "type is missing"}
	}
	if _, ok := types[string(typ)]; !ok {
		return &RequestError{Reason: ReasonBadType, Pos: -1, Detail: "type is not one of " + types.list()}
	}
	req.Type = string(typ)
	if !seen[fieldAction] {
		return &RequestError{Reason: ReasonBadAction, Pos: -1, Detail: "action is missing"}
	}
	req.Action = Action(action)
	if req.Action.rank() < 0 {
		req.Action = ""
		return &RequestError{Reason: ReasonBadAction, Pos: -1, Detail: "action is not one of withdraw_consent, restrict, erase, restore"}
	}
	if seen[fieldTS] {
		t, err := time.Parse(time.RFC3339Nano, string(ts))
		if err != nil {
			return &RequestError{Reason: ReasonBadTS, Pos: -1, Detail: "ts is not an RFC 3339 time such as 2026-01-02T15:04:05Z"}
		}
		req.TS = t
	}
	return nil
}

// checkSubject rejects subjects that cannot be meant as they are.
func checkSubject(s []byte) error {
	if len(s) > MaxSubjectBytes {
		return &RequestError{Reason: ReasonBadSubject, Pos: -1, Detail: fmt.Sprintf("subject is %d bytes, limit %d", len(s), MaxSubjectBytes)}
	}
	if isSpace(s[0]) || isSpace(s[len(s)-1]) {
		return &RequestError{Reason: ReasonBadSubject, Pos: -1, Detail: "subject starts or ends with white space"}
	}
	for _, r := range string(s) {
		if r < 0x20 || r == 0x7f || 0x80 <= r && r < 0xa0 || r == 0x2028 || r == 0x2029 {
			return &RequestError{Reason: ReasonBadSubject, Pos: -1, Detail: "subject holds a control character"}
		}
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// The members of a request.
const (
	fieldSubject = iota
	fieldType
	fieldAction
	fieldTS
	numFields
)

var fieldNames = [numFields]string{"subject", "type", "action", "ts"}

// fieldReasons are the reasons for a member whose value is not a string.
var fieldReasons = [numFields]Reason{ReasonBadSubject, ReasonBadType, ReasonBadAction, ReasonBadTS}

func fieldOf(name []byte) int {
	for i, n := range fieldNames {
		if string(name) == n {
			return i
		}
	}
	return -1
}
