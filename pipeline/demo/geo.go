package demo

import (
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// demoCountries are the countries of the demo's database, so that the
// demo's aggregates and residency show countries without a downloaded
// database. The assignments are made up: the file is for the demo only.
var demoCountries = [...]string{"GB", "DE", "FR", "AU", "US", "SE"}

// demoNetworks gives every IPv4 /8 network the demo generator (bench/gen)
// draws public addresses from, 1.0.0.0 to 223.0.0.0, one of demoCountries
// in turn, and global unicast IPv6 (2000::/3) the first of them.
func demoNetworks() []struct{ cidr, country string } {
	out := []struct{ cidr, country string }{{"2000::/3", demoCountries[0]}}
	for a := 1; a <= 223; a++ {
		out = append(out, struct{ cidr, country string }{fmt.Sprintf("%d.0.0.0/8", a), demoCountries[a%len(demoCountries)]})
	}
	return out
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
	for _, n := range demoNetworks() {
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
