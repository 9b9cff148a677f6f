package ledger

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"tyomatka/internal/billing"
	"tyomatka/internal/finding"
	"tyomatka/internal/period"
)

// Plan is what is due in period P: the entitled lines not billed before,
// and an OIKAISU for every line billed before whose entitlement vanished or
// changed.
type Plan struct {
	Due         []billing.Line // sorted like billing's lines, OIKAISU last per client
	Corrections int            // how many of Due are OIKAISU
	// Findings are the computation's findings without the verification and
	// baseline notes about lines already billed (see Reconcile).
	Findings []finding.Finding
}

// billedEntitlement is one original line id as billed before P: the first
// line recorded for it and the net amount billed with its corrections.
type billedEntitlement struct {
	id    string // the original line id
	first Line
	// standIn: no original is billed (its period was released), so first
	// is made from a correction of it, which records its type and month.
	standIn bool
	net     decimal.Decimal
}

// Reconcile diffs res (billing.Compute's entitlements up to p) against the
// lines billed before p.
//
// Because Compute recomputes the whole entitlement, the VAIKUTTAVUUS cap
// included, and every difference is billed as an OIKAISU, the net billed per
// client after this period equals its entitlement: the cap of §3.2 thereby
// counts corrections.
//
// PENDING_VERIFICATION and NOT_VERIFIED are defined for an employment that
// would otherwise be due, and one billed before is not due, so those findings
// are dropped for a client whose TYOLLISTYMINEN is billed before (its OIKAISU
// says why it is credited); likewise NO_BASELINE for a client with
// VAIKUTTAVUUS billed before.
func Reconcile(area string, vatPercent decimal.Decimal, p period.Month, billed []Line, res billing.Result) Plan {
	prior := map[string]*billedEntitlement{}
	var order []string
	for _, l := range billed {
		id := l.Original()
		e := prior[id]
		if e == nil {
			e = &billedEntitlement{id: id, first: l, net: decimal.Zero}
			if l.Type == billing.Correction {
				// Only the correction survives (its original was released):
				// the original is what it corrects, of the type and month
				// it records, billed to the same client and municipality.
				// Left as the correction, a further correction would not
				// know what it corrects, and the provider report could not
				// tell a VAIKUTTAVUUS correction from a fixed fee's.
				e.first, e.standIn = standIn(l), true
			}
			prior[id] = e
			order = append(order, id)
		}
		if e.standIn && l.Type != billing.Correction {
			e.first, e.standIn = l, false
		}
		e.net = e.net.Add(l.Amount)
	}

	ctx := newContext(res)
	var plan Plan
	entitled := map[string]bool{}
	for _, l := range res.Lines {
		entitled[l.ID] = true
		e, ok := prior[l.ID]
		if !ok {
			// Never billed (or billed in a period finance rejected): bill it.
			plan.Due = append(plan.Due, l)
			continue
		}
		if e.net.IsZero() {
			// Billed and fully credited since, and now it holds again: the
			// line was billed once already (§3.2 "at most once, ever"), so
			// the difference is an OIKAISU naming it, not the line again.
			plan.Due = append(plan.Due, correction(area, vatPercent, p, e, &l, l.Amount, reasonHoldsAgain))
			continue
		}
		if diff := l.Amount.Sub(e.net); !diff.IsZero() {
			plan.Due = append(plan.Due, correction(area, vatPercent, p, e, &l, diff, ctx.reason(e, &l)))
		}
	}
	held := make(map[string]bool, len(res.Held))
	for _, id := range res.Held {
		held[id] = true
	}
	for _, id := range order {
		e := prior[id]
		if entitled[id] || e.net.IsZero() || held[id] {
			// held: an invalid accrual row leaves the line undecided, not
			// void; crediting it would be undone once the row is fixed.
			continue
		}
		plan.Due = append(plan.Due, correction(area, vatPercent, p, e, nil, e.net.Neg(), ctx.reason(e, nil)))
	}
	sortLines(plan.Due)
	for _, l := range plan.Due {
		if l.Type == billing.Correction {
			plan.Corrections++
		}
	}
	plan.Findings = filterFindings(res.Findings, prior)
	return plan
}

