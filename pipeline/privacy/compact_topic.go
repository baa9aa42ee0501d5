package privacy

import (
	"context"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/privacy/compacted"
	"github.com/scrubd/scrubd/rules"
)

// CompactStats are the counts of CompactTopic, which
// `scrubd privacy compact-requests` prints.
type CompactStats struct {
	Topic     string `json:"topic"`
	Keys      int    `json:"keys"`
	Rewritten int    `json:"rewritten"`
	Already   int    `json:"already"`
	TooRecent int    `json:"too_recent"`
	Rejected  int    `json:"rejected"`
	DryRun    bool   `json:"dry_run,omitempty"`
}

// CompactTopic reads the privacy-requests topic to its end, keeps the
// latest record of each key (what compaction keeps) and rewrites those
// written before cutoff that still name a raw subject into the
// pseudonym-only form (CompactRequest), in their partition. dry counts
// without writing.
func CompactTopic(ctx context.Context, brokers []string, sc *sarama.Config, topic string, keys *rules.Keyring, cutoff time.Time, dry bool) (CompactStats, error) {
	st := CompactStats{Topic: topic, DryRun: dry}
	cc := *sc
	cc.Consumer.IsolationLevel = sarama.ReadCommitted
	client, err := sarama.NewClient(brokers, &cc)
	if err != nil {
		return st, fmt.Errorf("connect: %w", err)
	}
	defer client.Close()
	latest := map[string]*sarama.ConsumerMessage{}
	err = compacted.Read(ctx, compacted.Options{Client: client, Topic: topic}, func(m *sarama.ConsumerMessage, _ bool) error {
		if m.Key != nil { // a compacted topic holds no record without a key
			latest[string(m.Key)] = m
		}
		return nil
	}, func() {})
	if err != nil {
		return st, fmt.Errorf("read %s: %w", topic, err)
	}
	st.Keys = len(latest)
	var out []*sarama.ProducerMessage
	for _, m := range latest {
		v, outcome, _ := CompactRequest(m.Value, m.Timestamp, DefaultTypes(), keys)
		if outcome == CompactRewritten && m.Timestamp.After(cutoff) {
			// Written too recently to be sure every instance applied it.
			outcome = "too_recent"
		}
		switch outcome {
		case "too_recent":
			st.TooRecent++
		case CompactAlready:
			st.Already++
		case CompactRejected:
			st.Rejected++
		case CompactRewritten:
			st.Rewritten++
			out = append(out, &sarama.ProducerMessage{Topic: topic, Partition: m.Partition, Key: sarama.ByteEncoder(m.Key), Value: sarama.ByteEncoder(v)})
		}
	}
	if dry || len(out) == 0 {
		return st, nil
	}
	return st, produceSame(brokers, sc, out)
}

// produceSame writes msgs to the partitions they name, idempotently.
func produceSame(brokers []string, sc *sarama.Config, msgs []*sarama.ProducerMessage) error {
	p, err := kafka.SamePartitionProducer(brokers, sc)
	if err != nil {
		return fmt.Errorf("producer: %w", err)
	}
	defer p.Close()
	if err := p.SendMessages(msgs); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
