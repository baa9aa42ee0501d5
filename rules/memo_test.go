package rules

import (
	"bytes"
	"fmt"
	"testing"
)

// memoPolicy has field rules that depend on the parent path, so that a key
// remembered under the wrong parent would show.
const memoPolicy = `
fields:
  - path: user.id
    action: pseudonymize
  - path: "*.email"
    action: redact
  - path: order.id
    action: keep
`

// scrubPair scrubs first and then second with one walker, so that second
// meets what the key memo remembered of first, and scrubs second again with a
// new walker; it returns both outputs of second and their findings.
func scrubPair(t testing.TB, e *Engine, first, second []byte) (withMemo, fresh []byte, fm, ff string) {
	t.Helper()
	w := &walker{e: e}
	var res Result
	res.reset()
	if _, err := w.record(nil, first, &res, walkRecord, nil); err != nil {
		_ = err // first may be anything: only second is compared
	}
	res.reset()
	a, errA := w.record(nil, second, &res, walkRecord, nil)
	fm = fmt.Sprint(res.Findings, res.Dropped, errA)
	var res2 Result
	res2.reset()
	b, errB := (&walker{e: e}).record(nil, second, &res2, walkRecord, nil)
	ff = fmt.Sprint(res2.Findings, res2.Dropped, errB)
	return a, b, fm, ff
}

// checkSameAsFresh fails t when second, scrubbed after first by one walker,
// comes out otherwise, or with other findings, than from a new walker.
func checkSameAsFresh(t testing.TB, e *Engine, first, second []byte) {
	t.Helper()
	a, b, fa, fb := scrubPair(t, e, first, second)
	if !bytes.Equal(a, b) || fa != fb {
		t.Errorf("after %q, %q:\nwith the walker's caches %q %s\nfresh                    %q %s", first, second, a, fa, b, fb)
	}
}

func TestKeyMemo(t *testing.T) {
	e := compileTest(t, memoPolicy)
	for _, tc := range []struct{ first, second string }{
		// Same shape: the keys are remembered and the rules still apply.
		{`{"user":{"id":"u1","email":"a@b.co"}}`, `{"user":{"id":"u2","email":"c@d.co"}}`},
		// The same key under another parent has another rule.
		{`{"user":{"id":"u1"}}`, `{"order":{"id":"o1"}}`},
		{`{"order":{"id":"o1"}}`, `{"user":{"id":"u1"}}`},
		// A key that is personal data is never remembered.
		{`{"jane@example.com":{"id":1}}`, `{"joe@example.com":{"id":1}}`},
		// Escaped keys, a key that is a prefix of the next one.
		{`{"us\u0065r":{"id":"u1"}}`, `{"user":{"id":"u1"}}`},
		{`{"user":{"id":"u1"}}`, `{"users":{"id":"u1"}}`},
		{`{"user":{"id":"u1"}}`, `{"user"  :  {"id":"u1"}}`},
		// Broken JSON after a remembered key.
		{`{"user":{"id":"u1"}}`, `{"user"x:{"id":"u1"}}`},
		{`{"user":{"id":"u1"}}`, `{"user`},
		// Arrays of objects with different keys at one place.
		{`{"a":[{"user":{"id":1}},{"order":{"id":2}}]}`, `{"a":[{"order":{"id":2}},{"user":{"id":1}}]}`},
	} {
		checkSameAsFresh(t, e, []byte(tc.first), []byte(tc.second))
	}
}

// FuzzKeyMemo checks that what the key memo remembers of one record never
// changes how the next is scrubbed.
func FuzzKeyMemo(f *testing.F) {
	f.Add([]byte(`{"user":{"id":"u1","email":"a@b.co"}}`), []byte(`{"user":{"id":"u2"}}`))
	f.Add([]byte(`{"order":{"id":"o1"}}`), []byte(`{"user":{"id":"u1"}}`))
	f.Add([]byte(`{"a":[{"b":1},{"c":{"d":2}}]}`), []byte(`{"a":[{"c":{"d":2}},{"b":1}]}`))
	e := compileTest(f, memoPolicy)
	f.Fuzz(func(t *testing.T, first, second []byte) {
		checkSameAsFresh(t, e, first, second)
	})
}

// TestKeyPrefix checks that a key's place depends on its name only, not on
// the value after it, and that short names are told apart.
func TestKeyPrefix(t *testing.T) {
	same := [][2]string{
		{`"ab":1,"c":2}`, `"ab":{"x":[1,2,3]}`},
		{`"level":"info"}`, `"level":"error"}`},
		{`"response_time":1}`, `"response_code":2}`}, // the first eight bytes are one
	}
	for _, p := range same {
		if a, b := keyPrefix([]byte(p[0]), 0), keyPrefix([]byte(p[1]), 0); a != b {
			t.Errorf("keyPrefix(%s) = %#x, keyPrefix(%s) = %#x: want one place", p[0], a, p[1], b)
		}
	}
	seen := map[uint32]string{}
	for _, k := range []string{"a", "b", "ab", "ba", "id", "ip", "ts", "msg", "host", "level", "user_id", "trace_id"} {
		in := []byte(`"` + k + `":"value-that-is-long"}`)
		h := keyPrefix(in, 0)
		if o, dup := seen[h]; dup {
			t.Errorf("keys %q and %q have one place %#x", o, k, h)
		}
		seen[h] = k
	}
	if keyPrefix([]byte(`"ab"`), 0) != 0 {
		t.Error("a key too near the end of the input must get the place 0")
	}
}

// FuzzKeyRule checks that the cache of key=value keys never changes how a
// line is scrubbed: a line scrubbed after another gives what a new walker
// gives.
func FuzzKeyRule(f *testing.F) {
	f.Add([]byte("level=info user.id=u1 email=a@b.co"), []byte("user.id=u2 order.id=o1 level=warn"))
	f.Add([]byte("ts=1 msg=hi"), []byte("ts=2 msg=\"x=y\""))
	e := compileTest(f, memoPolicy)
	f.Fuzz(func(t *testing.T, first, second []byte) {
		checkSameAsFresh(t, e, first, second)
	})
}

// TestKeyRuleCollision scrubs a key=value pair after another whose key
// falls into the same cache slot: the second key must get its own rule.
func TestKeyRuleCollision(t *testing.T) {
	slot := func(k string) uint32 { return keyHash([]byte(k)) % keyRuleSlots }
	other := ""
	for a := 'a'; a <= 'z' && other == ""; a++ {
		for b := 'a'; b <= 'z' && other == ""; b++ {
			for c := 'a'; c <= 'z'; c++ {
				if k := string([]rune{'k', a, b, c}); slot(k) == slot("user.id") {
					other = k
					break
				}
			}
		}
	}
	if other == "" {
		t.Fatal("no key shares a slot with user.id")
	}
	e := compileTest(t, memoPolicy)
	for _, p := range [][2]string{{"user.id=u1", other + "=u1"}, {other + "=u1", "user.id=u1"}} {
		checkSameAsFresh(t, e, []byte(p[0]), []byte(p[1]))
	}
}
