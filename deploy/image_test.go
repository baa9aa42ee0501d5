// Package deploy_test checks the container image definition (Dockerfile and
// its ignore file) without a Docker engine: the build stays static, stamped,
// non-root and read-only friendly, and the build context keeps every
// package the binary needs.
package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/scrubd/scrubd/pipeline/config"
)

func readLines(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	// Join continued lines.
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	var out []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func TestDockerfile(t *testing.T) {
	lines := readLines(t, "Dockerfile")
	text := strings.Join(lines, "\n")
	var froms []string
	for _, l := range lines {
		if strings.HasPrefix(l, "FROM ") {
			froms = append(froms, l)
		}
	}
	if len(froms) < 2 {
		t.Errorf("want a multi-stage build, got %d FROM lines", len(froms))
	}
	if len(froms) > 0 && froms[len(froms)-1] != "FROM gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("final stage %q, want FROM gcr.io/distroless/static-debian12:nonroot", froms[len(froms)-1])
	}
	for _, want := range []string{
		"CGO_ENABLED=0", "-trimpath", `-X main.version=${VERSION}`, "./cmd/scrubd",
		"USER 65532:65532", "EXPOSE 9790", `ENTRYPOINT ["/scrubd"]`,
		`CMD ["run", "--config", "/etc/scrubd/scrubd.yaml"]`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	// Nothing in the final stage writes to the image at run time: no VOLUME
	// for scratch space, no RUN (distroless has no shell anyway).
	final := text[strings.LastIndex(text, "FROM "):]
	for _, bad := range []string{"\nRUN ", "\nVOLUME ", "\nUSER root", "\nUSER 0"} {
		if strings.Contains(final, bad) {
			t.Errorf("final stage has %q", strings.TrimSpace(bad))
		}
	}
	// The version the build stamps exists.
	main, err := os.ReadFile("../cmd/scrubd/main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^var version = `).Match(main) {
		t.Errorf("cmd/scrubd has no package-level `var version`; -X main.version would stamp nothing")
	}
}

// TestDockerfileDefaultConfig loads the configuration the image runs with
// when none is mounted.
func TestDockerfileDefaultConfig(t *testing.T) {
	lines := readLines(t, "Dockerfile")
	re := regexp.MustCompile(`cp (\S+) /out/etc/scrubd/scrubd.yaml`)
	var src string
	for _, l := range lines {
		if m := re.FindStringSubmatch(l); m != nil {
			src = m[1]
		}
	}
	if src == "" {
		t.Fatal("the Dockerfile copies no default configuration")
	}
	cfg, err := config.Load(filepath.Join("..", src), func(string) string { return "" })
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("%s: %v", src, err)
	}
	if cfg.HTTP.Addr != ":9790" {
		t.Errorf("%s: http.addr %q, the image exposes :9790", src, cfg.HTTP.Addr)
	}
	ignore := readLines(t, "Dockerfile.dockerignore")
	if !slices.Contains(ignore, "!"+src) {
		t.Errorf("Dockerfile.dockerignore leaves %s out of the build context", src)
	}
}

// TestDockerignoreKeepsSources checks that every folder of the module that
// the binary is built from is in the build context (the ignore file starts
// by ignoring everything).
func TestDockerignoreKeepsSources(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	ignore := readLines(t, "Dockerfile.dockerignore")
	if len(ignore) == 0 || ignore[0] != "*" {
		t.Fatalf("Dockerfile.dockerignore should start with * (allow-list)")
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		if !slices.Contains(ignore, "!"+f) {
			t.Errorf("Dockerfile.dockerignore leaves %s out", f)
		}
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.Dir}}|{{join .EmbedFiles \",\"}}{{end}}", "../cmd/scrubd").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		dir, embeds, _ := strings.Cut(line, "|")
		rel, err := filepath.Rel(root, dir)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue // a dependency outside the module
		}
		top := strings.Split(filepath.ToSlash(rel), "/")[0]
		if !slices.Contains(ignore, "!"+top+"/") {
			t.Errorf("package folder %s is needed by ./cmd/scrubd but Dockerfile.dockerignore leaves %s/ out", rel, top)
		}
		for _, e := range strings.Split(embeds, ",") {
			if e != "" && (strings.HasSuffix(e, "_test.go") || strings.Contains("/"+e, "/testdata/")) {
				t.Errorf("%s embeds %s, which Dockerfile.dockerignore leaves out", rel, e)
			}
		}
	}
}
