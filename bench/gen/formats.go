package gen

import (
	"net/netip"
	"strconv"

	"github.com/scrubd/scrubd/detectors"
)

// Time layouts of the formats.
const (
	layoutISO    = "2006-01-02T15:04:05.000Z07:00"
	layoutSyslog = "Jan _2 15:04:05"
	layoutLog4j  = "2006-01-02 15:04:05,000"
	layoutSpring = "2006-01-02 15:04:05.000"
	layoutHDFS   = "060102 150405"
	layoutAccess = "02/Jan/2006:15:04:05 -0700"
	layoutLogfmt = "2006-01-02T15:04:05.000000Z07:00"
)

// ---- IP addresses ----

// ipType is the seed type of a.
func ipType(a netip.Addr) detectors.Type {
	if a.Is4() {
		return detectors.IPv4
	}
	return detectors.IPv6
}

// ip appends a as a seed, usually in its canonical form; an IPv6 address is
// sometimes written uncompressed in upper case, as network equipment does.
func (g *Generator) ip(a netip.Addr) {
	if a.Is6() && g.chance(0.1) {
		g.seed(detectors.IPv6, fullIPv6(a))
		return
	}
	g.seed(ipType(a), a.String())
}

// ipPort appends a with a port: "1.2.3.4:5678" or "[2001:db8::1]:5678".
func (g *Generator) ipPort(a netip.Addr) {
	if a.Is6() {
		g.s("[")
		g.ip(a)
		g.s("]:")
	} else {
		g.ip(a)
		g.s(":")
	}
	g.intn(1024, 65536)
}

// clientIP returns the address a request of u comes from: the user's own
// one, sometimes an IPv4-mapped form of a fresh address (dual-stack
// sockets), and it appends it.
func (g *Generator) clientIP(u *user) {
	if g.chance(0.05) {
		g.s("::ffff:")
		st := len(g.buf) - len("::ffff:")
		g.buf = append(g.buf, publicIPv4(g.r).String()...)
		g.spans = append(g.spans, seedSpan{t: detectors.IPv6, start: st, end: len(g.buf)})
		return
	}
	g.ip(u.ip)
}

// ---- JSON application logs ----

var services = []string{"checkout", "accounts", "catalog", "payments", "notifications", "search", "devices", "gateway"}

var jsonLevels = []string{"info", "info", "info", "info", "debug", "debug", "warn", "error"}

// jsonLine writes a structured application log line.
func (g *Generator) jsonLine() {
	svc := g.pick(services)
	level := g.pick(jsonLevels)
	g.s(`{"ts":"`)
	g.time(layoutISO)
	g.s(`","level":"`)
	g.s(level)
	g.s(`","service":"`)
	g.s(svc)
	g.s(`","version":"2.`)
	g.intn(10, 40)
	g.s(`.`)
	g.intn(0, 9)
	g.s(`","host":"`)
	g.s(svc)
	g.s(`-7d9f8c6b5-`)
	g.buf = append(g.buf, alnum[26+g.r.IntN(26)], alnum[26+g.r.IntN(26)], alnum[52+g.r.IntN(10)], alnum[26+g.r.IntN(26)], alnum[26+g.r.IntN(26)])
	g.s(`","trace_id":"`)
	g.hex(32)
	g.s(`","span_id":"`)
	g.hex(16)
	g.s(`",`)
	switch n := g.r.IntN(100); {
	case n < 14:
		g.s(`"msg":"health check ok","check":{"db":"up","cache":"up","latency_ms":`)
		g.ms(8)
		g.s(`}}`)
	case n < 24:
		g.s(`"msg":"query executed","db":{"system":"postgresql","statement":"SELECT id, status, total FROM orders WHERE created_at > $1 LIMIT 100","rows":`)
		g.intn(0, 100)
		g.s(`,"duration_ms":`)
		g.ms(300)
		g.s(`}}`)
	case n < 32:
		g.s(`"msg":"cache miss","cache":{"name":"product","key":"product:v3:`)
		g.intn(10000, 999999)
		g.s(`","ttl_s":300},"duration_ms":`)
		g.ms(20)
		g.s(`}`)
	case n < 38:
		g.s(`"msg":"job finished","job":{"name":"reindex-catalog","run_id":`)
		g.intn(1000, 99999)
		g.s(`,"items":`)
		g.intn(100, 50000)
		g.s(`,"errors":0,"duration_s":`)
		g.ms(900)
		g.s(`}}`)
	case n < 60:
		g.jsonRequest()
	case n < 70:
		g.jsonLogin()
	case n < 77:
		g.jsonProfile()
	case n < 84:
		g.jsonDevice()
	case n < 91:
		g.jsonPayment()
	case n < 96:
		g.jsonNotification()
	default:
		g.jsonAuth()
	}
}

