package detectors

// Geographic coordinates (type coordinates): a latitude and longitude in
// decimal degrees, precise to a few metres, in free text. The default policy
// coarsens them (to 2 decimals, about 1 km), as it truncates IP addresses.
//
// Logs are full of decimal numbers (durations, loads, ratios, versions), so
// a decimal is taken for a coordinate only in one of these shapes, with 4
// or more decimals (about 10 m) and in range:
//
//	lat=48.85837, "lon": 2.294481      a number right after a latitude or
//	                                   longitude key (lat, latitude, lon,
//	                                   lng, longitude, also as the end
//	                                   of a field name: "user_lat")
//	48.8584° N, 2.2945° E              a pair with degree signs or
//	48.8584N 2.2945E                   hemisphere letters
//	(48.85837, 2.294481)               a pair separated by a comma, in
//	[2.294481,48.85837]                brackets, or after a location word
//	geo:48.85837,2.294481              (geo, gps, location, coordinates,
//	@48.8583701,2.2944813,17z          latlng, position, a map link's q,
//	ll=48.85837%2C2.294481             ll, daddr, ...) or '@'; the comma
//	                                   may be percent-encoded
//
// A pair is latitude then longitude (|lat| <= 90, |lon| <= 180) or, as
// GeoJSON writes it, the other way round. Both numbers have 2 decimals or
// more and one of them 4 or more; in brackets without a location word one
// of them is 1 or more in size ("(0.9123, 0.8765)" is more likely a pair of
// ratios). Two decimals separated by a space alone ("load 0.1234 0.5678")
// never are a pair. The finding is the numbers and what stands between
// them (signs, degree signs, hemisphere letters), which coarsen rounds.

// Coordinates is the type of a latitude/longitude pair or a latitude or
// longitude after its key.
const Coordinates Type = "coordinates"

// Least decimals of a coordinate: about 11 m at the equator.
const coordMinDecimals = 4

// coordKeys are the keys a single latitude or longitude follows.
// ("long" is left out: "took long 0.1234" is English).
var coordKeys = newCueSet("lat", "latitude", "lon", "lng", "longitude").withFillers()

// coordCues are the words a comma-separated pair follows.
var coordCues = newCueSet("geo", "gps", "location", "loc", "coords", "coord", "coordinates", "coordinate",
	"position", "pos", "latlng", "latlon", "lat_lng", "lat_lon", "lat/lng", "lat/lon", "ll", "center", "centre",
	"point", "geolocation", "geopoint", "place", "near", "pin",
	// The query parameters of map links: "daddr=", "destination=".
	"daddr", "saddr", "destination", "origin").withFillers("at", "is", "of", "the", "a")

// coordQueryCues are the search parameters of map links ("maps?q=48.85837,
// 2.294481"), which hold other things too: a pair after one is taken when
// one of its numbers is 1 or more in size, as in brackets.
var coordQueryCues = newCueSet("q", "query").withFillers()

// A coordNum is a decimal number read at a word start.
type coordNum struct {
	end      int  // index after its last digit
	intPart  int  // its integer part (up to 3 digits)
	decimals int  // digits after the point
	small    bool // its value is below 1
}

// readCoordNum reads a decimal number of 1 to 3 integer digits and 1 to 15
// decimals at b[i], not continued by a digit or '.' and a digit (a version,
// an address), nor by a letter other than a hemisphere letter.
func readCoordNum(b []byte, i int) (coordNum, bool) {
	var c coordNum
	j := i
	for j < len(b) && j-i < 4 && isDigit(b[j]) {
		c.intPart = c.intPart*10 + int(b[j]-'0')
		j++
	}
	if j == i || j-i > 3 || j+1 >= len(b) || b[j] != '.' || !isDigit(b[j+1]) {
		return c, false
	}
	k := j + 1
	for k < len(b) && isDigit(b[k]) {
		k++
	}
	c.decimals = k - j - 1
	c.end = k
	c.small = c.intPart == 0
	if c.decimals > 15 || k < len(b) && (b[k] == '.' || b[k] == '_') && k+1 < len(b) && isAlnum(b[k+1]) {
		return c, false
	}
	if k < len(b) && isLetter(b[k]) && !coordHemisphere(b, k) {
		return c, false
	}
	return c, true
}

