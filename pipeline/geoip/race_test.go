//go:build race

package geoip

// raceEnabled is true when the race detector is on.
const raceEnabled = true
