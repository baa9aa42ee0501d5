package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/rules"
)

// errInvalid marks errors that come from the configuration: every command
// exits 78 (EX_CONFIG) on them, through fail.
var errInvalid = errors.New("invalid configuration")

// invalid marks err, when not nil, as an invalid configuration.
func invalid(err error) error {
	if err == nil || isInvalid(err) {
		return err
	}
	return fmt.Errorf("%w: %w", errInvalid, err)
}

// isInvalid reports whether err is an invalid configuration: marked by
// invalid, or a validation error of the run configuration or of a policy.
func isInvalid(err error) bool {
	var pe *rules.ValidationError
	return errors.Is(err, errInvalid) || errors.Is(err, config.ErrInvalid) || errors.As(err, &pe)
}

// exitCode is the exit code of a command that failed with err: 78 for an
// invalid configuration, 1 for anything else.
func exitCode(err error) int {
	if isInvalid(err) {
		return exitInvalid
	}
	return exitFailed
}

// fail reports err on stderr as "scrubd CMD: ..." and returns its exit
// code: the one way every command fails on a configuration. The marker
// errInvalid adds nothing for a reader and is left out.
func fail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "scrubd %s: %s\n", cmd, message(err))
	return exitCode(err)
}

// message is err's text without the "invalid configuration: " prefix that
// invalid adds.
func message(err error) string {
	s := err.Error()
	if p := errInvalid.Error() + ": "; len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}
