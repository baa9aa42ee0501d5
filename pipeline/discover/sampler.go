package discover

import (
	"bufio"
	"bytes"
	"context"
	"io"

	"github.com/scrubd/scrubd/rules"
)

// A Sampler scrubs records with an engine, discarding the output, and
// tallies their findings, up to a limit. It is not safe for concurrent use.
type Sampler struct {
	e     *rules.Engine
	ses   *rules.Session
	res   rules.Result
	kres  rules.Result   // of a record key
	hres  []rules.Result // of a record's headers
	out   []byte
	tally *Tally
	limit int64 // records to read; 0 for all
	long  []byte
}

// NewSampler returns a Sampler that tallies up to limit records (all when
// limit is 0) scrubbed by e.
func NewSampler(e *rules.Engine, limit int64) *Sampler {
	s := &Sampler{e: e, ses: e.NewSession(), tally: New(e), limit: max(limit, 0)}
	s.res.Locate = true
	return s
}

// Tally returns the counts so far.
func (s *Sampler) Tally() *Tally { return s.tally }

// Full reports whether the sample holds its limit of records.
func (s *Sampler) Full() bool { return s.limit > 0 && s.tally.records >= s.limit }

// Record scrubs and tallies one record. A record that fails closed is
// counted by its reason.
func (s *Sampler) Record(rec []byte) {
	n := s.tally.records
	var err error
	s.out, err = s.ses.Scrub(s.out[:0], rec, &s.res)
	if err != nil {
		s.tally.Fail(err)
		return
	}
	s.tally.Add(n, rec, &s.res)
}

// Message scrubs and tallies a Kafka record: its value as Record does, its
// key and headers under the policy's key and header rules (counted at the
// places PlaceKey and PlaceHeader). A record whose key or header fails
// closed is counted as failed, as the pipeline would fail it.
func (s *Sampler) Message(key, value []byte, headers []rules.Header) {
	n := s.tally.records
	var err error
	s.out, err = s.ses.Scrub(s.out[:0], value, &s.res)
	if err == nil {
		s.out, err = s.e.ScrubKey(s.out[:0], key, &s.kres)
	}
	for i := 0; err == nil && i < len(headers); i++ {
		if i == len(s.hres) {
			s.hres = append(s.hres, rules.Result{})
		}
		_, _, err = s.e.ScrubHeader(headers[i], &s.hres[i])
	}
	if err != nil {
		s.tally.Fail(err)
		return
	}
	s.tally.Add(n, value, &s.res)
	s.tally.AddKey(n, key, &s.kres)
	for i, h := range headers {
		s.tally.AddHeader(n, h, &s.hres[i])
	}
}

// ReadLines tallies the lines of r, one record per line (without its line
// end), until r ends or the sample is full. A line longer than the engine's
// record limit is counted as failed closed, too large, without being kept
// in memory.
func (s *Sampler) ReadLines(ctx context.Context, r io.Reader) error {
	limit := s.e.MaxRecordBytes()
	br := bufio.NewReaderSize(r, 64<<10)
	tooLong := 0 // > 0: the length so far of a line being skipped
	for !s.Full() {
		if err := ctx.Err(); err != nil {
			return err
		}
		frag, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			switch {
			case tooLong > 0:
				tooLong += len(frag)
			case len(s.long)+len(frag) > limit:
				tooLong, s.long = len(s.long)+len(frag), s.long[:0]
			default:
				s.long = append(s.long, frag...)
			}
			continue
		}
		if len(frag) > 0 || len(s.long) > 0 || tooLong > 0 {
			s.line(frag, tooLong)
			tooLong = 0
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// line tallies the line that ends with frag, after the fragments gathered
// in s.long, or counts it as too large when tooLong bytes came before it.
func (s *Sampler) line(frag []byte, tooLong int) {
	rec := frag
	if len(s.long) > 0 {
		s.long = append(s.long, frag...)
		rec = s.long
	}
	rec = bytes.TrimSuffix(rec, []byte{'\n'})
	rec = bytes.TrimSuffix(rec, []byte{'\r'})
	switch {
	case tooLong > 0:
		s.tally.Fail(s.e.TooLargeError(tooLong + len(rec)))
	case len(rec) > s.e.MaxRecordBytes():
		s.tally.Fail(s.e.TooLargeError(len(rec)))
	default:
		s.Record(rec)
	}
	s.long = s.long[:0]
}

// Limit is the number of records the sample holds at most; 0: no limit.
func (s *Sampler) Limit() int64 { return s.limit }
