package config

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/scrubd/scrubd/rules"
)

const yamlMapping = yaml.MappingNode

// LoadPolicy returns the policy the configuration names: the inline policy,
// the policy file, or the built-in default. The policy is validated.
func (c *Config) LoadPolicy() (*rules.Policy, error) {
	var p *rules.Policy
	switch {
	case !c.Policy.IsZero():
		data, err := yaml.Marshal(&c.Policy)
		if err != nil {
			return nil, fmt.Errorf("encode inline policy: %w", err)
		}
		if p, err = rules.Parse(data, "inline policy"); err != nil {
			return nil, err
		}
		p.ResolveIn(c.dir)
	case c.PolicyFile != "":
		var err error
		if p, err = rules.Load(c.Resolve(c.PolicyFile)); err != nil {
			return nil, err
		}
	default:
		p = rules.Default()
	}
	if err := p.Validate(); err != nil {
		if !c.Policy.IsZero() {
			shiftProblems(err, c.Policy.Line-1)
		}
		return nil, err
	}
	return p, nil
}

// TransactionalIDOrDefault returns kafka.transactional_id, or "scrubd-"
// followed by hostname when it is empty.
func (c *Config) TransactionalIDOrDefault(hostname func() (string, error)) (string, error) {
	if c.Kafka.TransactionalID != "" {
		return c.Kafka.TransactionalID, nil
	}
	h, err := hostname()
	if err != nil || h == "" {
		return "", fmt.Errorf("default transactional id: no host name (set kafka.transactional_id): %v", err)
	}
	return "scrubd-" + h, nil
}
