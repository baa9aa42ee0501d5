package service

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scrubd/scrubd/pipeline/config"
	"github.com/scrubd/scrubd/pipeline/geoip"
	"github.com/scrubd/scrubd/pipeline/kafka"
)

// openGeo opens the GeoIP database geoip.database names, or returns nil
// when it is empty. A missing or broken file is not an error: the reader
// warns, exports scrubd_geoip_database_loaded 0 and answers nothing until
// a good file appears, which it notices within geoip.poll_interval.
func openGeo(cfg *config.Config, log *slog.Logger, reg prometheus.Registerer) (*geoip.Reader, error) {
	if cfg.GeoIP.Database == "" {
		return nil, nil
	}
	r, err := geoip.Open(context.Background(), geoip.Options{
		Path: cfg.Resolve(cfg.GeoIP.Database), PollInterval: cfg.GeoIP.PollInterval.D(),
		Logger: log.With("component", "geoip"), Registerer: reg,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: geoip: %w", config.ErrInvalid, err)
	}
	return r, nil
}

// closeGeo stops the reader's reloading, if there is a reader.
func closeGeo(r *geoip.Reader, log *slog.Logger) {
	if r == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Close(ctx); err != nil {
		log.Warn("close geoip reader", "err", err)
	}
}

// checkKafka builds the Kafka client settings of the consumer and of the
// producer, so that settings sarama refuses (a TLS file that does not load,
// a combination it rejects) are an invalid configuration at the start, and
// in scrubd validate, rather than a failure once running.
func checkKafka(cfg *config.Config, txnID string) error {
	cc, err := kafka.Consumer(cfg, txnID)
	if err == nil {
		err = cc.Validate()
	}
	if err != nil {
		return fmt.Errorf("%w: kafka consumer settings: %w", config.ErrInvalid, err)
	}
	pc, err := kafka.Producer(cfg, txnID, cfg.Kafka.MaxMessageBytes)
	if err == nil {
		err = pc.Validate()
	}
	if err != nil {
		return fmt.Errorf("%w: kafka producer settings: %w", config.ErrInvalid, err)
	}
	return nil
}
