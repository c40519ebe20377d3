// Package csvin reads a shop's orders and refunds from CSV and similar text files into
// [vip.Order] and [vip.Refund] values, grouped into one [vip.Activity] per customer.
//
// # Columns
//
// Columns are named by their header or by a 1-based index ("3"). Left empty, a column
// is found by a list of common header names, compared without case, spaces, "_" and
// "-" (so "CustomerID", "customer_id" and "Customer Id" are the same name): see
// [DefaultNames]. The customer, date and amount columns are required; the order column
// is optional.
//
// # Rows and orders
//
// Rows that share an order ID are the lines of one order (a line-item export); a file
// with one row per order gives orders of one line each, whose amount is the order's
// paid total. Without an order column every row is an order of its own with the
// synthetic ID "row-N", N being the row's line number in the file (1 is the header).
// A line's SKU is the SKU column's value, or "line-K" for the K-th row of its order
// without one; a SKU repeated within an order gets "#K" appended, since an order
// holds each SKU once.
//
// The amount is the row's paid total. With a quantity column the paid unit price is
// the amount divided by the quantity, which must divide exactly (unless
// [Options.UnitPrices] says the money columns hold unit prices); without one the line
// is one unit. The list price and cost columns follow the same rule; a missing list
// price is the paid price.
//
// # Numbers and dates
//
// Amounts are decimals ("1234.5", "-3", "1e3"), rounded half away from zero to the
// currency's minor units ([MinorUnits], 2 for most currencies) unless
// [Options.KeepPlaces] is set; a negative amount is a bad row (refunds belong in the
// refunds file). Dates are parsed by [ParseDate]; a date without a zone is read in
// [Options.Location] (UTC when nil), a date without a time is midnight there.
//
// # Bad rows
//
// A bad row stops the reading with a [*RowError] naming the file, the line, the column
// and the value: `orders.csv:1234: column "TotalPrice": "abc" is not a number`. With
// [Options.SkipBad] bad rows are counted and left out instead.
package csvin

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// ErrBadRow is wrapped by every [*RowError].
var ErrBadRow = errors.New("bad row")

// RowError is a bad row: the file, its line number (1-based, the header is line 1 when
// there is one), the column's header (or "column N" without a header), the value and
// what is wrong with it. It wraps [ErrBadRow]. Column and Value are empty for a
// problem with the row as a whole.
type RowError struct {
	File   string
	Line   int
	Column string
	Value  string
	Reason string
}

