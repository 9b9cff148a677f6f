package privacy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/audit"
	"tyomatka/internal/hetu"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/pseudonym"
	"tyomatka/internal/state"
	"tyomatka/internal/tracking"
)

// Money is an amount written in JSON as a fixed two-decimal string
// ("50.00"), as finance reads it.
type Money struct{ decimal.Decimal }

// MarshalJSON implements json.Marshaler.
func (m Money) MarshalJSON() ([]byte, error) { return json.Marshal(m.StringFixed(2)) }

// UnmarshalJSON implements json.Unmarshaler.
func (m *Money) UnmarshalJSON(b []byte) error { return m.Decimal.UnmarshalJSON(b) }

// NothingHeld is the Finnish answer for a person the state has never seen.
const NothingHeld = "Laskutusbotin tilatiedoissa ei ole tietoja tästä henkilöstä."

// Incomplete is the Finnish answer when nothing was found but some output
// could not be read: "nothing held" would then be a claim nobody checked.
const Incomplete = "Luetuissa laskutusbotin tiedoissa ei ole tietoja tästä henkilöstä, mutta kaikkia raporttitiedostoja ei voitu lukea."

// Answer is what the bot's state holds about one person: the subject access
// answer. It names the person by pseudonymous key and client code only.
type Answer struct {
	Area        string         `json:"area"`
	Date        civil.Date     `json:"date"` // when the answer was made
	Key         string         `json:"key"`
	KeyID       string         `json:"key_id"` // fingerprint of the key Key is under
	Held        bool           `json:"held"`
	Message     string         `json:"message"` // Finnish summary
	ClientCodes []string       `json:"client_codes"`
	Lines       []AnswerLine   `json:"lines"`
	Runs        []AnswerRun    `json:"runs"`
	Outputs     []AnswerOutput `json:"outputs"`
	// Unreadable are the output files that could not be read back to check
	// for the person; the answer is complete only when there are none.
	Unreadable []AnswerOutput `json:"unreadable_outputs"`
	Complete   bool           `json:"complete"`
	Total      Money          `json:"total_amount"`
}

// AnswerLine is one ledger line of the person.
type AnswerLine struct {
	Period       string        `json:"period"`
	Status       ledger.Status `json:"status"`
	ID           string        `json:"id"`
	Type         string        `json:"type"`
	Month        string        `json:"month"`
	Date         civil.Date    `json:"date"`
	ClientCode   string        `json:"client_code"`
	Municipality string        `json:"municipality"`
	Amount       Money         `json:"amount"`
	VAT          Money         `json:"vat"`
	Corrects     string        `json:"corrects,omitempty"` // OIKAISU: the original line id
}

// AnswerRun is one audit record of a period that holds the person's lines.
type AnswerRun struct {
	Period    string       `json:"period"`
	Kind      string       `json:"kind"`
	RunID     string       `json:"run_id,omitempty"`
	AsOf      string       `json:"as_of"`
	StartedAt time.Time    `json:"started_at"`
	StartedBy string       `json:"started_by"`
	Inputs    []audit.File `json:"inputs"` // the personal-data files it read
}

