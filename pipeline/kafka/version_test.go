package kafka

import (
	"testing"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/config"
)

// TestVersionAgreesWithClient checks that the configuration accepts
// exactly the kafka.version values the client parses, orders them as the
// client does, and that its minimum is the client's 2.5.0: validation and
// the client built from it must not disagree.
func TestVersionAgreesWithClient(t *testing.T) {
	if got := config.MinKafkaVersion().String(); got != sarama.V2_5_0_0.String() {
		t.Errorf("minimum %s, client's %s", got, sarama.V2_5_0_0)
	}
	for _, s := range []string{
		"2.5.0", "3.6.0", "3.7.1", "4.0.0", "2.4.1", "1.0.0", "10.0.0", "02.5.0", "2.05.0",
		"0.11.0.2", "0.10.2.0", "0.8.2.0", "0.11.0", "2.5", "2.5.0.0", "2.5.0.", ".2.5.0", "2..5.0",
		"x", "", "v2.5.0", "2.5.0-rc1", " 2.5.0", "2.5.+1", "2.5.-1", "0.1.2.3.4", "00.11.0.0",
		"99999999999999999999.0.0", "2.5.0\n",
	} {
		want, werr := sarama.ParseKafkaVersion(s)
		got, gerr := config.ParseKafkaVersion(s)
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%q: client error %v, configuration error %v", s, werr, gerr)
			continue
		}
		if werr != nil {
			continue
		}
		if got.String() != want.String() {
			t.Errorf("%q: configuration reads %s, client %s", s, got, want)
		}
		if got.AtLeast(config.MinKafkaVersion()) != want.IsAtLeast(sarama.V2_5_0_0) {
			t.Errorf("%q: configuration and client disagree about the minimum", s)
		}
	}
}

// FuzzVersion checks the configuration's version parser against the
// client's, the second implementation it must agree with.
func FuzzVersion(f *testing.F) {
	for _, s := range []string{"2.5.0", "0.11.0.2", "2.05.0", "1.0", "0.1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, werr := sarama.ParseKafkaVersion(s)
		got, gerr := config.ParseKafkaVersion(s)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("%q: client error %v, configuration error %v", s, werr, gerr)
		}
		if werr == nil && got.String() != want.String() {
			t.Fatalf("%q: configuration reads %s, client %s", s, got, want)
		}
	})
}
