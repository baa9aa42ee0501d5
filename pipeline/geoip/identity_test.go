package geoip

import (
	"os"
	"path/filepath"
	"testing"
)

// TestIdentity checks what changes a file's identity and what does not.
// The Reader compares the identity os.Stat gives through the path with the
// one recorded when the file was read through an open descriptor; the two
// must agree or the file would be reloaded at every poll.
func TestIdentity(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.mmdb")
	writeBytes([]byte("version 1"))(t, target)
	link := filepath.Join(dir, "link.mmdb")
	if err := os.Symlink("real.mmdb", link); err != nil {
		t.Fatal(err)
	}
	stat := func(path string) identity {
		t.Helper()
		id, err := statIdentity(path)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	for _, path := range []string{target, link} {
		_, read, err := readFile(path, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if got := stat(path); got != read {
			t.Errorf("%s: stat identity %+v differs from the identity read %+v", filepath.Base(path), got, read)
		}
	}
	if _, _, err := readFile(filepath.Join(dir, "absent"), 1<<20); err == nil {
		t.Error("readFile of a missing file succeeded")
	}
	if id, err := statIdentity(filepath.Join(dir, "absent")); err == nil || id != (identity{}) {
		t.Errorf("statIdentity of a missing file = %+v, %v; want the zero identity and an error", id, err)
	}

	base := stat(link)
	if again := stat(link); again != base {
		t.Errorf("identity changed without a change: %+v, %+v", base, again)
	}
	changes := []struct {
		name   string
		change func()
	}{
		{"rename over", func() { replaceFile(t, target, []byte("version 2")) }},
		{"in-place rewrite, new size", func() { writeBytes([]byte("version three"))(t, target) }},
		{"chmod", func() {
			if err := os.Chmod(target, 0o640); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range changes {
		before := stat(link)
		c.change()
		// The coarse file clock may not tick between two changes; the
		// rename and the new size change the identity anyway, and chmod
		// changes the change time once the clock has moved.
		waitFor(t, c.name+" to change the identity", func() bool {
			if stat(link) != before {
				return true
			}
			c.change()
			return false
		})
	}
}
