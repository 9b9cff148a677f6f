// Package config reads one area's job configuration (SPEC §6): a strict TOML
// file in which an unknown key or a missing required key is an error naming
// the key.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"cloud.google.com/go/civil"
	"github.com/BurntSushi/toml"
	"github.com/shopspring/decimal"
)

// Config is one area's configuration.
type Config struct {
	Area                string
	Timezone            string
	Location            *time.Location // loaded from Timezone
	DefaultMunicipality string

	Contract       Contract
	Fees           Fees
	Verification   Verification
	Effectiveness  Effectiveness
	Reconciliation Reconciliation
	Source         Source
	State          State
	Secrets        Secrets
	Retention      Retention

	// Path is the file the configuration was read from; Dir its folder, against
	// which relative local paths are resolved.
	Path string
	Dir  string
	// Hash is the sha256 of the file's bytes, for the audit record.
	Hash string
}

// Contract is the service contract the invoice lines are billed under.
type Contract struct {
	Name       string
	Provider   string
	ValidFrom  civil.Date
	ValidTo    civil.Date
	VATPercent decimal.Decimal
}

// Fees are the fixed outcome fees, VAT excluded.
type Fees struct {
	Info               decimal.Decimal
	Start              decimal.Decimal
	EmployedOpen       decimal.Decimal
	EmployedSubsidised decimal.Decimal
}

// Verification is the employment sustainment rule of SPEC §3.2.
type Verification struct {
	SustainMonths  int
	MaxBenefitDays decimal.Decimal
}

// Effectiveness is the VAIKUTTAVUUS rule of SPEC §3.2.
type Effectiveness struct {
	BaselineMonths int
	FollowupMonths int
	SharePercent   decimal.Decimal
	CapPerClient   decimal.Decimal
}

// Reconciliation holds the tolerances of SPEC §3.4.
type Reconciliation struct {
	AccrualDaysTolerance decimal.Decimal
}

// Source says where inputs come from and outputs go.
type Source struct {
	Kind     string // "local" or "sharepoint"
	Tracking string // local: absolute path after Load; sharepoint: path in the drive
	Accruals string
	Output   string
	Site     string // sharepoint: "host:/sites/path"
	Drive    string // sharepoint: library name

	// sharepoint: the app registration the job signs in to Entra ID as.
	TenantID   string
	ClientID   string
	Auth       string // "federated", "secret" or "certificate"
	Credential string // secret, certificate: secrets-source name of the client secret or PEM certificate and key

	// sharepoint, optional Graph tuning; zero means the built-in default.
	RequestsPerSecond         float64
	UploadSessionThresholdMiB int
	MaxRetryMinutes           int
}

// State says where the ledger and audit records are kept.
type State struct {
	Kind   string // "local" or "gcs"
	Dir    string // local: absolute path after Load
	Bucket string // gcs
	Prefix string // gcs
}

// Secrets says where the pseudonymisation key comes from.
type Secrets struct {
	Kind            string // "env", "file" or "secretmanager"
	PseudonymKeyEnv string // env
	PseudonymKey    string // file: path; secretmanager: resource name
}

// PseudonymKeyName is the name the pseudonymisation key is read by from the
// configured secrets source: the environment variable for kind env, the file
// path or Secret Manager resource otherwise. Every reader of the key asks
// here, so that they cannot disagree on which field applies.
func (c *Config) PseudonymKeyName() string {
	if c.Secrets.Kind == "env" {
		return c.Secrets.PseudonymKeyEnv
	}
	return c.Secrets.PseudonymKey
}

// Retention is how long the register's data may be kept (optional section
// [retention]).
type Retention struct {
	// DeleteBy is the register's deletion date: on and after it the job
	// refuses to process data and purge deletes everything of the area. It
	// must agree with the state bucket's lifecycle in deploy/gcp.
	DeleteBy civil.Date
	// KeepYears is how many full years after the end of a billing month's
	// year its ledger period and audit records are kept. The default 6
	// follows the Accounting Act (kirjanpitolaki 2:10 §): vouchers, which the
	// invoice basis and its audit trail are, are kept six years from the end
	// of the year in which the financial year ended.
	KeepYears int
}

// Retention defaults: the deletion date of the register's privacy notice
// ("by 1/2031 at the latest") and the Accounting Act's six years.
var (
	DefaultDeleteBy  = civil.Date{Year: 2031, Month: time.January, Day: 31}
	DefaultKeepYears = 6
)

// Error is a configuration error naming the file and key.
type Error struct {
	File string
	Key  string
	Err  error
}

