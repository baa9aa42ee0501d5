package kafka

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"github.com/IBM/sarama"
)

// scramClient is a SCRAM-SHA-256/512 client (RFC 5802, RFC 7677) for sarama,
// on the standard library only. It supports no channel binding ("n,,") and
// authorization ids, as Kafka does not use them.
type scramClient struct {
	newHash func() hash.Hash
	nonce   func() (string, error)

	user, pass  string
	clientNonce string
	firstBare   string
	serverSig   []byte
	step        int
	done        bool
}

// newSCRAM returns a generator of SCRAM clients for the mechanism, for
// sarama's Net.SASL.SCRAMClientGeneratorFunc.
func newSCRAM(mechanism sarama.SASLMechanism) func() sarama.SCRAMClient {
	h := sha256.New
	if mechanism == sarama.SASLTypeSCRAMSHA512 {
		h = sha512.New
	}
	return func() sarama.SCRAMClient { return &scramClient{newHash: h, nonce: randomNonce} }
}

func randomNonce() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawStdEncoding.EncodeToString(b), nil
}

// Begin starts a conversation for user and password.
func (c *scramClient) Begin(user, pass, _ string) error {
	n, err := c.nonce()
	if err != nil {
		return fmt.Errorf("scram nonce: %w", err)
	}
	c.user, c.pass, c.clientNonce = user, pass, n
	c.step, c.done = 0, false
	return nil
}

// Step answers the server's challenge.
func (c *scramClient) Step(challenge string) (string, error) {
	c.step++
	switch c.step {
	case 1:
		name := strings.NewReplacer("=", "=3D", ",", "=2C").Replace(c.user)
		c.firstBare = "n=" + name + ",r=" + c.clientNonce
		return "n,," + c.firstBare, nil
	case 2:
		return c.final(challenge)
	case 3:
		c.done = true
		attrs := parseSCRAM(challenge)
		if e, ok := attrs["e"]; ok {
			return "", fmt.Errorf("scram: server refused authentication: %s", e)
		}
		v, err := base64.StdEncoding.DecodeString(attrs["v"])
		if err != nil || subtle.ConstantTimeCompare(v, c.serverSig) != 1 {
			return "", errors.New("scram: server signature does not verify")
		}
		return "", nil
	}
	return "", errors.New("scram: unexpected extra step")
}

// final computes the client-final message from the server-first message.
func (c *scramClient) final(serverFirst string) (string, error) {
	attrs := parseSCRAM(serverFirst)
	nonce, salt64, iters := attrs["r"], attrs["s"], attrs["i"]
	if !strings.HasPrefix(nonce, c.clientNonce) || len(nonce) == len(c.clientNonce) {
		return "", errors.New("scram: server nonce does not extend the client nonce")
	}
	salt, err := base64.StdEncoding.DecodeString(salt64)
	if err != nil {
		return "", errors.New("scram: bad salt")
	}
	n, err := strconv.Atoi(iters)
	if err != nil || n < 1 {
		return "", errors.New("scram: bad iteration count")
	}
	salted, err := pbkdf2.Key(c.newHash, c.pass, salt, n, c.newHash().Size())
	if err != nil {
		return "", fmt.Errorf("scram: derive key: %w", err)
	}
	clientKey := c.mac(salted, "Client Key")
	h := c.newHash()
	h.Write(clientKey)
	storedKey := h.Sum(nil)
	withoutProof := "c=biws,r=" + nonce
	authMsg := c.firstBare + "," + serverFirst + "," + withoutProof
	sig := c.mac(storedKey, authMsg)
	proof := make([]byte, len(clientKey))
	for i := range proof {
		proof[i] = clientKey[i] ^ sig[i]
	}
	serverKey := c.mac(salted, "Server Key")
	c.serverSig = c.mac(serverKey, authMsg)
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof), nil
}

func (c *scramClient) mac(key []byte, msg string) []byte {
	m := hmac.New(c.newHash, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// Done reports whether the conversation is over.
func (c *scramClient) Done() bool { return c.done }

// parseSCRAM splits "a=1,b=2" into attributes.
func parseSCRAM(s string) map[string]string {
	attrs := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			attrs[k] = v
		}
	}
	return attrs
}
