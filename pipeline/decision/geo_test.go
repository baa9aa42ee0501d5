package decision

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scrubd/scrubd/pipeline/geoip"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/pipeline/wire"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// countries is a Locator over a fixed table that remembers its lookups.
type countries struct {
	table   map[string]string
	lookups []string
}

func (c *countries) Lookup(addr netip.Addr) (string, geoip.Outcome) {
	c.lookups = append(c.lookups, addr.String())
	return c.table[addr.String()], geoip.OutcomeHit
}

// TestGeoAndResidency: with geo on, the country is found on the full
// client address before it is scrubbed, the jurisdiction's profile scrubs
// the value and the key, the record goes to its jurisdiction's residency
// topic and gets the geo headers; without geo it gets none of that.
func TestGeoAndResidency(t *testing.T) {
	const eea = "logs.clean.eea"
	eng := rulestest.Engine(t, `
key: {action: keep}
jurisdictions:
  profiles:
    EEA: {detectors: {ipv4: {prefix: 16}}}
`)
	loc := &countries{table: map[string]string{"89.160.20.112": "SE", "81.2.69.142": "GB"}}
	opts := testOptions()
	opts.Outputs.Residency = map[string]Output{"EEA": {Topic: eea, Partitions: 1}}
	opts.Geo = loc
	d := newDecider(t, opts)
	for _, tt := range []struct {
		name, value, key      string
		topic, country, juris string
		wantValue, wantKey    string
	}{
		{"EEA", `{"client_ip":"89.160.20.112"}`, "from 89.160.20.112", eea, "SE", "EEA",
			`{"client_ip":"89.160.0.0","geo":{"country":"SE","jurisdiction":"EEA"}}`, "from 89.160.0.0"},
		{"UK", `{"client_ip":"81.2.69.142"}`, "", cleanTopic, "GB", "UK",
			`{"client_ip":"81.2.69.0","geo":{"country":"GB","jurisdiction":"UK"}}`, ""},
		{"unknown", `{"msg":"hi"}`, "", cleanTopic, "", "OTHER",
			`{"msg":"hi","geo":{"country":"","jurisdiction":"OTHER"}}`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := record.Record{Topic: rawTopic, Partition: 4, Value: []byte(tt.value)}
			if tt.key != "" {
				r.Key = []byte(tt.key)
			}
			res, c := decide(t, d, eng, r)
			if res.Kind != Clean {
				t.Fatalf("outcome %v %q", res.Kind, res.Reason)
			}
			got := []string{res.Out.Topic, outHeader(&res.Out, wire.HeaderGeoCountry), outHeader(&res.Out, wire.HeaderGeoJurisdiction), string(res.Out.Value), string(res.Out.Key)}
			want := []string{tt.topic, tt.country, tt.juris, tt.wantValue, tt.wantKey}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("topic, geo headers, value, key (-want +got):\n%s", diff)
			}
			if c.Topics[tt.topic] != 1 {
				t.Errorf("topic counts %v", c.Topics)
			}
		})
	}
	if want := []string{"89.160.20.112", "81.2.69.142"}; !cmp.Equal(loc.lookups, want) {
		t.Errorf("lookups %v, want %v: the full addresses, once each", loc.lookups, want)
	}

	res, _ := decide(t, newDecider(t, testOptions()), eng, record.Record{Topic: rawTopic, Value: []byte(`{"client_ip":"89.160.20.112"}`)})
	if _, ok := res.Out.Header(wire.HeaderGeoCountry); ok || res.Out.Topic != cleanTopic || string(res.Out.Value) != `{"client_ip":"89.160.20.0"}` {
		t.Errorf("without geo: topic %s value %s headers %v", res.Out.Topic, res.Out.Value, res.Out.Headers)
	}
}
