package config

import (
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.yaml.in/yaml/v3"
)

func noEnv(string) string { return "" }

func TestLoadTestdata(t *testing.T) {
	got, err := Load(filepath.Join("testdata", "config.yaml"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Validate(); err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Kafka.Brokers = []string{"kafka-0:9093", "kafka-1:9093"}
	want.Kafka.Version = "3.7.0"
	want.Kafka.Group = "scrubd-prod"
	want.Kafka.TransactionalID = "scrubd-pod-0"
	want.Kafka.TLS = TLS{CAFile: "ca.pem", CertFile: "client.pem", KeyFile: "client-key.pem"}
	want.Kafka.SASL = SASL{Mechanism: SASLScramSHA512, Username: "scrubd", PasswordFile: "/run/secrets/kafka-password"}
	want.Kafka.SessionTimeout = Duration(20 * time.Second)
	want.Topics.Input = []string{"logs.raw", "logs.raw.eu"}
	want.Topics.Create.Partitions = 12
	want.HTTP.Addr = ":9791"
	want.Delivery = AtLeastOnce
	want.Batch.MaxRecords = 500
	want.Batch.Linger = Duration(50 * time.Millisecond)
	want.DeadLetter.KeyFile = "dlq.key"
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Config{}), cmpopts.IgnoreFields(Config{}, "Policy")); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if got.Resolve("dlq.key") != filepath.Join("testdata", "dlq.key") {
		t.Errorf("Resolve: got %q", got.Resolve("dlq.key"))
	}
	p, err := got.LoadPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "prod" || *p.Detectors["ipv4"].Prefix != 16 {
		t.Errorf("inline policy not applied: name %q", p.Name)
	}
}