func (e *Error) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("config %s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("config %s: key %q: %v", e.File, e.Key, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Sentinel errors wrapped by Error.
var (
	ErrUnknownKey = errors.New("unknown key (check the spelling; see jobs/lahti.toml for the keys)")
	ErrMissingKey = errors.New("required key is missing")
	ErrInvalid    = errors.New("invalid value")
)

// file mirrors the TOML layout; strings for money keep decimals exact.
type file struct {
	Area                string `toml:"area"`
	Timezone            string `toml:"timezone"`
	DefaultMunicipality string `toml:"default_municipality"`
	Contract            struct {
		Name       string    `toml:"name"`
		Provider   string    `toml:"provider"`
		ValidFrom  time.Time `toml:"valid_from"`
		ValidTo    time.Time `toml:"valid_to"`
		VATPercent string    `toml:"vat_percent"`
	} `toml:"contract"`
	Fees struct {
		Info               string `toml:"info"`
		Start              string `toml:"start"`
		EmployedOpen       string `toml:"employed_open"`
		EmployedSubsidised string `toml:"employed_subsidised"`
	} `toml:"fees"`
	Verification struct {
		SustainMonths  int `toml:"sustain_months"`
		MaxBenefitDays int `toml:"max_benefit_days"`
	} `toml:"verification"`
	Effectiveness struct {
		BaselineMonths int    `toml:"baseline_months"`
		FollowupMonths int    `toml:"followup_months"`
		SharePercent   string `toml:"share_percent"`
		CapPerClient   string `toml:"cap_per_client"`
	} `toml:"effectiveness"`
	Reconciliation struct {
		AccrualDaysTolerance int `toml:"accrual_days_tolerance"`
	} `toml:"reconciliation"`
	Source struct {
		Kind     string `toml:"kind"`
		Tracking string `toml:"tracking"`
		Accruals string `toml:"accruals"`
		Output   string `toml:"output"`
		Site     string `toml:"site"`
		Drive    string `toml:"drive"`

		TenantID                  string  `toml:"tenant_id"`
		ClientID                  string  `toml:"client_id"`
		Auth                      string  `toml:"auth"`
		Credential                string  `toml:"credential"`
		RequestsPerSecond         float64 `toml:"requests_per_second"`
		UploadSessionThresholdMiB int     `toml:"upload_session_threshold_mib"`
		MaxRetryMinutes           int     `toml:"max_retry_minutes"`
	} `toml:"source"`
	State struct {
		Kind   string `toml:"kind"`
		Dir    string `toml:"dir"`
		Bucket string `toml:"bucket"`
		Prefix string `toml:"prefix"`
	} `toml:"state"`
	Secrets struct {
		Kind            string `toml:"kind"`
		PseudonymKeyEnv string `toml:"pseudonym_key_env"`
		PseudonymKey    string `toml:"pseudonym_key"`
	} `toml:"secrets"`
	Retention struct {
		DeleteBy  time.Time `toml:"delete_by"`
		KeepYears int       `toml:"keep_years"`
	} `toml:"retention"`
}

// plainDecimalRE is how money and percentages are written: digits with an
// optional decimal point, no sign, exponent or separators.
var plainDecimalRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// maxDecimals is how many decimals money (cents) and percentages
// (hundredths of a percent, e.g. "25.5" or "13.75") may have.
const maxDecimals = 2

// maxMoney bounds a fee or cap in the configuration.
var maxMoney = decimal.NewFromInt(1_000_000)

// required lists the keys every configuration must define.
var required = [][]string{
	{"area"}, {"default_municipality"},
	{"contract", "name"}, {"contract", "provider"}, {"contract", "valid_from"}, {"contract", "valid_to"}, {"contract", "vat_percent"},
	{"fees", "info"}, {"fees", "start"}, {"fees", "employed_open"}, {"fees", "employed_subsidised"},
	{"verification", "sustain_months"}, {"verification", "max_benefit_days"},
	{"effectiveness", "baseline_months"}, {"effectiveness", "followup_months"}, {"effectiveness", "share_percent"}, {"effectiveness", "cap_per_client"},
	{"reconciliation", "accrual_days_tolerance"},
	{"source", "kind"}, {"source", "tracking"}, {"source", "accruals"}, {"source", "output"},
	{"state", "kind"},
	{"secrets", "kind"},
}

// Load reads and validates the configuration at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	return Parse(data, abs)
}

