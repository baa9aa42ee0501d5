package main

import (
	"context"
	"fmt"
	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/service"
	"io"
	"os"
)

const runUsage = `Usage: scrubd run --config FILE

Runs the Kafka sidecar: reads the input topics, scrubs every record and writes
the clean, dead-letter (and residency, aggregates) topics, with metrics and
health on http.addr. Every key can be overridden by a SCRUBD_<PATH> variable
(SCRUBD_KAFKA_BROKERS=a:9092,b:9092). There is no default broker: without
--config, SCRUBD_KAFKA_BROKERS is required. SIGHUP reloads the policy;
SIGTERM or SIGINT stops cleanly.
Exit 0 after a stop, 78 when the configuration is invalid, 1 on a failure.
`

// cmdRun implements `scrubd run --config FILE`: the Kafka sidecar. It exits
// 0 after a clean stop on SIGTERM or SIGINT, whether Kafka answered or
// not, 78 when the configuration is invalid and 1 on a runtime failure.
func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlags("run", runUsage, stderr)
	path := fs.String("config", "", "configuration `file` (keys overridable by SCRUBD_<PATH> variables)")
	rest, code, stop := cli.ParseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if cli.NoArgs(fs, rest) {
		return cli.ExitUsage
	}
	if *path == "" && os.Getenv("SCRUBD_KAFKA_BROKERS") == "" {
		fmt.Fprintln(stderr, "scrubd run: no --config and no SCRUBD_KAFKA_BROKERS: scrubd does not guess where Kafka is; "+
			"give --config FILE (deploy/examples/scrubd.yaml is a complete one) or set SCRUBD_KAFKA_BROKERS=host:port")
		return cli.ExitInvalid
	}
	cfg, err := config.LoadValid(*path, os.Getenv)
	if err != nil {
		return cli.Fail(stderr, "run", err)
	}
	log := kafka.NewLogger(stderr, cfg.Log)
	defer kafka.FlushLogs()
	svc, err := service.New(service.Options{Path: *path, Config: cfg, Logger: log, Getenv: os.Getenv, Hostname: os.Hostname, Version: version})
	if err != nil {
		log.Error("scrubd run: setup failed", "err", cli.Message(err))
		return cli.ExitCode(err)
	}
	if err := svc.Run(ctx); err != nil {
		log.Error("scrubd run: stopped with an error", "err", err)
		return cli.ExitFailed
	}
	return cli.ExitOK
}
