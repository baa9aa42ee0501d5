package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// NewFlags returns the flag set of a command whose usage text is text: -h
// and `scrubd help NAME` print text followed by the flags.
func NewFlags(name, text string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprint(w, text)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// ParseFlags parses args with fs, flags and arguments in any order
// (`scrub a.log --findings` as `scrub --findings a.log`); "--" ends the
// flags and "-" is an argument (standard input). It returns the arguments
// and, when the command should stop, its exit code: 0 after -h (the usage
// on stdout), 2 after a bad flag (the usage on stderr).
func ParseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (rest []string, code int, stop bool) {
	stderr := fs.Output()
	for {
		fs.SetOutput(io.Discard)
		err := fs.Parse(args)
		fs.SetOutput(stderr)
		switch {
		case errors.Is(err, flag.ErrHelp):
			fs.SetOutput(stdout)
			fs.Usage()
			fs.SetOutput(stderr)
			return nil, ExitOK, true
		case err != nil:
			fmt.Fprintf(stderr, "scrubd %s: %v\n", fs.Name(), err)
			fs.Usage()
			return nil, ExitUsage, true
		}
		left := fs.Args()
		if len(left) == 0 {
			return rest, ExitOK, false
		}
		if n := len(args) - len(left); n > 0 && args[n-1] == "--" {
			return append(rest, left...), ExitOK, false
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
}

// NoArgs reports, and returns true, when a command that takes no arguments
// was given some.
func NoArgs(fs *flag.FlagSet, args []string) bool {
	if len(args) == 0 {
		return false
	}
	fmt.Fprintf(fs.Output(), "scrubd %s: unexpected argument %q\n", fs.Name(), args[0])
	fs.Usage()
	return true
}
