// Package gen writes synthetic input data for the billing bot: a tracking
// workbook (SPEC §2.1) and Kela accrual lists (SPEC §2.2) for any number of
// made-up clients, from a few dozen for the committed sample to national scale
// for load tests.
//
// Everything is a pure function of Options: the same options give
// byte-identical files. Every identity code is a temporary code (individual
// number 900–999), so no generated row can ever be a real person's.
//
// Rows are streamed: the workbook and xlsx lists go through excelize's
// StreamWriter, CSV lists through a buffered writer. Memory grows with the
// number of persons (a few dozen bytes each), never with the number of rows.
package gen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"cloud.google.com/go/civil"

	"tyomatka/internal/period"
)

// Formats of the accrual lists.
const (
	FormatMixed = "mixed" // one folder, months rotate: xlsx, csv (;, Windows-1252), csv (",", UTF-8 BOM)
	FormatXLSX  = "xlsx"
	FormatCSV   = "csv" // months alternate between the two CSV flavours
	FormatBoth  = "both"
)

// Output names.
const (
	TrackingFile  = "TyoMatka_seuranta.xlsx"
	AccrualDir    = "kertymat"      // mixed, xlsx and csv
	AccrualDirXL  = "kertymat-xlsx" // both: every month as xlsx
	AccrualDirCSV = "kertymat-csv"  // both: every month as csv
)

// Limits.
const (
	maxMonths = 120
	// minMessyClients is the smallest workbook that can hold every deliberate
	// problem on a different client.
	minMessyClients = 12
)

// Options says what to generate.
type Options struct {
	Clients int          // clients in the tracking workbook
	Months  int          // number of monthly accrual lists
	Last    period.Month // the last list's month; lists cover Last-Months+1 … Last
	Seed    uint64
	// Format of the accrual lists: "mixed" (the default, ""), "xlsx", "csv" or
	// "both". A run reads every list in its accrual folder, so "both" writes
	// the two formats into separate folders kertymat-xlsx/ and kertymat-csv/;
	// the others write kertymat/.
	Format string
	Dir    string // output folder: Dir/TyoMatka_seuranta.xlsx and Dir/kertymat*/
	// Others is the number of non-client persons on every list (most people
	// on Kela's list are not clients). Negative means "as many as Clients".
	Others int
	Messy  bool // add one of every data problem the bot reports
}

// FileStat describes one written file.
type FileStat struct {
	Path string // as written (Dir joined with the file's relative name)
	Rows int    // data rows, headers and titles not counted
}

// Problem locates one deliberate data problem written with Options.Messy.
type Problem struct {
	Kind  string // one of the Problem* constants
	File  string // path as in FileStat
	Sheet string // "" for CSV
	Row   int    // Excel row or CSV line, 1-based
}

// Deliberate problems of Options.Messy, named after the finding each causes.
const (
	ProblemHetuInvalid     = "HETU_INVALID"        // wrong check character
	ProblemReferralMissing = "REFERRAL_MISSING"    // blank Ohjattu
	ProblemClientDuplicate = "CLIENT_DUPLICATE"    // a second row of a person (the added row)
	ProblemCodeMissing     = "CODE_MISSING"        // client without a Muunto row
	ProblemCodeDuplicate   = "CODE_DUPLICATE"      // Muunto maps a person to a second code (the added row)
	ProblemDateOrder       = "DATE_ORDER"          // Infotilaisuus before Ohjattu
	ProblemEmploymentType  = "EMPLOYMENT_TYPE"     // Työllistyminen with a blank Työsuhde
	ProblemDateInvalid     = "DATE_INVALID"        // Infotilaisuus with a two-digit year
	ProblemDateFuture      = "DATE_FUTURE"         // Aloitus months after the last list
	ProblemAccrualRow      = "ACCRUAL_ROW_INVALID" // an accrual row with month 13
)

// Stats reports what Generate wrote.
type Stats struct {
	Files       []FileStat // in the order written
	Clients     int        // distinct clients
	Others      int        // distinct non-clients on the lists
	ClientRows  int        // data rows of Asiakkaat (a Messy duplicate counts)
	CodeRows    int        // data rows of Muunto
	AccrualRows int        // data rows of all lists, counted once when Format is "both"
	Problems    []Problem  // with Messy: where each deliberate problem is
}

// Generate writes the tracking workbook and the accrual lists into o.Dir.
// It refuses to write into an accrual folder that holds lists it would not
// overwrite: a run reads every list in the folder, and a stale one would
// silently change the sample.
func Generate(ctx context.Context, o Options) (Stats, error) {
	g, err := newGenerator(o)
	if err != nil {
		return Stats{}, err
	}
	if err := g.prepareDirs(); err != nil {
		return Stats{}, err
	}
	// Lists first: the workbook's Maksupäivät is what the lists say at the
	// referral month, and only the lists' pass knows it.
	if err := g.writeLists(ctx); err != nil {
		return Stats{}, err
	}
	if err := g.writeTracking(ctx); err != nil {
		return Stats{}, err
	}
	g.stats.Clients, g.stats.Others = g.o.Clients, g.o.Others
	return g.stats, nil
}

// listFormat is the format of one written list.
type listFormat int