// Error formats the problem as file:line: column "name": "value" reason.
func (e *RowError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(e.Line))
	b.WriteString(": ")
	if e.Column != "" {
		fmt.Fprintf(&b, "column %q: %q ", e.Column, e.Value)
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns [ErrBadRow].
func (e *RowError) Unwrap() error { return ErrBadRow }

// Columns names the columns of an orders file: header names or 1-based indexes. An
// empty field means the default names of [DefaultNames] for the customer, order, date
// and amount columns, and no column for the optional others.
type Columns struct {
	Customer  string `json:"customer,omitempty"`
	Order     string `json:"order,omitempty"`
	Date      string `json:"date,omitempty"`
	Amount    string `json:"amount,omitempty"`
	SKU       string `json:"sku,omitempty"`
	Category  string `json:"category,omitempty"`
	Brand     string `json:"brand,omitempty"`
	Quantity  string `json:"quantity,omitempty"`
	Cost      string `json:"cost,omitempty"`
	ListPrice string `json:"list_price,omitempty"`
}

// RefundColumns names the columns of a refunds file: the refund's ID, the ID of the
// order it returns, its date and the money returned. Empty fields mean the defaults of
// [DefaultNames].
type RefundColumns struct {
	ID     string `json:"id,omitempty"`
	Order  string `json:"order,omitempty"`
	Date   string `json:"date,omitempty"`
	Amount string `json:"amount,omitempty"`
}

// DefaultNames are the header names tried, in order, for a column left empty, written
// normalised (lower case, without spaces, "_" and "-"). The keys are "customer",
// "order", "date", "amount" for orders and "refund", "refund_order", "refund_date",
// "refund_amount" for refunds.
var DefaultNames = map[string][]string{
	"customer":      {"customerid", "customer", "custid", "cust", "clientid", "client", "userid", "user"},
	"order":         {"orderid", "order", "invoiceno", "invoice", "invoiceid", "invoicenumber", "ordernumber", "transactionid"},
	"date":          {"date", "orderdate", "invoicedate", "placedat", "createdat", "purchasedate", "timestamp", "time"},
	"amount":        {"amount", "total", "totalprice", "ordertotal", "paid", "dollarvalue", "revenue", "value", "sales"},
	"refund":        {"refundid", "refund", "id", "returnid"},
	"refund_order":  {"orderid", "order", "invoiceno", "invoice"},
	"refund_date":   {"date", "refunddate", "refundedat", "createdat", "timestamp"},
	"refund_amount": {"amount", "refundamount", "total", "value"},
}

// Options says how to read a file. The zero value reads a comma-separated file with a
// header, the default columns and date formats, in USD, dates in UTC, stopping at the
// first bad row. A plain value, safe to share.
type Options struct {
	// Name is the file's name in errors; empty means "input".
	Name string
	// Sep is the field separator: "," (the default, with CSV quoting), "tab" (also with
	// quoting), "whitespace" (runs of spaces and tabs, no quoting, leading and trailing
	// blanks ignored) or any single character.
	Sep string
	// NoHeader says the first line is data; every column must then be an index.
	NoHeader bool
	// Columns and RefundColumns map the columns of orders and refunds files.
	Columns       Columns
	RefundColumns RefundColumns
	// DateFormat is a Go layout ("02/01/2006") or a name [ParseDate] knows; empty tries
	// the defaults.
	DateFormat string
	// Currency is the ISO 4217 code of every amount; empty means USD.
	Currency string
	// Location is the zone of dates that carry none; nil means UTC.
	Location *time.Location
	// KeepPlaces keeps amounts as written instead of rounding them to the currency's
	// minor units.
	KeepPlaces bool
	// UnitPrices says the amount, list price and cost columns hold prices per unit, to
	// be multiplied by the quantity; by default they are the row's totals.
	UnitPrices bool
	// SkipBad leaves bad rows out and counts them, instead of stopping at the first.
	SkipBad bool
	// Progress, when set, is called with the number of bytes read so far, after each
	// read from the input.
	Progress func(read int64)
}

// Result is what a read found besides the values: the data rows read (bad ones
// included), and the bad rows skipped under [Options.SkipBad] with the first few of
// their errors.
type Result struct {
	Rows    int
	Skipped int
	// Errors holds the first 10 skipped rows' errors.
	Errors []error
}

func (r *Result) skip(err error) {
	r.Skipped++
	if len(r.Errors) < 10 {
		r.Errors = append(r.Errors, err)
	}
}

func (o *Options) name() string {
	if o.Name == "" {
		return "input"
	}
	return o.Name
}

func (o *Options) currency() string {
	if o.Currency == "" {
		return "USD"
	}
	return o.Currency
}

func (o *Options) location() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// MinorUnits returns the number of decimal places of a currency's minor unit (ISO
// 4217): 0 for currencies without one (JPY, KRW, ...), 3 for the dinars and rials that
// have 1/1000 units, 2 for all others.
func MinorUnits(currency string) int {
	switch currency {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	}
	return 2
}

// reader yields the fields of a file's records with their line numbers.
type reader interface {
	next() (fields []string, line int, err error)
}

type csvReader struct{ r *csv.Reader }

func (c csvReader) next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	return rec, line, nil
}

type wsReader struct {
	s    *bufio.Scanner
	line int
}

func (w *wsReader) next() ([]string, int, error) {
	for w.s.Scan() {
		w.line++
		f := strings.Fields(w.s.Text())
		if len(f) > 0 {
			return f, w.line, nil
		}
	}
	if err := w.s.Err(); err != nil {
		return nil, 0, err
	}
	return nil, 0, io.EOF
}

type countingReader struct {
	r    io.Reader
	n    int64
	tick func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.tick(c.n)
	return n, err
}

func newReader(r io.Reader, o *Options) (reader, error) {
	if o.Progress != nil {
		r = &countingReader{r: r, tick: o.Progress}
	}
	sep := o.Sep
	switch sep {
	case "whitespace", "space", "ws":
		s := bufio.NewScanner(r)
		s.Buffer(make([]byte, 64*1024), 16*1024*1024)
		return &wsReader{s: s}, nil
	case "", "comma":
		sep = ","
	case "tab", `\t`:
		sep = "\t"
	case "semicolon":
		sep = ";"
	}
	c, size := utf8.DecodeRuneInString(sep)
	if size != len(sep) || c == utf8.RuneError || c == '"' || c == '\r' || c == '\n' || c == unicode.ReplacementChar {
		return nil, fmt.Errorf("csvin: separator %q is not one character, \"tab\" or \"whitespace\"", o.Sep)
	}
	cr := csv.NewReader(r)
	cr.Comma = c
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = c != ' ' && c != '\t'
	return csvReader{cr}, nil
}

