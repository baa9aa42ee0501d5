package config

import (
	"bytes"
	"fmt"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/scrubd/scrubd/rules"
)

// ReadPolicy reads the policy a --config flag names, or the built-in
// default when path is empty, and validates it. The file may be a policy
// file or a run configuration (IsRunConfig), in which case its policy is
// used. Every error is an invalid configuration.
func ReadPolicy(path string, getenv func(string) string) (*rules.Policy, error) {
	p, err := readPolicy(path, getenv)
	return p, Invalid(err)
}

func readPolicy(path string, getenv func(string) string) (*rules.Policy, error) {
	if path == "" {
		return rules.Default(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	var p *rules.Policy
	if IsRunConfig(data) {
		cfg, err := Load(path, getenv)
		if err != nil {
			return nil, err
		}
		if p, err = cfg.LoadPolicy(); err != nil {
			return nil, err
		}
	} else if p, err = rules.Load(path); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// IsRunConfig reports whether a YAML document is a run configuration
// rather than a policy: it has a top-level key only run configurations have.
func IsRunConfig(data []byte) bool {
	var top map[string]yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&top); err != nil {
		return false
	}
	for _, k := range []string{"kafka", "policy", "policy_file", "topics", "delivery"} {
		if _, ok := top[k]; ok {
			return true
		}
	}
	return false
}

// LoadEngine is the one engine loader of the commands that scrub without
// Kafka (scrub, discover): the policy ReadPolicy reads, its keys by
// rules.LoadKeys's rule for offline use, compiled. Every error is an
// invalid configuration.
func LoadEngine(path string, getenv func(string) string) (*rules.Engine, error) {
	p, err := ReadPolicy(path, getenv)
	if err != nil {
		return nil, err
	}
	return CompileWith(p, rules.OfflineKeys, getenv, nil)
}

// CompileWith loads the keys of p for use (rules.LoadKeys: the one rule for
// a policy without keys) and compiles p with them. Every error is an
// invalid configuration.
func CompileWith(p *rules.Policy, use rules.KeyUse, getenv func(string) string, eph *rules.EphemeralKey) (*rules.Engine, error) {
	keys, _, err := rules.LoadKeys(p.Keys, use, getenv, eph)
	if err != nil {
		return nil, Invalid(fmt.Errorf("load keys: %w", err))
	}
	e, err := rules.Compile(p, keys)
	return e, Invalid(err)
}

// LoadIfRun loads and validates the file at path (LoadValid) when it is a
// run configuration (IsRunConfig); a policy file, an empty path or a file
// that cannot be read give nil, for commands whose --config takes either.
func LoadIfRun(path string, getenv func(string) string) (*Config, error) {
	if path == "" {
		return nil, nil
	}
	if data, err := os.ReadFile(path); err != nil || !IsRunConfig(data) {
		return nil, nil
	}
	return LoadValid(path, getenv)
}

// LoadLookup loads and validates the run configuration at path and the
// HMAC keys of its policy for a command that looks up the pseudonyms the
// pipeline made (rules.LookupKeys: a policy without keys is refused).
// Every error is an invalid configuration.
func LoadLookup(path string, getenv func(string) string) (*Config, *rules.Keyring, error) {
	cfg, err := LoadValid(path, getenv)
	if err != nil {
		return nil, nil, err
	}
	pol, err := cfg.LoadPolicy()
	if err != nil {
		return nil, nil, Invalid(err)
	}
	keys, _, err := rules.LoadKeys(pol.Keys, rules.LookupKeys, getenv, nil)
	if err != nil {
		return nil, nil, Invalid(fmt.Errorf("load keys: %w", err))
	}
	return cfg, keys, nil
}
