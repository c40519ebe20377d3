package vip

import (
	"time"

	"github.com/shopspring/decimal"
)

// daysIn returns the number of days in month m of year y (Gregorian).
func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// AddMonths adds n months to t in loc, keeping the clock time and clamping the day to
// the end of the target month: January 31 plus one month is February 28 (29 in a leap
// year), never March 3 as [time.Time.AddDate] would give. A nil loc means t's own zone.
func AddMonths(t time.Time, n int, loc *time.Location) time.Time {
	if loc == nil {
		loc = t.Location()
	}
	if loc == time.UTC {
		if r, ok := addMonthsUTC(t, n); ok {
			return r
		}
	}
	return addMonthsZone(t, n, loc)
}

// addMonthsZone is AddMonths through the calendar of the time package.
func addMonthsZone(t time.Time, n int, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	ty, tm, td := shiftMonths(y, m, d, n)
	return time.Date(ty, tm, td, hh, mm, ss, t.Nanosecond(), loc)
}

// shiftMonths moves the date y-m-d by n months, clamping the day to the end of the
// target month: both paths of AddMonths use it.
func shiftMonths(y int, m time.Month, d, n int) (int, time.Month, int) {
	m0 := int(m) - 1 + n
	ty := y + m0/12
	if m0 %= 12; m0 < 0 {
		m0 += 12
		ty--
	}
	tm := time.Month(m0 + 1)
	return ty, tm, min(d, daysIn(ty, tm))
}

// addDays adds n calendar days in loc (a DST day is still one day).
func addDays(t time.Time, n int, loc *time.Location) time.Time {
	if loc == time.UTC && n >= -maxFastDays && n <= maxFastDays {
		// In UTC every day has 24 hours.
		return t.UTC().Add(time.Duration(n) * 24 * time.Hour)
	}
	return t.In(loc).AddDate(0, 0, n)
}

// The UTC fast paths of AddMonths and addDays hold for instants within maxFastSec
// seconds of 1970 (about the years -1200 to 5100) and shifts of at most maxFastMonths
// months or maxFastDays days; beyond them the time package does the arithmetic.
const (
	maxFastSec    = 100_000_000_000
	maxFastMonths = 12_000
	maxFastDays   = 100_000
)

// addMonthsUTC is AddMonths in UTC by integer arithmetic on the days since 1970, with
// no time zone lookups; false when t or n is out of the fast path's range.
func addMonthsUTC(t time.Time, n int) (time.Time, bool) {
	s, ok := addMonthsUnix(t.Unix(), n)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(s, int64(t.Nanosecond())).UTC(), true
}

// addMonthsUnix is addMonthsUTC on the seconds since 1970 (the nanoseconds stay as
// they are).
func addMonthsUnix(s int64, n int) (int64, bool) {
	if s < -maxFastSec || s > maxFastSec || n < -maxFastMonths || n > maxFastMonths {
		return 0, false
	}
	days, sod := daySplit(s)
	if z, _, ok := shiftDay(days, n); ok {
		return z*86400 + sod, true
	}
	y, m, d := civilFromDays(days)
	ty, tm, td := shiftMonths(y, time.Month(m), d, n)
	return daysFromCivil(ty, tm, td)*86400 + sod, true
}

// daySplit returns s seconds since 1970 as whole days since 1970 and the seconds into
// the last of them.
func daySplit(s int64) (days, sod int64) {
	days, sod = s/86400, s%86400
	if sod < 0 {
		days, sod = days-1, sod+86400
	}
	return days, sod
}

// The months of calFirstYear to calFirstYear+calYears-1 by the day (since 1970) each
// starts on, for shiftDay: the years activity may use (1900-2200) with a century
// either side for windows and terms that reach beyond them.
const (
	calFirstYear = 1800
	calYears     = 500
)

var monthStarts = func() *[calYears*12 + 1]int64 {
	var a [calYears*12 + 1]int64
	for i := range a {
		a[i] = daysFromCivil(calFirstYear+i/12, time.Month(i%12+1), 1)
	}
	return &a
}()

