//go:build !passthrough

package service

// passthroughBuild is false in every build but the benchmark's
// (-tags passthrough, see passthrough_on.go).
const passthroughBuild = false
