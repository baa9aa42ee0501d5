//go:build !amd64

package detectors

import "unsafe"

// classify64 returns, for the 64 bytes at p, one bit per byte: whether it is
// an ASCII letter, an ASCII digit, a trigger byte.
func classify64(p *byte) (letters, digits, trigs uint64) {
	return classify64Generic((*[64]byte)(unsafe.Pointer(p)))
}
