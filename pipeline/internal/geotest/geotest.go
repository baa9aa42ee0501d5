// Package geotest writes small MaxMind-format country databases for tests,
// with github.com/maxmind/mmdbwriter, so that tests of geo lookups need no
// downloaded database. Only tests import it.
package geotest

import (
	"fmt"
	"net"
	"os"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Network is one network of a test database and its country.
type Network struct {
	// CIDR is the network, "81.2.69.0/24" or "2a02:cf40::/29".
	CIDR string
	// Country is the ISO 3166-1 alpha-2 code written as country.iso_code.
	Country string
}

// Write writes a GeoLite2-Country database holding nets to path.
// Reserved networks may be included, as some real databases do.
func Write(path string, nets []Network) error {
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            "GeoLite2-Country",
		RecordSize:              24,
		IncludeReservedNetworks: true,
		Description:             map[string]string{"en": "scrubd test database"},
	})
	if err != nil {
		return fmt.Errorf("geotest: %w", err)
	}
	for _, n := range nets {
		_, ipnet, err := net.ParseCIDR(n.CIDR)
		if err != nil {
			return fmt.Errorf("geotest: network %q: %w", n.CIDR, err)
		}
		rec := mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String(n.Country)}}
		if err := w.Insert(ipnet, rec); err != nil {
			return fmt.Errorf("geotest: insert %s: %w", n.CIDR, err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("geotest: %w", err)
	}
	if _, err := w.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("geotest: write %s: %w", path, err)
	}
	return f.Close()
}

// Standard is a database like MaxMind's test databases for the addresses
// their documentation uses: 81.2.69.142 is GB, 89.160.20.112 is SE,
// 216.160.83.56 is US, 2a02:cf40::1 is NO; 10.0.0.0/8 has a country that
// must never be looked up.
var Standard = []Network{
	{CIDR: "81.2.69.0/24", Country: "GB"},
	{CIDR: "89.160.20.0/24", Country: "SE"},
	{CIDR: "216.160.83.0/24", Country: "US"},
	{CIDR: "2a02:cf40::/29", Country: "NO"},
	{CIDR: "175.16.199.0/24", Country: "CN"},
	{CIDR: "202.196.224.0/20", Country: "PH"},
	{CIDR: "10.0.0.0/8", Country: "US"},
}
