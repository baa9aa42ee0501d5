package pipeline

import (
	"errors"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

const (
	// kafkaProbeInterval is how often watchKafka asks the brokers for
	// metadata.
	kafkaProbeInterval = time.Second
	// kafkaStallAfter is how long a probe may go unanswered before the
	// pipeline counts as not connected: on a black-holed connection a
	// request waits for sarama's read timeout (30 s).
	kafkaStallAfter = 10 * time.Second
)

// errProbeStalled reports a metadata request without an answer.
var errProbeStalled = errors.New("no answer to a metadata request")

// watchKafka keeps the "connected" condition of readiness true to the
// cluster: every interval it asks the brokers for the input topics'
// metadata. A failed request (after sarama's metadata retries, about a
// second and a half when the brokers refuse connections), or no answer for
// stallAfter (a stalled network), makes the pipeline unready until a
// request succeeds again. Neither the consumer group session nor the
// producer reports an outage by itself: heartbeats and produce requests
// retry quietly, and without this /readyz answered 200 all through a
// broker restart.
//
// It returns the function that stops the watch; that function waits for
// the watching goroutines, or for the hard shutdown deadline when a probe
// hangs on a stalled connection.
func (p *Pipeline) watchKafka(client sarama.Client, interval, stallAfter time.Duration) (stop func()) {
	done := make(chan struct{})
	results := make(chan error)
	var wg sync.WaitGroup
	// The prober: one request at a time, each result to the judge.
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			err := client.RefreshMetadata(p.cfg.Topics.Input...)
			select {
			case results <- err:
			case <-done:
				return // the client may be closing: not an outage
			}
		}
	})
	// The judge: connected after a success, not connected after a failure
	// or a silence longer than stallAfter.
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		connected, lastAnswer := true, p.now()
		set := func(ok bool, err error) {
			if ok == connected {
				return
			}
			connected = ok
			if ok {
				p.log.Info("kafka reachable again")
			} else {
				p.log.Warn("kafka unreachable: not ready", "err", err)
			}
			p.state.SetConnected(ok)
			p.updateReady()
		}
		for {
			select {
			case <-done:
				return
			case err := <-results:
				lastAnswer = p.now()
				set(err == nil, err)
			case <-t.C:
				if p.now().Sub(lastAnswer) > stallAfter {
					set(false, errProbeStalled)
				}
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
