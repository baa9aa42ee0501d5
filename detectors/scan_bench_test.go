package detectors

import (
	"bufio"
	"os"
	"testing"
)

// benchLines are typical application log lines, most without personal data.
var benchLines = [][]byte{
	[]byte(`2026-11-29T10:05:03.123Z INFO [http-nio-8080-exec-7] c.e.api.OrderController - GET /api/v1/orders?page=3&size=50 status=200 took=12.5ms bytes=203023`),
	[]byte(`2026-11-29 10:05:03,456 DEBUG org.apache.zookeeper.ClientCnxn: Got ping response for sessionid: 0x15f8a1b2c3d4e5f after 1ms`),
	[]byte(`Nov 29 10:05:03 web-01 sshd[12345]: Accepted publickey for deploy from 203.0.113.77 port 52144 ssh2: RSA SHA256:abcdefghijklmnop`),
	[]byte(`83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"`),
	[]byte(`level=info ts=2026-11-29T10:05:03Z caller=main.go:123 msg="flushed block" tenant=acme blocks=12 duration=1.234s`),
}

func BenchmarkScanLogLines(b *testing.B) {
	s := newTestScanner(b)
	var total int64
	for _, l := range benchLines {
		total += int64(len(l))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	dst := make([]Finding, 0, 16)
	for b.Loop() {
		for _, l := range benchLines {
			dst, _ = s.Scan(dst[:0], l)
		}
	}
}

// BenchmarkScanApacheCorpus scans the shared access-log corpus when present.
func BenchmarkScanApacheCorpus(b *testing.B) {
	f, err := os.Open("../../shared/corpora/access-logs/apache_logs")
	if err != nil {
		b.Skip("corpus not present: ", err)
	}
	defer f.Close()
	var lines [][]byte
	var total int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
		total += int64(len(sc.Bytes()))
	}
	s := newTestScanner(b)
	b.SetBytes(total)
	b.ReportAllocs()
	dst := make([]Finding, 0, 16)
	for b.Loop() {
		for _, l := range lines {
			dst, _ = s.Scan(dst[:0], l)
		}
	}
}
