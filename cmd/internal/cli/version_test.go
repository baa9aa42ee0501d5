package cli

import (
	"runtime/debug"
	"testing"
)

// TestVersionString: a stamped version is printed alone (the image test
// compares it); otherwise the module version, the VCS revision and the Go
// version come from the build information.
func TestVersionString(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-07T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
	}}
	for _, tt := range []struct {
		stamped string
		bi      *debug.BuildInfo
		want    string
	}{
		{"v1.2.3", bi, "scrubd v1.2.3"},
		{"dev", bi, "scrubd v0.4.0 (revision 0123456789ab, 2026-12-07T10:00:00Z, modified) go1.26.8"},
		{"dev", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "scrubd devel go1.26.8"},
		{"dev", nil, "scrubd dev"},
	} {
		if got := Version(tt.stamped, tt.bi); got != tt.want {
			t.Errorf("Version(%q) = %q, want %q", tt.stamped, got, tt.want)
		}
	}
}
