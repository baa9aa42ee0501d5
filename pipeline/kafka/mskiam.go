package kafka

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/aws/aws-msk-iam-sasl-signer-go/signer"
)

// mskToken is a sarama.AccessTokenProvider for AWS MSK IAM: the token is a
// SigV4-presigned kafka-cluster:Connect request made by AWS's signer
// library (github.com/aws/aws-msk-iam-sasl-signer-go) from the default
// credential chain (environment, web identity / IRSA, ECS, EC2 instance
// metadata), sent over SASL/OAUTHBEARER. A token lives 15 minutes; it is
// reused until a minute before it expires, so that a reconnect storm does
// not sign (or fetch credentials) once per connection.
type mskToken struct {
	region string
	gen    func(ctx context.Context, region string) (string, int64, error)
	now    func() time.Time

	mu     sync.Mutex
	token  string
	expiry time.Time
}

// mskRefreshBefore is how long before its expiry a token is replaced.
const mskRefreshBefore = time.Minute

func newMSKToken(region string) *mskToken {
	return &mskToken{region: region, gen: signer.GenerateAuthToken, now: time.Now}
}

// Token returns a token valid for at least mskRefreshBefore.
func (m *mskToken) Token() (*sarama.AccessToken, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.token == "" || m.now().Add(mskRefreshBefore).After(m.expiry) {
		// sarama asks that Token not block indefinitely.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		tok, expiryMs, err := m.gen(ctx, m.region)
		if err != nil {
			return nil, fmt.Errorf("aws msk iam token: %w", err)
		}
		m.token, m.expiry = tok, time.UnixMilli(expiryMs)
	}
	return &sarama.AccessToken{Token: m.token}, nil
}
