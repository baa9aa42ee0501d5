package pipeline

import (
	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/pipeline/vault"
	"github.com/scrubd/scrubd/rules"
)

// The stages' adapters. The stream loop converts sarama's messages to
// record.Record (kafka.Record) before the record decision and back
// (kafka.Message) after it, so that the decision and its stages know nothing
// of the Kafka client.

// vaultStage is the decision's vault stage on a *vault.Writer.
type vaultStage struct {
	w *vault.Writer
}

func (s vaultStage) Append(dst []record.Record, res *rules.Result) ([]record.Record, error) {
	recs, err := s.w.Append(nil, res)
	for _, r := range recs {
		dst = append(dst, *r)
	}
	return dst, err
}

func (s vaultStage) Discard(recs []record.Record) {
	ptrs := make([]*record.Record, len(recs))
	for i := range recs {
		ptrs[i] = &recs[i]
	}
	s.w.Discard(ptrs)
}

// privacyStage is the decision's privacy stage on a *privacy.Set.
type privacyStage struct {
	set *privacy.Set
}

func (s privacyStage) Suppressed(res *rules.Result) bool {
	_, ok := s.set.Check(res)
	return ok
}

// header is a produced record header.
func header(k string, v []byte) sarama.RecordHeader {
	return sarama.RecordHeader{Key: []byte(k), Value: v}
}
