package decision

import (
	"time"

	"github.com/scrubd/scrubd/pipeline/aggregate"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/pipeline/shadow"
	"github.com/scrubd/scrubd/rules"
)

// Suppressor is the privacy stage: it says whether the subjects found in a
// record include one whose records must not be processed (consent
// withdrawn, restriction or erasure asked for). It must be safe for
// concurrent use.
type Suppressor interface {
	Suppressed(res *rules.Result) bool
}

// Vault is the identity-vault stage of one input partition: it makes the
// vault records of the subjects whose original values res holds, and
// forgets them again when the record they were made for is not produced
// after all. A Vault is used by one goroutine; see vault.Writer.
type Vault interface {
	// Append appends the vault records of the subjects of res not written
	// yet; an error leaves dst as it was and dead-letters the record.
	Append(dst []record.Record, res *rules.Result) ([]record.Record, error)
	// Discard forgets records that Append returned and that will not be
	// produced, so that the next record of their subjects writes them
	// again.
	Discard(recs []record.Record)
}

// Shadow is the shadow-mode stage: it scrubs every record with a candidate
// policy too and compares the outcomes; *shadow.Shadow implements it.
type Shadow interface {
	// Observe compares the candidate's outcome for rec with the active
	// policy's: its output (nil when it dropped or failed the record), its
	// result and its error.
	Observe(rec, activeOut []byte, active *rules.Result, activeErr error, sc *shadow.Scratch)
}

// Observer is the aggregates stage: it reads the counted dimensions of a
// record from the values the scrub extracted; *aggregate.Observer
// implements it.
type Observer interface {
	Observe(res *rules.Result, geo aggregate.Geo, fallback, now time.Time, s *aggregate.Scratch) aggregate.Observation
}

// aggStage decides which records the aggregates count and observes them.
type aggStage interface {
	// counts reports whether a record of a minor (or not) is counted.
	counts(minor bool) bool
	observe(res *rules.Result, geo aggregate.Geo, fallback, now time.Time, s *aggregate.Scratch) aggregate.Observation
}

type aggOn struct {
	obs    Observer
	minors bool // the policy lets minors' records be counted
}

func (a aggOn) counts(minor bool) bool { return !minor || a.minors }

func (a aggOn) observe(res *rules.Result, geo aggregate.Geo, fallback, now time.Time, s *aggregate.Scratch) aggregate.Observation {
	return a.obs.Observe(res, geo, fallback, now, s)
}

// aggOff counts nothing.
type aggOff struct{}

func (aggOff) counts(bool) bool { return false }

func (aggOff) observe(*rules.Result, aggregate.Geo, time.Time, time.Time, *aggregate.Scratch) aggregate.Observation {
	return aggregate.Observation{}
}

// noSuppression is the privacy stage when privacy requests are off.
type noSuppression struct{}

func (noSuppression) Suppressed(*rules.Result) bool { return false }

// noVault is the vault stage when the vault is off.
type noVault struct{}

func (noVault) Append(dst []record.Record, _ *rules.Result) ([]record.Record, error) { return dst, nil }
func (noVault) Discard([]record.Record)                                              {}

// noShadow is the shadow stage when shadow mode is off.
type noShadow struct{}

func (noShadow) Observe([]byte, []byte, *rules.Result, error, *shadow.Scratch) {}
