package csvin_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/csvin"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// one is an order of one line of one unit.
func one(id, cust string, at time.Time, cur, amount string) vip.Order {
	return vip.Order{ID: id, CustomerID: cust, PlacedAt: at, Currency: cur,
		Lines: []vip.Line{{SKU: "line-1", Quantity: 1, ListPrice: dec(amount), PaidPrice: dec(amount)}}}
}

var cmpDec = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

func TestReadOrders(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
		opts csvin.Options
		want []vip.Order
	}{{
		name: "OK/UCIInvoices",
		// The UCI file's header and its float artefacts, rounded to pence.
		in: "InvoiceNo,InvoiceDate,CustomerID,TotalPrice\n" +
			"536365,2010-12-01,17850,139.12\n" +
			"536366,2010-12-01,17850,22.200000000000003\n" +
			"536368,2010-12-02,13047,70.05000000000001\n" +
			"536369,2010-12-02,13047,0.005\n",
		opts: csvin.Options{Currency: "GBP"},
		want: []vip.Order{
			one("536365", "17850", day(2010, 12, 1), "GBP", "139.12"),
			one("536366", "17850", day(2010, 12, 1), "GBP", "22.20"),
			one("536368", "13047", day(2010, 12, 2), "GBP", "70.05"),
			one("536369", "13047", day(2010, 12, 2), "GBP", "0.01"), // half away from zero
		},
	}, {
		name: "OK/CDNOWWhitespace",
		// CDNOW's layout: leading blanks, CRLF, no order column, YYYYMMDD.
		in: " customer_id  date number_of_cds  dollar_value\r\n" +
			" 00001 19970101  1   11.77\r\n" +
			" 00002 19970112  1   12.00\r\n" +
			"\r\n" +
			" 00002 19970112  5   77.00\r\n",
		opts: csvin.Options{Sep: "whitespace"},
		want: []vip.Order{
			one("row-2", "00001", day(1997, 1, 1), "USD", "11.77"),
			one("row-3", "00002", day(1997, 1, 12), "USD", "12.00"),
			one("row-5", "00002", day(1997, 1, 12), "USD", "77.00"),
		},
	}, {
		name: "OK/LineItemsUnitPrices",
		in: "order;customer;sku;qty;price;list;cost;category;brand;date\n" +
			"A1;c1;mug;2;4.50;5.00;1.25;kitchen;acme;2024-03-01 10:30:00\n" +
			"A1;c1;tea;1;3;3;1;food;;2024-03-01 10:30:00\n" +
			"A1;c1;mug;1;5;5;1.25;kitchen;acme;2024-03-01 10:30:00\n" +
			"B7;c2;tea;3;3;3;1;food;;2024-03-02 09:00:00\n",
		opts: csvin.Options{Sep: ";", UnitPrices: true, Location: london, Columns: csvin.Columns{
			SKU: "sku", Quantity: "qty", Amount: "price", ListPrice: "list", Cost: "cost", Category: "category", Brand: "brand"}},
		want: []vip.Order{{
			ID: "A1", CustomerID: "c1", PlacedAt: time.Date(2024, 3, 1, 10, 30, 0, 0, london), Currency: "USD",
			Lines: []vip.Line{
				{SKU: "mug", Category: "kitchen", Brand: "acme", Quantity: 2, ListPrice: dec("5.00"), PaidPrice: dec("4.50"), UnitCost: dec("1.25")},
				{SKU: "tea", Category: "food", Quantity: 1, ListPrice: dec("3"), PaidPrice: dec("3"), UnitCost: dec("1")},
				{SKU: "mug#3", Category: "kitchen", Brand: "acme", Quantity: 1, ListPrice: dec("5"), PaidPrice: dec("5"), UnitCost: dec("1.25")},
			},
		}, {
			ID: "B7", CustomerID: "c2", PlacedAt: time.Date(2024, 3, 2, 9, 0, 0, 0, london), Currency: "USD",
			Lines: []vip.Line{{SKU: "tea", Category: "food", Quantity: 3, ListPrice: dec("3"), PaidPrice: dec("3"), UnitCost: dec("1")}},
		}},
	}, {
		name: "OK/TotalsDividedByQuantity",
		// 30.00 for 3 units is 10 a unit; 0.10 for 4 units is 0.025.
		in:   "order_id,customer_id,date,amount,quantity\n1,a,2024-01-01,30.00,3\n2,a,2024-01-02,0.10,4\n2,a,2024-01-02,7,1\n",
		opts: csvin.Options{Columns: csvin.Columns{Quantity: "quantity"}},
		want: []vip.Order{
			{ID: "1", CustomerID: "a", PlacedAt: day(2024, 1, 1), Currency: "USD", Lines: []vip.Line{{SKU: "line-1", Quantity: 3, ListPrice: dec("10"), PaidPrice: dec("10")}}},
			{ID: "2", CustomerID: "a", PlacedAt: day(2024, 1, 2), Currency: "USD", Lines: []vip.Line{
				{SKU: "line-1", Quantity: 4, ListPrice: dec("0.025"), PaidPrice: dec("0.025")},
				{SKU: "line-2", Quantity: 1, ListPrice: dec("7"), PaidPrice: dec("7")},
			}},
		},
	}, {
		name: "OK/IndexesNoHeaderTabs",
		in:   "x\t2024-02-29T23:30:00-05:00\t5\t1000\n",
		opts: csvin.Options{Sep: "tab", NoHeader: true, Currency: "JPY", Columns: csvin.Columns{Customer: "1", Date: "2", Order: "3", Amount: "4"}},
		want: []vip.Order{one("5", "x", time.Date(2024, 3, 1, 4, 30, 0, 0, time.UTC), "JPY", "1000")},
	}, {
		name: "OK/KeepPlacesAndFormat",
		in:   "Customer Id,Order Date,Sales\nq,31/12/2023,1.23456\n",
		opts: csvin.Options{KeepPlaces: true, DateFormat: "02/01/2006"},
		want: []vip.Order{one("row-2", "q", day(2023, 12, 31), "USD", "1.23456")},
	}, {
		name: "OK/QuotedFieldsAndBOM",
		in:   "\ufeffcustomer,date,amount,order\n\"Smith, J\",2024-05-05,\"12.5\",\"o,1\"\n",
		want: []vip.Order{one("o,1", "Smith, J", day(2024, 5, 5), "USD", "12.50")},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, res, err := csvin.ReadOrders(strings.NewReader(tt.in), tt.opts)
			if err != nil {
				t.Fatalf("ReadOrders: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpDec); diff != "" {
				t.Errorf("ReadOrders orders (-want +got):\n%s", diff)
			}
			if res.Skipped != 0 {
				t.Errorf("ReadOrders skipped %d rows, want 0", res.Skipped)
			}
			for _, o := range got {
				if err := o.Validate(); err != nil {
					t.Errorf("order %s: %v", o.ID, err)
				}
			}
		})
	}
}

