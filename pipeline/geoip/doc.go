// Package geoip maps a client IP address to the country a MaxMind-format
// database places it in, and a country to the jurisdiction whose privacy
// rules apply to it.
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
// [Jurisdictions] is the country table of the policy: the 30 EEA states map
// to "EEA", GB to "UK", US, CN and SG to themselves and every other country to
// "OTHER", with overrides.
//
// Neither type logs or exports an address or a country: metric labels are the
// fixed outcome names, and log lines name only the database path.
package geoip
