package aggregate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// changelogVersion starts every changelog key, so that the format can
// change.
const changelogVersion = "a1"

// Source is the partition a State belongs to.
type Source struct {
	Topic     string
	Partition int32
}

// EntryKind is the kind of a changelog entry.
type EntryKind byte

// The kinds of changelog entries.
const (
	// EntryBucket is a bucket's count; a tombstone (no value) deletes it.
	EntryBucket EntryKind = 'b'
	// EntryWatermark is the partition's watermark in Unix ms.
	EntryWatermark EntryKind = 'w'
	// EntryMarker is written by a new owner of the partition before it
	// restores; reading up to its own marker, it has read everything
	// that owners before it committed.
	EntryMarker EntryKind = 'm'
)

// Changelog keys are JSON arrays, readable with any console consumer:
//
//	["a1","logs.raw",3,"b","event,path",1700000040000,0,["login","/api/v1/login"]]
//	["a1","logs.raw",3,"w"]
//	["a1","logs.raw",3,"m"]
//
// A bucket's value is its count and its distinct subjects (up to k) in
// decimal, "count/distinct"; an older value "count" alone counted records
// and reads as count/count. The watermark's is Unix ms in
// decimal; a marker's is the restoring owner's nonce.

// appendPrefix appends the key prefix of src's entries of kind k.
func appendPrefix(dst []byte, src Source, k EntryKind) []byte {
	dst = append(dst, `["`+changelogVersion+`",`...)
	dst = appendJSONString(dst, src.Topic)
	dst = append(dst, ',')
	dst = strconv.AppendInt(dst, int64(src.Partition), 10)
	dst = append(dst, ',', '"', byte(k), '"')
	return dst
}

// ChangeKey returns the changelog key of c, a change of src's state.
func ChangeKey(src Source, c Change) []byte {
	if c.Watermark {
		return append(appendPrefix(nil, src, EntryWatermark), ']')
	}
	b := appendPrefix(make([]byte, 0, 96), src, EntryBucket)
	b = append(b, ',')
	b = appendJSONString(b, c.Schema)
	b = append(b, ',')
	b = strconv.AppendInt(b, c.Start, 10)
	if c.Late {
		b = append(b, ",1,["...)
	} else {
		b = append(b, ",0,["...)
	}
	for i, d := range c.Dims {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, d)
	}
	return append(b, ']', ']')
}

// ChangeValue returns the changelog value of c: nil (a tombstone) for a
// deleted bucket.
func ChangeValue(c Change) []byte {
	if !c.Watermark && c.Count == 0 {
		return nil
	}
	if c.Watermark {
		return strconv.AppendInt(nil, c.Start, 10)
	}
	v := strconv.AppendInt(nil, c.Count, 10)
	v = append(v, '/')
	return strconv.AppendInt(v, c.Distinct, 10)
}

// MarkerKey returns the key of src's restore marker.
func MarkerKey(src Source) []byte {
	return append(appendPrefix(nil, src, EntryMarker), ']')
}

// Entry is a changelog record decoded.
type Entry struct {
	Source Source
	Kind   EntryKind
	// Change is the bucket or watermark change (EntryBucket,
	// EntryWatermark); a tombstone has Count 0.
	Change Change
	// Marker is a marker's value (EntryMarker).
	Marker []byte
}

// errNotChangelog is wrapped by DecodeEntry's errors.
var errNotChangelog = errors.New("not a scrubd aggregates changelog entry")

// DecodeEntry decodes a changelog record; value is nil for a tombstone.
func DecodeEntry(key, value []byte) (Entry, error) {
	var parts []json.RawMessage
	if err := json.Unmarshal(key, &parts); err != nil || len(parts) < 4 {
		return Entry{}, fmt.Errorf("%w: key is not a JSON array of 4 or more", errNotChangelog)
	}
	var version, kind string
	var e Entry
	if json.Unmarshal(parts[0], &version) != nil || version != changelogVersion {
		return Entry{}, fmt.Errorf("%w: version %s", errNotChangelog, parts[0])
	}
	if json.Unmarshal(parts[1], &e.Source.Topic) != nil || json.Unmarshal(parts[2], &e.Source.Partition) != nil ||
		json.Unmarshal(parts[3], &kind) != nil || len(kind) != 1 {
		return Entry{}, fmt.Errorf("%w: bad source or kind", errNotChangelog)
	}
	e.Kind = EntryKind(kind[0])
	switch e.Kind {
	case EntryMarker:
		e.Marker = bytes.Clone(value)
		return e, nil
	case EntryWatermark:
		wm, err := strconv.ParseInt(string(value), 10, 64)
		if err != nil {
			return Entry{}, fmt.Errorf("%w: watermark value", errNotChangelog)
		}
		e.Change = Change{Watermark: true, Start: wm}
		return e, nil
	case EntryBucket:
	default:
		return Entry{}, fmt.Errorf("%w: kind %q", errNotChangelog, kind)
	}
	var late int
	if len(parts) != 8 || json.Unmarshal(parts[4], &e.Change.Schema) != nil || json.Unmarshal(parts[5], &e.Change.Start) != nil ||
		json.Unmarshal(parts[6], &late) != nil || json.Unmarshal(parts[7], &e.Change.Dims) != nil {
		return Entry{}, fmt.Errorf("%w: bad bucket key", errNotChangelog)
	}
	e.Change.Late = late == 1
	if value != nil {
		count, distinct, two := bytes.Cut(value, []byte{'/'})
		n, err := strconv.ParseInt(string(count), 10, 64)
		if err != nil || n <= 0 {
			return Entry{}, fmt.Errorf("%w: bucket count", errNotChangelog)
		}
		d := n
		if two {
			if d, err = strconv.ParseInt(string(distinct), 10, 64); err != nil || d < 0 || d > n {
				return Entry{}, fmt.Errorf("%w: bucket distinct subjects", errNotChangelog)
			}
		}
		e.Change.Count, e.Change.Distinct = n, d
	}
	return e, nil
}