// reasonHoldsAgain explains an OIKAISU that bills again a line credited in
// full earlier.
const reasonHoldsAgain = "laskutusperuste on taas voimassa (rivi hyvitettiin aiemmin kokonaan)"

// CorrectionID is the deterministic id of the OIKAISU that period p makes
// for original line id: a rerun of p gives the same id, another period a new one.
func CorrectionID(area, key string, p period.Month, original string) string {
	return billing.LineID(area, key, billing.Correction, p.String()+"/"+original)
}

func correction(area string, vatPercent decimal.Decimal, p period.Month, e *billedEntitlement, now *billing.Line, diff decimal.Decimal, reason string) billing.Line {
	orig := e.first
	// The difference is booked where the original was billed: a client who
	// has since moved does not move a municipality's earlier invoice lines.
	code, muni := orig.ClientCode, orig.Municipality
	if now != nil {
		code = now.ClientCode
		if muni == "" {
			muni = now.Municipality
		}
	}
	// The line entitled now has the corrected id, so its type and month
	// are the original's; without it, the billed original (or the stand-in
	// a correction of it gives) tells.
	origType, origMonth := orig.Type, orig.Month()
	if now != nil {
		origType, origMonth = now.Type, now.Month
	}
	id := e.id
	nowAmount := decimal.Zero
	if now != nil {
		nowAmount = now.Amount
	}
	what := origType.Finnish()
	if origType == billing.Effectiveness {
		what += " " + origMonth.String()
	}
	if what != "" {
		what = " (" + what + ")"
	}
	desc := fmt.Sprintf("Oikaisu riviin %s%s: %s. Aiemmin laskutettu %s €, nyt peruste %s €.",
		id, what, reason, fiMoney(e.net), fiMoney(nowAmount))
	diff = diff.Round(2)
	vat := billing.VAT(diff, vatPercent)
	return billing.Line{
		ID:            CorrectionID(area, orig.Key, p, id),
		Key:           orig.Key,
		ClientCode:    code,
		Municipality:  muni,
		Type:          billing.Correction,
		Date:          p.Last(),
		Month:         p,
		Amount:        diff,
		VAT:           vat,
		Gross:         diff.Add(vat),
		Description:   desc,
		Corrects:      id,
		CorrectsType:  origType,
		CorrectsMonth: origMonth,
	}
}

// standIn is the original line that correction c corrects, as far as c
// records it: its id, type and month, client and municipality.
func standIn(c Line) Line {
	orig := Line{ID: c.Corrects, Key: c.Key, ClientCode: c.ClientCode, Municipality: c.Municipality, Type: c.CorrectsType}
	if !c.CorrectsMonth.IsZero() {
		orig.Date = c.CorrectsMonth.Last()
	}
	return orig
}

func fiMoney(d decimal.Decimal) string {
	return strings.Replace(d.StringFixed(2), ".", ",", 1)
}

// reasonContext indexes what the computation knows of each client, to say
// in Finnish why a billed line no longer holds.
type reasonContext struct {
	clients  map[string]*billing.Client // by key
	findings map[string][]finding.Code  // by client code, skipped rows' codes
}

func newContext(res billing.Result) *reasonContext {
	c := &reasonContext{clients: map[string]*billing.Client{}, findings: map[string][]finding.Code{}}
	for i := range res.Clients {
		c.clients[res.Clients[i].Key] = &res.Clients[i]
	}
	for _, f := range res.Findings {
		if f.ClientCode != "" {
			c.findings[f.ClientCode] = append(c.findings[f.ClientCode], f.Code)
		}
	}
	return c
}

func (c *reasonContext) has(code string, fc finding.Code) bool {
	for _, x := range c.findings[code] {
		if x == fc {
			return true
		}
	}
	return false
}

