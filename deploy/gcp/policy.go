// Package gcp holds the Terraform deployment of the job (the .tf files in this
// folder) and checks, without a cloud or a Terraform binary, the properties
// SPEC §5 and §9 require of it: everything in europe-north1, no public
// access, no project-wide roles, the state bucket's protection and deletion,
// and the monthly schedule.
package gcp

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Region is the only region the deployment may use (SPEC §5).
const Region = "europe-north1"

// Module is the parsed Terraform of one folder.
type Module struct {
	files     map[string][]byte
	blocks    []*hclsyntax.Block // top-level blocks of every file
	variables map[string]*hclsyntax.Block
	locals    map[string]hcl.Expression
	ctx       *hcl.EvalContext
}

// Load parses every .tf file in dir. Variables without a default evaluate to
// "<name>", so expressions built from them can still be checked.
func Load(dir string) (*Module, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no .tf files in %s", dir)
	}
	m := &Module{
		files:     map[string][]byte{},
		variables: map[string]*hclsyntax.Block{},
		locals:    map[string]hcl.Expression{},
	}
	p := hclparse.NewParser()
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		f, diags := p.ParseHCL(src, path)
		if diags.HasErrors() {
			return nil, fmt.Errorf("parse %s: %w", path, diags)
		}
		m.files[path] = src
		for _, b := range f.Body.(*hclsyntax.Body).Blocks {
			m.blocks = append(m.blocks, b)
			switch b.Type {
			case "variable":
				m.variables[b.Labels[0]] = b
			case "locals":
				for name, a := range b.Body.Attributes {
					m.locals[name] = a.Expr
				}
			}
		}
	}
	if err := m.buildContext(); err != nil {
		return nil, err
	}
	return m, nil
}

func functions() map[string]function.Function {
	return map[string]function.Function{
		"can":      tryfunc.CanFunc,
		"coalesce": stdlib.CoalesceFunc,
		"contains": stdlib.ContainsFunc,
		"join":     stdlib.JoinFunc,
		"length":   stdlib.LengthFunc,
		"lower":    stdlib.LowerFunc,
		"regex":    stdlib.RegexFunc,
		"timeadd":  stdlib.TimeAddFunc,
		"upper":    stdlib.UpperFunc,
	}
}

// buildContext evaluates variable defaults, then locals and resource
// attributes twice, so references between them resolve where they can.
// Whatever does not resolve (computed attributes, each.value) stays unknown.
func (m *Module) buildContext() error {
	vars := map[string]cty.Value{}
	for name, b := range m.variables {
		a, ok := b.Body.Attributes["default"]
		if !ok {
			vars[name] = cty.StringVal("<" + name + ">")
			continue
		}
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			return fmt.Errorf("%s: default of variable %s: %w", a.SrcRange, name, diags)
		}
		vars[name] = v
	}
	m.ctx = &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(vars)},
		Functions: functions(),
	}
	for range 2 {
		locals := map[string]cty.Value{}
		for name, e := range m.locals {
			v, diags := e.Value(m.ctx)
			if diags.HasErrors() {
				v = cty.DynamicVal
			}
			locals[name] = v
		}
		m.ctx.Variables["local"] = cty.ObjectVal(locals)
		byType := map[string]map[string]cty.Value{}
		for _, r := range m.Resources() {
			attrs := map[string]cty.Value{}
			for name, a := range r.Body.Attributes {
				if v, diags := a.Expr.Value(m.ctx); !diags.HasErrors() {
					attrs[name] = v
				}
			}
			if byType[r.Labels[0]] == nil {
				byType[r.Labels[0]] = map[string]cty.Value{}
			}
			byType[r.Labels[0]][r.Labels[1]] = cty.ObjectVal(attrs)
		}
		for typ, byName := range byType {
			m.ctx.Variables[typ] = cty.ObjectVal(byName)
		}
	}
	return nil
}

// Resources returns the resource blocks in file order.
func (m *Module) Resources() []*hclsyntax.Block {
	var rs []*hclsyntax.Block
	for _, b := range m.blocks {
		if b.Type == "resource" && len(b.Labels) == 2 {
			rs = append(rs, b)
		}
	}
	return rs
}

