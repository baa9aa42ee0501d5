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
	fmt.Fprintln(stdout, versionString(version, bi))
	return cli.ExitOK
}

// versionString is the line `scrubd version` prints: "scrubd V" when V was
// stamped, else the main module's version with the VCS revision, its time
// and whether the tree was modified, and the Go version, when the build
// information has them.
func versionString(stamped string, bi *debug.BuildInfo) string {
	if stamped != "dev" || bi == nil {
		return "scrubd " + stamped
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel" // built in a checkout, not from a module version
	}
	s := "scrubd " + v
	var rev, at, dirty string
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.time":
			at = kv.Value
		case "vcs.modified":
			if kv.Value == "true" {
				dirty = ", modified"
			}
		}
	}
	if rev != "" {
		s += " (revision " + rev[:min(12, len(rev))]
		if at != "" {
			s += ", " + at
		}
		s += dirty + ")"
	}
	if bi.GoVersion != "" {
		s += " " + bi.GoVersion
	}
	return s
}