var apiPaths = []string{
	"/api/v1/cart", "/api/v1/orders", "/api/v2/products/search", "/api/v1/recommendations",
	"/api/v1/checkout/session", "/api/v1/wishlist", "/api/v2/inventory/availability", "/graphql",
}

// jsonRequest writes an HTTP request log with the caller's identity.
func (g *Generator) jsonRequest() {
	u := g.user()
	g.s(`"msg":"request completed","http":{"method":"`)
	g.s(g.pick([]string{"GET", "GET", "GET", "POST", "PUT", "DELETE"}))
	g.s(`","path":"`)
	g.s(g.pick(apiPaths))
	g.s(`","status":`)
	g.s(g.pick([]string{"200", "200", "200", "201", "204", "304", "400", "401", "404", "500"}))
	g.s(`,"duration_ms":`)
	g.ms(800)
	g.s(`,"bytes":`)
	g.intn(0, 90000)
	g.s(`,"client_ip":"`)
	g.clientIP(u)
	g.s(`","user_agent":"`)
	g.s(u.ua)
	g.s(`"},"user":{"id":"`)
	g.seed(AccountID, u.id)
	g.s(`","tier":"`)
	g.s(g.pick([]string{"free", "free", "plus", "pro"}))
	g.s(`"}}`)
}

// jsonLogin writes an authentication event.
func (g *Generator) jsonLogin() {
	u := g.user()
	ok := g.chance(0.8)
	if ok {
		g.s(`"msg":"login succeeded","user_id":`)
		g.seed(AccountID, u.id) // a JSON number
		g.s(`,"method":"`)
		g.s(g.pick([]string{"password", "password", "google", "apple", "magic_link"}))
		g.s(`","mfa":`)
		g.s(g.pick([]string{"true", "false"}))
	} else {
		g.s(`"msg":"login failed","username":"`)
		g.seed(AccountID, u.login)
		g.s(`","reason":"`)
		g.s(g.pick([]string{"bad_password", "locked", "unknown_user", "mfa_timeout"}))
		g.s(`","attempt":`)
		g.intn(1, 6)
	}
	g.s(`,"ip":"`)
	g.clientIP(u)
	g.s(`","geo":{"country":"`)
	g.s(g.pick([]string{"US", "GB", "DE", "FR", "IN", "SG", "BR"}))
	g.s(`"}}`)
}

// jsonProfile writes a profile update with contact data.
func (g *Generator) jsonProfile() {
	u := g.user()
	g.s(`"msg":"profile updated","account_id":"`)
	g.seed(AccountID, u.id)
	g.s(`","changes":["email","phone"],"profile":{"email":"`)
	g.seed(detectors.Email, u.email)
	g.s(`","phone":"`)
	g.seed(detectors.Phone, u.phone.spelling(g.r))
	g.s(`",`)
	if g.chance(0.5) {
		g.s(`"full_name":"`)
		g.seed(Person, g.pick(displayNames))
	} else {
		g.s(`"first_name":"`)
		g.seed(Person, u.first)
		g.s(`","last_name":"`)
		g.seed(Person, u.last)
	}
	g.s(`","locale":"`)
	g.s(g.pick([]string{"en-US", "en-GB", "de-DE", "fr-FR", "hi-IN", "zh-CN"}))
	g.s(`","marketing_opt_in":false}}`)
}

