package privacy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/rules/keyring"
)

// TestCompactRequest: a raw request becomes pseudonym-only with the same
// type, action and request time; the raw subject is nowhere in it; the
// pseudonyms are those the records carry under every key.
func TestCompactRequest(t *testing.T) {
	keys := twoKeys(t)
	types := DefaultTypes()
	for _, tc := range []struct {
		name   string
		value  []byte
		wantTS time.Time
	}{
		{"with ts", request("Jo@Example.com", "email", Erase, t0.Add(-time.Minute)), t0.Add(-time.Minute)},
		{"without ts: the record's time", request("jo@example.com", "email", Erase, time.Time{}), t0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, outcome, err := CompactRequest(tc.value, t0, types, keys)
			if err != nil || outcome != CompactRewritten {
				t.Fatalf("outcome %s, %v", outcome, err)
			}
			if bytes.Contains(bytes.ToLower(out), []byte("jo@example.com")) || bytes.Contains(out, []byte("subject")) {
				t.Fatalf("the raw subject is still in %s", out)
			}
			req, err := ParseRequest(out, types)
			if err != nil {
				t.Fatalf("the rewritten request does not parse: %v", err)
			}
			want, _ := types.Pseudonyms(keys, "email", []byte("jo@example.com"))
			if fmt.Sprint(req.Pseudonyms) != fmt.Sprint(want) || len(want) != 2 {
				t.Errorf("pseudonyms %v, want %v", req.Pseudonyms, want)
			}
			if req.Type != "email" || req.Action != Erase || !req.TS.Equal(tc.wantTS) {
				t.Errorf("request %+v", req)
			}
			// Compacting again changes nothing.
			if again, outcome, err := CompactRequest(out, t0.Add(time.Hour), types, keys); again != nil || outcome != CompactAlready || err != nil {
				t.Errorf("second compaction: %s %s %v", again, outcome, err)
			}
		})
	}
	if _, outcome, _ := CompactRequest(nil, t0, types, keys); outcome != CompactAlready {
		t.Errorf("tombstone: %s", outcome)
	}
	if _, outcome, err := CompactRequest([]byte(`{"subject":"x"}`), t0, types, keys); outcome != CompactRejected || err == nil {
		t.Errorf("invalid request: %s %v", outcome, err)
	}
}

// TestPseudonymOnlyRequestSuppresses: the rewritten request, under the
// same record key, keeps the subject suppressed without an event change,
// and a pseudonym-only request written directly suppresses too.
func TestPseudonymOnlyRequestSuppresses(t *testing.T) {
	keys := twoKeys(t)
	e := engine(t, keys)
	const jo = `{"email":"jo@example.com","msg":"hi"}`
	s := newSet(t, keys)
	apply(t, s, rec("email:jo", request("jo@example.com", "email", Erase, t0), 0, 0))
	out, _, err := CompactRequest(request("jo@example.com", "email", Erase, t0), t0, DefaultTypes(), keys)
	if err != nil {
		t.Fatal(err)
	}
	evs := apply(t, s, rec("email:jo", out, 0, 1))
	if len(evs) != 1 || evs[0].Changed() || evs[0].After != Erase {
		t.Fatalf("rewriting under the same key: events %+v, want one without change", evs)
	}
	if a, ok := check(t, s, e, jo); !ok || a != Erase {
		t.Fatalf("after the rewrite: %s %v", a, ok)
	}
	// A later restore with the raw subject on another key lifts it: both
	// forms name the same subject.
	apply(t, s, rec("other", request("jo@example.com", "email", Restore, t0.Add(time.Minute)), 1, 0))
	if _, ok := check(t, s, e, jo); ok {
		t.Fatal("a raw restore did not lift the pseudonym-only erase")
	}

	// Directly, with only the active key's pseudonym.
	s = newSet(t, keys)
	ps, _ := DefaultTypes().Pseudonyms(keys, "email", []byte("jo@example.com"))
	var k2 string
	for _, p := range ps {
		if strings.Contains(p, "_k2_") {
			k2 = p
		}
	}
	v, _ := json.Marshal(map[string]any{"pseudonyms": []string{k2}, "type": "email", "action": "erase"})
	evs = apply(t, s, rec("email:jo", v, 0, 0))
	if len(evs) != 1 || !evs[0].Erased() || fmt.Sprint(evs[0].Pseudonyms) != fmt.Sprint([]string{k2}) {
		t.Fatalf("events %+v", evs)
	}
	if a, ok := check(t, s, e, jo); !ok || a != Erase {
		t.Fatalf("pseudonym-only erase: %s %v", a, ok)
	}
}