func (m *Module) resourcesOf(typ string) []*hclsyntax.Block {
	var rs []*hclsyntax.Block
	for _, r := range m.Resources() {
		if r.Labels[0] == typ {
			rs = append(rs, r)
		}
	}
	return rs
}

// eval evaluates an expression; ok is false when it has errors or is not
// fully known.
func (m *Module) eval(e hcl.Expression) (cty.Value, bool) {
	v, diags := e.Value(m.ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return cty.NilVal, false
	}
	return v, true
}

func (m *Module) evalString(e hcl.Expression) (string, bool) {
	v, ok := m.eval(e)
	if !ok || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

// refs lists what an expression refers to, as "type.name.attr" paths,
// looking through locals.
func (m *Module) refs(e hcl.Expression) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(hcl.Expression)
	walk = func(e hcl.Expression) {
		for _, t := range e.Variables() {
			parts := []string{t.RootName()}
			for _, step := range t[1:] {
				if a, ok := step.(hcl.TraverseAttr); ok {
					parts = append(parts, a.Name)
				} else {
					break
				}
			}
			if parts[0] == "local" && len(parts) > 1 {
				if le, ok := m.locals[parts[1]]; ok && !seen[parts[1]] {
					seen[parts[1]] = true
					walk(le)
				}
				continue
			}
			out = append(out, strings.Join(parts, "."))
		}
	}
	walk(e)
	return out
}

func (m *Module) refersTo(e hcl.Expression, prefix string) bool {
	return slices.ContainsFunc(m.refs(e), func(r string) bool {
		return r == prefix || strings.HasPrefix(r, prefix+".")
	})
}

// DeletionDateDefault returns the default of the deletion_date variable in
// the Terraform in dir, checked to be a YYYY-MM-DD date, so a test elsewhere
// can require the job's configured retention date to match it.
func DeletionDateDefault(dir string) (string, error) {
	m, err := Load(dir)
	if err != nil {
		return "", err
	}
	return m.deletionDate()
}

func (m *Module) deletionDate() (string, error) {
	b, ok := m.variables["deletion_date"]
	if !ok {
		return "", fmt.Errorf("no variable deletion_date")
	}
	a, ok := b.Body.Attributes["default"]
	if !ok {
		return "", fmt.Errorf("%s: variable deletion_date has no default", b.DefRange())
	}
	s, ok := m.evalString(a.Expr)
	if !ok {
		return "", fmt.Errorf("%s: default of deletion_date is not a string", a.SrcRange)
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", fmt.Errorf("%s: deletion_date %q is not a YYYY-MM-DD date", a.SrcRange, s)
	}
	return s, nil
}

// Violations loads the Terraform in dir and returns every way it breaks the
// deployment's rules, each naming the file and line. An empty result means
// the deployment passes.
func Violations(dir string) ([]string, error) {
	m, err := Load(dir)
	if err != nil {
		return nil, err
	}
	return m.Violations(), nil
}

// Violations returns every way the module breaks the deployment's rules.
func (m *Module) Violations() []string {
	var v []string
	add := func(rng hcl.Range, format string, args ...any) {
		v = append(v, rng.String()+": "+fmt.Sprintf(format, args...))
	}
	m.checkPublic(&v)
	m.checkRegion(add)
	m.checkIAM(add)
	m.checkSecrets(add)
	m.checkBucket(add)
	m.checkJob(add)
	m.checkScheduler(add)
	for _, name := range []string{"job_name", "runtime_service_account", "state_bucket"} {
		if !slices.ContainsFunc(m.blocks, func(b *hclsyntax.Block) bool {
			return b.Type == "output" && b.Labels[0] == name
		}) {
			v = append(v, fmt.Sprintf("no output %q", name))
		}
	}
	return v
}

type addFunc func(rng hcl.Range, format string, args ...any)

// checkPublic scans the raw text, comments included, because a public
// principal can reach a policy through any expression or file.
func (m *Module) checkPublic(v *[]string) {
	for path, src := range m.files {
		for _, p := range []string{"allUsers", "allAuthenticatedUsers"} {
			if i := strings.Index(string(src), p); i >= 0 {
				line := strings.Count(string(src[:i]), "\n") + 1
				*v = append(*v, fmt.Sprintf("%s:%d: public principal %s", path, line, p))
			}
		}
	}
}

