package privacy

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/keyring"
)

// t0 is the time of the test records.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// twoKeys returns a keyring with keys k1 and k2, k2 active: a rotation.
func twoKeys(t testing.TB) *rules.Keyring {
	t.Helper()
	k1 := twoKeysSecret("k1")
	k2 := twoKeysSecret("k2")
	kr, err := keyring.New("k2", map[string][]byte{"k1": k1[:], "k2": k2[:]})
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// engine compiles the default policy with keys.
func engine(t testing.TB, keys *rules.Keyring) *rules.Engine {
	t.Helper()
	e, err := rules.Compile(rules.Default(), keys)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// scrub scrubs rec and returns its result.
func scrub(t testing.TB, e *rules.Engine, rec string) *rules.Result {
	t.Helper()
	var res rules.Result
	if _, err := e.Scrub(nil, []byte(rec), &res); err != nil {
		t.Fatal(err)
	}
	return &res
}

// request returns a request record value.
func request(subject, typ string, a Action, ts time.Time) []byte {
	v := fmt.Sprintf(`{"subject":%q,"type":%q,"action":%q`, subject, typ, a)
	if !ts.IsZero() {
		v += fmt.Sprintf(`,"ts":%q`, ts.Format(time.RFC3339Nano))
	}
	return []byte(v + "}")
}

// newSet returns a Set over keys with the test clock.
func newSet(t testing.TB, keys *rules.Keyring) *Set {
	t.Helper()
	s, err := NewSet(keys, SetOptions{Now: func() time.Time { return t0.Add(time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// twoKeysSecret is the secret of key id in twoKeys.
func twoKeysSecret(id string) [32]byte { return sha256.Sum256([]byte(id)) }
