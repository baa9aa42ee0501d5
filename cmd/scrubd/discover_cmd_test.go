package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/discover"
	"github.com/scrubd/scrubd/pipeline/discover/rendertest"
)

// discoverInput is generated records of each format, and the personal
// values they hold.
func discoverInput(n int) (string, []string) {
	var b strings.Builder
	var vals []string
	for i := range n {
		email := fmt.Sprintf("person%02d@example.org", i)
		ip := fmt.Sprintf("198.51.100.%d", 1+i)
		fmt.Fprintf(&b, `{"user":{"email":%q},"ip":%q}`+"\n", email, ip)
		fmt.Fprintf(&b, "level=info client=%s msg=\"hello %s\"\n", ip, email)
		fmt.Fprintf(&b, `%s - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "curl/8.1"`+"\n", ip)
		vals = append(vals, email, ip)
	}
	return b.String(), vals
}

func decodeReport(t *testing.T, out string) *discover.Report {
	t.Helper()
	var r discover.Report
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	if r.Version != discover.Version {
		t.Errorf("version %d", r.Version)
	}
	return &r
}

func reportField(r *discover.Report, place, path string) (discover.Field, bool) {
	for _, f := range r.Fields {
		if f.Place == place && f.Path == path {
			return f, true
		}
	}
	return discover.Field{}, false
}

// TestDiscoverFiles runs `scrubd discover` on files (one gzipped), on
// standard input, with a sample size, in every output format, and checks
// that no output shows a value.
func TestDiscoverFiles(t *testing.T) {
	in, vals := discoverInput(10)
	dir := t.TempDir()
	plain, gz := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log.gz")
	if err := os.WriteFile(plain, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write([]byte(in))
	zw.Close()
	if err := os.WriteFile(gz, zb.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	html := filepath.Join(dir, "report.html")
	code, out, errOut := runCmd(t, "", "discover", "--format", "json", "--html", html, plain, gz)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	r := decodeReport(t, out)
	if r.Records != 60 || r.Formats["json"] != 20 || r.Formats["logfmt"] != 20 || r.Formats["access"] != 20 {
		t.Errorf("records %d, formats %v", r.Records, r.Formats)
	}
	for _, w := range []struct{ place, path, typ string }{
		{"json", "user.email", "email"}, {"json", "ip", "ipv4"}, {"logfmt", "client", "ipv4"},
		{"logfmt", "msg", "email"}, {"access", "remote_addr", "ipv4"},
	} {
		f, ok := reportField(r, w.place, w.path)
		if !ok || f.Records != 20 || f.Types[0].Type != w.typ || f.Types[0].Share != 20.0/60 {
			t.Errorf("%s %s: %+v", w.place, w.path, f)
		}
	}
	page, err := os.ReadFile(html)
	if err != nil || !bytes.Contains(page, []byte(`<svg class="chart"`)) {
		t.Errorf("html report: %v", err)
	}
	code, table, _ := runCmd(t, in, "discover", "--sample", "7", "-")
	if code != cli.ExitOK || !strings.HasPrefix(table, "7 records (") || !strings.Contains(table, "PLACE") {
		t.Errorf("exit %d, table:\n%s", code, table)
	}
	for _, o := range []string{out, table, string(page)} {
		for _, v := range vals {
			if strings.Contains(o, v) {
				t.Errorf("output shows %q", v)
			}
		}
	}
}

// TestDiscoverUsage checks the exit codes of bad command lines and
// configurations.
func TestDiscoverUsage(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("name: broken\ndetectors:\n  email: {action: shred}\n"), 0o600)
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"discover", "--format", "xml"}, cli.ExitUsage},
		{[]string{"discover", "--sample", "-1"}, cli.ExitUsage},
		{[]string{"discover", "--from", "middle", "--topic", "t", "--brokers", "x:1"}, cli.ExitUsage},
		{[]string{"discover", "--topic", "t", "file.log"}, cli.ExitUsage},
		{[]string{"discover", "--topic", "t"}, cli.ExitUsage}, // no brokers
		{[]string{"discover", "--config", bad}, cli.ExitInvalid},
		{[]string{"discover", filepath.Join(t.TempDir(), "missing.log")}, cli.ExitFailed},
	} {
		if code, _, errOut := runCmd(t, "", tt.args...); code != tt.code {
			t.Errorf("%v: exit %d, want %d: %s", tt.args, code, tt.code, errOut)
		}
	}
}

