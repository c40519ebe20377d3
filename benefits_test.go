package vip_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

var econDec = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

func econD(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestCatalogue_LinePrice(t *testing.T) {
	c := vip.BriefCatalogue()
	stack := c
	stack.Tiers = append([]vip.Benefits(nil), c.Tiers...)
	stack.Tiers[0].Discount = &vip.Discount{Rate: econD("0.10"), Stacks: true}
	line := func(list, paid string, q int64) vip.Line {
		return vip.Line{SKU: "A", Quantity: q, ListPrice: econD(list), PaidPrice: econD(paid), UnitCost: econD("1")}
	}
	for _, tc := range []struct {
		name        string
		cat         vip.Catalogue
		tier        string
		line        vip.Line
		unit, total string
	}{
		// 19.99 x 0.85 = 16.9915, rounded to 16.99; 3 units 50.97.
		{"GoldFullPrice", c, "Gold", line("19.99", "19.99", 3), "16.99", "50.97"},
		// 0.10 x 0.85 = 0.085: half away from zero gives 0.09.
		{"GoldHalfCentRoundsUp", c, "Gold", line("0.10", "0.10", 1), "0.09", "0.09"},
		// 19.99 x 0.80 = 15.992 -> 15.99.
		{"Platinum", c, "Platinum", line("19.99", "19.99", 2), "15.99", "31.98"},
		// Promotion already at 15.00 beats 16.99: the customer pays the lower price.
		{"NoStackPromotionWins", c, "Gold", line("19.99", "15.00", 1), "15.00", "15.00"},
		// 19.99 x 0.90 = 17.991 -> 17.99 beats a 18.50 promotion.
		{"NoStackVIPWins", c, "Silver", line("19.99", "18.50", 1), "17.99", "17.99"},
		// Stacking: 15.00 x 0.90 = 13.50.
		{"Stacks", stack, "Silver", line("19.99", "15.00", 2), "13.50", "27.00"},
		{"NonMember", c, "", line("19.99", "18.50", 2), "18.50", "37.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unit, total, err := tc.cat.LinePrice(tc.tier, tc.line)
			if err != nil {
				t.Fatal(err)
			}
			if !unit.Equal(econD(tc.unit)) || !total.Equal(econD(tc.total)) {
				t.Errorf("LinePrice(%q, %v) = %s, %s; want %s, %s", tc.tier, tc.line.ListPrice, unit, total, tc.unit, tc.total)
			}
		})
	}
	if _, _, err := c.LinePrice("Diamond", line("1", "1", 1)); !errors.Is(err, vip.ErrNotFound) {
		t.Errorf("LinePrice(Diamond) error = %v, want ErrNotFound", err)
	}
}

func TestCatalogue_ShippingLevel(t *testing.T) {
	c := vip.BriefCatalogue()
	for tier, want := range map[string]vip.ShippingLevel{
		"": vip.ShippingNone, "Silver": vip.ShippingStandard, "Gold": vip.ShippingExpedited, "Platinum": vip.ShippingNextDay,
	} {
		got, err := c.ShippingLevel(tier)
		if err != nil || got != want {
			t.Errorf("ShippingLevel(%q) = %q, %v; want %q", tier, got, err, want)
		}
	}
}

func TestCatalogue_ReturnDeadline(t *testing.T) {
	warsaw, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	c := vip.BriefCatalogue()
	c.Tiers[2].Returns = &vip.ExtendedReturns{Days: 90}
	for _, tc := range []struct {
		name   string
		tier   string
		placed time.Time
		loc    *time.Location
		want   time.Time
	}{
		// 30 days after March 30 ends at midnight starting April 30, across the DST change.
		{"StandardAcrossDST", "Gold", time.Date(2025, 3, 30, 15, 0, 0, 0, warsaw), warsaw, time.Date(2025, 4, 30, 0, 0, 0, 0, warsaw)},
		// 23:30 UTC on January 31 is February 1 in Warsaw: 30 days later is March 3, closing at March 4 00:00.
		{"OrderDayInLocation", "", time.Date(2025, 1, 31, 23, 30, 0, 0, time.UTC), warsaw, time.Date(2025, 3, 4, 0, 0, 0, 0, warsaw)},
		// Extended 90 days from January 31 UTC: May 1 is day 90, closing May 2 00:00.
		{"Extended90", "Platinum", time.Date(2025, 1, 31, 23, 30, 0, 0, time.UTC), nil, time.Date(2025, 5, 2, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.ReturnDeadline(tc.tier, tc.placed, tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tc.want) {
				t.Errorf("ReturnDeadline(%q, %s) = %s, want %s", tc.tier, tc.placed, got, tc.want)
			}
		})
	}
}

