package decision

import "strconv"

// Counts are the counts of the records decided for one batch, added to the
// metrics when the batch is done. Make them with NewCounts.
type Counts struct {
	Findings map[string]int // by finding type, of clean records
	Actions  map[string]int // by action taken
	Reasons  map[string]int // dead letters by reason
	Topics   map[string]int // clean records per output topic

	Clean, Dropped, Dead, Minor, Suppressed int
}

// NewCounts returns empty counts.
func NewCounts() Counts {
	return Counts{Findings: map[string]int{}, Actions: map[string]int{}, Reasons: map[string]int{}, Topics: map[string]int{}}
}

// findingCounts counts findings per type for one record.
type findingCounts struct {
	types  []string
	counts []int
}

func (f *findingCounts) reset() {
	f.types = f.types[:0]
	f.counts = f.counts[:0]
}

func (f *findingCounts) add(t string) {
	for i, x := range f.types {
		if x == t {
			f.counts[i]++
			return
		}
	}
	f.types = append(f.types, t)
	f.counts = append(f.counts, 1)
}

// appendHeader appends the counts formatted as "email=1,ipv4=2", sorted by
// type, to dst; it returns dst unchanged when there are none. It sorts the
// counts in place (an insertion sort: a record has a handful of types), so
// that formatting them allocates nothing but what dst may need.
func (f *findingCounts) appendHeader(dst []byte) []byte {
	for i := 1; i < len(f.types); i++ {
		for j := i; j > 0 && f.types[j] < f.types[j-1]; j-- {
			f.types[j], f.types[j-1] = f.types[j-1], f.types[j]
			f.counts[j], f.counts[j-1] = f.counts[j-1], f.counts[j]
		}
	}
	for i, t := range f.types {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, t...)
		dst = append(dst, '=')
		dst = strconv.AppendInt(dst, int64(f.counts[i]), 10)
	}
	return dst
}
