package aggregate

import (
	"strconv"
	"time"
)

// AppendRecord appends the aggregates-topic record of one bucket of e:
//
//	{"window_start":"2024-03-05T07:08:00Z","window_end":"2024-03-05T07:09:00Z",
//	 "dims":{"event":"login","country":"GB"},"count":12}
//
// with "correction":true added after the count for late records of a
// window emitted before. Dimensions are in the order of dims.
func AppendRecord(dst []byte, e *Emission, dims []Dim, b Bucket) []byte {
	dst = append(dst, `{"window_start":"`...)
	dst = e.Start.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","window_end":"`...)
	dst = e.End.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","dims":{`...)
	for i, d := range dims {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, string(d))
		dst = append(dst, ':')
		v := Other
		if i < len(b.Dims) {
			v = b.Dims[i]
		}
		dst = appendJSONString(dst, v)
	}
	dst = append(dst, `},"count":`...)
	dst = strconv.AppendInt(dst, b.Count, 10)
	if e.Correction {
		dst = append(dst, `,"correction":true`...)
	}
	return append(dst, '}')
}
