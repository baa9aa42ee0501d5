package main

import (
	"bytes"
	"context"
	"crypto/sha256"
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
	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/pipeline/vault"
	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/keyring"
)

// vaultFixture is a broker with a vault topic, a configuration whose
// policy has HMAC key k1, and a master key directory.
type vaultFixture struct {
	addrs      []string
	config     string
	masterKeys string
	keys       *rules.Keyring
	engine     *rules.Engine
}

func newVaultFixture(t *testing.T) *vaultFixture {
	t.Helper()
	// Route sarama's process-wide logger now, before the fixture's own
	// sarama clients start goroutines that read it.
	kafka.NewLogger(io.Discard, config.Log{Level: "warn"})
	c, err := embedded.Start([]embedded.Topic{{Name: vault.DefaultTopic, Partitions: 3}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hmacKey := strings.Repeat("k", 40)
	write("keys/k1", hmacKey)
	write("policy.yaml", "keys: {dir: keys, active: k1}\n")
	cfg := write("scrubd.yaml", fmt.Sprintf("kafka: {brokers: [%s]}\npolicy_file: policy.yaml\n", strings.Join(c.Addrs(), ", ")))
	for _, id := range []string{"m1", "m2"} {
		sum := sha256.Sum256([]byte(id))
		write("master/"+id, fmt.Sprintf("%x\n", sum))
	}
	keys, err := keyring.New("k1", map[string][]byte{"k1": []byte(hmacKey)})
	if err != nil {
		t.Fatal(err)
	}
	e, err := rules.Compile(rules.Default(), keys)
	if err != nil {
		t.Fatal(err)
	}
	return &vaultFixture{addrs: c.Addrs(), config: cfg, masterKeys: filepath.Join(dir, "master"), keys: keys, engine: e}
}

// write scrubs records and writes their vault records in one transaction,
// as the pipeline would, under master key active.
func (f *vaultFixture) write(t *testing.T, active string, records ...string) *vault.Vault {
	t.Helper()
	mk, err := vault.LoadMasterKeys(vault.KeyConfig{Dir: f.masterKeys, Active: active}, "")
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(vault.Options{Master: mk, Partitions: 3})
	if err != nil {
		t.Fatal(err)
	}
	w := v.Writer("logs.raw", 0)
	var msgs []*record.Record
	for _, r := range records {
		var res rules.Result
		if _, err := f.engine.Scrub(nil, []byte(r), &res); err != nil {
			t.Fatal(err)
		}
		if msgs, err = w.Append(msgs, &res); err != nil {
			t.Fatal(err)
		}
	}
	f.commit(t, msgs)
	return v
}

func (f *vaultFixture) commit(t *testing.T, recs []*record.Record) {
	t.Helper()
	sc := sarama.NewConfig()
	sc.Version = sarama.V3_6_0_0
	sc.Producer.Idempotent = true
	sc.Producer.Transaction.ID = "vault-cmd-test"
	sc.Net.MaxOpenRequests = 1
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	sc.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(f.addrs, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	msgs := make([]*sarama.ProducerMessage, len(recs))
	for i, r := range recs {
		msgs[i] = kafka.Message(r)
	}
	if err := p.SendMessages(msgs); err != nil {
		t.Fatal(err)
	}
	if err := p.CommitTxn(); err != nil {
		t.Fatal(err)
	}
}

// vault runs `scrubd vault` and returns its exit code and outputs.
func (f *vaultFixture) vault(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := cmdVault(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

func (f *vaultFixture) export(t *testing.T, args ...string) privacy.Access {
	t.Helper()
	code, out, errb := f.vault(t, append([]string{"export", "--config", f.config, "--master-keys", f.masterKeys}, args...)...)
	if code != cli.ExitOK {
		t.Fatalf("export exited %d: %s", code, errb)
	}
	var x privacy.Access
	if err := json.Unmarshal([]byte(out), &x); err != nil {
		t.Fatalf("%v in\n%s", err, out)
	}
	return x
}

func TestVaultExportAndErase(t *testing.T) {
	f := newVaultFixture(t)
	v := f.write(t, "m1", `{"email":"jo@example.com","uid":42}`, `{"email":"al@example.com"}`)

	x := f.export(t, "--subject", "Jo@Example.COM", "--type", "email")
	if len(x.Entries) != 1 || x.Entries[0].Value == nil || *x.Entries[0].Value != "jo@example.com" ||
		x.Entries[0].Type != "email" || x.Entries[0].MasterKey != "m1" || x.DataKeys != 1 || x.Type != "email" {
		t.Fatalf("export: %+v", x)
	}
	p := x.Entries[0].Pseudonym

	// The same through standard input, a file and the pseudonym.
	subj := filepath.Join(t.TempDir(), "subject")
	os.WriteFile(subj, []byte("42\n"), 0o600)
	if x := f.export(t, "--subject-file", subj, "--type", "user_id"); len(x.Entries) != 1 || *x.Entries[0].Value != "42" {
		t.Errorf("subject file: %+v", x)
	}
	if x := f.export(t, "--pseudonym", p); len(x.Entries) != 1 || *x.Entries[0].Value != "jo@example.com" {
		t.Errorf("by pseudonym: %+v", x)
	}
	if x := f.export(t, "--subject", "nobody@example.com", "--type", "email"); len(x.Entries) != 0 || len(x.NotFound) != 1 {
		t.Errorf("unknown subject: %+v", x)
	}

	// Erase, as an erase request would: nothing of the subject is left.
	ps, err := privacy.DefaultTypes().Pseudonyms(f.keys, "email", []byte("jo@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	f.commit(t, v.Erase(nil, ps, []vault.Slot{{Topic: "logs.raw", Partition: 0}}))
	x = f.export(t, "--subject", "jo@example.com", "--type", "email", "--all-partitions")
	if len(x.Entries) != 0 || x.DataKeys != 0 {
		t.Errorf("after erasure: %+v", x)
	}
	if x := f.export(t, "--subject", "al@example.com", "--type", "email"); len(x.Entries) != 1 {
		t.Errorf("other subject: %+v", x)
	}
}

func TestVaultRewrap(t *testing.T) {
	f := newVaultFixture(t)
	f.write(t, "m1", `{"uid":1}`, `{"uid":2}`)
	code, out, errb := f.vault(t, "rewrap", "--config", f.config, "--master-keys", f.masterKeys, "--active", "m2")
	if code != cli.ExitOK || !strings.Contains(out, `"rewrapped":2`) {
		t.Fatalf("rewrap exited %d: %s %s", code, out, errb)
	}
	// m1 can go.
	if err := os.Remove(filepath.Join(f.masterKeys, "m1")); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"1", "2"} {
		x := f.export(t, "--subject", id, "--type", "user_id")
		if len(x.Entries) != 1 || x.Entries[0].Value == nil || *x.Entries[0].Value != id || x.Entries[0].MasterKey != "m2" {
			t.Errorf("user %s after rewrap: %+v", id, x)
		}
	}
}

func TestVaultUsage(t *testing.T) {
	f := newVaultFixture(t)
	base := []string{"--config", f.config, "--master-keys", f.masterKeys}
	for _, c := range []struct {
		args []string
		code int
	}{
		{nil, cli.ExitUsage},
		{[]string{"shred"}, cli.ExitUsage},
		{[]string{"help"}, cli.ExitOK},
		{append([]string{"export"}, base...), cli.ExitUsage},
		{append([]string{"export", "--subject", "x"}, base...), cli.ExitUsage},
		{append([]string{"export", "--subject", "x", "--pseudonym", "y", "--type", "email"}, base...), cli.ExitUsage},
		{append([]string{"export", "--subject", "x", "--subject-file", "y", "--type", "email"}, base...), cli.ExitUsage},
		{append([]string{"export", "--subject", "jo.example.com", "--type", "email"}, base...), cli.ExitUsage},
		{[]string{"export", "--config", f.config, "--subject", "x", "--type", "user_id"}, cli.ExitInvalid},
		{[]string{"export", "--config", f.config, "--master-keys", "/nonexistent", "--subject", "x", "--type", "user_id"}, cli.ExitInvalid},
		{append([]string{"rewrap"}, base...), cli.ExitUsage},
		{append([]string{"rewrap", "--active", "m9"}, base...), cli.ExitInvalid},
	} {
		code, _, errb := f.vault(t, c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (%s)", c.args, code, c.code, errb)
		}
		if strings.Contains(errb, "jo.example.com") {
			t.Errorf("%v: stderr quotes the subject: %s", c.args, errb)
		}
	}
}
