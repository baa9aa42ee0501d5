//go:build !unix

package main

import "time"

// cpuTime returns 0: CPU time is measured on Unix systems only, and the
// per-CPU-second figures are then left out.
func cpuTime() time.Duration { return 0 }
