package kafka

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/scrubd/scrubd/pipeline/config"
)

func TestAnnounce(t *testing.T) {
	for _, tc := range []struct {
		tls     config.TLS
		brokers []string
		metric  float64
		warn    string
	}{
		{config.TLS{Enabled: true, InsecureSkipVerify: true}, nil, 1, "insecure_skip_verify is on"},
		{config.TLS{CAFile: "ca.pem", InsecureSkipVerify: true}, nil, 1, "insecure_skip_verify is on"},
		{config.TLS{Enabled: true}, nil, 0, ""},
		{config.TLS{}, []string{"kafka-0.kafka:9092", "127.0.0.1:9092"}, 0, "kafka.tls is off"},
		{config.TLS{}, []string{"127.0.0.1:9092", "localhost:9094", "[::1]:9096"}, 0, ""}, // plaintext on this host only
	} {
		cfg := config.Default()
		cfg.Kafka.TLS = tc.tls
		if tc.brokers != nil {
			cfg.Kafka.Brokers = tc.brokers
		}
		var buf bytes.Buffer
		reg := prometheus.NewRegistry()
		if err := Announce(cfg, slog.New(slog.NewJSONHandler(&buf, nil)), reg); err != nil {
			t.Fatal(err)
		}
		want := "# HELP scrubd_kafka_tls_insecure_skip_verify 1 when kafka.tls.insecure_skip_verify is on: the brokers' certificates are not verified.\n# TYPE scrubd_kafka_tls_insecure_skip_verify gauge\nscrubd_kafka_tls_insecure_skip_verify " + map[float64]string{0: "0", 1: "1"}[tc.metric] + "\n"
		if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "scrubd_kafka_tls_insecure_skip_verify"); err != nil {
			t.Errorf("%+v: %v", tc.tls, err)
		}
		logged := buf.String()
		if tc.warn == "" && logged != "" {
			t.Errorf("%+v: unexpected log %s", tc.tls, logged)
		}
		if tc.warn != "" && (!strings.Contains(logged, tc.warn) || !strings.Contains(logged, `"level":"WARN"`)) {
			t.Errorf("%+v: log %q, want a warning with %q", tc.tls, logged, tc.warn)
		}
	}
}
