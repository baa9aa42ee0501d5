package config

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/scrubd/scrubd/rules"
)

// LoadValid is Load followed by Validate, the one way every command reads a
// run configuration. Each problem Validate finds is prefixed with the line
// of its key in the file ("line 7: delivery: ..."), when the file holds the
// key, and names the SCRUBD_ variable when one overrode it, so that an
// operator goes straight to what to fix. Every error is an invalid
// configuration (Invalid), a file that cannot be read included.
func LoadValid(path string, getenv func(string) string) (*Config, error) {
	c, err := loadValid(path, getenv)
	return c, Invalid(err)
}

func loadValid(path string, getenv func(string) string) (*Config, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	c, err := load(path, data, getenv)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			root := parseTree(data)
			for i, p := range ve.Problems {
				ve.Problems[i] = locate(p, root, getenv)
			}
		}
		return nil, err
	}
	return c, nil
}

// locate prefixes a problem "path: message" with the line of path in root
// and appends the environment variable that set it, if any.
func locate(problem string, root *yaml.Node, getenv func(string) string) string {
	path, _, ok := strings.Cut(problem, ": ")
	if !ok {
		return problem
	}
	if name := envFor(path, getenv); name != "" {
		return problem + " (set by " + name + ")"
	}
	if line := lineOf(root, path); line > 0 {
		return "line " + strconv.Itoa(line) + ": " + problem
	}
	return problem
}

// envFor returns the SCRUBD_ variable that overrides path or the nearest
// key above it (a list or map is one variable), when it is set.
func envFor(path string, getenv func(string) string) string {
	if getenv == nil {
		return ""
	}
	segs := pathSegments(path)
	for n := len(segs); n > 0; n-- {
		var keys []string
		for _, s := range segs[:n] {
			if _, err := strconv.Atoi(s); err != nil {
				keys = append(keys, strings.ToUpper(s))
			}
		}
		name := EnvPrefix + strings.Join(keys, "_")
		if getenv(name) != "" {
			return name
		}
	}
	return ""
}

// lineOf returns the line of the deepest node of root on path (keys
// separated by ".", list items as "[i]"), or 0 when not even the first key
// is in the document.
func lineOf(root *yaml.Node, path string) int {
	if root == nil {
		return 0
	}
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, seg := range pathSegments(path) {
		next, at := child(n, seg)
		if next == nil {
			break
		}
		n, line = next, at
	}
	return line
}

// child returns the node under seg in n (a mapping key or a list index)
// and the line where it is written: its key's line for a mapping.
func child(n *yaml.Node, seg string) (*yaml.Node, int) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == seg {
				return n.Content[i+1], n.Content[i].Line
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i], n.Content[i].Line
		}
	}
	return nil, 0
}

// pathSegments splits "topics.input[2]" into topics, input, 2.
func pathSegments(path string) []string {
	var segs []string
	for _, part := range strings.Split(path, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			segs = append(segs, name)
		}
		for rest != "" {
			idx, after, _ := strings.Cut(rest, "]")
			segs = append(segs, idx)
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return segs
}

// parseTree decodes data into a node tree for lineOf; a document that does
// not decode has no lines (Parse reports why).
func parseTree(data []byte) *yaml.Node {
	var n yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&n); err != nil {
		return nil
	}
	return &n
}

// shiftProblems moves the lines of a policy's problems by offset. An inline
// policy is validated as the text yaml.Marshal makes of its node, whose
// first line is the node's first line in the file: the offset points its
// problems into the file. (Blank lines inside the inline policy are not
// re-encoded, so a problem below one is reported that many lines early.)
func shiftProblems(err error, offset int) {
	var ve *rules.ValidationError
	if !errors.As(err, &ve) || offset <= 0 {
		return
	}
	for i := range ve.Problems {
		if ve.Problems[i].Line > 0 {
			ve.Problems[i].Line += offset
		}
	}
}
