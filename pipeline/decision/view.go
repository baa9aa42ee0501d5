package decision

import (
	"sync/atomic"

	"github.com/scrubd/scrubd/rules"
)

// Scrubber is the part of a policy engine a Decider uses; *rules.Engine
// implements it. Implementations must be safe for concurrent use.
type Scrubber interface {
	// Scrub appends the scrubbed record to dst; see rules.Engine.Scrub.
	Scrub(dst, rec []byte, res *rules.Result) ([]byte, error)
	// ScrubText appends the scrubbed free text to dst; see
	// rules.Engine.ScrubText. Aggregates scrub their dimensions with it.
	ScrubText(dst, text []byte, res *rules.Result) ([]byte, error)
	// ScrubKey appends the scrubbed record key to dst; nothing appended
	// means no key. See rules.Engine.ScrubKey.
	ScrubKey(dst, key []byte, res *rules.Result) ([]byte, error)
	// ScrubHeader scrubs one record header; ok false leaves it out. See
	// rules.Engine.ScrubHeader.
	ScrubHeader(h rules.Header, res *rules.Result) (out rules.Header, ok bool, err error)
	// Version is the policy version written in every output's headers.
	Version() string
}

// PolicySource supplies the engine in force, for policy hot reload;
// *reload.Reloader implements it.
type PolicySource interface {
	Current() *rules.Engine
}

// View is the policy a batch of records is scrubbed with: every record of
// a batch uses the same one, so that a reload takes effect between batches
// and no record is scrubbed half under the old policy and half under the
// new.
type View struct {
	scrub  Scrubber
	prof   Profiles // nil when the Scrubber has no jurisdiction profiles
	policy []byte   // the version, for the scrubd-policy header
}

// NewView returns the view of one Scrubber.
func NewView(s Scrubber) *View {
	v := &View{scrub: s, policy: []byte(s.Version())}
	v.prof, _ = s.(Profiles)
	return v
}

// Policy returns the policy version of the view, as written in the
// scrubd-policy header. The caller must not modify it.
func (v *View) Policy() []byte { return v.policy }

// Views hands out the current policy view: a fixed one, or the source's
// engine in force, made into a view once per engine. It is safe for
// concurrent use.
type Views struct {
	source PolicySource
	last   atomic.Pointer[View]
}

// NewViews returns the views of source, or of fixed when source is nil.
func NewViews(fixed Scrubber, source PolicySource) *Views {
	vs := &Views{source: source}
	if source != nil {
		vs.last.Store(NewView(source.Current()))
	} else {
		vs.last.Store(NewView(fixed))
	}
	return vs
}

// Current returns the view to scrub a new batch with.
func (vs *Views) Current() *View {
	v := vs.last.Load()
	if vs.source == nil {
		return v
	}
	if e := vs.source.Current(); v.scrub != Scrubber(e) {
		v = NewView(e)
		vs.last.Store(v)
	}
	return v
}
