package pipeline

import (
	"log/slog"
	"sync"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/decision"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/pipeline/vault"
	"github.com/scrubd/scrubd/pipeline/wire"
)

// outbox holds records to produce that belong to no batch: the identity
// vault's erasure tombstones and the dead letters of rejected privacy
// requests. The transactional committer adds them to its next transaction
// and drops them only once one commits, so none is lost to an abort. They
// are built when taken, from the run's state at that moment (see
// outboxEnv), since they may be queued before the run has connected.
type outbox struct {
	mu      sync.Mutex
	pending []func(outboxEnv) []record.Record
}

// outboxEnv is what outbox entries are built with.
type outboxEnv struct {
	log *slog.Logger
	// partitions lists the partitions of an input topic.
	partitions func(topic string) ([]int32, error)
	dec        *decision.Decider
}

func (o *outbox) add(build func(outboxEnv) []record.Record) {
	o.mu.Lock()
	o.pending = append(o.pending, build)
	o.mu.Unlock()
}

// take builds the pending records; n is the count of items taken, for done.
func (o *outbox) take(env outboxEnv) (msgs []*sarama.ProducerMessage, n int) {
	o.mu.Lock()
	items := o.pending
	o.mu.Unlock()
	for _, build := range items {
		for _, r := range build(env) {
			msgs = append(msgs, kafka.Message(&r))
		}
	}
	return msgs, len(items)
}

// waiting reports whether items wait to be taken.
func (o *outbox) waiting() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.pending) > 0
}

// done drops the first n items once their transaction committed.
func (o *outbox) done(n int, committed bool) {
	if !committed || n == 0 {
		return
	}
	o.mu.Lock()
	o.pending = append(o.pending[:0:0], o.pending[n:]...)
	o.mu.Unlock()
}

// Erase queues the identity vault's tombstones for the pseudonyms of an
// erased subject: every value record, and the data key of every input
// partition, so that nothing about the subject can be decrypted. They are
// written with the next transaction. The vault must be on.
func (p *Pipeline) Erase(pseudonyms []string) {
	v := p.opts.Vault
	if v == nil || len(pseudonyms) == 0 {
		return
	}
	v.Forget()
	ps := append([]string(nil), pseudonyms...)
	inputs := p.cfg.Topics.Input
	p.outbox.add(func(env outboxEnv) []record.Record {
		var slots []vault.Slot
		for _, t := range inputs {
			parts, err := env.partitions(t)
			if err != nil {
				env.log.Warn("list input partitions for an erasure; erasing partition 0 only for now", "topic", t, "err", err)
				parts = []int32{0}
			}
			for _, part := range parts {
				slots = append(slots, vault.Slot{Topic: t, Partition: part})
			}
		}
		var recs []record.Record
		for _, r := range v.Erase(nil, ps, slots) {
			recs = append(recs, *r)
		}
		return recs
	})
}

// RejectRequest queues the dead letter of a privacy request that could not
// be parsed, with its reason (never its content in clear: the payload is
// sealed like any dead letter's, or left out).
func (p *Pipeline) RejectRequest(req *record.Record, reason string) {
	r := *req
	r.Value = append([]byte(nil), req.Value...)
	p.outbox.add(func(env outboxEnv) []record.Record {
		c := decision.NewCounts()
		return []record.Record{env.dec.DeadLetter(&r, []byte("privacy-request"), wire.PrivacyReason(reason), &c)}
	})
}
