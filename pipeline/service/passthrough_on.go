//go:build passthrough

package service

// passthroughBuild is true in a build with -tags passthrough: records are
// copied to the clean topic unscrubbed, for the end-to-end benchmark
// (bench/e2e) that compares the Kafka loop with and without scrubbing.
const passthroughBuild = true