// coordHemisphere reports whether b[k] is a hemisphere letter standing as
// one (N, S, E or W not followed by a letter or digit).
func coordHemisphere(b []byte, k int) bool {
	switch b[k] {
	case 'N', 'S', 'E', 'W':
		return k+1 >= len(b) || !isAlnum(b[k+1])
	}
	return false
}

// coordMarks steps over what may follow a number of a pair: a degree sign
// and a hemisphere letter, with a space before the letter ("48.8584° N",
// "48.8584N"). It returns where they end and whether there were any.
func coordMarks(b []byte, p int) (int, bool) {
	marked := false
	if p+1 < len(b) && b[p] == 0xC2 && b[p+1] == 0xB0 { // '°'
		p += 2
		marked = true
	}
	q := p
	if q < len(b) && b[q] == ' ' {
		q++
	}
	if q < len(b) && coordHemisphere(b, q) && (q == p || marked) {
		return q + 1, true
	}
	return p, marked
}

// coordMay is the scan loop's cheap test at a number at a word start whose
// first run of run digits ends at b[j] = '.': 4 or more decimals follow.
func coordMay(b []byte, j, run int) bool {
	return run <= 3 && j+coordMinDecimals < len(b) && isDigit(b[j+1]) && isDigit(b[j+2]) && isDigit(b[j+3]) && isDigit(b[j+4])
}

// matchCoords returns the span of coordinates that start with the number at
// b[i], a word start (the sign of a negative number is left before it), or
// an end of 0. It looks at nothing before b[0]: the scan loop passes the
// input from the end of the last finding.
func matchCoords(b []byte, i int) (int, int) {
	a, ok := readCoordNum(b, i)
	if !ok {
		return 0, 0
	}
	// A pair.
	p, marked := coordMarks(b, a.end)
	q := p
	comma := false
	if q < len(b) && (b[q] == ',' || b[q] == ';') {
		q++
		comma = true
	} else if q+2 < len(b) && b[q] == '%' && b[q+1] == '2' && b[q+2]|0x20 == 'c' {
		q += 3 // "ll=48.85837%2C2.294481": a comma in a URL's query
		comma = true
	}
	if q < len(b) && b[q] == ' ' {
		q++
	}
	if q < len(b) && (b[q] == '-' || b[q] == '+') {
		q++
	}
	if q > p && (comma || marked) {
		if c, ok := readCoordNum(b, q); ok {
			end, bmarked := coordMarks(b, c.end)
			if coordPairOK(b, i, a, c, marked && bmarked, end) {
				return i, end
			}
		}
	}
	// A latitude or longitude after its key.
	if a.decimals >= coordMinDecimals && a.intPart <= 180 && coordKeys.before(b, coordStart(b, i), 24, 0) {
		return i, a.end
	}
	return 0, 0
}

// coordStart returns where a number at b[i] begins, its sign included.
func coordStart(b []byte, i int) int {
	if i > 0 && (b[i-1] == '-' || b[i-1] == '+') {
		return i - 1
	}
	return i
}

// coordPairOK decides whether numbers a and c, the pair starting at b[i]
// and ending at end, are coordinates: in range, precise enough, and marked
// with degrees or hemispheres, or in brackets, or after a location word or
// '@'.
func coordPairOK(b []byte, i int, a, c coordNum, marked bool, end int) bool {
	if a.decimals < 2 || c.decimals < 2 || max(a.decimals, c.decimals) < coordMinDecimals {
		return false
	}
	if !(a.intPart <= 90 && c.intPart <= 180 || a.intPart <= 180 && c.intPart <= 90) {
		return false
	}
	if marked {
		return true
	}
	s := coordStart(b, i)
	// "@48.8583701,2.2944813,17z": a map URL's centre and zoom.
	if s > 0 && b[s-1] == '@' || coordCues.before(b, s, 32, 1) {
		return true
	}
	if !(a.small && c.small) && coordQueryCues.before(b, s, 8, 0) {
		return true
	}
	if s > 0 && (b[s-1] == '(' || b[s-1] == '[') && end < len(b) && (b[end] == ')' || b[end] == ']') {
		return !(a.small && c.small)
	}
	return false
}
