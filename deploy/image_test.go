// Package deploy_test checks the container image definition (Dockerfile and
// its ignore file) without a Docker engine: the build stays static, stamped,
// non-root and read-only friendly, and the build context keeps every
// package the binary needs; and the OCI archive that deploy/image.sh builds
// with buildah (TestImageArchive).
package deploy_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/x509"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
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
	// Secure by default, with the documented switch for local plaintext.
	if !cfg.Kafka.TLS.On() {
		t.Errorf("%s: TLS to the brokers is off", src)
	}
	plain, err := config.Load(filepath.Join("..", src), func(k string) string {
		return map[string]string{"SCRUBD_KAFKA_TLS_ENABLED": "false", "SCRUBD_KAFKA_BROKERS": "127.0.0.1:9092"}[k]
	})
	if err != nil || plain.Validate() != nil || plain.Kafka.TLS.On() {
		t.Errorf("%s: SCRUBD_KAFKA_TLS_ENABLED=false does not give a valid plaintext configuration: %v", src, err)
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

// ociArchive is an OCI image archive read into memory: its config and the
// files of its layers, in order.
type ociArchive struct {
	config struct {
		Architecture string `json:"architecture"`
		OS           string `json:"os"`
		Config       struct {
			User         string              `json:"User"`
			ExposedPorts map[string]struct{} `json:"ExposedPorts"`
			Env          []string            `json:"Env"`
			Entrypoint   []string            `json:"Entrypoint"`
			Cmd          []string            `json:"Cmd"`
			WorkingDir   string              `json:"WorkingDir"`
			Labels       map[string]string   `json:"Labels"`
		} `json:"config"`
	}
	// files maps a path (no leading slash, directories ending in /) to its
	// header and content.
	files map[string]ociFile
}

type ociFile struct {
	hdr  *tar.Header
	data []byte
}

// readOCIArchive reads an OCI image layout written as a tar (buildah's
// oci-archive), with a single image.
func readOCIArchive(t *testing.T, path string) *ociArchive {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	blobs := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		blobs[strings.TrimPrefix(hdr.Name, "./")] = b
	}
	blob := func(digest string) []byte {
		t.Helper()
		algo, hex, ok := strings.Cut(digest, ":")
		b, found := blobs["blobs/"+algo+"/"+hex]
		if !ok || !found {
			t.Fatalf("blob %q not in the archive", digest)
		}
		if sum := sha256.Sum256(b); algo != "sha256" || fmt.Sprintf("%x", sum) != hex {
			t.Fatalf("blob %s does not match its digest", digest)
		}
		return b
	}
	var index struct {
		Manifests []struct {
			Digest string `json:"digest"`
		} `json:"manifests"`
	}
	if err := json.Unmarshal(blobs["index.json"], &index); err != nil || len(index.Manifests) != 1 {
		t.Fatalf("index.json: %v, %d manifests (want 1)", err, len(index.Manifests))
	}
	var manifest struct {
		Config struct {
			Digest string `json:"digest"`
		} `json:"config"`
		Layers []struct {
			MediaType string `json:"mediaType"`
			Digest    string `json:"digest"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(blob(index.Manifests[0].Digest), &manifest); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	a := &ociArchive{files: map[string]ociFile{}}
	if err := json.Unmarshal(blob(manifest.Config.Digest), &a.config); err != nil {
		t.Fatalf("image config: %v", err)
	}
	for _, l := range manifest.Layers {
		var r io.Reader = bytes.NewReader(blob(l.Digest))
		switch l.MediaType {
		case "application/vnd.oci.image.layer.v1.tar":
		case "application/vnd.oci.image.layer.v1.tar+gzip":
			zr, err := gzip.NewReader(r)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		default:
			t.Fatalf("layer media type %s", l.MediaType)
		}
		lr := tar.NewReader(r)
		for {
			hdr, err := lr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("layer %s: %v", l.Digest, err)
			}
			name := strings.TrimPrefix(strings.TrimPrefix(hdr.Name, "./"), "/")
			if strings.Contains(name, ".wh.") {
				t.Errorf("layer %s has a whiteout %s: the image should be one layer from scratch", l.Digest, name)
			}
			data, err := io.ReadAll(lr)
			if err != nil {
				t.Fatal(err)
			}
			a.files[name] = ociFile{hdr: hdr, data: data}
		}
	}
	return a
}

// dockerfileFinal returns the directives of the Dockerfile's final stage,
// by instruction (USER, EXPOSE, ENTRYPOINT, CMD, LABEL), with ${VERSION}
// replaced by version.
func dockerfileFinal(t *testing.T, version string) map[string][]string {
	t.Helper()
	lines := readLines(t, "Dockerfile")
	last := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "FROM ") {
			last = i
		}
	}
	out := map[string][]string{}
	for _, l := range lines[last+1:] {
		instr, rest, _ := strings.Cut(l, " ")
		out[instr] = append(out[instr], strings.ReplaceAll(strings.TrimSpace(rest), "${VERSION}", version))
	}
	return out
}

// TestImageArchive checks the OCI archive that `make image` writes (path
// in SCRUBD_IMAGE; deploy/image.sh check sets it, with SCRUBD_IMAGE_VERSION
// and SCRUBD_REQUIRE_IMAGE): the same user, entrypoint, command, exposed
// port and labels as the Dockerfile's final stage, and a file system of
// exactly the binary (static), the CA bundle, passwd and group with the
// non-root user, the default configuration (the Dockerfile's), /home/nonroot
// and /tmp, with the owners and modes distroless has.
func TestImageArchive(t *testing.T) {
	path := os.Getenv("SCRUBD_IMAGE")
	if path == "" {
		if os.Getenv("SCRUBD_REQUIRE_IMAGE") != "" {
			t.Fatal("SCRUBD_IMAGE is not set")
		}
		t.Skip("no image archive (make image-check builds one and runs this test)")
	}
	version := os.Getenv("SCRUBD_IMAGE_VERSION")
	if version == "" {
		t.Fatal("SCRUBD_IMAGE_VERSION is not set")
	}
	a := readOCIArchive(t, path)

	// Configuration: the Dockerfile's final stage.
	c := a.config.Config
	want := dockerfileFinal(t, version)
	if a.config.OS != "linux" || a.config.Architecture == "" {
		t.Errorf("os/architecture %s/%s", a.config.OS, a.config.Architecture)
	}
	if u := want["USER"]; len(u) != 1 || c.User != u[0] || c.User != "65532:65532" {
		t.Errorf("user %q, Dockerfile %q, want 65532:65532", c.User, u)
	}
	for instr, got := range map[string][]string{"ENTRYPOINT": c.Entrypoint, "CMD": c.Cmd} {
		var w []string
		if len(want[instr]) != 1 || json.Unmarshal([]byte(want[instr][0]), &w) != nil {
			t.Fatalf("Dockerfile %s %q: want one JSON array", instr, want[instr])
		}
		if !slices.Equal(got, w) {
			t.Errorf("%s %q, Dockerfile %q", instr, got, w)
		}
	}
	var ports []string
	for p := range c.ExposedPorts {
		ports = append(ports, p)
	}
	var wantPorts []string
	for _, p := range want["EXPOSE"] {
		for _, f := range strings.Fields(p) {
			if !strings.Contains(f, "/") {
				f += "/tcp"
			}
			wantPorts = append(wantPorts, f)
		}
	}
	slices.Sort(ports)
	slices.Sort(wantPorts)
	if !slices.Equal(ports, wantPorts) {
		t.Errorf("exposed ports %q, Dockerfile %q", ports, wantPorts)
	}
	labelRE := regexp.MustCompile(`([A-Za-z0-9_.-]+)="([^"]*)"`)
	wantLabels := map[string]string{}
	for _, l := range want["LABEL"] {
		for _, m := range labelRE.FindAllStringSubmatch(l, -1) {
			wantLabels[m[1]] = m[2]
		}
	}
	if wantLabels["org.opencontainers.image.version"] != version {
		t.Fatalf("Dockerfile labels %v: no version label", wantLabels)
	}
	gotLabels := maps.Clone(c.Labels)
	delete(gotLabels, "io.buildah.version") // buildah's own, on every image it commits
	if !maps.Equal(gotLabels, wantLabels) {
		t.Errorf("labels %v, Dockerfile %v", gotLabels, wantLabels)
	}

	// The file system: exactly these, with distroless' owners and modes.
	type entry struct {
		mode     int64
		uid, gid int
	}
	root := entry{0o755, 0, 0}
	files := map[string]entry{
		"etc/": root, "etc/ssl/": root, "etc/ssl/certs/": root, "etc/scrubd/": root, "home/": root,
		"home/nonroot/":                     {0o700, 65532, 65532},
		"tmp/":                              {0o1777, 0, 0},
		"scrubd":                            {0o755, 0, 0},
		"etc/passwd":                        {0o644, 0, 0},
		"etc/group":                         {0o644, 0, 0},
		"etc/ssl/certs/ca-certificates.crt": {0o644, 0, 0},
		"etc/scrubd/scrubd.yaml":            {0o644, 0, 0},
	}
	for name, f := range a.files {
		w, ok := files[name]
		if !ok {
			t.Errorf("unexpected file in the image: %s (%s)", name, f.hdr.FileInfo().Mode())
			continue
		}
		if got := f.hdr.Mode & 0o7777; got != w.mode || f.hdr.Uid != w.uid || f.hdr.Gid != w.gid {
			t.Errorf("%s: mode %o owner %d:%d, want %o %d:%d", name, got, f.hdr.Uid, f.hdr.Gid, w.mode, w.uid, w.gid)
		}
		if isDir := strings.HasSuffix(name, "/"); isDir != (f.hdr.Typeflag == tar.TypeDir) || !isDir && f.hdr.Typeflag != tar.TypeReg {
			t.Errorf("%s: type %c", name, f.hdr.Typeflag)
		}
	}
	for name := range files {
		if _, ok := a.files[name]; !ok {
			t.Errorf("the image lacks %s", name)
		}
	}

	// Contents.
	bin := a.files["scrubd"].data
	if ef, err := elf.NewFile(bytes.NewReader(bin)); err != nil {
		t.Errorf("/scrubd is not an ELF binary: %v", err)
	} else {
		for _, p := range ef.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("/scrubd has a program interpreter: not static (CGO_ENABLED=0), it cannot start on scratch")
			}
		}
		if libs, _ := ef.ImportedLibraries(); len(libs) > 0 {
			t.Errorf("/scrubd needs shared libraries %v", libs)
		}
	}
	if !bytes.Contains(bin, []byte(version)) {
		t.Errorf("/scrubd does not carry the version %q (-X main.version)", version)
	}
	if !regexp.MustCompile(`(?m)^nonroot:x:65532:65532:[^:]*:/home/nonroot:[^:]*$`).Match(a.files["etc/passwd"].data) {
		t.Errorf("/etc/passwd has no nonroot user 65532 with home /home/nonroot:\n%s", a.files["etc/passwd"].data)
	}
	if !regexp.MustCompile(`(?m)^nonroot:x:65532:`).Match(a.files["etc/group"].data) {
		t.Errorf("/etc/group has no nonroot group 65532:\n%s", a.files["etc/group"].data)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(a.files["etc/ssl/certs/ca-certificates.crt"].data) {
		t.Errorf("/etc/ssl/certs/ca-certificates.crt holds no PEM certificate")
	}
	// The default configuration is the one the Dockerfile copies.
	var src string
	for _, l := range readLines(t, "Dockerfile") {
		if m := regexp.MustCompile(`cp (\S+) /out/etc/scrubd/scrubd.yaml`).FindStringSubmatch(l); m != nil {
			src = m[1]
		}
	}
	wantCfg, err := os.ReadFile(filepath.Join("..", src))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.files["etc/scrubd/scrubd.yaml"].data, wantCfg) {
		t.Errorf("/etc/scrubd/scrubd.yaml is not %s", src)
	}
	if !slices.Contains(c.Cmd, "/etc/scrubd/scrubd.yaml") {
		t.Errorf("the command %q does not run the default configuration", c.Cmd)
	}
}
