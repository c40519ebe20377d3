package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/vipkit/vip/csvin"
)

// cmdFlags is a command's flag set with its help text. Flags and positional arguments
// may be interleaved; flags take one dash or two.
type cmdFlags struct {
	*flag.FlagSet
	synopsis, about, example string
}

func newFlags(name, synopsis, about, example string) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &cmdFlags{FlagSet: fs, synopsis: synopsis, about: about, example: example}
}

// help writes the command's usage, every flag and the example.
func (c *cmdFlags) help(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n\nFlags:\n", c.synopsis, strings.TrimSpace(c.about))
	c.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n      %s", line, strings.ReplaceAll(usage, "\n", "\n      "))
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
	fmt.Fprintf(w, "\nExample:\n%s\n", strings.TrimRight(c.example, "\n"))
}

// parse parses args, returning the positional arguments. --help prints the usage to
// stdout and returns errHelp.
func (c *cmdFlags) parse(args []string, e *env) ([]string, error) {
	e.flags = c.FlagSet
	var pos []string
	for {
		err := c.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			c.help(e.stdout)
			return nil, errHelp
		}
		if err != nil {
			return nil, usagef("%s: %v", c.Name(), err)
		}
		args = c.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// multi is a flag that may be given several times.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// input holds the flags of the order and refund files.
type input struct {
	orders, refunds      string
	sep, dateFormat, cur string
	tz                   string
	noHeader, keepPlaces bool
	unitPrices           bool
	skipBad, progress    bool
	cols                 csvin.Columns
	rcols                csvin.RefundColumns
	loc                  *time.Location
}

func addInput(c *cmdFlags, curDefault string) *input {
	in := &input{}
	c.StringVar(&in.orders, "orders", "", "the orders `file` (CSV; \"-\" for stdin); required")
	c.StringVar(&in.refunds, "refunds", "", "a refunds `file`: refund id, order id, date, amount")
	c.StringVar(&in.cols.Customer, "customer-col", "", "the customer `column`: header name or 1-based number\n(default: a header such as customer_id, CustomerID, customer)")
	c.StringVar(&in.cols.Order, "order-col", "", "the order `column`; rows sharing an order ID are one order's lines\n(default: a header such as order_id, InvoiceNo; none found: each row is an order \"row-N\", N its line)")
	c.StringVar(&in.cols.Date, "date-col", "", "the date `column` (default: a header such as date, order_date, InvoiceDate)")
	c.StringVar(&in.cols.Amount, "amount-col", "", "the amount `column`: the row's paid total\n(default: a header such as amount, total, TotalPrice, dollar_value)")
	c.StringVar(&in.cols.SKU, "sku-col", "", "the SKU `column` (optional)")
	c.StringVar(&in.cols.Category, "category-col", "", "the category `column` (optional)")
	c.StringVar(&in.cols.Brand, "brand-col", "", "the brand `column` (optional)")
	c.StringVar(&in.cols.Quantity, "quantity-col", "", "the quantity `column` (optional; without it a row is one unit)")
	c.StringVar(&in.cols.Cost, "cost-col", "", "the cost `column`: the row's total cost to the shop (optional)")
	c.StringVar(&in.cols.ListPrice, "list-price-col", "", "the list price `column`: the row's total before discounts (optional; default the paid amount)")
	c.BoolVar(&in.unitPrices, "unit-prices", false, "the amount, cost and list price columns are per unit (times the quantity), not row totals")
	c.StringVar(&in.rcols.ID, "refund-id-col", "", "the refunds file's refund ID `column` (default: refund_id, id)")
	c.StringVar(&in.rcols.Order, "refund-order-col", "", "the refunds file's order ID `column` (default: order_id, order)")
	c.StringVar(&in.rcols.Date, "refund-date-col", "", "the refunds file's date `column` (default: date, refund_date)")
	c.StringVar(&in.rcols.Amount, "refund-amount-col", "", "the refunds file's amount `column` (default: amount, refund_amount)")
	c.StringVar(&in.sep, "sep", ",", "the field `separator`: \",\", \"tab\", \"whitespace\" (runs of blanks) or one character")
	c.BoolVar(&in.noHeader, "no-header", false, "the files have no header line (columns are then 1-based numbers)")
	c.StringVar(&in.dateFormat, "date-format", "", "the date `format`: a Go layout (02/01/2006) or rfc3339, iso, datetime, yyyymmdd, us, eu, unix\n(default: tries RFC 3339, 2006-01-02, 2006-01-02 15:04:05, 20060102)")
	c.StringVar(&in.cur, "currency", curDefault, "the ISO 4217 `currency` of the amounts")
	c.BoolVar(&in.keepPlaces, "keep-places", false, "keep amounts as written (by default they are rounded half away from zero to the currency's minor units, 2 places for most)")
	c.StringVar(&in.tz, "tz", "UTC", "the IANA time `zone` of dates written without one (Europe/London)")
	c.BoolVar(&in.skipBad, "skip-bad", false, "leave bad rows out and report their count, instead of stopping at the first")
	c.BoolVar(&in.progress, "progress", false, "show a progress bar on stderr even when stderr is not a terminal")
	return in
}

// check validates the input flags that need no file.
func (in *input) check() error {
	if in.orders == "" {
		return usagef("--orders is required")
	}
	loc, err := time.LoadLocation(in.tz)
	if err != nil {
		return usagef("--tz %q: %v", in.tz, err)
	}
	in.loc = loc
	if _, err := csvin.Layouts(in.dateFormat); err != nil {
		return usagef("--date-format: %v", err)
	}
	return nil
}

func (in *input) options(name string) csvin.Options {
	return csvin.Options{
		Name: name, Sep: in.sep, NoHeader: in.noHeader, Columns: in.cols, RefundColumns: in.rcols,
		DateFormat: in.dateFormat, Currency: in.cur, Location: in.loc, KeepPlaces: in.keepPlaces,
		UnitPrices: in.unitPrices, SkipBad: in.skipBad,
	}
}

// parseDate parses a date flag in loc with the default layouts.
func parseDate(flagName, v string, loc *time.Location) (time.Time, error) {
	t, err := csvin.ParseDate(v, "", loc)
	if err != nil {
		return time.Time{}, usagef("--%s %q %v", flagName, v, err)
	}
	return t, nil
}

// open opens a named file, or stdin for "-".
func open(name string, e *env) (io.Reader, int64, func(), error) {
	if name == "-" {
		return e.stdin, -1, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, err
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	return f, size, func() { f.Close() }, nil
}

// create opens the output: a file, or stdout for "" and "-". The returned close
// function reports the file's close error.
func create(name string, e *env) (io.Writer, func() error, error) {
	if name == "" || name == "-" {
		return e.stdout, func() error { return nil }, nil
	}
	f, err := os.Create(name)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}
