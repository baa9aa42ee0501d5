package pipeline

import (
	"bytes"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/google/go-cmp/cmp"

	"github.com/scrubd/scrubd/pipeline/decision"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/vault"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// encoded returns the bytes of an encoder, nil for none.
func encoded(t *testing.T, e sarama.Encoder) []byte {
	t.Helper()
	if e == nil {
		return nil
	}
	b, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVaultStage: through the adapter, the vault writer makes one record
// per subject of a record's value, key and headers, with no value in
// clear; the records of a record that is not produced are discarded and
// written again with the subject's next record.
func TestVaultStage(t *testing.T) {
	master, err := vault.NewMasterKeys("m1", map[string][]byte{"m1": bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(vault.Options{Master: master, Topic: vaultTopic, Partitions: 3})
	if err != nil {
		t.Fatal(err)
	}
	d, err := decision.New(decision.Options{
		Outputs: decision.Outputs{Clean: decision.Output{Topic: cleanTopic, Partitions: 3}}, DeadLetter: decision.Output{Topic: dlqTopic, Partitions: 1},
		MaxOut: 1 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	w := decision.NewScratch(vaultStage{v.Writer(rawTopic, 0)})
	view := decision.NewView(rulestest.Engine(t, "limits: {max_record_bytes: 64}"))
	decide := func(key string, hs ...*sarama.RecordHeader) decision.Outcome {
		c := decision.NewCounts()
		r := kafka.Record(&sarama.ConsumerMessage{Topic: rawTopic, Key: []byte(key), Value: []byte(`{"msg":"hi"}`), Headers: hs})
		return d.Decide(&r, w, view, &c)
	}
	hdr := func(k, v string) *sarama.RecordHeader { return &sarama.RecordHeader{Key: []byte(k), Value: []byte(v)} }
	want := map[string]bool{
		testPseudonym("account_id", "acct-3"): true, testPseudonym("email", "ann@example.com"): true,
		testPseudonym("account_id", "acct-4"): true,
	}
	pseudonyms := func(o decision.Outcome) map[string]bool {
		got := map[string]bool{}
		for _, vr := range o.Vault {
			m := kafka.Message(&vr)
			if m.Topic != vaultTopic {
				t.Errorf("vault record to %s", m.Topic)
			}
			for _, raw := range []string{"acct-3", "acct-4", "ann@example.com"} {
				if bytes.Contains(encoded(t, m.Value), []byte(raw)) {
					t.Errorf("vault record holds %q in clear", raw)
				}
			}
			// A value record is keyed by its pseudonym; the data-key
			// records have keys of their own.
			got[string(encoded(t, m.Key))] = true
		}
		for k := range got {
			if !want[k] {
				delete(got, k)
			}
		}
		return got
	}
	// Dead-lettered by its second header: nothing is written, and what
	// was made for its key is forgotten.
	lost := decide("acct-3", hdr("x-user-email", "ann@example.com"), hdr("x-note", strings.Repeat("jdoe@example.com ", 5)))
	if lost.Kind != decision.DeadLetter || len(lost.Vault) != 0 {
		t.Fatalf("outcome %v with %d vault records, want a dead letter without", lost.Kind, len(lost.Vault))
	}
	o := decide("acct-3", hdr("x-user-email", "ann@example.com"), hdr("user_id", "acct-4"))
	if o.Kind != decision.Clean {
		t.Fatalf("outcome %v, want clean", o.Kind)
	}
	if d := cmp.Diff(want, pseudonyms(o)); d != "" {
		t.Errorf("vault subjects (-want +got):\n%s\n%d vault records", d, len(o.Vault))
	}
	if again := decide("acct-3"); len(again.Vault) != 0 {
		t.Errorf("a subject written before is written again: %d records", len(again.Vault))
	}
}