// Parse validates configuration bytes read from path (used for error messages
// and to resolve relative local paths).
func Parse(data []byte, path string) (*Config, error) {
	var f file
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&f)
	if err != nil {
		return nil, decodeError(path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		sort.Strings(keys)
		return nil, &Error{File: path, Key: keys[0], Err: ErrUnknownKey}
	}
	for _, k := range required {
		if !md.IsDefined(k...) {
			return nil, &Error{File: path, Key: strings.Join(k, "."), Err: ErrMissingKey}
		}
	}
	c := &Config{
		Area:                strings.TrimSpace(f.Area),
		Timezone:            f.Timezone,
		DefaultMunicipality: strings.TrimSpace(f.DefaultMunicipality),
		Path:                path,
		Dir:                 filepath.Dir(path),
		Hash:                sha256Hex(data),
	}
	bad := func(key string, format string, args ...any) error {
		return &Error{File: path, Key: key, Err: fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))}
	}
	if c.Area == "" || strings.ContainsAny(c.Area, `/\ `) {
		return nil, bad("area", "want a short name without spaces or slashes, e.g. \"lahti\"")
	}
	if c.Timezone == "" {
		c.Timezone = "Europe/Helsinki"
	}
	if c.Location, err = time.LoadLocation(c.Timezone); err != nil {
		return nil, bad("timezone", "%v", err)
	}
	if c.DefaultMunicipality == "" {
		return nil, bad("default_municipality", "must not be empty")
	}

	c.Contract.Name = f.Contract.Name
	c.Contract.Provider = f.Contract.Provider
	c.Contract.ValidFrom = civil.DateOf(f.Contract.ValidFrom)
	c.Contract.ValidTo = civil.DateOf(f.Contract.ValidTo)
	if c.Contract.ValidTo.Before(c.Contract.ValidFrom) {
		return nil, bad("contract.valid_to", "%s is before valid_from %s", c.Contract.ValidTo, c.Contract.ValidFrom)
	}
	// Each check below reports the key of the value it checks: a bound shared
	// by several keys is checked inside the loop, never after it.
	money := []struct {
		key  string
		in   string
		out  *decimal.Decimal
		what string
	}{
		{"contract.vat_percent", f.Contract.VATPercent, &c.Contract.VATPercent, "percent"},
		{"fees.info", f.Fees.Info, &c.Fees.Info, "euros"},
		{"fees.start", f.Fees.Start, &c.Fees.Start, "euros"},
		{"fees.employed_open", f.Fees.EmployedOpen, &c.Fees.EmployedOpen, "euros"},
		{"fees.employed_subsidised", f.Fees.EmployedSubsidised, &c.Fees.EmployedSubsidised, "euros"},
		{"effectiveness.share_percent", f.Effectiveness.SharePercent, &c.Effectiveness.SharePercent, "percent"},
		{"effectiveness.cap_per_client", f.Effectiveness.CapPerClient, &c.Effectiveness.CapPerClient, "euros"},
	}
	for _, m := range money {
		example, unit := `"50.00"`, "cents"
		if m.what == "percent" {
			example, unit = `"25.5"`, "hundredths of a percent"
		}
		in := strings.TrimSpace(m.in)
		if !plainDecimalRE.MatchString(in) {
			return nil, bad(m.key, "want a non-negative number of %s as a quoted string with a decimal point, e.g. %s; got %q", m.what, example, m.in)
		}
		// Money is billed in cents, so a fraction of a cent would be lost
		// without a word. Hundredths of a percent are enough for any VAT
		// rate or share. Either way "1.500" may well mean 1500.
		if _, frac, _ := strings.Cut(in, "."); len(frac) > maxDecimals {
			return nil, bad(m.key, "%q has %d decimals; write at most %d (%s) and no thousands separator, e.g. %s", m.in, len(frac), maxDecimals, unit, example)
		}
		d := decimal.RequireFromString(in)
		if m.what == "percent" && d.GreaterThan(decimal.NewFromInt(100)) {
			return nil, bad(m.key, "a percentage must be at most 100, got %q", m.in)
		}
		// No outcome fee comes near it, and sums of a national year in
		// cents stay far inside int64 (run-summary.json).
		if m.what != "percent" && d.GreaterThan(maxMoney) {
			return nil, bad(m.key, "%q is more than %s euros; check the amount (no thousands separators)", m.in, maxMoney.StringFixed(2))
		}
		*m.out = d
	}
	c.Verification.SustainMonths = f.Verification.SustainMonths
	c.Verification.MaxBenefitDays = decimal.NewFromInt(int64(f.Verification.MaxBenefitDays))
	c.Effectiveness.BaselineMonths = f.Effectiveness.BaselineMonths
	c.Effectiveness.FollowupMonths = f.Effectiveness.FollowupMonths
	c.Reconciliation.AccrualDaysTolerance = decimal.NewFromInt(int64(f.Reconciliation.AccrualDaysTolerance))
	switch {
	case c.Verification.SustainMonths < 0 || c.Verification.SustainMonths > 36:
		return nil, bad("verification.sustain_months", "want 0..36, got %d", c.Verification.SustainMonths)
	case f.Verification.MaxBenefitDays < 0:
		return nil, bad("verification.max_benefit_days", "must not be negative")
	case c.Effectiveness.BaselineMonths < 1 || c.Effectiveness.BaselineMonths > 36:
		return nil, bad("effectiveness.baseline_months", "want 1..36, got %d", c.Effectiveness.BaselineMonths)
	case c.Effectiveness.FollowupMonths < 0 || c.Effectiveness.FollowupMonths > 120:
		return nil, bad("effectiveness.followup_months", "want 0..120, got %d", c.Effectiveness.FollowupMonths)
	case f.Reconciliation.AccrualDaysTolerance < 0:
		return nil, bad("reconciliation.accrual_days_tolerance", "must not be negative")
	}

	c.Source = Source{Kind: f.Source.Kind, Tracking: f.Source.Tracking, Accruals: f.Source.Accruals,
		Output: f.Source.Output, Site: f.Source.Site, Drive: f.Source.Drive}
	switch c.Source.Kind {
	case "local":
		c.Source.Tracking = c.resolve(c.Source.Tracking)
		c.Source.Accruals = c.resolve(c.Source.Accruals)
		c.Source.Output = c.resolve(c.Source.Output)
	case "sharepoint":
		if c.Source.Site == "" {
			return nil, &Error{File: path, Key: "source.site", Err: ErrMissingKey}
		}
		if c.Source.Drive == "" {
			return nil, &Error{File: path, Key: "source.drive", Err: ErrMissingKey}
		}
		if err := c.graphSettings(f.Source.TenantID, f.Source.ClientID, f.Source.Auth, f.Source.Credential,
			f.Source.RequestsPerSecond, f.Source.UploadSessionThresholdMiB, f.Source.MaxRetryMinutes); err != nil {
			return nil, err
		}
	default:
		return nil, bad("source.kind", "want \"local\" or \"sharepoint\", got %q", c.Source.Kind)
	}

	c.State = State{Kind: f.State.Kind, Dir: f.State.Dir, Bucket: f.State.Bucket, Prefix: f.State.Prefix}
	switch c.State.Kind {
	case "local":
		if c.State.Dir == "" {
			return nil, &Error{File: path, Key: "state.dir", Err: ErrMissingKey}
		}
		c.State.Dir = c.resolve(c.State.Dir)
	case "gcs":
		if c.State.Bucket == "" {
			return nil, &Error{File: path, Key: "state.bucket", Err: ErrMissingKey}
		}
	default:
		return nil, bad("state.kind", "want \"local\" or \"gcs\", got %q", c.State.Kind)
	}

	c.Secrets = Secrets{Kind: f.Secrets.Kind, PseudonymKeyEnv: f.Secrets.PseudonymKeyEnv, PseudonymKey: f.Secrets.PseudonymKey}
	switch c.Secrets.Kind {
	case "env":
		if c.Secrets.PseudonymKeyEnv == "" {
			return nil, &Error{File: path, Key: "secrets.pseudonym_key_env", Err: ErrMissingKey}
		}
	case "file":
		if c.Secrets.PseudonymKey == "" {
			return nil, &Error{File: path, Key: "secrets.pseudonym_key", Err: ErrMissingKey}
		}
		c.Secrets.PseudonymKey = c.resolve(c.Secrets.PseudonymKey)
	case "secretmanager":
		if c.Secrets.PseudonymKey == "" {
			return nil, &Error{File: path, Key: "secrets.pseudonym_key", Err: ErrMissingKey}
		}
	default:
		return nil, bad("secrets.kind", "want \"env\", \"file\" or \"secretmanager\", got %q", c.Secrets.Kind)
	}

	c.Retention = Retention{DeleteBy: DefaultDeleteBy, KeepYears: DefaultKeepYears}
	if md.IsDefined("retention", "delete_by") {
		c.Retention.DeleteBy = civil.DateOf(f.Retention.DeleteBy)
	}
	if md.IsDefined("retention", "keep_years") {
		c.Retention.KeepYears = f.Retention.KeepYears
		if c.Retention.KeepYears < 0 || c.Retention.KeepYears > 100 {
			return nil, bad("retention.keep_years", "want 0..100, got %d", c.Retention.KeepYears)
		}
	}
	return c, nil
}

