package config

import (
	"fmt"
	"strconv"
	"strings"
)

// KafkaVersion is a Kafka protocol version, as kafka.version names it:
// "0.a.b.c" before 1.0, "a.b.c" from 1.0 on. The Kafka adapter turns it
// into its client's version; the configuration needs only to check it.
type KafkaVersion [4]uint

// MinKafkaVersion is the oldest Kafka protocol version scrubd speaks: 2.5.0
// sends consumer group metadata with transactional offset commits (KIP-447)
// and fetches offsets with require_stable.
func MinKafkaVersion() KafkaVersion { return KafkaVersion{2, 5, 0, 0} }

// ParseKafkaVersion parses s as the Kafka client does, and fails where it
// fails.
func ParseKafkaVersion(s string) (KafkaVersion, error) {
	parts := strings.Split(s, ".")
	var v KafkaVersion
	pre1 := strings.HasPrefix(s, "0")
	switch {
	case len(s) < 5, pre1 && len(parts) != 4, !pre1 && len(parts) != 3, pre1 && parts[0] != "0":
		return v, fmt.Errorf("invalid version %q", s)
	}
	if !pre1 {
		// From 1.0 on, the fourth (patch) number is zero.
		parts = append(parts, "0")
	}
	for i, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return v, fmt.Errorf("invalid version %q", s)
		}
		n, err := strconv.ParseUint(p, 10, 0)
		if err != nil {
			return v, fmt.Errorf("invalid version %q", s)
		}
		v[i] = uint(n)
	}
	return v, nil
}

// AtLeast reports whether v is other or newer.
func (v KafkaVersion) AtLeast(other KafkaVersion) bool {
	for i := range v {
		if v[i] != other[i] {
			return v[i] > other[i]
		}
	}
	return true
}

// String formats v as ParseKafkaVersion reads it.
func (v KafkaVersion) String() string {
	if v[0] == 0 {
		return fmt.Sprintf("0.%d.%d.%d", v[1], v[2], v[3])
	}
	return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2])
}