// jsonDevice writes a device registration event.
func (g *Generator) jsonDevice() {
	u := g.user()
	g.s(`"msg":"device registered","uid":"`)
	g.seed(AccountID, u.id)
	g.s(`","device":{"device_id":"`)
	g.seed(DeviceID, u.deviceID)
	g.s(`","os":"`)
	g.s(u.osName())
	g.s(`","model":"`)
	g.s(u.deviceModel())
	g.s(`"`)
	if u.android != "" {
		g.s(`,"android_id":"`)
		g.seed(DeviceID, u.android)
		g.s(`","imei":"`)
		g.seed(detectors.IMEI, u.imei)
		g.s(`"`)
	}
	if g.chance(0.3) {
		g.s(`,"wifi":{"mac":"`)
		g.seed(detectors.MAC, u.mac)
		g.s(`","rssi":-`)
		g.intn(30, 90)
		g.s(`}`)
	}
	g.s(`,"app_version":"5.12.`)
	g.intn(0, 4)
	g.s(`"},"push":{"enabled":true}}`)
}

// jsonPayment writes a payment event; some carry a full card number in an
// error message or a payout IBAN.
func (g *Generator) jsonPayment() {
	u := g.user()
	g.s(`"msg":"`)
	switch g.r.IntN(4) {
	case 0:
		g.s(`payment declined for card `)
		g.seed(detectors.CreditCard, cardNumber(g.r))
		g.s(`: do_not_honor","customer_id":"`)
		g.seed(AccountID, u.id)
		g.s(`"}`)
	case 1:
		g.s(`payout scheduled","payout":{"iban":"`)
		g.seed(detectors.IBAN, iban(g.r))
		g.s(`","amount":`)
		g.intn(10, 5000)
		g.s(`.`)
		g.intn(10, 99)
		g.s(`,"currency":"EUR"},"member_id":"`)
		g.seed(AccountID, u.id)
		g.s(`"}`)
	default:
		g.s(`payment captured","order":{"id":"ord_`)
		g.s(randString(g.r, alnum, 14))
		g.s(`","amount":`)
		g.intn(1, 900)
		g.s(`.`)
		g.intn(10, 99)
		g.s(`,"currency":"`)
		g.s(g.pick([]string{"USD", "EUR", "GBP", "INR"}))
		g.s(`","card":{"brand":"visa","last4":"`)
		g.digits(4)
		g.s(`","exp":"`)
		g.intn(1, 13)
		g.s(`/`)
		g.intn(27, 32)
		g.s(`"}}}`)
	}
}

// jsonNotification writes a message sent to a user.
func (g *Generator) jsonNotification() {
	u := g.user()
	if g.chance(0.5) {
		g.s(`"msg":"sms sent to `)
		g.seed(detectors.Phone, u.phone.spelling(g.r))
		g.s(`","provider":"twilio","template":"otp","segments":1}`)
		return
	}
	g.s(`"msg":"email queued for `)
	g.seed(detectors.Email, u.email)
	g.s(`","template":"`)
	g.s(g.pick([]string{"order_confirmation", "password_reset", "welcome", "shipping_update"}))
	g.s(`","queue_ms":`)
	g.ms(50)
	g.s(`}`)
}

// jsonAuth writes a debug line with request headers.
func (g *Generator) jsonAuth() {
	u := g.user()
	g.s(`"msg":"upstream call","headers":{"authorization":"Bearer `)
	g.seed(detectors.JWT, jwt(g.r, u.id, g.clock/1000))
	g.s(`","x-request-id":"`)
	g.seed(detectors.UUID, uuid(g.r))
	g.s(`","accept":"application/json"},"upstream":"http://accounts.internal:8080"}`)
}

// ---- logfmt ----

