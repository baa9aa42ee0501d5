package wire

import (
	"errors"
	"testing"

	"github.com/scrubd/scrubd/rules"
)

func TestReserved(t *testing.T) {
	for name, want := range map[string]bool{
		"scrubd-class": true, "Scrubd-Policy": true, "SCRUBD-": true,
		"scrubd": false, "x-scrubd-class": false, "": false, "traceparent": false,
	} {
		if got := Reserved([]byte(name)); got != want {
			t.Errorf("Reserved(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestReasonOf(t *testing.T) {
	if got := ReasonOf(&rules.RecordError{Reason: rules.ReasonTooDeep}); got != ReasonTooDeep {
		t.Errorf("ReasonOf(too deep) = %q", got)
	}
	if got := ReasonOf(errors.New("boom")); got != ReasonError {
		t.Errorf("ReasonOf(other) = %q, want %q", got, ReasonError)
	}
	if got := PrivacyReason("bad_type"); got != "privacy_bad_type" {
		t.Errorf("PrivacyReason = %q", got)
	}
}
