package pipeline

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// TestReadinessFollowsKafka: while the broker answers no metadata request
// (its connections fail), /readyz's state is "not connected to Kafka";
// when it answers again the pipeline is ready again, without a restart.
func TestReadinessFollowsKafka(t *testing.T) {
	c := startCluster(t, 2)
	in := newInstance(t, testConfig(c.Addrs()), rulestest.Engine(t, ""), "scrubd-ready-watch", nil).start()
	defer in.stop(t)
	ready := func() (bool, string) { return in.p.State().Ready() }
	waitFor(t, "ready", func() bool { ok, _ := ready(); return ok })

	var down atomic.Bool
	down.Store(true)
	k := c.Kfake()
	k.ControlKey(int16(kmsg.Metadata), func(kmsg.Request) (kmsg.Response, error, bool) {
		k.KeepControl()
		if down.Load() {
			return nil, errors.New("broker down"), true
		}
		return nil, nil, false
	})
	waitFor(t, "not ready while the broker fails", func() bool {
		ok, why := ready()
		return !ok && why == "not connected to Kafka"
	})
	down.Store(false)
	waitFor(t, "ready again", func() bool { ok, _ := ready(); return ok })
}

// TestReadinessStalledKafka: a metadata request that gets no answer (a
// black-holed connection: the request waits for sarama's 30 s read
// timeout) makes the pipeline unready after stallAfter; the answer makes it
// ready again.
func TestReadinessStalledKafka(t *testing.T) {
	c := startCluster(t, 1)
	cfg := testConfig(c.Addrs())
	p, err := New(Options{Config: cfg, Scrubber: rulestest.Engine(t, ""), Logger: testLogger(t), Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := kafka.Base(cfg)
	if err != nil {
		t.Fatal(err)
	}
	client, err := sarama.NewClient(c.Addrs(), sc)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	p.state.SetConnected(true)
	p.state.SetJoined(true)
	p.state.SetProducerReady(true)

	var stalled atomic.Bool
	release := make(chan struct{})
	var once sync.Once
	unstall := func() { once.Do(func() { stalled.Store(false); close(release) }) }
	defer unstall() // a failing test must not leave kfake blocked
	k := c.Kfake()
	k.ControlKey(int16(kmsg.Metadata), func(kmsg.Request) (kmsg.Response, error, bool) {
		k.KeepControl()
		if stalled.Load() {
			<-release
		}
		return nil, nil, false
	})
	stop := p.watchKafka(client, 50*time.Millisecond, 500*time.Millisecond)
	defer stop()
	ready := func() (bool, string) { return p.State().Ready() }
	waitFor(t, "ready", func() bool { ok, _ := ready(); return ok })
	stalled.Store(true)
	waitFor(t, "not ready while metadata requests get no answer", func() bool {
		ok, why := ready()
		return !ok && why == "not connected to Kafka"
	})
	unstall()
	waitFor(t, "ready again", func() bool { ok, _ := ready(); return ok })
}
