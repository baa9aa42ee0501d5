package rules

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/scrubd/scrubd/rules/keyring"
)

// Keyring is the keyring pseudonyms are made with (package keyring).
type Keyring = keyring.Keyring

// EphemeralKey is the random key of one process (keyring.Ephemeral).
type EphemeralKey = keyring.Ephemeral

// LoadKeyring loads the keys that cfg names. getenv reads environment
// variables (os.Getenv in production). With no keys configured it returns a
// random keyring and random true. Long-running processes use
// LoadServiceKeyring instead.
func LoadKeyring(cfg KeysConfig, getenv func(string) string) (kr *Keyring, random bool, err error) {
	keys, err := loadKeys(cfg, getenv)
	if err != nil {
		return nil, false, err
	}
	if len(keys) == 0 {
		return keyring.Random(), true, nil
	}
	kr, err = keyring.New(cfg.Active, keys)
	return kr, false, err
}

// ErrNoKeys reports a policy that configures no HMAC key (or whose key
// directory is empty) and does not set keys.ephemeral.
var ErrNoKeys = errors.New("no HMAC key configured: give the policy keys " +
	"(keys.dir: a directory with one file per key id, keys.files or keys.env; each key at least 32 bytes), " +
	"or set keys.ephemeral: true for a random key that lives as long as the process " +
	"(its pseudonyms change at every restart and differ between instances)")

// LoadServiceKeyring loads the keys that cfg names for a long-running
// process (`scrubd run`): without any, it returns eph's keyring when
// cfg.Ephemeral is set (ephemeral true), and ErrNoKeys otherwise.
func LoadServiceKeyring(cfg KeysConfig, getenv func(string) string, eph *EphemeralKey) (kr *Keyring, ephemeral bool, err error) {
	keys, err := loadKeys(cfg, getenv)
	if err != nil {
		return nil, false, err
	}
	if len(keys) == 0 {
		if !cfg.Ephemeral {
			return nil, false, ErrNoKeys
		}
		return eph.Keyring(), true, nil
	}
	kr, err = keyring.New(cfg.Active, keys)
	return kr, false, err
}

// loadKeys reads the keys that cfg names, by id.
func loadKeys(cfg KeysConfig, getenv func(string) string) (map[string][]byte, error) {
	keys := map[string][]byte{}
	resolve := func(p string) string {
		if cfg.base == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(cfg.base, p)
	}
	if cfg.Dir != "" {
		dir := resolve(cfg.Dir)
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("read key directory: %w", err)
		}
		for _, e := range entries {
			name := e.Name()
			// Kubernetes Secret volumes hold "..data" and timestamped
			// directories beside symlinks named by key.
			if strings.HasPrefix(name, ".") || e.IsDir() && e.Type()&os.ModeSymlink == 0 {
				continue
			}
			secret, err := readKeyFile(filepath.Join(dir, name))
			if err != nil {
				return nil, err
			}
			if secret == nil {
				continue
			}
			keys[name] = secret
		}
	}
	for id, path := range cfg.Files {
		secret, err := readKeyFile(resolve(path))
		if err != nil {
			return nil, err
		}
		if secret == nil {
			return nil, fmt.Errorf("key %q: %s is a directory", id, path)
		}
		keys[id] = secret
	}
	for id, name := range cfg.Env {
		v := getenv(name)
		if v == "" {
			return nil, fmt.Errorf("key %q: environment variable %s is empty or unset", id, name)
		}
		keys[id] = []byte(v)
	}
	return keys, nil
}

// readKeyFile reads a key file, without the trailing newline editors add. It
// returns nil for a directory.
func readKeyFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	if st.IsDir() {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	return bytes.TrimRight(b, "\r\n"), nil
}

// A KeyUse is what a command does with pseudonyms. It decides what a policy
// without keys gets, in LoadKeys: the one rule for missing keys.
type KeyUse int

const (
	// OfflineKeys: pseudonyms only have to agree within one output (scrub,
	// discover): without keys, a random key.
	OfflineKeys KeyUse = iota
	// ServiceKeys: a long-running pipeline (run): without keys, the
	// process's ephemeral key when keys.ephemeral is set, ErrNoKeys
	// otherwise.
	ServiceKeys
	// LookupKeys: the command finds pseudonyms the pipeline made (vault,
	// privacy): without keys, ErrNoLookupKeys, as a random key matches none.
	LookupKeys
)

// ErrNoLookupKeys refuses a policy without keys to a command that looks up
// pseudonyms the pipeline made.
var ErrNoLookupKeys = errors.New("the policy configures no HMAC keys: the pseudonyms would match no record")

// LoadKeys loads the keys that cfg names for use; eph is the process's
// ephemeral key (ServiceKeys only). ephemeral reports a key that is not
// configured: random or the process's own.
func LoadKeys(cfg KeysConfig, use KeyUse, getenv func(string) string, eph *EphemeralKey) (kr *Keyring, ephemeral bool, err error) {
	if use == ServiceKeys {
		return LoadServiceKeyring(cfg, getenv, eph)
	}
	kr, random, err := LoadKeyring(cfg, getenv)
	if err == nil && random && use == LookupKeys {
		return nil, false, ErrNoLookupKeys
	}
	return kr, random, err
}
