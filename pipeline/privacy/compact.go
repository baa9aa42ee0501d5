package privacy

import (
	"encoding/json"
	"time"

	"github.com/scrubd/scrubd/rules"
)

// Compaction outcomes of one record of the privacy topic.
const (
	// CompactRewritten: a raw-subject request, rewritten.
	CompactRewritten = "rewritten"
	// CompactAlready: already pseudonym-only, or a tombstone.
	CompactAlready = "already"
	// CompactRejected: not a valid request; left for the operator (the
	// readers reject it too, so it applies to nobody).
	CompactRejected = "rejected"
)

// pseudonymRequest is the JSON form of a pseudonym-only request.
type pseudonymRequest struct {
	Pseudonyms []string `json:"pseudonyms"`
	Type       string   `json:"type"`
	Action     Action   `json:"action"`
	TS         string   `json:"ts"`
}

// CompactRequest returns the pseudonym-only form of value, a record of the
// privacy topic written at recordTime: the same type and action, the
// subject replaced by its pseudonyms under every key of keys, and the
// request time kept explicitly as ts (the request's ts, or recordTime when
// it had none), so that the rewritten record, written later, does not
// outrank requests made between the two. The outcome says what was done;
// out is nil unless it is CompactRewritten. The raw subject is wiped; no
// error holds any part of it.
//
// Written under the same record key, the rewritten record replaces the
// original for the readers at once and, once the log cleaner has run,
// in the topic.
func CompactRequest(value []byte, recordTime time.Time, types Types, keys *rules.Keyring) (out []byte, outcome string, err error) {
	if value == nil {
		return nil, CompactAlready, nil
	}
	req, err := ParseRequest(value, types)
	if err != nil {
		return nil, CompactRejected, err
	}
	defer req.Wipe()
	if req.Subject == nil {
		return nil, CompactAlready, nil
	}
	ps, err := types.Pseudonyms(keys, req.Type, req.Subject)
	if err != nil {
		return nil, CompactRejected, err
	}
	at := req.TS
	if at.IsZero() {
		at = recordTime
	}
	out, err = json.Marshal(pseudonymRequest{Pseudonyms: ps, Type: req.Type, Action: req.Action, TS: at.UTC().Format(time.RFC3339Nano)})
	if err != nil {
		return nil, CompactRejected, err
	}
	return out, CompactRewritten, nil
}
