package kafka

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/config"
)

// TestTokenFileReread: the token is read from the file, kept while the
// file is unchanged, read again once it changes, and refused when empty
// or missing, without the token in the error.
func TestTokenFileReread(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	write := func(s string, mod time.Time) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	tf := newTokenFile(path)
	if _, err := tf.Token(); err == nil {
		t.Fatal("a missing file gave a token")
	}
	t0 := time.Now().Add(-time.Hour)
	write("eyJ.first.sig\n", t0)
	if tok, err := tf.Token(); err != nil || tok.Token != "eyJ.first.sig" {
		t.Fatalf("token %v, %v", tok, err)
	}
	write("eyJ.secnd.sig\n", t0.Add(time.Second))
	if tok, err := tf.Token(); err != nil || tok.Token != "eyJ.secnd.sig" {
		t.Fatalf("after rotation: %v, %v", tok, err)
	}
	// Unchanged file: the cached token, without reading (proved by a
	// change of content the stat cannot see: same size, same time).
	write("eyJ.third.sig\n", t0.Add(time.Second))
	if tok, _ := tf.Token(); tok.Token != "eyJ.secnd.sig" {
		t.Errorf("unchanged stat re-read the file: %s", tok.Token)
	}
	write("  \n", t0.Add(2*time.Second))
	if _, err := tf.Token(); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty token file: %v", err)
	}
}

// TestOAuthBearerOnTheWire connects to a broker that speaks OAUTHBEARER
// over TLS (sarama's mock broker behind a TLS listener) twice with one
// configuration, rotating the token file before each: each connection
// sends the file's token of the moment. A missing file fails at
// configuration time.
func TestOAuthBearerOnTheWire(t *testing.T) {
	serverTLS, caPath := testCA(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", serverTLS)
	if err != nil {
		t.Fatal(err)
	}
	b := sarama.NewMockBrokerListener(t, 1, ln)
	defer b.Close()
	b.SetHandlerByMap(oauthHandlers(t, b))
	tokPath := filepath.Join(t.TempDir(), "token")
	cfg := config.Default()
	cfg.Kafka.Brokers = []string{b.Addr()}
	cfg.Kafka.TLS.CAFile = caPath
	cfg.Kafka.SASL = config.SASL{Mechanism: config.SASLOAuthBearer, TokenFile: tokPath}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := Admin(cfg); err == nil || !strings.Contains(err.Error(), "oauthbearer token file") {
		t.Fatalf("a missing token file: %v, want an error at configuration time", err)
	}
	if err := os.WriteFile(tokPath, []byte("eyJhbGciOi.zero.sig\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// One configuration for both connections: its provider reads the
	// rotated file.
	sc, err := Admin(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sc.Metadata.Retry.Max = 0
	for i, tok := range []string{"eyJhbGciOi.one.sig", "eyJhbGciOi.second-token.sig"} {
		if err := os.WriteFile(tokPath, []byte(tok+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		client, err := sarama.NewClient(cfg.Kafka.Brokers, sc)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		client.Close()
		if sent := lastAuthBytes(b); !strings.Contains(sent, "auth=Bearer "+tok+"\x01") {
			t.Errorf("connection %d sent %q, want the token %s", i, sent, tok)
		}
	}
}

// lastAuthBytes returns the SASL bytes of the broker's last authenticate
// request.
func lastAuthBytes(b *sarama.MockBroker) string {
	var last string
	for _, rr := range b.History() {
		if r, ok := rr.Request.(*sarama.SaslAuthenticateRequest); ok {
			last = string(r.SaslAuthBytes)
		}
	}
	return last
}

// oauthHandlers answer an OAUTHBEARER client: API versions, the handshake
// offering OAUTHBEARER, authentication accepted, metadata naming b.
func oauthHandlers(t *testing.T, b *sarama.MockBroker) map[string]sarama.MockResponse {
	return map[string]sarama.MockResponse{
		"ApiVersionsRequest": sarama.NewMockApiVersionsResponse(t).SetApiKeys([]sarama.ApiVersionsResponseKey{
			{ApiKey: 18, MinVersion: 0, MaxVersion: 3}, // ApiVersions
			{ApiKey: 17, MinVersion: 0, MaxVersion: 1}, // SaslHandshake
			{ApiKey: 36, MinVersion: 0, MaxVersion: 1}, // SaslAuthenticate
			{ApiKey: 3, MinVersion: 0, MaxVersion: 7},  // Metadata
		}),
		"SaslHandshakeRequest":    sarama.NewMockSaslHandshakeResponse(t).SetEnabledMechanisms([]string{sarama.SASLTypeOAuth}),
		"SaslAuthenticateRequest": sarama.NewMockSaslAuthenticateResponse(t),
		"MetadataRequest":         sarama.NewMockMetadataResponse(t).SetBroker(b.Addr(), b.BrokerID()),
	}
}
