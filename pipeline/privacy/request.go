package privacy

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on a request.
const (
	// MaxRequestBytes is the largest request accepted.
	MaxRequestBytes = 64 << 10
	// MaxSubjectBytes is the longest subject accepted.
	MaxSubjectBytes = 1024
	// MaxPseudonyms is the most pseudonyms a pseudonym-only request may
	// list (pseudonym types of its request type times HMAC keys).
	MaxPseudonyms = 256
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
	// computed. Nil in a pseudonym-only request.
	Subject []byte
	// Pseudonyms, in a pseudonym-only request, name the subject by its
	// pseudonyms ("<pseudonym type>_<key id>_<24 letters>") instead of
	// the raw identifier: what `scrubd privacy compact-requests` leaves in
	// the topic once a request applied. Each is of a pseudonym type the
	// request type maps to.
	Pseudonyms []string
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
//	{"pseudonyms":["email_k1_ghij...","email_k2_..."],"type":"email","action":"erase","ts":"..."}
//
// strictly: exactly one of subject and pseudonyms, members other than these, a member given twice, a value
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
			return &RequestError{Reason: ReasonUnknownField, Pos: pos, Detail: "members are subject or pseudonyms, type, action and ts"}
		}
		if seen[f] {
			return &RequestError{Reason: ReasonDuplicateField, Pos: pos, Detail: fieldNames[f] + " is given twice"}
		}
		seen[f] = true
		vpos := p.pos
		if f == fieldPseudonyms {
			return p.pseudonyms(&req, vpos)
		}
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

// pseudonyms decodes the pseudonyms member, a non-empty array of at most
// MaxPseudonyms strings; their form is checked with the type, in check.
func (p *jsonParser) pseudonyms(req *Request, vpos int) error {
	req.Pseudonyms = []string{}
	ok, err := p.stringArray(func(v []byte) error {
		if len(req.Pseudonyms) == MaxPseudonyms {
			return &RequestError{Reason: ReasonBadSubject, Pos: vpos, Detail: fmt.Sprintf("more than %d pseudonyms", MaxPseudonyms)}
		}
		req.Pseudonyms = append(req.Pseudonyms, string(v))
		return nil
	})
	if err == nil && !ok {
		err = &RequestError{Reason: ReasonBadSubject, Pos: vpos, Detail: "pseudonyms must be a JSON array of strings"}
	}
	return err
}

// check validates the decoded members and fills in type, action and ts.
func (req *Request) check(types Types, seen [numFields]bool, typ, action, ts []byte) error {
	if seen[fieldSubject] && seen[fieldPseudonyms] {
		return &RequestError{Reason: ReasonBadSubject, Pos: -1, Detail: "subject and pseudonyms exclude each other"}
	}
	if !seen[fieldPseudonyms] {
		if !seen[fieldSubject] || len(req.Subject) == 0 {
			return &RequestError{Reason: ReasonMissingSubject, Pos: -1, Detail: "subject is missing or empty"}
		}
		if err := checkSubject(req.Subject); err != nil {
			return err
		}
	} else if len(req.Pseudonyms) == 0 {
		return &RequestError{Reason: ReasonMissingSubject, Pos: -1, Detail: "pseudonyms is empty"}
	}
	if !seen[fieldType] {
		return &RequestError{Reason: ReasonBadType, Pos: -1, Detail: "type is missing"}
	}
	if _, ok := types[string(typ)]; !ok {
		return &RequestError{Reason: ReasonBadType, Pos: -1, Detail: "type is not one of " + types.list()}
	}
	req.Type = string(typ)
	for _, ps := range req.Pseudonyms {
		if !pseudonymOf(types[req.Type], ps) {
			return &RequestError{Reason: ReasonBadSubject, Pos: -1, Detail: "a pseudonym is not <type>_<key id>_<24 letters g-v> of a pseudonym type of " + req.Type}
		}
	}
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

// pseudonymOf reports whether p has the form of a pseudonym of one of the
// pseudonym types pts: "<type>_<key id>_<24 letters g-v>", the key id a
// lower-case letter and up to 15 lower-case letters or digits.
func pseudonymOf(pts []string, p string) bool {
	for _, pt := range pts {
		rest, ok := strings.CutPrefix(p, pt+"_")
		if !ok || len(rest) < 2+2*bodyBytes {
			continue
		}
		kid, body := rest[:len(rest)-1-2*bodyBytes], rest[len(rest)-2*bodyBytes:]
		if rest[len(kid)] != '_' || len(kid) > 16 || kid[0] < 'a' || kid[0] > 'z' {
			continue
		}
		if strings.IndexFunc(kid, func(r rune) bool { return !('a' <= r && r <= 'z' || '0' <= r && r <= '9') }) >= 0 {
			continue
		}
		if strings.IndexFunc(body, func(r rune) bool { return r < 'g' || r > 'v' }) < 0 {
			return true
		}
	}
	return false
}

// The members of a request.
const (
	fieldSubject = iota
	fieldType
	fieldAction
	fieldTS
	fieldPseudonyms
	numFields
)

var fieldNames = [numFields]string{"subject", "type", "action", "ts", "pseudonyms"}

// fieldReasons are the reasons for a member whose value is not a string.
var fieldReasons = [numFields]Reason{ReasonBadSubject, ReasonBadType, ReasonBadAction, ReasonBadTS, ReasonBadSubject}

func fieldOf(name []byte) int {
	for i, n := range fieldNames {
		if string(name) == n {
			return i
		}
	}
	return -1
}
