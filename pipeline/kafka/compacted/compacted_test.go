package compacted

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/scrubd/scrubd/pipeline/record"
)

const topic = "privacy.requests"

func startKafka(t *testing.T, parts int32) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(parts, topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

func saramaClient(t *testing.T, addrs []string) sarama.Client {
	t.Helper()
	sc := sarama.NewConfig()
	sc.Version = sarama.V3_6_0_0
	sc.Consumer.IsolationLevel = sarama.ReadCommitted
	sc.Consumer.Return.Errors = true
	sc.Consumer.MaxWaitTime = 50 * time.Millisecond
	cl, err := sarama.NewClient(addrs, sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	return cl
}

// produce writes records to partition p; with txn set, in a transaction
// that commits or, with abort, aborts.
func produce(t *testing.T, addrs []string, p int32, values []string, txn string, abort bool) {
	t.Helper()
	opts := []kgo.Opt{kgo.SeedBrokers(addrs...), kgo.RecordPartitioner(kgo.ManualPartitioner())}
	if txn != "" {
		opts = append(opts, kgo.TransactionalID(txn))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if txn != "" {
		if err := cl.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range values {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Partition: p, Key: []byte(v), Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	if txn != "" {
		commit := kgo.TryCommit
		if abort {
			commit = kgo.TryAbort
		}
		if err := cl.EndTransaction(ctx, commit); err != nil {
			t.Fatal(err)
		}
	}
}

// collect reads the snapshot and returns the values per partition.
func collect(t *testing.T, cl sarama.Client, opts Options) map[int32][]string {
	t.Helper()
	got := map[int32][]string{}
	caught := false
	opts.Client, opts.Topic, opts.Quiet = cl, topic, 100*time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := Read(ctx, opts, func(m *record.Record, replay bool) error {
		if !replay {
			t.Errorf("record at offset %d not marked as replay", m.Offset)
		}
		got[m.Partition] = append(got[m.Partition], string(m.Value))
		return nil
	}, func() { caught = true })
	if err != nil {
		t.Fatal(err)
	}
	if !caught {
		t.Fatal("caughtUp was not called")
	}
	return got
}

func TestReadSnapshot(t *testing.T) {
	addrs := startKafka(t, 3)
	produce(t, addrs, 0, []string{"a1", "a2"}, "", false)
	produce(t, addrs, 1, []string{"b1"}, "t1", false)
	produce(t, addrs, 1, []string{"b-aborted"}, "t2", true)
	produce(t, addrs, 1, []string{"b2"}, "t3", false) // ends with a commit marker
	// Partition 2 is empty.
	cl := saramaClient(t, addrs)
	got := collect(t, cl, Options{})
	want := map[int32][]string{0: {"a1", "a2"}, 1: {"b1", "b2"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestReadEndsInAbortedTransaction(t *testing.T) {
	addrs := startKafka(t, 1)
	produce(t, addrs, 0, []string{"kept"}, "", false)
	produce(t, addrs, 0, []string{"x1", "x2", "x3"}, "t1", true)
	cl := saramaClient(t, addrs)
	got := collect(t, cl, Options{})
	if fmt.Sprint(got) != fmt.Sprint(map[int32][]string{0: {"kept"}}) {
		t.Errorf("got %v", got)
	}
}

func TestReadSomePartitions(t *testing.T) {
	addrs := startKafka(t, 2)
	produce(t, addrs, 0, []string{"a"}, "", false)
	produce(t, addrs, 1, []string{"b"}, "", false)
	cl := saramaClient(t, addrs)
	got := collect(t, cl, Options{Partitions: []int32{1}})
	if fmt.Sprint(got) != fmt.Sprint(map[int32][]string{1: {"b"}}) {
		t.Errorf("got %v", got)
	}
}

func TestFollow(t *testing.T) {
	addrs := startKafka(t, 2)
	produce(t, addrs, 0, []string{"old"}, "", false)
	cl := saramaClient(t, addrs)
	var mu sync.Mutex
	var live []string
	caught := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Read(ctx, Options{Client: cl, Topic: topic, Follow: true, Quiet: 100 * time.Millisecond},
			func(m *record.Record, replay bool) error {
				if !replay {
					mu.Lock()
					live = append(live, string(m.Value))
					mu.Unlock()
				}
				return nil
			}, func() { close(caught) })
	}()
	select {
	case <-caught:
	case <-time.After(20 * time.Second):
		t.Fatal("not caught up")
	}
	produce(t, addrs, 1, []string{"new1"}, "t1", false)
	produce(t, addrs, 0, []string{"new2"}, "", false)
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(live)
		mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("live records: %v", live)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Read: %v", err)
	}
}

func TestHandlerErrorStops(t *testing.T) {
	addrs := startKafka(t, 1)
	produce(t, addrs, 0, []string{"a", "b"}, "", false)
	cl := saramaClient(t, addrs)
	boom := errors.New("boom")
	n := 0
	err := Read(context.Background(), Options{Client: cl, Topic: topic}, func(*record.Record, bool) error {
		n++
		return boom
	}, nil)
	if !errors.Is(err, boom) || n != 1 {
		t.Fatalf("err %v after %d records", err, n)
	}
}

func TestMissingTopic(t *testing.T) {
	addrs := startKafka(t, 1)
	cl := saramaClient(t, addrs)
	err := Read(context.Background(), Options{Client: cl, Topic: "nope"}, func(*record.Record, bool) error { return nil }, nil)
	if !errors.Is(err, ErrNoTopic) {
		t.Fatalf("err = %v, want ErrNoTopic", err)
	}
}

func TestNeedsReadCommitted(t *testing.T) {
	addrs := startKafka(t, 1)
	sc := sarama.NewConfig()
	sc.Version = sarama.V3_6_0_0
	cl, err := sarama.NewClient(addrs, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := Read(context.Background(), Options{Client: cl, Topic: topic}, nil, nil); err == nil {
		t.Fatal("read_uncommitted client accepted")
	}
}

func TestReadFromOffsets(t *testing.T) {
	addrs := startKafka(t, 2)
	produce(t, addrs, 0, []string{"a1", "a2", "a3"}, "", false)
	produce(t, addrs, 1, []string{"b1"}, "t1", false)
	cl := saramaClient(t, addrs)
	var ends map[int32]int64
	got := collect(t, cl, Options{From: map[int32]int64{0: 1, 1: 99}, Ends: func(e map[int32]int64) { ends = e }})
	if fmt.Sprint(got) != fmt.Sprint(map[int32][]string{0: {"a2", "a3"}}) {
		t.Errorf("got %v", got)
	}
	// Partition 1 holds b1 and the commit marker.
	if ends[0] != 3 || ends[1] != 2 {
		t.Errorf("ends %v", ends)
	}
}

func TestScanBlockMarkersOnly(t *testing.T) {
	// A commit marker at offset 5, then nothing: no data in [5, 6).
	blk := &sarama.FetchResponseBlock{RecordsSet: []*sarama.Records{{RecordBatch: &sarama.RecordBatch{
		FirstOffset: 5, Control: true, Records: []*sarama.Record{{Key: []byte{0, 0, 0, 1}}},
	}}}}
	if live, next := scanBlock(blk, 5, 6); live || next != 6 {
		t.Errorf("marker: live %v next %d", live, next)
	}
	// An aborted transaction's records at 3-4, its abort marker at 5.
	blk = &sarama.FetchResponseBlock{
		AbortedTransactions: []*sarama.AbortedTransaction{{ProducerID: 7, FirstOffset: 3}},
		RecordsSet: []*sarama.Records{
			{RecordBatch: &sarama.RecordBatch{FirstOffset: 3, LastOffsetDelta: 1, ProducerID: 7, IsTransactional: true,
				Records: []*sarama.Record{{OffsetDelta: 0}, {OffsetDelta: 1}}}},
			{RecordBatch: &sarama.RecordBatch{FirstOffset: 5, ProducerID: 7, Control: true, IsTransactional: true,
				Records: []*sarama.Record{{Key: []byte{0, 0, 0, 0}}}}},
		},
	}
	if live, next := scanBlock(blk, 3, 6); live || next != 6 {
		t.Errorf("aborted: live %v next %d", live, next)
	}
	// The same records committed are data.
	blk.AbortedTransactions = nil
	if live, _ := scanBlock(blk, 3, 6); !live {
		t.Error("committed records not seen")
	}
	// Records before from do not count.
	if live, _ := scanBlock(blk, 5, 6); live {
		t.Error("records before from counted")
	}
}

// TestFollowCheck follows a topic with checks while the cluster stops
// answering the reader's own fetches (a stuck partition reader) but still
// answers the checks: the check reports the partition behind once a record
// waits for longer than a check interval, and caught up again once it has
// been handed over.
func TestFollowCheck(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	addrs := c.ListenAddrs()
	// A transaction leaves a commit marker at the end: not "behind".
	produce(t, addrs, 0, []string{"old"}, "t1", false)
	cl := saramaClient(t, addrs)

	var stuck atomic.Bool
	var held atomic.Int32
	c.ControlKey(int16(kmsg.Fetch), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := kr.(*kmsg.FetchRequest)
		// The reader's fetches wait (MaxWaitTime); the checks' probes do not.
		if !stuck.Load() || req.MaxWaitMillis == 0 {
			return nil, nil, false
		}
		held.Add(1)
		resp := req.ResponseKind().(*kmsg.FetchResponse)
		for _, rt := range req.Topics {
			st := kmsg.NewFetchResponseTopic()
			st.Topic, st.TopicID = rt.Topic, rt.TopicID
			for _, rp := range rt.Partitions {
				sp := kmsg.NewFetchResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.HighWatermark, sp.LastStableOffset = rp.FetchOffset, rp.FetchOffset
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})

	statuses := make(chan Status, 1000)
	got := make(chan string, 10)
	caught := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Read(ctx, Options{
			Client: cl, Topic: topic, Follow: true, Quiet: 100 * time.Millisecond,
			Check: 50 * time.Millisecond, Status: func(s Status) { statuses <- s },
		}, func(m *record.Record, replay bool) error {
			if !replay {
				got <- string(m.Value)
			}
			return nil
		}, func() { close(caught) })
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Read: %v", err)
		}
	}()
	select {
	case <-caught:
	case <-time.After(20 * time.Second):
		t.Fatal("not caught up")
	}
	waitStatus := func(what string, ok func(Status) bool) Status {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			select {
			case s := <-statuses:
				if ok(s) {
					return s
				}
			case <-deadline:
				t.Fatalf("no check reported %s", what)
			}
		}
	}
	// Three checks in a row find nothing behind: the marker is not a
	// record waiting.
	for range 3 {
		if s := waitStatus("a result", func(Status) bool { return true }); s.Behind != 0 || s.Err != nil {
			t.Fatalf("caught up, the check says %+v", s)
		}
	}

	stuck.Store(true)
	// A fetch of the reader's that was already waiting in the broker when
	// fetches got stuck would be answered with the new record: produce
	// only once a fetch issued after that was held (the partition consumer
	// has one fetch in flight at a time).
	for deadline := time.Now().Add(20 * time.Second); held.Load() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the reader issued no fetch while stuck")
		}
	}
	produce(t, addrs, 0, []string{"new"}, "", false)
	s := waitStatus("the partition behind", func(s Status) bool { return s.Behind > 0 })
	if s.Behind != 1 || s.Lag < 1 || s.Err != nil {
		t.Errorf("stuck: %+v, want 1 partition behind, a lag", s)
	}
	select {
	case v := <-got:
		t.Fatalf("record %q handed over while fetches were stuck", v)
	default:
	}

	stuck.Store(false)
	select {
	case v := <-got:
		if v != "new" {
			t.Errorf("got %q", v)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the record never came")
	}
	waitStatus("caught up again", func(s Status) bool { return s.Behind == 0 && s.Err == nil })
}

// TestReadProbesBesideLongPolls reads a topic spread over brokers whose
// partitions are quiet for longer than Quiet while their consumers
// long-poll (sarama's default Consumer.MaxWaitTime, 500 ms, as scrubd
// runs it), with an open transaction of another producer on one
// partition, which holds that partition's last stable offset back. The
// probes of the quiet partitions once went over the consumers' own broker
// connections and held their fetches back: the snapshot took seconds to
// read, or was never read (the c6 cluster scenario's restarted instances
// still "reading privacy requests" 10 to 50 s later). It must be read at
// the stable offsets, the open transaction's records not handed over.
func TestReadProbesBesideLongPolls(t *testing.T) {
	const parts, records = 12, 60
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(parts, topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	addrs := c.ListenAddrs()
	for i := range records {
		produce(t, addrs, int32(i%parts), []string{fmt.Sprintf("r%02d", i)}, "", false)
	}
	open, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.TransactionalID("killed"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(open.Close)
	if err := open.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := open.ProduceSync(context.Background(), &kgo.Record{Topic: topic, Partition: 2, Value: []byte("open")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	sc := sarama.NewConfig()
	sc.Version = sarama.V3_6_0_0
	sc.Consumer.IsolationLevel = sarama.ReadCommitted
	sc.Consumer.Return.Errors = true
	cl, err := sarama.NewClient(addrs, sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })

	// Far more than catching up takes here (well under a second), far less than
	// it took before the fix (10 of the 60 records read in 2 s).
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	got, caught := 0, false
	err = Read(ctx, Options{Client: cl, Topic: topic, Follow: true}, func(m *record.Record, _ bool) error {
		if string(m.Value) == "open" {
			t.Errorf("a record of the open transaction was handed over (partition %d, offset %d)", m.Partition, m.Offset)
		}
		got++
		return nil
	}, func() {
		caught = true
		cancel()
	})
	if err != nil {
		t.Fatal(err)
	}
	if !caught || got != records {
		t.Fatalf("caught up %v with %d records of %d within 4 s", caught, got, records)
	}
}
