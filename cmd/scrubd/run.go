package main

import (
	"context"
	"fmt"
	"io"
)

// cmdRun runs the Kafka sidecar.
func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "scrubd run: not built yet")
	return exitFailed
}

// cmdDemo runs the pipeline on an embedded broker.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "scrubd demo: not built yet")
	return exitFailed
}

// cmdTopics creates the topics a configuration names.
func cmdTopics(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "scrubd topics: not built yet")
	return exitFailed
}