// graphSettings checks and keeps the [source] keys of kind "sharepoint".
func (c *Config) graphSettings(tenant, client, auth, credential string, rps float64, thresholdMiB, retryMinutes int) error {
	bad := func(key, format string, args ...any) error {
		return &Error{File: c.Path, Key: key, Err: fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))}
	}
	missing := func(key string) error { return &Error{File: c.Path, Key: key, Err: ErrMissingKey} }
	switch {
	case tenant == "":
		return missing("source.tenant_id")
	case client == "":
		return missing("source.client_id")
	case auth == "":
		return missing("source.auth")
	}
	switch auth {
	case "federated":
	case "secret", "certificate":
		if credential == "" {
			return missing("source.credential")
		}
	default:
		return bad("source.auth", "want \"federated\", \"secret\" or \"certificate\", got %q", auth)
	}
	switch {
	case rps < 0 || rps > 1000:
		return bad("source.requests_per_second", "want 0..1000 (0: the default), got %v", rps)
	case thresholdMiB < 0 || thresholdMiB > 250:
		return bad("source.upload_session_threshold_mib", "want 0..250 (0: the default), got %d", thresholdMiB)
	case retryMinutes < 0 || retryMinutes > 60:
		return bad("source.max_retry_minutes", "want 0..60 (0: the default), got %d", retryMinutes)
	}
	c.Source.TenantID, c.Source.ClientID, c.Source.Auth, c.Source.Credential = tenant, client, auth, credential
	c.Source.RequestsPerSecond, c.Source.UploadSessionThresholdMiB, c.Source.MaxRetryMinutes = rps, thresholdMiB, retryMinutes
	return nil
}

