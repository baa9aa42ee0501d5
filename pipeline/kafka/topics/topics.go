// Package topics creates the topics a configuration names, with partitions,
// replication, retention and cleanup policy chosen by each topic's data
// class, and reports how existing topics differ. Ensure is idempotent.
package topics

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/config"
)

// Data classes of topics.
const (
	ClassPersonal     = "personal"
	ClassPseudonymous = "pseudonymous"
	ClassAggregate    = "aggregate"
)

// Spec is a topic as it should be.
type Spec struct {
	// Name is the topic name.
	Name string
	// Class is the data class of the records in it.
	Class string
	// Partitions and Replication are used when creating it.
	Partitions  int32
	Replication int16
	// Configs are the topic configs it is created with and checked
	// against (retention.ms, cleanup.policy).
	Configs map[string]string
}

// changelogConfigs are the settings of the aggregates changelog: compacted,
// with segments rolled every hour so that the cleaner keeps the part a
// restore reads small. Tombstones stay for the broker's
// delete.retention.ms (24 h by default), far longer than a restore takes.
var changelogConfigs = map[string]string{"cleanup.policy": "compact", "segment.ms": "3600000", "min.cleanable.dirty.ratio": "0.1"}

// Specs returns the topics of c: the inputs and the dead-letter topic are
// personal (deleted after the personal retention), the vault is personal
// and compacted (a pseudonym keeps its latest mapping until erased), the
// clean topic and the residency topics are pseudonymous, the aggregates
// topic and, with aggregates on, their changelog (compacted) aggregate.
func Specs(c *config.Config) []Spec {
	cr := c.Topics.Create
	ms := func(d config.Duration) string { return strconv.FormatInt(d.D().Milliseconds(), 10) }
	minISR := strconv.Itoa(int(cr.MinISR()))
	spec := func(name, class string, configs map[string]string) Spec {
		// Every topic: an acknowledged record is on min.insync.replicas
		// brokers (2 of 3 by default), whatever the broker's default.
		configs["min.insync.replicas"] = minISR
		return Spec{Name: name, Class: class, Partitions: cr.Partitions, Replication: cr.ReplicationFactor, Configs: configs}
	}
	del := func(d config.Duration) map[string]string {
		return map[string]string{"cleanup.policy": "delete", "retention.ms": ms(d)}
	}
	var specs []Spec
	for _, in := range c.Topics.Input {
		specs = append(specs, spec(in, ClassPersonal, del(cr.PersonalRetention)))
	}
	specs = append(specs,
		spec(c.Topics.Clean, ClassPseudonymous, del(cr.PseudonymousRetention)),
		spec(c.Topics.DeadLetter, ClassPersonal, del(cr.PersonalRetention)),
	)
	for _, j := range slices.Sorted(maps.Keys(c.Topics.Residency)) {
		specs = append(specs, spec(c.Topics.Residency[j], ClassPseudonymous, del(cr.PseudonymousRetention)))
	}
	if c.Topics.Aggregates != "" {
		specs = append(specs, spec(c.Topics.Aggregates, ClassAggregate, del(cr.AggregateRetention)))
	}
	if c.Aggregates.Enabled {
		specs = append(specs, spec(c.ChangelogTopic(), ClassAggregate, maps.Clone(changelogConfigs)))
	}
	if c.Topics.Vault != "" {
		// Compacted, and compacted soon: an erased subject's records
		// disappear from the log within a day (crypto-shredding makes
		// them unreadable at once).
		specs = append(specs, spec(c.Topics.Vault, ClassPersonal, map[string]string{
			"cleanup.policy": "compact", "max.compaction.lag.ms": "86400000", "segment.ms": "3600000",
			"min.cleanable.dirty.ratio": "0.1", "delete.retention.ms": "86400000",
		}))
	}
	if c.Privacy.Enabled && c.Privacy.Topic != "" {
		// The latest request per subject key stays for ever.
		specs = append(specs, spec(c.Privacy.Topic, ClassPersonal, map[string]string{"cleanup.policy": "compact"}))
	}
	if c.Shadow.Topic != "" {
		specs = append(specs, spec(c.Shadow.Topic, ClassAggregate, del(cr.AggregateRetention)))
	}
	return specs
}

// Status is what Ensure found or did for one topic.
type Status struct {
	// Spec is the topic.
	Spec Spec
	// Created is true when Ensure created it.
	Created bool
	// Mismatches describe how an existing topic differs from Spec.
	Mismatches []string
}

// Admin is the part of sarama.ClusterAdmin Ensure uses.
type Admin interface {
	ListTopics() (map[string]sarama.TopicDetail, error)
	CreateTopic(topic string, detail *sarama.TopicDetail, validateOnly bool) error
}

// Ensure creates the topics of specs that do not exist and compares the
// others with their spec. It changes no existing topic.
func Ensure(admin Admin, specs []Spec) ([]Status, error) {
	existing, err := admin.ListTopics()
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	var out []Status
	for _, s := range specs {
		st := Status{Spec: s}
		d, ok := existing[s.Name]
		if !ok {
			entries := map[string]*string{}
			for k, v := range s.Configs {
				entries[k] = &v
			}
			err := admin.CreateTopic(s.Name, &sarama.TopicDetail{NumPartitions: s.Partitions, ReplicationFactor: s.Replication, ConfigEntries: entries}, false)
			if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
				return out, fmt.Errorf("create topic %s: %w", s.Name, err)
			}
			st.Created = err == nil
			out = append(out, st)
			continue
		}
		if d.NumPartitions < s.Partitions {
			st.Mismatches = append(st.Mismatches, fmt.Sprintf("partitions %d, fewer than %d", d.NumPartitions, s.Partitions))
		}
		if d.ReplicationFactor != s.Replication {
			st.Mismatches = append(st.Mismatches, fmt.Sprintf("replication factor %d, want %d", d.ReplicationFactor, s.Replication))
		}
		keys := make([]string, 0, len(s.Configs))
		for k := range s.Configs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			want := s.Configs[k]
			got, ok := d.ConfigEntries[k]
			switch {
			case !ok || got == nil:
				st.Mismatches = append(st.Mismatches, fmt.Sprintf("%s unknown, want %s", k, want))
			case *got != want:
				st.Mismatches = append(st.Mismatches, fmt.Sprintf("%s=%s, want %s", k, *got, want))
			}
		}
		out = append(out, st)
	}
	return out, nil
}
