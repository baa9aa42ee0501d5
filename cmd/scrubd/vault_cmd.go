package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/kafka/compacted"
	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/pipeline/vault"
	"github.com/scrubd/scrubd/rules"
)

const vaultUsage = `scrubd vault reads the identity vault.

Usage:
  scrubd vault export --config FILE --master-keys DIR (--subject VALUE | --subject-file FILE) --type TYPE
  scrubd vault export --config FILE --master-keys DIR --pseudonym P [--pseudonym P ...]
  scrubd vault rewrap --config FILE --master-keys DIR --active ID

export writes, as JSON on standard output, everything the vault holds for
one data subject (the right of access): each pseudonym with its original
value, decrypted. TYPE is a request type: user_id, email, phone, device_id.
--subject puts the identifier on the command line, where other users of the
machine and the shell history can see it; --subject-file (- for standard
input) does not.

rewrap wraps every data key again with the master key ID, so that the other
master keys can be retired once the topic is compacted.

--master-keys is a directory with one file per master key id (32 bytes, hex
or base64). The HMAC keys of the configuration's policy find the subject's
pseudonyms.
`

// cmdVault implements `scrubd vault export` and `scrubd vault rewrap`. It
// exits 0 on success, 2 on a bad command line, 78 when the configuration or
// the keys are invalid and 1 when Kafka fails.
func cmdVault(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, vaultUsage)
		return cli.ExitUsage
	}
	switch args[0] {
	case "export":
		return vaultExport(ctx, args[1:], stdout, stderr)
	case "rewrap":
		return vaultRewrap(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, vaultUsage)
		return cli.ExitOK
	}
	fmt.Fprintf(stderr, "scrubd vault: unknown command %q\n\n%s", args[0], vaultUsage)
	return cli.ExitUsage
}

// vaultFlags are the flags both vault commands take.
type vaultFlags struct {
	config     *string
	masterKeys *string
	timeout    *time.Duration
}

func newVaultFlags(name string, stderr io.Writer) (*flag.FlagSet, vaultFlags) {
	fs := cli.NewFlags("vault "+name, vaultUsage, stderr)
	return fs, vaultFlags{
		config:     fs.String("config", "", "configuration `file` (keys overridable by SCRUBD_<PATH> variables)"),
		masterKeys: fs.String("master-keys", "", "`directory` with one file per vault master key id"),
		timeout:    fs.Duration("timeout", 5*time.Minute, "give up after this `duration`"),
	}
}

// vaultEnv is what both vault commands load.
type vaultEnv struct {
	topic   string
	brokers []string
	client  *sarama.Config
	keys    *rules.Keyring
	master  *vault.MasterKeys
}

// loadVaultEnv loads the configuration, the policy's HMAC keys and the
// master keys, with active as the active one (none: unwrap only).
func loadVaultEnv(f vaultFlags, active string) (*vaultEnv, error) {
	if *f.masterKeys == "" {
		return nil, errors.New("--master-keys is required")
	}
	cfg, err := config.LoadValid(*f.config, os.Getenv)
	if err != nil {
		return nil, err
	}
	pol, err := cfg.LoadPolicy()
	if err != nil {
		return nil, err
	}
	keys, _, err := rules.LoadKeys(pol.Keys, rules.LookupKeys, os.Getenv, nil)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	load := vault.LoadMasterKeys
	if active == "" {
		load = vault.LoadUnwrapKeys
	}
	master, err := load(vault.KeyConfig{Dir: *f.masterKeys, Active: active}, "")
	if err != nil {
		return nil, err
	}
	sc, err := kafka.Base(cfg)
	if err != nil {
		return nil, err
	}
	topic := cfg.Topics.Vault
	if topic == "" {
		topic = vault.DefaultTopic
	}
	return &vaultEnv{topic: topic, brokers: cfg.Kafka.Brokers, client: sc, keys: keys, master: master}, nil
}

// exportOutput is the JSON document `scrubd vault export` writes.
type exportOutput struct {
	// Type is the request type the subject was given with.
	Type string `json:"type,omitempty"`
	// Pseudonyms are the subject's pseudonyms looked up.
	Pseudonyms []string      `json:"pseudonyms"`
	Entries    []exportEntry `json:"entries"`
	// NotFound lists the pseudonyms the vault holds nothing for.
	NotFound []string `json:"not_found"`
	// DataKeys counts the subject's data keys; zero after an erasure.
	DataKeys   int       `json:"data_keys"`
	Topic      string    `json:"topic"`
	ExportedAt time.Time `json:"exported_at"`
}

type exportEntry struct {
	Type      string `json:"type"`
	Pseudonym string `json:"pseudonym"`
	// Value is the original value; ValueBase64 replaces it when it is not
	// UTF-8. Both are empty when Problem says why it cannot be read.
	Value       *string   `json:"value,omitempty"`
	ValueBase64 []byte    `json:"value_base64,omitempty"`
	Written     time.Time `json:"written"`
	DataKey     string    `json:"data_key"`
	MasterKey   string    `json:"master_key,omitempty"`
	Problem     string    `json:"problem,omitempty"`
}