// AnswerOutput is one output file that carries the person's client code
// (or, in Tasmaytys, client number).
type AnswerOutput struct {
	Period  string `json:"period"`
	Name    string `json:"name"`
	Written string `json:"written"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	Where   string `json:"where"` // output folder below the output root, or a local folder
	// Sheets are the sheets that mention the person, with their row counts;
	// nil when the file could not be read back (it is listed because its
	// period holds the person's lines).
	Sheets []SheetRows `json:"sheets"`
	// Error is why the file could not be read back (Answer.Unreadable
	// only): the storage's error, which names files, never the person.
	Error string `json:"error,omitempty"`
}

// SheetRows is how many rows of one sheet mention the person.
type SheetRows struct {
	Sheet string `json:"sheet"`
	Rows  int    `json:"rows"`
}

// Sources are the registers besides the state store that subject access
// reads. Both are optional.
type Sources struct {
	// Tracking finds the person's client codes (Muunto) and client numbers
	// (Asiakkaat), so that outputs carrying a person without billed lines
	// are found too.
	Tracking *tracking.Workbook
	// Fetch reads back output file name that a run recorded in rec.
	Fetch func(ctx context.Context, rec *ledger.Period, name string) ([]byte, error)
}

// Subject gathers what st holds about the person with identity code c. The
// code is used only to compute the key; it is in no field of the answer.
func Subject(ctx context.Context, st state.Store, area string, k *pseudonym.Keyer, c hetu.Code, today civil.Date) (*Answer, error) {
	return SubjectOf(ctx, st, area, k, c, today, Sources{})
}

// SubjectOf is Subject that also reads the tracking workbook and the output
// files: a person with findings but no billed line is still in the
// reconciliation report.
func SubjectOf(ctx context.Context, st state.Store, area string, k *pseudonym.Keyer, c hetu.Code, today civil.Date, src Sources) (*Answer, error) {
	snap, err := ledger.Load(ctx, st, area)
	if err != nil {
		return nil, err
	}
	l := snap.Ledger
	keyID := ledger.KeyID(k)
	// Under another key the person's lines would be invisible and the
	// answer a false "nothing held".
	if err := l.CheckKey(keyID); err != nil {
		return nil, fmt.Errorf("subject access: %w", err)
	}
	key := k.Key(c)
	a := &Answer{Area: area, Date: today, Key: key, KeyID: keyID, ClientCodes: []string{},
		Lines: []AnswerLine{}, Runs: []AnswerRun{}, Outputs: []AnswerOutput{}, Unreadable: []AnswerOutput{}, Total: Money{decimal.Zero}}
	codes := map[string]bool{}
	numbers := map[string]bool{}
	if wb := src.Tracking; wb != nil {
		for _, r := range wb.Codes {
			if r.HetuValid && r.Hetu == c {
				codes[r.Code] = true
			}
		}
		for _, r := range wb.Clients {
			if r.HetuValid && r.Hetu == c && r.ClientNumber != "" {
				numbers[r.ClientNumber] = true
			}
		}
	}
	linePeriods := map[period.Month]bool{}
	for _, m := range l.Months() {
		rec := l.Periods[m]
		for _, x := range rec.Lines {
			if x.Key != key {
				continue
			}
			linePeriods[m] = true
			codes[x.ClientCode] = true
			a.Lines = append(a.Lines, AnswerLine{Period: m.String(), Status: rec.Status, ID: x.ID, Type: string(x.Type),
				Month: x.Month().String(), Date: x.Date, ClientCode: x.ClientCode, Municipality: x.Municipality,
				Amount: Money{x.Amount}, VAT: Money{x.VAT}, Corrects: x.Corrects})
			if rec.Counts() {
				a.Total = Money{a.Total.Add(x.Amount)}
			}
		}
	}
	periods := map[period.Month]bool{}
	for _, m := range l.Months() {
		rec := l.Periods[m]
		where := rec.Dir
		if rec.OutDir != "" {
			where = rec.OutDir
		}
		for _, o := range rec.Outputs {
			if !strings.EqualFold(filepath.Ext(o.Name), ".xlsx") {
				continue // run-summary.json holds counts, never a client code
			}
			ao := AnswerOutput{Period: m.String(), Name: o.Name, Written: o.Written, Version: o.Version, SHA256: o.SHA256, Where: where}
			if src.Fetch != nil && (len(codes) > 0 || len(numbers) > 0) {
				data, err := src.Fetch(ctx, rec, o.Written)
				if err != nil {
					// The person may be in it: the answer must say it is
					// incomplete rather than leave the file out.
					u := ao
					u.Error = err.Error()
					a.Unreadable = append(a.Unreadable, u)
				} else {
					if ao.Sheets, err = mentions(data, codes, numbers, strings.HasPrefix(o.Name, "Tasmaytys_")); err != nil {
						return nil, fmt.Errorf("subject access: read %s of %s: %w", o.Written, m, err)
					}
					if len(ao.Sheets) == 0 {
						continue
					}
				}
			}
			if ao.Sheets == nil && !linePeriods[m] {
				continue // not read, and nothing says the person is in it
			}
			periods[m] = true
			a.Outputs = append(a.Outputs, ao)
		}
		if linePeriods[m] {
			periods[m] = true
		}
	}
	for _, m := range l.Months() {
		if !periods[m] {
			continue
		}
		recs, err := audit.List(ctx, st, area, m)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			in := r.Inputs
			if in == nil {
				in = []audit.File{}
			}
			a.Runs = append(a.Runs, AnswerRun{Period: r.Period, Kind: r.Kind, RunID: r.RunID, AsOf: r.AsOf,
				StartedAt: r.StartedAt, StartedBy: r.StartedBy, Inputs: in})
		}
	}
	if len(a.Lines) > 0 || len(a.Outputs) > 0 {
		a.ClientCodes = sortedKeys(codes)
	}
	sort.SliceStable(a.Runs, func(i, j int) bool { return a.Runs[i].StartedAt.Before(a.Runs[j].StartedAt) })
	a.Held = len(a.Lines) > 0 || len(a.Outputs) > 0
	a.Complete = len(a.Unreadable) == 0
	switch {
	case len(a.Lines) > 0:
		a.Message = fmt.Sprintf("Laskutusbotin tilatiedoissa on tästä henkilöstä %d laskuriviä %d laskutusjaksolta; "+
			"henkilö mainitaan %d raporttitiedostossa (asiakaskoodi %s).",
			len(a.Lines), len(linePeriods), len(a.Outputs), strings.Join(a.ClientCodes, ", "))
	case a.Held:
		a.Message = fmt.Sprintf("Henkilölle ei ole laskurivejä, mutta henkilö mainitaan %d raporttitiedostossa %d laskutusjaksolta (asiakaskoodi %s).",
			len(a.Outputs), len(periods), strings.Join(a.ClientCodes, ", "))
	case !a.Complete:
		a.Message = Incomplete
	default:
		a.Message = NothingHeld
	}
	if !a.Complete {
		a.Message += " " + incompleteNote(a.Unreadable)
	}
	return a, nil
}

// LinePeriods is the number of billing periods holding the person's lines.
func (a *Answer) LinePeriods() int {
	ps := map[string]bool{}
	for _, l := range a.Lines {
		ps[l.Period] = true
	}
	return len(ps)
}

// mentions counts, per sheet, the rows of workbook data that hold one of
// codes as a whole cell value, or (numbers too) one of numbers.
func mentions(data []byte, codes, numbers map[string]bool, numbersToo bool) ([]SheetRows, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := []SheetRows{}
	for _, sh := range f.GetSheetList() {
		rows, err := f.Rows(sh)
		if err != nil {
			return nil, err
		}
		n := 0
		for rows.Next() {
			cols, err := rows.Columns()
			if err != nil {
				rows.Close()
				return nil, err
			}
			for _, v := range cols {
				v = strings.TrimSpace(v)
				if codes[v] || numbersToo && numbers[v] {
					n++
					break
				}
			}
		}
		err = rows.Error()
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, SheetRows{Sheet: sh, Rows: n})
		}
	}
	return out, nil
}

// incompleteNote names the output files that could not be read back.
func incompleteNote(us []AnswerOutput) string {
	names := make([]string, len(us))
	for i, u := range us {
		names[i] = u.Period + " " + u.Written
	}
	return fmt.Sprintf("Vastaus on puutteellinen: %d raporttitiedostoa ei voitu lukea (%s), joten niissä mahdollisesti olevia tietoja henkilöstä ei ole tarkistettu.",
		len(us), strings.Join(names, ", "))
}

// FileBase is the answer files' name without extension: the key's first 12
// hex characters, never the identity code.
func (a *Answer) FileBase() string { return "tietopyynto_" + a.Area + "_" + a.Key[:12] }

// WriteFiles writes the answer as JSON and as a Finnish workbook into dir
// and returns their paths.
func WriteFiles(dir string, a *Answer) (jsonPath, xlsxPath string, err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", "", fmt.Errorf("subject access: %w", err)
	}
	raw, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return "", "", fmt.Errorf("subject access: %w", err)
	}
	jsonPath = filepath.Join(dir, a.FileBase()+".json")
	if err := writeFileAtomic(jsonPath, append(raw, '\n')); err != nil {
		return "", "", err
	}
	data, err := Workbook(a)
	if err != nil {
		return "", "", err
	}
	xlsxPath = filepath.Join(dir, a.FileBase()+".xlsx")
	if err := writeFileAtomic(xlsxPath, data); err != nil {
		return "", "", err
	}
	return jsonPath, xlsxPath, nil
}

// writeFileAtomic writes through a temporary file so that a reader never
// sees half an answer.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
