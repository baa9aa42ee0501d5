package record

import "testing"

func TestHeader(t *testing.T) {
	r := Record{Headers: []Header{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("b")}, {Key: []byte("a"), Value: []byte("2")}}}
	if v, ok := r.Header("a"); !ok || string(v) != "1" {
		t.Fatalf("Header(a) = %q, %v; want the first value", v, ok)
	}
	if v, ok := r.Header("b"); !ok || v != nil {
		t.Fatalf("Header(b) = %q, %v; want present without value", v, ok)
	}
	if _, ok := r.Header("c"); ok {
		t.Fatal("Header(c) found a header that is not there")
	}
}