const (
	listXLSX listFormat = iota
	listCSVSemicolon
	listCSVComma
)

// listFile is one list to write: its folder (relative to Dir) and format.
type listFile struct {
	dir    string
	format listFormat
}

func (l listFile) name(m period.Month) string {
	if l.format == listXLSX {
		return "Kelmu_" + m.String() + ".xlsx"
	}
	return "kelmu_" + m.String() + ".csv"
}

type generator struct {
	o       Options
	first   period.Month
	persons []person
	clients []client
	messy   messyPlan
	stats   Stats

	pcg *rand.PCG
	rnd *rand.Rand

	hetuMul, hetuAdd uint64 // affine bijection person → identity-code slot
	permMul, permAdd uint64 // affine bijection list position → person
}

func newGenerator(o Options) (*generator, error) {
	switch o.Format {
	case "":
		o.Format = FormatMixed
	case FormatMixed, FormatXLSX, FormatCSV, FormatBoth:
	default:
		return nil, fmt.Errorf("format %q: want mixed, xlsx, csv or both", o.Format)
	}
	if o.Others < 0 {
		o.Others = o.Clients
	}
	switch {
	case o.Clients < 1:
		return nil, fmt.Errorf("clients %d: want at least 1", o.Clients)
	case o.Months < 1 || o.Months > maxMonths:
		return nil, fmt.Errorf("months %d: want 1–%d", o.Months, maxMonths)
	case o.Last.IsZero():
		return nil, errors.New("last month is not set")
	case o.Dir == "":
		return nil, errors.New("output folder is not set")
	case o.Messy && o.Clients < minMessyClients:
		return nil, fmt.Errorf("clients %d: messy data needs at least %d", o.Clients, minMessyClients)
	case o.Clients+o.Others > hetuSlots:
		return nil, fmt.Errorf("clients+others %d: at most %d distinct temporary identity codes", o.Clients+o.Others, hetuSlots)
	}
	g := &generator{o: o, first: o.Last.Add(1 - o.Months)}
	g.pcg = rand.NewPCG(0, 0)
	g.rnd = rand.New(g.pcg)
	g.seed(saltLayout, 0)
	g.hetuMul = coprime(uint64(hetuSlots), 700_001+g.rnd.Uint64N(500_000))
	g.hetuAdd = g.rnd.Uint64N(uint64(hetuSlots))
	n := uint64(o.Clients + o.Others)
	g.permMul = coprime(n, n/3+1+g.rnd.Uint64N(n/3+1))
	g.permAdd = g.rnd.Uint64N(n)
	g.buildClients()
	g.buildPersons()
	if o.Messy {
		g.planMessy()
	}
	return g, nil
}

// Salts keep the random streams of different purposes apart, so that adding a
// decision in one place does not shift every value elsewhere.
const (
	saltLayout uint64 = iota << 56
	saltClient
	saltPerson
	saltWorkbook
	saltMessy
	saltMonth // + month index
)

// seed reseeds the shared generator for one purpose and key. The inputs are
// mixed first because PCG streams from nearby seeds start out alike.
func (g *generator) seed(salt, key uint64) {
	g.pcg.Seed(mix64(g.o.Seed^salt), mix64(key^salt))
}

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// coprime returns the first number ≥ start that is coprime with n (and not 1
// modulo n, which would not shuffle).
func coprime(n, start uint64) uint64 {
	if n <= 2 {
		return 1
	}
	for c := start; ; c++ {
		if gcd(c, n) == 1 && c%n != 1 {
			return c
		}
	}
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// lists returns the folders and formats month m is written in.
func (g *generator) lists(k int) []listFile {
	switch g.o.Format {
	case FormatXLSX:
		return []listFile{{AccrualDir, listXLSX}}
	case FormatCSV:
		return []listFile{{AccrualDir, listCSVSemicolon + listFormat(k%2)}}
	case FormatBoth:
		return []listFile{{AccrualDirXL, listXLSX}, {AccrualDirCSV, listCSVSemicolon + listFormat(k%2)}}
	}
	return []listFile{{AccrualDir, listFormat(k % 3)}}
}

// prepareDirs creates the output folders and checks that no stale list would
// end up beside the new ones.
func (g *generator) prepareDirs() error {
	want := map[string]map[string]bool{}
	for k := range g.o.Months {
		for _, l := range g.lists(k) {
			if want[l.dir] == nil {
				want[l.dir] = map[string]bool{}
			}
			want[l.dir][l.name(g.first.Add(k))] = true
		}
	}
	dirs := make([]string, 0, len(want))
	for d := range want {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		path := filepath.Join(g.o.Dir, d)
		if err := os.MkdirAll(path, 0o755); err != nil {
			return fmt.Errorf("create output folder: %w", err)
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			return fmt.Errorf("read output folder: %w", err)
		}
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if e.Type().IsRegular() && (ext == ".xlsx" || ext == ".csv") && !want[d][e.Name()] {
				return fmt.Errorf("accrual folder %s already holds %s, which this run would not replace: remove it or choose an empty output folder", path, e.Name())
			}
		}
	}
	return nil
}

// monthIndex returns the index of month(d) relative to the first list month.
func (g *generator) monthIndex(d civil.Date) int {
	return period.Of(d).Index() - g.first.Index()
}