// normName is a header name without case, blanks, "_" and "-".
func normName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) || r == '_' || r == '-' || r == '.' {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// table resolves column specs against a header.
type table struct {
	file   string
	header []string // nil without a header
}

// find returns the 0-based index of the column spec names, or -1 with no spec and no
// default found. key names the default list; required says whether -1 is an error.
func (t *table) find(flag, spec, key string, required bool) (int, error) {
	if spec != "" {
		if n, err := strconv.Atoi(spec); err == nil {
			if n < 1 || (t.header != nil && n > len(t.header)) {
				return -1, fmt.Errorf("%s: %s column %s is not a column number from 1 to %d", t.file, flag, spec, len(t.header))
			}
			return n - 1, nil
		}
		if t.header == nil {
			return -1, fmt.Errorf("%s: %s column %q: the file has no header; give the column's 1-based number", t.file, flag, spec)
		}
		for i, h := range t.header {
			if h == spec {
				return i, nil
			}
		}
		for i, h := range t.header {
			if normName(h) == normName(spec) {
				return i, nil
			}
		}
		return -1, fmt.Errorf("%s: %s column %q is not in the header (%s)", t.file, flag, spec, strings.Join(t.header, ", "))
	}
	if key != "" && t.header != nil {
		for _, want := range DefaultNames[key] {
			for i, h := range t.header {
				if normName(h) == want {
					return i, nil
				}
			}
		}
	}
	if required {
		if t.header == nil {
			return -1, fmt.Errorf("%s: the %s column is required; the file has no header, so give its 1-based number", t.file, flag)
		}
		return -1, fmt.Errorf("%s: no %s column: none of the header names (%s) is a known name; name it with its flag", t.file, flag, strings.Join(t.header, ", "))
	}
	return -1, nil
}

func (t *table) colName(i int) string {
	if t.header != nil && i < len(t.header) {
		return t.header[i]
	}
	return "column " + strconv.Itoa(i+1)
}

// start opens a reader and reads the header.
func start(r io.Reader, o *Options) (reader, *table, error) {
	rd, err := newReader(r, o)
	if err != nil {
		return nil, nil, err
	}
	t := &table{file: o.name()}
	if !o.NoHeader {
		h, _, err := rd.next()
		if errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("%s: empty file: no header", t.file)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: header: %w", t.file, err)
		}
		t.header = slices.Clone(h)
		for i := range t.header {
			t.header[i] = strings.TrimSpace(t.header[i])
		}
		if len(t.header) > 0 {
			t.header[0] = strings.TrimPrefix(t.header[0], "\ufeff")
		}
	}
	return rd, t, nil
}

// row is one record being read, for errors.
type row struct {
	t      *table
	fields []string
	line   int
}

func (r *row) bad(col int, reason string) error {
	if col < 0 {
		return &RowError{File: r.t.file, Line: r.line, Reason: reason}
	}
	return &RowError{File: r.t.file, Line: r.line, Column: r.t.colName(col), Value: r.get(col), Reason: reason}
}

func (r *row) get(col int) string {
	if col < 0 || col >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[col])
}

// text returns a required non-empty field.
func (r *row) text(col int) (string, error) {
	if col >= len(r.fields) {
		return "", &RowError{File: r.t.file, Line: r.line, Reason: fmt.Sprintf("has %d fields, column %q is number %d", len(r.fields), r.t.colName(col), col+1)}
	}
	v := r.get(col)
	if v == "" {
		return "", r.bad(col, "is empty")
	}
	return v, nil
}

// money parses a non-negative amount, rounded unless keep.
func (r *row) money(col, places int, keep bool) (decimal.Decimal, error) {
	v, err := r.text(col)
	if err != nil {
		return decimal.Decimal{}, err
	}
	d, err := parseAmount(v)
	if err != nil {
		return decimal.Decimal{}, r.bad(col, "is not a number")
	}
	if d.IsNegative() {
		return decimal.Decimal{}, r.bad(col, "is negative")
	}
	if !keep {
		d = d.Round(int32(places))
	}
	return d, nil
}

// parseAmount parses a decimal, refusing exponents that would make a huge number.
func parseAmount(s string) (decimal.Decimal, error) {
	if len(s) > 64 {
		return decimal.Decimal{}, errors.New("too long")
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, err
	}
	if e := d.Exponent(); e > 30 || e < -30 {
		return decimal.Decimal{}, errors.New("exponent out of range")
	}
	return d, nil
}

func (r *row) date(col int, layouts []string, loc *time.Location) (time.Time, error) {
	v, err := r.text(col)
	if err != nil {
		return time.Time{}, err
	}
	t, err := parseWith(v, layouts, loc)
	if err != nil {
		return time.Time{}, r.bad(col, err.Error())
	}
	return t, nil
}
