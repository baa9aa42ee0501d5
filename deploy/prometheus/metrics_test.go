// Package prometheus_test checks the alert rules (alerts.yaml) and the Grafana
// dashboard (../grafana/scrubd-dashboard.json) against what the binary
// exports: every metric they query must be a metric pipeline/metrics
// registers, and one that a running `scrubd-demo` serves on /metrics. It also checks that each alert has its runbook section and that
// the Helm chart's copies of both files are current.
//
// promtool checks the rules' syntax and behaviour (deploy/check.sh runs
// `promtool check rules` and `promtool test rules alerts_test.yaml`).
package prometheus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"sigs.k8s.io/yaml"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/geoip"
	"github.com/scrubd/scrubd/pipeline/kafka"
	"github.com/scrubd/scrubd/pipeline/kafka/compacted"
	"github.com/scrubd/scrubd/pipeline/metrics"
	"github.com/scrubd/scrubd/pipeline/privacy"
	"github.com/scrubd/scrubd/pipeline/reload"
	"github.com/scrubd/scrubd/pipeline/shadow"
	"github.com/scrubd/scrubd/pipeline/vault"
	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// conditionalMetrics are the prefixes of metrics exported only when a
// feature is configured, so that a running `scrubd-demo` (no GeoIP
// database, privacy requests, vault or shadow policy) does not serve them;
// exported registers their collectors like the binary does when the feature
// is on.
var conditionalMetrics = map[string]string{
	"scrubd_geoip_":   "only with geoip.database set",
	"scrubd_privacy_": "only with privacy.enabled",
	"scrubd_vault_":   "only with vault.enabled",
	"scrubd_shadow_":  "only with shadow.policy_file set",
}

// conditional reports why a metric may be missing from a running demo, or
// "" when it must be there.
func conditional(name string) string {
	for prefix, why := range conditionalMetrics {
		if strings.HasPrefix(name, prefix) {
			return why
		}
	}
	return ""
}

// describing is a Registerer that remembers what was registered, so that
// the names of collectors that export nothing yet (the GeoIP database age
// while no database is loaded) are known by their descriptors.
type describing struct {
	prometheus.Registerer
	collectors []prometheus.Collector
}

func (d *describing) Register(c prometheus.Collector) error {
	if err := d.Registerer.Register(c); err != nil {
		return err
	}
	d.collectors = append(d.collectors, c)
	return nil
}

func (d *describing) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := d.Register(c); err != nil {
			panic(err)
		}
	}
}

