package csvin_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vipkit/vip/csvin"
)

// FuzzReadOrders reads arbitrary files with each separator and both bad-row modes: no
// panic; every order read is valid and has as many lines as rows were kept; a bad row
// is a RowError naming the file and a line within it.
func FuzzReadOrders(f *testing.F) {
	f.Add("InvoiceNo,InvoiceDate,CustomerID,TotalPrice\n536365,2010-12-01,17850,139.12\n", uint8(0), false)
	f.Add(" customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n", uint8(2), true)
	f.Add("order\tcustomer\tdate\tamount\tqty\nA\tc\t2024-01-01 10:00:00\t3.00\t3\nA\tc\t2024-01-01 10:00:00\t1e2\t1\n", uint8(1), false)
	f.Add("customer,date,amount\n\"a\"\"b\",19000101,-0\n", uint8(0), true)
	f.Fuzz(func(t *testing.T, in string, sep uint8, skip bool) {
		opts := csvin.Options{Name: "f.csv", Sep: []string{",", "tab", "whitespace", ";"}[sep%4], SkipBad: skip,
			Columns: csvin.Columns{Quantity: ""}}
		if strings.Contains(strings.SplitN(in, "\n", 2)[0], "qty") {
			opts.Columns.Quantity = "qty"
		}
		orders, res, err := csvin.ReadOrders(strings.NewReader(in), opts)
		lines := strings.Count(in, "\n") + 1
		if err != nil {
			var re *csvin.RowError
			if errors.As(err, &re) && (re.File != "f.csv" || re.Line < 1 || re.Line > lines) {
				t.Fatalf("RowError %+v outside the file's %d lines", re, lines)
			}
			if !strings.HasPrefix(err.Error(), "f.csv") && !strings.HasPrefix(err.Error(), "csvin:") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		n := 0
		for _, o := range orders {
			if err := o.Validate(); err != nil {
				t.Fatalf("ReadOrders gave an invalid order: %v", err)
			}
			n += len(o.Lines)
		}
		if n != res.Rows-res.Skipped {
			t.Fatalf("%d lines from %d rows of which %d skipped", n, res.Rows, res.Skipped)
		}
	})
}

// FuzzParseDate parses arbitrary text with arbitrary formats: no panic, and a date
// returned is within the years 1900-2200.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2011-12-09", "19970101", "2011-12-09 08:15:00", "2011-12-09T08:15:00.5+01:00", "3/4/2024 17:05", "1700000000", "-99999999999"} {
		f.Add(s, "")
	}
	f.Add("09-Dec-2011", "02-Jan-2006")
	f.Add("3/4/2024", "eu")
	f.Add("1700000000", "unix")
	f.Fuzz(func(t *testing.T, s, format string) {
		got, err := csvin.ParseDate(s, format, time.UTC)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if y := got.UTC().Year(); y < 1900 || y > 2200 {
			t.Fatalf("ParseDate(%q, %q) = %v, outside 1900-2200", s, format, got)
		}
	})
}
