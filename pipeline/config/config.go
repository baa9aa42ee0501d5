// Package config is the configuration of `scrubd run`, `scrubd topics` and
// `scrubd demo`: one YAML file, decoded strictly (unknown keys are errors),
// with every default in Default, every key overridable by an environment
// variable SCRUBD_<PATH> (see ApplyEnv), and Validate to check the result.
package config

import (
	"go.yaml.in/yaml/v3"
)

// Delivery modes.
const (
	// ExactlyOnce writes every batch's output records and its consumer
	// offsets in one Kafka transaction. Readers of the output topics must
	// use read_committed.
	ExactlyOnce = "exactly_once"
	// AtLeastOnce writes with an idempotent producer and marks offsets only
	// after the producer's acknowledgement, in order. A crash can duplicate
	// records but never loses one.
	AtLeastOnce = "at_least_once"
)

// SASL mechanisms.
const (
	SASLPlain       = "PLAIN"
	SASLScramSHA256 = "SCRAM-SHA-256"
	SASLScramSHA512 = "SCRAM-SHA-512"
	// SASLOAuthBearer sends a bearer token read from kafka.sasl.token_file
	// (Confluent Cloud, Strimzi OAuth), read again when the file changes.
	SASLOAuthBearer = "OAUTHBEARER"
	// SASLAWSMSKIAM authenticates to Amazon MSK with IAM: a token signed
	// by AWS's signer library from the default credential chain, sent
	// over OAUTHBEARER.
	SASLAWSMSKIAM = "AWS_MSK_IAM"
)

// Config is the whole configuration file.
type Config struct {
	// Kafka is how to reach and use the Kafka cluster.
	Kafka Kafka `yaml:"kafka"`
	// Topics names the topics read and written, and the settings `scrubd
	// topics` creates them with.
	Topics Topics `yaml:"topics"`
	// HTTP is the listener for /metrics, /healthz and /readyz.
	HTTP HTTP `yaml:"http"`
	// Delivery is "exactly_once" (the default: one transaction per batch,
	// holding the outputs and the consumer offsets) or "at_least_once".
	Delivery string `yaml:"delivery"`
	// Batch bounds the batches that records are processed and committed in.
	Batch Batch `yaml:"batch"`
	// DeadLetter configures the dead-letter topic's payload encryption.
	DeadLetter DeadLetter `yaml:"dead_letter"`
	// Shutdown bounds the time a graceful stop may take.
	Shutdown Shutdown `yaml:"shutdown"`
	// Log configures scrubd's own logs (JSON on standard error).
	Log Log `yaml:"log"`
	// GeoIP configures the country lookup of client addresses.
	GeoIP GeoIP `yaml:"geoip"`
	// Aggregates configures the windowed counts written to
	// topics.aggregates.
	Aggregates Aggregates `yaml:"aggregates"`
	// Privacy configures privacy requests (consent, restriction, erasure).
	Privacy Privacy `yaml:"privacy"`
	// Vault configures the identity vault.
	Vault Vault `yaml:"vault"`
	// Shadow configures shadow mode for policy rollouts.
	Shadow Shadow `yaml:"shadow"`
	// Reload configures the reloading of the policy and key files.
	Reload Reload `yaml:"reload"`
	// Policy is the scrubbing policy written inline, with the schema of a
	// policy file (see the rules package). It is exclusive with PolicyFile;
	// with neither, the built-in default policy applies. Environment
	// variables do not override keys inside it.
	Policy yaml.Node `yaml:"policy"`
	// PolicyFile is the path of a policy file, resolved against the
	// directory of the configuration file when relative.
	PolicyFile string `yaml:"policy_file"`

	// dir is the directory of the file the configuration was read from.
	dir string
}

