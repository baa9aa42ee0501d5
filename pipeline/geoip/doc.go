// Package geoip maps a client IP address to the country a MaxMind-format
// database places it in.
//
// A [Reader] holds one database in memory and answers [Reader.Lookup] without
// locks or allocations. It never looks up private, loopback, link-local,
// multicast, documentation or otherwise special-purpose addresses: those are
// reported as [OutcomeSkipped] whatever the database says about them. The
// Reader polls the database file and swaps in a new copy when the file
// changes on disk (geoipupdate's rename, a Kubernetes ConfigMap or Secret
// symlink swap, or an in-place rewrite). A missing or broken file never
// stops the process: geo is disabled ([OutcomeDisabled]) with a warning and a
// metric until a valid file appears, and a broken replacement of a good file
// keeps the good one in service.
//
// The jurisdiction of a country is not this package's business: the
// policy's country table (rules.Engine.Jurisdiction) decides it, so that
// one table, editable in the policy, serves profiles, residency and
// aggregates.
//
// The Reader never logs or exports an address or a country: metric labels
// are the fixed outcome names, and log lines name only the database path.
package geoip
