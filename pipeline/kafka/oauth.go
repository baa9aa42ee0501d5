package kafka

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// tokenFile is a sarama.AccessTokenProvider that reads the OAUTHBEARER
// token from a file kept fresh by something else (a projected service
// account token, an OAuth sidecar, a CronJob). sarama asks for a token at
// every connection; the file is read again only when its modification time
// or size changed, so reconnect storms do not re-read it, and a rotated
// token is used from the next connection on.
type tokenFile struct {
	path string

	mu    sync.Mutex
	mod   time.Time
	size  int64
	token string
}

func newTokenFile(path string) *tokenFile { return &tokenFile{path: path} }

// Token returns the file's token, read again if the file changed. The
// token never appears in an error.
func (f *tokenFile) Token() (*sarama.AccessToken, error) {
	fi, err := os.Stat(f.path)
	if err != nil {
		return nil, fmt.Errorf("oauthbearer token file: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.token == "" || !fi.ModTime().Equal(f.mod) || fi.Size() != f.size {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return nil, fmt.Errorf("oauthbearer token file: %w", err)
		}
		tok := string(bytes.TrimSpace(b))
		if tok == "" {
			return nil, errors.New("oauthbearer token file " + f.path + " is empty")
		}
		f.token, f.mod, f.size = tok, fi.ModTime(), fi.Size()
	}
	return &sarama.AccessToken{Token: f.token}, nil
}
