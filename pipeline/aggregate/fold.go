package aggregate

import "slices"

// Bucket is the count of one combination of dimension values.
type Bucket struct {
	Dims  []string
	Count int64
	// Subjects is the number of distinct data subjects counted, up to k
	// (see State.Add): a bucket is emitted only when it reaches k.
	Subjects int64
}

// fold returns the buckets to emit for one window: those with at least k
// distinct subjects, sorted by their dimension values, followed, when any bucket had
// fewer, by one bucket whose every dimension is Other holding their sum.
// It also returns the number of buckets folded. The sum of the counts is
// unchanged.
func fold(in []Bucket, k int64, ndims int) (out []Bucket, suppressed int) {
	var other int64
	for _, b := range in {
		if b.Subjects >= k && !allOther(b.Dims) {
			out = append(out, b)
			continue
		}
		if !allOther(b.Dims) {
			suppressed++
		}
		other += b.Count
	}
	slices.SortFunc(out, func(a, b Bucket) int { return slices.Compare(a.Dims, b.Dims) })
	if other > 0 {
		dims := make([]string, ndims)
		for i := range dims {
			dims[i] = Other
		}
		out = append(out, Bucket{Dims: dims, Count: other, Subjects: k})
	}
	return out, suppressed
}

// allOther reports whether every value of dims is Other: the bucket of
// folded counts (restored from a changelog with other dimensions, say).
func allOther(dims []string) bool {
	for _, d := range dims {
		if d != Other {
			return false
		}
	}
	return len(dims) > 0
}