func TestCatalogue_SupportTarget(t *testing.T) {
	c := vip.BriefCatalogue()
	opened := time.Date(2025, 5, 5, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		tier    string
		channel vip.SupportChannel
		want    time.Duration
		ok      bool
	}{
		{"", vip.ChannelEmail, 24 * time.Hour, true},
		{"", vip.ChannelPhone, 10 * time.Minute, true},
		{"", vip.ChannelChat, 0, false},
		{"Silver", vip.ChannelEmail, 24 * time.Hour, true},
		{"Gold", vip.ChannelEmail, 2 * time.Hour, true},
		{"Gold", vip.ChannelPhone, time.Minute, true},
		{"Gold", vip.ChannelChat, 30 * time.Second, true},
		{"Platinum", vip.ChannelEmail, time.Hour, true},
	} {
		got, ok, err := c.SupportTarget(tc.tier, tc.channel)
		if err != nil || got != tc.want || ok != tc.ok {
			t.Errorf("SupportTarget(%q, %s) = %s, %v, %v; want %s, %v", tc.tier, tc.channel, got, ok, err, tc.want, tc.ok)
		}
		due, ok, err := c.SupportDue(tc.tier, tc.channel, opened)
		if err != nil || ok != tc.ok || (ok && !due.Equal(opened.Add(tc.want))) {
			t.Errorf("SupportDue(%q, %s) = %s, %v, %v; want %s", tc.tier, tc.channel, due, ok, err, opened.Add(tc.want))
		}
	}
}

func TestCatalogue_EarlyAccess(t *testing.T) {
	c := vip.BriefCatalogue()
	launch := time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		tier string
		want time.Time
	}{
		{"Platinum", time.Date(2025, 6, 7, 12, 0, 0, 0, time.UTC)},
		{"Gold", time.Date(2025, 6, 8, 12, 0, 0, 0, time.UTC)},
		{"Silver", time.Date(2025, 6, 9, 12, 0, 0, 0, time.UTC)},
		{"", launch},
	} {
		t.Run("Tier"+tc.tier, func(t *testing.T) {
			got, err := c.AccessOpens(launch, tc.tier)
			if err != nil || !got.Equal(tc.want) {
				t.Fatalf("AccessOpens(%s, %q) = %s, %v; want %s", launch, tc.tier, got, err, tc.want)
			}
			before, _ := c.MayBuy(launch, tc.tier, tc.want.Add(-time.Second))
			at, _ := c.MayBuy(launch, tc.tier, tc.want)
			if before || !at {
				t.Errorf("MayBuy one second before opening = %v, at opening = %v; want false, true", before, at)
			}
		})
	}
	first := time.Date(2025, 6, 7, 12, 0, 0, 0, time.UTC)
	if got := c.PublicLaunch(first); !got.Equal(launch) {
		t.Errorf("PublicLaunch(%s) = %s, want %s (72 hours later)", first, got, launch)
	}
	// The public stays closed until the widest window has passed.
	for _, now := range []time.Time{first, launch.Add(-time.Nanosecond)} {
		if ok, _ := c.MayBuy(c.PublicLaunch(first), "", now); ok {
			t.Errorf("a non-member may buy at %s, before the public launch %s", now, launch)
		}
	}
	if _, err := c.AccessOpens(launch, "Diamond"); !errors.Is(err, vip.ErrNotFound) {
		t.Errorf("AccessOpens(Diamond) error = %v, want ErrNotFound", err)
	}
	// Hours are absolute: 48 hours before noon on the DST day in Warsaw is 11:00 local.
	warsaw, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	got, _ := c.AccessOpens(time.Date(2025, 3, 30, 12, 0, 0, 0, warsaw), "Gold")
	if want := time.Date(2025, 3, 28, 11, 0, 0, 0, warsaw); !got.Equal(want) {
		t.Errorf("Gold opens at %s across DST, want %s", got.In(warsaw), want)
	}
}

