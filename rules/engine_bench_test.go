package rules

import (
	"bufio"
	"os"
	"testing"
)

func loadLines(b *testing.B, path string) ([][]byte, int64) {
	f, err := os.Open(path)
	if err != nil {
		b.Skip("corpus not present: ", err)
	}
	defer f.Close()
	var lines [][]byte
	var total int64
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
		total += int64(len(sc.Bytes()))
	}
	return lines, total
}

func benchScrub(b *testing.B, lines [][]byte, total int64) {
	e := compileTest(b, "")
	var res Result
	dst := make([]byte, 0, 64<<10)
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			dst, _ = e.Scrub(dst[:0], l, &res)
		}
	}
}

// BenchmarkScrubApache scrubs the shared Apache access-log corpus.
func BenchmarkScrubApache(b *testing.B) {
	lines, total := loadLines(b, "../../shared/corpora/access-logs/apache_logs")
	benchScrub(b, lines, total)
}

// BenchmarkScrubNginxJSON scrubs the shared NGINX Plus JSON corpus.
func BenchmarkScrubNginxJSON(b *testing.B) {
	lines, total := loadLines(b, "../../shared/corpora/access-logs/nginxplus_json_logs")
	benchScrub(b, lines, total)
}

// BenchmarkScrubGolden scrubs the sample logs of the CLI's golden tests.
func BenchmarkScrubGolden(b *testing.B) {
	var lines [][]byte
	var total int64
	for _, name := range []string{"sshd.log", "hdfs.log", "zookeeper.log", "hadoop.log", "app.jsonl", "logfmt.log", "linux_auth.log"} {
		l, n := loadLines(b, "../cmd/scrubd/testdata/logs/"+name)
		lines = append(lines, l...)
		total += n
	}
	benchScrub(b, lines, total)
}