// Kafka is how to reach and use the Kafka cluster.
type Kafka struct {
	// Brokers are the bootstrap brokers, host:port.
	Brokers []string `yaml:"brokers"`
	// Version is the Kafka protocol version to speak, at least 2.5.0 (the
	// transactional offset commits carry consumer group metadata, KIP-447).
	Version string `yaml:"version"`
	// ClientID names scrubd in the brokers' logs and quotas.
	ClientID string `yaml:"client_id"`
	// Group is the consumer group id that all instances share.
	Group string `yaml:"group"`
	// TransactionalID is the producer's transactional id, stable per
	// instance so that a restarted instance fences its predecessor at once.
	// Empty means "scrubd-" followed by the host name (in Kubernetes, the
	// pod name).
	TransactionalID string `yaml:"transactional_id"`
	// StaticMembership joins the consumer group as a static member
	// (KIP-345) whose group.instance.id is the transactional id: an instance
	// restarted with the same id (a container restart, a StatefulSet pod)
	// takes its place and partitions at once instead of waiting for the
	// session timeout. A static member stopped with SIGTERM does not leave
	// the group, so its partitions wait for the session timeout unless it
	// comes back; with pods that get new names (a Deployment) it only delays
	// scale-down. Off by default.
	StaticMembership bool `yaml:"static_membership"`
	// TLS encrypts and authenticates the connections to the brokers.
	TLS TLS `yaml:"tls"`
	// SASL authenticates scrubd to the brokers.
	SASL SASL `yaml:"sasl"`
	// DialTimeout bounds connecting to a broker.
	DialTimeout Duration `yaml:"dial_timeout"`
	// SessionTimeout is the consumer group session timeout: an instance
	// that sends no heartbeat for this long is removed from the group.
	SessionTimeout Duration `yaml:"session_timeout"`
	// RebalanceTimeout is how long a rebalance waits for the members; a
	// revoked partition's open batch is committed or aborted well within it.
	RebalanceTimeout Duration `yaml:"rebalance_timeout"`
	// TransactionTimeout is the broker-side timeout of a transaction, after
	// which the coordinator aborts it.
	TransactionTimeout Duration `yaml:"transaction_timeout"`
	// FetchBytes is the number of bytes fetched per partition and request.
	// Larger records are still fetched, one at a time.
	FetchBytes int32 `yaml:"fetch_bytes"`
	// FetchMaxBytes bounds one fetch response across all partitions
	// (fetch.max.bytes), so that memory does not grow with the number of
	// partitions an instance owns. Like FetchBytes it counts the bytes on
	// the wire: compressed batches take several times more once decoded.
	FetchMaxBytes int32 `yaml:"fetch_max_bytes"`
	// ChannelBuffer is the number of fetched records buffered per
	// partition ahead of processing. With FetchBytes and Batch.MaxInFlightBytes
	// it bounds memory.
	ChannelBuffer int `yaml:"channel_buffer"`
	// Compression is the codec for produced records: none, gzip, snappy,
	// lz4 or zstd.
	Compression string `yaml:"compression"`
	// MaxMessageBytes bounds the record batches scrubd produces to one
	// partition, and so its largest record; a record whose scrubbed form
	// is larger is dead-lettered (output_too_large). It must not exceed
	// the output topics' max.message.bytes (Kafka's default is 1048588).
	MaxMessageBytes int `yaml:"max_message_bytes"`
}

