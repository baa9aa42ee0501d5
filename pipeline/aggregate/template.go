package aggregate

import (
	"bytes"
	"strings"
)

// IDSegment replaces a path segment that may identify someone or something.
const IDSegment = "{id}"

// NameSegment replaces the segment after a collection of people
// ("/users/alice/profile" is "/users/{name}/profile"): a user name or a
// person's name, which the identifier rules cannot tell from a word.
const NameSegment = "{name}"

// peopleCollections are path segments (compared in lower case) whose next
// segment names a person or an account: /users/alice (/~alice and /@alice
// are caught by '~' and '@' already). Only the segment right after one is
// replaced. Words that also start routes of other kinds ("by" in
// /sort/by/date, "home" in /home/about) are left out on purpose.
var peopleCollections = setOf("users", "user", "u", "people", "person", "persons", "profiles", "profile",
	"members", "member", "accounts", "account", "customers", "customer", "authors", "author",
	"employees", "employee", "students", "student", "patients", "patient", "players", "player",
	"contacts", "owners", "usr")

// routeWords are segments after a people collection that are routes, not
// names (/users/me, /users/search, /account/settings): kept.
var routeWords = setOf("me", "self", "current", "new", "create", "edit", "update", "delete", "search", "find",
	"list", "all", "login", "logout", "signin", "signout", "signup", "register", "settings", "preferences",
	"profile", "password", "reset", "verify", "confirm", "activate", "count", "export", "import", "bulk",
	"batch", "index", "details", "stats", "status", "summary", "overview", "admin", "invite", "invites",
	"avatar", "avatars", "orders", "sessions", "session", "tokens", "token", "security", "billing",
	"notifications", "api", "v1", "v2", "v3", "public", "private", "lookup", "exists", "online", "active",
	"recent", "top", "random", "bio", "info", "data", "history", "feed", "followers", "following", "friends")

func setOf(words ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}

// inSet reports whether seg, in lower case, is in set. It does not
// allocate: the map is indexed with a converted stack buffer.
func inSet(set map[string]struct{}, seg []byte) bool {
	var buf [24]byte
	if len(seg) > len(buf) {
		return false
	}
	for i, c := range seg {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	_, ok := set[string(buf[:len(seg)])]
	return ok
}

// Limits of a path template.
const (
	// maxSegments is the number of path segments kept; the rest become
	// one moreSegments segment.
	maxSegments = 8
	// maxSegmentLen is the longest segment kept as it is.
	maxSegmentLen = 32
	// moreSegments stands for the segments after the first maxSegments.
	moreSegments = "{more}"
)

// methods are the HTTP methods kept as a method dimension; others become
// Other.
var methods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

// Template returns the path template of raw, a path ("/users/42?x=1"), a
// URL ("https://host/users/42") or an access-log request line ("GET
// /users/42 HTTP/1.1"), and the request line's method (Unknown when raw is
// not a request line).
//
// The template keeps the path only: the scheme, host, query string,
// fragment and matrix parameters (";jsessionid=...") are dropped. Each
// segment that may be an identifier becomes IDSegment: a segment with a
// digit (except API versions "v1" to "v999"), with a byte outside
// [A-Za-z._-], longer than 32 bytes, made of hex digits only (8 or more),
// of mixed-case letters only (16 or more), or shaped like a scrubd
// pseudonym (a run of 20 or more letters from g to v). A segment right
// after a collection of people ("users", "members", "profile", ...; see
// peopleCollections) becomes NameSegment unless it is a route word ("me",
// "settings", "search", ...): "/users/alice/profile" is
// "/users/{name}/profile", "/api/v2/orders" stays. Segments after the
// eighth become one "{more}". The result is never empty: a value without a
// path gives "/".
//
// Template does not run detectors; see Observer, which also replaces
// segments in which the policy's detectors find anything.
func Template(raw []byte) (method, template string) {
	raw = bytes.TrimSpace(raw)
	method = Unknown
	if m, target, ok := requestLine(raw); ok {
		method, raw = m, target
	}
	if i := bytes.IndexAny(raw, "?#;"); i >= 0 {
		raw = raw[:i]
	}
	raw = stripOrigin(raw)
	for len(raw) > 1 && raw[0] == '/' && raw[1] == '/' {
		raw = raw[1:] // one leading slash: "//x" would read as a host
	}
	var b strings.Builder
	b.Grow(len(raw) + 8)
	if len(raw) == 0 || raw[0] != '/' {
		b.WriteByte('/')
	}
	n := 0
	slash := len(raw) == 0 || raw[0] != '/' // the last byte written is '/'
	var prev []byte                         // the previous segment, raw
	for i := 0; i < len(raw); {
		if raw[i] == '/' {
			// A run of slashes is one separator ("/a//b" is "/a/b"): the
			// template stays bounded by its segments.
			if !slash {
				b.WriteByte('/')
			}
			slash = true
			i++
			continue
		}
		slash = false
		j := i
		for j < len(raw) && raw[j] != '/' {
			j++
		}
		seg := raw[i:j]
		i = j
		n++
		switch {
		case n > maxSegments:
			// This segment and the rest of the path are dropped.
			b.WriteString(moreSegments)
			return method, b.String()
		case idLike(seg):
			b.WriteString(IDSegment)
		case prev != nil && inSet(peopleCollections, prev) && !inSet(routeWords, seg):
			b.WriteString(NameSegment)
		default:
			b.Write(seg)
		}
		prev = seg
	}
	return method, b.String()
}

// requestLine splits "METHOD target [HTTP/x]" into the method and target.
// An unknown but well-formed method gives Other.
func requestLine(raw []byte) (method string, target []byte, ok bool) {
	sp := bytes.IndexByte(raw, ' ')
	if sp <= 0 || sp > 16 {
		return "", nil, false
	}
	m := raw[:sp]
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return "", nil, false
		}
	}
	rest := bytes.TrimLeft(raw[sp+1:], " ")
	if e := bytes.IndexByte(rest, ' '); e >= 0 {
		rest = rest[:e]
	}
	method = Other
	for _, known := range methods {
		if string(m) == known {
			method = known
		}
	}
	return method, rest, true
}

