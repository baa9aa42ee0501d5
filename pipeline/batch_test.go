package pipeline

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrubd/scrubd/pipeline/metrics"
)

// fakeSession is a consumer-group session that records the offsets marked
// and the commits, in order.
type fakeSession struct {
	sarama.ConsumerGroupSession // not called: the methods below are all the committers use
	gen                         int32

	mu     sync.Mutex
	events []string // "mark topic/partition=offset", "commit"
}

func (s *fakeSession) MemberID() string         { return "member-1" }
func (s *fakeSession) GenerationID() int32      { return s.gen }
func (s *fakeSession) Context() context.Context { return context.Background() }

func (s *fakeSession) MarkOffset(topic string, partition int32, offset int64, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, fmt.Sprintf("mark %s/%d=%d", topic, partition, offset))
}

func (s *fakeSession) Commit() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, "commit")
}

func (s *fakeSession) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.events...)
}

// testMetrics returns metrics on a registry of their own.
func testMetrics(t testing.TB) *metrics.Metrics {
	t.Helper()
	m, err := metrics.New(prometheus.NewRegistry(), metrics.Opts{}, metrics.Known{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// testBatch returns a batch of sess at topic/partition, ending before
// next, with one record per value.
func testBatch(sess sarama.ConsumerGroupSession, topic string, partition int32, next int64, values ...string) *batch {
	b := newBatch(sess, topic, partition, time.Now())
	b.next = next
	for _, v := range values {
		b.add(&sarama.ProducerMessage{Topic: cleanTopic, Partition: partition, Value: sarama.StringEncoder(v)})
	}
	return b
}

// outcome waits for b's outcome.
func outcome(t testing.TB, b *batch) error {
	t.Helper()
	select {
	case err := <-b.done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("no outcome for the batch")
		return nil
	}
}
