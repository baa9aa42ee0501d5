// Package linescrub scrubs records one per line, as `scrubd scrub` does:
// lines are cut into chunks, scrubbed by several goroutines and written in
// input order, one output line per input line. A record that cannot be
// scrubbed fails closed: its output line is empty.
package linescrub

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/scrubd/scrubd/pipeline/discover"
	"github.com/scrubd/scrubd/rules"
)

// OpenInputs opens the files named, "-" being standard input, which is
// also the input when none is named. closeAll closes what was opened.
func OpenInputs(names []string, stdin io.Reader) (inputs []Input, closeAll func(), err error) {
	var files []*os.File
	closeAll = func() {
		for _, f := range files {
			f.Close()
		}
	}
	if len(names) == 0 {
		names = []string{"-"}
	}
	for _, name := range names {
		if name == "-" {
			inputs = append(inputs, Input{name: "standard input", r: stdin})
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return nil, closeAll, err
		}
		files = append(files, f)
		inputs = append(inputs, Input{name: name, r: f})
	}
	return inputs, closeAll, nil
}

// A Scrubber runs the engine over lines on several goroutines and writes
// the results in input order.
type Scrubber struct {
	engine   *rules.Engine
	findings bool
	workers  int
	stderr   io.Writer
	// chunks recycles chunks and their buffers once written.
	chunks sync.Pool
	stats  *stats // nil without --stats
}

// An Input is a file or standard input.
type Input struct {
	name string
	r    io.Reader
}

// A chunk is a run of consecutive input lines, scrubbed by one worker.
type chunk struct {
	first int    // line number of the first line, 1-based
	data  []byte // the records, back to back, each with its line end if it had one
	ends  []int  // end offset of each record in data; -1 for a line too long
	big   []bigLine
	out   []byte
	fails []string // messages for records that failed closed
	done  chan struct{}
}

// A bigLine is a line that was too long to keep.
type bigLine struct {
	n    int  // its length
	crlf bool // it ended with "\r\n"
}

const (
	chunkLines = 512
	chunkBytes = 512 << 10
)

// Options are the settings of a Scrubber.
type Options struct {
	// Findings writes the findings of each line as JSON instead of the
	// scrubbed line.
	Findings bool
	// Workers is the number of scrubbing goroutines, at least 1.
	Workers int
	// Stats tallies the findings by field and type for WriteStats and
	// shows progress on stderr when it is a terminal.
	Stats bool
}

// New returns a Scrubber of lines with e that reports the records failing
// closed, and progress with Options.Stats, on stderr.
func New(e *rules.Engine, o Options, stderr io.Writer) *Scrubber {
	s := &Scrubber{engine: e, findings: o.Findings, workers: o.Workers, stderr: stderr}
	if o.Stats {
		s.stats = newStats(e, stderr)
	}
	return s
}

// Run scrubs the lines of the inputs, one after the other, and writes the
// output lines to w in input order. It returns the number of records that
// failed closed (each reported on stderr) and the first read or write error.
func (s *Scrubber) Run(ctx context.Context, inputs []Input, w io.Writer) (failed int, err error) {
	work := make(chan *chunk, s.workers)
	order := make(chan *chunk, 2*s.workers)
	var wg sync.WaitGroup
	for range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var res rules.Result
			ses := s.engine.NewSession()
			t := s.stats.tally()
			res.Locate = t != nil
			for c := range work {
				s.scrubChunk(ses, c, &res, t)
				close(c.done)
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(work)
		readErr <- s.readAll(ctx, inputs, work, order)
	}()
	for c := range order {
		<-c.done
		for _, m := range c.fails {
			fmt.Fprintln(s.stderr, "scrubd scrub:", m)
		}
		failed += len(c.fails)
		s.stats.written(c)
		if err == nil {
			if _, werr := w.Write(c.out); werr != nil {
				err = fmt.Errorf("write output: %w", werr)
			}
		}
		s.chunks.Put(c)
	}
	wg.Wait()
	if rerr := <-readErr; err == nil {
		err = rerr
	}
	return failed, err
}

// readAll splits the inputs, one after the other, into chunks of lines. The
// last line of an input ends at the input's end, line end or not, so that
// it is never joined to the first line of the next.
func (s *Scrubber) readAll(ctx context.Context, inputs []Input, work, order chan<- *chunk) error {
	k := &chunker{s: s, work: work, order: order, limit: s.engine.MaxRecordBytes(), line: 1}
	k.c = s.newChunk(1)
	defer k.flush()
	for _, in := range inputs {
		if err := s.readInput(ctx, k, in); err != nil {
			return err
		}
	}
	return nil
}

// readInput reads the lines of in into k, decompressing it when it is gzip
// or zstd data.
func (s *Scrubber) readInput(ctx context.Context, k *chunker, in Input) error {
	r, closeR, err := Decompress(in.r)
	if err != nil {
		return fmt.Errorf("read %s: %w", in.name, err)
	}
	defer closeR()
	if err := s.read(ctx, k, r); err != nil {
		return fmt.Errorf("read %s: %w", in.name, err)
	}
	return nil
}

