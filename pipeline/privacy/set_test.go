package privacy

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/keyring"
)

// rec builds a record of the privacy topic.
func rec(key string, value []byte, part int32, off int64) Record {
	r := Record{Value: value, Partition: part, Offset: off, Timestamp: t0}
	if key != "" {
		r.Key = []byte(key)
	}
	return r
}

func apply(t *testing.T, s *Set, r Record) []Event {
	t.Helper()
	evs, err := s.Apply(r)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// check scrubs record and checks it.
func check(t *testing.T, s *Set, e *rules.Engine, record string) (Action, bool) {
	t.Helper()
	return s.Check(scrub(t, e, record))
}

func TestSetSemantics(t *testing.T) {
	keys := twoKeys(t)
	e := engine(t, keys)
	const jo = `{"email":"jo@example.com","msg":"hi"}`
	const other = `{"email":"al@example.com"}`
	steps := []struct {
		name   string
		rec    Record
		record string
		want   Action // "" = not suppressed
	}{
		{"nothing yet", Record{}, jo, ""},
		{"erase", rec("email:jo", request("jo@example.com", "email", Erase, t0), 0, 0), jo, Erase},
		{"others pass", Record{}, other, ""},
		{"restore on the same key", rec("email:jo", request("Jo@Example.com", "email", Restore, t0.Add(time.Minute)), 0, 1), jo, ""},
		{"restrict on another key", rec("other-key", request("jo@example.com", "email", Restrict, t0.Add(2*time.Minute)), 1, 0), jo, Restrict},
		{"an older erase on a third key does not win", rec("third", request("jo@example.com", "email", Erase, t0.Add(-time.Hour)), 2, 0), jo, Restrict},
		{"tombstone of the restrict: the restore is latest", rec("other-key", nil, 1, 1), jo, ""},
		{"tombstone of the restore: the old erase is left", rec("email:jo", nil, 0, 2), jo, Erase},
		{"the third key is reused for another subject", rec("third", request("al@example.com", "email", WithdrawConsent, t0), 2, 1), jo, ""},
		{"which is suppressed", Record{}, other, WithdrawConsent},
	}
	s := newSet(t, keys)
	for _, st := range steps {
		if st.rec.Value != nil || st.rec.Key != nil {
			if _, err := s.Apply(st.rec); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		a, ok := check(t, s, e, st.record)
		if ok != (st.want != "") || ok && a != st.want {
			t.Errorf("%s: Check = %q, %v; want %q", st.name, a, ok, st.want)
		}
	}
}

func TestSetEvents(t *testing.T) {
	s := newSet(t, twoKeys(t))
	evs := apply(t, s, rec("k", request("42", "user_id", Erase, t0), 0, 0))
	if len(evs) != 1 || !evs[0].Erased() || evs[0].Before != Restore || len(evs[0].Pseudonyms) != 2 {
		t.Fatalf("erase: %+v", evs)
	}
	for _, p := range evs[0].Pseudonyms {
		if a, ok := s.Lookup("account_id", []byte(p)); !ok || a != Erase {
			t.Errorf("Lookup(%s) = %v, %v", p, a, ok)
		}
	}
	// The same request again confirms: no change.
	evs = apply(t, s, rec("k", request("42", "user_id", Erase, t0), 0, 1))
	if len(evs) != 1 || evs[0].Changed() || evs[0].Erased() {
		t.Fatalf("repeat: %+v", evs)
	}
	// The key now names another subject: two events.
	evs = apply(t, s, rec("k", request("43", "user_id", Restrict, t0), 0, 2))
	if len(evs) != 2 || evs[0].Before != Erase || evs[0].After != Restore || evs[1].After != Restrict {
		t.Fatalf("key reuse: %+v", evs)
	}
	// A rejected request withdraws the key's request.
	evs, err := s.Apply(rec("k", []byte(`{"subject":"43"}`), 0, 3))
	if ReasonOf(err) != ReasonBadType || len(evs) != 1 || evs[0].After != Restore {
		t.Fatalf("rejected: %v %+v", err, evs)
	}
	if s.Len() != 0 {
		t.Errorf("Len = %d", s.Len())
	}
	// A tombstone for an unknown key does nothing.
	if evs := apply(t, s, rec("nope", nil, 0, 4)); len(evs) != 0 {
		t.Errorf("tombstone: %+v", evs)
	}
}

func TestSetTies(t *testing.T) {
	keys := twoKeys(t)
	e := engine(t, keys)
	s := newSet(t, keys)
	// Same time on two keys: the stronger action counts.
	apply(t, s, rec("a", request("42", "user_id", Restore, t0), 0, 0))
	apply(t, s, rec("b", request("42", "user_id", Restrict, t0), 1, 0))
	apply(t, s, rec("c", request("42", "user_id", WithdrawConsent, t0), 2, 0))
	if a, _ := check(t, s, e, `{"uid":42}`); a != Restrict {
		t.Errorf("tie: %q", a)
	}
	// The outcome does not depend on the order of partitions.
	s2 := newSet(t, keys)
	apply(t, s2, rec("c", request("42", "user_id", WithdrawConsent, t0), 2, 0))
	apply(t, s2, rec("b", request("42", "user_id", Restrict, t0), 1, 0))
	apply(t, s2, rec("a", request("42", "user_id", Restore, t0), 0, 0))
	if a, _ := check(t, s2, e, `{"uid":42}`); a != Restrict {
		t.Errorf("tie, other order: %q", a)
	}
}

func TestSetRecordTime(t *testing.T) {
	keys := twoKeys(t)
	e := engine(t, keys)
	s := newSet(t, keys)
	// Without ts the record's time orders requests.
	r1 := rec("a", request("42", "user_id", Erase, time.Time{}), 0, 0)
	r2 := rec("b", request("42", "user_id", Restore, time.Time{}), 1, 0)
	r2.Timestamp = t0.Add(time.Second)
	apply(t, s, r2)
	apply(t, s, r1)
	if _, ok := check(t, s, e, `{"uid":42}`); ok {
		t.Error("the later restore lost")
	}
	// A ts far after the record's time is rejected.
	_, err := s.Apply(rec("c", request("42", "user_id", Erase, t0.Add(2*time.Hour)), 0, 1))
	if ReasonOf(err) != ReasonFutureTS {
		t.Errorf("err = %v", err)
	}
}

func TestSetNullKeys(t *testing.T) {
	keys := twoKeys(t)
	e := engine(t, keys)
	s := newSet(t, keys)
	apply(t, s, rec("", request("42", "user_id", Erase, t0), 0, 0))
	apply(t, s, rec("", request("42", "user_id", Restore, t0.Add(time.Second)), 0, 1))
	apply(t, s, rec("", request("42", "user_id", Erase, t0), 0, 0)) // read again: same position
	if _, ok := check(t, s, e, `{"uid":42}`); ok {
		t.Error("keyless records: the later restore lost")
	}
}

// TestSetOldKey checks that a record pseudonymized under a key that is no
// longer active, and carrying only the pseudonym, is matched.
func TestSetOldKey(t *testing.T) {
	keys := twoKeys(t)
	old, err := keyring.New("k1", map[string][]byte{"k1": keyBytes("k1")})
	if err != nil {
		t.Fatal(err)
	}
	var res rules.Result
	before, err := engine(t, old).Scrub(nil, []byte(`{"email":"jo@example.com"}`), &res)
	if err != nil {
		t.Fatal(err)
	}
	s := newSet(t, keys)
	apply(t, s, rec("k", request("jo@example.com", "email", Restrict, t0), 0, 0))
	res2 := scrub(t, engine(t, keys), string(before))
	if len(res2.Subjects) != 1 || res2.SubjectValue(res2.Subjects[0]) != nil {
		t.Fatalf("subjects of %s: %+v", before, res2.Subjects)
	}
	if a, ok := s.Check(res2); !ok || a != Restrict {
		t.Errorf("old-key pseudonym not matched: %s", before)
	}
}

func keyBytes(id string) []byte {
	k := twoKeysSecret(id)
	return k[:]
}

// TestSetMappedTypes maps device_id requests to two pseudonym types: the
// device_id field rules and the uuid detector that finds the same id in
// free text.
func TestSetMappedTypes(t *testing.T) {
	keys := twoKeys(t)
	p, err := rules.Parse([]byte("subjects: [account_id, device_id, uuid]\n"), "test")
	if err != nil {
		t.Fatal(err)
	}
	e, err := rules.Compile(p, keys)
	if err != nil {
		t.Fatal(err)
	}
	types := Types{"device_id": {"device_id", "uuid"}, "user_id": {"account_id"}}
	s, err := NewSet(keys, SetOptions{Types: types, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	const id = "38400000-8CF0-11bd-b23e-10b96e4ef00d"
	evs := apply(t, s, rec("k", request(id, "device_id", Erase, t0), 0, 0))
	if n := len(evs[0].Pseudonyms); n != 4 {
		t.Errorf("%d pseudonyms, want 2 types x 2 keys", n)
	}
	for _, r := range []string{`{"idfa":"` + id + `"}`, `device 38400000-8cf0-11bd-b23e-10b96e4ef00d connected`, `{"uid":"` + id + `"}`} {
		a, ok := check(t, s, e, r)
		if want := r[2] != 'u'; ok != want || ok && a != Erase {
			t.Errorf("%s: %q %v", r, a, ok)
		}
	}
}

func TestCheckDoesNotAllocate(t *testing.T) {
	keys := twoKeys(t)
	e := engine(t, keys)
	s := newSet(t, keys)
	for i := range 1000 {
		apply(t, s, rec(fmt.Sprint(i), request(fmt.Sprint(i), "user_id", Erase, t0), 0, int64(i)))
	}
	hit := scrub(t, e, `{"uid":7,"email":"jo@example.com"}`)
	miss := scrub(t, e, `{"uid":"x7","email":"jo@example.com"}`)
	if _, ok := s.Check(hit); !ok {
		t.Fatal("not suppressed")
	}
	if n := testing.AllocsPerRun(100, func() {
		s.Check(hit)
		s.Check(miss)
	}); n != 0 {
		t.Errorf("Check allocates %.1f times", n)
	}
}

func TestSetConcurrent(t *testing.T) {
	keys := twoKeys(t)
	e := engine(t, keys)
	s := newSet(t, keys)
	res := scrub(t, e, `{"uid":1}`)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					s.Check(res)
				}
			}
		})
	}
	for i := range 500 {
		a := Erase
		if i%2 == 1 {
			a = Restore
		}
		apply(t, s, rec("k", request("1", "user_id", a, t0.Add(time.Duration(i)*time.Second)), 0, int64(i)))
	}
	close(stop)
	wg.Wait()
	if _, ok := s.Check(res); ok {
		t.Error("last request was a restore")
	}
}