// TestDefaultsValid: the defaults are valid once brokers are named, and
// name none themselves: scrubd never dials a broker nobody configured.
func TestDefaultsValid(t *testing.T) {
	c, err := Load("", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	var ve *ValidationError
	if err := c.Validate(); !errors.As(err, &ve) || len(ve.Problems) != 1 || !strings.HasPrefix(ve.Problems[0], "kafka.brokers: ") {
		t.Fatalf("defaults without brokers: want one kafka.brokers problem, got %v", err)
	}
	c, err = Load("", func(k string) string { return map[string]string{"SCRUBD_KAFKA_BROKERS": "kafka:9092"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := c.LoadPolicy()
	if err != nil || p.Name != "default" {
		t.Fatalf("default policy: %v, %v", p, err)
	}
}

func TestUnknownKey(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "unknown_key.yaml"), noEnv)
	if err == nil || !strings.Contains(err.Error(), "brokres") {
		t.Fatalf("want an error naming the unknown key, got %v", err)
	}
}

func TestEnvOverrides(t *testing.T) {
	env := map[string]string{
		"SCRUBD_KAFKA_BROKERS":                        "a:9092, b:9092",
		"SCRUBD_HTTP_ADDR":                            "127.0.0.1:0",
		"SCRUBD_KAFKA_SASL_MECHANISM":                 "PLAIN",
		"SCRUBD_KAFKA_TLS_ENABLED":                    "true",
		"SCRUBD_BATCH_LINGER":                         "5ms",
		"SCRUBD_BATCH_MAX_RECORDS":                    "7",
		"SCRUBD_TOPICS_CREATE_REPLICATION_FACTOR":     "1",
		"SCRUBD_KAFKA_FETCH_BYTES":                    "4096",
		"SCRUBD_POLICY_FILE":                          "p.yaml",
		"SCRUBD_TOPICS_CREATE_PSEUDONYMOUS_RETENTION": "24h",
	}
	c, err := Load(filepath.Join("testdata", "config.yaml"), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Kafka.Brokers, []string{"a:9092", "b:9092"}) {
		t.Errorf("brokers %v", c.Kafka.Brokers)
	}
	if c.HTTP.Addr != "127.0.0.1:0" || c.Kafka.SASL.Mechanism != "PLAIN" || !c.Kafka.TLS.Enabled {
		t.Errorf("strings/bools not overridden: %+v", c)
	}
	if c.Batch.Linger.D() != 5*time.Millisecond || c.Batch.MaxRecords != 7 || c.Topics.Create.ReplicationFactor != 1 || c.Kafka.FetchBytes != 4096 {
		t.Errorf("numbers not overridden: %+v", c.Batch)
	}
	if c.Topics.Create.PseudonymousRetention.D() != 24*time.Hour || c.PolicyFile != "p.yaml" {
		t.Errorf("retention %v policy file %q", c.Topics.Create.PseudonymousRetention, c.PolicyFile)
	}
	// Both policy and policy_file are now set: invalid.
	if err := c.Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("want ErrInvalid for policy and policy_file, got %v", err)
	}
}

func TestEnvBadValue(t *testing.T) {
	_, err := Load("", func(k string) string {
		if k == "SCRUBD_BATCH_MAX_RECORDS" {
			return "many"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "SCRUBD_BATCH_MAX_RECORDS") {
		t.Fatalf("want error naming the variable, got %v", err)
	}
}

func TestEnvNamesCoverEveryKey(t *testing.T) {
	names := EnvNames()
	for _, want := range []string{"SCRUBD_KAFKA_BROKERS", "SCRUBD_HTTP_ADDR", "SCRUBD_KAFKA_TLS_CA_FILE", "SCRUBD_KAFKA_SASL_PASSWORD_FILE", "SCRUBD_DELIVERY", "SCRUBD_DEAD_LETTER_KEY_FILE", "SCRUBD_SHUTDOWN_TIMEOUT", "SCRUBD_POLICY_FILE"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s missing from %v", want, names)
		}
	}
	if slices.Contains(names, "SCRUBD_POLICY") {
		t.Error("the inline policy must not be an override")
	}
}

func TestValidateProblems(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no brokers", func(c *Config) { c.Kafka.Brokers = nil }, "kafka.brokers"},
		{"bad broker", func(c *Config) { c.Kafka.Brokers = []string{"nohost"} }, "kafka.brokers[0]"},
		{"old version", func(c *Config) { c.Kafka.Version = "2.4.0" }, "kafka.version"},
		{"bad version", func(c *Config) { c.Kafka.Version = "x" }, "kafka.version"},
		{"sasl mechanism", func(c *Config) { c.Kafka.SASL.Mechanism = "GSSAPI" }, "kafka.sasl.mechanism"},
		{"sasl no password", func(c *Config) { c.Kafka.SASL = SASL{Mechanism: SASLPlain, Username: "u"} }, "kafka.sasl.password_file"},
		{"cert without key", func(c *Config) { c.Kafka.TLS.CertFile = "c.pem" }, "kafka.tls"},
		{"input is output", func(c *Config) { c.Topics.Input = []string{"logs.clean"} }, "topics.input[0]"},
		{"same outputs", func(c *Config) { c.Topics.DeadLetter = c.Topics.Clean }, "topics.dead_letter"},
		{"delivery", func(c *Config) { c.Delivery = "maybe" }, "delivery"},
		{"batch", func(c *Config) { c.Batch.MaxRecords = 0 }, "batch.max_records"},
		{"in flight", func(c *Config) { c.Batch.MaxInFlightBytes = 1 }, "batch.max_in_flight_bytes"},
		{"http", func(c *Config) { c.HTTP.Addr = "9790" }, "http.addr"},
		{"compression", func(c *Config) { c.Kafka.Compression = "brotli" }, "kafka.compression"},
		{"log level", func(c *Config) { c.Log.Level = "loud" }, "log.level"},
		{"policy kind", func(c *Config) { c.Policy = yaml.Node{Kind: yaml.ScalarNode, Value: "x"} }, "policy"},
		{"residency name", func(c *Config) { c.Topics.Residency = map[string]string{"eea": "logs.clean.eea"} }, "topics.residency.eea"},
		{"residency is clean", func(c *Config) { c.Topics.Residency = map[string]string{"EEA": "logs.clean"} }, "topics.residency.EEA"},
		{"residency is input", func(c *Config) { c.Topics.Residency = map[string]string{"US": "logs.raw"} }, "topics.residency.US"},
		{"residency twice", func(c *Config) { c.Topics.Residency = map[string]string{"US": "x", "UK": "x"} }, "topics.residency.US"},
		{"aggregates dims", func(c *Config) { c.Aggregates.Enabled, c.Aggregates.Dims = true, []string{"event", "user_id"} }, "aggregates.dims"},
		{"aggregates k", func(c *Config) { c.Aggregates.Enabled, c.Aggregates.K = true, 0 }, "aggregates.k"},
		{"aggregates window", func(c *Config) { c.Aggregates.Enabled, c.Aggregates.Window = true, Duration(time.Millisecond) }, "aggregates.window"},
		{"aggregates formats", func(c *Config) { c.Aggregates.Enabled, c.Aggregates.TimestampFormats = true, []string{"DD/MM"} }, "aggregates.timestamp_formats"},
		{"changelog is aggregates", func(c *Config) { c.Aggregates.Enabled, c.Topics.AggregatesChangelog = true, "logs.aggregates" }, "topics.aggregates_changelog"},
		{"geoip poll", func(c *Config) { c.GeoIP.Database, c.GeoIP.PollInterval = "x.mmdb", 0 }, "geoip.poll_interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.edit(c)
			err := c.Validate()
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want *ValidationError, got %v", err)
			}
			found := false
			for _, p := range ve.Problems {
				if strings.HasPrefix(p, tt.want+":") {
					found = true
				}
			}
			if !found {
				t.Errorf("no problem at %s in %v", tt.want, ve.Problems)
			}
		})
	}
}

