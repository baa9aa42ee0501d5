package kafka

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/scrubd/scrubd/pipeline/config"
)

// testCA writes a self-signed certificate for 127.0.0.1 and returns the
// server TLS config and the path of the CA file.
func testCA(t *testing.T) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kfake"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caPath := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}, caPath
}

// TestSASLAndTLS connects to brokers that require SASL (each mechanism),
// with and without TLS, using a password file; a wrong password fails.
// PLAIN without TLS is refused by the configuration before any connection.
func TestSASLAndTLS(t *testing.T) {
	for _, tc := range []struct {
		mech string
		tls  bool
	}{
		{config.SASLPlain, false},
		{config.SASLScramSHA256, false},
		{config.SASLScramSHA512, true},
		{config.SASLPlain, true},
	} {
		name := tc.mech
		if tc.tls {
			name += "+TLS"
		}
		t.Run(name, func(t *testing.T) {
			opts := []kfake.Opt{kfake.NumBrokers(1), kfake.EnableSASL(), kfake.Superuser(tc.mech, "scrubd", "s3cret"), kfake.SeedTopics(1, "logs.raw")}
			cfg := config.Default()
			if tc.tls {
				serverTLS, caPath := testCA(t)
				opts = append(opts, kfake.TLS(serverTLS))
				cfg.Kafka.TLS.CAFile = caPath
			}
			c, err := kfake.NewCluster(opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			dir := t.TempDir()
			good, bad := filepath.Join(dir, "good"), filepath.Join(dir, "bad")
			os.WriteFile(good, []byte("s3cret\n"), 0o600)
			os.WriteFile(bad, []byte("wrong\n"), 0o600)
			cfg.Kafka.Brokers = c.ListenAddrs()
			cfg.Kafka.SASL = config.SASL{Mechanism: tc.mech, Username: "scrubd", PasswordFile: good}
			cfg.Kafka.DialTimeout = config.Duration(5 * time.Second)
			err = cfg.Validate()
			if tc.mech == config.SASLPlain && !tc.tls {
				if err == nil || !strings.Contains(err.Error(), "kafka.sasl.mechanism: PLAIN sends the secret in clear") {
					t.Fatalf("PLAIN without TLS: %v, want refused", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sc, err := Consumer(cfg, "scrubd-test")
			if err != nil {
				t.Fatal(err)
			}
			client, err := sarama.NewClient(cfg.Kafka.Brokers, sc)
			if err != nil {
				t.Fatalf("connect with the right password: %v", err)
			}
			topics, err := client.Topics()
			client.Close()
			if err != nil || len(topics) != 1 {
				t.Fatalf("topics %v, %v", topics, err)
			}
			cfg.Kafka.SASL.PasswordFile = bad
			sc, err = Admin(cfg)
			if err != nil {
				t.Fatal(err)
			}
			sc.Metadata.Retry.Max = 0
			if client, err := sarama.NewClient(cfg.Kafka.Brokers, sc); err == nil {
				client.Close()
				t.Fatal("a wrong password connected")
			}
		})
	}
}

// TestProducerConfigValid checks that sarama accepts the producer and
// consumer configurations of both delivery modes.
func TestProducerConfigValid(t *testing.T) {
	for _, mode := range []string{config.ExactlyOnce, config.AtLeastOnce} {
		cfg := config.Default()
		cfg.Delivery = mode
		pc, err := Producer(cfg, "scrubd-x", 2<<20)
		if err != nil {
			t.Fatal(err)
		}
		if err := pc.Validate(); err != nil {
			t.Errorf("%s producer: %v", mode, err)
		}
		cc, err := Consumer(cfg, "scrubd-test")
		if err != nil {
			t.Fatal(err)
		}
		if err := cc.Validate(); err != nil {
			t.Errorf("consumer: %v", err)
		}
		if cc.Consumer.IsolationLevel != sarama.ReadCommitted || cc.Consumer.Offsets.AutoCommit.Enable || cc.Consumer.Offsets.Initial != sarama.OffsetOldest {
			t.Errorf("consumer settings wrong: %+v", cc.Consumer)
		}
	}
}

func TestConsumerStaticMembership(t *testing.T) {
	cfg := config.Default()
	cfg.Kafka.Brokers = []string{"127.0.0.1:9092"}
	sc, err := Consumer(cfg, "scrubd-pod-0")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Consumer.Group.InstanceId != "" {
		t.Errorf("dynamic membership has instance id %q", sc.Consumer.Group.InstanceId)
	}
	cfg.Kafka.StaticMembership = true
	if sc, err = Consumer(cfg, "scrubd-pod-0"); err != nil {
		t.Fatal(err)
	}
	if sc.Consumer.Group.InstanceId != "scrubd-pod-0" {
		t.Errorf("instance id %q, want the transactional id", sc.Consumer.Group.InstanceId)
	}
	if err := sc.Validate(); err != nil {
		t.Errorf("sarama refuses the configuration: %v", err)
	}
	if _, err := Consumer(cfg, ""); err == nil {
		t.Error("static membership without an instance id was accepted")
	}
}

// TestConsumerFetchBoundsDecodedResponse pins the default fetch sizes of
// the consumer. Both count compressed bytes, and sarama keeps a whole
// response decoded until its records are processed: with 8 MiB responses
// an lz4 catch-up at 12 partitions peaked at 130 to 190 MiB RSS, with
// 2 MiB at 97 to 109 MiB (docs/sizing.md), within the 128 MiB target.
func TestConsumerFetchBoundsDecodedResponse(t *testing.T) {
	cfg := config.Default()
	cfg.Kafka.Brokers = []string{"127.0.0.1:9092"}
	sc, err := Consumer(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, limit := sc.Consumer.Fetch.MaxBytes, int32(2<<20); got > limit {
		t.Errorf("fetch response bound %d bytes, want at most %d", got, limit)
	}
	if got := sc.Consumer.Fetch.Default; got != cfg.Kafka.FetchBytes || got > sc.Consumer.Fetch.MaxBytes {
		t.Errorf("per-partition fetch %d bytes, want kafka.fetch_bytes (%d) within the response bound %d",
			got, cfg.Kafka.FetchBytes, sc.Consumer.Fetch.MaxBytes)
	}
	if err := sc.Validate(); err != nil {
		t.Errorf("sarama refuses the configuration: %v", err)
	}
}
