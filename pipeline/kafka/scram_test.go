package kafka

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"
)

// scramServer is an in-process SCRAM server from xdg-go/scram that knows
// one user, stored with iters iterations.
func scramServer(t testing.TB, h scram.HashGeneratorFcn, user, pass string, iters int) *scram.Server {
	t.Helper()
	cl, err := h.NewClient(user, pass, "")
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cl.GetStoredCredentialsWithError(scram.KeyFactors{Salt: "0123456789abcdef", Iters: iters})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := h.NewServer(func(name string) (scram.StoredCredentials, error) {
		if name != user {
			return scram.StoredCredentials{}, errors.New(scram.ErrUnknownUser)
		}
		return creds, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// converse runs the exchange the way sarama does: Begin, Step("") for the
// client-first message, then one client Step per server message until the
// client is done. tamper may change a server message before the client
// sees it.
func converse(c sarama.SCRAMClient, srv *scram.Server, user, pass string, tamper func(int, string) string) error {
	if err := c.Begin(user, pass, ""); err != nil {
		return err
	}
	sc := srv.NewConversation()
	msg, err := c.Step("")
	for i := 0; err == nil && !c.Done(); i++ {
		var reply string
		if reply, err = sc.Step(msg); err != nil {
			// The server refuses: SCRAM servers answer "e=..." in their
			// final message, which the client must turn into an error.
			if reply == "" {
				return err
			}
		}
		if tamper != nil {
			reply = tamper(i, reply)
		}
		msg, err = c.Step(reply)
	}
	return err
}

func TestSCRAMAgainstServer(t *testing.T) {
	for _, mech := range []sarama.SASLMechanism{sarama.SASLTypeSCRAMSHA256, sarama.SASLTypeSCRAMSHA512} {
		h := scram.SHA256
		if mech == sarama.SASLTypeSCRAMSHA512 {
			h = scram.SHA512
		}
		t.Run(string(mech), func(t *testing.T) {
			gen := newSCRAM(mech)
			srv := scramServer(t, h, "scrubd", "s3cret", 4096)
			if err := converse(gen(), srv, "scrubd", "s3cret", nil); err != nil {
				t.Fatalf("right password: %v", err)
			}
			if err := converse(gen(), srv, "scrubd", "wrong", nil); err == nil {
				t.Fatal("wrong password authenticated")
			}
			// A man in the middle that does not know the password cannot
			// forge the server signature.
			forge := func(i int, m string) string {
				if i == 1 {
					return "v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
				}
				return m
			}
			if err := converse(gen(), srv, "scrubd", "s3cret", forge); err == nil {
				t.Fatal("a forged server signature was accepted")
			}
		})
	}
}

// TestSCRAMIterationBounds refuses servers asking for fewer than 4096 or
// more than scramMaxIterations iterations, and accepts the bounds.
func TestSCRAMIterationBounds(t *testing.T) {
	gen := newSCRAM(sarama.SASLTypeSCRAMSHA256)
	for _, tc := range []struct {
		iters int
		ok    bool
	}{{4095, false}, {1024, false}, {4096, true}, {8192, true}, {scramMaxIterations + 1, false}, {50_000_000, false}} {
		srv := scramServer(t, scram.SHA256, "u", "p", 4096)
		// The server's stored credentials use 4096; the client only sees
		// the count in the server-first message, rewritten here.
		rewrite := func(i int, m string) string {
			if i == 0 {
				return strings.Replace(m, "i=4096", "i="+strconv.Itoa(tc.iters), 1)
			}
			return m
		}
		err := converse(gen(), srv, "u", "p", rewrite)
		if tc.ok && err != nil && strings.Contains(err.Error(), "iterations") {
			t.Errorf("%d iterations refused: %v", tc.iters, err)
		}
		if !tc.ok && (err == nil || !strings.Contains(err.Error(), "iterations")) {
			t.Errorf("%d iterations: err %v, want a refusal naming the iterations", tc.iters, err)
		}
	}
}

// FuzzSCRAMServerFirst feeds arbitrary server-first messages to a client:
// it must answer or refuse, never panic.
func FuzzSCRAMServerFirst(f *testing.F) {
	f.Add("r=abc,s=c2FsdA==,i=4096")
	f.Add("r=,s=,i=99999999999999999999999")
	f.Add("i=2000000")
	f.Fuzz(func(t *testing.T, serverFirst string) {
		// The client nonce is random, so no fuzzed message extends it and
		// no key is derived: this exercises the parsing and the checks.
		c := newSCRAM(sarama.SASLTypeSCRAMSHA256)()
		if err := c.Begin("u", "p", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Step(""); err != nil {
			t.Fatal(err)
		}
		_, _ = c.Step(serverFirst)
	})
}
