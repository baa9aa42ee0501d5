package pipeline

import (
	"log"
	"os"
	"testing"

	"github.com/IBM/sarama"
)

func TestMain(m *testing.M) {
	if os.Getenv("SARAMA_DEBUG") != "" {
		sarama.Logger = log.New(os.Stderr, "[sarama] ", log.Lmicroseconds)
	}
	os.Exit(m.Run())
}
