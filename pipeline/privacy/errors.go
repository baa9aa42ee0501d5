package privacy

import (
	"errors"
	"strconv"
)

// Reason classifies why a privacy request was rejected. Reasons are bounded
// label values, written in dead letters and metrics.
type Reason string

// The reasons a request is rejected.
const (
	ReasonTooLarge       Reason = "too_large"       // longer than MaxRequestBytes
	ReasonMalformed      Reason = "malformed_json"  // not one JSON object, or not UTF-8
	ReasonUnknownField   Reason = "unknown_field"   // a member other than subject, type, action, ts
	ReasonDuplicateField Reason = "duplicate_field" // a member given twice
	ReasonMissingSubject Reason = "missing_subject" // no subject, or an empty one
	ReasonBadSubject     Reason = "bad_subject"     // a subject that cannot be meant as it is
	ReasonBadType        Reason = "bad_type"        // a missing or unknown type
	ReasonBadAction      Reason = "bad_action"      // a missing or unknown action
	ReasonBadTS          Reason = "bad_ts"          // a ts that is not RFC 3339
	ReasonFutureTS       Reason = "ts_in_future"    // a ts later than the record's time plus the allowed skew
)

// Reasons lists every reason, for metrics known in advance.
func Reasons() []Reason {
	return []Reason{ReasonTooLarge, ReasonMalformed, ReasonUnknownField, ReasonDuplicateField, ReasonMissingSubject,
		ReasonBadSubject, ReasonBadType, ReasonBadAction, ReasonBadTS, ReasonFutureTS}
}

// RequestError reports a rejected request. Its message names the reason,
// the byte position where it applies and a fixed description; it never
// contains any part of the request.
type RequestError struct {
	Reason Reason
	// Pos is the byte offset in the request the error applies to, or -1.
	Pos int
	// Detail is a fixed description, with sizes or limits, never values.
	Detail string
}

func (e *RequestError) Error() string {
	msg := "privacy request: " + string(e.Reason)
	if e.Pos >= 0 {
		msg += " at byte " + strconv.Itoa(e.Pos)
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// ReasonOf returns the reason of a RequestError in err's chain, or
// ReasonMalformed for any other error.
func ReasonOf(err error) Reason {
	var re *RequestError
	if errors.As(err, &re) {
		return re.Reason
	}
	return ReasonMalformed
}
