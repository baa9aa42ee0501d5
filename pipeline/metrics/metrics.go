// Package metrics holds scrubd's Prometheus metrics, registered on a registry
// passed in (never the global one). Names follow
// scrubd_<subsystem>_<name>_<unit>; counters end in _total; labels are
// bounded (stage, type, action, outcome, reason, topic, partition, kind) and never
// carry a value, key or user id. Series known in advance are exported at 0.
package metrics

import (
	"runtime"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Stages of the pipeline, the values of the "stage" label.
const (
	// StageConsume counts records handed over by the consumer.
	StageConsume = "consume"
	// StageScrub counts records scrubbed (or failed closed).
	StageScrub = "scrub"
	// StageProduce counts records written in committed transactions (or
	// acknowledged, at least once).
	StageProduce = "produce"
)

// Outcomes of a consumed record, the values of the "outcome" label.
const (
	OutcomeClean        = "clean"
	OutcomeDropped      = "dropped"
	OutcomeDeadLettered = "dead_lettered"
	// OutcomeMinor is a minor's record: never written to a clean or
	// residency topic (counted in aggregates only when the policy's
	// minors.aggregate allows it).
	OutcomeMinor = "minor"
	// OutcomeSuppressed is a record of a data subject who withdrew
	// consent or asked for restriction or erasure: it reaches no output.
	OutcomeSuppressed = "suppressed"
)

// Kinds of aggregate records, the values of the "kind" label.
const (
	// AggregateWindow is a window's counts, emitted once it closed or was
	// flushed.
	AggregateWindow = "window"
	// AggregateCorrection is a correction: counts of late records of a
	// window emitted before.
	AggregateCorrection = "correction"
)

// Metrics are the collectors of one pipeline.
type Metrics struct {
	// RecordsIn counts records entering a stage.
	RecordsIn *prometheus.CounterVec
	// RecordsOut counts records leaving a stage.
	RecordsOut *prometheus.CounterVec
	// InFlight is the number of records inside a stage.
	InFlight *prometheus.GaugeVec
	// LastProcessed is the Unix time a stage last processed a record.
	LastProcessed *prometheus.GaugeVec
	// Findings counts findings by type.
	Findings *prometheus.CounterVec
	// Actions counts applied actions by action.
	Actions *prometheus.CounterVec
	// Records counts consumed records by outcome.
	Records *prometheus.CounterVec
	// DeadLetters counts dead-lettered records by reason.
	DeadLetters *prometheus.CounterVec
	// BatchRecords observes the records per committed batch.
	BatchRecords prometheus.Histogram
	// BatchBytes observes the consumed bytes per committed batch.
	BatchBytes prometheus.Histogram
	// BatchDuration observes the time from a batch's first record to its
	// commit.
	BatchDuration prometheus.Histogram
	// TxnDuration observes the time one transaction takes, begin to commit.
	TxnDuration prometheus.Histogram
	// TxnCommits counts committed transactions.
	TxnCommits prometheus.Counter
	// TxnAborts counts aborted transactions.
	TxnAborts prometheus.Counter
	// ProducerRestarts counts producers closed and created again after a
	// fatal error (fenced, out of order).
	ProducerRestarts prometheus.Counter
	// ProducerFenced counts the producer restarts whose cause was being
	// fenced: another producer with the same transactional id, or the
	// coordinator after a transaction timeout.
	ProducerFenced prometheus.Counter
	// ProducerErrors counts records the producer reported as failed.
	ProducerErrors prometheus.Counter
	// Rebalances counts consumer group assignments received.
	Rebalances prometheus.Counter
	// Lag is the records between a partition's high watermark and the next
	// record to process, as of the last batch handed to the committer (or
	// the last 5-second refresh), not of every record.
	Lag *prometheus.GaugeVec
	// Assigned is the number of partitions the instance processes.
	Assigned prometheus.Gauge
	// Ready is 1 while the pipeline is ready (see /readyz).
	Ready prometheus.Gauge
	// CleanRecords counts records written to each clean topic: the
	// default one and the residency topics.
	CleanRecords *prometheus.CounterVec
	// Aggregate holds the aggregates' metrics.
	Aggregate AggregateMetrics
}

// AggregateMetrics are the metrics of the windowed counts. They count what
// committed transactions wrote, like Records.
type AggregateMetrics struct {
	// Counted counts records counted into aggregates.
	Counted prometheus.Counter
	// Late counts records later than the allowed lateness, counted as
	// corrections of their window.
	Late prometheus.Counter
	// TimestampFallbacks counts records without a usable event time,
	// counted at their Kafka timestamp.
	TimestampFallbacks prometheus.Counter
	// Windows counts window emissions (a window of a partition, or its
	// correction).
	Windows prometheus.Counter
	// Records counts aggregate records written, by kind.
	Records *prometheus.CounterVec
	// Suppressed counts buckets of fewer than k records folded into the
	// "__other__" bucket.
	Suppressed prometheus.Counter
	// OpenBuckets is the number of buckets held, not emitted yet, over the
	// instance's partitions.
	OpenBuckets prometheus.Gauge
	// Restores counts partition state restores from the changelog, by
	// outcome (ok, error).
	Restores *prometheus.CounterVec
	// RestoreDuration observes the time a restore takes.
	RestoreDuration prometheus.Histogram
}

// Known lists label values exported at 0 before anything happens.
type Known struct {
	// FindingTypes are the finding types the policy can report.
	FindingTypes []string
	// Actions are the actions the policy can apply.
	Actions []string
	// Reasons are the reasons a record can fail closed.
	Reasons []string
	// CleanTopics are the clean and residency topics.
	CleanTopics []string
}

// Opts are the constant facts of a process.
type Opts struct {
	// Version is scrubd's version, for scrubd_build_info.
	Version string
	// Policy is the policy version, for scrubd_build_info.
	Policy string
	// Delivery is the delivery mode, for scrubd_build_info.
	Delivery string
}

// New creates the metrics and registers them, with the Go and process
// collectors and scrubd_build_info, on reg.
func New(reg prometheus.Registerer, opts Opts, known Known) (*Metrics, error) {
	f := func(sub, name, help string) prometheus.CounterOpts {
		return prometheus.CounterOpts{Namespace: "scrubd", Subsystem: sub, Name: name, Help: help}
	}
	g := func(sub, name, help string) prometheus.GaugeOpts {
		return prometheus.GaugeOpts{Namespace: "scrubd", Subsystem: sub, Name: name, Help: help}
	}
	h := func(sub, name, help string, buckets []float64) prometheus.HistogramOpts {
		return prometheus.HistogramOpts{Namespace: "scrubd", Subsystem: sub, Name: name, Help: help, Buckets: buckets}
	}
	m := &Metrics{
		RecordsIn:     prometheus.NewCounterVec(f("stage", "records_in_total", "Records that entered a pipeline stage."), []string{"stage"}),
		RecordsOut:    prometheus.NewCounterVec(f("stage", "records_out_total", "Records that left a pipeline stage."), []string{"stage"}),
		InFlight:      prometheus.NewGaugeVec(g("stage", "records_in_flight", "Records inside a pipeline stage."), []string{"stage"}),
		LastProcessed: prometheus.NewGaugeVec(g("stage", "last_processed_timestamp_seconds", "Unix time a pipeline stage last processed a record."), []string{"stage"}),
		Findings:      prometheus.NewCounterVec(f("scrub", "findings_total", "Personal data found, by type."), []string{"type"}),
		Actions:       prometheus.NewCounterVec(f("scrub", "actions_total", "Actions applied to findings, by action."), []string{"action"}),
		Records:       prometheus.NewCounterVec(f("pipeline", "records_total", "Consumed records by outcome: clean, dropped or dead_lettered."), []string{"outcome"}),
		DeadLetters:   prometheus.NewCounterVec(f("pipeline", "dead_letters_total", "Records sent to the dead-letter topic, by reason."), []string{"reason"}),
		BatchRecords:  prometheus.NewHistogram(h("batch", "records", "Records per committed batch.", prometheus.ExponentialBuckets(1, 4, 8))),
		BatchBytes:    prometheus.NewHistogram(h("batch", "bytes", "Consumed bytes per committed batch.", prometheus.ExponentialBuckets(256, 4, 9))),
		BatchDuration: prometheus.NewHistogram(h("batch", "duration_seconds", "Time from a batch's first record to its commit.", prometheus.ExponentialBuckets(0.001, 2.5, 12))),
		TxnDuration:   prometheus.NewHistogram(h("txn", "duration_seconds", "Time of one transaction, begin to commit or abort.", prometheus.ExponentialBuckets(0.001, 2.5, 12))),
		TxnCommits:    prometheus.NewCounter(f("txn", "commits_total", "Committed transactions.")),
		TxnAborts:     prometheus.NewCounter(f("txn", "aborts_total", "Aborted transactions.")),
		ProducerRestarts: prometheus.NewCounter(f("producer", "restarts_total",
			"Producers closed and created again after a fatal error such as being fenced.")),
		ProducerFenced: prometheus.NewCounter(f("producer", "fenced_total",
			"Producer restarts caused by being fenced (a newer producer with the same transactional id, or a transaction timeout).")),
		ProducerErrors: prometheus.NewCounter(f("producer", "errors_total", "Records the producer reported as failed.")),
		Rebalances:     prometheus.NewCounter(f("consumer", "rebalances_total", "Consumer group assignments received (joins and rebalances).")),
		Lag:            prometheus.NewGaugeVec(g("consumer", "lag_records", "Records between a partition's high watermark and the next record to process, as of the last batch handed to the producer or a 5-second refresh."), []string{"topic", "partition"}),
		Assigned:       prometheus.NewGauge(g("consumer", "assigned_partitions", "Partitions the instance processes.")),
		Ready:          prometheus.NewGauge(g("pipeline", "ready", "1 while connected, joined and the producer is initialized.")),
		CleanRecords:   prometheus.NewCounterVec(f("residency", "records_total", "Clean records written, by topic: the clean topic or a jurisdiction's residency topic."), []string{"topic"}),
		Aggregate: AggregateMetrics{
			Counted:            prometheus.NewCounter(f("aggregate", "counted_records_total", "Records counted into aggregates.")),
			Late:               prometheus.NewCounter(f("aggregate", "late_records_total", "Records later than the allowed lateness, emitted as corrections of their window.")),
			TimestampFallbacks: prometheus.NewCounter(f("aggregate", "timestamp_fallbacks_total", "Records without a usable event time, counted at their Kafka timestamp.")),
			Windows:            prometheus.NewCounter(f("aggregate", "windows_emitted_total", "Windows emitted, per source partition, corrections included.")),
			Records:            prometheus.NewCounterVec(f("aggregate", "records_total", "Aggregate records written, by kind: window or correction."), []string{"kind"}),
			Suppressed:         prometheus.NewCounter(f("aggregate", "buckets_suppressed_total", "Buckets of fewer than k records folded into the __other__ bucket.")),
			OpenBuckets:        prometheus.NewGauge(g("aggregate", "open_buckets", "Buckets held and not emitted yet, over the instance's partitions.")),
			Restores:           prometheus.NewCounterVec(f("aggregate", "restores_total", "Partition state restores from the changelog, by outcome: ok or error."), []string{"outcome"}),
			RestoreDuration:    prometheus.NewHistogram(h("aggregate", "restore_duration_seconds", "Time to restore a partition's state from the changelog.", prometheus.ExponentialBuckets(0.01, 2.5, 10))),
		},
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: "scrubd", Name: "build_info",
		Help:        "Build and configuration facts; always 1.",
		ConstLabels: prometheus.Labels{"version": opts.Version, "goversion": runtime.Version(), "policy": opts.Policy, "delivery": opts.Delivery},
	})
	build.Set(1)
	cs := []prometheus.Collector{
		m.RecordsIn, m.RecordsOut, m.InFlight, m.LastProcessed, m.Findings, m.Actions, m.Records,
		m.DeadLetters, m.BatchRecords, m.BatchBytes, m.BatchDuration, m.TxnDuration, m.TxnCommits,
		m.TxnAborts, m.ProducerRestarts, m.ProducerFenced, m.ProducerErrors, m.Rebalances, m.Lag, m.Assigned, m.Ready, build,
		m.CleanRecords, m.Aggregate.Counted, m.Aggregate.Late, m.Aggregate.TimestampFallbacks, m.Aggregate.Windows,
		m.Aggregate.Records, m.Aggregate.Suppressed, m.Aggregate.OpenBuckets, m.Aggregate.Restores, m.Aggregate.RestoreDuration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, s := range []string{StageConsume, StageScrub, StageProduce} {
		m.RecordsIn.WithLabelValues(s)
		m.RecordsOut.WithLabelValues(s)
		m.InFlight.WithLabelValues(s)
		m.LastProcessed.WithLabelValues(s)
	}
	for _, o := range []string{OutcomeClean, OutcomeDropped, OutcomeDeadLettered, OutcomeMinor, OutcomeSuppressed} {
		m.Records.WithLabelValues(o)
	}
	for _, t := range known.CleanTopics {
		m.CleanRecords.WithLabelValues(t)
	}
	for _, k := range []string{AggregateWindow, AggregateCorrection} {
		m.Aggregate.Records.WithLabelValues(k)
	}
	for _, o := range []string{"ok", "error"} {
		m.Aggregate.Restores.WithLabelValues(o)
	}
	for _, t := range known.FindingTypes {
		m.Findings.WithLabelValues(t)
	}
	for _, a := range known.Actions {
		m.Actions.WithLabelValues(a)
	}
	for _, r := range known.Reasons {
		m.DeadLetters.WithLabelValues(r)
	}
	return m, nil
}

// Stage returns the counters of one stage, resolved once.
func (m *Metrics) Stage(name string) StageMetrics {
	return StageMetrics{
		In:       m.RecordsIn.WithLabelValues(name),
		Out:      m.RecordsOut.WithLabelValues(name),
		InFlight: m.InFlight.WithLabelValues(name),
		Last:     m.LastProcessed.WithLabelValues(name),
	}
}

// StageMetrics are the series of one stage.
type StageMetrics struct {
	In, Out  prometheus.Counter
	InFlight prometheus.Gauge
	Last     prometheus.Gauge
}

// Enter counts n records entering the stage.
func (s StageMetrics) Enter(n int) {
	s.In.Add(float64(n))
	s.InFlight.Add(float64(n))
}

// Leave counts n records leaving the stage at time now.
func (s StageMetrics) Leave(n int, now time.Time) {
	s.Out.Add(float64(n))
	s.InFlight.Sub(float64(n))
	s.Last.Set(float64(now.UnixNano()) / 1e9)
}

// Drop takes n records out of the stage's in-flight gauge without counting
// them out (their batch was abandoned and will be consumed again).
func (s StageMetrics) Drop(n int) { s.InFlight.Sub(float64(n)) }

// SetLag sets the lag of a partition.
func (m *Metrics) SetLag(topic string, partition int32, lag int64) {
	m.Lag.WithLabelValues(topic, strconv.Itoa(int(partition))).Set(float64(lag))
}

// DeleteLag removes a partition's lag series when the partition is revoked.
func (m *Metrics) DeleteLag(topic string, partition int32) {
	m.Lag.DeleteLabelValues(topic, strconv.Itoa(int(partition)))
}
