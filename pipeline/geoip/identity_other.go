//go:build !linux

package geoip

import "io/fs"

// sysIdentity returns zeros outside Linux, where the file's identity is its
// size and modification time only.
func sysIdentity(fs.FileInfo) (dev, ino uint64, ctime int64) {
	return 0, 0, 0
}
