package geoip

import "net/netip"

// Public reports whether addr may be looked up: a unicast address that can
// belong to a client on the public internet. It is false for the zero Addr
// and for every range of the IANA IPv4 and IPv6 Special-Purpose Address
// Registries (RFC 6890 and successors), multicast and reserved space
// included. An IPv4-mapped IPv6 address is judged as the IPv4 address it
// carries; a zone is ignored.
//
// IPv4 ranges that are not public: 0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10,
// 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, 192.0.0.0/24, 192.0.2.0/24,
// 192.31.196.0/24, 192.52.193.0/24, 192.88.99.0/24, 192.168.0.0/16,
// 192.175.48.0/24, 198.18.0.0/15, 198.51.100.0/24, 203.0.113.0/24 and
// 224.0.0.0/3 (multicast, reserved and broadcast).
//
// IPv6 addresses are public only inside the global unicast space 2000::/3,
// which excludes ::/128, ::1/128, 64:ff9b::/96, 64:ff9b:1::/48, 100::/64,
// 5f00::/16, fc00::/7, fe80::/10 and ff00::/8; inside it 2001::/23 (Teredo
// and other IETF protocol assignments), 2001:db8::/32, 2002::/16 (6to4),
// 2620:4f:8000::/48 and 3fff::/20 are not public either.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap()
	switch {
	case addr.Is4():
		return public4(addr.As4())
	case addr.Is6():
		return public6(addr.As16())
	}
	return false
}

// public4 reports whether a is outside every special-purpose IPv4 range.
func public4(a [4]byte) bool {
	switch a[0] {
	case 0, 10, 127:
		return false
	case 100:
		return a[1]&0xc0 != 64 // 100.64.0.0/10
	case 169:
		return a[1] != 254 // 169.254.0.0/16
	case 172:
		return a[1]&0xf0 != 16 // 172.16.0.0/12
	case 192:
		switch a[1] {
		case 0:
			return a[2] != 0 && a[2] != 2 // 192.0.0.0/24, 192.0.2.0/24
		case 31:
			return a[2] != 196
		case 52:
			return a[2] != 193
		case 88:
			return a[2] != 99
		case 168:
			return false
		case 175:
			return a[2] != 48
		}
	case 198:
		return a[1]&0xfe != 18 && !(a[1] == 51 && a[2] == 100) // 198.18.0.0/15, 198.51.100.0/24
	case 203:
		return !(a[1] == 0 && a[2] == 113)
	}
	return a[0] < 224
}

// public6 reports whether a is inside 2000::/3 and outside its
// special-purpose ranges.
func public6(a [16]byte) bool {
	if a[0]&0xe0 != 0x20 {
		return false
	}
	switch {
	case a[0] == 0x20 && a[1] == 0x01:
		if a[2]&0xfe == 0 { // 2001::/23
			return false
		}
		return !(a[2] == 0x0d && a[3] == 0xb8) // 2001:db8::/32
	case a[0] == 0x20 && a[1] == 0x02: // 2002::/16
		return false
	case a[0] == 0x26 && a[1] == 0x20:
		return !(a[2] == 0x00 && a[3] == 0x4f && a[4] == 0x80 && a[5] == 0x00) // 2620:4f:8000::/48
	case a[0] == 0x3f && a[1] == 0xff:
		return a[2]&0xf0 != 0 // 3fff::/20
	}
	return true
}
