package topics

import (
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/scrubd/scrubd/pipeline/config"
)

// TestEnsureIdempotent creates the topics on the embedded broker, then finds
// them as configured; a topic with other settings is reported.
func TestEnsureIdempotent(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.CreateTopic("logs.dlq", 1, map[string]string{"retention.ms": "1000"}); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Topics.Create.ReplicationFactor = 1
	cfg.Topics.Residency = map[string]string{"EEA": "logs.clean.eea", "US": "logs.clean.us"}
	cfg.Aggregates.Enabled = true
	sc := sarama.NewConfig()
	sc.Version = sarama.V3_6_0_0
	admin, err := sarama.NewClusterAdmin(c.ListenAddrs(), sc)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	specs := Specs(cfg)
	classes := map[string]string{}
	for _, s := range specs {
		classes[s.Name] = s.Class
	}
	if classes["logs.clean"] != ClassPseudonymous || classes["logs.raw"] != ClassPersonal || classes["logs.aggregates"] != ClassAggregate || specs[len(specs)-1].Configs["cleanup.policy"] != "compact" {
		t.Fatalf("classes %v", classes)
	}
	if classes["logs.clean.eea"] != ClassPseudonymous || classes["logs.clean.us"] != ClassPseudonymous || classes["logs.aggregates.changelog"] != ClassAggregate {
		t.Fatalf("residency and changelog topics: classes %v", classes)
	}
	for _, s := range specs {
		if s.Name == "logs.aggregates.changelog" && s.Configs["cleanup.policy"] != "compact" {
			t.Fatalf("changelog configs %v", s.Configs)
		}
	}
	first, err := Ensure(admin, specs)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range first {
		if st.Spec.Name == "logs.dlq" {
			if st.Created || len(st.Mismatches) == 0 {
				t.Errorf("logs.dlq: created %v, mismatches %v; want its partitions and retention reported", st.Created, st.Mismatches)
			}
		} else if !st.Created {
			t.Errorf("%s not created", st.Spec.Name)
		}
	}
	second, err := Ensure(admin, specs)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range second {
		if st.Created {
			t.Errorf("%s created twice", st.Spec.Name)
		}
		if st.Spec.Name != "logs.dlq" && len(st.Mismatches) > 0 {
			t.Errorf("%s: mismatches %v after creating it", st.Spec.Name, st.Mismatches)
		}
	}
}

// TestSpecsMinInsyncReplicas: every topic is created with
// min.insync.replicas one less than its replication factor (2 of 3), at
// least 1, unless topics.create.min_insync_replicas says otherwise.
func TestSpecsMinInsyncReplicas(t *testing.T) {
	for _, tc := range []struct {
		rf, set int16
		want    string
	}{{3, 0, "2"}, {1, 0, "1"}, {2, 0, "1"}, {5, 0, "4"}, {3, 3, "3"}, {3, 1, "1"}} {
		cfg := config.Default()
		cfg.Topics.Create.ReplicationFactor, cfg.Topics.Create.MinInsyncReplicas = tc.rf, tc.set
		cfg.Aggregates.Enabled = true
		cfg.Privacy.Enabled, cfg.Privacy.Topic = true, "privacy.requests"
		for _, s := range Specs(cfg) {
			if got := s.Configs["min.insync.replicas"]; got != tc.want {
				t.Errorf("replication %d, min_insync_replicas %d: %s has min.insync.replicas %q, want %q", tc.rf, tc.set, s.Name, got, tc.want)
			}
		}
	}
}
