package vault

import "errors"

// Errors a caller may branch on.
var (
	// ErrNoMasterKey reports a data key wrapped under a master key that is
	// not loaded.
	ErrNoMasterKey = errors.New("master key not loaded")
	// ErrAuth reports a ciphertext that does not authenticate: the wrong
	// key, a record moved to another key or tampered with.
	ErrAuth = errors.New("ciphertext does not authenticate")
	// ErrMalformed reports a record that is not a vault record.
	ErrMalformed = errors.New("malformed vault record")
)

// malformedError is ErrMalformed with a fixed description.
type malformedError string

func (e malformedError) Error() string { return "malformed vault record: " + string(e) }

func (e malformedError) Unwrap() error { return ErrMalformed }

func errMalformed(detail string) error { return malformedError(detail) }
