package detectors

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCoordinates(t *testing.T) {
	s := newTestScanner(t)
	tests := []struct {
		line string
		want []string
	}{
		// After a latitude or longitude key.
		{"lat=48.85837 lon=2.294481", []string{"48.85837", "2.294481"}},
		{`{"latitude": 48.8583701, "longitude": -2.2944813}`, []string{"48.8583701", "2.2944813"}},
		{"user_lat=-33.8688 user_lng=151.2093", []string{"33.8688", "151.2093"}},
		{"lat: 40.7128, lng: -74.0060", []string{"40.7128", "74.0060"}},
		// Pairs.
		{"(48.85837, 2.294481)", []string{"48.85837, 2.294481"}},
		{"at [2.294481,48.85837] ok", []string{"2.294481,48.85837"}},
		{"geo:48.85837,2.294481", []string{"48.85837,2.294481"}},
		{"GPS 48.85837, -2.294481 fix", []string{"48.85837, -2.294481"}},
		{"location: -33.86882, 151.20929", []string{"33.86882, 151.20929"}},
		{"https://maps.example.com/@48.8583701,2.2944813,17z", []string{"48.8583701,2.2944813"}},
		{"48.8584° N, 2.2945° E", []string{"48.8584° N, 2.2945° E"}},
		{"48.8584N 2.2945E", []string{"48.8584N 2.2945E"}},
		{"33.8688°S 151.2093°E", []string{"33.8688°S 151.2093°E"}},
		// Not coordinates.
		{"geo:48.85,2.29", nil},
		{"lat=48.85 lon=2.29", nil},
		{"load 0.1234 0.5678", nil},
		{"load average: 0.1234, 0.5678, 0.9012", nil},
		{"took 12.3456, 2.3456 retries", nil},
		{"(0.9123, 0.8765)", nil},
		{"lat=91.12345x", nil},
		{"(95.12345, 200.12345)", nil},
		{"version 1.2345.6789", nil},
		{"took 0.123456s p99=1.234567", nil},
		{"Chrome/32.0.1700.77 Safari/537.36", nil},
		{"latency=12.3456", nil},
		{"long 12.3456", nil},
		{"10.0.0.1 and 48.12345", []string{}},
	}
	for _, tt := range tests {
		got := findingsOf(t, s, tt.line, Coordinates)
		if len(tt.want) == 0 && len(got) == 0 {
			continue
		}
		if !cmp.Equal(got, tt.want) {
			t.Errorf("Scan(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestCoordinatesDisabled(t *testing.T) {
	s, err := New(Options{Disabled: []Type{Coordinates}})
	if err != nil {
		t.Fatal(err)
	}
	if got := findingsOf(t, s, "lat=48.85837 lon=2.294481", Coordinates); got != nil {
		t.Errorf("disabled coordinates found: %q", got)
	}
}

func FuzzMatchCoords(f *testing.F) {
	for _, s := range []string{"(48.85837, 2.294481)", "48.8584° N, 2.2945° E", "lat=48.85837", "@48.8583701,2.2944813,17z", "0.1234 0.5678", "1.\xc2"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := range b {
			if !isDigit(b[i]) || i > 0 && isAlnum(b[i-1]) {
				continue
			}
			st, end := matchCoords(b, i)
			if end == 0 {
				continue
			}
			if st != i || end <= i || end > len(b) {
				t.Fatalf("matchCoords(%q, %d) = %d, %d", b, i, st, end)
			}
			// A coordinate has 4 decimals or more: what coarsen leaves
			// (2 decimals) is never matched again.
			a, ok := readCoordNum(b, i)
			if !ok || a.end > end {
				t.Fatalf("matchCoords(%q, %d) = %d, %d: no number at the start", b, i, st, end)
			}
		}
	})
}
