package geoip

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the collectors of one Reader. None of them carries an address
// or a country.
type metrics struct {
	lookups       [numOutcomes]prometheus.Counter
	reloadSuccess prometheus.Counter
	reloadFailure prometheus.Counter
	loaded        prometheus.Gauge
	collectors    []prometheus.Collector
}

// newMetrics builds the Reader's collectors; age reports the value of
// scrubd_geoip_database_age_seconds at scrape time, and false when no
// database is loaded (the series is then left out).
func newMetrics(age func() (float64, bool)) *metrics {
	lookups := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "scrubd_geoip_lookups_total",
		Help: "GeoIP lookups by outcome: hit, miss, skipped (not a public address, never looked up), error, disabled (no database loaded).",
	}, []string{"outcome"})
	reloads := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "scrubd_geoip_reloads_total",
		Help: "Attempts to load the GeoIP database file, the first one included, by outcome (success or failure).",
	}, []string{"outcome"})
	loaded := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "scrubd_geoip_database_loaded",
		Help: "1 when a GeoIP database is loaded and lookups are enabled, 0 when none is (missing or broken file: geo is disabled).",
	})
	ageGauge := &ageCollector{desc: prometheus.NewDesc("scrubd_geoip_database_age_seconds",
		"Seconds since the build time recorded in the loaded GeoIP database's metadata (build_epoch); absent while none is loaded (see scrubd_geoip_database_loaded).",
		nil, nil), age: age}
	m := &metrics{
		reloadSuccess: reloads.WithLabelValues("success"),
		reloadFailure: reloads.WithLabelValues("failure"),
		loaded:        loaded,
		collectors:    []prometheus.Collector{lookups, reloads, loaded, ageGauge},
	}
	for o := range Outcome(numOutcomes) {
		m.lookups[o] = lookups.WithLabelValues(o.String())
	}
	return m
}

// register registers every collector on reg, or none of them.
func (m *metrics) register(reg prometheus.Registerer) error {
	for i, c := range m.collectors {
		if err := reg.Register(c); err != nil {
			for _, done := range m.collectors[:i] {
				reg.Unregister(done)
			}
			return fmt.Errorf("register geoip metrics: %w", err)
		}
	}
	return nil
}

// unregister removes every collector from reg.
func (m *metrics) unregister(reg prometheus.Registerer) {
	for _, c := range m.collectors {
		reg.Unregister(c)
	}
}

// ageCollector exports scrubd_geoip_database_age_seconds at scrape time, and
// nothing while no database is loaded: an age of 0 would read as a fresh
// database, and a stale-database alert would never fire for a missing one.
type ageCollector struct {
	desc *prometheus.Desc
	age  func() (float64, bool)
}

// Describe sends the one descriptor, whether or not a database is loaded,
// so that the registry knows the name.
func (c *ageCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect sends the age when a database is loaded.
func (c *ageCollector) Collect(ch chan<- prometheus.Metric) {
	if v, ok := c.age(); ok {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v)
	}
}
