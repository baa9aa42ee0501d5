package pipeline

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestReadinessFollowsKafka: while the broker answers no metadata request
// (its connections fail), /readyz's state is "not connected to Kafka";
// when it answers again the pipeline is ready again, without a restart.
func TestReadinessFollowsKafka(t *testing.T) {
	c := startCluster(t, 2)
	in := newInstance(t, testConfig(c.Addrs()), testEngine(t, ""), "scrubd-ready-watch", nil).start()
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
