package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// problemsAt returns the problems Validate reports at path.
func problemsAt(t *testing.T, c *Config, path string) []string {
	t.Helper()
	var ve *ValidationError
	if err := c.Validate(); err != nil && !errors.As(err, &ve) {
		t.Fatalf("want *ValidationError, got %v", err)
	}
	if ve == nil {
		return nil
	}
	var at []string
	for _, p := range ve.Problems {
		if strings.HasPrefix(p, path+":") {
			at = append(at, p)
		}
	}
	return at
}

// TestSecretMechanismsNeedTLS: PLAIN and OAUTHBEARER are refused without
// TLS and accepted with it; SCRAM, which never sends the password, is
// accepted either way.
func TestSecretMechanismsNeedTLS(t *testing.T) {
	for _, tc := range []struct {
		sasl SASL
		tls  TLS
		ok   bool
	}{
		{SASL{Mechanism: SASLPlain, Username: "u", PasswordFile: "p"}, TLS{}, false},
		{SASL{Mechanism: SASLPlain, Username: "u", PasswordFile: "p"}, TLS{Enabled: true}, true},
		{SASL{Mechanism: SASLPlain, Username: "u", PasswordFile: "p"}, TLS{CAFile: "ca.pem"}, true},
		{SASL{Mechanism: SASLOAuthBearer, TokenFile: "t"}, TLS{}, false},
		{SASL{Mechanism: SASLOAuthBearer, TokenFile: "t"}, TLS{Enabled: true}, true},
		{SASL{Mechanism: SASLScramSHA512, Username: "u", PasswordFile: "p"}, TLS{}, true},
		{SASL{Mechanism: SASLAWSMSKIAM, AWSRegion: "eu-west-1"}, TLS{}, false},
		{SASL{Mechanism: SASLAWSMSKIAM, AWSRegion: "eu-west-1"}, TLS{Enabled: true}, true},
	} {
		c := Default()
		c.Kafka.Brokers = []string{"127.0.0.1:9092"}
		c.Kafka.SASL, c.Kafka.TLS = tc.sasl, tc.tls
		probs := problemsAt(t, c, "kafka.sasl.mechanism")
		if ok := len(probs) == 0; ok != tc.ok {
			t.Errorf("%s with TLS %+v: problems %v, want ok=%v", tc.sasl.Mechanism, tc.tls, probs, tc.ok)
		}
		if !tc.ok && !strings.Contains(probs[0], "kafka.tls") {
			t.Errorf("problem %q does not name the fix", probs[0])
		}
		if tc.ok && c.Validate() != nil {
			t.Errorf("%s with TLS %+v: %v", tc.sasl.Mechanism, tc.tls, c.Validate())
		}
	}
}

func TestOAuthBearerKeys(t *testing.T) {
	c := Default()
	c.Kafka.TLS.Enabled = true
	c.Kafka.SASL = SASL{Mechanism: SASLOAuthBearer}
	if len(problemsAt(t, c, "kafka.sasl.token_file")) == 0 {
		t.Error("OAUTHBEARER without token_file accepted")
	}
	c.Kafka.SASL = SASL{Mechanism: SASLOAuthBearer, TokenFile: "t", Username: "u"}
	if len(problemsAt(t, c, "kafka.sasl")) == 0 {
		t.Error("OAUTHBEARER with a username accepted")
	}
	c.Kafka.SASL = SASL{Mechanism: SASLScramSHA256, Username: "u", PasswordFile: "p", TokenFile: "t"}
	if len(problemsAt(t, c, "kafka.sasl.token_file")) == 0 {
		t.Error("token_file with SCRAM accepted")
	}
}

func TestAWSMSKIAMKeys(t *testing.T) {
	c := Default()
	c.Kafka.TLS.Enabled = true
	c.Kafka.SASL = SASL{Mechanism: SASLAWSMSKIAM}
	if len(problemsAt(t, c, "kafka.sasl.aws_region")) == 0 {
		t.Error("AWS_MSK_IAM without a region accepted")
	}
	c.Kafka.SASL = SASL{Mechanism: SASLAWSMSKIAM, AWSRegion: "eu-west-1", PasswordFile: "p"}
	if len(problemsAt(t, c, "kafka.sasl")) == 0 {
		t.Error("AWS_MSK_IAM with a password file accepted")
	}
	c.Kafka.SASL = SASL{Mechanism: SASLScramSHA256, Username: "u", PasswordFile: "p", AWSRegion: "eu-west-1"}
	if len(problemsAt(t, c, "kafka.sasl.aws_region")) == 0 {
		t.Error("aws_region with SCRAM accepted")
	}
}

func TestHTTPTimeoutsAndLocalhost(t *testing.T) {
	c := Default()
	c.HTTP.IdleTimeout = 0
	if len(problemsAt(t, c, "http.idle_timeout")) == 0 {
		t.Error("zero idle timeout accepted")
	}
	for _, tc := range []struct {
		addr, listen string
		ok           bool
	}{
		{":9790", "127.0.0.1:9790", true},
		{"localhost:9790", "127.0.0.1:9790", true},
		{"127.0.0.1:1234", "127.0.0.1:1234", true},
		{"[::1]:9790", "[::1]:9790", true},
		{"0.0.0.0:9790", "", false},
		{"10.0.0.5:9790", "", false},
	} {
		c := Default()
		c.Kafka.Brokers = []string{"127.0.0.1:9092"}
		c.HTTP.Addr, c.HTTP.LocalhostOnly = tc.addr, true
		probs := problemsAt(t, c, "http.addr")
		if (len(probs) == 0) != tc.ok {
			t.Errorf("%s: problems %v, want ok=%v", tc.addr, probs, tc.ok)
		}
		if tc.ok && c.HTTP.ListenAddr() != tc.listen {
			t.Errorf("%s: listens on %s, want %s", tc.addr, c.HTTP.ListenAddr(), tc.listen)
		}
	}
	c = Default()
	if c.HTTP.ListenAddr() != ":9790" {
		t.Errorf("without localhost_only: %s", c.HTTP.ListenAddr())
	}
	env := map[string]string{"SCRUBD_HTTP_LOCALHOST_ONLY": "true", "SCRUBD_HTTP_READ_TIMEOUT": "3s"}
	if err := ApplyEnv(c, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if !c.HTTP.LocalhostOnly || c.HTTP.ReadTimeout.D() != 3*time.Second {
		t.Errorf("environment not applied: %+v", c.HTTP)
	}
}
