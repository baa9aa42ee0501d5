package pipeline

import (
	"sync/atomic"

	"github.com/scrubd/scrubd/rules"
)

// PolicySource supplies the engine in force, for policy hot reload;
// *reload.Reloader implements it.
type PolicySource interface {
	Current() *rules.Engine
}

// policyView is the policy one batch is scrubbed with: every record of a
// batch uses the same one, so that a reload takes effect between batches
// and no record is scrubbed half under the old policy and half under the
// new.
type policyView struct {
	scrub  Scrubber
	prof   Profiles // nil when the Scrubber has no jurisdiction profiles
	policy []byte   // the version, for the scrubd-policy header
}

func newView(s Scrubber) *policyView {
	v := &policyView{scrub: s, policy: []byte(s.Version())}
	v.prof, _ = s.(Profiles)
	return v
}

// views hands out the current policy view: a fixed one, or the source's
// engine in force, made into a view once per engine.
type views struct {
	source PolicySource
	last   atomic.Pointer[policyView]
}

func newViews(fixed Scrubber, source PolicySource) *views {
	vs := &views{source: source}
	if source != nil {
		vs.last.Store(newView(source.Current()))
	} else {
		vs.last.Store(newView(fixed))
	}
	return vs
}

// current returns the view to scrub a new batch with.
func (vs *views) current() *policyView {
	v := vs.last.Load()
	if vs.source == nil {
		return v
	}
	if e := vs.source.Current(); v.scrub != Scrubber(e) {
		v = newView(e)
		vs.last.Store(v)
	}
	return v
}
