package billing

import (
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"sort"
	"strings"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/accrual"
	"tyomatka/internal/finding"
	"tyomatka/internal/hetu"
	"tyomatka/internal/period"
	"tyomatka/internal/tracking"
)

// Compute applies SPEC §3 to in and returns every line the rules entitle the
// provider to up to in.Period, every finding and the billable clients.
//
// It has no hidden state: the same Input always gives the same Result, so a
// later ledger step can diff these entitlements against lines billed before.
// in.Config, in.Tracking and in.Key must not be nil; in.Accruals may be nil
// (no lists at all).
func Compute(in Input) Result {
	c := newComputation(in)
	c.codes()
	c.doubts()
	c.clients()
	c.gaps()
	c.invalidRows()
	c.sort()
	return Result{Lines: c.lines, Findings: c.findings, Clients: c.billable, Accruals: c.accruals, Held: c.held}
}

// computation carries one Compute call's working state.
type computation struct {
	in   Input
	file string // the tracking workbook's name, for findings
	endP civil.Date
	acc  *accrual.Data

	// From Muunto: distinct codes per person and distinct persons per code,
	// each in row order, with the rows they came from for messages.
	codesOf   map[hetu.Code][]string
	personsOf map[string][]hetu.Code
	codeRows  map[hetu.Code][]int
	rowsOf    map[string][]int

	// doubt holds, per person with an invalid accrual row, the months
	// that row is about (all of them when its month was invalid too).
	doubt map[hetu.Code]*doubt
	held  []string // Result.Held

	lines    []Line
	findings []finding.Finding
	billable []Client
	accruals []ClientMonth
}

type doubt struct {
	months map[period.Month]bool
	all    bool
}

// doubts collects the person-months of invalid accrual rows. Such a row is
// ignored (§3.4), but its amounts are then missing from the person's month:
// counted as zero benefit it could verify an employment or raise an
// effectiveness fee that the real figures would not. The month is therefore
// treated like one whose list is missing, for that person only, until the
// row is fixed.
func (c *computation) doubts() {
	for _, o := range c.acc.Owners {
		if o.Hetu == "" {
			continue
		}
		d := c.doubt[o.Hetu]
		if d == nil {
			d = &doubt{months: map[period.Month]bool{}}
			c.doubt[o.Hetu] = d
		}
		if o.Month.IsZero() {
			d.all = true
		} else {
			d.months[o.Month] = true
		}
	}
}

// doubtsAll reports whether an invalid row of h had an invalid month, so
// that every month of h is in doubt.
func (c *computation) doubtsAll(h hetu.Code) bool {
	d := c.doubt[h]
	return d != nil && d.all
}

// doubtful reports whether h's month m has an invalid row.
func (c *computation) doubtful(h hetu.Code, m period.Month) bool {
	d := c.doubt[h]
	return d != nil && (d.all || d.months[m])
}

// invalidRows adds the ACCRUAL_ROW_INVALID findings, each naming the
// client whose row it is when the row's identity code maps to one code.
func (c *computation) invalidRows() {
	for i, f := range c.acc.Invalid {
		if i < len(c.acc.Owners) {
			if codes := c.codesOf[c.acc.Owners[i].Hetu]; c.acc.Owners[i].Hetu != "" && len(codes) == 1 {
				f.ClientCode = codes[0]
			}
		}
		c.findings = append(c.findings, f)
	}
	c.findings = append(c.findings, c.acc.Notes...)
}

func newComputation(in Input) *computation {
	acc := in.Accruals
	if acc == nil {
		acc = &accrual.Data{}
	}
	return &computation{
		in:        in,
		file:      in.Tracking.File,
		endP:      in.Period.Last(),
		acc:       acc,
		codesOf:   map[hetu.Code][]string{},
		personsOf: map[string][]hetu.Code{},
		codeRows:  map[hetu.Code][]int{},
		rowsOf:    map[string][]int{},
		doubt:     map[hetu.Code]*doubt{},
	}
}