// logfmtLine writes a key=value line.
func (g *Generator) logfmtLine() {
	g.s("ts=")
	g.time(layoutLogfmt)
	switch n := g.r.IntN(100); {
	case n < 18:
		g.s(` level=info caller=compactor.go:212 msg="compacted blocks" tenant=`)
		g.s(g.pick([]string{"acme", "globex", "initech", "default"}))
		g.s(` blocks=`)
		g.intn(2, 40)
		g.s(` duration=`)
		g.ms(9)
		g.s(`s`)
	case n < 32:
		g.s(` level=debug caller=pool.go:88 msg="connection acquired" pool=primary idle=`)
		g.intn(0, 10)
		g.s(` in_use=`)
		g.intn(1, 50)
		g.s(` wait=`)
		g.ms(5)
		g.s(`ms`)
	case n < 42:
		g.s(` level=warn caller=query.go:143 msg="slow query" query="SELECT * FROM events WHERE tenant_id = $1 ORDER BY ts DESC" took=`)
		g.intn(500, 5000)
		g.s(`ms rows=`)
		g.intn(100, 10000)
	case n < 50:
		g.s(` level=info caller=main.go:61 msg="server listening" addr=:8080 version=v1.`)
		g.intn(10, 30)
		g.s(`.`)
		g.intn(0, 9)
		g.s(` go=go1.26.0`)
	case n < 72:
		u := g.user()
		g.s(` level=info caller=server.go:301 method=`)
		g.s(g.pick([]string{"GET", "GET", "POST"}))
		g.s(` path=`)
		g.s(g.pick(apiPaths))
		g.s(` status=`)
		g.s(g.pick([]string{"200", "200", "201", "404"}))
		g.s(` duration=`)
		g.ms(300)
		g.s(`ms uid=`)
		g.seed(AccountID, u.id)
		g.s(` ip=`)
		g.clientIP(u)
		g.s(` ua="`)
		g.s(u.ua)
		g.s(`"`)
	case n < 80:
		u := g.user()
		g.s(` level=warn caller=auth.go:77 msg="login failed" user_id=`)
		g.seed(AccountID, u.id)
		g.s(` email=`)
		g.seed(detectors.Email, u.email)
		g.s(` ip=`)
		g.clientIP(u)
		g.s(` reason=bad_password`)
	case n < 86:
		u := g.user()
		g.s(` level=info caller=notify.go:54 msg="sms queued" to="`)
		g.seed(detectors.Phone, u.phone.spelling(g.r))
		g.s(`" template=otp`)
	case n < 90:
		g.s(` level=error caller=db.go:41 msg="connect failed" dsn="host=`)
		g.seed(detectors.IPv4, privateIPv4(g.r).String())
		g.s(` port=5432 user=app password=`)
		g.seed(detectors.Secret, password(g.r))
		g.s(` dbname=shop sslmode=require" err="dial tcp: i/o timeout"`)
	case n < 95:
		u := g.user()
		g.s(` level=debug caller=client.go:120 msg="calling upstream" url=https://crm.example.com/v1/contacts?email=`)
		g.seed(detectors.Email, percentEncode(u.email))
		g.s(`&fields=name api_key=`)
		g.seed(detectors.Secret, apiKey(g.r))
	default:
		u := g.user()
		g.s(` level=info caller=device.go:66 msg="device registered" device_id=`)
		g.seed(DeviceID, u.deviceID)
		g.s(` imei=`)
		g.seed(detectors.IMEI, u.imei)
		g.s(` mac=`)
		g.seed(detectors.MAC, u.mac)
	}
}

// ---- access logs ----

var staticPaths = []string{
	"/static/js/app.3f2a1b9c.js", "/static/css/main.8d1e2f.css", "/favicon.ico", "/images/logo@2x.png",
	"/images/products/12345-large.webp", "/fonts/inter-var.woff2", "/robots.txt", "/manifest.json",
}

var referers = []string{
	"-", "-", "https://www.example-shop.com/", "https://www.example-shop.com/checkout",
	"https://www.google.com/", "https://www.bing.com/search?q=running+shoes", "android-app://com.google.android.gm/",
}

