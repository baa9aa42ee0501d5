package privacy

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// lagBuckets span 50 ms to about two and a half days.
var lagBuckets = prometheus.ExponentialBuckets(0.05, 4, 12)

// setMetrics are the metrics of a Set.
type setMetrics struct {
	subjects       [len(actions)]prometheus.Gauge   // by action rank; [0] unused
	records        [len(actions)]prometheus.Counter // by action rank; [0] unused
	suppressionLag prometheus.Histogram
	held           prometheus.Gauge
	partialKeys    prometheus.Counter
}

func newSetMetrics(reg prometheus.Registerer) (*setMetrics, error) {
	subjects := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "scrubd_privacy_suppressed_subjects",
		Help: "Data subjects whose records are suppressed, by the action in force.",
	}, []string{"action"})
	records := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "scrubd_privacy_suppressed_records_total",
		Help: "Records kept out of the outputs because a subject of theirs is suppressed, by action. A record processed again after a rebalance counts again.",
	}, []string{"action"})
	m := &setMetrics{
		suppressionLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "scrubd_privacy_suppression_lag_seconds",
			Help:    "Time from a privacy request (its ts, or its record's time) to the first record suppressed because of it, for requests read after the start.",
			Buckets: lagBuckets,
		}),
		held: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "scrubd_privacy_requests_held",
			Help: "Privacy requests in force: one per record key of the privacy topic.",
		}),
		partialKeys: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "scrubd_privacy_requests_partial_keys_total",
			Help: "Pseudonym-only privacy requests applied without a pseudonym under every HMAC key of the keyring (the key was added after the request was compacted): records pseudonymized under the missing keys are not matched.",
		}),
	}
	for _, a := range actions[1:] {
		m.subjects[a.rank()] = subjects.WithLabelValues(string(a))
		m.records[a.rank()] = records.WithLabelValues(string(a))
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{subjects, records, m.suppressionLag, m.held, m.partialKeys} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("privacy set metrics: %w", err)
			}
		}
	}
	return m, nil
}

// Outcomes of a record of the privacy topic, and the action label of
// records without an action.
const (
	outcomeApplied   = "applied"
	outcomeRejected  = "rejected"
	outcomeTombstone = "tombstone"
	noAction         = Action("none")
)

// readerMetrics are the metrics of a Reader.
type readerMetrics struct {
	requestsVec *prometheus.CounterVec
	rejected    *prometheus.CounterVec
	applyLag    prometheus.Histogram
	caughtUp    prometheus.Gauge
	lag         prometheus.Gauge
	errors      prometheus.Counter
}

func (m *readerMetrics) requests(a Action, outcome string) prometheus.Counter {
	return m.requestsVec.WithLabelValues(string(a), outcome)
}

func newReaderMetrics(reg prometheus.Registerer) (*readerMetrics, error) {
	m := &readerMetrics{
		requestsVec: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scrubd_privacy_requests_total",
			Help: "Records of the privacy topic read, by action (none for tombstones and rejected requests) and outcome (applied, rejected, tombstone). Every start reads the topic again.",
		}, []string{"action", "outcome"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scrubd_privacy_requests_rejected_total",
			Help: "Privacy requests rejected, by reason.",
		}, []string{"reason"}),
		applyLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "scrubd_privacy_request_apply_lag_seconds",
			Help:    "Time from a privacy request (its ts, or its record's time) to when it applies to the records processed after it; requests read after the start only.",
			Buckets: lagBuckets,
		}),
		caughtUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "scrubd_privacy_reader_caught_up",
			Help: "1 while the privacy reader keeps up with the privacy topic: it has read the topic to its end at the start (no record is processed before), and every later check found nothing older than the previous check left to read; 0 otherwise, and when a check fails.",
		}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "scrubd_privacy_reader_lag_records",
			Help: "Offsets of the privacy topic not read yet at the last check, over its partitions (transaction markers count, so a topic written in transactions may read 1 per partition when nothing is left).",
		}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "scrubd_privacy_reader_errors_total",
			Help: "Errors reading the privacy topic that the reader recovers from (failed connections, fetches and checks, partition readers restarted); while they go on, new requests may not apply.",
		}),
	}
	for _, a := range actions {
		m.requests(a, outcomeApplied)
	}
	m.requests(noAction, outcomeRejected)
	m.requests(noAction, outcomeTombstone)
	for _, r := range Reasons() {
		m.rejected.WithLabelValues(string(r))
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requestsVec, m.rejected, m.applyLag, m.caughtUp, m.lag, m.errors} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("privacy reader metrics: %w", err)
			}
		}
	}
	return m, nil
}
