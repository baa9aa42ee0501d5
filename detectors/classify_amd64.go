package detectors

// classify64 returns, for the 64 bytes at p, one bit per byte: whether it is
// an ASCII letter, an ASCII digit, a trigger byte. It is written in
// assembly (classify_amd64.s); classify64Generic is its definition, and
// TestClassify64 and FuzzClassify64 check the two against each other.
//
//go:noescape
func classify64(p *byte) (letters, digits, trigs uint64)