// TLS configures TLS to the brokers. Files are PEM.
type TLS struct {
	// Enabled turns TLS on. It is implied when any file is set.
	Enabled bool `yaml:"enabled"`
	// CAFile holds the certificate authorities that verify the brokers.
	// Empty means the system pool.
	CAFile string `yaml:"ca_file"`
	// CertFile is the client certificate, for mutual TLS.
	CertFile string `yaml:"cert_file"`
	// KeyFile is the client certificate's private key.
	KeyFile string `yaml:"key_file"`
	// ServerName overrides the name verified in the brokers' certificates.
	ServerName string `yaml:"server_name"`
	// InsecureSkipVerify turns verification of the brokers off. For tests
	// only: scrubd logs a warning at start and exports
	// scrubd_kafka_tls_insecure_skip_verify 1 while it is on.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// On reports whether TLS is used: enabled, or implied by a file.
func (t TLS) On() bool { return t.Enabled || t.CAFile != "" || t.CertFile != "" }

// SASL configures SASL authentication. The password or token is read from
// a file, never written in the configuration.
type SASL struct {
	// Mechanism is PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or
	// AWS_MSK_IAM; empty turns SASL off. PLAIN, OAUTHBEARER and
	// AWS_MSK_IAM send their secret as is, so they are refused without
	// TLS.
	Mechanism string `yaml:"mechanism"`
	// Username is the SASL user (PLAIN and SCRAM).
	Username string `yaml:"username"`
	// PasswordFile holds the password (one trailing newline is ignored).
	PasswordFile string `yaml:"password_file"`
	// TokenFile holds the OAUTHBEARER access token (a JWT), kept fresh by
	// whatever issues it (a Kubernetes projected token, an OAuth sidecar);
	// scrubd reads it again when its modification time or size changes.
	TokenFile string `yaml:"token_file"`
	// AWSRegion is the region of the MSK cluster, for AWS_MSK_IAM. The
	// credentials come from the AWS default chain (AWS_* environment
	// variables, IRSA web identity, ECS, EC2 instance metadata).
	AWSRegion string `yaml:"aws_region"`
}

// Topics names the topics scrubd reads and writes.
type Topics struct {
	// Input are the raw topics consumed.
	Input []string `yaml:"input"`
	// Clean receives the scrubbed records (data class pseudonymous).
	Clean string `yaml:"clean"`
	// DeadLetter receives the records that could not be scrubbed (data
	// class personal), encrypted or without payload.
	DeadLetter string `yaml:"dead_letter"`
	// Aggregates receives non-personal windowed counts (data class
	// aggregate). `scrubd topics` creates it.
	Aggregates string `yaml:"aggregates"`
	// AggregatesChangelog is the compacted topic that checkpoints the
	// aggregates' window state, in the transactions of the outputs.
	// Empty means topics.aggregates followed by ".changelog".
	AggregatesChangelog string `yaml:"aggregates_changelog"`
	// Vault receives pseudonym-to-original mappings, encrypted (data class
	// personal, compacted). `scrubd topics` creates it.
	Vault string `yaml:"vault"`
	// Residency routes clean records by jurisdiction (from GeoIP and the
	// policy's country table): a jurisdiction named here has its records
	// written to its own topic instead of topics.clean, for data
	// residency. Records of other jurisdictions, and every record while
	// geoip is off, go to topics.clean. As an environment override:
	// SCRUBD_TOPICS_RESIDENCY=EEA=logs.clean.eea,US=logs.clean.us.
	Residency map[string]string `yaml:"residency"`
	// Create holds the settings `scrubd topics` creates missing topics with.
	Create TopicSettings `yaml:"create"`
}

// TopicSettings are the settings of the topics `scrubd topics` creates; the
// retention depends on each topic's data class.
type TopicSettings struct {
	// Partitions is the partition count of created topics.
	Partitions int32 `yaml:"partitions"`
	// ReplicationFactor is the replication factor of created topics.
	ReplicationFactor int16 `yaml:"replication_factor"`
	// MinInsyncReplicas is the min.insync.replicas of created topics: how
	// many replicas must hold a record before an acks=all write (every
	// write of scrubd's) succeeds. 0 derives it from the replication
	// factor: one less, at least 1 (2 of 3), so that one broker may be
	// down and no acknowledged record lives on a single replica.
	MinInsyncReplicas int16 `yaml:"min_insync_replicas"`
	// PersonalRetention is the retention of topics holding personal data
	// (raw input, dead letters); the vault is compacted instead.
	PersonalRetention Duration `yaml:"personal_retention"`
	// PseudonymousRetention is the retention of the clean topic.
	PseudonymousRetention Duration `yaml:"pseudonymous_retention"`
	// AggregateRetention is the retention of the aggregates topic.
	AggregateRetention Duration `yaml:"aggregate_retention"`
}

// MinISR is the min.insync.replicas topics are created with.
func (t TopicSettings) MinISR() int16 {
	if t.MinInsyncReplicas > 0 {
		return t.MinInsyncReplicas
	}
	return max(1, t.ReplicationFactor-1)
}

// HTTP is the HTTP listener of /metrics, /healthz and /readyz.
type HTTP struct {
	// Addr is the listen address; the default ":9790" does not collide
	// with the application container of the pod.
	Addr string `yaml:"addr"`
	// LocalhostOnly binds the listener to the loopback interface
	// (127.0.0.1 with the port of Addr), for hosts where only a local
	// agent scrapes; Addr's host must then be empty or loopback.
	LocalhostOnly bool `yaml:"localhost_only"`
	// ReadTimeout bounds reading a whole request, headers and body.
	ReadTimeout Duration `yaml:"read_timeout"`
	// WriteTimeout bounds writing a response.
	WriteTimeout Duration `yaml:"write_timeout"`
	// IdleTimeout closes keep-alive connections idle for this long.
	IdleTimeout Duration `yaml:"idle_timeout"`
}

// Batch bounds the batches records are processed and committed in. A batch
// holds records of one partition; a transaction holds the batches ready at
// its start, from every partition of the instance.
type Batch struct {
	// MaxRecords is the largest number of records in a batch.
	MaxRecords int `yaml:"max_records"`
	// MaxBytes is the largest batch, counting consumed record sizes.
	MaxBytes int `yaml:"max_bytes"`
	// Linger is how long a batch waits for more records before it is
	// committed.
	Linger Duration `yaml:"linger"`
	// MaxInFlightBytes bounds the records held by scrubd, over all
	// partitions, between fetching and commit; when it is reached fetching
	// pauses.
	MaxInFlightBytes int `yaml:"max_in_flight_bytes"`
}

// DeadLetter configures the dead-letter topic.
type DeadLetter struct {
	// KeyFile holds a 32-byte AES-256-GCM key (raw, hex or base64) that
	// dead-letter payloads are encrypted with. Empty: payloads are left
	// out, never written in plain.
	KeyFile string `yaml:"key_file"`
}

// Shutdown bounds a graceful stop.
type Shutdown struct {
	// Timeout is how long a stop may take: finishing or aborting the open
	// transaction, leaving the group, closing clients and the HTTP server.
	Timeout Duration `yaml:"timeout"`
}

// Log configures scrubd's own logs.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is json (one object a line, for collectors; the default) or
	// text (key=value lines, for people at a terminal).
	Format string `yaml:"format"`
}