// codes indexes Muunto. Rows with an invalid identity code are reported and
// ignored: they can neither give a client a code nor make one ambiguous.
func (c *computation) codes() {
	for _, r := range c.in.Tracking.Codes {
		if r.CodeHetu {
			// The row maps nobody: its person then has no code
			// (CODE_MISSING) and is not billed until it is fixed.
			c.findings = append(c.findings, finding.New(finding.HetuMisplaced, c.file, tracking.CodesSheet, r.Row, r.CodeColumn, msgHetuInCode()))
			continue
		}
		if !r.HetuValid {
			f := finding.New(finding.HetuInvalid, c.file, tracking.CodesSheet, r.Row, r.HetuColumn, msgHetuInvalidCodes())
			f.ClientCode = r.Code
			c.findings = append(c.findings, f)
			continue
		}
		if !contains(c.codesOf[r.Hetu], r.Code) {
			c.codesOf[r.Hetu] = append(c.codesOf[r.Hetu], r.Code)
		}
		if !contains(c.personsOf[r.Code], r.Hetu) {
			c.personsOf[r.Code] = append(c.personsOf[r.Code], r.Hetu)
		}
		c.codeRows[r.Hetu] = append(c.codeRows[r.Hetu], r.Row)
		c.rowsOf[r.Code] = append(c.rowsOf[r.Code], r.Row)
	}
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// clients applies §3.1 to every row of Asiakkaat and §3.2–§3.4 to the rows
// that are not skipped.
func (c *computation) clients() {
	rows := c.in.Tracking.Clients
	// Sized up front: at national scale these hold a million entries, and
	// growing them by appends was a third of Compute's time.
	c.billable = make([]Client, 0, len(rows))
	c.lines = make([]Line, 0, 2*len(rows))
	months := 0
	for _, p := range c.acc.Persons {
		months += len(p.Months)
	}
	c.accruals = make([]ClientMonth, 0, min(months, 12*len(rows)))
	// Rows skipped for their identity code or referral date do not count
	// towards CLIENT_DUPLICATE, so duplicates are counted among the rest only.
	dupRows := map[hetu.Code][]int{}
	for i := range rows {
		if c.precheck(&rows[i]) == "" {
			dupRows[rows[i].Hetu] = append(dupRows[rows[i].Hetu], rows[i].Row)
		}
	}
	for i := range rows {
		r := &rows[i]
		// Billed as usual; only the value, which would reach the reports,
		// is dropped.
		misplaced := func(column, msg string) {
			f := finding.New(finding.HetuMisplaced, c.file, tracking.ClientsSheet, r.Row, column, msg)
			if r.HetuValid && len(c.codesOf[r.Hetu]) == 1 {
				f.ClientCode = c.codesOf[r.Hetu][0]
			}
			c.findings = append(c.findings, f)
		}
		if r.ClientNumberHetu {
			misplaced(r.ClientNumberColumn, msgHetuInClientNumber())
		}
		if r.MunicipalityHetu {
			misplaced(r.MunicipalityColumn, msgHetuInMunicipality())
		}
		if f, skipped := c.skip(r, dupRows); skipped {
			c.findings = append(c.findings, f)
			continue
		}
		c.client(r, c.codesOf[r.Hetu][0])
	}
}

// precheck returns the first of HETU_INVALID, REFERRAL_MISSING and
// DATE_FUTURE that applies to r, or "".
func (c *computation) precheck(r *tracking.Client) finding.Code {
	switch {
	case !r.HetuValid:
		return finding.HetuInvalid
	case !r.Referral.Valid:
		return finding.ReferralMissing
	case r.Referral.Date.After(c.in.AsOf):
		return finding.DateFuture
	}
	return ""
}

// skip returns the one finding of a skipped row (§3.1), in the spec's order.
func (c *computation) skip(r *tracking.Client, dupRows map[hetu.Code][]int) (finding.Finding, bool) {
	mk := func(code finding.Code, column, msg string) (finding.Finding, bool) {
		f := finding.New(code, c.file, tracking.ClientsSheet, r.Row, column, msg)
		f.ClientNumber = r.ClientNumber
		if r.HetuValid && len(c.codesOf[r.Hetu]) == 1 {
			f.ClientCode = c.codesOf[r.Hetu][0]
		}
		return f, true
	}
	switch c.precheck(r) {
	case finding.HetuInvalid:
		// The code cannot be looked up without a valid identity code.
		f := finding.New(finding.HetuInvalid, c.file, tracking.ClientsSheet, r.Row, r.HetuColumn, msgHetuInvalidClient())
		f.ClientNumber = r.ClientNumber
		return f, true
	case finding.ReferralMissing:
		return mk(finding.ReferralMissing, r.Referral.Column, msgReferralMissing(r.Referral.Raw))
	case finding.DateFuture:
		return mk(finding.DateFuture, r.Referral.Column, msgReferralFuture(r.Referral.Date, c.in.AsOf))
	}
	if rows := dupRows[r.Hetu]; len(rows) > 1 {
		return mk(finding.ClientDuplicate, r.HetuColumn, msgClientDuplicate(r.Row, rows))
	}
	codes := c.codesOf[r.Hetu]
	if len(codes) == 0 {
		return mk(finding.CodeMissing, r.HetuColumn, msgCodeMissing())
	}
	if len(codes) > 1 {
		return mk(finding.CodeDuplicate, r.HetuColumn, msgCodeSeveral(codes, c.codeRows[r.Hetu]))
	}
	if len(c.personsOf[codes[0]]) > 1 {
		return mk(finding.CodeDuplicate, r.HetuColumn, msgCodeShared(codes[0], c.rowsOf[codes[0]]))
	}
	return finding.Finding{}, false
}

// milestone is a date column after the date rules.
type milestone struct {
	date   civil.Date
	exists bool // a parseable date
	passes bool // exists and passes every date rule
}

// client applies §3.2–§3.4 to one row that is not skipped.
func (c *computation) client(r *tracking.Client, code string) {
	cfg := c.in.Config
	R, D := r.Referral.Date, c.in.AsOf
	person := c.acc.Persons[r.Hetu]
	key := c.in.Key(r.Hetu)
	muni := r.Municipality
	if muni == "" && person != nil {
		muni = person.Municipality
	}
	if muni == "" {
		muni = cfg.DefaultMunicipality
	}
	// hold records a line an invalid accrual row keeps undecided (doubts).
	hold := func(t LineType, m period.Month) {
		idMonth := ""
		if t == Effectiveness {
			idMonth = m.String()
		}
		c.held = append(c.held, LineID(cfg.Area, key, t, idMonth))
	}
	// Findings name the client by its code, never by identity code or name.
	add := func(fc finding.Code, column, msg string) {
		f := finding.New(fc, c.file, tracking.ClientsSheet, r.Row, column, msg)
		f.ClientCode, f.ClientNumber = code, r.ClientNumber
		c.findings = append(c.findings, f)
	}

	// I and S have the referral as predecessor; E has S (below).
	afterReferral := func(cell tracking.DateCell, what label) milestone {
		m := c.parsed(cell, what, add)
		if !m.exists {
			return m
		}
		m.passes = true
		if m.date.Before(R) {
			add(finding.DateOrder, cell.Column, msgDateOrder(what, m.date, labelReferral, &R))
			m.passes = false
		}
		if m.date.After(D) {
			add(finding.DateFuture, cell.Column, msgDateFuture(what, m.date, D))
			m.passes = false
		}
		return m
	}
	info := afterReferral(r.Info, labelInfo)
	start := afterReferral(r.Start, labelStart)
	c.parsed(r.End, labelEnd, add) // Päättyminen is checked for parseability only

	emp := c.parsed(r.Employment, labelEmployment, add)
	typeKnown := r.EmploymentType == tracking.TypeOpen || r.EmploymentType == tracking.TypeSubsidised
	if emp.exists {
		emp.passes = true
		// "S exists" means a parseable S, whether or not S passes its own rules.
		if !start.exists || emp.date.Before(start.date) {
			var s *civil.Date
			if start.exists {
				s = &start.date
			}
			add(finding.DateOrder, r.Employment.Column, msgDateOrder(labelEmployment, emp.date, labelStart, s))
			emp.passes = false
		}
		if emp.date.After(D) {
			add(finding.DateFuture, r.Employment.Column, msgDateFuture(labelEmployment, emp.date, D))
			emp.passes = false
		}
		if !typeKnown {
			column := r.TypeColumn
			if column == "" {
				column = r.Employment.Column
			}
			add(finding.EmploymentType, column, msgEmploymentType(r.TypeRaw, r.TypeColumn != "", emp.date))
			emp.passes = false
		}
	}

	cl := Client{
		Key: key, ClientCode: code, ClientNumber: r.ClientNumber, Municipality: muni,
		Referral: R, EmployType: r.EmploymentType,
	}
	if info.passes {
		cl.Info = ptr(info.date)
	}
	if start.passes {
		cl.Start = ptr(start.date)
	}
	if emp.passes {
		cl.Employment = ptr(emp.date)
	}

	line := func(t LineType, date civil.Date, amount decimal.Decimal, desc string) {
		c.lines = append(c.lines, c.newLine(key, code, muni, t, date, amount, desc))
	}
	if info.passes && c.billableDate(info.date) {
		line(Info, info.date, cfg.Fees.Info, descInfo(info.date))
	}
	if start.passes && c.billableDate(start.date) {
		line(Start, start.date, cfg.Fees.Start, descStart(start.date))
	}
	if emp.passes && c.billableDate(emp.date) {
		c.verify(&cl, person, emp.date, r, add, line, hold)
	}
	if start.passes {
		c.effectiveness(start.date, person, r, add, line, hold)
	}
	c.mismatch(r, person, add)

	c.billable = append(c.billable, cl)
	if person != nil {
		for _, m := range sortedMonths(person.Months) {
			if c.acc.Covered[m] {
				c.accruals = append(c.accruals, ClientMonth{ClientCode: code, Month: m, MonthTotal: *person.Months[m]})
			}
		}
	}
}

func ptr(d civil.Date) *civil.Date { return &d }

// parsed turns a date cell into a milestone, reporting an unparseable one: it
// then counts as absent.
func (c *computation) parsed(cell tracking.DateCell, what label, add func(finding.Code, string, string)) milestone {
	if cell.Valid {
		return milestone{date: cell.Date, exists: true}
	}
	if cell.Present {
		add(finding.DateInvalid, cell.Column, msgDateInvalid(what, cell.Raw))
	}
	return milestone{}
}

// billableDate reports whether a milestone that passed its date rules falls in
// the contract and is due by P. A milestone after End(P) is simply not due
// yet, and one outside the contract is not billed under it: neither is a
// finding.
func (c *computation) billableDate(d civil.Date) bool {
	k := c.in.Config.Contract
	return !d.Before(k.ValidFrom) && !d.After(k.ValidTo) && !d.After(c.endP)
}

// verify applies the sustainment rule of TYOLLISTYMINEN to an employment that
// is otherwise due.
func (c *computation) verify(cl *Client, person *accrual.Person, e civil.Date, r *tracking.Client,
	add func(finding.Code, string, string), line func(LineType, civil.Date, decimal.Decimal, string), hold func(LineType, period.Month)) {
	cfg := c.in.Config
	me := period.Of(e)
	n := cfg.Verification.SustainMonths
	first, last := me.Add(1), me.Add(n)
	var missing, doubtful []period.Month
	days := decimal.Zero
	for k := 1; k <= n; k++ {
		m := me.Add(k)
		if m.After(c.in.Period) || !c.acc.Covered[m] {
			missing = append(missing, m)
			continue
		}
		if c.doubtful(r.Hetu, m) {
			doubtful = append(doubtful, m)
			continue
		}
		if t := monthOf(person, m); t != nil {
			days = days.Add(t.PaidDays())
		}
	}
	switch {
	case len(missing) > 0 || len(doubtful) > 0:
		// Pending even when the known months already exceed the limit: a later
		// Kela correction could still bring the sum down.
		cl.Verification = VerifyPending
		if len(doubtful) > 0 {
			hold(Employed, period.Month{})
		}
		add(finding.PendingVerification, r.Employment.Column, msgPendingVerification(e, first, last, missing, doubtful, c.doubtsAll(r.Hetu)))
	case days.GreaterThan(cfg.Verification.MaxBenefitDays):
		cl.Verification = VerifyRefused
		add(finding.NotVerified, r.Employment.Column, msgNotVerified(e, first, last, days, cfg.Verification.MaxBenefitDays))
	default:
		cl.Verification = VerifyVerified
		cl.VerifiedIn = last
		fee := cfg.Fees.EmployedOpen
		if r.EmploymentType == tracking.TypeSubsidised {
			fee = cfg.Fees.EmployedSubsidised
		}
		line(Employed, e, fee, descEmployed(r.EmploymentType, e, first, last, n))
	}
}

// effectiveness makes the VAIKUTTAVUUS lines of a client whose start date S
// passed the date rules. S itself may precede valid_from: only the billed
// months are limited to the contract.
func (c *computation) effectiveness(s civil.Date, person *accrual.Person, r *tracking.Client,
	add func(finding.Code, string, string), line func(LineType, civil.Date, decimal.Decimal, string), hold func(LineType, period.Month)) {
	cfg := c.in.Config
	eff := cfg.Effectiveness
	ms := period.Of(s)
	from, to := period.Of(cfg.Contract.ValidFrom), period.Of(cfg.Contract.ValidTo)

	// A start after End(P) is not due yet: no lines and no finding (§3.2).
	// Otherwise the baseline is checked even before the first follow-up month
	// can bill: the spec qualifies PENDING_VERIFICATION and NOT_VERIFIED with
	// "would otherwise be due" but not NO_BASELINE, and a unit head is better
	// told early that the client's baseline is missing.
	if s.After(c.in.Period.Last()) {
		return
	}
	var months []period.Month
	for k := 1; k <= eff.FollowupMonths; k++ {
		m := ms.Add(k)
		if m.After(c.in.Period) || m.Before(from) || m.After(to) {
			continue
		}
		months = append(months, m)
	}

	n := eff.BaselineMonths
	sum := decimal.Zero
	var uncovered, doubtful []period.Month
	for k := n; k >= 1; k-- {
		m := ms.Add(-k)
		if !c.acc.Covered[m] {
			uncovered = append(uncovered, m)
			continue
		}
		if c.doubtful(r.Hetu, m) {
			doubtful = append(doubtful, m)
			continue
		}
		sum = sum.Add(share(person, m))
	}
	if len(uncovered) > 0 || len(doubtful) > 0 {
		add(finding.NoBaseline, r.Start.Column, msgNoBaseline(s, ms.Add(-n), ms.Add(-1), uncovered, doubtful, c.doubtsAll(r.Hetu)))
		if len(doubtful) > 0 {
			for _, m := range months {
				hold(Effectiveness, m)
			}
		}
		return
	}

	total := decimal.Zero
	for _, m := range months {
		if !c.acc.Covered[m] {
			continue // a missing list is an ACCRUAL_GAP, never a zero benefit
		}
		if c.doubtful(r.Hetu, m) {
			// Nor is an invalid row (ACCRUAL_ROW_INVALID): the month is
			// decided once it is fixed.
			hold(Effectiveness, m)
			continue
		}
		fee := EffectivenessFee(sum, share(person, m), n, eff.SharePercent)
		if !fee.IsPositive() {
			continue
		}
		capped := false
		if rest := eff.CapPerClient.Sub(total); fee.GreaterThan(rest) {
			fee, capped = rest, true
		}
		if !fee.IsPositive() {
			continue
		}
		total = total.Add(fee)
		line(Effectiveness, m.Last(), fee, descEffectiveness(m, m.Index()-ms.Index(), eff.FollowupMonths, capped, eff.CapPerClient))
	}
}

// EffectivenessFee is one follow-up month's VAIKUTTAVUUS fee before the
// cap: round((baselineSum − n·actual) × sharePercent / (100·n)) to cents,
// half away from zero; zero when there is no saving. B = Σ/n is rarely a
// finite decimal, so the division comes last and is exact.
func EffectivenessFee(baselineSum, actual decimal.Decimal, n int, sharePercent decimal.Decimal) decimal.Decimal {
	saving := baselineSum.Sub(decimal.NewFromInt(int64(n)).Mul(actual))
	if !saving.IsPositive() || n <= 0 {
		return decimal.Zero
	}
	return roundQuo(saving.Mul(sharePercent), int64(100*n))
}

// mismatch compares the workbook's Maksupäivät with Kela's accrued days in
// the referral month (§3.4). It is checked only when Kela has rows for the
// client in that month: otherwise there is nothing to compare with.
func (c *computation) mismatch(r *tracking.Client, person *accrual.Person, add func(finding.Code, string, string)) {
	if r.DaysRaw == "" {
		return
	}
	m := period.Of(r.Referral.Date)
	t := monthOf(person, m)
	if t == nil || t.Rows == 0 {
		return
	}
	if !r.DaysValid {
		add(finding.AccrualMismatch, r.DaysColumn, msgAccrualDaysNotNumber(r.DaysRaw, m))
		return
	}
	tol := c.in.Config.Reconciliation.AccrualDaysTolerance
	if maxAccrued := t.MaxAccrued(); r.Days.Sub(maxAccrued).Abs().GreaterThan(tol) {
		add(finding.AccrualMismatch, r.DaysColumn, msgAccrualMismatch(r.Days, maxAccrued, m, tol))
	}
}

// gaps reports every month between the first and the last covered month that
// has no rows (§3.4).
func (c *computation) gaps() {
	var covered []period.Month
	for m, ok := range c.acc.Covered {
		if ok {
			covered = append(covered, m)
		}
	}
	if len(covered) == 0 {
		return
	}
	sort.Slice(covered, func(i, j int) bool { return covered[i].Before(covered[j]) })
	for m := covered[0]; m.Before(covered[len(covered)-1]); m = m.Add(1) {
		if !c.acc.Covered[m] {
			c.findings = append(c.findings, finding.New(finding.AccrualGap, "", "", 0, gapColumn, msgAccrualGap(m)))
		}
	}
	c.listsMissing()
}

// listsMissing warns of a month between the lists' own months that no list
// is the list of, while another list's correction rows cover it. The spec
// counts such a month as covered (§3.4), so this changes no line; but its
// own list is most likely missing, and then every client without a
// correction row in it looks as if they had no benefit that month.
func (c *computation) listsMissing() {
	own := map[period.Month]bool{}
	var first, last period.Month
	for _, f := range c.acc.Files {
		for _, m := range f.OwnMonths() {
			own[m] = true
			if first.IsZero() || m.Before(first) {
				first = m
			}
			if m.After(last) {
				last = m
			}
		}
	}
	for m := first; !first.IsZero() && m.Before(last); m = m.Add(1) {
		if own[m] || !c.acc.Covered[m] {
			continue
		}
		var from []string
		for _, f := range c.acc.Files {
			if f.MonthRows[m] > 0 {
				from = append(from, f.Name)
			}
		}
		c.findings = append(c.findings, finding.New(finding.AccrualListMissing, from[0], "", 0, gapColumn, msgAccrualListMissing(m, from)))
	}
}

// gapColumn names the accrual lists' month column, the one a missing list
// would fill.
const gapColumn = "Kuukausi"

func monthOf(p *accrual.Person, m period.Month) *accrual.MonthTotal {
	if p == nil {
		return nil
	}
	return p.Months[m]
}

// share is the client's Kunnan osuus of month m: 0 when a covered month has no
// row for the client.
func share(p *accrual.Person, m period.Month) decimal.Decimal {
	if t := monthOf(p, m); t != nil {
		return t.Share()
	}
	return decimal.Zero
}

func sortedMonths(ms map[period.Month]*accrual.MonthTotal) []period.Month {
	out := make([]period.Month, 0, len(ms))
	for m, t := range ms {
		if t != nil {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// roundQuo returns num/den rounded to cents, half away from zero, computed
// exactly with integers: decimal.Div works to a limited precision, and a
// quotient such as 35.985/3 cut to 16 digits rounds the wrong way.
func roundQuo(num decimal.Decimal, den int64) decimal.Decimal {
	// cents = num·100/den = coef·10^(exp+2)/den.
	coef := new(big.Int).Set(num.Coefficient())
	d := big.NewInt(den)
	if e := int64(num.Exponent()) + 2; e >= 0 {
		coef.Mul(coef, new(big.Int).Exp(big.NewInt(10), big.NewInt(e), nil))
	} else {
		d.Mul(d, new(big.Int).Exp(big.NewInt(10), big.NewInt(-e), nil))
	}
	if d.Sign() < 0 {
		coef.Neg(coef)
		d.Neg(d)
	}
	q, r := new(big.Int).QuoRem(coef, d, new(big.Int))
	// Half away from zero: |r|·2 ≥ d moves q one further from zero.
	if new(big.Int).Lsh(new(big.Int).Abs(r), 1).Cmp(d) >= 0 {
		if coef.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return decimal.NewFromBigInt(q, -2)
}

// VAT returns the VAT of a line amount: round(amount × percent / 100), to
// cents, half away from zero (decimal.Round rounds half away from zero).
func VAT(amount, percent decimal.Decimal) decimal.Decimal {
	return amount.Mul(percent).Shift(-2).Round(2)
}

func (c *computation) newLine(key, code, muni string, t LineType, date civil.Date, amount decimal.Decimal, desc string) Line {
	amount = amount.Round(2)
	vat := VAT(amount, c.in.Config.Contract.VATPercent)
	m := period.Of(date)
	idMonth := ""
	if t == Effectiveness {
		idMonth = m.String()
	}
	return Line{
		ID:           LineID(c.in.Config.Area, key, t, idMonth),
		Key:          key,
		ClientCode:   code,
		Municipality: muni,
		Type:         t,
		Date:         date,
		Month:        m,
		Amount:       amount,
		VAT:          vat,
		Gross:        amount.Add(vat),
		Description:  desc,
	}
}

// LineID is the deterministic id of a line: "L" and the upper-case hex of the
// first 8 bytes of SHA-256(area, key, type, month), NUL-separated so that no
// two different tuples can run together into the same bytes. month is ""
// except for VAIKUTTAVUUS (yyyy-mm).
func LineID(area, key string, t LineType, month string) string {
	h := sha256.Sum256([]byte(area + "\x00" + key + "\x00" + string(t) + "\x00" + month))
	return "L" + strings.ToUpper(hex.EncodeToString(h[:8]))
}

// typeRank orders lines: INFO, ALOITUS, TYOLLISTYMINEN, VAIKUTTAVUUS, OIKAISU.
func typeRank(t LineType) int {
	for i, x := range LineTypes {
		if x == t {
			return i
		}
	}
	return len(LineTypes)
}

func codeRank(fc finding.Code) int {
	for i, x := range finding.Codes {
		if x == fc {
			return i
		}
	}
	return len(finding.Codes)
}

func (c *computation) sort() {
	sort.SliceStable(c.lines, func(i, j int) bool {
		a, b := c.lines[i], c.lines[j]
		if a.ClientCode != b.ClientCode {
			return a.ClientCode < b.ClientCode
		}
		if ra, rb := typeRank(a.Type), typeRank(b.Type); ra != rb {
			return ra < rb
		}
		return a.Month.Before(b.Month)
	})
	sort.SliceStable(c.findings, func(i, j int) bool {
		a, b := c.findings[i], c.findings[j]
		if (a.File == "") != (b.File == "") {
			return a.File != ""
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Sheet != b.Sheet {
			return a.Sheet < b.Sheet
		}
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		return codeRank(a.Code) < codeRank(b.Code)
	})
	sort.SliceStable(c.billable, func(i, j int) bool { return c.billable[i].ClientCode < c.billable[j].ClientCode })
	sort.SliceStable(c.accruals, func(i, j int) bool {
		a, b := c.accruals[i], c.accruals[j]
		if a.ClientCode != b.ClientCode {
			return a.ClientCode < b.ClientCode
		}
		return a.Month.Before(b.Month)
	})
}
