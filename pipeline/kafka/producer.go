package kafka

import "github.com/IBM/sarama"

// SamePartitionProducer returns an idempotent synchronous producer, built
// on a copy of sc, that writes each message to the partition it names: for
// the tools that rewrite records of a compacted topic under their own key
// (privacy compact-requests, vault rewrap), where another partition would
// leave the old record beside the new one.
func SamePartitionProducer(brokers []string, sc *sarama.Config) (sarama.SyncProducer, error) {
	pc := *sc
	pc.Producer.Idempotent = true
	pc.Net.MaxOpenRequests = 1
	pc.Producer.RequiredAcks = sarama.WaitForAll
	pc.Producer.Retry.Max = 10
	pc.Producer.Partitioner = sarama.NewManualPartitioner
	pc.Producer.Return.Successes = true
	return sarama.NewSyncProducer(brokers, &pc)
}
