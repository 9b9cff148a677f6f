package privacy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/audit"
	"tyomatka/internal/hetu"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/pseudonym"
	"tyomatka/internal/state"
)

// NothingHeld is the Finnish answer for a person the state has never seen.
const NothingHeld = "Laskutusbotin tilatiedoissa ei ole tietoja tästä henkilöstä."

// Answer is what the bot's state holds about one person: the subject access
// answer. It names the person by pseudonymous key and client code only.
type Answer struct {
	Area        string          `json:"area"`
	Date        civil.Date      `json:"date"` // when the answer was made
	Key         string          `json:"key"`
	KeyID       string          `json:"key_id"` // fingerprint of the key Key is under
	Held        bool            `json:"held"`
	Message     string          `json:"message"` // Finnish summary
	ClientCodes []string        `json:"client_codes"`
	Lines       []AnswerLine    `json:"lines"`
	Runs        []AnswerRun     `json:"runs"`
	Outputs     []AnswerOutput  `json:"outputs"`
	Total       decimal.Decimal `json:"total_amount"`
}

// AnswerLine is one ledger line of the person.
type AnswerLine struct {
	Period       string          `json:"period"`
	Status       ledger.Status   `json:"status"`
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	Month        string          `json:"month"`
	Date         civil.Date      `json:"date"`
	ClientCode   string          `json:"client_code"`
	Municipality string          `json:"municipality"`
	Amount       decimal.Decimal `json:"amount"`
	VAT          decimal.Decimal `json:"vat"`
	Corrects     string          `json:"corrects,omitempty"` // OIKAISU: the original line id
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

// AnswerOutput is one output file of a period that holds the person's
// lines: it carries the person's client code.
type AnswerOutput struct {
	Period  string `json:"period"`
	Name    string `json:"name"`
	Written string `json:"written"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	Where   string `json:"where"` // output folder below the output root, or a local folder
}

// Subject gathers what st holds about the person with identity code c. The
// code is used only to compute the key; it is in no field of the answer.
func Subject(ctx context.Context, st state.Store, area string, k *pseudonym.Keyer, c hetu.Code, today civil.Date) (*Answer, error) {
	snap, err := ledger.Load(ctx, st, area)
	if err != nil {
		return nil, err
	}
	l := snap.Ledger
	keyID := ledger.KeyID(k)
	if l.KeyID != "" && l.KeyID != keyID {
		// Under another key the person's lines would be invisible and the
		// answer a false "nothing held".
		return nil, fmt.Errorf("subject access: %w", l.CheckKey(keyID))
	}
	key := k.Key(c)
	a := &Answer{Area: area, Date: today, Key: key, KeyID: keyID, ClientCodes: []string{},
		Lines: []AnswerLine{}, Runs: []AnswerRun{}, Outputs: []AnswerOutput{}, Total: decimal.Zero}
	codes := map[string]bool{}
	var periods []period.Month
	for _, m := range l.Months() {
		rec := l.Periods[m]
		has := false
		for _, x := range rec.Lines {
			if x.Key != key {
				continue
			}
			has = true
			codes[x.ClientCode] = true
			a.Lines = append(a.Lines, AnswerLine{Period: m.String(), Status: rec.Status, ID: x.ID, Type: string(x.Type),
				Month: x.Month().String(), Date: x.Date, ClientCode: x.ClientCode, Municipality: x.Municipality,
				Amount: x.Amount, VAT: x.VAT, Corrects: x.Corrects})
			if rec.Counts() {
				a.Total = a.Total.Add(x.Amount)
			}
		}
		if !has {
			continue
		}
		periods = append(periods, m)
		where := rec.Dir
		if rec.OutDir != "" {
			where = rec.OutDir
		}
		for _, o := range rec.Outputs {
			a.Outputs = append(a.Outputs, AnswerOutput{Period: m.String(), Name: o.Name, Written: o.Written, Version: o.Version, SHA256: o.SHA256, Where: where})
		}
	}
	for _, m := range periods {
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
	a.ClientCodes = sortedKeys(codes)
	sort.SliceStable(a.Runs, func(i, j int) bool { return a.Runs[i].StartedAt.Before(a.Runs[j].StartedAt) })
	a.Held = len(a.Lines) > 0
	if a.Held {
		a.Message = fmt.Sprintf("Laskutusbotin tilatiedoissa on tästä henkilöstä %d laskuriviä %d laskutusjaksolta (asiakaskoodi %s).",
			len(a.Lines), len(periods), joinCodes(a.ClientCodes))
	} else {
		a.Message = NothingHeld
	}
	return a, nil
}

func joinCodes(cs []string) string {
	s := ""
	for i, c := range cs {
		if i > 0 {
			s += ", "
		}
		s += c
	}
	return s
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
