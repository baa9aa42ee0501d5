package reload

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// fileID describes what path is now: the file it resolves to and that
// file's identity, or why it cannot be read.
func fileID(path string) string {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return path + ": missing"
	}
	st, err := os.Stat(target)
	if err != nil {
		return path + ": unreadable"
	}
	var ino uint64
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		ino = sys.Ino
	}
	return fmt.Sprintf("%s=%s:%d:%d:%d", path, target, st.Size(), st.ModTime().UnixNano(), ino)
}