func TestReadOrders_Errors(t *testing.T) {
	const head = "InvoiceNo,InvoiceDate,CustomerID,TotalPrice\n"
	tests := []struct {
		name string
		in   string
		opts csvin.Options
		want string
	}{
		{"ErrNotANumber", head + "1,2011-01-01,c,1\n2,2011-01-01,c,abc\n", csvin.Options{Name: "orders.csv"},
			`orders.csv:3: column "TotalPrice": "abc" is not a number`},
		{"ErrNegative", head + "1,2011-01-01,c,-1\n", csvin.Options{Name: "o.csv"},
			`o.csv:2: column "TotalPrice": "-1" is negative`},
		{"ErrDate", head + "1,2011-13-01,c,1\n", csvin.Options{Name: "o.csv", DateFormat: "iso"},
			`o.csv:2: column "InvoiceDate": "2011-13-01" is not a date in the format 2006-01-02`},
		{"ErrDateYear", head + "1,1899-12-31,c,1\n", csvin.Options{Name: "o.csv"},
			`o.csv:2: column "InvoiceDate": "1899-12-31" is outside the years 1900-2200`},
		{"ErrEmptyCustomer", head + "1,2011-01-01, ,1\n", csvin.Options{Name: "o.csv"},
			`o.csv:2: column "CustomerID": "" is empty`},
		{"ErrShortRow", head + "1,2011-01-01\n", csvin.Options{Name: "o.csv"},
			"o.csv:2: has 2 fields, column \"CustomerID\" is number 3\no.csv:2: has 2 fields, column \"TotalPrice\" is number 4"},
		{"ErrOrderCustomer", head + "1,2011-01-01,c,1\n1,2011-01-01,d,1\n", csvin.Options{Name: "o.csv"},
			`o.csv:3: column "CustomerID": "d" differs from customer "c" of the order's first row`},
		{"ErrOrderDate", head + "1,2011-01-01,c,1\n1,2011-01-02,c,1\n", csvin.Options{Name: "o.csv"},
			`o.csv:3: column "InvoiceDate": "2011-01-02" differs from date 2011-01-01T00:00:00Z of the order's first row`},
		{"ErrQuantity", "customer,date,amount,q\nc,2011-01-01,1,0\n", csvin.Options{Name: "o.csv", Columns: csvin.Columns{Quantity: "q"}},
			`o.csv:2: column "q": "0" is below 1`},
		{"ErrIndivisible", "customer,date,amount,q\nc,2011-01-01,10.00,3\n", csvin.Options{Name: "o.csv", Columns: csvin.Columns{Quantity: "q"}},
			`o.csv:2: column "amount": "10.00" does not divide into 3 equal unit prices; if the column holds unit prices say so (unit prices option), or leave the quantity column out`},
		{"ErrNoColumn", "who,when,howmuch\n", csvin.Options{Name: "o.csv"},
			"o.csv: no customer column: none of the header names (who, when, howmuch) is a known name; name it with its flag\n" +
				"o.csv: no date column: none of the header names (who, when, howmuch) is a known name; name it with its flag\n" +
				"o.csv: no amount column: none of the header names (who, when, howmuch) is a known name; name it with its flag"},
		{"ErrColumnName", head, csvin.Options{Name: "o.csv", Columns: csvin.Columns{Amount: "Price"}},
			`o.csv: amount column "Price" is not in the header (InvoiceNo, InvoiceDate, CustomerID, TotalPrice)`},
		{"ErrColumnIndex", head, csvin.Options{Name: "o.csv", Columns: csvin.Columns{Amount: "9"}},
			`o.csv: amount column 9 is not a column number from 1 to 4`},
		{"ErrNoHeaderName", "a,b\n", csvin.Options{Name: "o.csv", NoHeader: true, Columns: csvin.Columns{Customer: "1", Date: "2", Amount: "total"}},
			`o.csv: amount column "total": the file has no header; give the column's 1-based number`},
		{"ErrEmptyFile", "", csvin.Options{Name: "o.csv"}, "o.csv: empty file: no header"},
		{"ErrSeparator", head, csvin.Options{Sep: "::"}, `csvin: separator "::" is not one character, "tab" or "whitespace"`},
		{"ErrCurrency", head, csvin.Options{Currency: "usd"}, `csvin: currency "usd" is not an ISO 4217 code such as USD`},
		{"ErrQuote", head + "1,2011-01-01,\"c,1\n", csvin.Options{Name: "o.csv"}, `o.csv:2: extraneous or missing " in quoted-field (at character 19)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := csvin.ReadOrders(strings.NewReader(tt.in), tt.opts)
			if err == nil {
				t.Fatalf("ReadOrders(%q) = nil error, want %q", tt.in, tt.want)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("ReadOrders(%q) error (-want +got):\n%s", tt.in, diff)
			}
		})
	}
	t.Run("RowErrorFields", func(t *testing.T) {
		_, _, err := csvin.ReadOrders(strings.NewReader(head+"1,2011-01-01,c,x1\n"), csvin.Options{Name: "f.csv"})
		var re *csvin.RowError
		if !errors.As(err, &re) || !errors.Is(err, csvin.ErrBadRow) {
			t.Fatalf("error %v is not a *RowError wrapping ErrBadRow", err)
		}
		want := &csvin.RowError{File: "f.csv", Line: 2, Column: "TotalPrice", Value: "x1", Reason: "is not a number"}
		if diff := cmp.Diff(want, re); diff != "" {
			t.Errorf("RowError (-want +got):\n%s", diff)
		}
	})
}

func TestReadOrders_SkipBad(t *testing.T) {
	in := "customer,date,amount,order\n" +
		"a,2024-01-01,10,1\n" +
		"a,2024-01-01,ten,2\n" + // bad amount
		"b,yesterday,5,3\n" + // bad date
		"b,2024-01-03,\"5,4\n" + // bad quoting: the rest of the file is one field
		""
	got, res, err := csvin.ReadOrders(strings.NewReader(in), csvin.Options{Name: "o.csv", SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []vip.Order{one("1", "a", day(2024, 1, 1), "USD", "10")}
	if diff := cmp.Diff(want, got, cmpDec); diff != "" {
		t.Errorf("orders (-want +got):\n%s", diff)
	}
	if res.Rows != 4 || res.Skipped != 3 || len(res.Errors) != 3 {
		t.Errorf("Result = %d rows, %d skipped, %d errors; want 4, 3, 3", res.Rows, res.Skipped, len(res.Errors))
	}
	if want := `o.csv:3: column "amount": "ten" is not a number`; len(res.Errors) > 0 && res.Errors[0].Error() != want {
		t.Errorf("first error %q, want %q", res.Errors[0], want)
	}
}

func TestReadRefunds(t *testing.T) {
	orders := []vip.Order{one("1", "a", day(2024, 1, 1), "EUR", "100"), one("2", "b", day(2024, 2, 1), "EUR", "50")}
	in := "refund_id,order_id,date,amount\nr1,1,2024-01-05,30.004\nr2,1,2024-01-06,70\nr3,2,2024-02-01,50\n"
	got, _, err := csvin.ReadRefunds(strings.NewReader(in), orders, csvin.Options{Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	want := []vip.Refund{
		{ID: "r1", OrderID: "1", CustomerID: "a", At: day(2024, 1, 5), Currency: "EUR", Amount: dec("30.00")},
		{ID: "r2", OrderID: "1", CustomerID: "a", At: day(2024, 1, 6), Currency: "EUR", Amount: dec("70")},
		{ID: "r3", OrderID: "2", CustomerID: "b", At: day(2024, 2, 1), Currency: "EUR", Amount: dec("50")},
	}
	if diff := cmp.Diff(want, got, cmpDec); diff != "" {
		t.Errorf("refunds (-want +got):\n%s", diff)
	}
	for _, tt := range []struct{ name, row, want string }{
		{"ErrZero", "r9,2,2024-03-01,0.001", `r.csv:2: column "amount": "0.001" is not positive`},
		{"ErrUnknownOrder", "r9,9,2024-03-01,1", `r.csv:2: column "order_id": "9" is not an order of the orders file`},
		{"ErrBeforeOrder", "r9,2,2024-01-31,1", `r.csv:2: column "date": "2024-01-31" is before its order's date 2024-02-01T00:00:00Z`},
		{"ErrAboveTotal", "r8,2,2024-02-02,49\nr9,2,2024-02-03,1.01", `r.csv:3: column "amount": "1.01" brings the refunds of order "2" to 50.01, above its total 50`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := csvin.ReadRefunds(strings.NewReader("refund_id,order_id,date,amount\n"+tt.row+"\n"), orders, csvin.Options{Name: "r.csv", Currency: "EUR"})
			if err == nil || err.Error() != tt.want {
				t.Errorf("ReadRefunds error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestActivities(t *testing.T) {
	orders := []vip.Order{
		one("3", "b", day(2024, 3, 1), "USD", "1"),
		one("1", "a", day(2024, 2, 1), "USD", "2"),
		one("2", "b", day(2024, 1, 1), "USD", "3"),
	}
	refunds := []vip.Refund{{ID: "r", OrderID: "2", CustomerID: "b", At: day(2024, 1, 2), Currency: "USD", Amount: dec("1")}}
	got, err := csvin.Activities(orders, refunds)
	if err != nil {
		t.Fatal(err)
	}
	want := []*vip.Activity{
		{Customer: vip.Customer{ID: "a", JoinedAt: day(2024, 2, 1)}, Orders: []vip.Order{orders[1]}},
		{Customer: vip.Customer{ID: "b", JoinedAt: day(2024, 1, 1)}, Orders: []vip.Order{orders[0], orders[2]}, Refunds: refunds},
	}
	if diff := cmp.Diff(want, got, cmpDec); diff != "" {
		t.Errorf("Activities (-want +got):\n%s", diff)
	}
	if _, err := csvin.Activities(append(orders, orders[0]), nil); err == nil || err.Error() != `csvin: order "3" appears twice` {
		t.Errorf("Activities with a repeated order: error %v", err)
	}
}

func TestMinorUnits(t *testing.T) {
	for cur, want := range map[string]int{"USD": 2, "GBP": 2, "JPY": 0, "KRW": 0, "KWD": 3, "XYZ": 2} {
		if got := csvin.MinorUnits(cur); got != want {
			t.Errorf("MinorUnits(%s) = %d, want %d", cur, got, want)
		}
	}
}
