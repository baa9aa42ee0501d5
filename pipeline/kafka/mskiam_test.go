package kafka

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/aws/aws-msk-iam-sasl-signer-go/signer"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/scrubd/scrubd/pipeline/config"
)

// decodeMSKToken checks that tok is AWS's presigned kafka-cluster:Connect
// request for region, signed with access key akid.
func decodeMSKToken(t *testing.T, tok, region, akid string) {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatalf("token is not base64url: %v", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "kafka."+region+".amazonaws.com" || q.Get("Action") != "kafka-cluster:Connect" ||
		q.Get("X-Amz-Signature") == "" || !strings.HasPrefix(q.Get("X-Amz-Credential"), akid+"/") {
		t.Errorf("token is not a signed MSK connect request: %s", raw)
	}
}

// TestMSKTokenCached: a token is signed once and reused until a minute
// before it expires, then signed again.
func TestMSKTokenCached(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	calls := 0
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "")
	m := &mskToken{region: "eu-west-1", now: func() time.Time { return now }, gen: func(ctx context.Context, region string) (string, int64, error) {
		calls++
		tok, _, err := signer.GenerateAuthTokenFromCredentialsProvider(ctx, region, creds)
		return tok, now.Add(15 * time.Minute).UnixMilli(), err
	}}
	first, err := m.Token()
	if err != nil {
		t.Fatal(err)
	}
	decodeMSKToken(t, first.Token, "eu-west-1", "AKIDEXAMPLE")
	now = now.Add(13 * time.Minute)
	if _, err := m.Token(); err != nil || calls != 1 {
		t.Fatalf("a token with 2 minutes left was signed again (%d calls, %v)", calls, err)
	}
	now = now.Add(90 * time.Second)
	if _, err := m.Token(); err != nil || calls != 2 {
		t.Fatalf("a token with 30 s left was reused (%d calls, %v)", calls, err)
	}
}

// TestMSKIAMOnTheWire configures AWS_MSK_IAM with credentials in the
// environment (the default chain's first source) and checks that the
// broker receives a signed token over OAUTHBEARER and TLS.
func TestMSKIAMOnTheWire(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENVEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secretsecretsecretsecret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	serverTLS, caPath := testCA(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", serverTLS)
	if err != nil {
		t.Fatal(err)
	}
	b := sarama.NewMockBrokerListener(t, 1, ln)
	defer b.Close()
	b.SetHandlerByMap(oauthHandlers(t, b))
	cfg := config.Default()
	cfg.Kafka.Brokers = []string{b.Addr()}
	cfg.Kafka.TLS.CAFile = caPath
	cfg.Kafka.SASL = config.SASL{Mechanism: config.SASLAWSMSKIAM, AWSRegion: "us-east-1"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	sc, err := Admin(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sc.Metadata.Retry.Max = 0
	client, err := sarama.NewClient(cfg.Kafka.Brokers, sc)
	if err != nil {
		t.Fatal(err)
	}
	client.Close()
	sent := lastAuthBytes(b)
	_, after, ok := strings.Cut(sent, "auth=Bearer ")
	tok, _, ok2 := strings.Cut(after, "\x01")
	if !ok || !ok2 {
		t.Fatalf("no bearer token sent: %q", sent)
	}
	decodeMSKToken(t, tok, "us-east-1", "AKIDENVEXAMPLE")
}
