package detectors

import "errors"

func errorsIsTimeout(err error) bool { return errors.Is(err, ErrTimeout) }
