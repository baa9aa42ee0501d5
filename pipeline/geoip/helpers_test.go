package geoip

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"github.com/prometheus/client_golang/prometheus"
)

// testBuildEpoch is the build time written into every test database.
const testBuildEpoch = 1_700_000_000

// record is one network of a test database.
type record struct {
	network    string
	country    string // country.iso_code; empty leaves it out
	registered string // registered_country.iso_code; empty leaves it out
	continent  string // continent.code; empty leaves it out
}

// baseRecords returns the content of the standard test database. The
// reserved networks have countries so that tests can prove they are never
// looked up.
func baseRecords() []record {
	return []record{
		{network: "81.2.69.0/24", country: "GB", registered: "US"},
		{network: "89.160.20.0/24", country: "SE", registered: "DE"},
		{network: "216.160.83.0/24", country: "US"},
		{network: "2a02:cf40::/29", country: "NO"},
		{network: "2001:480::/32", country: "US"},
		{network: "1.0.0.0/24", registered: "JP"},  // registered country only
		{network: "1.0.1.0/24", continent: "AS"},   // no country at all
		{network: "1.0.2.0/24", country: "gb"},     // not upper case
		{network: "1.0.3.0/24", country: "GBR"},    // not two letters
		{network: "10.0.0.0/8", country: "US"},     // private
		{network: "192.168.0.0/16", country: "CN"}, // private
		{network: "127.0.0.0/8", country: "SG"},    // loopback
		{network: "100.64.0.0/10", country: "DE"},  // shared address space
		{network: "169.254.0.0/16", country: "FR"}, // link-local
		{network: "203.0.113.0/24", country: "FR"}, // documentation
		{network: "224.0.0.0/4", country: "IT"},    // multicast
		{network: "240.0.0.0/4", country: "IT"},    // reserved, broadcast
		{network: "0.0.0.0/8", country: "IT"},      // this network
		{network: "fc00::/7", country: "GB"},       // unique local
		{network: "fe80::/10", country: "GB"},      // link-local
		{network: "ff00::/8", country: "GB"},       // multicast
		{network: "2001:db8::/32", country: "GB"},  // documentation
		{network: "::1/128", country: "GB"},        // loopback
		{network: "64:ff9b::/96", country: "GB"},   // NAT64
		{network: "3fff::/20", country: "GB"},      // documentation
	}
}

// buildDB returns a database of type dbType (GeoLite2-Country when empty)
// holding records; opts adjusts the writer's options.
func buildDB(t testing.TB, dbType string, records []record, opts ...func(*mmdbwriter.Options)) []byte {
	t.Helper()
	if dbType == "" {
		dbType = "GeoLite2-Country"
	}
	o := mmdbwriter.Options{
		DatabaseType:            dbType,
		RecordSize:              24,
		BuildEpoch:              testBuildEpoch,
		IncludeReservedNetworks: true,
		Description:             map[string]string{"en": "scrubd geoip test database"},
	}
	for _, f := range opts {
		f(&o)
	}
	tree, err := mmdbwriter.New(o)
	if err != nil {
		t.Fatalf("new mmdb writer: %v", err)
	}
	for _, r := range records {
		_, network, err := net.ParseCIDR(r.network)
		if err != nil {
			t.Fatalf("parse %q: %v", r.network, err)
		}
		value := mmdbtype.Map{}
		if r.country != "" {
			value["country"] = mmdbtype.Map{"iso_code": mmdbtype.String(r.country)}
		}
		if r.registered != "" {
			value["registered_country"] = mmdbtype.Map{"iso_code": mmdbtype.String(r.registered)}
		}
		if r.continent != "" {
			value["continent"] = mmdbtype.Map{"code": mmdbtype.String(r.continent)}
		}
		if err := tree.Insert(network, value); err != nil {
			t.Fatalf("insert %q: %v", r.network, err)
		}
	}
	var buf bytes.Buffer
	if _, err := tree.WriteTo(&buf); err != nil {
		t.Fatalf("write mmdb: %v", err)
	}
	return buf.Bytes()
}

// countryDB returns a GeoLite2-Country database that places every address
// of 81.2.69.0/24 and 2a02:cf40::/29 in country, besides the base records.
func countryDB(t testing.TB, country string) []byte {
	t.Helper()
	records := baseRecords()
	records = append(records,
		record{network: "81.2.69.0/24", country: country},
		record{network: "2a02:cf40::/29", country: country})
	return buildDB(t, "", records)
}

// replaceFile writes data to a temporary file beside path and renames it
// over path, as geoipupdate does.
func replaceFile(t testing.TB, path string, data []byte) {
	t.Helper()
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmp.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		t.Fatal(err)
	}
}

// openTest opens a Reader on path with a fast poll interval, a fresh
// registry and a captured log, and closes it when the test ends.
func openTest(t testing.TB, path string, adjust ...func(*Options)) (*Reader, *prometheus.Registry, *syncBuffer) {
	t.Helper()
	reg := prometheus.NewRegistry()
	logs := &syncBuffer{}
	opts := Options{
		Path:         path,
		PollInterval: 2 * time.Millisecond,
		Logger:       slog.New(slog.NewTextHandler(logs, nil)),
		Registerer:   reg,
		Now:          func() time.Time { return time.Unix(testBuildEpoch+3600, 0) },
	}
	for _, f := range adjust {
		f(&opts)
	}
	r, err := Open(t.Context(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r, reg, logs
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline; it never depends on the machine being fast.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer safe for the poller and the test to use at
// once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var _ io.Writer = (*syncBuffer)(nil)
