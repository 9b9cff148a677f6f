package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloud.google.com/go/civil"

	"tyomatka/internal/config"
)

const valid = `
area = "lahti"
default_municipality = "Lahti"
[contract]
name = "TyöMatka"
provider = "Oy"
valid_from = 2026-01-01
valid_to = 2027-12-31
vat_percent = "25.5"
[fees]
info = "50.00"
start = "400.00"
employed_open = "1500.00"
employed_subsidised = "750.00"
[verification]
sustain_months = 3
max_benefit_days = 5
[effectiveness]
baseline_months = 3
followup_months = 12
share_percent = "30"
cap_per_client = "3000.00"
[reconciliation]
accrual_days_tolerance = 25
[source]
kind = "local"
tracking = "data/t.xlsx"
accruals = "data/k"
output = "out"
[state]
kind = "local"
dir = "out/state"
[secrets]
kind = "env"
pseudonym_key_env = "KEY"
`

func TestParseValid(t *testing.T) {
	c, err := config.Parse([]byte(valid), "/etc/jobs/lahti.toml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Contract.ValidFrom, (civil.Date{Year: 2026, Month: 1, Day: 1}); got != want {
		t.Errorf("valid_from = %v, want %v", got, want)
	}
	if got, want := c.Contract.VATPercent.String(), "25.5"; got != want {
		t.Errorf("vat = %s, want %s", got, want)
	}
	if got, want := c.Source.Tracking, "/etc/jobs/data/t.xlsx"; got != want {
		t.Errorf("tracking = %s, want %s (relative to the file)", got, want)
	}
	if got, want := c.State.Dir, "/etc/jobs/out/state"; got != want {
		t.Errorf("state dir = %s, want %s", got, want)
	}
	if c.Location == nil || c.Location.String() != "Europe/Helsinki" {
		t.Errorf("timezone default: %v", c.Location)
	}
	if c.Hash == "" {
		t.Error("no config hash")
	}
}

