package pipeline

import (
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// kafkaProbeInterval is how often watchKafka asks the brokers for metadata.
const kafkaProbeInterval = time.Second

// watchKafka keeps the "connected" condition of readiness true to the
// cluster: every kafkaProbeInterval it asks the brokers for the input
// topics' metadata, and a failed request (after sarama's metadata retries,
// about a second and a half when the brokers refuse connections) makes
// the pipeline unready until a request succeeds again. Neither the
// consumer group session nor the producer reports a broker outage by
// itself: heartbeats and produce requests retry quietly, and without this
// /readyz answered 200 all through a broker restart.
//
// It returns the function that stops the watch; that function waits for
// the watching goroutine, or for the hard shutdown deadline when a probe
// hangs on a stalled connection.
func (p *Pipeline) watchKafka(client sarama.Client) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(kafkaProbeInterval)
		defer t.Stop()
		connected := true
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			err := client.RefreshMetadata(p.cfg.Topics.Input...)
			select {
			case <-done:
				return // the client may be closing: not an outage
			default:
			}
			if ok := err == nil; ok != connected {
				connected = ok
				if ok {
					p.log.Info("kafka reachable again")
				} else {
					p.log.Warn("kafka unreachable: not ready", "err", err)
				}
				p.state.SetConnected(ok)
				p.updateReady()
			}
		}
	})
	return func() {
		close(done)
		finished := make(chan struct{})
		go func() {
			wg.Wait()
			close(finished)
		}()
		select {
		case <-finished:
		case <-p.hardStop:
		}
	}
}
