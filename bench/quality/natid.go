package main

// National identification numbers: precision on system logs, whose numbers
// (pids, tids, ports, offsets, sizes, block ids, epoch timestamps, versions,
// hex ids, order ids) must never be taken for one.

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/scrubd/scrubd/bench/gen"
	"github.com/scrubd/scrubd/detectors"
)

// natSysLines is how many lines of each system-log kind evalNatIDLogs
// generates.
const natSysLines = 100000

// natSeed seeds the generated system logs; another seed gives a held-out
// set for a detector change tuned on the default one.
var natSeed = flag.Uint64("natid-seed", 7, "seed of the generated system logs for the national-id precision check")

// isNatID reports whether t is a national id type.
func isNatID(t detectors.Type) bool {
	for _, n := range detectors.NationalIDs {
		if n == t {
			return true
		}
	}
	return false
}

// evalNatIDLogs scans generated system logs, bench/gen's lines and the
// golden sample logs of cmd/scrubd, none of which holds a national id, and
// reports every national-id finding: each is a false positive.
func evalNatIDLogs(s *detectors.Scanner, root string, verbose bool) error {
	fmt.Println("national ids on system logs (every finding is a false positive):")
	var sources []logSource
	g := newSysLogGen(*natSeed)
	for _, k := range sysLogKinds {
		lines := make([][]byte, natSysLines)
		for i := range lines {
			lines[i] = g.line(k)
		}
		sources = append(sources, logSource{"generated " + k, lines})
	}
	gg := gen.New(*natSeed + 4)
	sources = append(sources, logSource{"bench/gen text+json+logfmt", gg.Lines(natSysLines, gen.Mix{JSON: 1, Logfmt: 1, Text: 2})})
	golden, err := goldenSources(root, "*.log", "*.jsonl")
	if err != nil {
		return err
	}
	sources = append(sources, golden...)
	return countFalsePositives(s, sources, isNatID, "national-id", verbose)
}

func readLines(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, bytes.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return lines, nil
}

// countNumbers counts the runs of digits of five or more and the words of
// nine or more upper-case letters and digits: what a national-id matcher
// could look at.
func countNumbers(l []byte) int {
	n, run, word, upper := 0, 0, 0, true
	end := func() {
		if run >= 5 || word >= 9 && upper {
			n++
		}
		run, word, upper = 0, 0, true
	}
	for _, c := range l {
		switch {
		case c >= '0' && c <= '9':
			run++
			word++
		case c >= 'A' && c <= 'Z':
			if run >= 5 {
				n++
			}
			run = 0
			word++
		case c >= 'a' && c <= 'z':
			if run >= 5 {
				n++
			}
			run = 0
			word++
			upper = false
		default:
			end()
		}
	}
	end()
	return n
}

func typeCounts(m map[detectors.Type]int) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for t, c := range m {
		parts = append(parts, string(t)+"="+strconv.Itoa(c))
	}
	sort.Strings(parts)
	return "(" + strings.Join(parts, " ") + ")"
}

// sysLogKinds are the kinds of lines a sysLogGen writes.
var sysLogKinds = []string{"android", "hdfs", "kernel", "sshd", "windows-cbs", "app"}

// A sysLogGen writes system-log lines full of numbers and ids that are not
// personal: Android logcat, HDFS, Linux kernel, sshd, Windows CBS, and
// application lines with order ids, epoch timestamps, trace ids and
// upper-case reference codes. It is deterministic for a seed.
type sysLogGen struct {
	r   *rand.Rand
	buf []byte
}

