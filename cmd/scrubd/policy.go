package main

import (
	"fmt"

	"github.com/scrubd/scrubd/rules"
)

// loadPolicy reads the policy a --config flag names, or the built-in default
// when path is empty, and validates it.
func loadPolicy(path string) (*rules.Policy, error) {
	if path == "" {
		return rules.Default(), nil
	}
	p, err := rules.Load(path)
	if err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// loadEngine loads the policy and its keys and compiles them.
func loadEngine(path string, getenv func(string) string) (*rules.Engine, error) {
	p, err := loadPolicy(path)
	if err != nil {
		return nil, err
	}
	keys, _, err := rules.LoadKeyring(p.Keys, getenv)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	return rules.Compile(p, keys)
}