// TestPseudonymOnlyPartialKeys: a request without a pseudonym under a key
// the keyring holds is applied for the keys it names and counted.
func TestPseudonymOnlyPartialKeys(t *testing.T) {
	k1s := twoKeysSecret("k1")
	old, err := keyring.New("k1", map[string][]byte{"k1": k1s[:]})
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := CompactRequest(request("jo@example.com", "email", Erase, t0), t0, DefaultTypes(), old)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	keys := twoKeys(t) // k2 was added after the compaction
	s, err := NewSet(keys, SetOptions{Registerer: reg, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s, rec("email:jo", out, 0, 0))
	if n := testutil.ToFloat64(s.m.partialKeys); n != 1 {
		t.Errorf("partial requests counted %v, want 1", n)
	}
	// Records under k1 (the old active key) still match; under k2 not.
	e1 := engine(t, old)
	if _, ok := s.Check(scrub(t, e1, `{"email":"jo@example.com"}`)); !ok {
		t.Error("a record pseudonymized under k1 is not suppressed")
	}
	if _, ok := s.Check(scrub(t, engine(t, keys), `{"email":"jo@example.com"}`)); ok {
		t.Error("a record under k2, which the request does not name, matched: the test is wrong")
	}
}

func TestParsePseudonymOnly(t *testing.T) {
	const p = "email_k1_ghijklmnopqrstuvghijklmn"
	for _, tc := range []struct {
		in     string
		reason Reason
	}{
		{`{"pseudonyms":["` + p + `"],"type":"email","action":"erase"}`, ""},
		{`{"pseudonyms":["` + p + `","email_k22_vvvvvvvvvvvvvvvvvvvvvvvv"],"type":"email","action":"erase"}`, ""},
		{`{"pseudonyms":[],"type":"email","action":"erase"}`, ReasonMissingSubject},
		{`{"pseudonyms":["` + p + `"],"subject":"jo@example.com","type":"email","action":"erase"}`, ReasonBadSubject},
		{`{"pseudonyms":"` + p + `","type":"email","action":"erase"}`, ReasonBadSubject},
		{`{"pseudonyms":[1],"type":"email","action":"erase"}`, ReasonMalformed},
		{`{"pseudonyms":["` + p + `"],"type":"phone","action":"erase"}`, ReasonBadSubject},                         // an email pseudonym for a phone request
		{`{"pseudonyms":["email_k1_ghijklmnopqrstuvghijklmw"],"type":"email","action":"erase"}`, ReasonBadSubject}, // 'w' is no body letter
		{`{"pseudonyms":["email_K1_ghijklmnopqrstuvghijklmn"],"type":"email","action":"erase"}`, ReasonBadSubject},
		{`{"pseudonyms":["email__ghijklmnopqrstuvghijklmn"],"type":"email","action":"erase"}`, ReasonBadSubject},
		{`{"pseudonyms":["jo@example.com"],"type":"email","action":"erase"}`, ReasonBadSubject},
		{`{"pseudonyms":["` + p + `"],"type":"email","action":"erase"`, ReasonMalformed},
		{`{"pseudonyms":["` + p + `" "x"],"type":"email","action":"erase"}`, ReasonMalformed},
	} {
		_, err := ParseRequest([]byte(tc.in), nil)
		if got := Reason(""); err != nil {
			got = ReasonOf(err)
			if strings.Contains(err.Error(), "jo@example.com") {
				t.Errorf("%s: the error holds the value: %v", tc.in, err)
			}
			if got != tc.reason {
				t.Errorf("%s: %v, want %s", tc.in, err, tc.reason)
			}
		} else if tc.reason != "" {
			t.Errorf("%s: accepted, want %s", tc.in, tc.reason)
		}
	}
	many := make([]string, MaxPseudonyms+1)
	for i := range many {
		many[i] = p
	}
	v, _ := json.Marshal(map[string]any{"pseudonyms": many, "type": "email", "action": "erase"})
	if _, err := ParseRequest(v, nil); ReasonOf(err) != ReasonBadSubject {
		t.Errorf("%d pseudonyms: %v", len(many), err)
	}
}
