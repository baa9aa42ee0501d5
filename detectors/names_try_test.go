package detectors

import "testing"

func TestTryNames(t *testing.T) {
	s, _ := New(Options{})
	for _, l := range []string{
		"correct it to Dr. Cettina Fanucci?",
		"Wisława Szczepańska's killers sentenced to life in prison",
		"Willemine ten Pas will be talking in the conference",
		"Have you been to a Ravil G Yefimov concert before?",
		"Directed By:    Arquímedes Ballesteros",
	} {
		f, _ := s.Scan(nil, []byte(l))
		var out []string
		for _, x := range f {
			out = append(out, string(x.Type)+":"+l[x.Start:x.End])
		}
		t.Logf("%q -> %q", l, out)
		var toks [maxNameToks]nameTok
		for i := 0; i < len(l); i++ {
			if l[i] >= 'A' && l[i] <= 'Z' && (i == 0 || l[i-1] == ' ') {
				k, e := s.names.readNameRun([]byte(l), i, &toks)
				t.Logf("  run at %d: %d toks end %d %+v", i, k, e, toks[:k])
			}
		}
	}
}
