// Package kafka is scrubd's Kafka adapter, with the stream loop the only
// code that knows the Kafka client (sarama). It builds client configurations
// from scrubd's configuration, which holds plain values: protocol version,
// TLS, SASL (PLAIN, SCRAM-SHA-256/512 with the password read from a file,
// OAUTHBEARER with a token file), and the consumer and producer settings
// that exactly-once and at-least-once delivery need. It converts between
// client messages and record.Record (Record, Message). Its sub-packages
// load tables from compacted topics (compacted) and create topics (topics).
package kafka

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/config"
)

// Base returns the sarama configuration shared by every client of c:
// version, client id, timeouts, TLS and SASL. Files are read now.
func Base(c *config.Config) (*sarama.Config, error) {
	k := c.Kafka
	sc := sarama.NewConfig()
	v, err := sarama.ParseKafkaVersion(k.Version)
	if err != nil {
		return nil, fmt.Errorf("kafka version: %w", err)
	}
	sc.Version = v
	sc.ClientID = k.ClientID
	sc.Net.DialTimeout = k.DialTimeout.D()
	sc.Metadata.Retry.Max = 5
	sc.Metadata.Retry.Backoff = 250 * time.Millisecond
	if k.TLS.On() {
		tc, err := tlsConfig(c)
		if err != nil {
			return nil, err
		}
		sc.Net.TLS.Enable = true
		sc.Net.TLS.Config = tc
	}
	if k.SASL.Mechanism != "" {
		if err := sasl(c, sc); err != nil {
			return nil, err
		}
	}
	return sc, nil
}

// sasl configures the mechanism of kafka.sasl: the password is read now,
// an OAUTHBEARER token at every connection (see tokenFile).
func sasl(c *config.Config, sc *sarama.Config) error {
	s := c.Kafka.SASL
	sc.Net.SASL.Enable = true
	sc.Net.SASL.Handshake = true
	switch s.Mechanism {
	case config.SASLOAuthBearer:
		tf := newTokenFile(c.Resolve(s.TokenFile))
		// Read now, like the password: a missing or empty file is a
		// configuration error at start (and in `scrubd validate`).
		if _, err := tf.Token(); err != nil {
			return err
		}
		sc.Net.SASL.Mechanism = sarama.SASLTypeOAuth
		sc.Net.SASL.TokenProvider = tf
		return nil
	case config.SASLAWSMSKIAM:
		sc.Net.SASL.Mechanism = sarama.SASLTypeOAuth
		sc.Net.SASL.TokenProvider = newMSKToken(s.AWSRegion)
		return nil
	}
	pass, err := os.ReadFile(c.Resolve(s.PasswordFile))
	if err != nil {
		return fmt.Errorf("read sasl password: %w", err)
	}
	sc.Net.SASL.User = s.Username
	sc.Net.SASL.Password = string(bytes.TrimRight(pass, "\r\n"))
	switch s.Mechanism {
	case config.SASLPlain:
		sc.Net.SASL.Mechanism = sarama.SASLTypePlaintext
	case config.SASLScramSHA256:
		sc.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA256
		sc.Net.SASL.SCRAMClientGeneratorFunc = newSCRAM(sarama.SASLTypeSCRAMSHA256)
	case config.SASLScramSHA512:
		sc.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
		sc.Net.SASL.SCRAMClientGeneratorFunc = newSCRAM(sarama.SASLTypeSCRAMSHA512)
	default:
		return fmt.Errorf("sasl mechanism %q is not supported", s.Mechanism)
	}
	return nil
}

