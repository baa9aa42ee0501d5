package pipeline

import (
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/wire"
)

// shadowSummary returns the shadow policy's summary record when one is due
// (every ShadowInterval, taken by whichever claim submits first), or nil.
// It carries counts only (data class aggregate) and commits with the batch
// it rides in.
func (p *Pipeline) shadowSummary(now time.Time) *sarama.ProducerMessage {
	s := p.opts.Shadow
	if s == nil || p.opts.ShadowTopic == "" {
		return nil
	}
	last := p.shadowAt.Load()
	interval := p.opts.ShadowInterval
	if interval <= 0 {
		interval = time.Minute
	}
	if last != 0 && now.Sub(time.Unix(0, last)) < interval || !p.shadowAt.CompareAndSwap(last, now.UnixNano()) {
		return nil
	}
	if last == 0 {
		return nil // the first call starts the first period
	}
	rec, ok := s.Flush(string(p.views.Current().Policy()))
	if !ok {
		return nil
	}
	return &sarama.ProducerMessage{
		Topic: p.opts.ShadowTopic, Partition: 0, Value: sarama.ByteEncoder(rec), Timestamp: now,
		Headers: []sarama.RecordHeader{
			header(wire.HeaderClass, []byte(wire.DataClassAggregate)),
			header(wire.HeaderPolicy, []byte(s.Version())),
		},
	}
}
