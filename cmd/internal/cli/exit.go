// Package cli is the command-line plumbing the scrubd binaries share: flag
// sets whose flags and arguments come in any order, and the exit codes.
package cli

import (
	"fmt"
	"io"

	"github.com/scrubd/scrubd/pipeline/config"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailed  = 1  // records failed closed, test cases failed, runtime error
	ExitUsage   = 2  // bad command line
	ExitInvalid = 78 // EX_CONFIG: the configuration is invalid
)

// ExitCode is the exit code of a command that failed with err: 78 for an
// invalid configuration (config.IsInvalid), 1 for anything else.
func ExitCode(err error) int {
	if config.IsInvalid(err) {
		return ExitInvalid
	}
	return ExitFailed
}

// Fail reports err on stderr as "scrubd CMD: ..." and returns its exit
// code: the one way every command fails on a configuration. The marker
// config.ErrInvalid adds nothing for a reader and is left out.
func Fail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "scrubd %s: %s\n", cmd, Message(err))
	return ExitCode(err)
}

// Message is err's text without the "invalid configuration: " prefix that
// config.Invalid adds.
func Message(err error) string {
	s := err.Error()
	if p := config.ErrInvalid.Error() + ": "; len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}
