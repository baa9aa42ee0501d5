package privacy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// FuzzParseRequest checks ParseRequest against encoding/json: whatever it
// accepts is a JSON object that encoding/json decodes to the same members,
// and whatever it rejects is rejected with a message that quotes nothing of
// the input.
func FuzzParseRequest(f *testing.F) {
	for _, seed := range []string{
		`{"subject":"jo@example.com","type":"email","action":"erase","ts":"2026-01-02T15:04:05Z"}`, // complete
		`{"subject":"42","type":"user_id","action":"restore"}`,                                     // no ts
		`{"subject":"\u00e9\ud83d\ude00","type":"device_id","action":"restrict"}`,                  // escapes
		`{"subject":"a","subject":"b","type":"phone","action":"erase"}`,                            // duplicate
		`{"subject":"x","type":"email","action":"erase","extra":[{"a":1e5},null]}`,                 // unknown member
		`{"subject":"+44 20 7946 0958","type":"phone","action":"withdraw_consent"}`,                // phone
		`{"SUBJECT":"x","type":"email","action":"erase"}`,                                          // case
		` {"subject":"x" , "type":"email" , "action":"erase"} `,                                    // white space
		`{"subject":"x","type":"email","action":"erase"}x`,                                         // trailing data
		`{"subject":"\ud800","type":"email","action":"erase"}`,                                     // lone surrogate
		`{"pseudonyms":["email_k1_ghijklmnopqrstuvghijklmn",""],"type":"email","action":"erase"}`,  // pseudonym-only
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := ParseRequest(data, nil)
		if err != nil {
			if req.Subject != nil || req.Type != "" || req.Action != "" {
				t.Fatalf("rejected request has content: %+v", req)
			}
			checkQuotesNothing(t, err.Error(), data)
			return
		}
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("accepted, but encoding/json says: %v", err)
		}
		if dec.More() {
			t.Fatal("accepted trailing data")
		}
		if len(m) < 3 || len(m) > 4 {
			t.Fatalf("accepted %d members", len(m))
		}
		if ps, ok := m["pseudonyms"].([]any); ok {
			if fmt.Sprint(ps) != fmt.Sprint(req.Pseudonyms) || req.Subject != nil {
				t.Fatalf("pseudonyms differ: %q vs %v", req.Pseudonyms, ps)
			}
		} else if m["subject"] != string(req.Subject) {
			t.Fatalf("subject differs: %q vs %v", req.Subject, m)
		}
		if m["type"] != req.Type || m["action"] != string(req.Action) {
			t.Fatalf("members differ: %q %q %q vs %v", req.Subject, req.Type, req.Action, m)
		}
		if ts, ok := m["ts"]; ok {
			want, err := time.Parse(time.RFC3339Nano, ts.(string))
			if err != nil || !want.Equal(req.TS) {
				t.Fatalf("ts %v vs %v", req.TS, ts)
			}
		} else if !req.TS.IsZero() {
			t.Fatal("ts without a member")
		}
	})
}

// checkQuotesNothing fails when msg holds a run of 8 or more bytes of data
// that is not part of a fixed message text.
func checkQuotesNothing(t *testing.T, msg string, data []byte) {
	t.Helper()
	const n = 8
	fixed := "privacy request: at byte members are subject, type, action and ts is given twice must be a JSON string" +
		" subject is missing or empty type is not one of device_id, email, phone, user_id action is missing" +
		" action is not one of withdraw_consent, restrict, erase, restore ts is not an RFC 3339 time such as 2026-01-02T15:04:05Z" +
		" members are subject or pseudonyms, type, action and ts pseudonyms is empty subject and pseudonyms exclude each other" +
		" a pseudonym is not <type>_<key id>_<24 letters g-v> of a pseudonym type of device_id email phone user_id" +
		" pseudonyms must be a JSON array of strings expected a string in the array"
	for _, r := range Reasons() {
		fixed += " " + string(r)
	}
	for i := 0; i+n <= len(data); i++ {
		run := string(data[i : i+n])
		if strings.Contains(msg, run) && !strings.Contains(fixed, run) && !strings.Contains(msg, "bytes, limit") {
			t.Fatalf("error %q quotes the input", msg)
		}
	}
}
