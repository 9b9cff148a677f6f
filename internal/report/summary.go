package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"tyomatka/internal/finding"
)

// Summary returns run-summary.json (SPEC §4 item 4): amounts in integer
// cents, every line type and finding code present, keys in a fixed order,
// indented by two spaces and ending in a newline.
func Summary(in *Input, outputs []OutputFile) ([]byte, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	byType, munis, byMuni, all := in.totals()

	var lines object
	for _, t := range typeOrder(in.Lines) {
		s := byType[t]
		if s == nil {
			s = &sum{}
		}
		v, err := s.cents(false)
		if err != nil {
			return nil, fmt.Errorf("run summary: lines %s: %w", t, err)
		}
		lines = append(lines, member{string(t), v})
	}
	tot, err := all.cents(true)
	if err != nil {
		return nil, fmt.Errorf("run summary: totals: %w", err)
	}
	muni := object{}
	for _, m := range munis {
		v, err := byMuni[m].cents(false)
		if err != nil {
			return nil, fmt.Errorf("run summary: municipality %q: %w", m, err)
		}
		muni = append(muni, member{m, v})
	}

	counts := finding.Count(in.result().Findings)
	findings := object{}
	for _, c := range finding.Codes {
		findings = append(findings, member{string(c), counts[c]})
		delete(counts, c)
	}
	// Codes the list does not know yet are reported after it, not dropped.
	var extra []string
	for c := range counts {
		extra = append(extra, string(c))
	}
	sort.Strings(extra)
	for _, c := range extra {
		findings = append(findings, member{c, counts[finding.Code(c)]})
	}

	inputs := make([]inputJSON, len(in.Inputs))
	for i, f := range in.Inputs {
		inputs[i] = inputJSON(f)
	}
	outs := make([]outputJSON, len(outputs))
	for i, f := range outputs {
		outs[i] = outputJSON(f)
	}
	doc := object{
		{"area", in.Config.Area},
		{"period", in.Period.String()},
		{"as_of", in.AsOf.String()},
		{"run_id", in.RunID},
		{"dry_run", in.DryRun},
		{"lines", lines},
		{"totals", tot},
		{"by_municipality", muni},
		{"findings", findings},
		{"inputs", inputs},
		{"outputs", outs},
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("run summary: %w", err)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return nil, fmt.Errorf("run summary: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

type inputJSON struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Rows   int    `json:"rows"`
}

type outputJSON struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// member is one key of an object whose key order matters.
type member struct {
	Key   string
	Value any
}

// object is a JSON object written in its own order (encoding/json sorts map
// keys, which would put ALOITUS before INFO).
type object []member

// MarshalJSON implements json.Marshaler.
func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(m.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Key, err)
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// cents renders a sum with its amounts in cents; gross only for totals.
func (s *sum) cents(gross bool) (object, error) {
	o := object{{"count", s.Count}}
	parts := []struct {
		key string
		d   decimal.Decimal
	}{{"amount_cents", s.Amount}, {"vat_cents", s.VAT}}
	if gross {
		parts = append(parts, struct {
			key string
			d   decimal.Decimal
		}{"gross_cents", s.Gross})
	}
	for _, p := range parts {
		c, err := toCents(p.d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.key, err)
		}
		o = append(o, member{p.key, c})
	}
	return o, nil
}

// toCents converts euros to exact integer cents; a fraction of a cent means
// a line was not rounded and is an error, never silently rounded here.
func toCents(d decimal.Decimal) (int64, error) {
	c := d.Shift(2)
	if !c.IsInteger() {
		return 0, fmt.Errorf("%s euros is not a whole number of cents", d.String())
	}
	if !c.Equal(decimal.NewFromInt(c.IntPart())) {
		return 0, fmt.Errorf("%s euros is out of range", d.String())
	}
	return c.IntPart(), nil
}
