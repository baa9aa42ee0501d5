package kafka

import (
	"log/slog"
	"net"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrubd/scrubd/pipeline/config"
)

// Announce logs, once at start, the transport settings that weaken the
// connection to the brokers, and exports
// scrubd_kafka_tls_insecure_skip_verify (1 while certificate verification
// is off) so that an alert can find instances left in that state.
func Announce(c *config.Config, log *slog.Logger, reg prometheus.Registerer) error {
	t := c.Kafka.TLS
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "scrubd_kafka_tls_insecure_skip_verify",
		Help: "1 when kafka.tls.insecure_skip_verify is on: the brokers' certificates are not verified.",
	})
	if err := reg.Register(g); err != nil {
		return err
	}
	switch {
	case t.On() && t.InsecureSkipVerify:
		g.Set(1)
		log.Warn("kafka.tls.insecure_skip_verify is on: the brokers' certificates are not verified, anyone on the path can read and change the traffic; for tests only")
	case !t.On() && !loopbackOnly(c.Kafka.Brokers):
		log.Warn("kafka.tls is off: records and credentials travel to the brokers in clear; turn it on outside a local test broker")
	}
	return nil
}

// loopbackOnly reports whether every broker is on this host, where
// plaintext never crosses a network (a local test broker, the demo).
func loopbackOnly(brokers []string) bool {
	for _, b := range brokers {
		host, _, err := net.SplitHostPort(b)
		if err != nil {
			return false
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return false
		}
	}
	return len(brokers) > 0
}