// TestDiscoverTopic samples a topic on an in-process broker.
func TestDiscoverTopic(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "logs.raw"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc := sarama.NewConfig()
	sc.Producer.Return.Successes = true
	prod, err := sarama.NewSyncProducer(c.ListenAddrs(), sc)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := discoverInput(10)
	var msgs []*sarama.ProducerMessage
	for i, l := range strings.Split(strings.TrimSuffix(in, "\n"), "\n") {
		msgs = append(msgs, &sarama.ProducerMessage{
			Topic: "logs.raw", Key: sarama.StringEncoder(fmt.Sprintf("user-%d", i)), Value: sarama.StringEncoder(l),
			Headers: []sarama.RecordHeader{{Key: []byte("x-reply-to"), Value: []byte(fmt.Sprintf("mail person%02d@example.org", i))}},
		})
	}
	if err := prod.SendMessages(msgs); err != nil {
		t.Fatal(err)
	}
	prod.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"discover", "--topic", "logs.raw", "--brokers", strings.Join(c.ListenAddrs(), ","), "--from", "oldest", "--format", "json"}, strings.NewReader(""), &out, &errb)
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	r := decodeReport(t, out.String())
	if r.Records != 30 || len(r.Sources) != 1 || r.Sources[0] != "topic logs.raw" {
		t.Errorf("records %d, sources %v", r.Records, r.Sources)
	}
	for _, w := range []struct {
		place, path string
		records     int64
	}{{"json", "user.email", 10}, {discover.PlaceKey, discover.KeyPath, 30}, {discover.PlaceHeader, "x-reply-to", 30}} {
		if f, ok := reportField(r, w.place, w.path); !ok || f.Records != w.records {
			t.Errorf("%s %s: %+v", w.place, w.path, f)
		}
	}
	if strings.Contains(out.String(), "@example.org") || strings.Contains(out.String(), "user-1") {
		t.Error("the report shows a value")
	}
}

// TestDiscoverCorpora runs discover on the shared corpora, when present,
// in the three output formats, and opens the HTML report in headless
// Chromium (skipped without one).
func TestDiscoverCorpora(t *testing.T) {
	const dir = "../../../shared/corpora/access-logs/"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared corpora not present: %v", err)
	}
	html := filepath.Join(t.TempDir(), "report.html")
	files := []string{dir + "apache_logs", dir + "nginxplus_json_logs"}
	code, table, errOut := runCmd(t, "", append([]string{"discover", "--sample", "0", "--html", html}, files...)...)
	if code != cli.ExitOK || !strings.HasPrefix(table, "10500 records (access 10000, json 500)") || !strings.Contains(table, "remote_addr") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, table)
	}
	code, out, _ := runCmd(t, "", append([]string{"discover", "--sample", "0", "--format", "json"}, files...)...)
	r := decodeReport(t, out)
	if f, ok := reportField(r, "access", "remote_addr"); code != cli.ExitOK || !ok || f.Share != 10000.0/10500 {
		t.Errorf("remote_addr: %+v", f)
	}
	page := rendertest.Render(t, html)
	if len(page.Charts) != len(r.Fields)+1 || page.BarPixels < 1000 || len(page.Fetched) > 0 {
		t.Errorf("the browser drew %d charts (want %d), %d bar pixels, fetched %v", len(page.Charts), len(r.Fields)+1, page.BarPixels, page.Fetched)
	}
	for i, ch := range page.Charts {
		if len(ch.Bars) == 0 || ch.Bars[0] < 1 {
			t.Errorf("chart %d: bars %v", i, ch.Bars)
		}
	}
}