// regionalTypes must name their location explicitly: left out, most of them
// default to a US or multi-region location.
var regionalTypes = map[string]string{
	"google_artifact_registry_repository":  "location",
	"google_cloud_run_v2_job":              "location",
	"google_cloud_scheduler_job":           "region",
	"google_logging_project_bucket_config": "location",
	"google_storage_bucket":                "location",
}

func (m *Module) checkRegion(add addFunc) {
	// Every location or region attribute, at any depth, of every block.
	var walk func(*hclsyntax.Body)
	walk = func(body *hclsyntax.Body) {
		for name, a := range body.Attributes {
			if name != "location" && name != "region" {
				continue
			}
			s, ok := m.evalString(a.Expr)
			switch {
			case !ok:
				add(a.SrcRange, "%s cannot be resolved to a fixed value", name)
			case !strings.EqualFold(s, Region):
				add(a.SrcRange, "%s is %q, want %s", name, s, Region)
			}
		}
		for _, b := range body.Blocks {
			walk(b.Body)
		}
	}
	for _, b := range m.blocks {
		if b.Type == "resource" || b.Type == "data" || b.Type == "provider" {
			walk(b.Body)
		}
	}
	for _, r := range m.Resources() {
		if attr, ok := regionalTypes[r.Labels[0]]; ok {
			if _, set := r.Body.Attributes[attr]; !set {
				add(r.DefRange(), "%s.%s does not set %s", r.Labels[0], r.Labels[1], attr)
			}
		}
	}
	for _, b := range m.blocks {
		if b.Type == "provider" && b.Labels[0] == "google" {
			if _, set := b.Body.Attributes["region"]; !set {
				add(b.DefRange(), "provider google does not set region")
			}
		}
	}

	// The region variable must refuse any other region, so a -var or tfvars
	// override cannot move the deployment.
	rv, ok := m.variables["region"]
	if !ok {
		return
	}
	if len(childBlocks(rv.Body, "validation")) == 0 {
		add(rv.DefRange(), "variable region needs a validation that accepts only %s", Region)
		return
	}
	if !m.validationAccepts(rv, "region", Region) {
		add(rv.DefRange(), "variable region's validation refuses %s", Region)
	}
	for _, other := range []string{"europe-west1", "europe-north2", "us-central1", "EU"} {
		if m.validationAccepts(rv, "region", other) {
			add(rv.DefRange(), "variable region's validation accepts %q; only %s may pass", other, Region)
		}
	}
}

const (
	runtimeSA   = "google_service_account.runtime"
	schedulerSA = "google_service_account.scheduler"
)

// allowedIAM are the only grants the deployment makes; every one is on a
// single resource. Anything else carrying "_iam_" (project, folder or
// organisation bindings, authoritative policies) is a violation.
var allowedIAM = map[string]struct {
	role, member, target, targetAttr string
}{
	"google_secret_manager_secret_iam_member": {"roles/secretmanager.secretAccessor", runtimeSA, "google_secret_manager_secret", "secret_id"},
	"google_storage_bucket_iam_member":        {"roles/storage.objectAdmin", runtimeSA, "google_storage_bucket.state", "bucket"},
	"google_cloud_run_v2_job_iam_member":      {"roles/run.invoker", schedulerSA, "google_cloud_run_v2_job.bot", "name"},
}

