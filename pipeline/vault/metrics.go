package vault

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are a Vault's metrics. Records are counted when they are made,
// before their transaction commits.
type metrics struct {
	records     map[Kind]prometheus.Counter
	tombstones  prometheus.Counter
	cacheHits   prometheus.Counter
	cacheMisses prometheus.Counter
	erasures    prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	records := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "scrubd_vault_records_total",
		Help: "Vault records made, by kind (value, data_key, tombstone); counted before their transaction commits.",
	}, []string{"kind"})
	cache := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "scrubd_vault_writer_lookups_total",
		Help: "Subjects met by the vault writers, by outcome: hit (already written by this claim, nothing to write) or miss (a new data key and value record).",
	}, []string{"outcome"})
	erasures := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "scrubd_vault_erasures_total",
		Help: "Subjects whose vault entries were erased.",
	})
	m := &metrics{
		records: map[Kind]prometheus.Counter{
			KindValue:   records.WithLabelValues(KindValue.String()),
			KindDataKey: records.WithLabelValues(KindDataKey.String()),
		},
		tombstones:  records.WithLabelValues("tombstone"),
		cacheHits:   cache.WithLabelValues("hit"),
		cacheMisses: cache.WithLabelValues("miss"),
		erasures:    erasures,
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{records, cache, erasures} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("vault metrics: %w", err)
			}
		}
	}
	return m, nil
}
