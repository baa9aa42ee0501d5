package main

import (
	"fmt"
	"github.com/scrubd/scrubd/cmd/internal/cli"
	"io"
	"runtime/debug"
)

const versionUsage = `Usage: scrubd version

Prints the version: the one stamped at build time (make build), or else the
module version and VCS revision the Go toolchain recorded (go install, go build
in a git checkout).
`

// cmdVersion implements `scrubd version`.
func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fs := cli.NewFlags("version", versionUsage, stderr)
	rest, code, stop := cli.ParseFlags(fs, args, stdout)
	if stop {
		return code
	}
	if cli.NoArgs(fs, rest) {
		return cli.ExitUsage
	}
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprintln(stdout, cli.Version(version, bi))
	return cli.ExitOK
}
