package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/kafka/topics"
)

const topicsUsage = `Usage: scrubd topics --config FILE

Creates the topics the configuration names that do not exist (input, clean,
dead-letter, residency, aggregates and their changelog, vault, privacy), each
with the retention of its data class, and lists how existing ones differ.
Idempotent. Exit 0 when every topic is as configured, 1 when one differs or
Kafka fails, 78 when the configuration is invalid.
`

// cmdTopics implements `scrubd topics --config FILE`: it creates the
// missing topics and lists how existing ones differ from the
// configuration. It exits 0 when every topic exists as configured (also
// after creating some), 1 when a topic differs or Kafka fails, and 78 when
// the configuration is invalid. It is idempotent.
func cmdTopics(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlags("topics", topicsUsage, stderr)
	path := fs.String("config", "", "configuration `file` (keys overridable by SCRUBD_<PATH> variables)")
	rest, code, stop := cli.ParseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if cli.NoArgs(fs, rest) {
		return cli.ExitUsage
	}
	cfg, err := config.LoadValid(*path, os.Getenv)
	if err != nil {
		return cli.Fail(stderr, "topics", err)
	}
	kafka.NewLogger(stderr, config.Log{Level: "warn", Format: cfg.Log.Format})
	defer kafka.FlushLogs()
	admin, err := kafka.NewClusterAdmin(cfg)
	if err != nil {
		return cli.Fail(stderr, "topics", err)
	}
	defer admin.Close()
	statuses, err := topics.Ensure(admin, topics.Specs(cfg))
	code = cli.ExitOK
	for _, st := range statuses {
		s := st.Spec
		switch {
		case st.Created:
			fmt.Fprintf(stdout, "created   %s (class %s, %d partitions, replication %d)\n", s.Name, s.Class, s.Partitions, s.Replication)
		case len(st.Mismatches) > 0:
			code = cli.ExitFailed
			fmt.Fprintf(stdout, "mismatch  %s (class %s): %s\n", s.Name, s.Class, strings.Join(st.Mismatches, "; "))
		default:
			fmt.Fprintf(stdout, "ok        %s (class %s)\n", s.Name, s.Class)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "scrubd topics: %v\n", err)
		return cli.ExitFailed
	}
	return code
}