// tlsConfig reads the CA and client certificate files.
func tlsConfig(c *config.Config) (*tls.Config, error) {
	t := c.Kafka.TLS
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify} //nolint:gosec // opt-in, for tests
	if t.CAFile != "" {
		pem, err := os.ReadFile(c.Resolve(t.CAFile))
		if err != nil {
			return nil, fmt.Errorf("read tls ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls ca %s: no PEM certificate in it", t.CAFile)
		}
		tc.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.Resolve(t.CertFile), c.Resolve(t.KeyFile))
		if err != nil {
			return nil, fmt.Errorf("load tls client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// Consumer returns the configuration of the consumer group: cooperative-
// sticky balancing, read_committed, auto-commit off, and the oldest offset
// for partitions without a committed one (a reset must never skip data).
// With kafka.static_membership, instanceID is the group.instance.id.
func Consumer(c *config.Config, instanceID string) (*sarama.Config, error) {
	sc, err := Base(c)
	if err != nil {
		return nil, err
	}
	k := c.Kafka
	sc.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyCooperativeSticky()}
	sc.Consumer.Group.Session.Timeout = k.SessionTimeout.D()
	sc.Consumer.Group.Heartbeat.Interval = k.SessionTimeout.D() / 3
	sc.Consumer.Group.Rebalance.Timeout = k.RebalanceTimeout.D()
	sc.Consumer.IsolationLevel = sarama.ReadCommitted
	sc.Consumer.Offsets.AutoCommit.Enable = false
	sc.Consumer.Offsets.Initial = sarama.OffsetOldest
	sc.Consumer.Return.Errors = true
	if k.StaticMembership {
		if instanceID == "" {
			return nil, errors.New("kafka.static_membership needs a transactional id (the group instance id)")
		}
		sc.Consumer.Group.InstanceId = instanceID
	}
	sc.Consumer.Fetch.Default = k.FetchBytes
	sc.Consumer.Fetch.MaxBytes = k.FetchMaxBytes
	sc.Consumer.MaxProcessingTime = time.Second
	sc.ChannelBufferSize = k.ChannelBuffer
	return sc, nil
}

// Producer returns the configuration of the producer: transactional with
// transactionalID for exactly-once delivery, idempotent for at-least-once.
// Records are placed by the pipeline (manual partitioner). maxMessage is
// the largest record the pipeline produces.
func Producer(c *config.Config, transactionalID string, maxMessage int) (*sarama.Config, error) {
	sc, err := Base(c)
	if err != nil {
		return nil, err
	}
	sc.Producer.Idempotent = true
	sc.Net.MaxOpenRequests = 1
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Retry.Max = 10
	sc.Producer.Retry.Backoff = 100 * time.Millisecond
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	sc.Producer.MaxMessageBytes = maxMessage
	sc.Producer.Flush.Bytes = 512 << 10
	sc.Producer.Flush.Frequency = 5 * time.Millisecond
	sc.Producer.Return.Errors = true
	sc.ChannelBufferSize = 1024
	codec, err := compression(c.Kafka.Compression)
	if err != nil {
		return nil, err
	}
	sc.Producer.Compression = codec
	if c.Delivery == config.ExactlyOnce {
		sc.Producer.Transaction.ID = transactionalID
		sc.Producer.Transaction.Timeout = c.Kafka.TransactionTimeout.D()
		sc.Producer.Transaction.Retry.Max = 10
		sc.Producer.Transaction.Retry.Backoff = 100 * time.Millisecond
		sc.Producer.Return.Successes = false
	} else {
		sc.Producer.Return.Successes = true
	}
	return sc, nil
}

// Admin returns the configuration of the admin client of `scrubd topics`.
func Admin(c *config.Config) (*sarama.Config, error) {
	return Base(c)
}

func compression(name string) (sarama.CompressionCodec, error) {
	switch name {
	case "", "none":
		return sarama.CompressionNone, nil
	case "gzip":
		return sarama.CompressionGZIP, nil
	case "snappy":
		return sarama.CompressionSnappy, nil
	case "lz4":
		return sarama.CompressionLZ4, nil
	case "zstd":
		return sarama.CompressionZSTD, nil
	}
	return 0, fmt.Errorf("compression %q is not supported", name)
}
