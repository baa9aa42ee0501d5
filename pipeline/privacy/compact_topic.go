package privacy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/kafka/compacted"
	"github.com/scrubd/scrubd/pipeline/record"
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

// A Compactor rewrites the privacy-requests topic of a configuration
// (Compact) on its cluster with its policy's keys.
type Compactor struct {
	Conn  compacted.Conn
	Topic string
	Keys  *rules.Keyring
}

// LoadCompactor loads the configuration at path and the HMAC keys of its
// policy; random keys would make pseudonyms that no record carries. Every
// error is an invalid configuration.
func LoadCompactor(path string, getenv func(string) string) (*Compactor, error) {
	c, err := loadCompactor(path, getenv)
	return c, config.Invalid(err)
}

func loadCompactor(path string, getenv func(string) string) (*Compactor, error) {
	cfg, keys, err := config.LoadLookup(path, getenv)
	if err != nil {
		return nil, err
	}
	if cfg.Privacy.Topic == "" {
		return nil, errors.New("privacy.topic is empty")
	}
	sc, err := kafka.Base(cfg)
	if err != nil {
		return nil, err
	}
	return &Compactor{Conn: compacted.Conn{Brokers: cfg.Kafka.Brokers, Config: sc}, Topic: cfg.Privacy.Topic, Keys: keys}, nil
}

// Compact reads the topic to its end, keeps the latest record of each key
// (what compaction keeps) and rewrites those written before cutoff that
// still name a raw subject into the pseudonym-only form (CompactRequest),
// in their partition. dry counts without writing.
func (c *Compactor) Compact(ctx context.Context, cutoff time.Time, dry bool) (CompactStats, error) {
	topic := c.Topic
	st := CompactStats{Topic: topic, DryRun: dry}
	client, err := compacted.Dial(c.Conn)
	if err != nil {
		return st, err
	}
	defer client.Close()
	latest := map[string]*record.Record{}
	err = client.Read(ctx, compacted.Options{Topic: topic}, func(m *record.Record, _ bool) error {
		if m.Key != nil { // a compacted topic holds no record without a key
			latest[string(m.Key)] = m
		}
		return nil
	}, func() {})
	if err != nil {
		return st, fmt.Errorf("read %s: %w", topic, err)
	}
	st.Keys = len(latest)
	var out []*record.Record
	for _, m := range latest {
		v, outcome, _ := CompactRequest(m.Value, m.Timestamp, DefaultTypes(), c.Keys)
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
			out = append(out, &record.Record{Topic: topic, Partition: m.Partition, Key: m.Key, Value: v})
		}
	}
	if dry || len(out) == 0 {
		return st, nil
	}
	return st, c.produce(out)
}

// produce writes rs to the partitions they name, idempotently.
func (c *Compactor) produce(rs []*record.Record) error {
	s, err := kafka.NewSender(c.Conn.Brokers, c.Conn.Config)
	if err != nil {
		return fmt.Errorf("producer: %w", err)
	}
	defer s.Close()
	if err := s.SendAll(rs); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
