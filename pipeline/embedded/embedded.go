// Package embedded runs an in-process Kafka-compatible broker (franz-go's
// kfake) for `scrubd demo`, tests and benchmarks. It holds everything in
// memory and needs no network beyond the loopback interface. It is not
// Apache Kafka: it does not replicate, never answers
// CONCURRENT_TRANSACTIONS and rebalances without delay, so a pass on it is
// not a pass on a real broker.
package embedded

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Topic is a topic to create at start.
type Topic struct {
	Name       string
	Partitions int32
}

// Cluster is a running embedded broker.
type Cluster struct {
	c *kfake.Cluster
}

// Start starts a one-broker cluster listening on 127.0.0.1 with the topics
// created, plus any kfake options (SASL, TLS) the caller adds.
func Start(topics []Topic, opts ...kfake.Opt) (*Cluster, error) {
	all := []kfake.Opt{kfake.NumBrokers(1)}
	for _, t := range topics {
		all = append(all, kfake.SeedTopics(t.Partitions, t.Name))
	}
	all = append(all, opts...)
	c, err := kfake.NewCluster(all...)
	if err != nil {
		return nil, fmt.Errorf("start embedded kafka: %w", err)
	}
	return &Cluster{c: c}, nil
}

// Addrs returns the brokers' host:port addresses.
func (c *Cluster) Addrs() []string { return c.c.ListenAddrs() }

// Kfake returns the underlying cluster, for tests that inject faults.
func (c *Cluster) Kfake() *kfake.Cluster { return c.c }

// Close stops the broker.
func (c *Cluster) Close() { c.c.Close() }
