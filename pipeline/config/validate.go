package config

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// ErrInvalid is wrapped by every error Validate returns, so that callers can
// tell an invalid configuration (exit 78) from other failures.
var ErrInvalid = errors.New("invalid configuration")

// ValidationError lists every problem found in a configuration, each
// naming its key path.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid configuration (%d problems):\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Validate checks the configuration and returns a *ValidationError listing
// every problem, or nil. It reads no file.
func (c *Config) Validate() error {
	var probs []string
	add := func(path, format string, args ...any) {
		probs = append(probs, path+": "+fmt.Sprintf(format, args...))
	}
	k := c.Kafka
	if len(k.Brokers) == 0 {
		add("kafka.brokers", "at least one broker is required (kafka.brokers in the configuration file or SCRUBD_KAFKA_BROKERS=host:port,...)")
	}
	for i, b := range k.Brokers {
		if _, _, err := net.SplitHostPort(b); err != nil {
			add(fmt.Sprintf("kafka.brokers[%d]", i), "%q is not host:port", b)
		}
	}
	if v, err := ParseKafkaVersion(k.Version); err != nil {
		add("kafka.version", "%q is not a Kafka version", k.Version)
	} else if !v.AtLeast(MinKafkaVersion()) {
		add("kafka.version", "%s is older than %s, which transactions with consumer group metadata need", v, MinKafkaVersion())
	}
	if k.ClientID == "" {
		add("kafka.client_id", "must not be empty")
	}
	if k.Group == "" {
		add("kafka.group", "must not be empty")
	}
	c.validateRights(add)
	if k.FetchMaxBytes < k.FetchBytes {
		add("kafka.fetch_max_bytes", "must be at least kafka.fetch_bytes")
	}
	positive := func(path string, d Duration) {
		if d <= 0 {
			add(path, "must be positive")
		}
	}
	positive("kafka.dial_timeout", k.DialTimeout)
	positive("kafka.session_timeout", k.SessionTimeout)
	positive("kafka.rebalance_timeout", k.RebalanceTimeout)
	positive("kafka.transaction_timeout", k.TransactionTimeout)
	if k.FetchBytes < 1024 {
		add("kafka.fetch_bytes", "must be at least 1024")
	}
	if k.ChannelBuffer < 1 || k.ChannelBuffer > 4096 {
		add("kafka.channel_buffer", "must be between 1 and 4096")
	}
	if k.MaxMessageBytes < 64<<10 {
		add("kafka.max_message_bytes", "must be at least 65536")
	}
	switch k.Compression {
	case "none", "gzip", "snappy", "lz4", "zstd":
	default:
		add("kafka.compression", "%q is not one of none, gzip, snappy, lz4, zstd", k.Compression)
	}
	c.validateTransport(add)

	t := c.Topics
	if len(t.Input) == 0 {
		add("topics.input", "at least one input topic is required")
	}
	outs := map[string]string{"topics.clean": t.Clean, "topics.dead_letter": t.DeadLetter}
	for path, name := range outs {
		if name == "" {
			add(path, "must not be empty")
		}
	}
	for i, in := range t.Input {
		if in == "" {
			add(fmt.Sprintf("topics.input[%d]", i), "must not be empty")
		}
		if in == t.Clean || in == t.DeadLetter {
			add(fmt.Sprintf("topics.input[%d]", i), "%q is also an output topic", in)
		}
	}
	if t.Clean != "" && t.Clean == t.DeadLetter {
		add("topics.dead_letter", "must differ from topics.clean")
	}
	c.validateOutputs(add)
	if t.Create.Partitions < 1 {
		add("topics.create.partitions", "must be at least 1")
	}
	if t.Create.ReplicationFactor < 1 {
		add("topics.create.replication_factor", "must be at least 1")
	}
	if t.Create.MinInsyncReplicas < 0 || t.Create.MinInsyncReplicas > t.Create.ReplicationFactor {
		add("topics.create.min_insync_replicas", "must be from 0 (derived) to the replication factor")
	}
	positive("topics.create.personal_retention", t.Create.PersonalRetention)
	positive("topics.create.pseudonymous_retention", t.Create.PseudonymousRetention)
	positive("topics.create.aggregate_retention", t.Create.AggregateRetention)

	c.validateHTTP(add)
	switch c.Delivery {
	case ExactlyOnce, AtLeastOnce:
	default:
		add("delivery", "%q is not %s or %s", c.Delivery, ExactlyOnce, AtLeastOnce)
	}
	b := c.Batch
	if b.MaxRecords < 1 {
		add("batch.max_records", "must be at least 1")
	}
	if b.MaxBytes < 1 {
		add("batch.max_bytes", "must be at least 1")
	}
	if b.Linger < 0 {
		add("batch.linger", "must not be negative")
	}
	if b.MaxInFlightBytes < b.MaxBytes {
		add("batch.max_in_flight_bytes", "must be at least batch.max_bytes")
	}
	positive("shutdown.timeout", c.Shutdown.Timeout)
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "text":
	default:
		add("log.format", "%q is not json or text", c.Log.Format)
	}
	c.validateAggregates(add)
	if c.GeoIP.Database != "" && c.GeoIP.PollInterval <= 0 {
		add("geoip.poll_interval", "must be positive")
	}
	if !c.Policy.IsZero() && c.PolicyFile != "" {
		add("policy", "policy and policy_file are exclusive")
	}
	if !c.Policy.IsZero() && c.Policy.Kind != 0 && c.Policy.Kind != yamlMapping {
		add("policy", "must be a mapping (the content of a policy file)")
	}
	if len(probs) > 0 {
		return &ValidationError{Problems: probs}
	}
	return nil
}