func (c *Config) resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// lastKeyRE finds the key in BurntSushi/toml's type-mismatch errors, which
// are plain errors ("toml: line 5 (last key "a.b"): incompatible types: …").
var lastKeyRE = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]+)"\): incompatible types`)

// decodeError turns a TOML decoding error into one that names the key and
// says what to write, since the people editing the file are not programmers.
func decodeError(path string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		if t, ok := keyType(pe.LastKey); ok && t == reflect.TypeOf(time.Time{}) && strings.Contains(pe.Message, "parsing time") {
			return &Error{File: path, Key: pe.LastKey, Err: fmt.Errorf("%w: line %d: %s", ErrInvalid, pe.Position.Line, typeHint(pe.LastKey, t))}
		}
		return &Error{File: path, Err: fmt.Errorf("line %d: %s", pe.Position.Line, pe.Message)}
	}
	if m := lastKeyRE.FindStringSubmatch(err.Error()); m != nil {
		if t, ok := keyType(m[2]); ok {
			return &Error{File: path, Key: m[2], Err: fmt.Errorf("%w: line %s: %s", ErrInvalid, m[1], typeHint(m[2], t))}
		}
	}
	return &Error{File: path, Err: err}
}

// keyType returns the Go type a dotted TOML key decodes into.
func keyType(key string) (reflect.Type, bool) {
	t := reflect.TypeOf(file{})
	for _, part := range strings.Split(key, ".") {
		if t.Kind() != reflect.Struct {
			return nil, false
		}
		found := false
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.Tag.Get("toml") == part {
				t, found = f.Type, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return t, true
}

// typeHint says how to write a value of type t.
func typeHint(key string, t reflect.Type) string {
	switch {
	case t == reflect.TypeOf(time.Time{}):
		return "want a TOML date like 2026-01-01 (no quotes)"
	case t.Kind() == reflect.String && moneyKeys[key]:
		return `write money and percentages as quoted strings, e.g. "30"`
	case t.Kind() == reflect.String:
		return `want a quoted string, e.g. "lahti"`
	case t.Kind() == reflect.Int:
		return "want a whole number without quotes, e.g. 3"
	case t.Kind() == reflect.Float64:
		return "want a number without quotes, e.g. 4"
	case t.Kind() == reflect.Struct:
		return "want a [section], not a value"
	}
	return "wrong type of value"
}

// moneyKeys are the string keys holding exact decimals.
var moneyKeys = map[string]bool{
	"contract.vat_percent": true,
	"fees.info":            true, "fees.start": true, "fees.employed_open": true, "fees.employed_subsidised": true,
	"effectiveness.share_percent": true, "effectiveness.cap_per_client": true,
}
