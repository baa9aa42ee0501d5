package detectors

import "testing"

func checkClassify64(t *testing.T, q *[64]byte) {
	t.Helper()
	l, d, tr := classify64(&q[0])
	gl, gd, gt := classify64Generic(q)
	if l != gl || d != gd || tr != gt {
		t.Fatalf("classify64(%q) = %x %x %x, want %x %x %x", q[:], l, d, tr, gl, gd, gt)
	}
}

// TestClassify64 puts every byte value in every lane.
func TestClassify64(t *testing.T) {
	var q [64]byte
	for c := 0; c < 256; c++ {
		for k := range q {
			q[k] = byte(c + k)
		}
		checkClassify64(t, &q)
	}
}

func FuzzClassify64(f *testing.F) {
	f.Add([]byte("Completed rollback for id=42 at 10.0.0.1 (a%40b) +44 host1.2.3.4"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var q [64]byte
		copy(q[:], b)
		checkClassify64(t, &q)
	})
}
