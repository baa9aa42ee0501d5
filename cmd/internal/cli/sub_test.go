package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestSub: a known subcommand runs with the rest of the arguments; none or
// an unknown one prints the usage on stderr with exit 2; help prints it on
// stdout with exit 0.
func TestSub(t *testing.T) {
	var got []string
	subs := map[string]func([]string) int{"export": func(a []string) int { got = a; return ExitOK }}
	for _, tt := range []struct {
		args          []string
		code          int
		stdout, errIn string
	}{
		{[]string{"export", "--x", "y"}, ExitOK, "", ""},
		{nil, ExitUsage, "", "USAGE"},
		{[]string{"nope"}, ExitUsage, "", `scrubd vault: unknown command "nope"`},
		{[]string{"help"}, ExitOK, "USAGE", ""},
	} {
		var out, errb bytes.Buffer
		code := Sub("vault", "USAGE\n", subs, tt.args, &out, &errb)
		if code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errb.String(), tt.errIn) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tt.args, code, out.String(), errb.String())
		}
	}
	if strings.Join(got, " ") != "--x y" {
		t.Errorf("export got %q", got)
	}
}