// accessLine writes an Apache/Nginx combined log line.
func (g *Generator) accessLine() {
	u := g.user()
	if g.chance(0.08) {
		g.ip(privateIPv4(g.r)) // health checks from the load balancer
	} else {
		g.clientIP(u)
	}
	g.s(" - ")
	if g.chance(0.04) {
		g.seed(AccountID, u.login)
	} else {
		g.s("-")
	}
	g.s(" [")
	g.time(layoutAccess)
	g.s(`] "`)
	method := "GET"
	switch n := g.r.IntN(100); {
	case n < 45:
		g.s("GET ")
		g.s(g.pick(staticPaths))
	case n < 75:
		method = g.pick([]string{"GET", "GET", "POST"})
		g.s(method)
		g.s(" ")
		g.s(g.pick(apiPaths))
		if method == "GET" && g.chance(0.5) {
			g.s("?page=")
			g.intn(1, 20)
			g.s("&size=50")
		}
	case n < 82:
		g.s("GET /api/v2/products/search?q=")
		g.s(g.pick([]string{"running+shoes", "usb-c+cable", "4k+monitor", "coffee+grinder"}))
		g.s("&sort=price")
	case n < 86:
		g.s("GET /api/v1/users/lookup?email=")
		g.seed(detectors.Email, percentEncode(u.email))
	case n < 88:
		// REST paths name users by address, without a key.
		g.s("GET /api/v1/users/")
		g.seed(detectors.Email, percentEncode(u.email))
		g.s("/orders")
	case n < 92:
		g.s("GET /unsubscribe?uid=")
		g.seed(AccountID, u.id)
		g.s("&list=newsletter")
	case n < 95:
		g.s("GET /account/reset-password?token=")
		g.seed(detectors.Secret, opaqueToken(g.r))
	case n < 97:
		g.s("POST /api/v1/otp/verify?phone=%2B")
		st := len(g.buf) - 3
		g.buf = append(g.buf, u.phone.e164[1:]...)
		g.spans = append(g.spans, seedSpan{t: detectors.Phone, start: st, end: len(g.buf)})
	default:
		g.s("GET /healthz")
	}
	g.s(" HTTP/")
	g.s(g.pick([]string{"1.1", "1.1", "2.0"}))
	g.s(`" `)
	g.s(g.pick([]string{"200", "200", "200", "200", "304", "301", "404", "500"}))
	g.s(" ")
	g.intn(0, 250000)
	g.s(` "`)
	g.s(g.pick(referers))
	g.s(`" "`)
	g.s(u.ua)
	g.s(`"`)
}

// ---- plain text ----

// textLine writes a free-text line from one of the common server logs.
func (g *Generator) textLine() {
	switch n := g.r.IntN(100); {
	case n < 20:
		g.javaLine()
	case n < 34:
		g.stackLine()
	case n < 48:
		g.kafkaLine()
	case n < 58:
		g.zookeeperLine()
	case n < 68:
		g.hdfsLine()
	case n < 76:
		g.hadoopLine()
	case n < 86:
		g.sshdLine()
	default:
		g.appPIILine()
	}
}

var javaClasses = []string{
	"c.e.shop.web.OrderController", "c.e.shop.service.InventoryService", "o.s.b.w.embedded.tomcat.TomcatWebServer",
	"c.z.hikari.HikariDataSource", "o.h.engine.jdbc.spi.SqlExceptionHelper", "c.e.shop.jobs.ReindexJob",
}

// javaLine writes a Spring Boot application line.
func (g *Generator) javaLine() {
	g.time(layoutSpring)
	g.s(g.pick([]string{"  INFO ", "  INFO ", "  INFO ", " DEBUG ", "  WARN ", " ERROR "}))
	g.int(g.pid % 100)
	g.s(" --- [nio-8080-exec-")
	g.intn(1, 200)
	g.s("] ")
	g.s(g.pick(javaClasses))
	g.s(" : ")
	switch g.r.IntN(6) {
	case 0:
		g.s("Order ")
		g.intn(100000, 9999999)
		g.s(" created in ")
		g.intn(3, 400)
		g.s(" ms")
	case 1:
		g.s("HikariPool-1 - Connection is not available, request timed out after 30000ms.")
	case 2:
		g.s("Tomcat started on port(s): 8080 (http) with context path ''")
	case 3:
		g.s("Reindexed ")
		g.intn(100, 90000)
		g.s(" products in ")
		g.ms(60)
		g.s(" s (batch size 500, 12 threads)")
	case 4:
		g.s("SQL Error: 0, SQLState: 08001")
	default:
		g.s("Cache 'products' hit ratio 0.")
		g.digits(3)
		g.s(" over last 60 s")
	}
}

