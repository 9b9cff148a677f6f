package gen

import (
	"math/rand/v2"

	"cloud.google.com/go/civil"

	"tyomatka/internal/hetu"
)

// Identity codes: birth dates 1.1.1960–31.12.2005 times the 100 temporary
// individual numbers 900–999. Each person gets its own slot through an affine
// bijection, so codes are unique without a set of the codes already used.
var (
	birthFirst = civil.Date{Year: 1960, Month: 1, Day: 1}
	hetuSlots  = civil.Date{Year: 2006, Month: 1, Day: 1}.DaysSince(birthFirst) * 100
)

const (
	never = 1 << 14 // a month index no list reaches
	none  = -1
)

// person is one person on Kela's lists: a client or one of the others. It is
// kept small because national-scale runs hold a few hundred thousand.
type person struct {
	hetu        [11]byte
	first, last uint8
	muni        uint8 // index into municipalities
	listCode    bool  // Kela's lists name the municipality by its code
	benefit     uint8 // index into benefits
	rate        int32 // daily benefit, cents
	onFrom      int16 // first month index on benefit (may be negative)
	onTo        int16 // last month index on benefit
	empMonth    int16 // month index of employment, none when not employed
	empDay      int8
	back        int16 // back on benefit from this month index after employment; none
	small       int16 // a month after employment with a few days (adjusted pay); none
	refMonth    int16 // referral month index of a client; none for others

	// Running state while the lists are written month by month.
	accrued    int32 // Kertymäpäivät at the end of the last written month
	prevShare  int32 // cents in the previous month, for correction rows
	refAccrued int32 // Kertymäpäivät at the end of the referral month; none
}

// client is the tracking-workbook side of a client.
type client struct {
	ref, info, start, end, emp civil.Date // zero when absent
	typ                        string     // Työsuhde as written
}

// cutoff is the last date a non-messy milestone may have: about the run date
// of the default job (the 20th of the month after the last list).
func (g *generator) cutoff() civil.Date { return g.o.Last.Last().AddDays(19) }

// buildClients draws referral dates spread evenly over the listed months (so
// the workbook is in referral order, as staff keep it) and the service funnel.
func (g *generator) buildClients() {
	c := g.o.Clients
	g.clients = make([]client, c)
	from := g.first.First()
	days := g.o.Last.Last().DaysSince(from) + 1
	cut := g.cutoff()
	r := g.rnd
	for i := range g.clients {
		g.seed(saltClient, uint64(i))
		cl := &g.clients[i]
		off := int(int64(i)*int64(days)/int64(c)) + r.IntN(3)
		cl.ref = from.AddDays(min(off, days-1))
		if r.IntN(100) >= 80 {
			continue
		}
		cl.info = cl.ref.AddDays(pick(r, 10, 0, 1+r.IntN(21)))
		if cl.info.After(cut) {
			cl.info = civil.Date{}
			continue
		}
		if r.IntN(100) >= 81 {
			continue
		}
		cl.start = cl.info.AddDays(1 + r.IntN(28))
		if cl.start.After(cut) {
			cl.start = civil.Date{}
			continue
		}
		if r.IntN(100) < 45 {
			cl.end = cl.start.AddDays(60 + r.IntN(210))
		}
		if r.IntN(100) < 46 {
			cl.emp = cl.start.AddDays(14 + r.IntN(190))
			cl.typ = weightedType(r)
			if cl.end.IsZero() || cl.end.After(cl.emp) {
				// The service ends when the client is employed, if not before.
				cl.end = cl.emp
			}
		}
		if cl.end.After(cut) {
			cl.end = civil.Date{}
		}
		if cl.emp.After(cut) {
			cl.emp, cl.typ = civil.Date{}, ""
		}
	}
}

