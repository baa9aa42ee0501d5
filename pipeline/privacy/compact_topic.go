package privacy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/config"
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

// A Compactor rewrites the privacy-requests topic of a configuration
// (CompactTopic) with its brokers, client settings and policy keys.
type Compactor struct {
	Brokers []string
	Client  *sarama.Config
	Topic   string
	Keys    *rules.Keyring
}

// LoadCompactor loads the configuration at path and the HMAC keys of its
// policy; random keys would make pseudonyms that no record carries. Every
// error is an invalid configuration.
func LoadCompactor(path string, getenv func(string) string) (*Compactor, error) {
	c, err := loadCompactor(path, getenv)
	return c, config.Invalid(err)
}

func loadCompactor(path string, getenv func(string) string) (*Compactor, error) {
	cfg, err := config.LoadValid(path, getenv)
	if err != nil {
		return nil, err
	}
	if cfg.Privacy.Topic == "" {
		return nil, errors.New("privacy.topic is empty")
	}
	pol, err := cfg.LoadPolicy()
	if err != nil {
		return nil, err
	}
	keys, _, err := rules.LoadKeys(pol.Keys, rules.LookupKeys, getenv, nil)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	sc, err := kafka.Base(cfg)
	if err != nil {
		return nil, err
	}
	return &Compactor{Brokers: cfg.Kafka.Brokers, Client: sc, Topic: cfg.Privacy.Topic, Keys: keys}, nil
}

// Compact rewrites the requests written before cutoff (CompactTopic); dry
// counts without writing.
func (c *Compactor) Compact(ctx context.Context, cutoff time.Time, dry bool) (CompactStats, error) {
	return CompactTopic(ctx, c.Brokers, c.Client, c.Topic, c.Keys, cutoff, dry)
}