// shiftDay returns the day n months after day z (days since 1970), its day of the
// month clamped to the target month's last, and whether it was clamped, from the table
// of month starts; ok is false outside the table.
func shiftDay(z int64, n int) (day int64, clamped, ok bool) {
	ms := monthStarts
	if z < ms[0] || z >= ms[len(ms)-1] {
		return 0, false, false
	}
	// A month is 146097/4800 days on average: the estimate is off by one at most.
	i := int((z - ms[0]) * 4800 / 146097)
	for i > 0 && ms[i] > z {
		i--
	}
	for ms[i+1] <= z {
		i++
	}
	j := i + n
	if j < 0 || j >= len(ms)-1 {
		return 0, false, false
	}
	d, dim := z-ms[i], ms[j+1]-ms[j]
	if d >= dim {
		return ms[j] + dim - 1, true, true
	}
	return ms[j] + d, false, true
}

// civilFromDays returns the proleptic Gregorian date of the day z days after
// 1970-01-01 (H. Hinnant's algorithm).
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysFromCivil returns the days from 1970-01-01 to the proleptic Gregorian date
// y-m-d, d within the month.
func daysFromCivil(y int, m time.Month, d int) int64 {
	yy := int64(y)
	if m <= 2 {
		yy--
	}
	era := yy / 400
	if yy < 0 && yy%400 != 0 {
		era--
	}
	yoe := yy - era*400
	mm := int64(m)
	if mm > 2 {
		mm -= 3
	} else {
		mm += 9
	}
	doy := (153*mm+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// startOfDay returns midnight of t's date in loc.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// ceilTo rounds t up to the next boundary of the given unit in loc; a t already on a
// boundary is kept.
func ceilTo(t time.Time, r Rounding, loc *time.Location) time.Time {
	if r == RoundNone || t.IsZero() {
		return t
	}
	lt := t.In(loc)
	y, m, d := lt.Date()
	var b time.Time
	switch r {
	case RoundDay:
		b = time.Date(y, m, d, 0, 0, 0, 0, loc)
		if b.Before(t) {
			b = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
		}
	case RoundMonth:
		b = time.Date(y, m, 1, 0, 0, 0, 0, loc)
		if b.Before(t) {
			b = time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
		}
	case RoundQuarter:
		qm := time.Month((int(m)-1)/3*3 + 1)
		b = time.Date(y, qm, 1, 0, 0, 0, 0, loc)
		if b.Before(t) {
			b = time.Date(y, qm+3, 1, 0, 0, 0, 0, loc)
		}
	case RoundYear:
		b = time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		if b.Before(t) {
			b = time.Date(y+1, 1, 1, 0, 0, 0, 0, loc)
		}
	}
	return b
}

// anniversary returns the anniversary of join in year y, at midnight in loc; February 29
// falls on February 28 in common years.
func anniversary(join time.Time, y int, loc *time.Location) time.Time {
	_, m, d := join.In(loc).Date()
	if dim := daysIn(y, m); d > dim {
		d = dim
	}
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// periodStart returns the start of the calendar or anniversary year holding t.
func periodStart(kind PeriodKind, t, join time.Time, loc *time.Location) time.Time {
	y := t.In(loc).Year()
	if kind == PeriodAnniversary {
		if a := anniversary(join, y, loc); !a.After(t) {
			return a
		}
		return anniversary(join, y-1, loc)
	}
	return time.Date(y, 1, 1, 0, 0, 0, 0, loc)
}

// periodAfter returns the start of the period after the one starting at start.
func periodAfter(kind PeriodKind, start, join time.Time, loc *time.Location) time.Time {
	y := start.In(loc).Year() + 1
	if kind == PeriodAnniversary {
		return anniversary(join, y, loc)
	}
	return time.Date(y, 1, 1, 0, 0, 0, 0, loc)
}

// periodBefore returns the start of the period before the one starting at start.
func periodBefore(kind PeriodKind, start, join time.Time, loc *time.Location) time.Time {
	y := start.In(loc).Year() - 1
	if kind == PeriodAnniversary {
		return anniversary(join, y, loc)
	}
	return time.Date(y, 1, 1, 0, 0, 0, 0, loc)
}

// rollingFrom returns the first instant inside the rolling window of n months that ends
// at t: the window is (t - n months, t].
func rollingFrom(t time.Time, n int, loc *time.Location) time.Time {
	if loc == time.UTC {
		if s, ok := addMonthsUnix(t.Unix(), -n); ok {
			if ns := int64(t.Nanosecond()) + 1; ns < 1e9 {
				return time.Unix(s, ns).UTC()
			}
			return time.Unix(s+1, 0).UTC()
		}
	}
	return AddMonths(t, -n, loc).Add(time.Nanosecond)
}

// rollOff returns the first instant at which activity at p has left the rolling window
// of n months.
func rollOff(p time.Time, n int, loc *time.Location) time.Time {
	if loc == time.UTC {
		if r, ok := rollOffUTC(p.Unix(), int64(p.Nanosecond()), n); ok {
			return r
		}
	}
	return rollOffZone(p, n, loc)
}

// rollOffUTC is rollOff in UTC for the instant s seconds and ns nanoseconds after 1970,
// in one pass over the table of month starts: p's day, n months on, fits the target
// month (the instant n months later), or was clamped to the month's end (then the
// window's start passes p at the next month's start). False outside the table, where
// rollOffZone answers.
func rollOffUTC(s, ns int64, n int) (time.Time, bool) {
	days, sod := daySplit(s)
	z, clamped, ok := shiftDay(days, n)
	switch {
	case !ok:
		return time.Time{}, false
	case clamped:
		return time.Unix((z+1)*86400, 0).UTC(), true // the next month's first day
	}
	return time.Unix(z*86400+sod, ns).UTC(), true
}

// rollOffZone is rollOff through AddMonths in any zone.
func rollOffZone(p time.Time, n int, loc *time.Location) time.Time {
	out := func(x time.Time) bool { return !AddMonths(x, -n, loc).Before(p) }
	r := AddMonths(p, n, loc)
	var lo, hi time.Time // the activity is in the window at lo, out of it at hi
	switch {
	case !out(r):
		// r was clamped to a month end, or its wall clock is in a daylight-saving gap
		// (2024-01-10 02:00 in New York two months on is 2024-03-10 02:00, which does
		// not exist): the window's start passes p later, by the next month's start, and
		// within the hours of a gap (two days cover every gap in the zone database).
		y, m, _ := r.In(loc).Date()
		lo, hi = r, time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
		if g := r.Add(48 * time.Hour); g.Before(hi) && out(g) {
			hi = g
		}
	case out(r.Add(-time.Nanosecond)):
		// p's wall clock is in an hour that is repeated (the clock set back), p the
		// first of its two instants, and a window's start n months later reaches the
		// second of them before p's wall clock: the activity left earlier.
		lo, hi = p, r
		if g := r.Add(-48 * time.Hour); g.After(p) && !out(g) {
			lo = g
		}
	default:
		return r
	}
	// Over these few hours the window's start is taken to rise with the instant (no
	// clock set back between lo and hi): search the first instant out. TestRollOff_Zones
	// checks the answer near every clock change of four zones from 2000 to 2030.
	for hi.Sub(lo) > 1 {
		mid := lo.Add(hi.Sub(lo) / 2)
		if out(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// AverageMonthlyBalance returns the average balance of the calendar month holding t,
// in loc: the sum of each day's positive start-of-day balance divided by the days in the
// month (the banking variant of a VIP threshold), rounded half away from zero to two
// places. A snapshot holds from its day until the next snapshot; days before the first
// snapshot count as zero. Snapshots need not be sorted.
func AverageMonthlyBalance(snapshots []BalanceSnapshot, t time.Time, loc *time.Location) decimal.Decimal {
	return averageMonthlyBalance(sortedBalances(snapshots), t, loc).Round(2)
}