func TestSetMetrics(t *testing.T) {
	keys := twoKeys(t)
	e := engine(t, keys)
	reg := prometheus.NewRegistry()
	now := t0
	s, err := NewSet(keys, SetOptions{Registerer: reg, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s, rec("a", request("1", "user_id", Erase, t0), 0, 0))
	apply(t, s, rec("b", request("2", "user_id", Restrict, t0), 0, 1))
	now = t0.Add(3 * time.Second)
	check(t, s, e, `{"uid":1}`)
	check(t, s, e, `{"uid":1}`)
	check(t, s, e, `{"uid":3}`)
	if got := testutil.ToFloat64(s.m.subjects[Erase.rank()]); got != 1 {
		t.Errorf("erased subjects %v", got)
	}
	if got := testutil.ToFloat64(s.m.records[Erase.rank()]); got != 2 {
		t.Errorf("erased records %v", got)
	}
	if got := testutil.ToFloat64(s.m.held); got != 2 {
		t.Errorf("held %v", got)
	}
	if n := testutil.CollectAndCount(s.m.suppressionLag); n != 1 {
		t.Errorf("lag series %d", n)
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", err, problems)
	}
	if _, err := NewSet(keys, SetOptions{Registerer: reg}); err == nil {
		t.Error("second registration accepted")
	}
}
