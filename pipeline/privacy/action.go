package privacy

// Action is what a privacy request asks for.
type Action string

// The actions of privacy requests. Every action but Restore suppresses the
// subject's records: they no longer reach the clean, residency or aggregate
// outputs. Restore lifts an earlier request.
const (
	WithdrawConsent Action = "withdraw_consent"
	Restrict        Action = "restrict"
	Erase           Action = "erase"
	Restore         Action = "restore"
)

// actions lists the actions from the weakest to the strongest: when two
// requests for one subject bear the same time, or a record has several
// suppressed subjects, the stronger one counts.
var actions = [...]Action{Restore, WithdrawConsent, Restrict, Erase}

// Actions lists every action, for metrics whose label values are known in
// advance.
func Actions() []Action { return append([]Action(nil), actions[:]...) }

// Suppresses reports whether the action keeps the subject's records out of
// the outputs.
func (a Action) Suppresses() bool { return a.rank() > 0 }

// rank orders the actions by strength; -1 for an unknown action.
func (a Action) rank() int {
	for i, x := range actions {
		if x == a {
			return i
		}
	}
	return -1
}
