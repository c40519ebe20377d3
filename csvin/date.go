package csvin

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultLayouts are the layouts tried, in order, when no date format is given:
// RFC 3339 (with or without fractional seconds), 2006-01-02T15:04:05 without a zone,
// 2006-01-02, 2006-01-02 15:04:05 and 20060102.
var DefaultLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", time.DateOnly, time.DateTime, "20060102"}

// namedFormats are the names Layouts accepts besides Go layouts.
var namedFormats = map[string][]string{
	"rfc3339":  {time.RFC3339Nano},
	"iso":      {time.DateOnly},
	"date":     {time.DateOnly},
	"datetime": {time.DateTime},
	"yyyymmdd": {"20060102"},
	"compact":  {"20060102"},
	"us":       {"01/02/2006", "1/2/2006", "01/02/2006 15:04", "1/2/2006 15:04", "01/02/2006 15:04:05", "1/2/2006 15:04:05"},
	"eu":       {"02/01/2006", "2/1/2006", "02/01/2006 15:04", "2/1/2006 15:04", "02/01/2006 15:04:05", "2/1/2006 15:04:05"},
	"unix":     nil, // seconds since 1970, handled apart
}

// Layouts returns the layouts of a date format: the defaults for "", the layouts of a
// name ("rfc3339", "iso" or "date" for 2006-01-02, "datetime" for 2006-01-02 15:04:05,
// "yyyymmdd" or "compact" for 20060102, "us" for 1/2/2006 with an optional 15:04 or
// 15:04:05, "eu" for 2/1/2006 likewise, "unix" for seconds since 1970 UTC, returned as
// the single layout "unix"), or the format itself as a Go layout, which must name at
// least a year, a month and a day.
func Layouts(format string) ([]string, error) {
	if format == "" {
		return DefaultLayouts, nil
	}
	if ls, ok := namedFormats[strings.ToLower(format)]; ok {
		if ls == nil {
			return []string{"unix"}, nil
		}
		return ls, nil
	}
	ref := time.Date(2009, 11, 17, 20, 34, 58, 0, time.UTC)
	got, err := time.Parse(format, ref.Format(format))
	if err != nil || got.Year() != ref.Year() || got.Month() != ref.Month() || got.Day() != ref.Day() {
		return nil, fmt.Errorf("csvin: date format %q is neither a known name (rfc3339, iso, datetime, yyyymmdd, us, eu, unix) nor a Go layout with a year, month and day (2006, 01, 02)", format)
	}
	return []string{format}, nil
}

// ParseDate parses s with the layouts of format (see [Layouts]), reading a date
// without a zone in loc (UTC when nil). Dates outside the years 1900-2200 are refused:
// in a shop's data they are mistakes.
func ParseDate(s, format string, loc *time.Location) (time.Time, error) {
	ls, err := Layouts(format)
	if err != nil {
		return time.Time{}, err
	}
	return parseWith(s, ls, loc)
}

func parseWith(s string, layouts []string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	s = strings.TrimSpace(s)
	var t time.Time
	ok := false
	if len(layouts) == 1 && layouts[0] == "unix" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err == nil && n > -3e9 && n < 8e9 {
			t, ok = time.Unix(n, 0).UTC(), true
		}
	} else {
		for _, l := range layouts {
			if len(s) > 64 {
				break
			}
			if p, err := time.ParseInLocation(l, s, loc); err == nil {
				t, ok = p, true
				break
			}
		}
	}
	if !ok {
		if len(layouts) == 1 {
			return time.Time{}, fmt.Errorf("is not a date in the format %s", layouts[0])
		}
		return time.Time{}, fmt.Errorf("is not a date (tried %s)", strings.Join(layouts, ", "))
	}
	if y := t.UTC().Year(); y < 1900 || y > 2200 {
		return time.Time{}, fmt.Errorf("is outside the years 1900-2200")
	}
	return t, nil
}
