package main

import (
	"bytes"
	"fmt"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/rules"
)

// loadPolicy reads the policy a --config flag names, or the built-in default
// when path is empty, and validates it. The file may be a policy file or a
// run configuration (with kafka:, policy: or policy_file: at the top), in
// which case its policy is used. Every error is an invalid configuration.
func loadPolicy(path string, getenv func(string) string) (*rules.Policy, error) {
	p, err := readPolicy(path, getenv)
	return p, config.Invalid(err)
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
	if isRunConfig(data) {
		cfg, err := config.Load(path, getenv)
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

// isRunConfig reports whether a YAML document is a run configuration
// rather than a policy: it has a top-level key only run configurations have.
func isRunConfig(data []byte) bool {
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

// loadEngine loads the policy and its keys and compiles them.
func loadEngine(path string, getenv func(string) string) (*rules.Engine, error) {
	p, err := loadPolicy(path, getenv)
	if err != nil {
		return nil, err
	}
	keys, _, err := rules.LoadKeyring(p.Keys, getenv)
	if err != nil {
		return nil, config.Invalid(fmt.Errorf("load keys: %w", err))
	}
	e, err := rules.Compile(p, keys)
	return e, config.Invalid(err)
}
