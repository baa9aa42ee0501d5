package config

import (
	"fmt"
	"time"
)

// Privacy configures the privacy-requests topic: data subjects' consent
// withdrawals, restrictions, erasures and restorations, which stop their
// records from reaching clean, residency and aggregate outputs.
type Privacy struct {
	// Enabled turns privacy requests on. Every instance then reads the
	// whole topic (outside the consumer group) before it processes records.
	Enabled bool `yaml:"enabled"`
	// Topic is the compacted, access-restricted topic of requests.
	Topic string `yaml:"topic"`
}

// Vault configures the identity vault: for each pseudonym written, the
// original value encrypted under a per-subject data key wrapped by a master
// key, in topics.vault, in the same transaction as the clean record.
type Vault struct {
	// Enabled turns the vault on (exactly_once delivery only).
	Enabled bool `yaml:"enabled"`
	// MasterKeys are the files of the master keys (32 bytes each, raw, hex
	// or base64): a directory with one file per key id, or files by id.
	// Active names the key new data keys are wrapped with.
	MasterKeys MasterKeys `yaml:"master_keys"`
}

// MasterKeys names the vault's master key files.
type MasterKeys struct {
	// Active is the id of the key that wraps new data keys.
	Active string `yaml:"active"`
	// Dir holds one file per key, named by its id (a Secret volume).
	Dir string `yaml:"dir"`
	// Files maps key ids to files.
	Files map[string]string `yaml:"files"`
}

// Shadow configures shadow mode: a candidate policy run beside the active
// one, whose differences are counted in metrics and summary records without
// touching the clean output.
type Shadow struct {
	// PolicyFile is the candidate policy; empty turns shadow mode off.
	PolicyFile string `yaml:"policy_file"`
	// Topic receives the summary records (data class aggregate); empty
	// means metrics only.
	Topic string `yaml:"topic"`
	// Interval is the period a summary record covers.
	Interval Duration `yaml:"interval"`
}

// Reload configures the reloading of the policy and key files.
type Reload struct {
	// Interval is how often the policy and key files are checked for
	// changes (SIGHUP reloads at once); zero turns the watching off.
	Interval Duration `yaml:"interval"`
}

func defaultRights(c *Config) {
	c.Privacy = Privacy{Topic: "privacy.requests"}
	c.Shadow = Shadow{Interval: Duration(time.Minute)}
	c.Reload = Reload{Interval: Duration(5 * time.Second)}
}

// validateRights checks the privacy, vault, shadow and reload sections.
func (c *Config) validateRights(add func(path, format string, args ...any)) {
	if c.Privacy.Enabled && c.Privacy.Topic == "" {
		add("privacy.topic", "must not be empty when privacy requests are enabled")
	}
	if c.Vault.Enabled {
		if c.Delivery != ExactlyOnce {
			add("vault.enabled", "the vault needs delivery exactly_once: its records commit with the clean record")
		}
		if c.Topics.Vault == "" {
			add("topics.vault", "must not be empty when the vault is enabled")
		}
		if c.Vault.MasterKeys.Dir == "" && len(c.Vault.MasterKeys.Files) == 0 {
			add("vault.master_keys", "a dir or files is needed when the vault is enabled")
		}
	}
	if c.Shadow.PolicyFile != "" && c.Shadow.Interval <= 0 {
		add("shadow.interval", "must be positive")
	}
	if c.Reload.Interval < 0 {
		add("reload.interval", "must not be negative")
	}
	for _, t := range []struct{ path, topic string }{{"privacy.topic", c.Privacy.Topic}, {"shadow.topic", c.Shadow.Topic}} {
		if t.topic != "" && (t.topic == c.Topics.Clean || t.topic == c.Topics.DeadLetter) {
			add(t.path, fmt.Sprintf("%q is an output topic already", t.topic))
		}
	}
}
