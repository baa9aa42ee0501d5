package gen

import "time"

// SetClock sets the time of the next line to about t; the clock runs on
// from there as before. A live stream (the demo) sets it to the wall clock
// now and then, so that windowed aggregates see its records in time rather
// than at the generator's epoch.
func (g *Generator) SetClock(t time.Time) { g.clock = t.UnixMilli() }

// Subject is a person's identifiers as logs carry them, for tests that
// write records of their own around known personal values.
type Subject struct {
	IPv4, Email, Phone, IMEI, Account string
}

// Subject returns the identifiers of a new person, one outside the
// population the lines draw from: every call makes a different person
// (their e-mail addresses may still agree, as people's do). IPv4 is the
// person's address when it is an IPv4 one, else a public IPv4 address
// drawn for them.
func (g *Generator) Subject() Subject {
	g.subjects++
	u := newUser(g.base, populationSize+g.subjects)
	ip := u.ip
	if !ip.Is4() {
		ip = publicIPv4(g.r)
	}
	return Subject{IPv4: ip.String(), Email: u.email, Phone: u.phone.intl, IMEI: u.imei, Account: u.id}
}
