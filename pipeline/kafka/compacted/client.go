package compacted

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/record"
)

// Conn says how to reach the cluster, for a reader of tables that makes a
// client of its own: the brokers, and the configuration scrubd's clients
// share (version, TLS, SASL; kafka.Base builds it). Its holders need not
// know the Kafka client.
type Conn struct {
	Brokers []string
	Config  *sarama.Config
	// MaxWait, when positive, bounds how long a fetch waits for records:
	// a reader that stops at the snapshot end then closes quickly, since
	// closing waits for the last fetch.
	MaxWait time.Duration
}

// config returns the configuration of a table reader's client: Conn's,
// reading committed records only, returning consumer errors, and speaking
// at least Kafka 0.11 (read_committed needs it).
func (c Conn) config() (*sarama.Config, error) {
	if c.Config == nil || len(c.Brokers) == 0 {
		return nil, errors.New("brokers and a client configuration are required")
	}
	conf := *c.Config
	conf.Consumer.IsolationLevel = sarama.ReadCommitted
	conf.Consumer.Return.Errors = true
	if c.MaxWait > 0 {
		conf.Consumer.MaxWaitTime = min(conf.Consumer.MaxWaitTime, c.MaxWait)
	}
	if !conf.Version.IsAtLeast(sarama.V0_11_0_0) {
		conf.Version = sarama.V0_11_0_0
	}
	if err := conf.Validate(); err != nil {
		return nil, fmt.Errorf("client configuration: %w", err)
	}
	return &conf, nil
}

// Check reports whether c can make a client, without connecting: a
// reader that connects later, in the background, checks at its start.
func (c Conn) Check() error {
	_, err := c.config()
	return err
}

// Client is a connection to the cluster that reads tables, made by Dial.
type Client struct {
	c sarama.Client
}

// Dial connects a Client.
func Dial(c Conn) (*Client, error) {
	conf, err := c.config()
	if err != nil {
		return nil, err
	}
	cl, err := sarama.NewClient(c.Brokers, conf)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return &Client{c: cl}, nil
}

// Close closes the Client's connections.
func (c *Client) Close() error { return c.c.Close() }

// Partitions lists the partitions of topic.
func (c *Client) Partitions(topic string) ([]int32, error) { return c.c.Partitions(topic) }

// Read is the package's Read over c; opts.Client is ignored.
func (c *Client) Read(ctx context.Context, opts Options, handle Handler, caughtUp func()) error {
	opts.Client = c.c
	return Read(ctx, opts, handle, caughtUp)
}

// errFound stops a ReadUntil at the record it looked for.
var errFound = errors.New("compacted: record found")

// ReadUntil reads one partition of topic over client from its oldest
// record on, as Read does (client reads committed records only), passing
// each record to found until found returns true; it returns nil then, and
// ctx's error if ctx ends first. Errors Read recovers from (failed fetches,
// a partition consumer resumed) go to onError. It serves a reader that
// knows the record it reads up to, a marker of its own, rather than the
// snapshot end.
func ReadUntil(ctx context.Context, client sarama.Client, topic string, partition int32, found func(*record.Record) bool, onError func(error)) error {
	err := Read(ctx, Options{
		Client: client, Topic: topic, Partitions: []int32{partition}, Follow: true,
		OnError: func(_ int32, err error) { onError(err) },
	}, func(r *record.Record, _ bool) error {
		if found(r) {
			return errFound
		}
		return nil
	}, nil)
	switch {
	case errors.Is(err, errFound):
		return nil
	case err != nil:
		return err
	}
	// Following, Read returns nil only once ctx has ended.
	return ctx.Err()
}