// vaultExport implements `scrubd vault export`.
func vaultExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, f := newVaultFlags("export", stderr)
	subject := fs.String("subject", "", "the subject's raw `identifier`")
	subjectFile := fs.String("subject-file", "", "read the identifier from `file` (- for standard input)")
	typ := fs.String("type", "", "the identifier's request `type`: user_id, email, phone, device_id")
	all := fs.Bool("all-partitions", false, "read every partition of the vault topic")
	var pseudonyms stringList
	fs.Var(&pseudonyms, "pseudonym", "look up this `pseudonym` (repeatable)")
	rest, code, stop := cli.ParseFlags(fs, args, stdout)
	if stop {
		return code
	}
	raw, err := readSubject(*subject, *subjectFile)
	defer clear(raw)
	if err != nil || len(rest) > 0 || (raw == nil) == (len(pseudonyms) == 0) || (raw != nil) != (*typ != "") {
		fmt.Fprintln(stderr, "scrubd vault export: give --subject (or --subject-file) with --type, or --pseudonym")
		if err != nil {
			fmt.Fprintf(stderr, "scrubd vault export: %v\n", err)
		}
		return cli.ExitUsage
	}
	env, err := loadVaultEnv(f, "")
	if err != nil {
		return cli.Fail(stderr, "vault export", config.Invalid(err))
	}
	out := exportOutput{Type: *typ, Topic: env.topic, Pseudonyms: pseudonyms, Entries: []exportEntry{}, NotFound: []string{}}
	if raw != nil {
		if out.Pseudonyms, err = privacy.DefaultTypes().Pseudonyms(env.keys, *typ, raw); err != nil {
			fmt.Fprintf(stderr, "scrubd vault export: %v\n", err)
			return cli.ExitUsage
		}
	}
	kafka.NewLogger(stderr, config.Log{Level: "warn"})
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	store, err := vault.OpenStore(vault.StoreOptions{Conn: compacted.Conn{Brokers: env.brokers, Config: env.client}, Topic: env.topic, Master: env.master, AllPartitions: *all})
	if err != nil {
		fmt.Fprintf(stderr, "scrubd vault export: %v\n", err)
		return cli.ExitFailed
	}
	defer store.Close()
	x, err := store.Export(ctx, out.Pseudonyms)
	if err != nil {
		fmt.Fprintf(stderr, "scrubd vault export: %v\n", err)
		return cli.ExitFailed
	}
	out.ExportedAt = time.Now().UTC()
	out.DataKeys = x.DataKeys
	out.NotFound = append(out.NotFound, x.Missing...)
	for _, e := range x.Entries {
		ee := exportEntry{Type: e.Type, Pseudonym: e.Pseudonym, Written: e.Written.UTC(), DataKey: e.DataKey, MasterKey: e.MasterKey, Problem: e.Problem}
		switch {
		case e.Value == nil:
		case utf8.Valid(e.Value):
			s := string(e.Value)
			ee.Value = &s
		default:
			ee.ValueBase64 = e.Value
		}
		out.Entries = append(out.Entries, ee)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(stderr, "scrubd vault export: %v\n", err)
		return cli.ExitFailed
	}
	return cli.ExitOK
}

// readSubject returns the identifier given by --subject or --subject-file,
// or nil when neither is set.
func readSubject(subject, file string) ([]byte, error) {
	switch {
	case subject != "" && file != "":
		return nil, errors.New("--subject and --subject-file exclude each other")
	case subject != "":
		return []byte(subject), nil
	case file == "":
		return nil, nil
	}
	var b []byte
	var err error
	if file == "-" {
		b, err = io.ReadAll(io.LimitReader(os.Stdin, privacy.MaxSubjectBytes+2))
	} else {
		b, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, fmt.Errorf("read subject: %w", err)
	}
	v := []byte(strings.TrimRight(string(b), "\r\n"))
	clear(b)
	if len(v) == 0 {
		return nil, errors.New("the subject file is empty")
	}
	return v, nil
}

// vaultRewrap implements `scrubd vault rewrap`.
func vaultRewrap(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, f := newVaultFlags("rewrap", stderr)
	active := fs.String("active", "", "the master key `id` to wrap every data key with")
	rest, code, stop := cli.ParseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if *active == "" || len(rest) > 0 {
		fmt.Fprintln(stderr, "scrubd vault rewrap: --active is required")
		return cli.ExitUsage
	}
	env, err := loadVaultEnv(f, *active)
	if err != nil {
		return cli.Fail(stderr, "vault rewrap", config.Invalid(err))
	}
	log := kafka.NewLogger(stderr, config.Log{Level: "info"})
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	pc := *env.client
	pc.Producer.Idempotent = true
	pc.Net.MaxOpenRequests = 1
	pc.Producer.RequiredAcks = sarama.WaitForAll
	pc.Producer.Retry.Max = 10
	pc.Producer.Partitioner = sarama.NewManualPartitioner
	pc.Producer.Return.Successes = true
	prod, err := sarama.NewSyncProducer(env.brokers, &pc)
	if err != nil {
		fmt.Fprintf(stderr, "scrubd vault rewrap: connect: %v\n", err)
		return cli.ExitFailed
	}
	defer prod.Close()
	store, err := vault.OpenStore(vault.StoreOptions{Conn: compacted.Conn{Brokers: env.brokers, Config: env.client}, Topic: env.topic, Master: env.master, AllPartitions: true, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "scrubd vault rewrap: %v\n", err)
		return cli.ExitFailed
	}
	defer store.Close()
	st, err := store.Rewrap(ctx, func(r *record.Record) (int32, int64, error) { return prod.SendMessage(kafka.Message(r)) })
	out := map[string]any{"master_key": *active, "rewrapped": st.Rewrapped, "repaired": st.Repaired, "unreadable": st.Unreadable}
	if b, jerr := json.Marshal(out); jerr == nil {
		fmt.Fprintf(stdout, "%s\n", b)
	}
	if err != nil {
		fmt.Fprintf(stderr, "scrubd vault rewrap: %v\n", err)
		return cli.ExitFailed
	}
	if st.Unreadable > 0 {
		fmt.Fprintf(stderr, "scrubd vault rewrap: %d data keys could not be unwrapped with the loaded master keys\n", st.Unreadable)
		return cli.ExitFailed
	}
	return cli.ExitOK
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}
