package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/scrubd/scrubd/cmd/internal/cli"
	"github.com/scrubd/scrubd/pipeline/config"
)

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadmeNotDetected keeps the README's "What scrubd does not detect"
// true: each example it gives passes the default policy unchanged. When a
// detector learns one, this fails: move the example out of the list.
func TestReadmeNotDetected(t *testing.T) {
	text := readme(t)
	i := strings.Index(text, "## What scrubd does not detect")
	if i < 0 {
		t.Fatal("README has no section What scrubd does not detect")
	}
	section := text[i:]
	section = section[:strings.Index(section[3:], "\n## ")+3]
	for _, ex := range []string{
		"my name is lena andersson",
		"unlike the Jensen novel",
		"ship to 36 rue de pologne, lille",
		"born 12 March 1990",
		"reached 48.8583701 2.2944813 at noon",
		"from 0151 2345678 yesterday",
		"@jdoe",
		"email_hash=5d41402a",
	} {
		if !strings.Contains(section, "`"+ex) {
			t.Errorf("the README's list no longer gives %q: update this test", ex)
			continue
		}
		code, out, errOut := runCmd(t, ex+"\n", "scrub")
		if code != cli.ExitOK || out != ex+"\n" {
			t.Errorf("%q is scrubbed now (%q, exit %d %s): the README says it is not detected", ex, out, code, errOut)
		}
	}
	// The keyed forms the list says are found are found.
	for _, ex := range []string{"name: Ana Lima", "dob: 1990-03-12", "lat: 48.8583701", "lat 48.8583701 lon 2.2944813", "mobile 0151 2345678"} {
		if _, out, _ := runCmd(t, ex+"\n", "scrub"); out == ex+"\n" {
			t.Errorf("%q passes unchanged, but the README says the keyed form is found", ex)
		}
	}
}

// TestReadmeConfigDefaults keeps the README's configuration table true:
// each default it gives is the code's.
func TestReadmeConfigDefaults(t *testing.T) {
	d := config.Default()
	want := map[string]string{
		"kafka.brokers":           "none: required",
		"kafka.version":           "`" + d.Kafka.Version + "`",
		"kafka.group":             "`" + d.Kafka.Group + "`",
		"kafka.session_timeout":   "`" + d.Kafka.SessionTimeout.D().String() + "`",
		"delivery":                "`" + d.Delivery + "`",
		"shutdown.timeout":        "`" + d.Shutdown.Timeout.D().String() + "`",
		"log.level`, `log.format": "`" + d.Log.Level + "`, `" + d.Log.Format + "`",
	}
	if len(d.Kafka.Brokers) != 0 {
		t.Errorf("the code has default brokers %v", d.Kafka.Brokers)
	}
	row := regexp.MustCompile("(?m)^\\| `([^|]+)` \\| ([^|]*) \\|")
	got := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(readme(t), -1) {
		got[m[1]] = strings.TrimSpace(m[2])
	}
	for key, w := range want {
		if got[key] != w {
			t.Errorf("README default of %s: %q, the code's: %q", key, got[key], w)
		}
	}
	if !strings.HasPrefix(got["http.addr"], "`"+d.HTTP.Addr+"`") {
		t.Errorf("README default of http.addr: %q, the code's: %q", got["http.addr"], d.HTTP.Addr)
	}
	b := d.Batch
	if w := "2000, 1 MiB, 100ms, 32 MiB"; got["batch.{max_records,max_bytes,linger,max_in_flight_bytes}"] != w ||
		b.MaxRecords != 2000 || b.MaxBytes != 1<<20 || b.Linger.D().String() != "100ms" || b.MaxInFlightBytes != 32<<20 {
		t.Errorf("README batch defaults %q, the code's %+v", got["batch.{max_records,max_bytes,linger,max_in_flight_bytes}"], b)
	}
	k := d.Kafka
	if w := "512 KiB, 2 MiB, 64"; got["kafka.{fetch_bytes,fetch_max_bytes,channel_buffer}"] != w ||
		k.FetchBytes != 512<<10 || k.FetchMaxBytes != 2<<20 || k.ChannelBuffer != 64 {
		t.Errorf("README fetch defaults %q, the code's %d, %d, %d",
			got["kafka.{fetch_bytes,fetch_max_bytes,channel_buffer}"], k.FetchBytes, k.FetchMaxBytes, k.ChannelBuffer)
	}
	c := d.Topics.Create
	if !strings.HasPrefix(got["topics.create.*"], "6 partitions, RF 3") || c.Partitions != 6 || c.ReplicationFactor != 3 {
		t.Errorf("README topics.create defaults %q, the code's %+v", got["topics.create.*"], c)
	}
}