// buildPersons draws everything the lists need about each person.
func (g *generator) buildPersons() {
	n := g.o.Clients + g.o.Others
	g.persons = make([]person, n)
	r := g.rnd
	for i := range g.persons {
		g.seed(saltPerson, uint64(i))
		p := &g.persons[i]
		p.hetu = g.hetuOf(i, r)
		p.first = uint8(r.IntN(len(firstNames)))
		p.last = uint8(r.IntN(len(lastNames)))
		p.muni = weightedMuni(r)
		p.listCode = r.IntN(100) < 15
		switch x := r.IntN(100); {
		case x < 60:
			p.benefit, p.rate = 0, 3721
			if r.IntN(100) < 30 { // reduced by income
				p.rate = 2000 + r.Int32N(1721)
			}
		case x < 75:
			p.benefit, p.rate = 1, 3721
		default:
			p.benefit, p.rate = 2, 5000+r.Int32N(4000)
		}
		if r.IntN(100) < 15 {
			p.accrued = r.Int32N(100)
		} else {
			p.accrued = 100 + r.Int32N(1300)
		}
		p.empMonth, p.back, p.small, p.refMonth, p.refAccrued = none, none, none, none, none
		p.onTo = never
		if i >= g.o.Clients {
			if r.IntN(100) < 30 {
				p.onFrom = int16(r.IntN(g.o.Months) - 2)
				p.onTo = p.onFrom + 1 + int16(r.IntN(g.o.Months))
			} else {
				p.onFrom = -1
			}
			continue
		}
		cl := &g.clients[i]
		p.refMonth = int16(g.monthIndex(cl.ref))
		if r.IntN(100) < 90 {
			p.onFrom = p.refMonth - int16(r.IntN(10))
		} else {
			p.onFrom = never
		}
		switch {
		case !cl.emp.IsZero():
			p.empMonth, p.empDay = int16(g.monthIndex(cl.emp)), int8(cl.emp.Day)
			p.onTo = p.empMonth
			if r.IntN(100) < 20 {
				p.back = p.empMonth + 1 + int16(r.IntN(5))
			} else if r.IntN(100) < 15 {
				p.small = p.empMonth + 1 + int16(r.IntN(3))
			}
		case r.IntN(100) < 8:
			p.onTo = p.refMonth + int16(r.IntN(g.o.Months))
		}
	}
}

// hetuOf returns person i's identity code, a temporary code with a century
// sign mostly of the old forms and sometimes of the 2023 letters.
func (g *generator) hetuOf(i int, r *rand.Rand) [11]byte {
	slot := (g.hetuMul*uint64(i) + g.hetuAdd) % uint64(hetuSlots)
	birth := birthFirst.AddDays(int(slot / 100))
	ind := 900 + int(slot%100)
	var h [11]byte
	put2 := func(at, v int) { h[at], h[at+1] = byte('0'+v/10), byte('0'+v%10) }
	put2(0, birth.Day)
	put2(2, int(birth.Month))
	put2(4, birth.Year%100)
	x := r.IntN(100)
	switch {
	case birth.Year < 2000 && x < 80:
		h[6] = '-'
	case birth.Year < 2000 && x < 92:
		h[6] = 'Y'
	case birth.Year < 2000:
		h[6] = 'X'
	case x < 80:
		h[6] = 'A'
	case x < 92:
		h[6] = 'B'
	default:
		h[6] = 'C'
	}
	h[7], h[8], h[9] = byte('0'+ind/100), byte('0'+ind/10%10), byte('0'+ind%10)
	h[10] = hetu.CheckChar(string(h[0:6]) + string(h[7:10]))
	return h
}

func weightedMuni(r *rand.Rand) uint8 {
	total := 0
	for _, m := range municipalities {
		total += m.Weight
	}
	x := r.IntN(total)
	for i, m := range municipalities {
		if x < m.Weight {
			return uint8(i)
		}
		x -= m.Weight
	}
	return 0
}

func weightedType(r *rand.Rand) string {
	total := 0
	for _, t := range employmentTypes {
		total += t.Weight
	}
	x := r.IntN(total)
	for _, t := range employmentTypes {
		if x < t.Weight {
			return t.Text
		}
		x -= t.Weight
	}
	return employmentTypes[0].Text
}

// pick returns a with probability pct %, otherwise b.
func pick(r *rand.Rand, pct, a, b int) int {
	if r.IntN(100) < pct {
		return a
	}
	return b
}

// name returns the made-up full name of person i.
func (p *person) name() string {
	return firstNames[p.first] + " " + lastNames[p.last]
}
