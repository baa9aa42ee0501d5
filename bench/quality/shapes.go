package main

// Phone numbers, IBANs and coordinates: precision on system logs. The
// generated system logs of natid.go hold none, nor do the lines of
// cueLine, whose numbers stand near the words that cue a national phone
// number or a pair of coordinates ("sms", "call", "mobile", "phone",
// "position", "gps") without being either.

import (
	"bytes"
	"fmt"

	"github.com/scrubd/scrubd/detectors"
)

// evalShapeLogs scans the generated system logs, cue lines and the golden
// sample logs and reports every phone, IBAN and coordinates finding: each
// is a false positive.
func evalShapeLogs(s *detectors.Scanner, root string, verbose bool) error {
	fmt.Println("phone numbers, IBANs and coordinates on system logs (every finding is a false positive):")
	var sources []logSource
	g := newSysLogGen(*natSeed)
	for _, k := range append(sysLogKinds, "cue-words") {
		lines := make([][]byte, natSysLines)
		for i := range lines {
			if k == "cue-words" {
				lines[i] = g.cueLine()
			} else {
				lines[i] = g.line(k)
			}
		}
		sources = append(sources, logSource{"generated " + k, lines})
	}
	golden, err := goldenSources(root, "*.log")
	if err != nil {
		return err
	}
	sources = append(sources, golden...)
	return countFalsePositives(s, sources, func(t detectors.Type) bool {
		return t == detectors.Phone || t == detectors.IBAN || t == detectors.Coordinates
	}, "phone/iban/coordinates", verbose)
}

// cueLine writes an application or telephony-system line whose numbers
// (message, call and job ids, builds, queue depths, offsets, latencies,
// loads, sensor readings) follow the words that cue a phone number or a
// pair of coordinates in other senses.
func (g *sysLogGen) cueLine() []byte {
	g.buf = g.buf[:0]
	g.s("ts=")
	g.digits(10)
	g.s(" level=info ")
	switch g.r.IntN(10) {
	case 0:
		g.s("msg=\"sms batch queued\" sms_batch=")
		g.digits(7 + g.r.IntN(6))
		g.s(" size=")
		g.n(1, 999)
	case 1:
		g.s("call_id=")
		g.digits(9 + g.r.IntN(4))
		g.s(" call duration_ms=")
		g.number()
		g.s(" rpc call ")
		g.digits(7 + g.r.IntN(6))
		g.s(" returned")
	case 2:
		g.s("msg=\"mobile app build ")
		g.digits(9)
		g.s(" uploaded\" version=")
		g.n(1, 30)
		g.s(".")
		g.n(0, 99)
		g.s(".")
		g.n(1000, 9999)
	case 3:
		g.s("phone_model=SM-G991B build=TP1A.")
		g.digits(6)
		g.s(".")
		g.pad(g.r.IntN(1000), 3)
		g.s(" phone_home interval=")
		g.n(60, 86400)
	case 4:
		g.s("fax job ")
		g.digits(8)
		g.s(" pages ")
		g.n(1, 40)
		g.s(" tel_queue depth ")
		g.digits(7 + g.r.IntN(4))
	case 5:
		g.s("whatsapp webhook id ")
		g.digits(15)
		g.s(" sms gateway msg ")
		g.digits(10)
		g.s(" delivered")
	case 6:
		g.s("msg=\"stats\" load ")
		g.s(g.decimal(0, 4))
		g.s(" ")
		g.s(g.decimal(0, 4))
		g.s(" ")
		g.s(g.decimal(0, 4))
		g.s(" latency p50=")
		g.s(g.decimal(2, 6))
		g.s(", p99=")
		g.s(g.decimal(2, 6))
	case 7:
		g.s("msg=\"kafka\" position=")
		g.number()
		g.s(" offset ")
		g.digits(8)
		g.s(" lag ")
		g.s(g.decimal(1, 4))
		g.s(", ")
		g.s(g.decimal(1, 4))
	case 8:
		g.s("msg=\"sensor\" gps fix sats=")
		g.n(3, 24)
		g.s(" hdop=")
		g.s(g.decimal(0, 2))
		g.s(" alt=")
		g.s(g.decimal(3, 4))
		g.s(" speed=")
		g.s(g.decimal(2, 4))
		g.s(" temp (")
		g.s(g.decimal(0, 4))
		g.s(", ")
		g.s(g.decimal(0, 4))
		g.s(")")
	default:
		g.s("msg=\"ratio\" precision, recall = (")
		g.s(g.decimal(0, 4))
		g.s(", ")
		g.s(g.decimal(0, 4))
		g.s(") mobile users ")
		g.digits(7 + g.r.IntN(4))
		g.s(" contact_id ")
		g.digits(10)
	}
	return bytes.Clone(g.buf)
}

// decimal returns a decimal number with up to intDigits integer digits (0
// for "0.") and frac decimals.
func (g *sysLogGen) decimal(intDigits, frac int) string {
	var b []byte
	if intDigits == 0 {
		b = append(b, '0')
	} else {
		b = fmt.Appendf(b, "%d", g.r.IntN(pow10(intDigits)))
	}
	b = append(b, '.')
	for k := 0; k < frac; k++ {
		b = append(b, byte('0'+g.r.IntN(10)))
	}
	return string(b)
}

func pow10(n int) int {
	p := 1
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}
