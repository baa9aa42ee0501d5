package pipeline

import (
	"errors"
	"fmt"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/decision"
)

// errNoPartitions reports an output topic without partitions.
var errNoPartitions = errors.New("output topic has no partitions")

// topicPartitions returns the partition count of an output topic.
func topicPartitions(client sarama.Client, topic string) (int32, error) {
	ps, err := client.Partitions(topic)
	if err != nil {
		return 0, fmt.Errorf("output topic %s (create it with `scrubd topics`): %w", topic, err)
	}
	if len(ps) == 0 {
		return 0, fmt.Errorf("output topic %s: %w", topic, errNoPartitions)
	}
	return int32(len(ps)), nil
}

// newOutputs reads the partition counts of the clean and residency topics.
func newOutputs(client sarama.Client, clean string, residency map[string]string) (decision.Outputs, error) {
	n, err := topicPartitions(client, clean)
	if err != nil {
		return decision.Outputs{}, err
	}
	o := decision.Outputs{Clean: decision.Output{Topic: clean, Partitions: n}, Residency: map[string]decision.Output{}}
	for j, topic := range residency {
		n, err := topicPartitions(client, topic)
		if err != nil {
			return decision.Outputs{}, fmt.Errorf("residency topic of %s: %w", j, err)
		}
		o.Residency[j] = decision.Output{Topic: topic, Partitions: n}
	}
	return o, nil
}