func newSysLogGen(seed uint64) *sysLogGen {
	return &sysLogGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (g *sysLogGen) s(v string)            { g.buf = append(g.buf, v...) }
func (g *sysLogGen) n(lo, hi int)          { g.buf = strconv.AppendInt(g.buf, int64(lo+g.r.IntN(hi-lo+1)), 10) }
func (g *sysLogGen) pad(v, width int)      { g.buf = fmt.Appendf(g.buf, "%0*d", width, v) }
func (g *sysLogGen) pick(l ...string)      { g.s(l[g.r.IntN(len(l))]) }
func (g *sysLogGen) chance(p float64) bool { return g.r.Float64() < p }
func (g *sysLogGen) digits(n int)          { g.run(n, "0123456789", "123456789") }
func (g *sysLogGen) hex(n int, upper bool) {
	if upper {
		g.run(n, "0123456789ABCDEF", "0123456789ABCDEF")
		return
	}
	g.run(n, "0123456789abcdef", "0123456789abcdef")
}

// run appends n characters from set, the first from first.
func (g *sysLogGen) run(n int, set, first string) {
	for i := 0; i < n; i++ {
		if i == 0 {
			g.buf = append(g.buf, first[g.r.IntN(len(first))])
			continue
		}
		g.buf = append(g.buf, set[g.r.IntN(len(set))])
	}
}

// number appends a number of 1 to 19 digits, every length equally likely:
// offsets, sizes, counters, order ids.
func (g *sysLogGen) number() { g.digits(1 + g.r.IntN(19)) }

func (g *sysLogGen) clock() {
	g.pad(g.r.IntN(24), 2)
	g.s(":")
	g.pad(g.r.IntN(60), 2)
	g.s(":")
	g.pad(g.r.IntN(60), 2)
}

func (g *sysLogGen) line(kind string) []byte {
	g.buf = g.buf[:0]
	switch kind {
	case "android":
		g.pad(1+g.r.IntN(12), 2)
		g.s("-")
		g.pad(1+g.r.IntN(28), 2)
		g.s(" ")
		g.clock()
		g.s(".")
		g.pad(g.r.IntN(1000), 3)
		g.s("  ")
		g.n(1, 32768)
		g.s("  ")
		g.n(1, 32768)
		g.s(" ")
		g.pick("V", "D", "I", "W", "E")
		g.s(" ")
		switch g.r.IntN(5) {
		case 0:
			g.s("ActivityManager: Start proc ")
			g.n(1000, 32768)
			g.s(":com.example.app/u0a")
			g.n(10, 300)
			g.s(" for activity pid=")
			g.n(1000, 32768)
			g.s(" uid=")
			g.n(10000, 19999)
			g.s(" gids={")
			g.n(50000, 59999)
			g.s(", 9997, 3003}")
		case 1:
			g.s("chatty  : uid=")
			g.n(1000, 19999)
			g.s("(")
			g.n(1000, 19999)
			g.s(") RenderThread identical ")
			g.n(1, 99)
			g.s(" lines")
		case 2:
			g.s("dalvikvm: GC_CONCURRENT freed ")
			g.n(100, 9999)
			g.s("K, ")
			g.n(10, 99)
			g.s("% free ")
			g.n(1000, 99999)
			g.s("K/")
			g.n(1000, 99999)
			g.s("K, paused ")
			g.n(1, 99)
			g.s("ms+")
			g.n(1, 99)
			g.s("ms, total ")
			g.n(10, 999)
			g.s("ms")
		case 3:
			g.s("BatteryStats: wakelock held ")
			g.number()
			g.s(" ns, elapsed realtime ")
			g.digits(10 + g.r.IntN(4))
			g.s(" serial ")
			g.hex(16, g.chance(0.3))
		default:
			g.s("NetworkController: connected to port ")
			g.n(1, 65535)
			g.s(" bytes=")
			g.number()
			g.s(" build ")
			g.pick("RQ3A", "TP1A", "UP1A", "SP2A")
			g.s(".")
			g.digits(6)
			g.s(".")
			g.pad(g.r.IntN(1000), 3)
		}
	case "hdfs":
		g.pad(g.r.IntN(100), 2)
		g.pad(1+g.r.IntN(12), 2)
		g.pad(1+g.r.IntN(28), 2)
		g.s(" ")
		g.pad(g.r.IntN(240000), 6)
		g.s(" ")
		g.n(1, 9999)
		g.s(" INFO dfs.")
		switch g.r.IntN(3) {
		case 0:
			g.s("DataNode$DataXceiver: Receiving block blk_")
			if g.chance(0.5) {
				g.s("-")
			}
			g.digits(18 + g.r.IntN(2))
			g.s(" src: /10.")
			g.n(0, 255)
			g.s(".")
			g.n(0, 255)
			g.s(".")
			g.n(1, 254)
			g.s(":")
			g.n(1024, 65535)
		case 1:
			g.s("FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.")
			g.n(0, 255)
			g.s(".0.")
			g.n(1, 254)
			g.s(":50010 is added to blk_")
			g.digits(18 + g.r.IntN(2))
			g.s(" size ")
			g.number()
		default:
			g.s("DataNode$PacketResponder: PacketResponder ")
			g.n(0, 2)
			g.s(" for block blk_-")
			g.digits(19)
			g.s(" terminating, offset ")
			g.number()
		}
	case "kernel":
		g.s("[")
		g.n(0, 9999999)
		g.s(".")
		g.pad(g.r.IntN(1000000), 6)
		g.s("] ")
		switch g.r.IntN(4) {
		case 0:
			g.s("EXT4-fs (sda")
			g.n(1, 9)
			g.s("): inode ")
			g.number()
			g.s(" block ")
			g.number()
			g.s(" comm java: lblock ")
			g.number()
		case 1:
			g.s("Out of memory: Killed process ")
			g.n(100, 4194304)
			g.s(" (java) total-vm:")
			g.number()
			g.s("kB, anon-rss:")
			g.number()
			g.s("kB, oom_score_adj ")
			g.n(0, 1000)
		case 2:
			g.s("audit: type=1400 audit(")
			g.digits(10)
			g.s(".")
			g.pad(g.r.IntN(1000), 3)
			g.s(":")
			g.n(1, 99999)
			g.s("): apparmor=\"DENIED\" pid=")
			g.n(1, 4194304)
			g.s(" ino=")
			g.number()
		default:
			g.s("nvme0n1: I/O Cmd(0x")
			g.hex(2, false)
			g.s(") @ LBA ")
			g.number()
			g.s(", ")
			g.n(1, 4096)
			g.s(" blocks, I/O Error (sct 0x")
			g.hex(1, false)
			g.s(" / sc 0x")
			g.hex(2, false)
			g.s(")")
		}
	case "sshd":
		g.pick("Jan", "Feb", "Mar", "Dec")
		g.s(" ")
		g.n(10, 28)
		g.s(" ")
		g.clock()
		g.s(" host sshd[")
		g.n(100, 4194304)
		g.s("]: ")
		switch g.r.IntN(3) {
		case 0:
			g.s("Accepted publickey for deploy from 10.")
			g.n(0, 255)
			g.s(".")
			g.n(0, 255)
			g.s(".")
			g.n(1, 254)
			g.s(" port ")
			g.n(1024, 65535)
			g.s(" ssh2: RSA SHA256:")
			g.run(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
		case 1:
			g.s("Received disconnect from 10.0.0.")
			g.n(1, 254)
			g.s(" port ")
			g.n(1024, 65535)
			g.s(":11: disconnected by user")
		default:
			g.s("Connection closed by authenticating user root 10.1.")
			g.n(0, 255)
			g.s(".")
			g.n(1, 254)
			g.s(" port ")
			g.n(1024, 65535)
			g.s(" [preauth]")
		}
	case "windows-cbs":
		g.s("20")
		g.pad(10+g.r.IntN(16), 2)
		g.s("-")
		g.pad(1+g.r.IntN(12), 2)
		g.s("-")
		g.pad(1+g.r.IntN(28), 2)
		g.s(" ")
		g.clock()
		g.s(", Info                  CBS    ")
		switch g.r.IntN(4) {
		case 0:
			g.s("Session: ")
			g.digits(8)
			g.s("_")
			g.digits(10)
			g.s(" initialized by client WindowsUpdateAgent, external staging directory: (null)")
		case 1:
			g.s("Loaded Servicing Stack v10.0.")
			g.n(10000, 22631)
			g.s(".")
			g.n(1, 9999)
			g.s(" with Core: C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.")
			g.n(10000, 22631)
			g.s(".")
			g.n(1, 9999)
			g.s("_none_")
			g.hex(16, false)
			g.s("\\cbscore.dll")
		case 2:
			g.s("Failed to get session package state [HRESULT = 0x")
			g.hex(8, true)
			g.s(" - ERROR_FILE_NOT_FOUND]")
		default:
			g.s("Package: Package_for_KB")
			g.n(1000000, 5999999)
			g.s("~31bf3856ad364e35~amd64~~10.0.1.")
			g.n(1, 9999)
			g.s(", state: Installed, Txid ")
			g.hex(32, true)
		}
	default: // app
		g.s("ts=")
		g.digits(10)
		g.s(" ts_ms=")
		g.digits(13)
		g.s(" level=info ")
		switch g.r.IntN(5) {
		case 0:
			g.s("msg=\"order shipped\" order_id=")
			g.number()
			g.s(" warehouse=")
			g.number()
			g.s(" batch=")
			g.number()
		case 1:
			g.s("msg=\"request done\" trace_id=")
			g.hex(32, false)
			g.s(" span_id=")
			g.hex(16, false)
			g.s(" took_ns=")
			g.digits(19)
			g.s(" bytes=")
			g.number()
		case 2:
			g.s("msg=\"payment ref ")
			g.run(6+g.r.IntN(13), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
			g.s(" captured\" amount=")
			g.n(1, 99999)
			g.s(".")
			g.pad(g.r.IntN(100), 2)
		case 3:
			g.s("msg=\"kafka commit\" topic=logs partition=")
			g.n(0, 63)
			g.s(" offset=")
			g.number()
			g.s(" epoch=")
			g.digits(10)
			g.s(" snowflake=")
			g.digits(17 + g.r.IntN(3))
		default:
			g.s("msg=\"build\" version=")
			g.n(1, 30)
			g.s(".")
			g.n(0, 99)
			g.s(".")
			g.n(0, 9999)
			g.s("-")
			g.digits(6)
			g.s("-")
			g.digits(4)
			g.s(" commit=")
			g.hex(40, false)
			g.s(" id=")
			g.hex(9+g.r.IntN(10), g.chance(0.5))
		}
	}
	return bytes.Clone(g.buf)
}

// logSource is a named set of lines the quality checks scan.
type logSource struct {
	name  string
	lines [][]byte
}

// goldenSources reads the golden sample logs of cmd/scrubd whose names
// match the patterns.
func goldenSources(root string, patterns ...string) ([]logSource, error) {
	var out []logSource
	for _, pat := range patterns {
		files, err := filepath.Glob(filepath.Join(root, "cmd", "scrubd", "testdata", "logs", pat))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			lines, err := readLines(f)
			if err != nil {
				return nil, err
			}
			out = append(out, logSource{"golden " + filepath.Base(f), lines})
		}
	}
	return out, nil
}

// countFalsePositives scans the sources, which hold none of the types keep
// selects, and reports every such finding (what names them): each is a
// false positive. It prints per source the lines, the numbers and ids
// among them, the findings by type and the first examples (all with
// verbose).
func countFalsePositives(s *detectors.Scanner, sources []logSource, keep func(detectors.Type) bool, what string, verbose bool) error {
	total, totalNums := 0, 0
	var dst []detectors.Finding
	var err error
	for _, src := range sources {
		byType := map[detectors.Type]int{}
		nums := 0
		var examples []string
		for _, l := range src.lines {
			nums += countNumbers(l)
			dst, err = s.Scan(dst[:0], l)
			if err != nil {
				return fmt.Errorf("scan: %w", err)
			}
			for _, f := range dst {
				if !keep(f.Type) {
					continue
				}
				byType[f.Type]++
				if len(examples) < 5 || verbose {
					examples = append(examples, fmt.Sprintf("%s %q in %q", f.Type, l[f.Start:f.End], l))
				}
			}
		}
		n := 0
		for _, c := range byType {
			n += c
		}
		total += n
		totalNums += nums
		fmt.Printf("  %-34s %7d lines %8d numbers  %d %s findings %s\n", src.name, len(src.lines), nums, n, what, typeCounts(byType))
		for _, e := range examples {
			fmt.Println("    " + e)
		}
	}
	fmt.Printf("  total: %d %s findings among %d numbers and ids\n", total, what, totalNums)
	return nil
}
