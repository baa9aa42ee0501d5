// Package race tells tests whether the race detector is on, for the few
// tests that cannot run under it (allocation counts, bugs in dependencies).
package race
