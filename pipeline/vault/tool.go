package vault

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/kafka/compacted"
	"github.com/scrubd/scrubd/rules"
)

// A Tool is what the vault commands (export, rewrap) work with: the vault
// topic on the configuration's cluster, its master keys, and the HMAC keys
// of the configuration's policy, which find a subject's pseudonyms.
type Tool struct {
	Topic  string
	Conn   compacted.Conn
	Keys   *rules.Keyring
	Master *MasterKeys
}

// LoadTool loads the configuration at path, the policy's HMAC keys and the
// master keys of masterDir, with active as the active one (none: unwrap
// only). Every error is an invalid configuration.
func LoadTool(path, masterDir, active string, getenv func(string) string) (*Tool, error) {
	t, err := loadTool(path, masterDir, active, getenv)
	return t, config.Invalid(err)
}

func loadTool(path, masterDir, active string, getenv func(string) string) (*Tool, error) {
	if masterDir == "" {
		return nil, errors.New("--master-keys is required")
	}
	cfg, keys, err := config.LoadLookup(path, getenv)
	if err != nil {
		return nil, err
	}
	load := LoadMasterKeys
	if active == "" {
		load = LoadUnwrapKeys
	}
	master, err := load(KeyConfig{Dir: masterDir, Active: active}, "")
	if err != nil {
		return nil, err
	}
	sc, err := kafka.Base(cfg)
	if err != nil {
		return nil, err
	}
	topic := cfg.Topics.Vault
	if topic == "" {
		topic = DefaultTopic
	}
	return &Tool{Topic: topic, Conn: compacted.Conn{Brokers: cfg.Kafka.Brokers, Config: sc}, Keys: keys, Master: master}, nil
}

// Export reads what the vault holds for pseudonyms, from the partitions
// they hash to or, with all, from every partition.
func (t *Tool) Export(ctx context.Context, pseudonyms []string, all bool) (*Export, error) {
	store, err := OpenStore(StoreOptions{Conn: t.Conn, Topic: t.Topic, Master: t.Master, AllPartitions: all})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	return store.Export(ctx, pseudonyms)
}

// Rewrap wraps every data key of the topic again with the active master
// key, writing each record back to its partition. Once the topic was read,
// report gets the counts, before an error of the rewrap is returned.
func (t *Tool) Rewrap(ctx context.Context, log *slog.Logger, report func(RewrapStats)) error {
	send, err := kafka.NewSender(t.Conn.Brokers, t.Conn.Config)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer send.Close()
	store, err := OpenStore(StoreOptions{Conn: t.Conn, Topic: t.Topic, Master: t.Master, AllPartitions: true, Logger: log})
	if err != nil {
		return err
	}
	defer store.Close()
	st, err := store.Rewrap(ctx, send.Send)
	report(st)
	if err != nil {
		return err
	}
	if st.Unreadable > 0 {
		return fmt.Errorf("%d data keys could not be unwrapped with the loaded master keys", st.Unreadable)
	}
	return nil
}
