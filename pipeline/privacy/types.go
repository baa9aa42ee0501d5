package privacy

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scrubd/scrubd/rules"
)

// Types maps the type a request names its subject with to the pseudonym
// types (the names of the policy's subject types, see rules.Policy.Subjects)
// that a subject of that type is matched against. Mapping one request type
// to several pseudonym types (device_id to device_id, uuid and imei, say)
// matches an identifier wherever the policy found it.
type Types map[string][]string

// DefaultTypes returns the default mapping: user_id to account_id, email
// to email, phone to phone and device_id to device_id.
func DefaultTypes() Types {
	return Types{
		"user_id":   {"account_id"},
		"email":     {"email"},
		"phone":     {"phone"},
		"device_id": {"device_id"},
	}
}

// maxPseudonymTypes bounds the distinct pseudonym types of a mapping; a Set
// keys them with a byte.
const maxPseudonymTypes = 64

// Validate checks that every name is a type name (a lower-case letter, then
// lower-case letters, digits and underscores) and every request type maps
// to at least one pseudonym type.
func (t Types) Validate() error {
	if len(t) == 0 {
		return errors.New("privacy types: no request type")
	}
	var errs []error
	for _, rt := range t.names() {
		if !rules.ValidTypeName(rt) {
			errs = append(errs, fmt.Errorf("privacy types: request type %q is not a type name", rt))
		}
		if len(t[rt]) == 0 {
			errs = append(errs, fmt.Errorf("privacy types: request type %q maps to no pseudonym type", rt))
		}
		for _, pt := range t[rt] {
			if !rules.ValidTypeName(pt) {
				errs = append(errs, fmt.Errorf("privacy types: pseudonym type %q of %q is not a type name", pt, rt))
			}
		}
	}
	if n := len(t.pseudonymTypes()); n > maxPseudonymTypes {
		errs = append(errs, fmt.Errorf("privacy types: %d pseudonym types, limit %d", n, maxPseudonymTypes))
	}
	return errors.Join(errs...)
}

// CheckSubjects reports the pseudonym types that the policy does not list
// as subject types: records never carry subjects of those types, so
// requests of the request types that map to them would match nothing.
func (t Types) CheckSubjects(policySubjects []string) error {
	var missing []string
	for _, pt := range t.pseudonymTypes() {
		if !slices.Contains(policySubjects, pt) {
			missing = append(missing, pt)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("privacy types: pseudonym types %s are not among the policy's subjects", strings.Join(missing, ", "))
	}
	return nil
}

// names returns the request types, sorted.
func (t Types) names() []string {
	names := make([]string, 0, len(t))
	for n := range t {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// list returns the request types for messages.
func (t Types) list() string { return strings.Join(t.names(), ", ") }

// pseudonymTypes returns every pseudonym type mapped to, sorted, once.
func (t Types) pseudonymTypes() []string {
	var out []string
	for _, pts := range t {
		out = append(out, pts...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Pseudonyms returns the pseudonyms of subject, a raw identifier of request
// type typ, under every key of keys and for every pseudonym type typ maps
// to, each normalized the way rules normalizes values before making their
// pseudonyms (rules.Normalize). These are what the subject's records carry
// and the keys of its vault entries. The raw value is not kept; the buffer
// it was normalized in is wiped.
func (t Types) Pseudonyms(keys *rules.Keyring, typ string, subject []byte) ([]string, error) {
	pts, ok := t[typ]
	if !ok {
		return nil, &RequestError{Reason: ReasonBadType, Pos: -1, Detail: "type is not one of " + t.list()}
	}
	var out []string
	err := eachPseudonym(keys, pts, subject, func(_ int, _ string, p []byte) {
		out = append(out, string(p))
	})
	return out, err
}

// RecordKey returns the record key recommended for requests about subject,
// a raw identifier of request type typ: "<typ>:" and the hexadecimal
// SHA-256 of the subject normalized as for its first pseudonym type (an
// e-mail address in lower case, a phone number as '+' and digits). All
// requests about one subject then share a key, so compaction keeps the
// latest. The hash is no pseudonym: anyone can compute it from a guess;
// it keeps identifiers out of keys, which tools print more readily than
// values.
func (t Types) RecordKey(typ string, subject []byte) (string, error) {
	pts, ok := t[typ]
	if !ok {
		return "", &RequestError{Reason: ReasonBadType, Pos: -1, Detail: "type is not one of " + t.list()}
	}
	norm := rules.Normalize(make([]byte, 0, len(subject)), pts[0], subject)
	defer clear(norm)
	if err := checkNormalized(pts[0], norm); err != nil {
		return "", err
	}
	sum := sha256.Sum256(norm)
	return typ + ":" + hex.EncodeToString(sum[:]), nil
}

// eachPseudonym calls fn with every pseudonym of subject: for each
// pseudonym type (index i in pts), under each key id kid. p is valid during
// the call only.
func eachPseudonym(keys *rules.Keyring, pts []string, subject []byte, fn func(i int, kid string, p []byte)) error {
	if keys == nil {
		return errors.New("privacy: no keyring")
	}
	// Normalizing never lengthens a value, and a pseudonym is at most 82
	// bytes (type 40, key id 16, two '_', 24 letters): one buffer holds
	// both, so the normalized value is never copied elsewhere by append.
	buf := make([]byte, 0, len(subject)+128)
	defer clear(buf[:cap(buf)])
	ids := keys.IDs()
	for i, pt := range pts {
		norm := rules.Normalize(buf[:0], pt, subject)
		if err := checkNormalized(pt, norm); err != nil {
			return err
		}
		for _, kid := range ids {
			out, err := keys.PseudonymWith(norm, kid, pt, norm)
			if err != nil {
				return fmt.Errorf("privacy: pseudonym: %w", err)
			}
			fn(i, kid, out[len(norm):])
		}
	}
	return nil
}

// checkNormalized rejects a subject whose normalized form cannot match
// what rules makes of the same identifier in a record.
func checkNormalized(pt string, norm []byte) error {
	switch pt {
	case "email":
		at := strings.IndexByte(string(norm), '@')
		if at <= 0 || at == len(norm)-1 {
			return &RequestError{Reason: ReasonBadSubject, Pos: -1, Detail: "an e-mail address needs a local part, '@' and a domain"}
		}
	case "phone":
		// rules finds national numbers only with their region's metadata
		// and pseudonymizes '+' and the digits; a request must give the
		// international form so that it meets the same bytes.
		if len(norm) < 8 || len(norm) > 16 || norm[0] != '+' {
			return &RequestError{Reason: ReasonBadSubject, Pos: -1, Detail: "a phone number must be in international form: '+' (or 00), country code and 7 to 15 digits"}
		}
	}
	if len(norm) == 0 {
		return &RequestError{Reason: ReasonBadSubject, Pos: -1, Detail: "the subject normalizes to nothing"}
	}
	return nil
}
