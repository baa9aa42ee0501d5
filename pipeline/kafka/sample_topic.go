package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/rules"
)

// ErrNoBrokers is SampleTopic's error when neither the options nor the
// configuration name a broker.
var ErrNoBrokers = errors.New("no brokers")

// SampleOptions say what SampleTopic reads and with which client settings.
type SampleOptions struct {
	// Config gives the client settings (TLS, SASL, version) and the
	// brokers; nil: sarama's defaults.
	Config *config.Config
	// Brokers, when set, replace the configuration's.
	Brokers []string
	Topic   string
	// Limit is the number of records to read; 0: up to the end.
	Limit int
	// Oldest reads each partition from its oldest offset, not its newest
	// records.
	Oldest bool
	// Timeout, when positive, bounds the reading once connected.
	Timeout time.Duration
}

// SampleTopic reads a sample of a topic (Sample) without joining a
// consumer group, and gives fn each record's key, value and headers.
func SampleTopic(ctx context.Context, o SampleOptions, fn func(key, value []byte, headers []rules.Header)) error {
	sc := sarama.NewConfig()
	sc.ClientID = "scrubd-discover"
	var addrs []string
	if o.Config != nil {
		var err error
		if sc, err = Base(o.Config); err != nil {
			return config.Invalid(err)
		}
		addrs = o.Config.Kafka.Brokers
	}
	if len(o.Brokers) > 0 {
		addrs = o.Brokers
	}
	if len(addrs) == 0 {
		return ErrNoBrokers
	}
	sc.Consumer.Return.Errors = true
	client, err := sarama.NewClient(addrs, sc)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer client.Close()
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	from := SampleNewest
	if o.Oldest {
		from = SampleOldest
	}
	var headers []rules.Header
	return Sample(ctx, client, o.Topic, o.Limit, from, func(m *sarama.ConsumerMessage) {
		headers = headers[:0]
		for _, h := range m.Headers {
			headers = append(headers, rules.Header{Name: h.Key, Value: h.Value})
		}
		fn(m.Key, m.Value, headers)
	})
}
