package config

import (
	"errors"
	"fmt"

	"github.com/scrubd/scrubd/rules"
)

// Invalid marks err, when not nil, as an invalid configuration: wrapping
// ErrInvalid, the one sentinel every command maps to exit 78. A policy's
// validation error counts as one too.
func Invalid(err error) error {
	if err == nil || IsInvalid(err) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrInvalid, err)
}

// IsInvalid reports whether err is an invalid configuration: it wraps
// ErrInvalid, or a policy's validation error.
func IsInvalid(err error) bool {
	var pe *rules.ValidationError
	return errors.Is(err, ErrInvalid) || errors.As(err, &pe)
}