func (m *Module) checkIAM(add addFunc) {
	secretsGranted := map[string]bool{}
	for _, r := range m.Resources() {
		typ, name := r.Labels[0], r.Labels[1]
		if !strings.Contains(typ, "_iam_") {
			continue
		}
		rule, ok := allowedIAM[typ]
		if !ok {
			add(r.DefRange(), "%s.%s: only single-resource grants %v are allowed", typ, name, slices.Sorted(mapsKeys(allowedIAM)))
			continue
		}
		if a, ok := r.Body.Attributes["role"]; !ok {
			add(r.DefRange(), "%s.%s has no role", typ, name)
		} else if s, _ := m.evalString(a.Expr); s != rule.role {
			add(a.SrcRange, "%s.%s grants %q, want %s", typ, name, s, rule.role)
		}
		if a, ok := r.Body.Attributes["member"]; !ok || !m.refersTo(a.Expr, rule.member) || len(m.refs(a.Expr)) != 1 {
			add(r.DefRange(), "%s.%s must grant to %s only", typ, name, rule.member)
		}
		a, ok := r.Body.Attributes[rule.targetAttr]
		if !ok || !m.refersTo(a.Expr, rule.target) {
			add(r.DefRange(), "%s.%s must be on %s", typ, name, rule.target)
			continue
		}
		for _, ref := range m.refs(a.Expr) {
			if p := strings.Split(ref, "."); len(p) >= 2 && p[0] == "google_secret_manager_secret" {
				secretsGranted[p[1]] = true
			}
		}
	}
	want := []string{"graph_client_secret", "pseudonym_key"}
	if got := slices.Sorted(mapsKeys(secretsGranted)); !slices.Equal(got, want) {
		v := fmt.Sprintf("secret accessor grants are on %v, want exactly %v", got, want)
		add(hcl.Range{Filename: "main.tf"}, "%s", v)
	}
}

func mapsKeys[M ~map[string]V, V any](m M) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func childBlocks(body *hclsyntax.Body, typ string) []*hclsyntax.Block {
	var bs []*hclsyntax.Block
	for _, b := range body.Blocks {
		if b.Type == typ {
			bs = append(bs, b)
		}
	}
	return bs
}

func (m *Module) attrString(body *hclsyntax.Body, name string) (string, bool) {
	a, ok := body.Attributes[name]
	if !ok {
		return "", false
	}
	return m.evalString(a.Expr)
}

func (m *Module) attrBool(body *hclsyntax.Body, name string) (value, set bool) {
	a, ok := body.Attributes[name]
	if !ok {
		return false, false
	}
	v, ok := m.eval(a.Expr)
	if !ok || v.Type() != cty.Bool {
		return false, false
	}
	return v.True(), true
}

func (m *Module) attrNumber(body *hclsyntax.Body, name string) (int, bool) {
	a, ok := body.Attributes[name]
	if !ok {
		return 0, false
	}
	v, ok := m.eval(a.Expr)
	if !ok || v.Type() != cty.Number {
		return 0, false
	}
	i, _ := v.AsBigFloat().Int64()
	return int(i), true
}

func (m *Module) checkSecrets(add addFunc) {
	secrets := m.resourcesOf("google_secret_manager_secret")
	if len(secrets) != 2 {
		add(hcl.Range{Filename: "main.tf"}, "want 2 google_secret_manager_secret resources, found %d", len(secrets))
	}
	for _, r := range secrets {
		id := r.Labels[1]
		if _, ok := r.Body.Attributes["secret_data"]; ok {
			add(r.DefRange(), "secret %s: values must not be in Terraform", id)
		}
		reps := childBlocks(r.Body, "replication")
		if len(reps) != 1 || len(childBlocks(reps[0].Body, "auto")) > 0 {
			add(r.DefRange(), "secret %s: replication must be user_managed, not automatic", id)
			continue
		}
		um := childBlocks(reps[0].Body, "user_managed")
		if len(um) != 1 || len(childBlocks(um[0].Body, "replicas")) == 0 {
			add(reps[0].DefRange(), "secret %s: replication must be user_managed with replicas in %s", id, Region)
			continue
		}
		for _, rep := range childBlocks(um[0].Body, "replicas") {
			if _, ok := rep.Body.Attributes["location"]; !ok {
				add(rep.DefRange(), "secret %s: replica without location", id)
			}
		}
	}
	for _, r := range m.resourcesOf("google_secret_manager_secret_version") {
		add(r.DefRange(), "secret versions must be added by operators, not Terraform (the value would be in the state)")
	}
}

