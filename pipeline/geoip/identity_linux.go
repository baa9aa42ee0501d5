package geoip

import (
	"io/fs"
	"syscall"
)

// sysIdentity returns the device, inode and change time (Unix nanoseconds)
// of the file fi describes.
func sysIdentity(fi fs.FileInfo) (dev, ino uint64, ctime int64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, 0
	}
	return st.Dev, st.Ino, st.Ctim.Nano()
}
