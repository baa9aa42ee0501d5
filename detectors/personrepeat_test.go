package detectors

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestPersonCodeLines feeds generated lines of code and system-log shapes
// built from the lexicon's own names: class and method names, CamelCase,
// hostnames, paths, constants and error messages. None holds a person.
func TestPersonCodeLines(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"Morrison", "Rogers", "Torres", "Maria", "Jennifer", "Borkowski", "Christiansen", "Lundberg", "Hannah", "Derek"}
	words := []string{"Service", "Manager", "Handler", "Factory", "Controller", "Worker", "Client", "Config"}
	shapes := []func(a, b, w string) string{
		func(a, b, w string) string {
			return fmt.Sprintf("at com.example.%s.%s%s.run(%s%s.java:42)", strings.ToLower(a), a, w, a, w)
		},
		func(a, b, w string) string { return fmt.Sprintf("INFO %s%s started in 3.2 seconds", a, w) },
		func(a, b, w string) string {
			return fmt.Sprintf("connecting to %s.%s.internal:9092", strings.ToLower(a), strings.ToLower(b))
		},
		func(a, b, w string) string { return fmt.Sprintf("open /home/%s/%s/config.yaml: no such file", a, b) },
		func(a, b, w string) string {
			return fmt.Sprintf("%s_%s_TIMEOUT=30 %s%s=on", strings.ToUpper(a), strings.ToUpper(b), a, w)
		},
		func(a, b, w string) string {
			return fmt.Sprintf("java.lang.IllegalStateException: %s%s not attached to %s%s", a, w, b, w)
		},
		func(a, b, w string) string {
			return fmt.Sprintf("GET https://%s.example.com/%s/%s HTTP/1.1", strings.ToLower(a), a, b)
		},
		func(a, b, w string) string { return fmt.Sprintf("W/%s%s(1234): %s#%s failed", a, w, b, w) },
		func(a, b, w string) string {
			return fmt.Sprintf("ERROR [%s-%s-1] %s::%s panicked", strings.ToLower(a), strings.ToLower(w), a, b)
		},
		func(a, b, w string) string { return fmt.Sprintf("%s%s: \"%s%s\" said the upstream", a, w, b, w) },
		func(a, b, w string) string { return fmt.Sprintf("Message: \"%s%s lives on\"", a, w) },
		func(a, b, w string) string { return fmt.Sprintf("%s.%s failed, Retry?", strings.ToLower(a), w) },
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		a, b, w := names[r.IntN(len(names))], names[r.IntN(len(names))], words[r.IntN(len(words))]
		line := shapes[r.IntN(len(shapes))](a, b, w)
		if got := findingsOf(t, s, line, Person); len(got) != 0 {
			t.Errorf("%q: found %q", line, got)
		}
	}
}