func (m *Module) checkBucket(add addFunc) {
	buckets := m.resourcesOf("google_storage_bucket")
	if !slices.ContainsFunc(buckets, func(b *hclsyntax.Block) bool { return b.Labels[1] == "state" }) {
		add(hcl.Range{Filename: "main.tf"}, "no google_storage_bucket.state")
	}
	deletionDate, err := m.deletionDate()
	if err != nil {
		add(hcl.Range{Filename: "variables.tf"}, "%v", err)
	}
	for _, r := range buckets {
		name := r.Labels[1]
		if on, _ := m.attrBool(r.Body, "uniform_bucket_level_access"); !on {
			add(r.DefRange(), "bucket %s: uniform_bucket_level_access must be true", name)
		}
		if s, _ := m.attrString(r.Body, "public_access_prevention"); s != "enforced" {
			add(r.DefRange(), "bucket %s: public_access_prevention must be \"enforced\"", name)
		}
		if on, _ := m.attrBool(r.Body, "force_destroy"); on {
			add(r.DefRange(), "bucket %s: force_destroy must not be true", name)
		}
		vs := childBlocks(r.Body, "versioning")
		if on, _ := m.attrBool(firstBody(vs), "enabled"); len(vs) != 1 || !on {
			add(r.DefRange(), "bucket %s: versioning must be enabled", name)
		}
		sd := childBlocks(r.Body, "soft_delete_policy")
		if n, ok := m.attrNumber(firstBody(sd), "retention_duration_seconds"); len(sd) != 1 || !ok || n != 0 {
			add(r.DefRange(), "bucket %s: soft delete must be off (retention_duration_seconds = 0), or deleted data outlives the deletion date", name)
		}

		deletesAtCustomTime := false
		for _, rule := range childBlocks(r.Body, "lifecycle_rule") {
			typ, _ := m.attrString(firstBody(childBlocks(rule.Body, "action")), "type")
			if typ != "Delete" {
				continue
			}
			cond := firstBody(childBlocks(rule.Body, "condition"))
			state, _ := m.attrString(cond, "with_state")
			days, daysSet := m.attrNumber(cond, "days_since_custom_time")
			sendZero, _ := m.attrBool(cond, "send_days_since_custom_time_if_zero")
			others := 0
			for attr := range cond.Attributes {
				if attr != "with_state" && attr != "days_since_custom_time" && attr != "send_days_since_custom_time_if_zero" {
					others++
				}
			}
			switch {
			case daysSet && days == 0 && sendZero && state == "ANY" && others == 0:
				deletesAtCustomTime = true
			case state == "ARCHIVED":
				// Pruning old versions never touches the current ledger.
			default:
				add(rule.DefRange(), "bucket %s: a Delete rule on live objects other than the Custom-Time rule would delete the ledger before the deletion date", name)
			}
		}
		if !deletesAtCustomTime {
			add(r.DefRange(), "bucket %s: needs a Delete rule with days_since_custom_time = 0, send_days_since_custom_time_if_zero = true and with_state = \"ANY\"", name)
		}
	}

	// The job stamps objects with a Custom-Time derived from deletion_date;
	// it must fall before the deletion date, so deletion is done by then.
	e, ok := m.locals["object_custom_time"]
	if !ok || !m.refersTo(e, "var.deletion_date") {
		add(hcl.Range{Filename: "main.tf"}, "local object_custom_time must be derived from var.deletion_date")
		return
	}
	s, ok := m.evalString(e)
	ct, perr := time.Parse(time.RFC3339, s)
	dd, derr := time.Parse(time.DateOnly, deletionDate)
	if !ok || perr != nil || derr != nil {
		add(e.Range(), "object_custom_time %q is not an RFC 3339 time", s)
	} else if lead := dd.Sub(ct); lead < 48*time.Hour {
		add(e.Range(), "object_custom_time %s leaves %v before the deletion date %s; lifecycle deletion needs at least 48h", s, lead, deletionDate)
	}
}

func firstBody(bs []*hclsyntax.Block) *hclsyntax.Body {
	if len(bs) == 0 {
		return &hclsyntax.Body{}
	}
	return bs[0].Body
}

func (m *Module) checkJob(add addFunc) {
	jobs := m.resourcesOf("google_cloud_run_v2_job")
	if len(jobs) != 1 {
		add(hcl.Range{Filename: "main.tf"}, "want 1 google_cloud_run_v2_job, found %d", len(jobs))
		return
	}
	j := jobs[0]
	inner := firstBody(childBlocks(firstBody(childBlocks(j.Body, "template")), "template"))
	if a, ok := inner.Attributes["service_account"]; !ok || !m.refersTo(a.Expr, runtimeSA) {
		add(j.DefRange(), "the job must run as %s", runtimeSA)
	}
	env := map[string]hcl.Expression{}
	for _, c := range childBlocks(inner, "containers") {
		for _, e := range childBlocks(c.Body, "env") {
			if n, ok := m.attrString(e.Body, "name"); ok {
				if a, ok := e.Body.Attributes["value"]; ok {
					env[n] = a.Expr
				}
			}
		}
	}
	if e, ok := env["TYOMATKA_OBJECT_CUSTOM_TIME"]; !ok || !m.refersTo(e, "var.deletion_date") {
		add(j.DefRange(), "the job must get TYOMATKA_OBJECT_CUSTOM_TIME derived from var.deletion_date")
	}
}

