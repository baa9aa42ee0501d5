package privacy

import (
	"fmt"
	"testing"
	"time"

	"github.com/scrubd/scrubd/rules"
)

// TestEraseFiftyAccounts rehearses the acceptance scenario of the privacy
// requests at the level of the Set: erase requests for 50 account ids are
// produced and read; then of 20,000 records a tenth belong to those
// accounts and another tenth carry "age": 12. Exactly the first tenth is
// suppressed, the second is a minor's (rules.Result.Minor), the rest
// passes.
func TestEraseFiftyAccounts(t *testing.T) {
	addrs := startKafka(t)
	keys := twoKeys(t)
	e := engine(t, keys)
	p := newProducer(t, addrs)
	for i := range 50 {
		p.send(fmt.Sprintf("user_id:erased-%d", i), request(fmt.Sprintf("erased-%d", i), "user_id", Erase, time.Now()))
	}
	_, set, _ := startReader(t, addrs, keys, nil)
	if set.Len() != 50 {
		t.Fatalf("%d subjects suppressed", set.Len())
	}
	var res rules.Result
	var suppressed, minors, passed int
	for i := range 20000 {
		var rec string
		switch i % 10 {
		case 0:
			rec = fmt.Sprintf(`{"seq":%d,"user_id":"erased-%d","email":"u%d@example.com"}`, i, i%50, i)
		case 1:
			rec = fmt.Sprintf(`{"seq":%d,"user_id":"kid-%d","age":12}`, i, i)
		default:
			rec = fmt.Sprintf(`{"seq":%d,"user_id":"acct-%d","age":30}`, i, i)
		}
		if _, err := e.Scrub(nil, []byte(rec), &res); err != nil {
			t.Fatal(err)
		}
		a, ok := set.Check(&res)
		switch {
		case ok:
			if a != Erase || i%10 != 0 {
				t.Fatalf("record %d suppressed (%s)", i, a)
			}
			suppressed++
		case res.Minor:
			if i%10 != 1 {
				t.Fatalf("record %d taken for a minor's", i)
			}
			minors++
		default:
			if i%10 < 2 {
				t.Fatalf("record %d passes", i)
			}
			passed++
		}
	}
	if suppressed != 2000 || minors != 2000 || passed != 16000 {
		t.Errorf("suppressed %d, minors %d, passed %d", suppressed, minors, passed)
	}
}

func BenchmarkCheck(b *testing.B) {
	keys := twoKeys(b)
	e := engine(b, keys)
	s := newSet(b, keys)
	for i := range 100000 {
		if _, err := s.Apply(rec(fmt.Sprint(i), request(fmt.Sprint(i), "user_id", Erase, t0), 0, int64(i))); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct{ name, rec string }{
		{"hit", `{"uid":7,"email":"jo@example.com"}`},
		{"miss", `{"uid":"x7","email":"jo@example.com"}`},
	} {
		res := scrub(b, e, c.rec)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.Check(res)
			}
		})
	}
}
