package cli

import (
	"fmt"
	"io"
	"strings"
)

// Sub runs the subcommand args[0] of the command name ("vault") with the
// rest of args. Without a subcommand, or with an unknown one, it prints
// usage on stderr and returns 2; "help" prints it on stdout.
func Sub(name, usage string, subs map[string]func(args []string) int, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return ExitUsage
	}
	if run, ok := subs[args[0]]; ok {
		return run(args[1:])
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return ExitOK
	}
	fmt.Fprintf(stderr, "scrubd %s: unknown command %q\n\n%s", name, args[0], usage)
	return ExitUsage
}

// A StringList is a repeatable string flag.
type StringList []string

func (l *StringList) String() string { return strings.Join(*l, ",") }

// Set adds v to the list.
func (l *StringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}