// TestParseErrors: every mistake names the key.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, from, to, key string
		err                 error
	}{
		{"unknown top-level key", `area = "lahti"`, "area = \"lahti\"\nareas = 1", "areas", config.ErrUnknownKey},
		{"unknown nested key", `share_percent = "30"`, "share_percent = \"30\"\nshare = 1", "effectiveness.share", config.ErrUnknownKey},
		{"unknown section", `[state]`, "[stat]\nx = 1\n[state]", "stat", config.ErrUnknownKey},
		{"missing key", `vat_percent = "25.5"`, ``, "contract.vat_percent", config.ErrMissingKey},
		{"missing section key", `pseudonym_key_env = "KEY"`, ``, "secrets.pseudonym_key_env", config.ErrMissingKey},
		{"money not a number", `info = "50.00"`, `info = "fifty"`, "fees.info", config.ErrInvalid},
		{"negative money", `start = "400.00"`, `start = "-1"`, "fees.start", config.ErrInvalid},
		{"valid_to before valid_from", `valid_to = 2027-12-31`, `valid_to = 2025-12-31`, "contract.valid_to", config.ErrInvalid},
		{"bad source kind", `kind = "local"
tracking`, `kind = "ftp"
tracking`, "source.kind", config.ErrInvalid},
		{"sharepoint without site", `kind = "local"
tracking`, `kind = "sharepoint"
drive = "Asiakirjat"
tracking`, "source.site", config.ErrMissingKey},
		{"gcs without bucket", `kind = "local"
dir = "out/state"`, `kind = "gcs"`, "state.bucket", config.ErrMissingKey},
		{"baseline months zero", `baseline_months = 3`, `baseline_months = 0`, "effectiveness.baseline_months", config.ErrInvalid},
		{"bad time zone", `area = "lahti"`, "area = \"lahti\"\ntimezone = \"Mars/Olympus\"", "timezone", config.ErrInvalid},
		{"area with a slash", `area = "lahti"`, `area = "la/hti"`, "area", config.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(valid, tt.from) {
				t.Fatalf("fixture lacks %q", tt.from)
			}
			_, err := config.Parse([]byte(strings.Replace(valid, tt.from, tt.to, 1)), "jobs/x.toml")
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *config.Error", err)
			}
			if ce.Key != tt.key || !errors.Is(err, tt.err) {
				t.Errorf("err = %v (key %q), want key %q and %v", err, ce.Key, tt.key, tt.err)
			}
			if !strings.Contains(err.Error(), "jobs/x.toml") {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

// TestValueErrorsNameTheirKey: a value that is out of range is reported under
// its own key, also when several keys share the same check.
func TestValueErrorsNameTheirKey(t *testing.T) {
	tests := []struct {
		from, to, key string
	}{
		{`vat_percent = "25.5"`, `vat_percent = "150"`, "contract.vat_percent"},
		{`share_percent = "30"`, `share_percent = "150"`, "effectiveness.share_percent"},
		{`share_percent = "30"`, `share_percent = "100.01"`, "effectiveness.share_percent"},
		{`vat_percent = "25.5"`, `vat_percent = "-1"`, "contract.vat_percent"},
		{`share_percent = "30"`, `share_percent = "x"`, "effectiveness.share_percent"},
		{`info = "50.00"`, `info = "-50.00"`, "fees.info"},
		{`start = "400.00"`, `start = ""`, "fees.start"},
		{`employed_open = "1500.00"`, `employed_open = "-1"`, "fees.employed_open"},
		{`employed_subsidised = "750.00"`, `employed_subsidised = "-1"`, "fees.employed_subsidised"},
		{`cap_per_client = "3000.00"`, `cap_per_client = "-1"`, "effectiveness.cap_per_client"},
		{`sustain_months = 3`, `sustain_months = 37`, "verification.sustain_months"},
		{`max_benefit_days = 5`, `max_benefit_days = -1`, "verification.max_benefit_days"},
		{`baseline_months = 3`, `baseline_months = 37`, "effectiveness.baseline_months"},
		{`followup_months = 12`, `followup_months = -1`, "effectiveness.followup_months"},
		{`accrual_days_tolerance = 25`, `accrual_days_tolerance = -1`, "reconciliation.accrual_days_tolerance"},
	}
	for _, tt := range tests {
		t.Run(tt.to, func(t *testing.T) {
			if !strings.Contains(valid, tt.from) {
				t.Fatalf("fixture lacks %q", tt.from)
			}
			_, err := config.Parse([]byte(strings.Replace(valid, tt.from, tt.to, 1)), "jobs/x.toml")
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *config.Error", err)
			}
			if ce.Key != tt.key || !errors.Is(err, config.ErrInvalid) {
				t.Errorf("err = %v (key %q), want key %q and %v", err, ce.Key, tt.key, config.ErrInvalid)
			}
		})
	}
}

// TestDecimals: money has at most 2 decimals (cents) and percentages at most 2
// (hundredths of a percent); more, or a number not written as plain digits
// with a decimal point, is an error naming the key and saying what to write.
func TestDecimals(t *testing.T) {
	tests := []struct {
		from, to, key string // key "" = valid
		want          string // value kept, or text of the error
	}{
		{`info = "50.00"`, `info = "50.001"`, "fees.info", `"50.001" has 3 decimals; write at most 2 (cents)`},
		{`info = "50.00"`, `info = "50.000"`, "fees.info", `e.g. "50.00"`},
		{`start = "400.00"`, `start = "1.500"`, "fees.start", "no thousands separator"},
		{`employed_open = "1500.00"`, `employed_open = "1500.005"`, "fees.employed_open", "3 decimals"},
		{`employed_subsidised = "750.00"`, `employed_subsidised = "750.0001"`, "fees.employed_subsidised", "4 decimals"},
		{`cap_per_client = "3000.00"`, `cap_per_client = "3000.009"`, "effectiveness.cap_per_client", "3 decimals"},
		{`vat_percent = "25.5"`, `vat_percent = "25.555"`, "contract.vat_percent", `write at most 2 (hundredths of a percent) and no thousands separator, e.g. "25.5"`},
		{`share_percent = "30"`, `share_percent = "33.333"`, "effectiveness.share_percent", "3 decimals"},
		{`info = "50.00"`, `info = "99999999999999999999999.00"`, "fees.info", "is more than 1000000.00 euros"},
		{`cap_per_client = "3000.00"`, `cap_per_client = "1000000.01"`, "effectiveness.cap_per_client", "more than 1000000.00"},
		{`info = "50.00"`, `info = "5e1"`, "fees.info", `quoted string with a decimal point, e.g. "50.00"`},
		{`info = "50.00"`, `info = "50,00"`, "fees.info", "with a decimal point"},
		{`info = "50.00"`, `info = "+50"`, "fees.info", "non-negative"},
		{`info = "50.00"`, `info = ".5"`, "fees.info", "decimal point"},
		{`info = "50.00"`, `info = "50."`, "fees.info", "decimal point"},
		{`vat_percent = "25.5"`, `vat_percent = "25,5"`, "contract.vat_percent", `e.g. "25.5"`},
		{`info = "50.00"`, `info = "50.1"`, "", "50.1"},
		{`info = "50.00"`, `info = "50"`, "", "50"},
		{`info = "50.00"`, `info = " 50.00 "`, "", "50"},
		{`vat_percent = "25.5"`, `vat_percent = "24"`, "", "24"},
		{`vat_percent = "25.5"`, `vat_percent = "13.75"`, "", "13.75"},
		{`vat_percent = "25.5"`, `vat_percent = "0"`, "", "0"},
		{`share_percent = "30"`, `share_percent = "100.00"`, "", "100"},
	}
	for _, tt := range tests {
		t.Run(tt.to, func(t *testing.T) {
			if !strings.Contains(valid, tt.from) {
				t.Fatalf("fixture lacks %q", tt.from)
			}
			c, err := config.Parse([]byte(strings.Replace(valid, tt.from, tt.to, 1)), "jobs/x.toml")
			if tt.key == "" {
				if err != nil {
					t.Fatalf("err = %v, want the value accepted", err)
				}
				got := c.Fees.Info
				if strings.HasPrefix(tt.to, "vat_percent") {
					got = c.Contract.VATPercent
				} else if strings.HasPrefix(tt.to, "share_percent") {
					got = c.Effectiveness.SharePercent
				}
				if got.String() != tt.want {
					t.Errorf("value = %s, want %s", got, tt.want)
				}
				return
			}
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *config.Error", err)
			}
			if ce.Key != tt.key || !errors.Is(err, config.ErrInvalid) {
				t.Errorf("err = %v (key %q), want key %q and %v", err, ce.Key, tt.key, config.ErrInvalid)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSyntaxErrorNamesLine(t *testing.T) {
	_, err := config.Parse([]byte("area = \"lahti\"\n[fees"), "jobs/x.toml")
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v, want a line number", err)
	}
}

// TestShippedConfigurationsLoad: every configuration in the repository is
// valid, so a typo in a deployed job fails CI, not the monthly run.
func TestShippedConfigurationsLoad(t *testing.T) {
	var paths []string
	for _, pattern := range []string{"../../jobs/*.toml", "../../jobs/*/*.toml", "../../testdata/example/*.toml"} {
		m, _ := filepath.Glob(pattern)
		paths = append(paths, m...)
	}
	if len(paths) < 3 {
		t.Fatalf("found only %d configurations", len(paths))
	}
	for _, p := range paths {
		if _, err := config.Load(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if _, err := os.Stat("../../jobs/lahti.toml"); err != nil {
		t.Errorf("the embedded default job is missing: %v", err)
	}
}

// TestTypeErrorsSayWhatToWrite: a value of the wrong TOML type names the key
// and shows the spelling that works.
func TestTypeErrorsSayWhatToWrite(t *testing.T) {
	tests := []struct {
		name, from, to, key, want string
	}{
		{"quoted Finnish date", `valid_from = 2026-01-01`, `valid_from = "1.1.2026"`, "contract.valid_from", "want a TOML date like 2026-01-01 (no quotes)"},
		{"quoted ISO date", `valid_from = 2026-01-01`, `valid_from = "2026-01-01"`, "contract.valid_from", "want a TOML date like 2026-01-01 (no quotes)"},
		{"unquoted percentage", `share_percent = "30"`, `share_percent = 30`, "effectiveness.share_percent", `write money and percentages as quoted strings, e.g. "30"`},
		{"unquoted fee", `info = "50.00"`, `info = 50.00`, "fees.info", `write money and percentages as quoted strings`},
		{"quoted count", `sustain_months = 3`, `sustain_months = "3"`, "verification.sustain_months", "want a whole number without quotes"},
		{"unquoted name", `area = "lahti"`, `area = 7`, "area", "want a quoted string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(valid, tt.from) {
				t.Fatalf("fixture lacks %q", tt.from)
			}
			_, err := config.Parse([]byte(strings.Replace(valid, tt.from, tt.to, 1)), "jobs/x.toml")
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *config.Error", err)
			}
			if got, want := ce.Key, tt.key; got != want {
				t.Errorf("key = %q, want %q (err %v)", got, want, err)
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
			for _, w := range []string{tt.want, "jobs/x.toml", "line "} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to contain %q", err, w)
				}
			}
		})
	}
}
