package gen

import (
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// populationSize is the number of distinct people behind the generated
// logs.
const populationSize = 5000

// A user is one person of the population with the identifiers that follow
// them through the logs.
type user struct {
	id       string // numeric account id
	login    string
	first    string
	last     string
	email    string
	phone    phone
	deviceID string // installation UUID
	android  string // Android ID, or "" on iOS
	imei     string
	mac      string
	ip       netip.Addr // home or mobile address
	ua       string
	platform string
}

// phone is a valid phone number in the spellings logs use.
type phone struct {
	e164, intl, national string
	// nationalOK is true when the number's region is one that scrubd's
	// default policy recognises national formats for.
	nationalOK bool
}

// user returns a person of the population, drawn with a skew towards the
// first ones: a few accounts produce most of the traffic.
func (g *Generator) user() *user {
	f := g.r.Float64()
	i := int(float64(populationSize) * f * f)
	u := g.users[i]
	if u == nil {
		u = newUser(g.base, i)
		g.users[i] = u
	}
	return u
}

// newUser makes person i of the population of seed. It depends on nothing
// else, so users can be made lazily in any order.
func newUser(seed uint64, i int) *user {
	r := rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, uint64(i)))
	u := &user{
		id:    strconv.Itoa(100000000 + r.IntN(900000000)),
		first: firstNames[r.IntN(len(firstNames))],
		last:  lastNames[r.IntN(len(lastNames))],
	}
	u.login = u.first[:1] + u.last + strconv.Itoa(10+r.IntN(90))
	u.email = email(r, u.first, u.last)
	u.phone = newPhone(r)
	u.deviceID = uuid(r)
	u.imei = imei(r)
	u.mac = mac(r)
	if r.IntN(4) == 0 {
		u.ip = globalIPv6(r)
	} else {
		u.ip = publicIPv4(r)
	}
	ua := userAgents[r.IntN(len(userAgents))]
	u.ua, u.platform = ua.ua, ua.platform
	if u.platform == "android" {
		u.android = androidID(r)
	}
	return u
}

// phoneRegions are the regions phone numbers are drawn from, with weights.
// The first seven are scrubd's default national regions.
var phoneRegions = []struct {
	region string
	weight int
	local  bool
}{
	{"US", 30, true}, {"GB", 12, true}, {"DE", 12, true}, {"FR", 8, true}, {"IN", 12, true},
	{"CN", 6, true}, {"SG", 4, true}, {"BR", 5, false}, {"JP", 4, false}, {"AU", 4, false}, {"NL", 3, false},
}

// newPhone returns a number that the libphonenumber metadata holds valid: the
// region's example mobile or fixed-line number with all but its leading
// digits replaced at random, drawn again until valid.
func newPhone(r *rand.Rand) phone {
	total := 0
	for _, p := range phoneRegions {
		total += p.weight
	}
	n := r.IntN(total)
	k := 0
	for n >= phoneRegions[k].weight {
		n -= phoneRegions[k].weight
		k++
	}
	reg := phoneRegions[k]
	typ := phonenumbers.MOBILE
	if r.IntN(3) == 0 {
		typ = phonenumbers.FIXED_LINE
	}
	ex := phonenumbers.GetExampleNumberForType(reg.region, typ)
	nsn := phonenumbers.GetNationalSignificantNumber(ex)
	cc := strconv.Itoa(int(ex.GetCountryCode()))
	num := ex
	for try := 0; try < 50; try++ {
		keep := 3
		if len(nsn) <= 8 {
			keep = 2
		}
		cand := nsn[:keep] + string(randDigits(r, nil, len(nsn)-keep))
		pn, err := phonenumbers.Parse("+"+cc+cand, "")
		if err == nil && phonenumbers.IsValidNumber(pn) {
			num = pn
			break
		}
	}
	return phone{
		e164:       phonenumbers.Format(num, phonenumbers.E164),
		intl:       phonenumbers.Format(num, phonenumbers.INTERNATIONAL),
		national:   phonenumbers.Format(num, phonenumbers.NATIONAL),
		nationalOK: reg.local,
	}
}

// spelling returns the number written as E.164, international or, for
// regions with recognised national formats, national.
func (p *phone) spelling(r *rand.Rand) string {
	switch r.IntN(3) {
	case 0:
		return p.e164
	case 1:
		if p.nationalOK {
			return p.national
		}
	}
	return p.intl
}

// userAgents are user agents of the clients a consumer service sees.
var userAgents = []struct{ ua, platform string }{
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.95 Safari/537.36", "web"},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Safari/605.1.15", "web"},
	{"Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0", "web"},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1", "ios"},
	{"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.105 Mobile Safari/537.36", "android"},
	{"Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/121.0.6167.178 Mobile Safari/537.36", "android"},
	{"Dalvik/2.1.0 (Linux; U; Android 12; M2101K6G Build/SKQ1.210908.001)", "android"},
	{"okhttp/4.12.0", "android"},
	{"ShopApp/5.12.3 (com.example.shop; build:20260214; iOS 17.3.1) Alamofire/5.8.1", "ios"},
	{"ShopApp/5.12.1 CFNetwork/1492.0.1 Darwin/23.3.0", "ios"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.66", "web"},
	{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot"},
	{"curl/8.5.0", "bot"},
	{"python-requests/2.31.0", "bot"},
	{"Go-http-client/1.1", "bot"},
}

// deviceModel returns the model string of the user's platform.
func (u *user) deviceModel() string {
	switch u.platform {
	case "android":
		return "SM-S918B"
	case "ios":
		return "iPhone15,3"
	}
	return "desktop"
}

// osName returns the user's operating system as apps report it.
func (u *user) osName() string {
	switch {
	case u.platform == "android":
		return "Android 14"
	case u.platform == "ios":
		return "iOS 17.3.1"
	case strings.Contains(u.ua, "Windows"):
		return "Windows 10"
	}
	return "macOS 14.3"
}
