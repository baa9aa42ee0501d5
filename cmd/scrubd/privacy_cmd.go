package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/privacy"
)

const privacyUsage = `scrubd privacy maintains the privacy-requests topic.

Usage:
  scrubd privacy compact-requests --config FILE [--min-age 24h] [--dry-run]

compact-requests rewrites every request that names its subject by the raw
identifier (an e-mail address, a phone number) into the pseudonym-only
form, under the same record key and in the same partition: the subject's
pseudonyms under every HMAC key of the configuration's policy, the same
type and action, the request time kept as ts. Readers treat the rewritten
record as the same request; once the log cleaner has compacted the topic,
the raw identifier is gone from it (see docs/privacy.md for the topic
settings that bound that time).

Only requests older than --min-age are rewritten: by then every running
instance has applied them (an instance behind on the topic raises
ScrubdPrivacyReaderNotCaughtUp) and the vault entries of erased subjects
are shredded. It prints counts as JSON; nothing of a request is printed.
`

// cmdPrivacy dispatches `scrubd privacy`.
func cmdPrivacy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return cli.Sub("privacy", privacyUsage, map[string]func([]string) int{
		"compact-requests": func(a []string) int { return privacyCompact(ctx, a, stdout, stderr) },
	}, args, stdout, stderr)
}

// privacyCompact implements `scrubd privacy compact-requests`: exit 0 on
// success, 2 on a bad command line, 78 on an invalid configuration or
// keys, 1 when Kafka fails.
func privacyCompact(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlags("privacy compact-requests", privacyUsage, stderr)
	cfgPath := fs.String("config", "", "configuration `file` (keys overridable by SCRUBD_<PATH> variables)")
	minAge := fs.Duration("min-age", 24*time.Hour, "rewrite only requests older than this `duration`")
	dry := fs.Bool("dry-run", false, "count what would be rewritten, write nothing")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this `duration`")
	rest, code, stop := cli.ParseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if len(rest) > 0 || *minAge < 0 {
		fmt.Fprintln(stderr, "scrubd privacy compact-requests: takes --config and flags only; --min-age must not be negative")
		return cli.ExitUsage
	}
	c, err := privacy.LoadCompactor(*cfgPath, os.Getenv)
	if err != nil {
		return cli.Fail(stderr, "privacy compact-requests", err)
	}
	kafka.NewLogger(stderr, config.Log{Level: "warn", Format: "text"})
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	st, err := c.Compact(ctx, time.Now().Add(-*minAge), *dry)
	if b, jerr := json.Marshal(st); jerr == nil {
		fmt.Fprintf(stdout, "%s\n", b)
	}
	if err != nil {
		fmt.Fprintf(stderr, "scrubd privacy compact-requests: %v\n", err)
		return cli.ExitFailed
	}
	return cli.ExitOK
}
