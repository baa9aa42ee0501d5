package config

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/scrubd/scrubd/pipeline/aggregate"
	"github.com/scrubd/scrubd/rules"
)

// validateOutputs checks the residency and aggregates topics: each is a
// topic of its own, neither an input nor another output.
func (c *Config) validateOutputs(add func(path, format string, args ...any)) {
	t := c.Topics
	// The clean and dead-letter topics are checked by Validate itself.
	used := map[string]string{t.DeadLetter: "topics.dead_letter", t.Clean: "topics.clean"}
	claim := func(path, name string) {
		if name == "" {
			return
		}
		if slices.Contains(t.Input, name) {
			add(path, "%q is also an input topic", name)
		}
		if other, ok := used[name]; ok {
			add(path, "%q is also %s", name, other)
			return
		}
		used[name] = path
	}
	if c.Aggregates.Enabled {
		claim("topics.aggregates", t.Aggregates)
		claim("topics.aggregates_changelog", c.ChangelogTopic())
	}
	for _, j := range slices.Sorted(maps.Keys(t.Residency)) {
		path := fmt.Sprintf("topics.residency.%s", j)
		if !rules.ValidJurisdiction(j) {
			add(path, "%q is not a jurisdiction name ([A-Z][A-Z0-9_]*, at most 32 characters)", j)
		}
		if t.Residency[j] == "" {
			add(path, "must not be empty")
			continue
		}
		claim(path, t.Residency[j])
	}
}

// validateAggregates checks the aggregates section when it is enabled.
// With delivery at_least_once aggregates are off (the pipeline warns):
// their state is checkpointed in the transactions of exactly_once.
func (c *Config) validateAggregates(add func(path, format string, args ...any)) {
	a := c.Aggregates
	if !a.Enabled {
		return
	}
	if c.Topics.Aggregates == "" {
		add("topics.aggregates", "required when aggregates are enabled")
	}
	if a.Window.D() < time.Second {
		add("aggregates.window", "must be at least 1s")
	}
	if a.AllowedLateness < 0 {
		add("aggregates.allowed_lateness", "must not be negative")
	}
	if a.FlushAfter <= 0 {
		add("aggregates.flush_after", "must be positive")
	}
	if a.K < 1 {
		add("aggregates.k", "must be at least 1")
	}
	if _, err := aggregate.ParseDims(a.Dims); err != nil {
		add("aggregates.dims", "%v", err)
	}
	if _, err := aggregate.NewTimeParser(a.TimestampFormats); err != nil {
		add("aggregates.timestamp_formats", "%v", err)
	}
	if a.MaxFuture < 0 {
		add("aggregates.max_future", "must not be negative")
	}
	if a.MaxBuckets < 1 {
		add("aggregates.max_buckets", "must be at least 1")
	}
	if a.UACacheSize < 1 {
		add("aggregates.ua_cache_size", "must be at least 1")
	}
}
