package privacy

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scrubd/scrubd/pipeline/vault"
)

// An Access is the document of a subject-access export, the right of
// access: everything the vault holds for one data subject, decrypted, as
// `scrubd vault export` writes it in JSON.
type Access struct {
	// Type is the request type the subject was given with.
	Type string `json:"type,omitempty"`
	// Pseudonyms are the subject's pseudonyms looked up.
	Pseudonyms []string      `json:"pseudonyms"`
	Entries    []AccessEntry `json:"entries"`
	// NotFound lists the pseudonyms the vault holds nothing for.
	NotFound []string `json:"not_found"`
	// DataKeys counts the subject's data keys; zero after an erasure.
	DataKeys   int       `json:"data_keys"`
	Topic      string    `json:"topic"`
	ExportedAt time.Time `json:"exported_at"`
}

// An AccessEntry is one pseudonym of an Access with its original value.
type AccessEntry struct {
	Type      string `json:"type"`
	Pseudonym string `json:"pseudonym"`
	// Value is the original value; ValueBase64 replaces it when it is not
	// UTF-8. Both are empty when Problem says why it cannot be read.
	Value       *string   `json:"value,omitempty"`
	ValueBase64 []byte    `json:"value_base64,omitempty"`
	Written     time.Time `json:"written"`
	DataKey     string    `json:"data_key"`
	MasterKey   string    `json:"master_key,omitempty"`
	Problem     string    `json:"problem,omitempty"`
}

// NewAccess is the Access of a subject given with request type typ (empty
// when pseudonyms were given), whose pseudonyms the vault topic's export x
// answered, at time at. A value that is not UTF-8 is given in base64.
func NewAccess(typ, topic string, pseudonyms []string, x *vault.Export, at time.Time) Access {
	out := Access{Type: typ, Topic: topic, Pseudonyms: pseudonyms, Entries: []AccessEntry{}, NotFound: []string{}}
	out.ExportedAt = at.UTC()
	out.DataKeys = x.DataKeys
	out.NotFound = append(out.NotFound, x.Missing...)
	for _, e := range x.Entries {
		ee := AccessEntry{Type: e.Type, Pseudonym: e.Pseudonym, Written: e.Written.UTC(), DataKey: e.DataKey, MasterKey: e.MasterKey, Problem: e.Problem}
		switch {
		case e.Value == nil:
		case utf8.Valid(e.Value):
			s := string(e.Value)
			ee.Value = &s
		default:
			ee.ValueBase64 = e.Value
		}
		out.Entries = append(out.Entries, ee)
	}
	return out
}

// ReadSubject returns the identifier of a subject-access request given on
// the command line (subject) or in a file ("-": stdin), or nil when
// neither is set. The caller clears it after use.
func ReadSubject(subject, file string, stdin io.Reader) ([]byte, error) {
	switch {
	case subject != "" && file != "":
		return nil, errors.New("--subject and --subject-file exclude each other")
	case subject != "":
		return []byte(subject), nil
	case file == "":
		return nil, nil
	}
	var b []byte
	var err error
	if file == "-" {
		b, err = io.ReadAll(io.LimitReader(stdin, MaxSubjectBytes+2))
	} else {
		b, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, fmt.Errorf("read subject: %w", err)
	}
	v := []byte(strings.TrimRight(string(b), "\r\n"))
	clear(b)
	if len(v) == 0 {
		return nil, errors.New("the subject file is empty")
	}
	return v, nil
}
