package config

import (
	"net"
)

// validateTransport checks kafka.tls and kafka.sasl. A mechanism that
// sends its secret as is (PLAIN's password, OAUTHBEARER's token) is
// refused without TLS: anyone on the path could reuse it.
func (c *Config) validateTransport(add func(path, format string, args ...any)) {
	k := c.Kafka
	if (k.TLS.CertFile == "") != (k.TLS.KeyFile == "") {
		add("kafka.tls", "cert_file and key_file go together")
	}
	s := k.SASL
	switch s.Mechanism {
	case "":
		if s.Username != "" || s.PasswordFile != "" || s.TokenFile != "" || s.AWSRegion != "" {
			add("kafka.sasl.mechanism", "required when a username, password file, token file or AWS region is set")
		}
	case SASLPlain, SASLScramSHA256, SASLScramSHA512:
		if s.Username == "" {
			add("kafka.sasl.username", "required with SASL")
		}
		if s.PasswordFile == "" {
			add("kafka.sasl.password_file", "required with SASL")
		}
		if s.TokenFile != "" {
			add("kafka.sasl.token_file", "only with OAUTHBEARER")
		}
	case SASLOAuthBearer:
		if s.TokenFile == "" {
			add("kafka.sasl.token_file", "required with OAUTHBEARER")
		}
		if s.Username != "" || s.PasswordFile != "" {
			add("kafka.sasl", "OAUTHBEARER takes token_file, not username and password_file")
		}
	case SASLAWSMSKIAM:
		if s.AWSRegion == "" {
			add("kafka.sasl.aws_region", "required with AWS_MSK_IAM")
		}
		if s.Username != "" || s.PasswordFile != "" || s.TokenFile != "" {
			add("kafka.sasl", "AWS_MSK_IAM takes aws_region only; the credentials come from the AWS default chain")
		}
	default:
		add("kafka.sasl.mechanism", "%q is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER, AWS_MSK_IAM", s.Mechanism)
	}
	if s.AWSRegion != "" && s.Mechanism != SASLAWSMSKIAM && s.Mechanism != "" {
		add("kafka.sasl.aws_region", "only with AWS_MSK_IAM")
	}
	if (s.Mechanism == SASLPlain || s.Mechanism == SASLOAuthBearer || s.Mechanism == SASLAWSMSKIAM) && !k.TLS.On() {
		add("kafka.sasl.mechanism", "%s sends the secret in clear: it needs kafka.tls (enabled: true)", s.Mechanism)
	}
}

// validateHTTP checks the listener of /metrics, /healthz and /readyz.
func (c *Config) validateHTTP(add func(path, format string, args ...any)) {
	h := c.HTTP
	if h.Addr != "" {
		host, _, err := net.SplitHostPort(h.Addr)
		if err != nil {
			add("http.addr", "%q is not [host]:port", h.Addr)
		} else if h.LocalhostOnly && host != "" && host != "localhost" && !isLoopback(host) {
			add("http.addr", "host %q is not loopback, but http.localhost_only is set", host)
		}
	}
	for _, t := range []struct {
		path string
		d    Duration
	}{{"http.read_timeout", h.ReadTimeout}, {"http.write_timeout", h.WriteTimeout}, {"http.idle_timeout", h.IdleTimeout}} {
		if t.d <= 0 {
			add(t.path, "must be positive")
		}
	}
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ListenAddr is the address the HTTP listener binds: Addr, or with
// LocalhostOnly the loopback address with Addr's port.
func (h HTTP) ListenAddr() string {
	if !h.LocalhostOnly {
		return h.Addr
	}
	host, port, err := net.SplitHostPort(h.Addr)
	if err != nil {
		return h.Addr // refused by Validate
	}
	if host == "" || host == "localhost" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