// Magic numbers of the compressed inputs read transparently.
const (
	gzipMagic = "\x1f\x8b"
	zstdMagic = "\x28\xb5\x2f\xfd"
)

// zstdMaxWindow bounds the memory a zstd input may ask for: 128 MiB, the
// window of zstd --long.
const zstdMaxWindow = 128 << 20

// Decompress returns r, or a reader of its decompressed content when it
// starts with the magic number of gzip or zstd: compressed input is
// recognised by its content, whatever the file is called, on standard input
// as in files. Concatenated gzip members and zstd frames are read one after
// the other. release frees the decompressor.
func Decompress(r io.Reader) (_ io.Reader, release func(), _ error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(len(zstdMagic)) // a short input is not compressed
	switch {
	case bytes.HasPrefix(head, []byte(gzipMagic)):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, err // "gzip: invalid header"
		}
		return zr, func() { zr.Close() }, nil
	case bytes.HasPrefix(head, []byte(zstdMagic)):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(zstdMaxWindow))
		if err != nil {
			return nil, nil, fmt.Errorf("zstd: %w", err)
		}
		return zr, zr.Close, nil
	}
	return br, func() {}, nil
}

// read splits r into lines and adds them to k. A line longer than the
// engine's record limit is not kept in memory: it is skipped up to its
// newline and reported as too large. The last line ends at the end of r.
func (s *Scrubber) read(ctx context.Context, k *chunker, r io.Reader) error {
	limit := k.limit
	// The buffer holds many lines, whatever the limit, so that most are
	// taken from it in blocks.
	br := bufio.NewReaderSize(r, min(max(limit+2, 64<<10), 1<<20))
	var long []byte // a line longer than the reader's buffer, assembled
	tooLong, skipped := false, 0
	var last byte // the last byte of the previous fragment of a long line
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(long) == 0 && !tooLong && br.Buffered() > 0 {
			// The complete lines already buffered are taken in one go:
			// a call and a copy per block rather than per line.
			buf, _ := br.Peek(br.Buffered())
			if n := bytes.LastIndexByte(buf, '\n') + 1; n > 0 {
				k.addBlock(buf[:n])
				if _, err := br.Discard(n); err != nil {
					return err
				}
				continue
			}
		}
		frag, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			last = frag[len(frag)-1]
			switch {
			case tooLong:
				skipped += len(frag)
			case len(long)+len(frag) > limit:
				tooLong, skipped = true, len(long)+len(frag)
				long = long[:0]
			default:
				long = append(long, frag...)
			}
			continue
		}
		if len(frag) > 0 || len(long) > 0 || tooLong {
			rec := frag
			if len(long) > 0 {
				long = append(long, frag...)
				rec = long
			}
			if tooLong {
				crlf := bytes.HasSuffix(frag, []byte("\r\n")) || len(frag) == 1 && frag[0] == '\n' && last == '\r'
				k.addTooLong(skipped+len(frag), crlf)
			} else {
				k.addLine(rec)
			}
			long, tooLong, skipped, last = long[:0], false, 0, 0
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// A chunker gathers lines into chunks and hands each full chunk to the
// workers and to the writer, in order.
type chunker struct {
	s           *Scrubber
	work, order chan<- *chunk
	limit       int    // the engine's record limit
	c           *chunk // the chunk being filled
	line        int    // the number of the next line
}

// flush hands over the current chunk, if it holds a line, and starts the next.
func (k *chunker) flush() {
	if len(k.c.ends) == 0 {
		return
	}
	k.order <- k.c
	k.work <- k.c
	k.c = k.s.newChunk(k.line)
}

// full reports whether the current chunk is full once pending more bytes
// are added to it.
func (k *chunker) full(pending int) bool {
	return len(k.c.ends) >= chunkLines || len(k.c.data)+pending >= chunkBytes
}

// addLine adds one line, with or without its line end.
func (k *chunker) addLine(rec []byte) {
	if n := len(trimEOL(rec)); n > k.limit {
		k.addTooLong(n, len(rec)-n == 2)
		return
	}
	k.c.add(rec)
	k.ended()
}

// addTooLong adds a line of n bytes that was too long to keep; crlf says
// that it ended with "\r\n".
func (k *chunker) addTooLong(n int, crlf bool) {
	k.c.addBig(n, crlf)
	k.ended()
}

// ended counts a line added and hands the chunk over when it is full.
func (k *chunker) ended() {
	k.line++
	if k.full(0) {
		k.flush()
	}
}

// addBlock adds the lines of buf, which ends with a line end, copying runs
// of them into the chunk whole: their ends stay in the data.
func (k *chunker) addBlock(buf []byte) {
	run := 0 // start of the lines of buf not yet copied into the chunk
	for i := 0; i < len(buf); {
		j := i + bytes.IndexByte(buf[i:], '\n') + 1
		if n := len(trimEOL(buf[i:j])); n > k.limit {
			k.c.data = append(k.c.data, buf[run:i]...)
			k.c.addBig(n, j-i-n == 2)
			run = j
		} else {
			k.c.ends = append(k.c.ends, len(k.c.data)+j-run)
		}
		i = j
		k.line++
		if k.full(i - run) {
			k.c.data = append(k.c.data, buf[run:i]...)
			run = i
			k.flush()
		}
	}
	k.c.data = append(k.c.data, buf[run:]...)
}

// newChunk returns an empty chunk, reusing the buffers of a written one.
func (s *Scrubber) newChunk(first int) *chunk {
	c, _ := s.chunks.Get().(*chunk)
	if c == nil {
		c = &chunk{data: make([]byte, 0, chunkBytes+chunkBytes/4), out: make([]byte, 0, chunkBytes+chunkBytes/2)}
	}
	c.first = first
	c.data, c.out = c.data[:0], c.out[:0]
	c.ends, c.big, c.fails = c.ends[:0], c.big[:0], c.fails[:0]
	c.done = make(chan struct{})
	return c
}

// add appends a record to the chunk.
func (c *chunk) add(rec []byte) {
	c.data = append(c.data, rec...)
	c.ends = append(c.ends, len(c.data))
}

// addBig records a line that was too long to keep, by its length and line
// end.
func (c *chunk) addBig(n int, crlf bool) {
	c.ends = append(c.ends, -1)
	c.big = append(c.big, bigLine{n: n, crlf: crlf})
}

// trimEOL returns b without its line end, "\n" or "\r\n". A carriage
// return without a line feed after it is part of the line.
func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// scrubChunk scrubs the lines of c into c.out with ses. A scrubbed line
// ends as its input line did, with "\r\n" or "\n" ("\n" for the last line
// of an input without a line end); a --findings line ends with "\n".
// With --stats, t tallies the findings.
func (s *Scrubber) scrubChunk(ses *rules.Session, c *chunk, res *rules.Result, t *discover.Tally) {
	big, start := 0, 0
	for i, end := range c.ends {
		lineNo := c.first + i
		if end < 0 {
			b := c.big[big]
			big++
			err := s.engine.TooLargeError(b.n)
			if t != nil {
				t.Fail(err)
			}
			c.fail(lineNo, err)
			c.out = s.failedLine(c.out, err, b.crlf)
			continue
		}
		rec := c.data[start:end]
		l := trimEOL(rec)
		crlf := len(rec)-len(l) == 2
		start = end
		mark := len(c.out)
		out, err := ses.Scrub(c.out, l, res)
		if t != nil {
			t.Record(int64(lineNo), l, res, err)
		}
		if err != nil {
			c.out = out[:mark]
			c.fail(lineNo, err)
			c.out = s.failedLine(c.out, err, crlf)
			continue
		}
		if s.findings {
			c.out = appendFindings(out[:mark], res)
		} else {
			c.out = out
		}
		c.out = s.lineEnd(c.out, crlf)
	}
}

// lineEnd appends the end of an output line: "\r\n" when the input line
// had it, unless the output is --findings.
func (s *Scrubber) lineEnd(dst []byte, crlf bool) []byte {
	if crlf && !s.findings {
		dst = append(dst, '\r')
	}
	return append(dst, '\n')
}

func (c *chunk) fail(line int, err error) {
	c.fails = append(c.fails, "line "+strconv.Itoa(line)+": "+err.Error())
}

// failedLine writes the output line of a record that failed closed: empty,
// or in --findings mode an object naming the reason.
func (s *Scrubber) failedLine(dst []byte, err error, crlf bool) []byte {
	if s.findings {
		dst = append(dst, `{"findings":null,"error":"`...)
		dst = append(dst, rules.ReasonOf(err)...)
		dst = append(dst, `"}`...)
	}
	return s.lineEnd(dst, crlf)
}

// appendFindings writes the --findings form of res:
// {"findings":[{"type":"ipv4","start":12,"end":24}]}. Dropped records add
// "dropped":true.
func appendFindings(dst []byte, res *rules.Result) []byte {
	dst = append(dst, `{"findings":[`...)
	for i, f := range res.Findings {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"type":`...)
		dst = strconv.AppendQuote(dst, string(f.Type))
		dst = append(dst, `,"start":`...)
		dst = strconv.AppendInt(dst, int64(f.Start), 10)
		dst = append(dst, `,"end":`...)
		dst = strconv.AppendInt(dst, int64(f.End), 10)
		dst = append(dst, '}')
	}
	dst = append(dst, ']')
	if res.Dropped {
		dst = append(dst, `,"dropped":true`...)
	}
	return append(dst, '}')
}