var frames = []string{
	"\tat com.example.shop.service.PaymentService.charge(PaymentService.java:142) ~[classes/:na]",
	"\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883) ~[spring-webmvc-5.3.31.jar:5.3.31]",
	"\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166) ~[tomcat-embed-core-9.0.83.jar:9.0.83]",
	"\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136) ~[na:na]",
	"\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2713) ~[postgresql-42.7.1.jar:42.7.1]",
	"\tat com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeUpdate(HikariProxyPreparedStatement.java) ~[HikariCP-5.0.1.jar:na]",
	"\tat java.base/java.lang.Thread.run(Thread.java:1583) [na:na]",
}

// stackLine writes one line of a Java stack trace.
func (g *Generator) stackLine() {
	switch n := g.r.IntN(20); {
	case n < 15:
		g.s(g.pick(frames))
	case n < 16:
		g.s("\t... ")
		g.intn(10, 90)
		g.s(" common frames omitted")
	case n < 17:
		g.s(`java.lang.NullPointerException: Cannot invoke "String.length()" because "s" is null`)
	case n < 18:
		g.s("Caused by: java.net.ConnectException: Connection refused (Connection refused)")
	case n < 19:
		g.s("Caused by: java.net.SocketTimeoutException: Connect to ")
		g.ipPort(privateIPv4(g.r))
		g.s(" failed: connect timed out")
	default:
		g.s(`Caused by: org.postgresql.util.PSQLException: ERROR: duplicate key value violates unique constraint "users_email_key" Detail: Key (email)=(`)
		g.seed(detectors.Email, g.user().email)
		g.s(`) already exists.`)
	}
}

// kafkaLine writes a Kafka broker log line.
func (g *Generator) kafkaLine() {
	g.s("[")
	g.time(layoutLog4j)
	g.s("] ")
	switch g.r.IntN(6) {
	case 0:
		g.s("INFO [Log partition=events-")
		g.intn(0, 24)
		g.s(", dir=/var/lib/kafka/data] Rolled new log segment at offset ")
		g.intn(100000, 99999999)
		g.s(" in ")
		g.intn(1, 9)
		g.s(" ms. (kafka.log.LocalLog)")
	case 1:
		g.s("INFO [GroupCoordinator 1]: Preparing to rebalance group scrubd in state PreparingRebalance with old generation ")
		g.intn(1, 300)
		g.s(" (__consumer_offsets-")
		g.intn(0, 50)
		// A client instance id, not personal data: left unseeded.
		g.s(") (reason: Adding new member consumer-scrubd-1-")
		g.s(uuid(g.r))
		g.s(" with group instance id None) (kafka.coordinator.group.GroupCoordinator)")
	case 2:
		g.s("INFO [SocketServer listenerType=BROKER, nodeId=1] Failed authentication with /")
		a := privateIPv4(g.r)
		g.ip(a)
		g.s(" (channelId=")
		g.ip(privateIPv4(g.r))
		g.s(":9092-")
		g.ip(a)
		g.s(":")
		g.intn(30000, 65000)
		g.s("-")
		g.intn(1, 400)
		g.s(") (SSL handshake failed) (org.apache.kafka.common.network.Selector)")
	case 3:
		g.s("INFO [Partition events-")
		g.intn(0, 24)
		g.s(" broker=1] Shrinking ISR from 1,2,3 to 1,2. Leader: (highWatermark: ")
		g.intn(1000, 900000)
		g.s(", endOffset: ")
		g.intn(1000, 900000)
		g.s("). Out of sync replicas: (brokerId: 3, endOffset: ")
		g.intn(1000, 900000)
		g.s("). (kafka.cluster.Partition)")
	case 4:
		g.s("INFO [ReplicaFetcherManager on broker 1] Removed fetcher for partitions Set(events-3, events-7, audit-0) (kafka.server.ReplicaFetcherManager)")
	default:
		g.s("INFO [TransactionCoordinator id=1] Completed rollback of ongoing transaction for transactionalId scrubd-")
		g.intn(0, 8)
		g.s(" due to timeout (kafka.coordinator.transaction.TransactionCoordinator)")
	}
}