// exported returns the names of every series family the binary exports:
// scrubd's collectors (by reflection over metrics.Metrics, so that vectors
// with no child yet count too), histogram and summary suffixes, and the Go
// and process collectors that metrics.New registers.
func exported(t *testing.T) map[string]bool {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg, metrics.Opts{Version: "test", Policy: "test@0", Delivery: "exactly_once"},
		metrics.Known{FindingTypes: []string{"ipv4"}, Actions: []string{"redact"}, Reasons: []string{"too_large"}})
	if err != nil {
		t.Fatalf("metrics.New: %v", err)
	}
	names := map[string]bool{}
	// Walk the struct, and the structs inside it (groups of metrics).
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		for i := range v.NumField() {
			f, ft := v.Field(i), v.Type().Field(i)
			if !ft.IsExported() {
				continue
			}
			if f.Kind() == reflect.Struct {
				walk(f)
				continue
			}
			c, ok := f.Interface().(prometheus.Collector)
			if !ok || (f.Kind() == reflect.Pointer || f.Kind() == reflect.Interface) && f.IsNil() {
				continue
			}
			for _, name := range described(t, c) {
				names[name] = true
				// By the field's declared type: Histogram and Summary have
				// the same method set, so a type switch cannot tell them apart.
				switch ft.Type {
				case reflect.TypeFor[prometheus.Histogram](), reflect.TypeFor[*prometheus.HistogramVec]():
					addSuffixes(names, name, "_bucket", "_sum", "_count")
				case reflect.TypeFor[prometheus.Summary](), reflect.TypeFor[*prometheus.SummaryVec]():
					addSuffixes(names, name, "_sum", "_count")
				}
			}
		}
	}
	walk(reflect.ValueOf(m).Elem())
	// Collectors of other packages that the binary registers: the policy
	// reloader (always), the GeoIP reader (with geoip.database), privacy
	// requests, the vault and shadow mode (when enabled).
	other := &describing{Registerer: reg}
	eng := rulestest.Engine(t, "")
	if _, err := reload.New(reload.Options{Build: func() (*rules.Engine, error) { return eng, nil }, Registerer: other}); err != nil {
		t.Fatalf("reload.New: %v", err)
	}
	gr, err := geoip.Open(context.Background(), geoip.Options{Path: filepath.Join(t.TempDir(), "missing.mmdb"), Registerer: other})
	if err != nil {
		t.Fatalf("geoip.Open: %v", err)
	}
	t.Cleanup(func() { _ = gr.Close(context.Background()) })
	set, err := privacy.NewSet(rules.TestKeyring(), privacy.SetOptions{Registerer: other})
	if err != nil {
		t.Fatalf("privacy.NewSet: %v", err)
	}
	// A reader of an unreachable broker: only its metrics matter.
	rd, err := privacy.StartReader(privacy.ReaderOptions{Conn: compacted.Conn{Brokers: []string{"127.0.0.1:1"}, Config: sarama.NewConfig()}, Set: set, Registerer: other})
	if err != nil {
		t.Fatalf("privacy.StartReader: %v", err)
	}
	t.Cleanup(func() { _ = rd.Close() })
	mk, err := vault.NewMasterKeys("m1", map[string][]byte{"m1": bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vault.New(vault.Options{Master: mk, Partitions: 1, Registerer: other}); err != nil {
		t.Fatalf("vault.New: %v", err)
	}
	if _, err := shadow.New(eng, other, nil); err != nil {
		t.Fatalf("shadow.New: %v", err)
	}
	if err := kafka.Announce(config.Default(), slog.New(slog.DiscardHandler), other); err != nil {
		t.Fatalf("kafka.Announce: %v", err)
	}
	for _, c := range other.collectors {
		for _, name := range described(t, c) {
			names[name] = true
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, mf := range mfs {
		names[mf.GetName()] = true
		switch mf.GetType() {
		case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
			addSuffixes(names, mf.GetName(), "_bucket", "_sum", "_count")
		case dto.MetricType_SUMMARY:
			addSuffixes(names, mf.GetName(), "_sum", "_count")
		}
	}
	for _, want := range []string{"scrubd_consumer_lag_records", "process_resident_memory_bytes", "go_gc_duration_seconds_count", "scrubd_batch_duration_seconds_bucket",
		"scrubd_geoip_database_age_seconds", "scrubd_privacy_request_apply_lag_seconds_bucket", "scrubd_vault_records_total", "scrubd_shadow_records_total"} {
		if !names[want] {
			t.Fatalf("exported names lack %s; the collection above is broken: %v", want, sorted(names))
		}
	}
	return names
}

// fqName finds the name in a descriptor's String().
var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

// described returns the names of the metrics c describes.
func described(t *testing.T, c prometheus.Collector) []string {
	t.Helper()
	ch := make(chan *prometheus.Desc, 16)
	go func() { c.Describe(ch); close(ch) }()
	var out []string
	for d := range ch {
		sm := fqName.FindStringSubmatch(d.String())
		if sm == nil {
			t.Fatalf("cannot read the name of %s", d)
		}
		out = append(out, sm[1])
	}
	return out
}

// runningBinary reports whether a checkNames location is the running
// binary's check.
func runningBinary(where string) bool { return strings.HasSuffix(where, "(running binary)") }

func addSuffixes(names map[string]bool, base string, sfx ...string) {
	for _, s := range sfx {
		names[base+s] = true
	}
}

func sorted(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// promqlKeywords are identifiers that are never metric names.
var promqlKeywords = map[string]bool{
	"and": true, "or": true, "unless": true, "by": true, "without": true, "on": true, "ignoring": true,
	"group_left": true, "group_right": true, "offset": true, "bool": true, "inf": true, "nan": true,
	"atan2": true, "start": true, "end": true,
}

// aggregations are the aggregation operators, which may be followed by a
// by/without clause before their parenthesised argument.
var aggregations = map[string]bool{
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
	"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
	"limitk": true, "limit_ratio": true,
}

// labelListKeywords are followed by a parenthesised list of label names.
var labelListKeywords = map[string]bool{"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true}

// metricNames returns the metric names a PromQL expression selects. It is a
// small lexer: strings, label matchers ({...}), ranges ([...]), numbers and
// durations, $variables, keywords, label lists after by/without/on/ignoring/
// group_left/group_right, and identifiers followed by "(" (functions and
// aggregations) are not metric names; every other identifier is.
func metricNames(expr string) []string {
	var out []string
	s := expr
	skipTo := func(i int, open, close byte) int {
		depth := 0
		for ; i < len(s); i++ {
			switch c := s[i]; {
			case c == '"' || c == '\'' || c == '`':
				j := i + 1
				for j < len(s) && s[j] != c {
					if s[j] == '\\' && c != '`' {
						j++
					}
					j++
				}
				i = j
			case c == open:
				depth++
			case c == close:
				depth--
				if depth == 0 {
					return i
				}
			}
		}
		return i
	}
	isIdentStart := func(c byte) bool { return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	isIdent := func(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }
	nextNonSpace := func(i int) int {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		return i
	}
	afterOffset := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' && c != '`' {
					j++
				}
				j++
			}
			i = j
		case c == '{':
			i = skipTo(i, '{', '}')
		case c == '[':
			i = skipTo(i, '[', ']')
		case c == '$':
			// $var, ${var}, $__rate_interval
			j := i + 1
			if j < len(s) && s[j] == '{' {
				j = skipTo(j, '{', '}') + 1
			} else {
				for j < len(s) && isIdent(s[j]) {
					j++
				}
			}
			i = j - 1
		case c >= '0' && c <= '9' || c == '.':
			j := i
			for j < len(s) && (isIdent(s[j]) || s[j] == '.') {
				j++
			}
			i = j - 1
			afterOffset = false
		case isIdentStart(c):
			j := i
			for j < len(s) && isIdent(s[j]) {
				j++
			}
			word := s[i:j]
			k := nextNonSpace(j)
			switch {
			case afterOffset:
				afterOffset = false
			case word == "offset":
				afterOffset = true
			case labelListKeywords[word] && k < len(s) && s[k] == '(':
				j = skipTo(k, '(', ')') + 1
			case promqlKeywords[strings.ToLower(word)]:
			case aggregations[word] && (strings.HasPrefix(s[k:], "by") || strings.HasPrefix(s[k:], "without")):
				// sum by (...) (...)
			case k < len(s) && s[k] == '(':
				// A function or an aggregation.
			default:
				out = append(out, word)
			}
			i = j - 1
		}
	}
	return out
}

func TestMetricNamesExtractor(t *testing.T) {
	cases := map[string][]string{
		`sum by (namespace, job, topic) (scrubd_consumer_lag_records) > 10000`:                                               {"scrubd_consumer_lag_records"},
		`deriv((sum by (a) (x_total))[15m:1m]) > 0 and on (job) up == 0`:                                                     {"x_total", "up"},
		`rate(a_total{outcome="dead_lettered", x=~"a{b}"}[$__rate_interval]) / ignoring(outcome) group_left(le) b offset 5m`: {"a_total", "b"},
		`histogram_quantile(0.99, sum by (le) (rate(h_bucket{job=~"$job"}[5m])))`:                                            {"h_bucket"},
		`time() - max by (pod) (ts_seconds{stage="consume"}) > 14 * 24 * 3600`:                                               {"ts_seconds"},
		`label_values(scrubd_build_info{namespace=~"$namespace"}, job)`:                                                      {"scrubd_build_info", "job"},
		`sum without (topic, partition) (lag) unless bool on() kube_pod_info`:                                                {"lag", "kube_pod_info"},
	}
	for expr, want := range cases {
		if got := metricNames(expr); !slices.Equal(got, want) {
			t.Errorf("metricNames(%q) = %q, want %q", expr, got, want)
		}
	}
}

// ruleFile is a Prometheus rule file.
type ruleFile struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Alert       string            `json:"alert"`
			Expr        string            `json:"expr"`
			For         string            `json:"for,omitempty"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"rules"`
	} `json:"groups"`
}

func loadRules(t *testing.T) ruleFile {
	t.Helper()
	data, err := os.ReadFile("alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	if err := yaml.UnmarshalStrict(data, &rf); err != nil {
		t.Fatalf("alerts.yaml: %v", err)
	}
	return rf
}

// dashboard is the part of a Grafana dashboard checked here.
type dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int             `json:"id"`
	Type       string          `json:"type"`
	Title      string          `json:"title"`
	Datasource json.RawMessage `json:"datasource"`
	GridPos    struct{ H, W, X, Y int }
	Targets    []struct {
		Expr  string `json:"expr"`
		RefID string `json:"refId"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

func loadDashboard(t *testing.T) (dashboard, []byte) {
	t.Helper()
	data, err := os.ReadFile("../grafana/scrubd-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	return d, data
}

// queries returns every PromQL expression of the dashboard, by where it is.
func (d dashboard) queries() map[string]string {
	q := map[string]string{}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			for _, tg := range p.Targets {
				q["panel "+p.Title+" "+tg.RefID] = tg.Expr
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	lv := regexp.MustCompile(`^label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\)$`)
	for _, v := range d.Templating.List {
		var s string
		switch qv := v.Query.(type) {
		case string:
			s = qv
		case map[string]any:
			s, _ = qv["query"].(string)
		}
		if v.Type != "query" || s == "" {
			continue
		}
		if m := lv.FindStringSubmatch(s); m != nil {
			s = m[1]
		}
		q["variable "+v.Name] = s
	}
	return q
}

func checkNames(t *testing.T, where, expr string, names map[string]bool, used map[string]bool) {
	t.Helper()
	ms := metricNames(expr)
	if len(ms) == 0 {
		t.Errorf("%s: no metric in %q", where, expr)
	}
	for _, n := range ms {
		used[n] = true
		if !names[n] && !(runningBinary(where) && conditional(n) != "") {
			t.Errorf("%s: %s is not exported by scrubd (pipeline/metrics)", where, n)
		}
	}
}

func TestAlertsUseExportedMetrics(t *testing.T) {
	names := exported(t)
	used := map[string]bool{}
	n := 0
	for _, g := range loadRules(t).Groups {
		for _, r := range g.Rules {
			n++
			checkNames(t, "alert "+r.Alert, r.Expr, names, used)
		}
	}
	if n < 7 {
		t.Errorf("%d alerts, want at least the 7 of issue 7", n)
	}
	// The compliance features of issue 18, each by the metric it must watch.
	for _, want := range []string{
		"scrubd_geoip_database_loaded", "scrubd_privacy_reader_caught_up", "scrubd_privacy_request_apply_lag_seconds_bucket",
		"scrubd_pipeline_dead_letters_total", "scrubd_aggregate_restores_total", "scrubd_shadow_records_total",
	} {
		if !used[want] {
			t.Errorf("no alert watches %s", want)
		}
	}
}

func TestDashboardUsesExportedMetrics(t *testing.T) {
	names := exported(t)
	d, _ := loadDashboard(t)
	used := map[string]bool{}
	for where, expr := range d.queries() {
		checkNames(t, where, expr, names, used)
	}
	// What the dashboard must show (issue 7).
	for _, want := range []string{
		"scrubd_stage_records_in_total", "scrubd_stage_records_out_total", "scrubd_pipeline_records_total",
		"scrubd_scrub_findings_total", "scrubd_consumer_lag_records", "scrubd_batch_duration_seconds_bucket",
		"scrubd_txn_commits_total", "scrubd_txn_aborts_total", "scrubd_pipeline_dead_letters_total",
		"process_resident_memory_bytes", "go_gc_duration_seconds_count",
		// The compliance features (issue 18).
		"scrubd_geoip_database_loaded", "scrubd_geoip_database_age_seconds", "scrubd_residency_records_total",
		"scrubd_privacy_reader_caught_up", "scrubd_privacy_reader_lag_records", "scrubd_privacy_request_apply_lag_seconds_bucket",
		"scrubd_vault_records_total", "scrubd_aggregate_restores_total", "scrubd_shadow_records_total",
	} {
		if !used[want] {
			t.Errorf("the dashboard does not show %s", want)
		}
	}
}

func TestAlertsHaveRunbookSections(t *testing.T) {
	runbook, err := os.ReadFile("../../docs/runbook.md")
	if err != nil {
		t.Fatal(err)
	}
	heading := regexp.MustCompile(`(?m)^## (\S+)\s*$`)
	sections := map[string]bool{}
	for _, m := range heading.FindAllStringSubmatch(string(runbook), -1) {
		sections[strings.ToLower(m[1])] = true
	}
	const base = "https://github.com/scrubd/scrubd/blob/main/docs/runbook.md#"
	seen := map[string]bool{}
	for _, g := range loadRules(t).Groups {
		for _, r := range g.Rules {
			if seen[r.Alert] {
				t.Errorf("alert %s defined twice", r.Alert)
			}
			seen[r.Alert] = true
			if !strings.HasPrefix(r.Alert, "Scrubd") {
				t.Errorf("alert %s: name it Scrubd...", r.Alert)
			}
			for _, a := range []string{"summary", "description", "runbook_url"} {
				if r.Annotations[a] == "" {
					t.Errorf("alert %s: no %s annotation", r.Alert, a)
				}
			}
			if sev := r.Labels["severity"]; sev != "warning" && sev != "critical" {
				t.Errorf("alert %s: severity %q, want warning or critical", r.Alert, sev)
			}
			anchor, ok := strings.CutPrefix(r.Annotations["runbook_url"], base)
			if !ok || anchor != strings.ToLower(r.Alert) {
				t.Errorf("alert %s: runbook_url %q, want %s%s", r.Alert, r.Annotations["runbook_url"], base, strings.ToLower(r.Alert))
			}
			if !sections[anchor] {
				t.Errorf("alert %s: docs/runbook.md has no section \"## %s\"", r.Alert, r.Alert)
			}
		}
	}
}

func TestDashboardStructure(t *testing.T) {
	d, _ := loadDashboard(t)
	if d.UID == "" || d.Title == "" {
		t.Errorf("uid %q, title %q: both needed for provisioning", d.UID, d.Title)
	}
	ids := map[int]bool{}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			if ids[p.ID] {
				t.Errorf("panel id %d used twice", p.ID)
			}
			ids[p.ID] = true
			if p.GridPos.W < 1 || p.GridPos.X+p.GridPos.W > 24 {
				t.Errorf("panel %q: gridPos %+v outside the 24 columns", p.Title, p.GridPos)
			}
			if p.Type != "row" {
				if len(p.Targets) == 0 || !bytes.Contains(p.Datasource, []byte("${datasource}")) {
					t.Errorf("panel %q: no targets or not on the $datasource variable", p.Title)
				}
				for _, tg := range p.Targets {
					if tg.Expr == "" {
						t.Errorf("panel %q: empty query", p.Title)
					}
				}
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	if len(ids) < 10 {
		t.Errorf("%d panels", len(ids))
	}
}

// TestChartCopies checks that the Helm chart ships the current alerts and
// dashboard (Helm reads files inside the chart only). To refresh:
//
//	cp deploy/prometheus/alerts.yaml deploy/helm/scrubd/files/alerts.yaml
//	cp deploy/grafana/scrubd-dashboard.json deploy/helm/scrubd/files/scrubd-dashboard.json
func TestChartCopies(t *testing.T) {
	for src, dst := range map[string]string{
		"alerts.yaml":                      "../helm/scrubd/files/alerts.yaml",
		"../grafana/scrubd-dashboard.json": "../helm/scrubd/files/scrubd-dashboard.json",
	} {
		a, err1 := os.ReadFile(src)
		b, err2 := os.ReadFile(dst)
		if err1 != nil || err2 != nil {
			t.Fatalf("%v %v", err1, err2)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s is not a copy of %s: cp %s %s", dst, src, src, dst)
		}
	}
}

// TestRunningBinaryExports runs the real binary (`scrubd-demo`: the whole
// pipeline on an embedded broker with generated traffic), scrapes its
// /metrics once it has committed records, and checks that every metric the
// alerts and the dashboard query is among the scraped families (or pending).
// This covers collectors registered outside pipeline/metrics too.
func TestRunningBinaryExports(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	bin := filepath.Join(t.TempDir(), "scrubd-demo")
	if out, err := exec.Command(goBin, "build", "-o", bin, "../../cmd/scrubd-demo").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--duration", "2m", "--rate", "500", "--interval", "1h")
	cmd.Env = append(os.Environ(), "SCRUBD_HTTP_ADDR="+addr)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cancel()
		<-exited
	}()

	parser := expfmt.NewTextParser(model.UTF8Validation)
	var families map[string]*dto.MetricFamily
	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("scrubd-demo exited early: %v\n%s", err, stderr.String())
		case <-time.After(500 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("scrubd-demo committed nothing within 90 s\n%s", stderr.String())
		}
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			continue
		}
		families, err = parser.TextToMetricFamilies(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("parse /metrics: %v", err)
		}
		if mf := families["scrubd_stage_records_out_total"]; mf != nil && committed(mf) {
			break
		}
	}
	names := map[string]bool{}
	for name, mf := range families {
		names[name] = true
		switch mf.GetType() {
		case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
			addSuffixes(names, name, "_bucket", "_sum", "_count")
		case dto.MetricType_SUMMARY:
			addSuffixes(names, name, "_sum", "_count")
		}
	}
	used := map[string]bool{}
	for _, g := range loadRules(t).Groups {
		for _, r := range g.Rules {
			checkNames(t, "alert "+r.Alert+" (running binary)", r.Expr, names, used)
		}
	}
	d, _ := loadDashboard(t)
	for where, expr := range d.queries() {
		checkNames(t, where+" (running binary)", expr, names, used)
	}
}

// committed reports whether the consume stage has let records out (they
// were committed).
func committed(mf *dto.MetricFamily) bool {
	for _, m := range mf.GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "stage" && l.GetValue() == "consume" && m.GetCounter().GetValue() > 0 {
				return true
			}
		}
	}
	return false
}
