package geoip

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

// specialPrefixes is the second implementation Public is checked against:
// the IANA IPv4 and IPv6 Special-Purpose Address Registries, multicast and
// reserved space, and, for IPv6, everything outside 2000::/3.
func specialPrefixes() []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range []string{
		// IPv4 Special-Purpose Address Registry.
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.0.0.0/24", "192.0.0.0/29", "192.0.0.8/32", "192.0.0.9/32",
		"192.0.0.10/32", "192.0.0.170/32", "192.0.0.171/32", "192.0.2.0/24", "192.31.196.0/24",
		"192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24",
		"198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4",
		"255.255.255.255/32",
		// IPv4 multicast.
		"224.0.0.0/4",
		// IPv6 Special-Purpose Address Registry.
		"::1/128", "::/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48",
		"100::/64", "100:0:0:1::/64", "2001::/23", "2001::/32", "2001:1::1/128",
		"2001:1::2/128", "2001:1::3/128", "2001:2::/48", "2001:3::/32", "2001:4:112::/48",
		"2001:10::/28", "2001:20::/28", "2001:30::/28", "2001:db8::/32", "2002::/16",
		"2620:4f:8000::/48", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10",
		// IPv6 multicast.
		"ff00::/8",
	} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}

// referencePublic is Public written the slow, obvious way.
func referencePublic(addr netip.Addr, special []netip.Prefix) bool {
	addr = addr.Unmap().WithZone("")
	if !addr.IsValid() {
		return false
	}
	if addr.Is6() && !netip.MustParsePrefix("2000::/3").Contains(addr) {
		return false
	}
	for _, p := range special {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

func TestPublic(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"81.2.69.142", true},
		{"1.1.1.1", true},
		{"8.8.8.8", true},
		{"9.255.255.255", true},
		{"11.0.0.0", true},
		{"100.63.255.255", true},
		{"100.128.0.0", true},
		{"172.15.255.255", true},
		{"172.32.0.0", true},
		{"192.0.1.1", true},
		{"192.0.3.1", true},
		{"192.169.0.1", true},
		{"198.17.255.255", true},
		{"198.20.0.0", true},
		{"198.51.101.1", true},
		{"203.0.112.255", true},
		{"223.255.255.255", true},
		{"::ffff:81.2.69.142", true},
		{"2a02:cf40::1", true},
		{"2001:200::1", true}, // just above 2001::/23
		{"2001:db9::1", true},
		{"2003::1", true},
		{"2620:4f:8001::1", true},
		{"3fff:1000::1", true},
		{"2a02:cf40::1%eth0", true},

		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"10.255.255.255", false},
		{"100.64.0.0", false},
		{"100.127.255.255", false},
		{"127.0.0.1", false},
		{"169.254.169.254", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.0.0.9", false},
		{"192.0.2.1", false},
		{"192.31.196.1", false},
		{"192.52.193.1", false},
		{"192.88.99.1", false},
		{"192.168.255.255", false},
		{"192.175.48.1", false},
		{"198.18.0.1", false},
		{"198.19.255.255", false},
		{"198.51.100.1", false},
		{"203.0.113.255", false},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},
		{"::ffff:192.168.1.1", false},
		{"::", false},
		{"::1", false},
		{"::8.8.8.8", false}, // IPv4-compatible, deprecated
		{"64:ff9b::808:808", false},
		{"64:ff9b:1::1", false},
		{"100::1", false},
		{"2001::1", false},
		{"2001:1ff:ffff::1", false},
		{"2001:db8::1", false},
		{"2002:808:808::1", false},
		{"2620:4f:8000::1", false},
		{"3fff::1", false},
		{"3fff:fff::1", false},
		{"5f00::1", false},
		{"fc00::1", false},
		{"fdff::1", false},
		{"fe80::1%eth0", false},
		{"febf::1", false},
		{"fec0::1", false}, // deprecated site-local, outside 2000::/3
		{"ff02::1", false},
		{"4000::1", false},
		{"1fff::1", false},
	}
	special := specialPrefixes()
	for _, tt := range tests {
		addr := netip.MustParseAddr(tt.addr)
		if got := Public(addr); got != tt.want {
			t.Errorf("Public(%s) = %v, want %v", tt.addr, got, tt.want)
		}
		if ref := referencePublic(addr, special); ref != tt.want {
			t.Errorf("referencePublic(%s) = %v, want %v (the test's reference is wrong)", tt.addr, ref, tt.want)
		}
	}
	if Public(netip.Addr{}) {
		t.Error("Public(zero Addr) = true")
	}
}

// TestPublicBoundaries checks Public against the reference at the first and
// last address of every special range and at the addresses just outside.
func TestPublicBoundaries(t *testing.T) {
	special := specialPrefixes()
	for _, p := range special {
		first := p.Masked().Addr()
		last := lastAddr(p)
		for _, a := range []netip.Addr{first, last, first.Prev(), last.Next()} {
			if !a.IsValid() {
				continue
			}
			if got, want := Public(a), referencePublic(a, special); got != want {
				t.Errorf("Public(%s) = %v, reference says %v (range %s)", a, got, want, p)
			}
		}
	}
}

// lastAddr returns the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As16()
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	for i := bits; i < 128; i++ {
		a[i/8] |= 0x80 >> (i % 8)
	}
	out := netip.AddrFrom16(a)
	if p.Addr().Is4() {
		out = out.Unmap()
	}
	return out
}

// FuzzPublic checks Public against the reference on arbitrary IPv4 and
// IPv6 addresses.
func FuzzPublic(f *testing.F) {
	// Seeds: one public and one special address of each family, and the
	// edges of the trickiest ranges.
	f.Add([]byte{81, 2, 69, 142})
	f.Add([]byte{100, 64, 0, 0})
	f.Add([]byte{198, 19, 255, 255})
	f.Add(netip.MustParseAddr("2a02:cf40::1").AsSlice())
	f.Add(netip.MustParseAddr("2001:1ff:ffff:ffff::").AsSlice())
	f.Add(netip.MustParseAddr("3fff:fff:ffff::").AsSlice())
	f.Add(netip.MustParseAddr("::ffff:10.0.0.1").AsSlice())
	special := specialPrefixes()
	f.Fuzz(func(t *testing.T, b []byte) {
		addr, ok := netip.AddrFromSlice(b)
		if !ok {
			return
		}
		if got, want := Public(addr), referencePublic(addr, special); got != want {
			t.Errorf("Public(%s) = %v, reference says %v", addr, got, want)
		}
	})
}

// TestPublicExhaustiveIPv4Sample walks the IPv4 space in steps of 4093
// addresses (a prime, so that every value of each octet comes up) comparing Public
// with the reference.
func TestPublicExhaustiveIPv4Sample(t *testing.T) {
	special := specialPrefixes()
	var b [4]byte
	for n := uint64(0); n < 1<<32; n += 4093 {
		binary.BigEndian.PutUint32(b[:], uint32(n))
		addr := netip.AddrFrom4(b)
		if got, want := Public(addr), referencePublic(addr, special); got != want {
			t.Fatalf("Public(%s) = %v, reference says %v", addr, got, want)
		}
	}
}
