package discover

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLogfmtPairs(t *testing.T) {
	type kv struct{ K, V string }
	tests := []struct {
		in   string
		want []kv
	}{
		{`level=info msg="user logged in" ip=10.0.0.1`, []kv{{"level", "info"}, {"msg", "user logged in"}, {"ip", "10.0.0.1"}}},
		{`a= b c=""`, []kv{{"a", ""}, {"b", ""}, {"c", ""}}},
		{`q="say \"hi\"" z=1`, []kv{{"q", `say \"hi\"`}, {"z", "1"}}},
		{`open="not closed`, []kv{{"open", "not closed"}}},
		{`=stray "quoted" k=v`, []kv{{"k", "v"}}},
		{"  \t", nil},
		{`k=a=b`, []kv{{"k", "a=b"}}},
	}
	for _, tt := range tests {
		var got []kv
		for _, p := range logfmtPairs(nil, []byte(tt.in)) {
			got = append(got, kv{tt.in[p.ks:p.ke], tt.in[p.vs:p.ve]})
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("logfmtPairs(%q) (-want +got):\n%s", tt.in, d)
		}
	}
}

func TestKeyAt(t *testing.T) {
	rec := `bare k=v q="a b" 10.0.0.1`
	pairs := logfmtPairs(nil, []byte(rec))
	key := func(off int) string {
		if k := keyAt(pairs, off); k >= 0 {
			return rec[pairs[k].ks:pairs[k].ke]
		}
		return ""
	}
	for _, tt := range []struct {
		sub  string
		want string
	}{
		{"bare", ""}, {"k=", ""}, {"v", "k"}, {`"a b"`, "q"}, {"b\"", "q"}, {"10.0", ""},
	} {
		off := strings.Index(rec, tt.sub)
		if tt.sub == "k=" {
			off = strings.Index(rec, "k=") // the key itself
		}
		if got := key(off); got != tt.want {
			t.Errorf("key at %q (%d) = %q, want %q", tt.sub, off, got, tt.want)
		}
	}
	if keyAt(nil, 0) != -1 {
		t.Error("keyAt(nil) found a pair")
	}
}

// FuzzLogfmtPairs checks that the pairs of any input are in bounds, in
// order and apart, that keys are not empty and hold no space, '=' or quote,
// and that records written from pairs read back as those pairs.
func FuzzLogfmtPairs(f *testing.F) {
	f.Add([]byte(`level=info msg="a b" ip=10.0.0.1`), "k", "v w")
	f.Add([]byte(`q="\"" ="x" a==b`), "a", `"`)
	f.Add([]byte("k=\"\\"), "é", "")
	f.Fuzz(func(t *testing.T, rec []byte, key, val string) {
		prev := 0
		pairs := logfmtPairs(nil, rec)
		for _, p := range pairs {
			if p.ks < prev || p.ke <= p.ks || p.vs < p.ke || p.ve < p.vs || p.end < p.ve || p.end > len(rec) {
				t.Fatalf("pair %+v out of order or bounds (prev %d, len %d)", p, prev, len(rec))
			}
			for _, c := range rec[p.ks:p.ke] {
				if c <= ' ' || c == '=' || c == '"' {
					t.Fatalf("key %q holds %q", rec[p.ks:p.ke], c)
				}
			}
			for off := p.ks; off < p.end; off++ {
				k := keyAt(pairs, off)
				if inValue := off >= p.ke && off < p.end && p.end > p.ke; inValue != (k >= 0) {
					t.Fatalf("keyAt(%d) = %d in pair %+v", off, k, p)
				}
			}
			prev = p.end
		}
		// Round trip: a key of key characters and a quoted value.
		if key == "" || strings.ContainsAny(key, " \t\r\n=\"") || strings.ContainsFunc(key, func(r rune) bool { return r <= ' ' }) {
			return
		}
		q := strconv.Quote(val)
		line := "a=1 " + key + "=" + q + " z"
		ps := logfmtPairs(nil, []byte(line))
		if len(ps) != 3 || line[ps[1].ks:ps[1].ke] != key || line[ps[1].vs:ps[1].ve] != q[1:len(q)-1] {
			t.Fatalf("%q: pairs %+v", line, ps)
		}
	})
}
