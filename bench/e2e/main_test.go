package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// TestProcReaders: the CPU time and peak RSS of this process are read from
// /proc, and grow from nothing.
func TestProcReaders(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	deadline := time.Now().Add(2 * time.Second)
	var cpu time.Duration
	for time.Now().Before(deadline) {
		if cpu, _ = cpuOf(os.Getpid()); cpu > 0 {
			break
		}
	}
	if cpu <= 0 {
		t.Errorf("cpuOf = %v after 2 s of work", cpu)
	}
	hwm, err := vmHWM(os.Getpid())
	if err != nil || hwm <= 0 {
		t.Errorf("vmHWM = %d, %v", hwm, err)
	}
}

// TestReport: medians per build and the ratio of their records per
// CPU-second.
func TestReport(t *testing.T) {
	rs := []result{
		{mode: "scrubbing", records: 100, cpu: time.Second, hwm: 1024},
		{mode: "passthrough", records: 200, cpu: time.Second, hwm: 2048},
		{mode: "scrubbing", records: 50, cpu: time.Second, hwm: 4096},
		{mode: "passthrough", records: 100, cpu: time.Second, hwm: 1024},
		{mode: "scrubbing", records: 90, cpu: time.Second, hwm: 2048},
		{mode: "passthrough", records: 180, cpu: time.Second, hwm: 1024},
	}
	var b bytes.Buffer
	report(&b, rs, 100)
	for _, want := range []string{"| scrubbing | 90 | 0.0 | 2.0 MiB, 4.0 MiB |", "| passthrough | 180 | 0.0 | 1.0 MiB, 2.0 MiB |", "scrubbing / passthrough: 0.50"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}
