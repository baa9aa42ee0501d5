package aggregate

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Named timestamp formats; any other format is a Go time layout
// ("2006-01-02 15:04:05"), read as UTC when it has no zone.
const (
	// FormatRFC3339 is RFC 3339 with or without fractional seconds.
	FormatRFC3339 = "rfc3339"
	// FormatCommonLog is the access-log time, "10/Oct/2000:13:55:36 -0700".
	FormatCommonLog = "common_log"
	// FormatUnix is seconds since the epoch, with an optional fraction,
	// below 1e11 (so that milliseconds are not read as seconds).
	FormatUnix = "unix"
	// FormatUnixMillis is milliseconds since the epoch, 1e11 or more.
	FormatUnixMillis = "unix_ms"
)

// DefaultTimestampFormats are tried in order when none are configured.
var DefaultTimestampFormats = []string{FormatRFC3339, FormatCommonLog, FormatUnix, FormatUnixMillis, "2006-01-02 15:04:05", "2006-01-02T15:04:05"}

// TimeParser reads event times in a list of formats, the first that
// parses winning. It is immutable and safe for concurrent use.
type TimeParser struct {
	formats []string
}

// NewTimeParser checks formats (nil means DefaultTimestampFormats). A Go
// layout must format a fixed instant back to something it parses, so
// that a typo is an error and not a silent failure on every record.
func NewTimeParser(formats []string) (*TimeParser, error) {
	if len(formats) == 0 {
		formats = DefaultTimestampFormats
	}
	for _, f := range formats {
		switch f {
		case FormatRFC3339, FormatCommonLog, FormatUnix, FormatUnixMillis:
			continue
		}
		ref := time.Date(2024, 3, 5, 7, 8, 9, 0, time.UTC)
		if t, err := time.Parse(f, ref.Format(f)); err != nil || t.Year() != 2024 {
			return nil, fmt.Errorf("timestamp format %q is neither %s, %s, %s, %s nor a Go time layout with a year", f, FormatRFC3339, FormatCommonLog, FormatUnix, FormatUnixMillis)
		}
	}
	return &TimeParser{formats: formats}, nil
}

// Parse returns the time v holds (quotes and spaces around it ignored),
// or false.
func (p *TimeParser) Parse(v []byte) (time.Time, bool) {
	v = bytes.Trim(v, "\" \t")
	if len(v) == 0 || len(v) > 64 {
		return time.Time{}, false
	}
	s := string(v)
	for _, f := range p.formats {
		if t, ok := parseAs(f, s); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

func parseAs(format, s string) (time.Time, bool) {
	switch format {
	case FormatRFC3339:
		t, err := time.Parse(time.RFC3339Nano, s)
		return t, err == nil
	case FormatCommonLog:
		t, err := time.Parse("02/Jan/2006:15:04:05 -0700", s)
		return t, err == nil
	case FormatUnix:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || f >= 1e11 || strings.ContainsAny(s, "eEnN") {
			return time.Time{}, false
		}
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
	case FormatUnixMillis:
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil || ms < 1e11 || ms > 1e14 {
			return time.Time{}, false
		}
		return time.UnixMilli(ms).UTC(), true
	}
	t, err := time.Parse(format, s)
	return t, err == nil
}
