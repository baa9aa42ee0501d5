package geoip

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/oschwald/geoip2-golang/v2"
	"github.com/oschwald/maxminddb-golang/v2"
)

// database is one loaded version of the database file. It is immutable and
// held in memory (not memory-mapped), so a file truncated or rewritten in
// place can never fault a lookup, and an old version needs no closing: the
// garbage collector frees it once no lookup in flight still uses it.
type database struct {
	mm        *maxminddb.Reader
	answers   map[uintptr]answer // by record offset; nil: decode each time
	ipv4Only  bool
	dbType    string
	buildTime time.Time
	loadedAt  time.Time
	id        identity
}

// loadDatabase reads, checks and opens the database file at path. It
// accepts exactly the database types geoip2-golang accepts for Country
// lookups, and decodes the country of every record once when the database
// has at most cacheLimit records.
func loadDatabase(path string, maxSize int64, verify bool, cacheLimit int) (*database, error) {
	data, id, err := readFile(path, maxSize)
	if err != nil {
		return nil, err
	}
	mm, err := maxminddb.OpenBytes(data)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if verify {
		if err := mm.Verify(); err != nil {
			return nil, fmt.Errorf("verify %s: %w", path, err)
		}
	}
	geo, err := geoip2.OpenBytes(data)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// A database of a known type without country data (ASN, ISP, ...)
	// opens, but refuses country lookups; find that out now, with an
	// address that is never a client's.
	if _, err := geo.Country(netip.IPv4Unspecified()); err != nil {
		if invalid := (geoip2.InvalidMethodError{}); errors.As(err, &invalid) {
			return nil, fmt.Errorf("open %s: database type %q has no country data", path, invalid.DatabaseType)
		}
	}
	return &database{
		mm:        mm,
		answers:   cacheAnswers(mm, cacheLimit),
		ipv4Only:  mm.Metadata.IPVersion == 4,
		dbType:    mm.Metadata.DatabaseType,
		buildTime: mm.Metadata.BuildTime(),
		id:        id,
	}, nil
}

// readFile reads the regular file at path, at most maxSize bytes, and
// returns its contents and identity. It fails when the file changes while
// it is read, so that a half-written version is never used.
func readFile(path string, maxSize int64) ([]byte, identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, identity{}, err
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return nil, identity{}, err
	}
	switch size := before.Size(); {
	case !before.Mode().IsRegular():
		return nil, identity{}, fmt.Errorf("read %s: not a regular file", path)
	case size == 0:
		return nil, identity{}, fmt.Errorf("read %s: file is empty", path)
	case size > maxSize:
		return nil, identity{}, fmt.Errorf("read %s: file has %d bytes, more than the limit of %d", path, size, maxSize)
	}
	data := make([]byte, before.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, identity{}, fmt.Errorf("read %s: %w (file changed while being read?)", path, err)
	}
	var extra [1]byte
	if n, _ := f.Read(extra[:]); n != 0 {
		return nil, identity{}, fmt.Errorf("read %s: file grew while being read", path)
	}
	after, err := f.Stat()
	if err != nil {
		return nil, identity{}, err
	}
	id := identityOf(before)
	if identityOf(after) != id {
		return nil, identity{}, fmt.Errorf("read %s: file changed while being read", path)
	}
	return data, id, nil
}
