package kafka

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"
)

// The bounds on the PBKDF2 iteration count a broker may ask for. RFC 7677
// and Kafka's own minimum are 4096: fewer makes a stolen exchange cheap to
// brute-force. The cap stops a hostile or misconfigured broker from making
// every connection spend seconds of CPU (Kafka's maximum is 16384; the cap
// leaves room for brokers configured far above it).
const (
	scramMinIterations = 4096
	scramMaxIterations = 1_000_000
)

// scramClient adapts github.com/xdg-go/scram to sarama.SCRAMClient, the
// route sarama documents (Net.SASL.SCRAMClientGeneratorFunc). The library
// enforces the minimum iteration count; the maximum is checked here on the
// server-first message before the library derives any key from it.
type scramClient struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
	step int
}

// newSCRAM returns a generator of SCRAM clients for the mechanism.
func newSCRAM(mechanism sarama.SASLMechanism) func() sarama.SCRAMClient {
	h := scram.SHA256
	if mechanism == sarama.SASLTypeSCRAMSHA512 {
		h = scram.SHA512
	}
	return func() sarama.SCRAMClient { return &scramClient{hash: h} }
}

// Begin starts a conversation for user and password.
func (c *scramClient) Begin(user, pass, authzID string) error {
	cl, err := c.hash.NewClient(user, pass, authzID)
	if err != nil {
		return fmt.Errorf("scram: %w", err)
	}
	c.conv = cl.WithMinIterations(scramMinIterations).NewConversation()
	c.step = 0
	return nil
}

// Step answers the server's challenge. The second step receives the
// server-first message, whose iteration count is bounded before use.
func (c *scramClient) Step(challenge string) (string, error) {
	if c.conv == nil {
		return "", errors.New("scram: Step before Begin")
	}
	c.step++
	if c.step == 2 {
		if err := checkIterations(challenge); err != nil {
			return "", err
		}
	}
	return c.conv.Step(challenge)
}

// Done reports whether the conversation is over.
func (c *scramClient) Done() bool { return c.conv != nil && c.conv.Done() }

// checkIterations refuses a server-first message ("r=...,s=...,i=N")
// whose iteration count is above scramMaxIterations. Missing or malformed
// counts are left to the library, which refuses them.
func checkIterations(serverFirst string) error {
	for _, attr := range strings.Split(serverFirst, ",") {
		v, ok := strings.CutPrefix(attr, "i=")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		if err == nil && n > scramMaxIterations {
			return fmt.Errorf("scram: server asks for %d iterations, more than the cap of %d", n, scramMaxIterations)
		}
	}
	return nil
}
