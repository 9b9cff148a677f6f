// Package testfix holds the fixtures that the tests of several packages
// share: synthetic identity codes, small tracking workbooks and Kela lists,
// one job configuration, a working folder for run.Run, and a scan for
// personal data. It is imported only from tests.
package testfix

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"tyomatka/internal/config"
	"tyomatka/internal/hetu"
	"tyomatka/internal/period"
)

// Hetu returns a synthetic identity code born 1.1.1990 with individual
// number 900+i (a temporary code, never a real person's), i in 0…99.
func Hetu(i int) hetu.Code {
	if i < 0 || i > 99 {
		panic(fmt.Sprintf("testfix.Hetu(%d): the individual number must stay within 900–999", i))
	}
	nine := fmt.Sprintf("010190%03d", 900+i)
	return hetu.Code("010190-" + nine[6:] + string(hetu.CheckChar(nine)))
}

// Month returns the n-th month of the scripted histories (1 = 2026-01).
func Month(n int) period.Month { return period.Month{Year: 2026, Month: 1}.Add(n - 1) }

// Secrets hands out fixed secret values by name (a secrets.Getter).
type Secrets map[string]string

// Get returns the value of name, empty when it is not set.
func (s Secrets) Get(_ context.Context, name string) ([]byte, error) {
	return []byte(s[name]), nil
}

// ConfigTOML is the configuration of area lahti that Workdir runs under:
// inputs in in/seuranta.xlsx and in/kertymat, outputs in out, state in
// state, the pseudonymisation key in TYOMATKA_PSEUDONYM_KEY.
const ConfigTOML = `area = "lahti"
timezone = "Europe/Helsinki"
default_municipality = "Lahti"

[contract]
name = "TyöMatka 2026–2027"
provider = "Esimerkki Valmennus Oy"
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
cap_per_client = "100.00"

[reconciliation]
accrual_days_tolerance = 25

[source]
kind = "local"
tracking = "in/seuranta.xlsx"
accruals = "in/kertymat"
output = "out"

[state]
kind = "local"
dir = "state"

[secrets]
kind = "env"
pseudonym_key_env = "TYOMATKA_PSEUDONYM_KEY"
`

// LoadConfig writes ConfigTOML followed by extra to dir/lahti.toml and
// loads it, so that its relative paths are under dir.
func LoadConfig(t *testing.T, dir, extra string) *config.Config {
	t.Helper()
	path := filepath.Join(dir, "lahti.toml")
	if err := os.WriteFile(path, []byte(ConfigTOML+extra), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
