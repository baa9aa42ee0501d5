package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks the run-configuration parser, the SCRUBD_ environment
// overrides and the validator on arbitrary input: no panic, and every
// failure is an error with a message.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"config.yaml", "unknown_key.yaml"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b, "")
		}
	}
	if b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "examples", "scrubd.yaml")); err == nil {
		f.Add(b, "10s")
	}
	for _, s := range [][2]string{
		{"kafka: {brokers: [a:1]}\n", "true"},
		{"delivery: at_least_once\nbatch: {max_records: -1}\n", "0"},
		{"kafka:\n  fetch_bytes: 99999999999\n", "1ms"},
		{"---\n---\n", ""}, {"{", "x"}, {"a: &a [*a]\n", "-5"}, {"\x00\xff", "\xff"},
	} {
		f.Add([]byte(s[0]), s[1])
	}
	f.Fuzz(func(t *testing.T, data []byte, env string) {
		c, err := Parse(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty parse error")
			}
			return
		}
		// Every SCRUBD_ variable set to the same text.
		if err := ApplyEnv(c, func(string) string { return env }); err != nil {
			if err.Error() == "" {
				t.Fatal("empty environment error")
			}
			return
		}
		if err := c.Validate(); err != nil && err.Error() == "" {
			t.Fatal("empty validation error")
		}
	})
}
