package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// SampleIdle is how long a partition may send nothing before Sample takes
// it as read: the last offsets below the high-water mark can be
// transaction markers, which a consumer never receives.
const SampleIdle = 3 * time.Second

// A SampleFrom says which records of each partition Sample reads.
type SampleFrom int

const (
	// SampleNewest reads the newest records of each partition.
	SampleNewest SampleFrom = iota
	// SampleOldest reads from each partition's oldest offset.
	SampleOldest
)

// Sample reads about n records of topic (all of them when n is 0),
// without joining a consumer group or committing offsets: a partition
// consumer per partition reads from the oldest offset or the newest
// records, n split evenly over the partitions, up to the high-water mark
// each partition had when Sample started. fn gets each record, on the
// calling goroutine; Sample stops after n of them, when every
// partition is read, or when ctx is done, and returns ctx's error only when
// it stopped early for it.
func Sample(ctx context.Context, client sarama.Client, topic string, n int, from SampleFrom, fn func(*sarama.ConsumerMessage)) error {
	parts, err := client.Partitions(topic)
	if err != nil {
		return fmt.Errorf("sample %s: %w", topic, err)
	}
	if len(parts) == 0 {
		return fmt.Errorf("sample %s: no partitions", topic)
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		return fmt.Errorf("sample %s: %w", topic, err)
	}
	defer consumer.Close()
	quota := int64(0)
	if n > 0 {
		quota = int64((n + len(parts) - 1) / len(parts))
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	values := make(chan *sarama.ConsumerMessage, 256)
	errs := make(chan error, len(parts))
	var wg sync.WaitGroup
	for _, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := samplePartition(ctx, client, consumer, topic, p, quota, from, values); err != nil {
				errs <- err
				cancel()
			}
		}()
	}
	go func() {
		wg.Wait()
		close(values)
	}()
	read := 0
	for v := range values {
		if n > 0 && read >= n {
			cancel() // enough: the rest is drained
			continue
		}
		fn(v)
		read++
	}
	close(errs)
	for err := range errs {
		if ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
			return err
		}
	}
	if n > 0 && read >= n {
		return nil
	}
	return parent.Err()
}

// samplePartition sends up to quota records of one partition (all when
// quota is 0) to values.
func samplePartition(ctx context.Context, client sarama.Client, consumer sarama.Consumer, topic string, p int32, quota int64, from SampleFrom, values chan<- *sarama.ConsumerMessage) error {
	oldest, err := client.GetOffset(topic, p, sarama.OffsetOldest)
	if err != nil {
		return fmt.Errorf("sample %s/%d: oldest offset: %w", topic, p, err)
	}
	end, err := client.GetOffset(topic, p, sarama.OffsetNewest)
	if err != nil {
		return fmt.Errorf("sample %s/%d: newest offset: %w", topic, p, err)
	}
	if end <= oldest {
		return nil // empty
	}
	start := oldest
	if from == SampleNewest && quota > 0 {
		start = max(oldest, end-quota)
	}
	pc, err := consumer.ConsumePartition(topic, p, start)
	if err != nil {
		return fmt.Errorf("sample %s/%d: %w", topic, p, err)
	}
	defer pc.AsyncClose()
	idle := time.NewTimer(SampleIdle)
	defer idle.Stop()
	for sent := int64(0); quota == 0 || sent < quota; {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-idle.C:
			return nil
		case m, ok := <-pc.Messages():
			if !ok {
				return nil
			}
			select {
			case values <- m:
			case <-ctx.Done():
				return ctx.Err()
			}
			sent++
			if m.Offset+1 >= end {
				return nil
			}
			idle.Reset(SampleIdle)
		case cerr, ok := <-pc.Errors():
			if ok {
				return fmt.Errorf("sample %s/%d: %w", topic, p, cerr.Err)
			}
		}
	}
	return nil
}
