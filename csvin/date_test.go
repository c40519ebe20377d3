package csvin_test

import (
	"testing"
	"time"

	"github.com/vipkit/vip/csvin"
)

func TestParseDate(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in, format string
		loc        *time.Location
		want       time.Time
	}{
		{"2011-12-09", "", nil, time.Date(2011, 12, 9, 0, 0, 0, 0, time.UTC)},
		{"19970101", "", nil, time.Date(1997, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2011-12-09 08:15:00", "", ny, time.Date(2011, 12, 9, 8, 15, 0, 0, ny)},
		{"2011-12-09T08:15:00", "", ny, time.Date(2011, 12, 9, 8, 15, 0, 0, ny)},
		{"2011-12-09T08:15:00.5+01:00", "", ny, time.Date(2011, 12, 9, 7, 15, 0, 5e8, time.UTC)},
		{" 2024-03-10 ", "iso", ny, time.Date(2024, 3, 10, 0, 0, 0, 0, ny)},
		{"3/4/2024", "us", nil, time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)},
		{"3/4/2024 17:05", "us", nil, time.Date(2024, 3, 4, 17, 5, 0, 0, time.UTC)},
		{"3/4/2024", "eu", nil, time.Date(2024, 4, 3, 0, 0, 0, 0, time.UTC)},
		{"20240229", "YYYYMMDD", nil, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"1700000000", "unix", ny, time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)},
		{"09-Dec-2011", "02-Jan-2006", nil, time.Date(2011, 12, 9, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := csvin.ParseDate(tt.in, tt.format, tt.loc)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseDate(%q, %q) = %v, %v; want %v", tt.in, tt.format, got, err, tt.want)
		}
	}
	bad := []struct{ in, format, want string }{
		{"2011-02-30", "", "is not a date (tried 2006-01-02T15:04:05.999999999Z07:00, 2006-01-02T15:04:05, 2006-01-02, 2006-01-02 15:04:05, 20060102)"},
		{"12/31/2024", "eu", "is not a date (tried 02/01/2006, 2/1/2006, 02/01/2006 15:04, 2/1/2006 15:04, 02/01/2006 15:04:05, 2/1/2006 15:04:05)"},
		{"99999999999", "unix", "is not a date in the format unix"},
		{"22010101", "", "is outside the years 1900-2200"},
		{"2201-01-01", "", "is outside the years 1900-2200"},
		{"2011-12-09", "15:04", `csvin: date format "15:04" is neither a known name (rfc3339, iso, datetime, yyyymmdd, us, eu, unix) nor a Go layout with a year, month and day (2006, 01, 02)`},
	}
	for _, tt := range bad {
		_, err := csvin.ParseDate(tt.in, tt.format, nil)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseDate(%q, %q) error = %v, want %q", tt.in, tt.format, err, tt.want)
		}
	}
}