func TestCatalogue_Differentiation(t *testing.T) {
	if got := vip.BriefCatalogue().Differentiation(0); len(got) != 0 {
		t.Errorf("the brief's table has findings: %+v", got)
	}
	c := vip.Catalogue{Currency: "USD", Tiers: []vip.Benefits{
		{Tier: "A", Discount: &vip.Discount{Rate: econD("0.10")}, Shipping: &vip.FreeShipping{Level: vip.ShippingExpedited}, EarlyAccess: &vip.EarlyAccess{Hours: 24}},
		// Bigger discount only, slower shipping, no early access: three findings.
		{Tier: "B", Discount: &vip.Discount{Rate: econD("0.15")}, Shipping: &vip.FreeShipping{Level: vip.ShippingStandard}},
		// Adds two things over B and keeps everything: no finding.
		{Tier: "C", Discount: &vip.Discount{Rate: econD("0.20")}, Shipping: &vip.FreeShipping{Level: vip.ShippingStandard},
			AnnualGift: &vip.AnnualGift{Cost: econD("10")}, Events: []vip.EventOffer{{Kind: vip.PrivateEvent, PerYear: 1}}},
		// Adds one thing over C (pre-order without exclusive products).
		{Tier: "D", Discount: &vip.Discount{Rate: econD("0.20")}, Shipping: &vip.FreeShipping{Level: vip.ShippingStandard},
			AnnualGift: &vip.AnnualGift{Cost: econD("10")}, Events: []vip.EventOffer{{Kind: vip.PrivateEvent, PerYear: 1}},
			Exclusive: &vip.ExclusiveAccess{PreOrder: true}},
	}}
	want := []vip.Finding{
		{Tier: "B", Message: `adds 0 benefits the tier "A" lacks, want at least 2`},
		{Tier: "B", Message: `lacks what the tier "A" has: early access`},
		{Tier: "B", Message: `is worse than the tier "A": shipping standard slower than expedited`},
		{Tier: "D", Adds: []string{"pre-order"}, Message: `adds 1 benefits the tier "C" lacks, want at least 2`},
	}
	if diff := cmp.Diff(want, c.Differentiation(2)); diff != "" {
		t.Errorf("Differentiation(2) (-want +got):\n%s", diff)
	}
	if got := c.Differentiation(1); len(got) != 3 {
		t.Errorf("Differentiation(1) = %d findings, want 3 (D passes with one addition)", len(got))
	}
}

func TestParseCatalogue(t *testing.T) {
	brief := vip.BriefCatalogue()
	data, err := json.Marshal(brief)
	if err != nil {
		t.Fatal(err)
	}
	got, err := vip.ParseCatalogue(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(brief, got, econDec); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		name string
		json string
		errs []string
	}{
		{"OKMinimal", `{"currency":"EUR","tiers":[{"tier":"VIP","discount":{"rate":"0.1"},"support":{"targets":[{"channel":"email","within":"90m"}]}}]}`, nil},
		{"ErrUnknownField", `{"currency":"EUR","tiers":[{"tier":"VIP","discont":{"rate":0.1}}]}`, []string{`unknown field "discont"`}},
		{"ErrTrailing", `{"currency":"EUR","tiers":[{"tier":"VIP"}]} {}`, []string{"data after"}},
		{"ErrBadDuration", `{"currency":"EUR","tiers":[{"tier":"VIP","support":{"targets":[{"channel":"email","within":"soon"}]}}]}`, []string{`response time "soon"`}},
		{"ErrNoTiers", `{"currency":"EUR","tiers":[]}`, []string{"has no tiers"}},
		// A large exponent is rejected before anything expands it.
		{"ErrHugeAmount", `{"currency":"EUR","tiers":[{"tier":"VIP","annual_gift":{"cost":"1e5000"},"discount":{"rate":"1e-5000"}}]}`,
			[]string{"annual_gift cost 1e5000 is out of range", "discount rate 1e-5000 is outside [0, 1)"}},
		{"ErrMany", `{"currency":"eur","standard_return_days":-1,"tiers":[
			{"tier":"A","discount":{"rate":"1"},"credits":[{"trigger":"easter","amount":"5"},{"trigger":"birthday","amount":"-5"}],
			 "shipping":{"level":"drone","cost_per_order":"1"},"returns":{"days":10},"points":{"multiplier":"0.5","base_points":"1","point_value":"0.01"},
			 "events":[{"kind":"virtual","per_year":1,"cost_per_attendee":"1"},{"kind":"virtual","per_year":-1,"cost_per_attendee":"1"}],
			 "support":{"targets":[{"channel":"fax","within":"1h"},{"channel":"email","within":"0s"}]}},
			{"tier":"A"},{"tier":" "}]}`, []string{
			`currency "eur"`, "standard_return_days -1", `tier "A": discount rate 1 is outside [0, 1)`,
			`trigger "easter"`, "credit 1 amount -5 is negative", `shipping level "drone"`,
			"returns days 10 is shorter than the standard 30", "points multiplier 0.5 is below 1",
			`kind "virtual" repeats`, "per_year -1", `channel "fax"`, "within 0s is not positive",
			`tier "A" appears twice`, "tier 2: name is empty",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vip.ParseCatalogue([]byte(tc.json))
			if len(tc.errs) == 0 {
				if err != nil {
					t.Fatalf("ParseCatalogue: %v", err)
				}
				return
			}
			if !errors.Is(err, vip.ErrInvalidCatalogue) {
				t.Fatalf("ParseCatalogue error = %v, want ErrInvalidCatalogue", err)
			}
			for _, want := range tc.errs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("ParseCatalogue error lacks %q:\n%v", want, err)
				}
			}
			if !strings.HasPrefix(err.Error(), "vip: ") {
				t.Errorf("error %q does not start with vip:", err)
			}
		})
	}
}