// zookeeperLine writes a ZooKeeper server log line.
func (g *Generator) zookeeperLine() {
	g.time(layoutLog4j)
	switch g.r.IntN(5) {
	case 0, 1:
		g.s(" - INFO  [NIOServerCxn.Factory:0.0.0.0/0.0.0.0:2181:NIOServerCnxnFactory@197] - Accepted socket connection from /")
		g.ipPort(privateIPv4(g.r))
	case 2:
		g.s(" - INFO  [CommitProcessor:1:ZooKeeperServer@617] - Established session 0x")
		g.hex(15)
		g.s(" with negotiated timeout 10000 for client /")
		g.ipPort(privateIPv4(g.r))
	case 3:
		g.s(" - WARN  [RecvWorker:188978561024:QuorumCnxManager$RecvWorker@762] - Connection broken for id 188978561024, my id = 1, error = ")
	default:
		g.s(" - INFO  [SyncThread:0:FileTxnLog@199] - Creating new log file: log.")
		g.hex(9)
	}
}

// hdfsLine writes an HDFS data node or name node line.
func (g *Generator) hdfsLine() {
	g.time(layoutHDFS)
	g.s(" ")
	g.intn(10, 300)
	switch g.r.IntN(4) {
	case 0:
		g.s(" INFO dfs.DataNode$PacketResponder: PacketResponder ")
		g.intn(0, 3)
		g.s(" for block blk_")
		g.blockID()
		g.s(" terminating")
	case 1:
		g.s(" INFO dfs.DataNode$DataXceiver: Receiving block blk_")
		g.blockID()
		g.s(" src: /")
		a := privateIPv4(g.r)
		g.ipPort(a)
		g.s(" dest: /")
		g.ip(a)
		g.s(":50010")
	case 2:
		g.s(" INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: ")
		g.ip(privateIPv4(g.r))
		g.s(":50010 is added to blk_")
		g.blockID()
		g.s(" size 67108864")
	default:
		g.s(" INFO dfs.FSNamesystem: BLOCK* NameSystem.allocateBlock: /mnt/hadoop/mapred/system/job_200811092030_00")
		g.intn(10, 99)
		g.s("/job.jar. blk_")
		g.blockID()
	}
}

// blockID appends an HDFS block id: a signed 64-bit number.
func (g *Generator) blockID() {
	if g.chance(0.5) {
		g.s("-")
	}
	g.buf = strconv.AppendUint(g.buf, g.r.Uint64()>>1, 10)
}

// hadoopLine writes a Hadoop MapReduce application master line.
func (g *Generator) hadoopLine() {
	g.time(layoutLog4j)
	switch g.r.IntN(4) {
	case 0:
		g.s(" INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster for application appattempt_1445144423722_00")
		g.intn(10, 99)
		g.s("_000001")
	case 1:
		g.s(" INFO [main] org.apache.hadoop.yarn.client.RMProxy: Connecting to ResourceManager at msra-sa-41/")
		g.ip(privateIPv4(g.r))
		g.s(":8030")
	case 2:
		g.s(" INFO [RMCommunicator Allocator] org.apache.hadoop.mapreduce.v2.app.rm.RMContainerAllocator: Assigned container container_1445144423722_0020_01_0000")
		g.intn(10, 99)
		g.s(" to attempt_1445144423722_0020_m_0000")
		g.intn(10, 99)
		g.s("_0")
	default:
		g.s(" WARN [LeaseRenewer:msrabi@msra-sa-41:9000] org.apache.hadoop.hdfs.LeaseRenewer: Failed to renew lease for [DFSClient_NONMAPREDUCE_1537864556_1] for ")
		g.intn(30, 300)
		g.s(" seconds.  Will retry shortly ...")
	}
}

