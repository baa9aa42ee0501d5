package service

import (
	"io"
	"log/slog"
	"os"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/rules"
)

// Validate checks the file at path and returns the version of its policy
// (`scrubd validate`). A run configuration is checked by building the
// service `scrubd run` would start, up to the network: the same code, so
// validate cannot approve what run refuses. Its warnings go to warnings.
func Validate(path string, getenv func(string) string, warnings io.Writer, version string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", config.Invalid(err)
	}
	if !config.IsRunConfig(data) {
		p, err := config.ReadPolicy(path, getenv)
		if err != nil {
			return "", err
		}
		// A policy file alone may leave the keys out (scrub then uses a
		// random key), but keys it names must load.
		if _, _, err := rules.LoadKeys(p.Keys, rules.OfflineKeys, getenv, nil); err != nil {
			return "", config.Invalid(err)
		}
		return p.Version(), nil
	}
	cfg, err := config.LoadValid(path, getenv)
	if err != nil {
		return "", err
	}
	log := slog.New(slog.NewTextHandler(warnings, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc, err := New(Options{Path: path, Config: cfg, Logger: log, Getenv: getenv, Hostname: os.Hostname, Version: version})
	if err != nil {
		return "", err
	}
	defer svc.Close()
	return svc.PolicyVersion(), nil
}