func FuzzParseCatalogue(f *testing.F) {
	data, _ := json.Marshal(vip.BriefCatalogue())
	f.Add(data)
	f.Add([]byte(`{"currency":"EUR","tiers":[{"tier":"VIP","discount":{"rate":"0.1"}}]}`))
	f.Add([]byte(`{"currency":"EUR","tiers":[{"tier":"VIP","support":{"targets":[{"channel":"email","within":"-1h"}]}}]}`))
	f.Add([]byte(`{"currency":"EUR","tiers":[{"tier":"VIP","events":[{"kind":"private","per_year":1e9,"cost_per_attendee":"1e400"}]}]}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"currency":"EUR","business_hours":{"time_zone":"Europe/Warsaw","open":"00:00","close":"00:01","days":["sun"]},"tiers":[{"tier":"VIP","support":{"targets":[{"channel":"chat","within":"2000h"}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := vip.ParseCatalogue(data)
		if err != nil {
			if !errors.Is(err, vip.ErrInvalidCatalogue) {
				t.Fatalf("error %v does not wrap ErrInvalidCatalogue", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("parsed catalogue does not validate: %v", err)
		}
		again, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		c2, err := vip.ParseCatalogue(again)
		if err != nil {
			t.Fatalf("re-parsing %s: %v", again, err)
		}
		if diff := cmp.Diff(c, c2, econDec); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
		// Every helper answers without panicking for every tier.
		for _, b := range c.Tiers {
			_, _ = b.Cost(vip.Profile{AnnualSpend: econD("1000"), OrdersPerYear: econD("4")})
			_, _ = c.ReturnDeadline(b.Tier, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), nil)
			_, _ = c.AccessOpens(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), b.Tier)
			for _, ch := range []vip.SupportChannel{vip.ChannelEmail, vip.ChannelPhone, vip.ChannelChat} {
				_, _, _ = c.SupportDue(b.Tier, ch, time.Date(2025, 3, 29, 23, 0, 0, 0, time.UTC))
			}
		}
		_ = c.Differentiation(0)
	})
}

func TestCatalogue_CheckLadder(t *testing.T) {
	ladder, err := vip.ParseLadder([]byte(`{"name":"vip","currency":"USD","period":{"kind":"rolling","months":12},
		"tiers":[{"name":"Silver","qualify":"2000"},{"name":"Gold","qualify":"5000"},{"name":"Platinum","qualify":"10000"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	c := vip.BriefCatalogue()
	if err := c.CheckLadder(&ladder); err != nil {
		t.Fatalf("the brief's catalogue against the brief's ladder: %v", err)
	}
	c.Currency = "EUR"
	c.Tiers = []vip.Benefits{c.Tiers[1], c.Tiers[0]}
	err = c.CheckLadder(&ladder)
	if !errors.Is(err, vip.ErrCurrencyMismatch) || !errors.Is(err, vip.ErrInvalidCatalogue) {
		t.Fatalf("CheckLadder = %v, want ErrCurrencyMismatch and ErrInvalidCatalogue", err)
	}
	for _, want := range []string{`currency "EUR"`, "2 tiers", `tier 0 is "Gold", ladder "vip" has "Silver"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("CheckLadder error lacks %q:\n%v", want, err)
		}
	}
}

func TestLoadCatalogue(t *testing.T) {
	c, err := vip.LoadCatalogue(strings.NewReader(`{"currency":"USD","tiers":[{"tier":"VIP","early_access":{"hours":12}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if w := c.WidestEarlyAccess(); w != 12*time.Hour {
		t.Errorf("WidestEarlyAccess = %s, want 12h", w)
	}
	if _, err := vip.LoadCatalogue(strings.NewReader(`{`)); !errors.Is(err, vip.ErrInvalidCatalogue) {
		t.Errorf("LoadCatalogue({) = %v, want ErrInvalidCatalogue", err)
	}
}

func TestCatalogue_UnknownTier(t *testing.T) {
	c := vip.BriefCatalogue()
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	errs := map[string]error{}
	_, errs["ShippingLevel"] = c.ShippingLevel("Diamond")
	_, errs["ReturnDeadline"] = c.ReturnDeadline("Diamond", at, nil)
	_, _, errs["SupportTarget"] = c.SupportTarget("Diamond", vip.ChannelEmail)
	_, _, errs["SupportDue"] = c.SupportDue("Diamond", vip.ChannelEmail, at)
	_, errs["MayBuy"] = c.MayBuy(at, "Diamond", at)
	_, errs["EarlyAccessWindow"] = c.EarlyAccessWindow("Diamond")
	_, errs["Worksheet"] = c.Worksheet("Diamond", econGold, econD("0.4"))
	_, errs["ROI"] = c.ROI("Diamond", econGold, vip.Assumptions{Margin: econD("0.4")})
	for name, err := range errs {
		if !errors.Is(err, vip.ErrNotFound) || !strings.Contains(err.Error(), `tier "Diamond"`) {
			t.Errorf("%s(Diamond) error = %v, want ErrNotFound naming the tier", name, err)
		}
	}
	// A non-member costs nothing and gets the standard return window.
	cost, err := c.Cost("", econGold)
	if err != nil || !cost.Total.IsZero() || len(cost.Items) != 0 {
		t.Errorf("Cost(\"\") = %+v, %v; want nothing", cost, err)
	}
	if days, err := c.ReturnDays(""); err != nil || days != 30 {
		t.Errorf("ReturnDays(\"\") = %d, %v; want 30", days, err)
	}
}

func TestCatalogue_SupportDue_BusinessHours(t *testing.T) {
	warsaw, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	c := vip.BriefCatalogue()
	c.BusinessHours = &vip.BusinessHours{TimeZone: "Europe/Warsaw", Open: "09:00", Close: "17:00", Days: []string{"mon", "tue", "wed", "thu", "fri"}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	at := func(day, h, m int) time.Time { return time.Date(2025, 3, day, h, m, 0, 0, warsaw) }
	for _, tc := range []struct {
		name    string
		tier    string
		channel vip.SupportChannel
		opened  time.Time
		want    time.Time
	}{
		{"WithinTheDay", "Gold", vip.ChannelEmail, at(24, 10, 0), at(24, 12, 0)},
		// Half an hour on Monday, an hour and a half on Tuesday.
		{"CarriesOver", "Gold", vip.ChannelEmail, at(24, 16, 30), at(25, 10, 30)},
		// Friday evening: the clock starts on Monday, after the DST change of Sunday 30th.
		{"OverTheWeekend", "Gold", vip.ChannelEmail, at(28, 18, 0), at(31, 11, 0)},
		{"SaturdayPhone", "Gold", vip.ChannelPhone, at(29, 12, 0), at(31, 9, 1)},
		// 24 business hours from Monday 09:00 are three full days: Wednesday 17:00.
		{"StandardEmailThreeDays", "Silver", vip.ChannelEmail, at(24, 9, 0), at(26, 17, 0)},
		{"NonMemberPhone", "", vip.ChannelPhone, at(30, 12, 0), at(31, 9, 10)},
		// Platinum has after-hours support: an hour around the clock, across the DST
		// jump (01:30 CET + 1h = 03:30 CEST).
		{"AfterHoursTier", "Platinum", vip.ChannelEmail, at(30, 1, 30), at(30, 3, 30)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := c.SupportDue(tc.tier, tc.channel, tc.opened)
			if err != nil || !ok {
				t.Fatalf("SupportDue: %v, %v", ok, err)
			}
			if !got.Equal(tc.want) {
				t.Errorf("SupportDue(%q, %s, %s) = %s, want %s", tc.tier, tc.channel, tc.opened, got.In(warsaw), tc.want)
			}
		})
	}

	bad := vip.BriefCatalogue()
	bad.BusinessHours = &vip.BusinessHours{TimeZone: "Mars/Olympus", Open: "18:00", Close: "9am", Days: []string{"mon", "mon", "caturday"}}
	err = bad.Validate()
	for _, want := range []string{`time_zone "Mars/Olympus"`, `close "9am" is not a 24-hour time`, `day 1: "mon" repeats`, `day 2: "caturday"`} {
		if !errors.Is(err, vip.ErrInvalidCatalogue) || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error lacks %q: %v", want, err)
		}
	}
	bad.BusinessHours = &vip.BusinessHours{Open: "17:00", Close: "09:00"}
	err = bad.Validate()
	for _, want := range []string{"open 17:00 is not before close 09:00", "no days"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error lacks %q: %v", want, err)
		}
	}
}
