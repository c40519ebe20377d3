package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

var update = flag.Bool("update", false, "rewrite the golden files (check the change by hand first: testdata/README.md)")

// runCmd runs the command line in-process and returns its exit status and output.
func runCmd(t testing.TB, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("output differs from %s, worked out by hand in testdata/README.md (-want +got):\n%s", path, diff)
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"score.golden.csv", []string{"score", "--orders", "testdata/orders.csv", "--refunds", "testdata/refunds.csv", "--no-clv"}},
		{"simulate.golden.csv", []string{"simulate", "--ladder", "testdata/ladder.json", "--orders", "testdata/orders.csv",
			"--refunds", "testdata/refunds.csv", "--from", "2024-01-01", "--to", "2024-07-01"}},
		{"compare.golden.csv", []string{"simulate", "--ladder", "testdata/ladder.json", "--ladder", "testdata/ladder-strict.json",
			"--orders", "testdata/orders.csv", "--refunds", "testdata/refunds.csv", "--from", "2024-01-01", "--to", "2024-07-01", "--every", "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCmd(t, "", tt.args...)
			if code != 0 {
				t.Fatalf("vip %s: exit %d, stderr:\n%s", strings.Join(tt.args, " "), code, errs)
			}
			if errs != "" {
				t.Errorf("stderr not empty:\n%s", errs)
			}
			golden(t, tt.name, out)
		})
	}
}

// TestScore_OutFileAndStdin reads the orders from stdin, writes to a file, and gives
// the same rows as the golden file; --as-of given explicitly as the default.
func TestScore_OutFileAndStdin(t *testing.T) {
	orders, err := os.ReadFile("testdata/orders.csv")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "scores.csv")
	code, stdout, errs := runCmd(t, string(orders), "score", "--orders", "-", "--refunds", "testdata/refunds.csv", "--no-clv", "--as-of", "2024-07-01", "--out", out)
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, errs)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "score.golden.csv", string(got))
}