func TestTransactionalIDDefault(t *testing.T) {
	c := Default()
	id, err := c.TransactionalIDOrDefault(func() (string, error) { return "pod-7", nil })
	if err != nil || id != "scrubd-pod-7" {
		t.Fatalf("got %q, %v", id, err)
	}
	c.Kafka.TransactionalID = "fixed"
	if id, _ := c.TransactionalIDOrDefault(nil); id != "fixed" {
		t.Fatalf("got %q", id)
	}
}

// TestGeoAggregatesResidency reads the sections of issue 5 from YAML and
// from the environment: lists replace the defaults, maps parse as
// KEY=VALUE pairs, and the changelog topic defaults from the aggregates
// topic.
func TestGeoAggregatesResidency(t *testing.T) {
	c, err := Parse([]byte(`
kafka: {brokers: [kafka:9092]}
geoip: {database: /var/lib/GeoIP/GeoLite2-Country.mmdb}
topics:
  residency: {EEA: logs.clean.eea}
aggregates:
  enabled: true
  window: 5m
  dims: [event, country]
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Aggregates.Dims, []string{"event", "country"}) || c.Aggregates.Window.D() != 5*time.Minute || c.Aggregates.K != 10 {
		t.Errorf("aggregates %+v", c.Aggregates)
	}
	if c.ChangelogTopic() != "logs.aggregates.changelog" || c.Topics.Residency["EEA"] != "logs.clean.eea" {
		t.Errorf("changelog %q residency %v", c.ChangelogTopic(), c.Topics.Residency)
	}
	env := map[string]string{
		"SCRUBD_GEOIP_DATABASE":              "/data/GeoIP2-Country-Test.mmdb",
		"SCRUBD_TOPICS_RESIDENCY":            "EEA=logs.clean.eu, US=logs.clean.us",
		"SCRUBD_AGGREGATES_ENABLED":          "false",
		"SCRUBD_AGGREGATES_FLUSH_AFTER":      "2s",
		"SCRUBD_AGGREGATES_DIMS":             "path,status",
		"SCRUBD_TOPICS_AGGREGATES_CHANGELOG": "agg.state",
	}
	if err := ApplyEnv(c, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"EEA": "logs.clean.eu", "US": "logs.clean.us"}
	if c.GeoIP.Database != "/data/GeoIP2-Country-Test.mmdb" || !maps.Equal(c.Topics.Residency, want) || c.Aggregates.Enabled ||
		c.Aggregates.FlushAfter.D() != 2*time.Second || !slices.Equal(c.Aggregates.Dims, []string{"path", "status"}) || c.ChangelogTopic() != "agg.state" {
		t.Errorf("overrides not applied: geoip %+v residency %v aggregates %+v changelog %q", c.GeoIP, c.Topics.Residency, c.Aggregates, c.ChangelogTopic())
	}
	if err := ApplyEnv(c, func(k string) string {
		if k == "SCRUBD_TOPICS_RESIDENCY" {
			return "EEA"
		}
		return ""
	}); err == nil || !strings.Contains(err.Error(), "SCRUBD_TOPICS_RESIDENCY") {
		t.Errorf("want an error naming the variable, got %v", err)
	}
}
