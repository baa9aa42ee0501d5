package cli

import "runtime/debug"

// Version is the line `scrubd version` prints: "scrubd V" when V was
// stamped, else the main module's version with the VCS revision, its time
// and whether the tree was modified, and the Go version, when the build
// information has them.
func Version(stamped string, bi *debug.BuildInfo) string {
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
