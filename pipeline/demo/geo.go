package demo

import (
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// demoNetworks give the demo generator's client addresses (pipeline/loggen
// draws the first byte from these six) a country each, so that the demo's
// aggregates and residency show countries without a downloaded database.
// The assignments are made up: the file is for the demo only.
var demoNetworks = []struct{ cidr, country string }{
	{"81.0.0.0/8", "GB"}, {"93.0.0.0/8", "DE"}, {"185.0.0.0/8", "FR"},
	{"203.0.0.0/8", "AU"}, {"198.0.0.0/8", "US"}, {"46.0.0.0/8", "SE"},
}

// writeDemoGeoIP writes a MaxMind-format country database of demoNetworks
// into dir, with mmdbwriter (MaxMind's own writer), and returns its path.
func writeDemoGeoIP(dir string) (string, error) {
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: "GeoLite2-Country", RecordSize: 24, IncludeReservedNetworks: true,
		Description: map[string]string{"en": "scrubd demo database (made-up countries)"},
	})
	if err != nil {
		return "", err
	}
	for _, n := range demoNetworks {
		_, ipnet, err := net.ParseCIDR(n.cidr)
		if err != nil {
			return "", err
		}
		rec := mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String(n.country)}}
		if err := w.Insert(ipnet, rec); err != nil {
			return "", fmt.Errorf("demo geoip %s: %w", n.cidr, err)
		}
	}
	path := filepath.Join(dir, "demo-country.mmdb")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if _, err := w.WriteTo(f); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}
