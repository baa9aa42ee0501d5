package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/vault"
)

const vaultUsage = `scrubd vault reads the identity vault.

Usage:
  scrubd vault export --config FILE --master-keys DIR (--subject VALUE | --subject-file FILE) --type TYPE
  scrubd vault export --config FILE --master-keys DIR --pseudonym P [--pseudonym P ...]
  scrubd vault rewrap --config FILE --master-keys DIR --active ID

export writes, as JSON on standard output, everything the vault holds for
one data subject (the right of access): each pseudonym with its original
value, decrypted. TYPE is a request type: user_id, email, phone, device_id.
--subject puts the identifier on the command line, where other users of the
machine and the shell history can see it; --subject-file (- for standard
input) does not.

rewrap wraps every data key again with the master key ID, so that the other
master keys can be retired once the topic is compacted.

--master-keys is a directory with one file per master key id (32 bytes, hex
or base64). The HMAC keys of the configuration's policy find the subject's
pseudonyms.
`

// cmdVault implements `scrubd vault export` and `scrubd vault rewrap`. It
// exits 0 on success, 2 on a bad command line, 78 when the configuration or
// the keys are invalid and 1 when Kafka fails.
func cmdVault(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return cli.Sub("vault", vaultUsage, map[string]func([]string) int{
		"export": func(a []string) int { return vaultExport(ctx, a, stdout, stderr) },
		"rewrap": func(a []string) int { return vaultRewrap(ctx, a, stdout, stderr) },
	}, args, stdout, stderr)
}

// vaultFlags are the flags both vault commands take.
type vaultFlags struct {
	config     *string
	masterKeys *string
	timeout    *time.Duration
}

func newVaultFlags(name string, stderr io.Writer) (*flag.FlagSet, vaultFlags) {
	fs := cli.NewFlags("vault "+name, vaultUsage, stderr)
	return fs, vaultFlags{
		config:     fs.String("config", "", "configuration `file` (keys overridable by SCRUBD_<PATH> variables)"),
		masterKeys: fs.String("master-keys", "", "`directory` with one file per vault master key id"),
		timeout:    fs.Duration("timeout", 5*time.Minute, "give up after this `duration`"),
	}
}

// vaultExport implements `scrubd vault export`.
func vaultExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, f := newVaultFlags("export", stderr)
	subject := fs.String("subject", "", "the subject's raw `identifier`")
	subjectFile := fs.String("subject-file", "", "read the identifier from `file` (- for standard input)")
	typ := fs.String("type", "", "the identifier's request `type`: user_id, email, phone, device_id")
	all := fs.Bool("all-partitions", false, "read every partition of the vault topic")
	var pseudonyms cli.StringList
	fs.Var(&pseudonyms, "pseudonym", "look up this `pseudonym` (repeatable)")
	rest, code, stop := cli.ParseFlags(fs, args, stdout)
	if stop {
		return code
	}
	raw, err := privacy.ReadSubject(*subject, *subjectFile, os.Stdin)
	defer clear(raw)
	if err != nil || len(rest) > 0 || (raw == nil) == (len(pseudonyms) == 0) || (raw != nil) != (*typ != "") {
		fmt.Fprintln(stderr, "scrubd vault export: give --subject (or --subject-file) with --type, or --pseudonym")
		if err != nil {
			fmt.Fprintf(stderr, "scrubd vault export: %v\n", err)
		}
		return cli.ExitUsage
	}
	tool, err := vault.LoadTool(*f.config, *f.masterKeys, "", os.Getenv)
	if err != nil {
		return cli.Fail(stderr, "vault export", err)
	}
	if raw != nil {
		if pseudonyms, err = privacy.DefaultTypes().Pseudonyms(tool.Keys, *typ, raw); err != nil {
			fmt.Fprintf(stderr, "scrubd vault export: %v\n", err)
			return cli.ExitUsage
		}
	}
	kafka.NewLogger(stderr, config.Log{Level: "warn"})
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	x, err := tool.Export(ctx, pseudonyms, *all)
	if err != nil {
		fmt.Fprintf(stderr, "scrubd vault export: %v\n", err)
		return cli.ExitFailed
	}
	out := privacy.NewAccess(*typ, tool.Topic, pseudonyms, x, time.Now())
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(stderr, "scrubd vault export: %v\n", err)
		return cli.ExitFailed
	}
	return cli.ExitOK
}

// vaultRewrap implements `scrubd vault rewrap`.
func vaultRewrap(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, f := newVaultFlags("rewrap", stderr)
	active := fs.String("active", "", "the master key `id` to wrap every data key with")
	rest, code, stop := cli.ParseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if *active == "" || len(rest) > 0 {
		fmt.Fprintln(stderr, "scrubd vault rewrap: --active is required")
		return cli.ExitUsage
	}
	tool, err := vault.LoadTool(*f.config, *f.masterKeys, *active, os.Getenv)
	if err != nil {
		return cli.Fail(stderr, "vault rewrap", err)
	}
	log := kafka.NewLogger(stderr, config.Log{Level: "info"})
	ctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	err = tool.Rewrap(ctx, log, func(st vault.RewrapStats) {
		out := map[string]any{"master_key": *active, "rewrapped": st.Rewrapped, "repaired": st.Repaired, "unreadable": st.Unreadable}
		if b, jerr := json.Marshal(out); jerr == nil {
			fmt.Fprintf(stdout, "%s\n", b)
		}
	})
	if err != nil {
		fmt.Fprintf(stderr, "scrubd vault rewrap: %v\n", err)
		return cli.ExitFailed
	}
	return cli.ExitOK
}
