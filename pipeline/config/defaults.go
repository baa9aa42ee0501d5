package config

import "time"

// Default returns the configuration used for every key a file leaves out.
// It is the one place defaults are written.
func Default() *Config {
	c := &Config{
		Kafka: Kafka{
			// No brokers: scrubd never guesses where Kafka is.
			Version:            "3.6.0",
			ClientID:           "scrubd",
			Group:              "scrubd",
			DialTimeout:        Duration(10 * time.Second),
			SessionTimeout:     Duration(30 * time.Second),
			RebalanceTimeout:   Duration(60 * time.Second),
			TransactionTimeout: Duration(60 * time.Second),
			FetchBytes:         512 << 10,
			// Fetch sizes count compressed bytes, and sarama holds a whole
			// response decompressed and decoded until its records are
			// processed: at 8 MiB an lz4 catch-up at 12 partitions peaked at
			// 130 to 190 MiB RSS, at 2 MiB 97 to 109 (docs/sizing.md).
			FetchMaxBytes:   2 << 20,
			ChannelBuffer:   64,
			Compression:     "none",
			MaxMessageBytes: 1_000_000,
		},
		Topics: Topics{
			Input:      []string{"logs.raw"},
			Clean:      "logs.clean",
			DeadLetter: "logs.dlq",
			Aggregates: "logs.aggregates",
			Vault:      "logs.vault",
			Create: TopicSettings{
				Partitions:            6,
				ReplicationFactor:     3,
				PersonalRetention:     Duration(7 * 24 * time.Hour),
				PseudonymousRetention: Duration(30 * 24 * time.Hour),
				AggregateRetention:    Duration(365 * 24 * time.Hour),
			},
		},
		HTTP: HTTP{
			Addr:         ":9790",
			ReadTimeout:  Duration(10 * time.Second),
			WriteTimeout: Duration(30 * time.Second),
			IdleTimeout:  Duration(2 * time.Minute),
		},
		Delivery: ExactlyOnce,
		Batch: Batch{
			MaxRecords:       2000,
			MaxBytes:         1 << 20,
			Linger:           Duration(100 * time.Millisecond),
			MaxInFlightBytes: 32 << 20,
		},
		Shutdown: Shutdown{Timeout: Duration(20 * time.Second)},
		Log:      Log{Level: "info", Format: "json"},
		GeoIP:    GeoIP{PollInterval: Duration(30 * time.Second)},
		Aggregates: Aggregates{
			Window:          Duration(time.Minute),
			AllowedLateness: Duration(30 * time.Second),
			FlushAfter:      Duration(time.Minute),
			K:               10,
			Dims:            []string{"event", "path", "method", "country", "jurisdiction", "browser", "os", "status"},
			MaxFuture:       Duration(10 * time.Minute),
			MaxBuckets:      20_000,
			UACacheSize:     4096,
		},
	}
	defaultRights(c)
	return c
}
