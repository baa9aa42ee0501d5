package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// Load reads the configuration file at path over the defaults, then applies
// the SCRUBD_ environment overrides that getenv returns (os.Getenv in
// production). An empty path means the defaults and the environment only.
// Load does not validate: call Validate.
func Load(path string, getenv func(string) string) (*Config, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return load(path, data, getenv)
}

// readFile returns the content of the file at path; nothing for no path.
func readFile(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return data, nil
}

// load is Load of data, the content of the file at path.
func load(path string, data []byte, getenv func(string) string) (*Config, error) {
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if path != "" {
		c.dir = filepath.Dir(path)
	}
	if err := ApplyEnv(c, getenv); err != nil {
		return nil, err
	}
	return c, nil
}

// Parse decodes YAML over the defaults. Unknown keys are errors, as are
// several documents in one file.
func Parse(data []byte) (*Config, error) {
	c := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("parse: more than one YAML document")
	}
	return c, nil
}

// Resolve returns path resolved against the configuration's directory when
// it is relative; empty stays empty.
func (c *Config) Resolve(path string) string {
	if path == "" || filepath.IsAbs(path) || c.dir == "" {
		return path
	}
	return filepath.Join(c.dir, path)
}
