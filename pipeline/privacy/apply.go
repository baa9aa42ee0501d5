package privacy

import (
	"slices"
	"time"
)

// Record is one record of the privacy topic.
type Record struct {
	// Key is the record key; nil when the record has none.
	Key []byte
	// Value is the request; nil for a tombstone.
	Value []byte
	// Partition and Offset place the record.
	Partition int32
	Offset    int64
	// Timestamp is the record's time (create or log append time); zero
	// when unknown.
	Timestamp time.Time
	// Replay marks a record read while catching up at start: its request
	// was already in force before, so no lag is measured for it.
	Replay bool
}

// Event describes what applying a record did to one subject.
type Event struct {
	// Partition and Offset place the record.
	Partition int32
	Offset    int64
	// Action is the record's request action; empty for a tombstone or a
	// rejected request, which withdraw what the record's key held.
	Action Action
	// Time is the request time: its ts, or the record's time; for a
	// tombstone or a rejected request, the record's time.
	Time time.Time
	// Before and After are the subject's effective action before and
	// after the record; Restore means not suppressed.
	Before, After Action
	// Pseudonyms are the subject's pseudonyms under every key, for every
	// pseudonym type of its request type: the keys of its vault entries.
	Pseudonyms []string
	// Replay is Record.Replay.
	Replay bool
}

// Changed reports whether the subject's effective action changed.
func (e *Event) Changed() bool { return e.Before != e.After }

// Erased reports whether the subject has just become erased: its vault
// entries must now be erased too.
func (e *Event) Erased() bool { return e.After == Erase && e.Before != Erase }

// Apply applies one record of the privacy topic and returns what it did to
// the subjects concerned: usually one event, two when the record's key held
// a request for another subject, none when nothing was held and the record
// is a tombstone. A rejected request is reported as a *RequestError, after
// it has been applied as a tombstone for its key (which is what compaction
// will make of the key's earlier request anyway).
func (s *Set) Apply(r Record) ([]Event, error) {
	tk := s.hashKey(&r)
	var req Request
	var err error
	if r.Value != nil {
		req, err = ParseRequest(r.Value, s.types)
	}
	var at time.Time
	var keys []pkey
	if err == nil && r.Value != nil {
		at = req.TS
		hasTime := r.Timestamp.Unix() > 0
		switch {
		case at.IsZero() && hasTime:
			at = r.Timestamp
		case at.IsZero():
			at = s.now()
		case hasTime && at.After(r.Timestamp.Add(s.skew)):
			err = &RequestError{Reason: ReasonFutureTS, Pos: -1, Detail: "ts is later than the record's time plus " + s.skew.String()}
		}
	}
	if err == nil && r.Value != nil {
		keys, err = s.pseudonymKeys(&req)
	}
	req.Wipe()

	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() { s.m.held.Set(float64(len(s.table))) }()
	old := s.table[tk]
	valid := err == nil && r.Value != nil
	if valid && old != nil && old.subj.keys[0] == keys[0] {
		// The key held a request for the same subject: replace it.
		subj := old.subj
		before := subj.effective
		old.action, old.at, old.part, old.off = req.Action, at, r.Partition, r.Offset
		s.settle(subj, r.Replay)
		return []Event{s.event(subj, r, req.Action, at, before)}, nil
	}
	var events []Event
	if old != nil {
		delete(s.table, tk)
		events = append(events, s.detach(old, r))
	}
	if !valid {
		return events, err
	}
	subj := s.subjects[keys[0]]
	if subj == nil {
		subj = &subject{keys: keys, effective: Restore}
		s.subjects[keys[0]] = subj
	}
	e := &entry{subj: subj, action: req.Action, at: at, part: r.Partition, off: r.Offset}
	s.table[tk] = e
	before := subj.effective
	subj.entries = append(subj.entries, e)
	s.settle(subj, r.Replay)
	return append(events, s.event(subj, r, req.Action, at, before)), nil
}

// pseudonymKeys computes the pkeys of req's subject.
func (s *Set) pseudonymKeys(req *Request) ([]pkey, error) {
	pts := s.types[req.Type]
	if req.Subject == nil {
		return s.givenKeys(pts, req.Pseudonyms)
	}
	keys := make([]pkey, 0, len(pts)*len(s.kids))
	err := eachPseudonym(s.keys, pts, req.Subject, func(i int, kid string, p []byte) {
		if k, ok := parseKey(s.ptypes, s.kids, pts[i], p); ok {
			keys = append(keys, k)
		}
	})
	if err == nil && len(keys) != len(pts)*len(s.kids) {
		err = &RequestError{Reason: ReasonBadSubject, Pos: -1, Detail: "pseudonyms could not be made"}
	}
	return keys, err
}

