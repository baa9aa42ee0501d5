package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/IBM/sarama"

	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/topics"
)

// cmdTopics implements `scrubd topics --config FILE`: it creates the
// missing topics and lists how existing ones differ from the
// configuration. It exits 0 when every topic exists as configured (also
// after creating some), 1 when a topic differs or Kafka fails, and 78 when
// the configuration is invalid. It is idempotent.
func cmdTopics(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("topics", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration `file`")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	cfg, err := loadConfig(*path, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "scrubd topics: %v\n", err)
		return exitInvalid
	}
	newLogger(stderr, "warn")
	sc, err := kafka.Admin(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "scrubd topics: %v\n", err)
		return exitInvalid
	}
	admin, err := sarama.NewClusterAdmin(cfg.Kafka.Brokers, sc)
	if err != nil {
		fmt.Fprintf(stderr, "scrubd topics: connect: %v\n", err)
		return exitFailed
	}
	defer admin.Close()
	statuses, err := topics.Ensure(admin, topics.Specs(cfg))
	code := exitOK
	for _, st := range statuses {
		s := st.Spec
		switch {
		case st.Created:
			fmt.Fprintf(stdout, "created   %s (class %s, %d partitions, replication %d)\n", s.Name, s.Class, s.Partitions, s.Replication)
		case len(st.Mismatches) > 0:
			code = exitFailed
			fmt.Fprintf(stdout, "mismatch  %s (class %s): %s\n", s.Name, s.Class, strings.Join(st.Mismatches, "; "))
		default:
			fmt.Fprintf(stdout, "ok        %s (class %s)\n", s.Name, s.Class)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "scrubd topics: %v\n", err)
		return exitFailed
	}
	return code
}
