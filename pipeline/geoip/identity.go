package geoip

import (
	"io/fs"
	"os"
)

// identity tells one version of the database file from another without
// reading it: the file's device and inode (a rename or a symlink swap gives
// a new one), its size, modification time and, on Linux, change time (an
// in-place rewrite or a chmod changes them). The zero identity stands for a
// file that does not exist or cannot be stat'ed.
type identity struct {
	dev, ino uint64
	size     int64
	mtime    int64
	ctime    int64
	exists   bool
}

// identityOf returns the identity of the file fi describes.
func identityOf(fi fs.FileInfo) identity {
	id := identity{size: fi.Size(), mtime: fi.ModTime().UnixNano(), exists: true}
	id.dev, id.ino, id.ctime = sysIdentity(fi)
	return id
}

// statIdentity returns the identity of the file at path, following
// symbolic links, or the zero identity and the error when it cannot be
// stat'ed.
func statIdentity(path string) (identity, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return identity{}, err
	}
	return identityOf(fi), nil
}
