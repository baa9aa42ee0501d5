package pipeline

import (
	"fmt"

	"github.com/IBM/sarama"
)

// output is a clean topic and its partition count.
type output struct {
	topic string
	parts int32
}

// outputs routes clean records: to the residency topic of their
// jurisdiction when it has one, else to the clean topic. Records of a
// source partition p go to partition p modulo the output's partitions, so
// that the order of a source partition is kept.
type outputs struct {
	clean     output
	residency map[string]output // by jurisdiction
}

// of returns the output of a record of jurisdiction j ("" when unknown).
func (o outputs) of(j string) output {
	if r, ok := o.residency[j]; ok {
		return r
	}
	return o.clean
}

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
func newOutputs(client sarama.Client, clean string, residency map[string]string) (outputs, error) {
	n, err := topicPartitions(client, clean)
	if err != nil {
		return outputs{}, err
	}
	o := outputs{clean: output{topic: clean, parts: n}, residency: map[string]output{}}
	for j, topic := range residency {
		n, err := topicPartitions(client, topic)
		if err != nil {
			return outputs{}, fmt.Errorf("residency topic of %s: %w", j, err)
		}
		o.residency[j] = output{topic: topic, parts: n}
	}
	return o, nil
}
