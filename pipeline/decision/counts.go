package decision

import (
	"slices"
	"strconv"
)

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

// header formats the counts as "email=1,ipv4=2", sorted by type.
func (f *findingCounts) header() []byte {
	if len(f.types) == 0 {
		return nil
	}
	idx := make([]int, len(f.types))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if f.types[a] < f.types[b] {
			return -1
		}
		return 1
	})
	var b []byte
	for n, i := range idx {
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, f.types[i]...)
		b = append(b, '=')
		b = strconv.AppendInt(b, int64(f.counts[i]), 10)
	}
	return b
}
