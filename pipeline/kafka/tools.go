package kafka

// The clients of the command-line tools: a Sender that rewrites records in
// their partitions, and the admin client of scrubd topics.

import (
	"fmt"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/record"
)

// A Sender writes records to the partitions they name, idempotently, one
// acknowledged write at a time: for the tools that rewrite records of a
// compacted topic under their own key (privacy compact-requests, vault
// rewrap), where another partition would leave the old record beside the
// new one.
type Sender struct{ p sarama.SyncProducer }

// NewSender connects a Sender with a copy of sc.
func NewSender(brokers []string, sc *sarama.Config) (*Sender, error) {
	pc := *sc
	pc.Producer.Idempotent = true
	pc.Net.MaxOpenRequests = 1
	pc.Producer.RequiredAcks = sarama.WaitForAll
	pc.Producer.Retry.Max = 10
	pc.Producer.Partitioner = sarama.NewManualPartitioner
	pc.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(brokers, &pc)
	if err != nil {
		return nil, err
	}
	return &Sender{p}, nil
}

// Send writes r and returns where it was written.
func (s *Sender) Send(r *record.Record) (partition int32, offset int64, err error) {
	return s.p.SendMessage(Message(r))
}

// SendAll writes rs in one batch.
func (s *Sender) SendAll(rs []*record.Record) error {
	msgs := make([]*sarama.ProducerMessage, len(rs))
	for i, r := range rs {
		msgs[i] = Message(r)
	}
	return s.p.SendMessages(msgs)
}

// Close closes the Sender's connections.
func (s *Sender) Close() error { return s.p.Close() }

// NewClusterAdmin connects an admin client with cfg's admin settings
// (Admin). Settings sarama refuses are an invalid configuration.
func NewClusterAdmin(cfg *config.Config) (sarama.ClusterAdmin, error) {
	sc, err := Admin(cfg)
	if err != nil {
		return nil, config.Invalid(err)
	}
	admin, err := sarama.NewClusterAdmin(cfg.Kafka.Brokers, sc)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return admin, nil
}