// stripOrigin removes "scheme://host[:port]" or "//host" from the start
// of raw.
func stripOrigin(raw []byte) []byte {
	i := bytes.Index(raw, []byte("://"))
	switch {
	case i > 0 && i <= 16 && !bytes.ContainsAny(raw[:i], "/"):
		raw = raw[i+3:]
	case len(raw) > 2 && raw[0] == '/' && raw[1] == '/' && raw[2] != '/':
		raw = raw[2:]
	default:
		return raw
	}
	if j := bytes.IndexByte(raw, '/'); j >= 0 {
		return raw[j:]
	}
	return nil
}

// idLike reports whether a path segment may be an identifier.
func idLike(seg []byte) bool {
	if len(seg) > maxSegmentLen {
		return true
	}
	var digits, upper, lower, hex, gv, run int
	for _, c := range seg {
		switch {
		case '0' <= c && c <= '9':
			digits++
			hex++
		case 'a' <= c && c <= 'z':
			lower++
			if c <= 'f' {
				hex++
			}
		case 'A' <= c && c <= 'Z':
			upper++
			if c <= 'F' {
				hex++
			}
		case c == '.' || c == '_' || c == '-':
		default:
			return true // '@', '%', '=', '+', '~', ',', non-ASCII, ...
		}
		if 'g' <= c && c <= 'v' {
			run++
			gv = max(gv, run)
		} else {
			run = 0
		}
	}
	switch {
	case digits > 0:
		return !apiVersion(seg)
	case hex == len(seg) && len(seg) >= 8:
		return true
	case upper > 0 && lower > 0 && upper+lower == len(seg) && len(seg) >= 16:
		return true
	case gv >= 20:
		return true
	}
	return false
}

// apiVersion reports whether seg is "v" or "V" and one to three digits.
func apiVersion(seg []byte) bool {
	if len(seg) < 2 || len(seg) > 4 || (seg[0] != 'v' && seg[0] != 'V') {
		return false
	}
	for _, c := range seg[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