// TestScore_CLV checks the CLV column's wiring: it is the library's ResidualCLV for the
// documented defaults (BG/NBD and Gamma-Gamma on the orders up to the as-of date, in
// weeks, same-day orders merged, 12 average months, 10% a year, margin given), written
// to two places, and the other columns are those of the golden file.
func TestScore_CLV(t *testing.T) {
	code, out, errs := runCmd(t, "", "score", "--orders", "testdata/orders.csv", "--refunds", "testdata/refunds.csv", "--margin", "0.5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || rows[0][9] != "clv" {
		t.Fatalf("want a header with clv and 5 rows, got %q", rows)
	}
	// The reference: the library called directly.
	var orders []vip.Order
	data, err := load(&input{orders: "testdata/orders.csv", sep: ",", cur: "USD", tz: "UTC"}, &env{stderr: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	orders = data.orders
	asOf := data.last.AddDate(0, 0, 1)
	cohort, err := vip.BuildCohortFromOrders(orders, vip.CohortOptions{Unit: vip.UnitWeek, CutOff: asOf, Merge: vip.UnitDay})
	if err != nil {
		t.Fatal(err)
	}
	bg, _ := vip.FitBGNBD(cohort, nil)
	gg, _ := vip.FitGammaGamma(cohort, nil)
	if bg == nil || gg == nil {
		t.Skip("the models do not fit five customers; the real-data tests cover the column")
	}
	res, err := vip.ResidualCLV(bg, gg, cohort, vip.CLVOptions{Horizon: time.Duration(12 * 365.2425 / 12 * 24 * float64(time.Hour)), AnnualRate: 0.10, Margin: decimal.RequireFromString("0.5")})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		want := ""
		if r.OK {
			want = r.Value.StringFixed(2)
		}
		if got := rows[i+1][9]; rows[i+1][0] != r.ID || got != want {
			t.Errorf("row %d: customer %s clv %q, want %s %q", i+1, rows[i+1][0], got, r.ID, want)
		}
	}
}

func TestSimulate_JSON(t *testing.T) {
	code, out, errs := runCmd(t, "", "simulate", "--ladder", "testdata/ladder.json", "--orders", "testdata/orders.csv",
		"--refunds", "testdata/refunds.csv", "--from", "2024-01-01", "--to", "2024-07-01", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var c vip.Comparison
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("output is not one Comparison: %v\n%s", err, out)
	}
	if c.Ladder != "base" || len(c.Result.Periods) != 7 || len(c.Result.Statuses) != 5 || len(c.Metrics) == 0 {
		t.Fatalf("ladder %q, %d periods, %d statuses, %d metrics; want base, 7, 5, some", c.Ladder, len(c.Result.Periods), len(c.Result.Statuses), len(c.Metrics))
	}
	// The same figures as the hand-worked CSV: 2024-05-01 Silver 2 after 1 upgrade.
	p := c.Result.Periods[4]
	if p.Tiers["Silver"] != 2 || p.Upgrades != 1 || c.Result.Statuses["ann"].Tier != "Silver" || c.Result.Statuses["dan"].Tier != "" {
		t.Errorf("period %s: %+v; statuses %+v", p.At, p, c.Result.Statuses)
	}
	// upgrade_share: ann, dan and eve moved up at least once, of 5 customers.
	for _, m := range c.Metrics {
		if m.Name == "upgrade_share" && !m.Value.Equal(decimal.RequireFromString("0.6")) {
			t.Errorf("upgrade_share %s, want 0.6 (3 of 5)", m.Value)
		}
	}
	code, out, _ = runCmd(t, "", "simulate", "--ladder", "testdata/ladder.json", "--ladder", "testdata/ladder-strict.json", "--orders", "testdata/orders.csv",
		"--from", "2024-01-01", "--to", "2024-02-01", "--format", "json")
	var cs []vip.Comparison
	if err := json.Unmarshal([]byte(out), &cs); code != 0 || err != nil || len(cs) != 2 || cs[1].Ladder != "strict" {
		t.Fatalf("two ladders: exit %d, %v, %d comparisons", code, err, len(cs))
	}
}

func TestValidate(t *testing.T) {
	code, out, errs := runCmd(t, "", "validate", "testdata/ladder.json", "testdata/ladder-strict.json")
	if code != 0 || out != "ok: base, 2 tiers\nok: strict, 2 tiers\n" || errs != "" {
		t.Errorf("valid ladders: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, out, errs = runCmd(t, "", "validate", "testdata/ladder.json", "testdata/bad-ladder.json")
	want := `ok: base, 2 tiers
testdata/bad-ladder.json: 4 problem(s):
  vip: ladder "": name is empty: invalid ladder
  vip: ladder "": currency "usd" is not an ISO 4217 code: invalid ladder
  vip: ladder "": grace_months 20 is outside 0-12: invalid ladder
  vip: ladder "": tier "Gold": qualify threshold 400 is not above tier "Silver"'s 500: tiers go in ascending order: invalid ladder
`
	if code != 1 || out != want || errs != "vip: validate: 1 of 2 files have problems\n" {
		t.Errorf("bad ladder: exit %d, stderr %q, stdout (-want +got):\n%s", code, errs, cmp.Diff(want, out))
	}
}

func TestValidate_Catalogue(t *testing.T) {
	dir := t.TempDir()
	cat := vip.BriefCatalogue()
	data, err := json.Marshal(cat)
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "cat.json")
	if err := os.WriteFile(good, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd(t, "", "validate", "--catalogue", good, "../../testdata/brief-ladder.json")
	if code != 0 || out != "ok: vip, 3 tiers\nok: catalogue "+good+", 3 tiers\n" {
		t.Errorf("brief catalogue with the brief ladder: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// The same catalogue against a two-tier ladder does not price it.
	code, out, _ = runCmd(t, "", "validate", "testdata/ladder.json", "--catalogue", good)
	if code != 1 || !strings.Contains(out, good+": ") || !strings.Contains(out, `ladder "base"`) {
		t.Errorf("brief catalogue with a two-tier ladder: exit %d, stdout %q", code, out)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"currency": "USD", "bogus": 1, "tiers": []}`), 0o644)
	code, out, _ = runCmd(t, "", "validate", "--catalogue", bad)
	if code != 1 || !strings.Contains(out, "bogus") {
		t.Errorf("catalogue with an unknown field: exit %d, stdout %q", code, out)
	}
}

func TestRun_Errors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		code    int
		stderr  string // a substring
		stdin   string
		nostdio bool
	}{
		{"NoCommand", nil, 2, "Usage: vip <command>", "", false},
		{"UnknownCommand", []string{"frobnicate"}, 2, `vip: no command "frobnicate"`, "", false},
		{"UnknownFlag", []string{"score", "--bogus"}, 2, "vip: score: flag provided but not defined: -bogus\n(run with --help for the usage)", "", false},
		{"MissingOrders", []string{"score"}, 2, "vip: --orders is required", "", false},
		{"BadTZ", []string{"score", "--orders", "x.csv", "--tz", "Mars/Olympus"}, 2, `--tz "Mars/Olympus"`, "", false},
		{"BadDateFormat", []string{"score", "--orders", "x.csv", "--date-format", "15:04"}, 2, "--date-format", "", false},
		{"BadAsOf", []string{"score", "--orders", "testdata/orders.csv", "--as-of", "yesterday"}, 2, `--as-of "yesterday" is not a date`, "", false},
		{"BadMargin", []string{"score", "--orders", "x.csv", "--margin", "2"}, 2, "--margin", "", false},
		{"Extra", []string{"score", "--orders", "x.csv", "extra"}, 2, `unexpected argument "extra"`, "", false},
		{"NoLadder", []string{"simulate", "--orders", "x.csv"}, 2, "--ladder is required", "", false},
		{"BadFormat", []string{"simulate", "--ladder", "testdata/ladder.json", "--orders", "x.csv", "--format", "xml"}, 2, `--format "xml"`, "", false},
		{"BadEvery", []string{"simulate", "--ladder", "testdata/ladder.json", "--orders", "x.csv", "--every", "0"}, 2, "--every 0", "", false},
		{"ToBeforeFrom", []string{"simulate", "--ladder", "testdata/ladder.json", "--orders", "testdata/orders.csv", "--from", "2024-02-01", "--to", "2024-01-01"}, 2, "is before --from", "", false},
		{"ValidateNothing", []string{"validate"}, 2, "name at least one ladder", "", false},
		{"MissingFile", []string{"score", "--orders", "testdata/nope.csv"}, 1, "vip: open testdata/nope.csv: no such file or directory", "", false},
		{"BadLadder", []string{"simulate", "--ladder", "testdata/bad-ladder.json", "--orders", "testdata/orders.csv"}, 1, "testdata/bad-ladder.json: vip: ladder \"\": name is empty", "", false},
		{"BadRow", []string{"score", "--orders", "-"}, 1, "vip: stdin:3: column \"amount\": \"abc\" is not a number\n", "customer,date,amount\nc,2024-01-01,1\nc,2024-01-02,abc\n", false},
		{"CurrencyMismatch", []string{"simulate", "--ladder", "testdata/ladder.json", "--orders", "testdata/orders.csv", "--currency", "EUR"}, 1, "currency mismatch", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCmd(t, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.stderr) {
				t.Errorf("vip %s: exit %d, stderr:\n%s\nwant exit %d and %q", strings.Join(tt.args, " "), code, errs, tt.code, tt.stderr)
			}
		})
	}
}

// TestScore_KeepPlaces: amounts kept as written come out exactly, never rounded to cents.
func TestScore_KeepPlaces(t *testing.T) {
	in := "customer,date,amount\na,2024-01-01,1.005\na,2024-01-02,2.0001\nb,2024-01-02,3\n"
	code, out, errs := runCmd(t, in, "score", "--orders", "-", "--keep-places", "--no-clv")
	// As of 2024-01-03 (the midnight after the last order) both bought a day before.
	// Two customers in five bins score 1 (rank 0) and floor(1*5/2)+1 = 3 (rank 1):
	// R ties, split by ID: a 1, b 3; F: b (1 order) 1, a (2) 3; M: b (3.00) 1,
	// a (3.0051) 3. a = 133: At Risk in both maps; b = 311: About To Sleep (R 3, F 1),
	// New Customers (311).
	want := "customer_id,recency_days,frequency,monetary,r,f,m,segment_rf,segment_rfm\n" +
		"a,1,2,3.0051,1,3,3,At Risk,At Risk\n" +
		"b,1,1,3.00,3,1,1,About To Sleep,New Customers\n"
	if code != 0 || out != want {
		t.Errorf("exit %d, stderr %q, stdout (-want +got):\n%s", code, errs, cmp.Diff(want, out))
	}
}

func TestScore_SkipBad(t *testing.T) {
	in := "customer,date,amount\nc,2024-01-01,1\nc,2024-01-02,abc\nd,2024-01-03,2\n"
	code, out, errs := runCmd(t, in, "score", "--orders", "-", "--skip-bad", "--no-clv")
	want := "vip: stdin: skipped 1 bad rows of 3; the first:\n  stdin:3: column \"amount\": \"abc\" is not a number\n"
	if code != 0 || errs != want || strings.Count(out, "\n") != 3 {
		t.Errorf("exit %d, stdout %q, stderr (-want +got):\n%s", code, out, cmp.Diff(want, errs))
	}
}

// TestHelp: every command's --help goes to stdout with exit 0 and names every flag and
// an example.
func TestHelp(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCmd(t, "", c.name, "--help")
			if code != 0 || errs != "" {
				t.Fatalf("exit %d, stderr %q", code, errs)
			}
			for _, want := range []string{"Usage: vip " + c.name, "Flags:", "Example:\n  vip " + c.name} {
				if !strings.Contains(out, want) {
					t.Errorf("help lacks %q:\n%s", want, out)
				}
			}
			fs := flagsOf(t, c.name)
			fs.VisitAll(func(f *flag.Flag) {
				if !strings.Contains(out, "  --"+f.Name+" ") && !strings.Contains(out, "  --"+f.Name+"\n") {
					t.Errorf("help lacks --%s", f.Name)
				}
			})
			code, out2, _ := runCmd(t, "", "help", c.name)
			if code != 0 || out2 != out {
				t.Errorf("vip help %s differs from vip %s --help", c.name, c.name)
			}
		})
	}
	code, out, _ := runCmd(t, "", "--help")
	if code != 0 || !strings.Contains(out, "simulate") {
		t.Errorf("vip --help: exit %d, %q", code, out)
	}
}

// flagsOf returns the flag set a command defines, recorded by running its help.
func flagsOf(t *testing.T, name string) *flag.FlagSet {
	t.Helper()
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	for _, c := range commands {
		if c.name == name {
			c.run([]string{"--help"}, e)
		}
	}
	if e.flags == nil {
		t.Fatalf("no flag set recorded for %s", name)
	}
	return e.flags
}

func TestRenderProgress(t *testing.T) {
	tests := []struct {
		read, total int64
		want        string
	}{
		{0, 2000, "f.csv   0% [>         ] 0 B / 2.0 kB"},
		{1000, 2000, "f.csv  50% [=====>    ] 1.0 kB / 2.0 kB"},
		{2_700_000, 2_700_000, "f.csv 100% [==========] 2.7 MB / 2.7 MB"},
		{3000, 2000, "f.csv 100% [==========] 3.0 kB / 2.0 kB"},
		{0, 0, "f.csv 100% [==========] 0 B / 0 B"},
		{1_234_567_890, -1, "f.csv 1.2 GB"},
	}
	for _, tt := range tests {
		if got := renderProgress("f.csv", tt.read, tt.total, 10); got != tt.want {
			t.Errorf("renderProgress(%d, %d) = %q, want %q", tt.read, tt.total, got, tt.want)
		}
	}
}

// TestProgress: no bar in captured output unless asked; with --progress a bar that
// ends at 100% and a newline.
func TestProgress(t *testing.T) {
	_, _, errs := runCmd(t, "", "score", "--orders", "testdata/orders.csv", "--no-clv")
	if errs != "" {
		t.Errorf("stderr without --progress: %q", errs)
	}
	_, _, errs = runCmd(t, "", "score", "--orders", "testdata/orders.csv", "--no-clv", "--progress")
	if !strings.HasPrefix(errs, "\rorders.csv ") || !strings.HasSuffix(errs, "\rorders.csv 100% [==============================] 271 B / 271 B\n") {
		t.Errorf("stderr with --progress: %q", errs)
	}
}

// TestBinary builds the command and runs it once as a user would.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "vip")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "simulate", "--ladder", "testdata/ladder.json", "--orders", "testdata/orders.csv",
		"--refunds", "testdata/refunds.csv", "--from", "2024-01-01", "--to", "2024-07-01")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("vip simulate: %v\n%s", err, stderr.String())
	}
	golden(t, "simulate.golden.csv", string(out))
	err = exec.Command(bin, "score", "--bogus").Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("vip score --bogus: %v, want exit status 2", err)
	}
	err = exec.Command(bin, "validate", "testdata/bad-ladder.json").Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("vip validate bad-ladder.json: %v, want exit status 1", err)
	}
}
