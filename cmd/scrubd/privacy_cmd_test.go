package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/embedded"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/kafka/compacted"
	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/keyring"
)

// TestPrivacyCompactRequests writes requests of every kind to a broker,
// runs `scrubd privacy compact-requests`, and reads the topic back: old
// raw requests are rewritten under their key and partition, recent ones,
// pseudonym-only ones and invalid ones are left, no raw subject is in the
// latest records of rewritten keys, and the rewritten requests still
// suppress their subjects.
func TestPrivacyCompactRequests(t *testing.T) {
	kafka.NewLogger(io.Discard, config.Log{Level: "warn"})
	const topic = "privacy.requests"
	c, err := embedded.Start([]embedded.Topic{{Name: topic, Partitions: 3}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dir := t.TempDir()
	hmacKey := strings.Repeat("k", 40)
	os.MkdirAll(filepath.Join(dir, "keys"), 0o700)
	os.WriteFile(filepath.Join(dir, "keys", "k1"), []byte(hmacKey), 0o600)
	os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte("keys: {dir: keys, active: k1}\n"), 0o600)
	cfg := filepath.Join(dir, "scrubd.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("kafka: {brokers: [%s]}\npolicy_file: policy.yaml\nprivacy: {topic: %s}\n", strings.Join(c.Addrs(), ", "), topic)), 0o600)
	keys, err := keyring.New("k1", map[string][]byte{"k1": []byte(hmacKey)})
	if err != nil {
		t.Fatal(err)
	}

	old := time.Now().Add(-48 * time.Hour).Truncate(time.Millisecond)
	pseudo, _, _ := privacy.CompactRequest([]byte(`{"subject":"cy@example.com","type":"email","action":"restrict"}`), old, privacy.DefaultTypes(), keys)
	reqs := []struct {
		key, value string
		part       int32
		at         time.Time
	}{
		{"email:jo", `{"subject":"jo@example.com","type":"email","action":"erase"}`, 0, old},
		{"email:jo", `{"subject":"jo@example.com","type":"email","action":"erase","ts":"` + old.Add(time.Minute).Format(time.RFC3339) + `"}`, 0, old.Add(time.Minute)},
		{"phone:al", `{"subject":"+44 20 7946 0958","type":"phone","action":"withdraw_consent"}`, 1, old},
		{"email:new", `{"subject":"new@example.com","type":"email","action":"erase"}`, 2, time.Now()},
		{"email:cy", string(pseudo), 2, old},
		{"bad", `{"subject":"x"}`, 1, old},
	}
	pc := sarama.NewConfig()
	pc.Version = sarama.V3_6_0_0
	pc.Producer.Partitioner = sarama.NewManualPartitioner
	pc.Producer.Return.Successes = true
	prod, err := sarama.NewSyncProducer(c.Addrs(), pc)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		if _, _, err := prod.SendMessage(&sarama.ProducerMessage{Topic: topic, Partition: r.part, Key: sarama.StringEncoder(r.key), Value: sarama.StringEncoder(r.value), Timestamp: r.at}); err != nil {
			t.Fatal(err)
		}
	}
	prod.Close()

	run := func(args ...string) privacy.CompactStats {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), append([]string{"privacy", "compact-requests", "--config", cfg}, args...), nil, &stdout, &stderr); code != cli.ExitOK {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		if strings.Contains(stdout.String()+stderr.String(), "example.com") {
			t.Fatalf("output holds a subject: %s %s", stdout.String(), stderr.String())
		}
		var st privacy.CompactStats
		if err := json.Unmarshal(stdout.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	want := privacy.CompactStats{Topic: topic, Keys: 5, Rewritten: 2, Already: 1, TooRecent: 1, Rejected: 1, DryRun: true}
	if st := run("--dry-run"); st != want {
		t.Fatalf("dry run %+v, want %+v", st, want)
	}
	if n := len(readAll(t, c.Addrs(), topic)); n != len(reqs) {
		t.Fatalf("the dry run wrote: %d records", n)
	}
	want.DryRun = false
	if st := run(); st != want {
		t.Fatalf("stats %+v, want %+v", st, want)
	}

	latest := map[string]*record.Record{}
	set, err := privacy.NewSet(keys, privacy.SetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range readAll(t, c.Addrs(), topic) {
		latest[string(m.Key)] = m
		if _, err := set.Apply(privacy.Record{Key: m.Key, Value: m.Value, Partition: m.Partition, Offset: m.Offset, Timestamp: m.Timestamp}); err != nil && string(m.Key) != "bad" {
			t.Fatalf("%s: %v", m.Key, err)
		}
	}
	for key, part := range map[string]int32{"email:jo": 0, "phone:al": 1} {
		m := latest[key]
		if m.Partition != part || bytes.Contains(m.Value, []byte("subject")) || !bytes.Contains(m.Value, []byte(`"pseudonyms"`)) {
			t.Errorf("%s: latest in partition %d is %s", key, m.Partition, m.Value)
		}
	}
	if !bytes.Contains(latest["email:jo"].Value, []byte(old.Add(time.Minute).UTC().Format(time.RFC3339))) {
		t.Errorf("the request time was not kept: %s", latest["email:jo"].Value)
	}
	if !bytes.Contains(latest["email:new"].Value, []byte("new@example.com")) {
		t.Error("a recent request was rewritten")
	}
	e, err := rules.Compile(rules.Default(), keys)
	if err != nil {
		t.Fatal(err)
	}
	for rec, want := range map[string]privacy.Action{
		`{"email":"jo@example.com"}`:  privacy.Erase,
		`{"phone":"+442079460958"}`:   privacy.WithdrawConsent,
		`{"email":"cy@example.com"}`:  privacy.Restrict,
		`{"email":"zz@example.com"}`:  "",
		`{"email":"new@example.com"}`: privacy.Erase,
	} {
		var res rules.Result
		if _, err := e.Scrub(nil, []byte(rec), &res); err != nil {
			t.Fatal(err)
		}
		if a, _ := set.Check(&res); a != want {
			t.Errorf("%s: %q, want %q", rec, a, want)
		}
	}
	// A second run finds nothing more to do.
	if st := run(); st.Rewritten != 0 || st.Already != 3 {
		t.Errorf("second run %+v", st)
	}
}

// readAll reads every committed record of topic.
func readAll(t *testing.T, addrs []string, topic string) []*record.Record {
	t.Helper()
	sc := sarama.NewConfig()
	sc.Version = sarama.V3_6_0_0
	sc.Consumer.IsolationLevel = sarama.ReadCommitted
	client, err := sarama.NewClient(addrs, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var out []*record.Record
	err = compacted.Read(context.Background(), compacted.Options{Client: client, Topic: topic}, func(m *record.Record, _ bool) error {
		out = append(out, m)
		return nil
	}, func() {})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
