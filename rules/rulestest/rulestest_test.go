package rulestest

import (
	"testing"

	"github.com/scrubd/scrubd/rules"
)

func TestEngine(t *testing.T) {
	def := Engine(t, "")
	if def.Version() != Compile(t, rules.Default()).Version() {
		t.Error("an empty policy text does not give the default policy")
	}
	custom := Engine(t, "name: t\nfields:\n  - {path: secret_code, action: redact}\n")
	if custom.Version() == def.Version() {
		t.Error("a policy text compiled to the default policy")
	}
	got, err := custom.NewSession().Scrub(nil, []byte(`{"secret_code":"x1"}`), &rules.Result{})
	if err != nil || string(got) == `{"secret_code":"x1"}` {
		t.Errorf("the policy text's field rule did not apply: %q, %v", got, err)
	}
}
