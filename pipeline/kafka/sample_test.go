package kafka

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
)

// sampleCluster starts a broker with a topic of parts partitions holding
// per records in each, valued "p<partition>-<offset>".
func sampleCluster(t *testing.T, parts, per int) sarama.Client {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(int32(parts), "logs.raw"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	sc := sarama.NewConfig()
	sc.Version = sarama.V3_6_0_0
	sc.Producer.Return.Successes = true
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	sc.Consumer.MaxWaitTime = 50 * time.Millisecond
	sc.Consumer.Return.Errors = true
	client, err := sarama.NewClient(c.ListenAddrs(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	prod, err := sarama.NewSyncProducerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []*sarama.ProducerMessage
	for p := range parts {
		for o := range per {
			msgs = append(msgs, &sarama.ProducerMessage{Topic: "logs.raw", Partition: int32(p), Value: sarama.StringEncoder(fmt.Sprintf("p%d-%d", p, o))})
		}
	}
	if err := prod.SendMessages(msgs); err != nil {
		t.Fatal(err)
	}
	return client
}

func sample(t *testing.T, client sarama.Client, n int, from SampleFrom) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var got []string
	if err := Sample(ctx, client, "logs.raw", n, from, func(m *sarama.ConsumerMessage) { got = append(got, string(m.Value)) }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}

// TestSample checks that Sample reads the newest or oldest records of each
// partition, n in all, or every record, and joins no consumer group.
func TestSample(t *testing.T) {
	client := sampleCluster(t, 3, 10)
	tests := []struct {
		n    int
		from SampleFrom
		want []string
	}{
		{6, SampleNewest, []string{"p0-8", "p0-9", "p1-8", "p1-9", "p2-8", "p2-9"}},
		{6, SampleOldest, []string{"p0-0", "p0-1", "p1-0", "p1-1", "p2-0", "p2-1"}},
		{1000, SampleNewest, nil}, // more than the topic holds: all of it
		{0, SampleOldest, nil},    // all
	}
	var all []string
	for p := range 3 {
		for o := range 10 {
			all = append(all, fmt.Sprintf("p%d-%d", p, o))
		}
	}
	slices.Sort(all)
	for _, tt := range tests {
		want := tt.want
		if want == nil {
			want = all
		}
		if got := sample(t, client, tt.n, tt.from); !slices.Equal(got, want) {
			t.Errorf("Sample(%d, %v) = %v, want %v", tt.n, tt.from, got, want)
		}
	}
	// n not a multiple of the partitions: exactly n.
	if got := sample(t, client, 4, SampleNewest); len(got) != 4 {
		t.Errorf("Sample(4) read %d records", len(got))
	}
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := admin.ListConsumerGroups()
	if err != nil || len(groups) != 0 {
		t.Errorf("consumer groups %v, %v; want none", groups, err)
	}
}

// TestSampleErrors checks that a missing topic is an error and that an
// expired context stops a read with its error.
func TestSampleErrors(t *testing.T) {
	client := sampleCluster(t, 1, 1)
	ctx := context.Background()
	if err := Sample(ctx, client, "no.such.topic", 10, SampleOldest, func(*sarama.ConsumerMessage) {}); err == nil {
		t.Error("sampled a missing topic")
	}
	ctx, cancel := context.WithCancel(ctx)
	cancel()
	err := Sample(ctx, client, "logs.raw", 10, SampleOldest, func(*sarama.ConsumerMessage) {})
	if err == nil {
		t.Error("a cancelled sample returned no error")
	}
}