// GeoIP configures the country lookup of client addresses, on the full
// address before it is truncated.
type GeoIP struct {
	// Database is a MaxMind-format country or city database file
	// (GeoLite2-Country, GeoIP2-Country, ...). Empty turns geo off. A
	// missing or broken file disables geo with a warning and
	// scrubd_geoip_database_loaded 0, and never stops scrubd; the file is
	// loaded again when it changes on disk.
	Database string `yaml:"database"`
	// PollInterval is how often the file is checked for a new version.
	PollInterval Duration `yaml:"poll_interval"`
}

// Aggregates configures the non-personal windowed counts. They need
// delivery exactly_once (window state is checkpointed in the
// transactions); with at_least_once they are off, with a warning.
type Aggregates struct {
	// Enabled turns aggregates on.
	Enabled bool `yaml:"enabled"`
	// Window is the length of the tumbling event-time windows.
	Window Duration `yaml:"window"`
	// AllowedLateness is how long after a window's end, in event time,
	// records are still counted in it; later records are emitted as
	// corrections of their window.
	AllowedLateness Duration `yaml:"allowed_lateness"`
	// FlushAfter is the processing time after which a partition without
	// new records has its open windows emitted, and after which late
	// records are emitted as corrections.
	FlushAfter Duration `yaml:"flush_after"`
	// K is the smallest count a bucket is emitted with; smaller buckets
	// are folded into one whose dimensions are all "__other__".
	K int `yaml:"k"`
	// Dims are the dimensions counted by, from event, path, method,
	// country, jurisdiction, browser, os and status.
	Dims []string `yaml:"dims"`
	// TimestampFormats are tried in order on the policy's extracted
	// timestamp: rfc3339, common_log, unix, unix_ms or Go layouts.
	// Records without a usable timestamp use the Kafka record's.
	TimestampFormats []string `yaml:"timestamp_formats"`
	// MaxFuture is how far past the processing time an event time may
	// be; later ones are not believed and the Kafka timestamp is used.
	MaxFuture Duration `yaml:"max_future"`
	// MaxBuckets bounds the buckets held per partition (a few hundred
	// bytes each); beyond it the partition's windows are emitted at once.
	MaxBuckets int `yaml:"max_buckets"`
	// UACacheSize is the number of User-Agent strings whose families are
	// cached.
	UACacheSize int `yaml:"ua_cache_size"`
}

// ChangelogTopic returns topics.aggregates_changelog, or its default.
func (c *Config) ChangelogTopic() string {
	if c.Topics.AggregatesChangelog != "" {
		return c.Topics.AggregatesChangelog
	}
	return c.Topics.Aggregates + ".changelog"
}

// Dir is the directory the configuration was read from, against which
// relative file names resolve; empty when it was not read from a file.
func (c *Config) Dir() string { return c.dir }

// Disabled returns t with TLS turned off.
func (t TLS) Disabled() TLS { return TLS{} }

// Disabled returns s with SASL turned off.
func (s SASL) Disabled() SASL { return SASL{} }
