// Package rulestest compiles engines for tests of the packages that use one:
// the policy under test (the default policy, YAML text or a Policy value)
// with rules.TestKeyring, so pseudonyms in expectations are stable.
package rulestest

import (
	"testing"

	"github.com/scrubd/scrubd/rules"
)

// Engine compiles policyYAML, or the default policy when it is empty, and
// fails tb when the policy does not parse or compile.
func Engine(tb testing.TB, policyYAML string) *rules.Engine {
	tb.Helper()
	p := rules.Default()
	if policyYAML != "" {
		var err error
		if p, err = rules.Parse([]byte(policyYAML), "test"); err != nil {
			tb.Fatal(err)
		}
	}
	return Compile(tb, p)
}

// Compile compiles p and fails tb when it does not compile.
func Compile(tb testing.TB, p *rules.Policy) *rules.Engine {
	tb.Helper()
	e, err := rules.Compile(p, rules.TestKeyring())
	if err != nil {
		tb.Fatal(err)
	}
	return e
}