// reason says why the billed entitlement e now bills now (nil: nothing).
func (c *reasonContext) reason(e *billedEntitlement, now *billing.Line) string {
	orig := e.first
	cl := c.clients[orig.Key]
	if cl == nil {
		switch {
		case c.has(orig.ClientCode, finding.ClientDuplicate):
			return "asiakas on nyt seurantataulukossa useammalla rivillä (CLIENT_DUPLICATE), joten sen rivejä ei laskuteta"
		case c.has(orig.ClientCode, finding.CodeDuplicate):
			return "asiakkaan koodi on nyt Muunto-välilehdellä moniselitteinen (CODE_DUPLICATE)"
		}
		return "asiakas ei ole enää laskutettavissa: rivi on poistettu seurantataulukosta, sen koodi puuttuu Muunto-välilehdeltä tai rivi hylättiin tarkistuksessa"
	}
	typ := orig.Type
	if typ == "" && now != nil {
		typ = now.Type
	}
	switch typ {
	case billing.Info:
		return "infotilaisuuden päivä on poistettu tai siirretty niin, ettei se enää täytä laskutuksen ehtoja"
	case billing.Start:
		return "aloituspäivä on poistettu tai siirretty niin, ettei se enää täytä laskutuksen ehtoja"
	case billing.Employed:
		switch {
		case now != nil:
			return "työsuhteen laji on muuttunut"
		case cl.Verification == billing.VerifyRefused:
			return "työllistyminen ei enää ole todennettu: seurantakuukausien maksupäivät ylittävät rajan (Kelan tiedot muuttuneet)"
		case cl.Verification == billing.VerifyPending:
			return "työllistymisen todentaminen on taas kesken (työllistymispäivä siirtynyt tai Kelan tiedot puuttuvat)"
		case cl.Employment == nil:
			return "työllistymispäivä tai työsuhteen laji on poistettu tai ei enää täytä laskutuksen ehtoja"
		}
		return "työllistyminen ei enää täytä laskutuksen ehtoja"
	case billing.Effectiveness:
		if cl.Start == nil {
			return "aloituspäivä on poistettu tai ei enää täytä ehtoja, joten vaikuttavuutta ei synny"
		}
		if now == nil {
			return "Kelan oikaisu tai muuttunut aloituspäivä poisti kuukauden säästön (tai asiakaskohtainen katto täyttyi aiemmin)"
		}
		return "Kelan oikaisu muutti kuukauden tai lähtötason kunnan osuutta (tai asiakaskohtainen katto)"
	}
	return "laskutuksen peruste on muuttunut"
}

// filterFindings drops verification and baseline notes about clients whose
// line of that kind is billed before (net non-zero).
func filterFindings(fs []finding.Finding, prior map[string]*billedEntitlement) []finding.Finding {
	employed, effective := map[string]bool{}, map[string]bool{}
	for _, e := range prior {
		if e.net.IsZero() {
			continue
		}
		switch e.first.Type {
		case billing.Employed:
			employed[e.first.ClientCode] = true
		case billing.Effectiveness:
			effective[e.first.ClientCode] = true
		}
	}
	out := make([]finding.Finding, 0, len(fs))
	for _, f := range fs {
		switch {
		case (f.Code == finding.PendingVerification || f.Code == finding.NotVerified) && employed[f.ClientCode]:
			continue
		case f.Code == finding.NoBaseline && effective[f.ClientCode]:
			continue
		}
		out = append(out, f)
	}
	return out
}

// sortLines orders lines like billing.Compute (client code, type, month) with
// OIKAISU after a client's other lines, by the line it corrects.
func sortLines(ls []billing.Line) {
	rank := func(t billing.LineType) int {
		for i, x := range billing.LineTypes {
			if x == t {
				return i
			}
		}
		return len(billing.LineTypes)
	}
	sort.SliceStable(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		if a.ClientCode != b.ClientCode {
			return a.ClientCode < b.ClientCode
		}
		if ra, rb := rank(a.Type), rank(b.Type); ra != rb {
			return ra < rb
		}
		if a.Month != b.Month {
			return a.Month.Before(b.Month)
		}
		return a.Corrects < b.Corrects
	})
}