// sshdLine writes an OpenSSH server line as syslog records it.
func (g *Generator) sshdLine() {
	g.time(layoutSyslog)
	g.s(" ")
	if g.chance(0.5) {
		// An EC2-style host name embeds the host's private address.
		a := privateIPv4(g.r).As4()
		g.s("ip-")
		st := len(g.buf)
		for k, o := range a {
			if k > 0 {
				g.s("-")
			}
			g.int(int(o))
		}
		g.spans = append(g.spans, seedSpan{t: detectors.IPv4, start: st, end: len(g.buf)})
	} else {
		g.s(g.pick([]string{"web-01", "bastion", "db-02.prod"}))
	}
	g.s(" sshd[")
	g.intn(1000, 65000)
	g.s("]: ")
	var a netip.Addr
	if g.chance(0.15) {
		a = globalIPv6(g.r)
	} else {
		a = publicIPv4(g.r)
	}
	switch g.r.IntN(6) {
	case 0:
		g.s("Accepted publickey for deploy from ")
		g.ip(a)
		g.s(" port ")
		g.intn(1024, 65536)
		g.s(" ssh2: ED25519 SHA256:")
		g.s(randString(g.r, alnum+"+/", 43))
	case 1, 2:
		g.s("Failed password for invalid user ")
		g.s(g.pick([]string{"admin", "oracle", "test", "ubuntu", "git", "postgres"}))
		g.s(" from ")
		g.ip(a)
		g.s(" port ")
		g.intn(1024, 65536)
		g.s(" ssh2")
	case 3:
		g.s("Received disconnect from ")
		g.ip(a)
		g.s(" port ")
		g.intn(1024, 65536)
		g.s(":11: Bye Bye [preauth]")
	case 4:
		g.s("pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)")
	default:
		g.s("Connection closed by authenticating user root ")
		g.ip(a)
		g.s(" port ")
		g.intn(1024, 65536)
		g.s(" [preauth]")
	}
}

// appPIILine writes an application line with personal data in prose, the
// kind that field rules cannot see and only the detectors catch.
func (g *Generator) appPIILine() {
	u := g.user()
	g.time(layoutISO)
	switch g.r.IntN(10) {
	case 0:
		g.s(" WARN  [notification] Sending SMS to ")
		g.seed(detectors.Phone, u.phone.spelling(g.r))
		g.s(" failed: provider timeout after 3 retries")
	case 1:
		g.s(" INFO  [mailer] Password reset link sent to ")
		g.seed(detectors.Email, u.email)
	case 2:
		g.s(" ERROR [billing] Charge failed for card ")
		g.seed(detectors.CreditCard, cardNumber(g.r))
		g.s(" exp 12/28: insufficient_funds")
	case 3:
		g.s(" INFO  [sepa] Mandate created for IBAN ")
		g.seed(detectors.IBAN, iban(g.r))
		g.s(" (creditor id DE98ZZZ09999999999)")
	case 4:
		g.s(" DEBUG [http] > Authorization: Bearer ")
		if g.chance(0.5) {
			g.seed(detectors.JWT, jwt(g.r, u.id, g.clock/1000))
		} else {
			g.seed(detectors.Secret, opaqueToken(g.r))
		}
	case 5:
		g.s(" INFO  [devices] Registered device imei=")
		g.seed(detectors.IMEI, u.imei)
		g.s(" mac=")
		g.seed(detectors.MAC, u.mac)
		g.s(" install_id=")
		g.seed(DeviceID, u.deviceID)
	case 6:
		g.s(" WARN  [aws] Using static credentials ")
		g.seed(detectors.Secret, apiKey(g.r))
		g.s(" from environment; prefer an instance role")
	case 7:
		g.s(" INFO  [session] New session ")
		g.seed(detectors.UUID, uuid(g.r))
		g.s(" for ")
		g.seed(detectors.Email, u.email)
		g.s(" from ")
		g.ipPort(u.ip)
	case 8:
		g.s(" DEBUG [net] Neighbour ")
		g.seed(detectors.IPv6, linkLocalIPv6(g.r).String()+"%eth0")
		g.s(" reachable via ")
		g.seed(detectors.MAC, mac(g.r))
	default:
		g.s(" WARN  [auth] Rejected login for user_id=")
		g.seed(AccountID, u.id)
		g.s(" password=")
		g.seed(detectors.Secret, password(g.r))
		g.s(" from ")
		g.ip(u.ip)
	}
}