// cronDay is the day-of-month field of a five-field cron schedule.
var cronDay = regexp.MustCompile(`^\S+\s+\S+\s+(\S+)\s+\S+\s+\S+$`)

// scheduleDayOK reports whether a schedule runs on a single day of month
// after the 20th (Kela's lists arrive by then) and no later than the 28th
// (so that no month is skipped).
func scheduleDayOK(schedule string) bool {
	sm := cronDay.FindStringSubmatch(strings.TrimSpace(schedule))
	if sm == nil {
		return false
	}
	d, err := strconv.Atoi(sm[1])
	return err == nil && d > 20 && d <= 28
}

func (m *Module) checkScheduler(add addFunc) {
	jobs := m.resourcesOf("google_cloud_scheduler_job")
	if len(jobs) != 1 {
		add(hcl.Range{Filename: "main.tf"}, "want 1 google_cloud_scheduler_job, found %d", len(jobs))
		return
	}
	s := jobs[0]
	if sched, ok := m.attrString(s.Body, "schedule"); !ok || !scheduleDayOK(sched) {
		add(s.DefRange(), "schedule %q must run monthly on one day between 21 and 28", sched)
	}
	if tz, _ := m.attrString(s.Body, "time_zone"); tz != "Europe/Helsinki" {
		add(s.DefRange(), "time_zone is %q, want Europe/Helsinki", tz)
	}
	ht := firstBody(childBlocks(s.Body, "http_target"))
	if method, _ := m.attrString(ht, "http_method"); method != "POST" {
		add(s.DefRange(), "http_target must POST")
	}
	uri, _ := m.attrString(ht, "uri")
	jobName := ""
	if js := m.resourcesOf("google_cloud_run_v2_job"); len(js) == 1 {
		jobName, _ = m.attrString(js[0].Body, "name")
	}
	project, _ := m.evalString(&hclsyntax.ScopeTraversalExpr{Traversal: hcl.Traversal{hcl.TraverseRoot{Name: "var"}, hcl.TraverseAttr{Name: "project_id"}}})
	if want := "https://run.googleapis.com/v2/projects/" + project + "/locations/" + Region + "/jobs/" + jobName + ":run"; uri != want {
		add(s.DefRange(), "http_target uri is %q, want %q", uri, want)
	}
	ot := firstBody(childBlocks(ht, "oauth_token"))
	if a, ok := ot.Attributes["service_account_email"]; !ok || !m.refersTo(a.Expr, schedulerSA) {
		add(s.DefRange(), "the scheduler must call as %s", schedulerSA)
	}

	// The schedule variable's validation must refuse a day before the lists arrive.
	sv, ok := m.variables["schedule"]
	if !ok {
		return
	}
	for _, bad := range []string{"0 6 15 * *", "0 6 1 * *", "0 6 20 * *", "0 6 31 * *"} {
		if m.validationAccepts(sv, "schedule", bad) {
			add(sv.DefRange(), "variable schedule's validation accepts %q", bad)
		}
	}
}

// validationAccepts reports whether every validation of a variable passes
// for value. A variable without validations accepts everything.
func (m *Module) validationAccepts(vb *hclsyntax.Block, name, value string) bool {
	for _, b := range childBlocks(vb.Body, "validation") {
		c, ok := b.Body.Attributes["condition"]
		if !ok {
			continue
		}
		ctx := m.ctx.NewChild()
		ctx.Variables = map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{name: cty.StringVal(value)})}
		v, diags := c.Expr.Value(ctx)
		if diags.HasErrors() || !v.IsKnown() || v.Type() != cty.Bool || v.False() {
			return false
		}
	}
	return true
}