// givenKeys returns the pkeys of a pseudonym-only request in the order
// pseudonymKeys makes them for a raw subject (pseudonym type of the
// request type, then key id), so that both forms of a request about one
// subject name the same subject (its first pkey). Pseudonyms under keys
// the keyring no longer holds are left out; at least one must remain.
// Keys added to the keyring after the request was written have no
// pseudonym in it: records pseudonymized under them are not matched.
func (s *Set) givenKeys(pts []string, given []string) ([]pkey, error) {
	keys := make([]pkey, 0, len(given))
	for _, p := range given {
		for _, pt := range pts {
			if k, ok := parseKey(s.ptypes, s.kids, pt, []byte(p)); ok {
				keys = append(keys, k)
				break
			}
		}
	}
	if len(keys) == 0 {
		return nil, &RequestError{Reason: ReasonBadSubject, Pos: -1, Detail: "no pseudonym is under a key of the keyring"}
	}
	rank := func(k pkey) int { return slices.Index(pts, s.ptypes[k.typ])<<8 | int(k.kid) }
	slices.SortFunc(keys, func(a, b pkey) int { return rank(a) - rank(b) })
	keys = slices.Compact(keys)
	if len(keys) < len(pts)*len(s.kids) {
		s.m.partialKeys.Inc()
	}
	return keys, nil
}

// detach removes e, which the record r withdraws, from its subject and
// reports the event.
func (s *Set) detach(e *entry, r Record) Event {
	subj := e.subj
	before := subj.effective
	if i := slices.Index(subj.entries, e); i >= 0 {
		subj.entries = slices.Delete(subj.entries, i, i+1)
	}
	s.settle(subj, r.Replay)
	if len(subj.entries) == 0 {
		delete(s.subjects, subj.keys[0])
	}
	return s.event(subj, r, "", r.Timestamp, before)
}

// settle recomputes subj's effective action from its entries and updates
// the lookup map and metrics.
func (s *Set) settle(subj *subject, replay bool) {
	var win *entry
	for _, e := range subj.entries {
		if win == nil || e.after(win) {
			win = e
		}
	}
	eff, since := Restore, time.Time{}
	if win != nil {
		eff, since = win.action, win.at
	}
	if eff == subj.effective && since.Equal(subj.since) {
		return
	}
	was := subj.effective
	if was.Suppresses() {
		s.m.subjects[was.rank()].Dec()
		if !eff.Suppresses() {
			s.unblock(subj)
		}
	}
	if eff.Suppresses() {
		s.m.subjects[eff.rank()].Inc()
		if !was.Suppresses() {
			s.block(subj)
		}
	}
	subj.effective, subj.since = eff, since
	// The lag to the first suppressed record is measured for requests
	// read live, not for those in force before the start.
	subj.hit.Store(replay)
	if eff != was {
		s.gen.Add(1)
	}
}

func (s *Set) block(subj *subject) {
	for _, k := range subj.keys {
		s.blocked[k] = append(s.blocked[k], subj)
	}
	s.nblocked.Store(int64(len(s.blocked)))
}

func (s *Set) unblock(subj *subject) {
	for _, k := range subj.keys {
		list := s.blocked[k]
		if i := slices.Index(list, subj); i >= 0 {
			list = slices.Delete(list, i, i+1)
		}
		if len(list) == 0 {
			delete(s.blocked, k)
		} else {
			s.blocked[k] = list
		}
	}
	s.nblocked.Store(int64(len(s.blocked)))
}

// event describes subj after applying r.
func (s *Set) event(subj *subject, r Record, a Action, at time.Time, before Action) Event {
	ps := make([]string, len(subj.keys))
	for i, k := range subj.keys {
		ps[i] = k.format(s.ptypes, s.kids)
	}
	return Event{
		Partition: r.Partition, Offset: r.Offset, Action: a, Time: at,
		Before: before, After: subj.effective, Pseudonyms: ps, Replay: r.Replay,
	}
}
