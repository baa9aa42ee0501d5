package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/kafka/compacted"
	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/rules"
)

const privacyUsage = `scrubd privacy maintains the privacy-requests topic.

Usage:
  scrubd privacy compact-requests --config FILE [--min-age 24h] [--dry-run]

compact-requests rewrites every request that names its subject by the raw
identifier (an e-mail address, a phone number) into the pseudonym-only
form, under the same record key and in the same partition: the subject's
pseudonyms under every HMAC key of the configuration's policy, the same
type and action, the request time kept as ts. Readers treat the rewritten
record as the same request; once the log cleaner has compacted the topic,
the raw identifier is gone from it (see docs/privacy.md for the topic
settings that bound that time).

Only requests older than --min-age are rewritten: by then every running
instance has applied them (an instance behind on the topic raises
ScrubdPrivacyReaderNotCaughtUp) and the vault entries of erased subjects
are shredded. It prints counts as JSON; nothing of a request is printed.
`

// cmdPrivacy dispatches `scrubd privacy`.
func cmdPrivacy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, privacyUsage)
		return cli.ExitUsage
	}
	switch args[0] {
	case "compact-requests":
		return privacyCompact(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, privacyUsage)
		return cli.ExitOK
	}
	fmt.Fprintf(stderr, "scrubd privacy: unknown command %q\n\n%s", args[0], privacyUsage)
	return cli.ExitUsage
}

// compactStats are the counts compact-requests prints.
type compactStats struct {
	Topic     string `json:"topic"`
	Keys      int    `json:"keys"`
	Rewritten int    `json:"rewritten"`
	Already   int    `json:"already"`
	TooRecent int    `json:"too_recent"`
	Rejected  int    `json:"rejected"`
	DryRun    bool   `json:"dry_run,omitempty"`
}

// privacyCompact implements `scrubd privacy compact-requests`: exit 0 on
// success, 2 on a bad command line, 78 on an invalid configuration or
// keys, 1 when Kafka fails.
func privacyCompact(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlags("privacy compact-requests", privacyUsage, stderr)
	cfgPath := fs.String("config", "", "configuration `file` (keys overridable by SCRUBD_<PATH> variables)")
	minAge := fs.Duration("min-age", 24*time.Hour, "rewrite only requests older than this `duration`")
	dry := fs.Bool("dry-run", false, "count what would be rewritten, write nothing")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this `duration`")
	rest, code, stop := cli.ParseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if len(rest) > 0 || *minAge < 0 {
		fmt.Fprintln(stderr, "scrubd privacy compact-requests: takes --config and flags only; --min-age must not be negative")
		return cli.ExitUsage
	}
	cfg, err := config.LoadValid(*cfgPath, os.Getenv)
	if err == nil && cfg.Privacy.Topic == "" {
		err = errors.New("privacy.topic is empty")
	}
	var keys *rules.Keyring
	if err == nil {
		keys, err = compactKeys(cfg.LoadPolicy)
	}
	var sc *sarama.Config
	if err == nil {
		sc, err = kafka.Base(cfg)
	}
	if err != nil {
		return cli.Fail(stderr, "privacy compact-requests", config.Invalid(err))
	}
	kafka.NewLogger(stderr, config.Log{Level: "warn", Format: "text"})
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	st, err := compactTopic(ctx, cfg.Kafka.Brokers, sc, cfg.Privacy.Topic, keys, time.Now().Add(-*minAge), *dry)
	if b, jerr := json.Marshal(st); jerr == nil {
		fmt.Fprintf(stdout, "%s\n", b)
	}
	if err != nil {
		fmt.Fprintf(stderr, "scrubd privacy compact-requests: %v\n", err)
		return cli.ExitFailed
	}
	return cli.ExitOK
}

// compactKeys loads the policy's HMAC keys; random keys would make
// pseudonyms that no record carries.
func compactKeys(loadPolicy func() (*rules.Policy, error)) (*rules.Keyring, error) {
	pol, err := loadPolicy()
	if err != nil {
		return nil, err
	}
	keys, _, err := rules.LoadKeys(pol.Keys, rules.LookupKeys, os.Getenv, nil)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	return keys, nil
}

// compactTopic reads the topic to its end, keeps the latest record of each
// key (what compaction keeps) and rewrites those written before cutoff
// that still name a raw subject.
func compactTopic(ctx context.Context, brokers []string, sc *sarama.Config, topic string, keys *rules.Keyring, cutoff time.Time, dry bool) (compactStats, error) {
	st := compactStats{Topic: topic, DryRun: dry}
	cc := *sc
	cc.Consumer.IsolationLevel = sarama.ReadCommitted
	client, err := sarama.NewClient(brokers, &cc)
	if err != nil {
		return st, fmt.Errorf("connect: %w", err)
	}
	defer client.Close()
	latest := map[string]*record.Record{}
	err = compacted.Read(ctx, compacted.Options{Client: client, Topic: topic}, func(m *record.Record, _ bool) error {
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
		v, outcome, _ := privacy.CompactRequest(m.Value, m.Timestamp, privacy.DefaultTypes(), keys)
		if outcome == privacy.CompactRewritten && m.Timestamp.After(cutoff) {
			// Written too recently to be sure every instance applied it.
			outcome = "too_recent"
		}
		switch outcome {
		case "too_recent":
			st.TooRecent++
		case privacy.CompactAlready:
			st.Already++
		case privacy.CompactRejected:
			st.Rejected++
		case privacy.CompactRewritten:
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
	pc := *sc
	pc.Producer.Idempotent = true
	pc.Net.MaxOpenRequests = 1
	pc.Producer.RequiredAcks = sarama.WaitForAll
	pc.Producer.Retry.Max = 10
	pc.Producer.Partitioner = sarama.NewManualPartitioner
	pc.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(brokers, &pc)
	if err != nil {
		return fmt.Errorf("producer: %w", err)
	}
	defer p.Close()
	if err := p.SendMessages(msgs); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
