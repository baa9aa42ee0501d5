package detectors

// classify64Generic is classify64 in Go: bit k of each mask describes q[k].
func classify64Generic(q *[64]byte) (letters, digits, trigs uint64) {
	for k, c := range q {
		switch cl := class[c]; {
		case cl&cLetter != 0:
			letters |= 1 << k
		case cl&cDigit != 0:
			digits |= 1 << k
		case cl&cTrig != 0:
			trigs |= 1 << k
		}
	}
	return letters, digits, trigs
}
