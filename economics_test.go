package vip_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/vipkit/vip"
)

// econGold is the brief's worked example: a Gold VIP spending $5,000 a year in 12
// orders. The example counts no event attendance, so events are redeemed at 0.
var econGold = vip.Profile{
	AnnualSpend:   econD("5000"),
	OrdersPerYear: econD("12"),
	Redemption:    map[vip.BenefitKind]decimal.Decimal{vip.BenefitEvents: decimal.Zero},
}

func TestCatalogue_Worksheet_BriefWorkedExample(t *testing.T) {
	w, err := vip.BriefCatalogue().Worksheet("Gold", econGold, econD("0.40"))
	if err != nil {
		t.Fatal(err)
	}
	want := vip.Worksheet{
		Tier:        "Gold",
		AnnualSpend: econD("5000"),
		Margin:      econD("0.40"),
		Cost: vip.TierCost{Tier: "Gold", Total: econD("945"), Items: []vip.CostItem{
			{Benefit: vip.BenefitDiscount, Cost: econD("750")},      // 15% x $5,000
			{Benefit: vip.BenefitCreditBirthday, Cost: econD("50")}, // birthday gift
			{Benefit: vip.BenefitShipping, Cost: econD("120")},      // $10 x 12
			{Benefit: vip.BenefitEarlyAccess, Cost: econD("0")},
			{Benefit: vip.BenefitExclusive, Cost: econD("0")},
			{Benefit: vip.BenefitEvents, Cost: econD("0")},
			{Benefit: vip.BenefitSupport, Cost: econD("25")}, // support time
		}},
		GrossProfit:      econD("2000"),   // 40% x $5,000
		Net:              econD("1055"),   // $2,000 - $945
		NetMargin:        econD("0.211"),  // the brief's 21%
		BreakEvenRevenue: econD("2362.5"), // $945 / 0.40, the brief's $2,363
		BreakEvenLift:    econD("0.4725"), // the brief's 47%
	}
	if diff := cmp.Diff(want, w, econDec); diff != "" {
		t.Fatalf("Gold worksheet (-want +got):\n%s", diff)
	}
	// The brief's rounded figures.
	for _, c := range []struct {
		name      string
		got, want decimal.Decimal
	}{
		{"net margin to whole percent", w.NetMargin.Round(2), econD("0.21")},
		{"break-even to whole dollars", w.BreakEvenRevenue.Round(0), econD("2363")},
		{"lift to whole percent", w.BreakEvenLift.Round(2), econD("0.47")},
	} {
		if !c.got.Equal(c.want) {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
}

func TestCatalogue_ROI_BriefWorkedExample(t *testing.T) {
	a := vip.Assumptions{Margin: econD("0.40"), SpendLift: econD("0.25"), RepurchaseVIP: econD("0.85"), RepurchaseBase: econD("0.50")}
	r, err := vip.BriefCatalogue().ROI("Gold", econGold, a)
	if err != nil {
		t.Fatal(err)
	}
	// With +25% spend: $6,250 a year in 15 orders. Next year's expected revenue is
	// 0.85 x 6,250 = 5,312.50 as a VIP against 0.50 x 5,000 = 2,500; margins 2,125 and
	// 1,000. A year's cost at $6,250: 937.50 + 50 + 150 + 25 = 1,162.50; weighted by
	// 0.85: 988.125, 988.13 in cents. Incremental 2,125 - 988.13 - 1,000 = 136.87;
	// return 136.87 / 988.13 = 0.13851..., 0.1385.
	want := vip.ROI{
		Tier: "Gold", BaseSpend: econD("5000"), LiftedSpend: econD("6250"),
		RepurchaseVIP: econD("0.85"), RepurchaseBase: econD("0.5"),
		RevenueVIP: econD("5312.50"), RevenueBase: econD("2500"),
		ProfitVIP: econD("2125"), ProfitBase: econD("1000"), Referrals: econD("0"),
		YearCost: vip.TierCost{Tier: "Gold", Total: econD("1162.50"), Items: []vip.CostItem{
			{Benefit: vip.BenefitDiscount, Cost: econD("937.50")},
			{Benefit: vip.BenefitCreditBirthday, Cost: econD("50")},
			{Benefit: vip.BenefitShipping, Cost: econD("150")},
			{Benefit: vip.BenefitEarlyAccess, Cost: econD("0")},
			{Benefit: vip.BenefitExclusive, Cost: econD("0")},
			{Benefit: vip.BenefitEvents, Cost: econD("0")},
			{Benefit: vip.BenefitSupport, Cost: econD("25")},
		}},
		Cost: econD("988.13"), Incremental: econD("136.87"), Return: econD("0.1385"),
	}
	if diff := cmp.Diff(want, r, econDec); diff != "" {
		t.Fatalf("Gold ROI (-want +got):\n%s", diff)
	}

	// Retention lift instead of a VIP probability, two years, referrals:
	// p = 0.5 x 1.7 = 0.85; weights 0.85 + 0.7225 = 1.5725 and 0.5 + 0.25 = 0.75.
	// Revenue 6,250 x 1.5725 = 9,828.125 -> 9,828.13 and 5,000 x 0.75 = 3,750;
	// profits 3,931.25 and 1,500; referrals 0.5 x 200 x 1.5725 = 157.25;
	// cost 1,162.50 x 1.5725 = 1,828.03125 -> 1,828.03;
	// incremental 3,931.25 + 157.25 - 1,828.03 - 1,500 = 760.47; return 0.4160.
	a2 := vip.Assumptions{Margin: econD("0.40"), SpendLift: econD("0.25"), RepurchaseBase: econD("0.50"),
		RetentionLift: econD("0.7"), ReferralsPerYear: econD("0.5"), ReferralProfit: econD("200"), Years: 2}
	r2, err := vip.BriefCatalogue().ROI("Gold", econGold, a2)
	if err != nil {
		t.Fatal(err)
	}
	got := []decimal.Decimal{r2.RepurchaseVIP, r2.RevenueVIP, r2.RevenueBase, r2.ProfitVIP, r2.ProfitBase, r2.Referrals, r2.Cost, r2.Incremental, r2.Return}
	wantSlice := []decimal.Decimal{econD("0.85"), econD("9828.13"), econD("3750"), econD("3931.25"), econD("1500"), econD("157.25"), econD("1828.03"), econD("760.47"), econD("0.4160")}
	if diff := cmp.Diff(wantSlice, got, econDec); diff != "" {
		t.Errorf("two-year ROI with referrals (-want +got):\n%s", diff)
	}
}

func TestLevers_Raise(t *testing.T) {
	l := vip.Levers{Leads: econD("1000"), Conversion: econD("0.02"), Margin: econD("0.40"), AverageCheck: econD("100"), PurchasesPerCustomer: econD("3")}
	// 1,000 x 0.02 x 0.40 x 100 x 3 = 2,400.
	if got := l.Profit(); !got.Equal(econD("2400")) {
		t.Fatalf("Profit() = %s, want 2400", got)
	}
	got, err := l.Raise(econD("0.10"))
	if err != nil {
		t.Fatal(err)
	}
	ten := func(name string) vip.LeverEffect {
		return vip.LeverEffect{Lever: name, Profit: econD("2640"), Change: econD("0.1")}
	}
	// All five at +10%: 1.1^5 = 1.61051, 2,400 x 1.61051 = 3,865.224.
	want := []vip.LeverEffect{ten("leads"), ten("conversion"), ten("margin"), ten("average_check"), ten("purchases_per_customer"),
		{Lever: "all", Profit: econD("3865.22"), Change: econD("0.6105")}}
	if diff := cmp.Diff(want, got, econDec); diff != "" {
		t.Fatalf("Raise(0.10) (-want +got):\n%s", diff)
	}
	if all := got[5].Change.Round(2); !all.Equal(econD("0.61")) {
		t.Errorf("all five +10%% = %s, want the brief's 0.61", all)
	}
	if _, err := (vip.Levers{Leads: econD("-1")}).Raise(econD("-1")); !errors.Is(err, vip.ErrInvalidEconomics) ||
		!strings.Contains(err.Error(), "leads -1 is negative") || !strings.Contains(err.Error(), "raise -1") {
		t.Errorf("Raise on bad input error = %v", err)
	}
}

// TestBenefits_Cost_EveryKind prices one package holding every benefit kind, worked by
// hand, for $1,000 a year in 4 orders.
func TestBenefits_Cost_EveryKind(t *testing.T) {
	b := vip.Benefits{
		Tier:     "All",
		Discount: &vip.Discount{Rate: econD("0.10")},
		Credits: []vip.Credit{
			{Trigger: vip.TriggerBirthday, Amount: econD("25")},
			{Trigger: vip.TriggerAnniversary, Amount: econD("20")},
			{Trigger: vip.TriggerQuarterly, Amount: econD("10")},
			{Trigger: vip.TriggerUpgrade, Amount: econD("30")},
		},
		Shipping:         &vip.FreeShipping{Level: vip.ShippingExpedited, CostPerOrder: econD("12.50")},
		Returns:          &vip.ExtendedReturns{Days: 90, CostRate: econD("0.005")},
		PriceProtection:  &vip.PriceProtection{Days: 14, CostRate: econD("0.0125")},
		Points:           &vip.PointsMultiplier{Multiplier: econD("2"), BasePoints: econD("1"), PointValue: econD("0.01")},
		EarlyAccess:      &vip.EarlyAccess{Hours: 48},
		Exclusive:        &vip.ExclusiveAccess{Products: true, CostPerYear: econD("7.50")},
		PersonalShopping: &vip.PersonalShopping{SessionsPerYear: 3, CostPerSession: econD("40")},
		Events: []vip.EventOffer{
			{Kind: vip.VirtualEvent, PerYear: 4, CostPerAttendee: econD("5")},
			{Kind: vip.PrivateEvent, PerYear: 1, CostPerAttendee: econD("150")},
		},
		GiftWithPurchase: &vip.GiftWithPurchase{Cost: econD("3")},
		AnnualGift:       &vip.AnnualGift{Cost: econD("250")},
		Packaging:        &vip.Packaging{CostPerOrder: econD("1.25")},
		Support:          &vip.SupportLevel{DedicatedRep: true, CostPerYear: econD("60")},
	}
	p := vip.Profile{AnnualSpend: econD("1000"), OrdersPerYear: econD("4"), Redemption: map[vip.BenefitKind]decimal.Decimal{
		vip.BenefitCreditUpgrade: econD("0.5"), vip.BenefitShipping: econD("0.5"), vip.BenefitPersonalShopping: econD("0.25"),
		vip.BenefitEvents: econD("0.5"), vip.BenefitGiftWithPurchase: econD("0.5"),
	}}
	want := vip.TierCost{Tier: "All", Items: []vip.CostItem{
		{Benefit: vip.BenefitDiscount, Cost: econD("100")},          // 0.10 x 1,000
		{Benefit: vip.BenefitCreditBirthday, Cost: econD("25")},     // once a year
		{Benefit: vip.BenefitCreditAnniversary, Cost: econD("20")},  // once a year
		{Benefit: vip.BenefitCreditQuarterly, Cost: econD("40")},    // 4 x 10
		{Benefit: vip.BenefitCreditUpgrade, Cost: econD("15")},      // 30 x 0.5 chance
		{Benefit: vip.BenefitShipping, Cost: econD("25")},           // 12.50 x 4 x 0.5
		{Benefit: vip.BenefitReturns, Cost: econD("5")},             // 0.005 x 1,000
		{Benefit: vip.BenefitPriceProtection, Cost: econD("12.50")}, // 0.0125 x 1,000
		{Benefit: vip.BenefitPoints, Cost: econD("10")},             // 1,000 x 1 x (2-1) x 0.01
		{Benefit: vip.BenefitEarlyAccess, Cost: econD("0")},         //
		{Benefit: vip.BenefitExclusive, Cost: econD("7.50")},        //
		{Benefit: vip.BenefitPersonalShopping, Cost: econD("30")},   // 3 x 40 x 0.25
		{Benefit: vip.BenefitEvents, Cost: econD("85")},             // (4 x 5 + 150) x 0.5
		{Benefit: vip.BenefitGiftWithPurchase, Cost: econD("6")},    // 3 x 4 x 0.5
		{Benefit: vip.BenefitAnnualGift, Cost: econD("250")},        //
		{Benefit: vip.BenefitPackaging, Cost: econD("5")},           // 1.25 x 4
		{Benefit: vip.BenefitSupport, Cost: econD("60")},            //
	}, Total: econD("696")}
	got, err := b.Cost(p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, econDec); diff != "" {
		t.Fatalf("Cost (-want +got):\n%s", diff)
	}
	c := vip.Catalogue{Currency: "USD", Tiers: []vip.Benefits{b}}
	if err := c.Validate(); err != nil {
		t.Fatalf("the every-kind catalogue is invalid: %v", err)
	}
	if len(c.Differentiation(0)) != 0 {
		t.Error("a one-tier catalogue has differentiation findings")
	}
}

func TestBenefits_Cost_Rounding(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    vip.Benefits
		p    vip.Profile
		want string
	}{
		// 0.15 x 333.33 = 49.9995 -> 50.00.
		{"DiscountToCents", vip.Benefits{Discount: &vip.Discount{Rate: econD("0.15")}}, vip.Profile{AnnualSpend: econD("333.33")}, "50.00"},
		// 0.125 x 1 order = 0.125: half away from zero, 0.13.
		{"HalfAwayFromZero", vip.Benefits{Packaging: &vip.Packaging{CostPerOrder: econD("0.125")}}, vip.Profile{OrdersPerYear: econD("1")}, "0.13"},
		// Fractional orders: 10 x 2.5 = 25.
		{"FractionalOrders", vip.Benefits{Shipping: &vip.FreeShipping{Level: vip.ShippingStandard, CostPerOrder: econD("10")}}, vip.Profile{OrdersPerYear: econD("2.5")}, "25"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.b.Cost(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Total.Equal(econD(tc.want)) {
				t.Errorf("Cost = %s, want %s", got.Total, tc.want)
			}
		})
	}
}

func TestProfile_Validate(t *testing.T) {
	err := vip.Profile{AnnualSpend: econD("-1"), OrdersPerYear: econD("-2"), Redemption: map[vip.BenefitKind]decimal.Decimal{
		"massage": econD("0.5"), vip.BenefitShipping: econD("1.5"),
	}}.Validate()
	if !errors.Is(err, vip.ErrInvalidEconomics) {
		t.Fatalf("Validate() = %v, want ErrInvalidEconomics", err)
	}
	for _, want := range []string{"annual_spend -1", "orders_per_year -2", `benefit "massage"`, "shipping 1.5 is outside [0, 1]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() error lacks %q:\n%v", want, err)
		}
	}
	if _, err := vip.BriefCatalogue().Worksheet("Gold", vip.Profile{}, econD("0")); err == nil ||
		!strings.Contains(err.Error(), "annual_spend 0 is not positive") || !strings.Contains(err.Error(), "margin 0 is outside") {
		t.Errorf("Worksheet on zero spend and margin: %v", err)
	}
	if _, err := vip.BriefCatalogue().Cost("Diamond", econGold); !errors.Is(err, vip.ErrNotFound) {
		t.Errorf("Cost(Diamond) = %v, want ErrNotFound", err)
	}
}

func TestCatalogue_PnL(t *testing.T) {
	gp := econD("3000")
	members := []vip.PnLMember{
		{CustomerID: "a", Tier: "Gold", AnnualSpend: econD("5000"), OrdersPerYear: econD("12")},
		{CustomerID: "b", Tier: "Silver", AnnualSpend: econD("2000"), OrdersPerYear: econD("8")},
		{CustomerID: "c", Tier: "", AnnualSpend: econD("300"), OrdersPerYear: econD("2")},
		{CustomerID: "d", Tier: "Platinum", AnnualSpend: econD("10000"), OrdersPerYear: econD("20"), GrossProfit: &gp},
	}
	noEvents := map[vip.BenefitKind]decimal.Decimal{vip.BenefitEvents: decimal.Zero}
	got, err := vip.BriefCatalogue().PnL(members, econD("0.40"), noEvents)
	if err != nil {
		t.Fatal(err)
	}
	item := func(k vip.BenefitKind, c string) vip.CostItem { return vip.CostItem{Benefit: k, Cost: econD(c)} }
	want := vip.PnL{
		Rows: []vip.PnLRow{
			// 10% x 2,000 = 200; $25 birthday; $8 x 8 = 64; total 289 against 800.
			{Tier: "Silver", Customers: 1, Spend: econD("2000"), GrossProfit: econD("800"), Cost: econD("289"), Net: econD("511"),
				NetMargin: econD("0.2555"), CostPerCustomer: econD("289"), Items: []vip.CostItem{
					item(vip.BenefitDiscount, "200"), item(vip.BenefitCreditBirthday, "25"), item(vip.BenefitShipping, "64"),
					item(vip.BenefitEarlyAccess, "0"), item(vip.BenefitEvents, "0")}},
			{Tier: "Gold", Customers: 1, Spend: econD("5000"), GrossProfit: econD("2000"), Cost: econD("945"), Net: econD("1055"),
				NetMargin: econD("0.211"), CostPerCustomer: econD("945"), Items: []vip.CostItem{
					item(vip.BenefitDiscount, "750"), item(vip.BenefitCreditBirthday, "50"), item(vip.BenefitShipping, "120"),
					item(vip.BenefitEarlyAccess, "0"), item(vip.BenefitExclusive, "0"), item(vip.BenefitEvents, "0"), item(vip.BenefitSupport, "25")}},
			// 20% x 10,000 = 2,000; $100; $15 x 20 = 300; gift 250; rep 150: 2,800 against the
			// customer's own gross profit of 3,000.
			{Tier: "Platinum", Customers: 1, Spend: econD("10000"), GrossProfit: econD("3000"), Cost: econD("2800"), Net: econD("200"),
				NetMargin: econD("0.02"), CostPerCustomer: econD("2800"), Items: []vip.CostItem{
					item(vip.BenefitDiscount, "2000"), item(vip.BenefitCreditBirthday, "100"), item(vip.BenefitShipping, "300"),
					item(vip.BenefitEarlyAccess, "0"), item(vip.BenefitExclusive, "0"), item(vip.BenefitEvents, "0"),
					item(vip.BenefitAnnualGift, "250"), item(vip.BenefitSupport, "150")}},
			{Tier: "", Customers: 1, Spend: econD("300"), GrossProfit: econD("120"), Cost: econD("0"), Net: econD("120"),
				NetMargin: econD("0.4"), CostPerCustomer: econD("0")},
		},
		// 1,766 / 17,000 = 0.10388 -> 0.1039; 4,034 / 3 = 1,344.666 -> 1,344.67.
		Program: vip.PnLRow{Tier: "program", Customers: 3, Spend: econD("17000"), GrossProfit: econD("5800"), Cost: econD("4034"),
			Net: econD("1766"), NetMargin: econD("0.1039"), CostPerCustomer: econD("1344.67"), Items: []vip.CostItem{
				item(vip.BenefitDiscount, "2950"), item(vip.BenefitCreditBirthday, "175"), item(vip.BenefitShipping, "484"),
				item(vip.BenefitEarlyAccess, "0"), item(vip.BenefitExclusive, "0"), item(vip.BenefitEvents, "0"),
				item(vip.BenefitAnnualGift, "250"), item(vip.BenefitSupport, "175")}},
		// 1,886 / 17,300 = 0.10902 -> 0.1090; 4,034 / 4 = 1,008.50.
		Total: vip.PnLRow{Tier: "total", Customers: 4, Spend: econD("17300"), GrossProfit: econD("5920"), Cost: econD("4034"),
			Net: econD("1886"), NetMargin: econD("0.109"), CostPerCustomer: econD("1008.50"), Items: []vip.CostItem{
				item(vip.BenefitDiscount, "2950"), item(vip.BenefitCreditBirthday, "175"), item(vip.BenefitShipping, "484"),
				item(vip.BenefitEarlyAccess, "0"), item(vip.BenefitExclusive, "0"), item(vip.BenefitEvents, "0"),
				item(vip.BenefitAnnualGift, "250"), item(vip.BenefitSupport, "175")}},
	}
	if diff := cmp.Diff(want, got, econDec); diff != "" {
		t.Fatalf("PnL (-want +got):\n%s", diff)
	}

	bad := append(members, vip.PnLMember{CustomerID: "a", Tier: "Gold"}, vip.PnLMember{CustomerID: "e", Tier: "Diamond"},
		vip.PnLMember{CustomerID: "f", AnnualSpend: econD("-1")})
	_, err = vip.BriefCatalogue().PnL(bad, econD("1.5"), nil)
	for _, want := range []string{`customer "a" appears twice`, `tier "Diamond"`, `customer "f": annual_spend -1`, "margin 1.5"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("PnL on bad input: error lacks %q: %v", want, err)
		}
	}
	if !errors.Is(err, vip.ErrNotFound) || !errors.Is(err, vip.ErrInvalidEconomics) {
		t.Errorf("PnL error %v should wrap ErrNotFound and ErrInvalidEconomics", err)
	}
}

func TestCatalogue_RecommendThresholds(t *testing.T) {
	c := vip.Catalogue{Currency: "USD", Tiers: []vip.Benefits{
		{Tier: "VIP", Discount: &vip.Discount{Rate: econD("0.10")},
			Shipping: &vip.FreeShipping{Level: vip.ShippingStandard, CostPerOrder: econD("5")},
			Support:  &vip.SupportLevel{CostPerYear: econD("100")}},
		{Tier: "Costly", Discount: &vip.Discount{Rate: econD("0.30")}},
	}}
	o := vip.ThresholdOptions{
		Assumptions:  vip.Assumptions{Margin: econD("0.40"), SpendLift: econD("0.25"), RepurchaseVIP: econD("0.85"), RepurchaseBase: econD("0.50")},
		AverageOrder: econD("100"),
	}
	// 20 customers: 3,000, 1,620, 900, 800, 700 and fifteen at 100.
	spends := []decimal.Decimal{econD("3000"), econD("1620"), econD("900"), econD("800"), econD("700")}
	for range 15 {
		spends = append(spends, econD("100"))
	}
	got, err := c.RecommendThresholds(spends, o)
	if err != nil {
		t.Fatal(err)
	}
	// Incremental profit at spend S, by hand:
	//   0.4 x 1.25 S x 0.85 - 0.85 x (0.10 x 1.25 S + 5 x 1.25 S / 100 + 100) - 0.4 x S x 0.5
	//   = 0.425 S - 0.159375 S - 85 - 0.2 S = 0.065625 S - 85,
	// zero at S = 1,295.238..., 1,295.24 rounded up; +25% = 1,619.05, 1,620 rounded up.
	// 2 of 20 customers spend 1,620 or more: 0.10, in the band. Keeping at most 20%
	// (4 customers) needs a threshold above the fifth spend, 700: 700.01.
	// Costly: 0.425 - 0.2 - 0.85 x 1.25 x 0.30 = -0.09375 a dollar: it never pays.
	want := []vip.Threshold{
		{Tier: "VIP", Pays: true, BreakEven: econD("1295.24"), Recommended: econD("1620"), Share: econD("0.1"), InBand: true, BandSpend: econD("700.01")},
		{Tier: "Costly", Pays: false, BreakEven: econD("0"), Recommended: econD("0"), Share: econD("0"), BandSpend: econD("700.01"),
			Findings: []string{"never pays for itself: each extra unit of spend costs more in benefits than it brings in margin under these assumptions"}},
	}
	if diff := cmp.Diff(want, got, econDec); diff != "" {
		t.Fatalf("RecommendThresholds (-want +got):\n%s", diff)
	}

	// The same tier with a 20% buffer holds 3 of 20 with 1,295.24 x 1.2 = 1,554.29 -> 1,555;
	// a population where it holds 5 of 10 is out of band.
	o.Buffer = econD("0.2")
	got, _ = c.RecommendThresholds(spends[:10], o)
	if !got[0].Recommended.Equal(econD("1555")) || !got[0].Share.Equal(econD("0.2")) || !got[0].InBand {
		t.Errorf("buffer 0.2 on 10 customers: %+v; want 1555, share 0.2, in band", got[0])
	}
	got, _ = c.RecommendThresholds([]decimal.Decimal{econD("2000"), econD("2000"), econD("100"), econD("100")}, o)
	if got[0].InBand || len(got[0].Findings) != 1 || !strings.Contains(got[0].Findings[0], "holds 0.5 of customers") {
		t.Errorf("half the customers above the threshold: %+v; want a finding", got[0])
	}

	_, err = c.RecommendThresholds([]decimal.Decimal{econD("-5")}, vip.ThresholdOptions{Buffer: econD("2")})
	for _, want := range []string{"margin 0", "average_order 0", "buffer 2", "spend 0: -5"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("RecommendThresholds on bad input: error lacks %q: %v", want, err)
		}
	}
}

func econGenBenefits(t *rapid.T) vip.Benefits {
	money := func(label string) decimal.Decimal {
		return decimal.New(rapid.Int64Range(0, 100000).Draw(t, label), -2)
	}
	rate := func(label string) decimal.Decimal {
		return decimal.New(rapid.Int64Range(0, 9999).Draw(t, label), -4)
	}
	b := vip.Benefits{Tier: "T"}
	if rapid.Bool().Draw(t, "discount") {
		b.Discount = &vip.Discount{Rate: rate("rate")}
	}
	for _, tr := range []vip.CreditTrigger{vip.TriggerBirthday, vip.TriggerAnniversary, vip.TriggerQuarterly, vip.TriggerUpgrade} {
		if rapid.Bool().Draw(t, "credit") {
			b.Credits = append(b.Credits, vip.Credit{Trigger: tr, Amount: money("amount")})
		}
	}
	if rapid.Bool().Draw(t, "shipping") {
		b.Shipping = &vip.FreeShipping{Level: vip.ShippingExpedited, CostPerOrder: money("ship")}
	}
	if rapid.Bool().Draw(t, "returns") {
		b.Returns = &vip.ExtendedReturns{Days: 90, CostRate: rate("returns")}
	}
	if rapid.Bool().Draw(t, "points") {
		b.Points = &vip.PointsMultiplier{Multiplier: decimal.New(rapid.Int64Range(10, 50).Draw(t, "mult"), -1), BasePoints: money("base"), PointValue: rate("value")}
	}
	if rapid.Bool().Draw(t, "events") {
		b.Events = []vip.EventOffer{{Kind: vip.RegionalEvent, PerYear: rapid.IntRange(0, 12).Draw(t, "per_year"), CostPerAttendee: money("attendee")}}
	}
	if rapid.Bool().Draw(t, "gwp") {
		b.GiftWithPurchase = &vip.GiftWithPurchase{Cost: money("gwp")}
	}
	if rapid.Bool().Draw(t, "support") {
		b.Support = &vip.SupportLevel{CostPerYear: money("support")}
	}
	return b
}

func econGenProfile(t *rapid.T) vip.Profile {
	return vip.Profile{
		AnnualSpend:   decimal.New(rapid.Int64Range(0, 10_000_000).Draw(t, "spend"), -2),
		OrdersPerYear: decimal.NewFromInt(rapid.Int64Range(0, 200).Draw(t, "orders")),
		Redemption: map[vip.BenefitKind]decimal.Decimal{
			vip.BenefitShipping: decimal.New(rapid.Int64Range(0, 100).Draw(t, "red_ship"), -2),
			vip.BenefitEvents:   decimal.New(rapid.Int64Range(0, 100).Draw(t, "red_events"), -2),
		},
	}
}

func TestBenefits_Cost_Properties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := econGenBenefits(t)
		p := econGenProfile(t)
		c, err := b.Cost(p)
		if err != nil {
			t.Fatal(err)
		}
		sum := decimal.Zero
		for _, it := range c.Items {
			if it.Cost.IsNegative() {
				t.Fatalf("item %s costs %s", it.Benefit, it.Cost)
			}
			sum = sum.Add(it.Cost)
		}
		if !sum.Equal(c.Total) {
			t.Fatalf("items sum to %s, total %s", sum, c.Total)
		}
		more := p
		more.AnnualSpend = p.AnnualSpend.Add(decimal.New(rapid.Int64Range(0, 1_000_000).Draw(t, "more_spend"), -2))
		more.OrdersPerYear = p.OrdersPerYear.Add(decimal.NewFromInt(rapid.Int64Range(0, 50).Draw(t, "more_orders")))
		c2, err := b.Cost(more)
		if err != nil {
			t.Fatal(err)
		}
		if c2.Total.LessThan(c.Total) {
			t.Fatalf("cost fell from %s to %s as spend rose %s -> %s and orders %s -> %s",
				c.Total, c2.Total, p.AnnualSpend, more.AnnualSpend, p.OrdersPerYear, more.OrdersPerYear)
		}
	})
}

func TestWorksheet_BreakEvenProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := econGenBenefits(t)
		p := econGenProfile(t)
		if !p.AnnualSpend.IsPositive() {
			p.AnnualSpend = econD("1")
		}
		m := decimal.New(rapid.Int64Range(1, 100).Draw(t, "margin"), -2)
		w, err := vip.Catalogue{Currency: "USD", Tiers: []vip.Benefits{b}}.Worksheet("T", p, m)
		if err != nil {
			t.Fatal(err)
		}
		// The break-even revenue's margin pays the cost to within half a cent of rounding.
		gap := w.BreakEvenRevenue.Mul(m).Sub(w.Cost.Total).Abs()
		if gap.GreaterThan(econD("0.005").Mul(m)) {
			t.Fatalf("margin %s x break-even %s = %s, cost %s", m, w.BreakEvenRevenue, w.BreakEvenRevenue.Mul(m), w.Cost.Total)
		}
		if !w.Net.Equal(w.GrossProfit.Sub(w.Cost.Total)) {
			t.Fatalf("net %s is not gross %s minus cost %s", w.Net, w.GrossProfit, w.Cost.Total)
		}
	})
}

func TestRecommendThresholds_BreakEvenProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := econGenBenefits(t)
		aov := decimal.New(rapid.Int64Range(1000, 100000).Draw(t, "aov"), -2)
		a := vip.Assumptions{
			Margin:         decimal.New(rapid.Int64Range(10, 90).Draw(t, "margin"), -2),
			SpendLift:      decimal.New(rapid.Int64Range(0, 50).Draw(t, "lift"), -2),
			RepurchaseVIP:  decimal.New(rapid.Int64Range(50, 100).Draw(t, "pv"), -2),
			RepurchaseBase: decimal.New(rapid.Int64Range(10, 50).Draw(t, "pb"), -2),
		}
		c := vip.Catalogue{Currency: "USD", Tiers: []vip.Benefits{b}}
		th, err := c.RecommendThresholds(nil, vip.ThresholdOptions{Assumptions: a, AverageOrder: aov})
		if err != nil {
			t.Fatal(err)
		}
		if !th[0].Pays || !th[0].BreakEven.IsPositive() {
			return
		}
		roi := func(s decimal.Decimal) decimal.Decimal {
			r, err := c.ROI("T", vip.Profile{AnnualSpend: s, OrdersPerYear: s.DivRound(aov, 8)}, a)
			if err != nil {
				t.Fatal(err)
			}
			return r.Incremental
		}
		// Incremental profit is about zero at break-even (cent rounding of a handful of
		// items), and grows above it.
		at := roi(th[0].BreakEven)
		if at.Abs().GreaterThan(econD("0.10")) {
			t.Fatalf("incremental profit at break-even %s is %s, want about 0", th[0].BreakEven, at)
		}
		if above := roi(th[0].BreakEven.Add(econD("1000"))); !above.GreaterThan(at) {
			t.Fatalf("incremental profit %s at break-even + 1000 is not above %s", above, at)
		}
	})
}

func BenchmarkBenefits_Cost(b *testing.B) {
	gold, _ := vip.BriefCatalogue().Tier("Gold")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := gold.Cost(econGold); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCatalogue_PnL(b *testing.B) {
	c := vip.BriefCatalogue()
	tiers := []string{"", "", "", "", "", "Silver", "Silver", "Gold", "Platinum", ""}
	for _, n := range []struct {
		name    string
		members int
	}{{"members=1e3", 1000}, {"members=1e5", 100000}, {"members=1e6", 1000000}} {
		b.Run(n.name, func(b *testing.B) {
			ms := make([]vip.PnLMember, n.members)
			for i := range ms {
				ms[i] = vip.PnLMember{CustomerID: "c" + strconv.Itoa(i), Tier: tiers[i%len(tiers)],
					AnnualSpend: decimal.New(int64(100_00+i%1_000_000), -2), OrdersPerYear: decimal.NewFromInt(int64(1 + i%20))}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.PnL(ms, econD("0.40"), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func FuzzProfile(f *testing.F) {
	f.Add([]byte(`{"annual_spend":"5000","orders_per_year":"12","redemption":{"events":"0"}}`))
	f.Add([]byte(`{"annual_spend":"1e1000000000","orders_per_year":"-1"}`))
	f.Add([]byte(`{"annual_spend":1.5e-30,"orders_per_year":3,"redemption":{"massage":"2"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p vip.Profile
		if json.Unmarshal(data, &p) != nil {
			return
		}
		c := vip.BriefCatalogue()
		cost, err := c.Cost("Platinum", p)
		if err != nil {
			if !errors.Is(err, vip.ErrInvalidEconomics) {
				t.Fatalf("error %v does not wrap ErrInvalidEconomics", err)
			}
			return
		}
		if cost.Total.IsNegative() {
			t.Fatalf("cost %s is negative for %+v", cost.Total, p)
		}
		_, _ = c.Worksheet("Gold", p, econD("0.4"))
		_, _ = c.ROI("Gold", p, vip.Assumptions{Margin: econD("0.4"), SpendLift: econD("0.25")})
	})
}

func TestEconomics_OutOfRange(t *testing.T) {
	huge := decimal.New(1, 1_000_000_000)
	tiny := decimal.New(1, -1_000_000_000)
	c := vip.BriefCatalogue()
	_, err := c.Cost("Gold", vip.Profile{AnnualSpend: huge, OrdersPerYear: tiny})
	if !errors.Is(err, vip.ErrInvalidEconomics) || !strings.Contains(err.Error(), "annual_spend 1e1000000000 is out of range") ||
		!strings.Contains(err.Error(), "orders_per_year 1e-1000000000 is out of range") {
		t.Errorf("Cost on huge spend = %v", err)
	}
	_, err = c.ROI("Gold", econGold, vip.Assumptions{Margin: huge, SpendLift: huge, RepurchaseVIP: tiny, ReferralProfit: huge})
	for _, want := range []string{"margin 1e1000000000", "spend_lift 1e1000000000", "repurchase_vip 1e-1000000000", "referral_profit 1e1000000000"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ROI error lacks %q: %v", want, err)
		}
	}
	_, err = c.RecommendThresholds([]decimal.Decimal{huge}, vip.ThresholdOptions{Assumptions: vip.Assumptions{Margin: econD("0.4")},
		AverageOrder: econD("100"), Buffer: huge, BandHigh: tiny})
	for _, want := range []string{"buffer 1e1000000000 is out of range", "band_high 1e-1000000000 is out of range", "spend 0: 1e1000000000 is out of range"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("RecommendThresholds error lacks %q: %v", want, err)
		}
	}
	if _, err := (vip.Levers{Leads: huge}).Raise(tiny); err == nil || !strings.Contains(err.Error(), "leads 1e1000000000 is out of range") {
		t.Errorf("Raise error = %v", err)
	}
}

// TestCatalogue_PnL_Property: the P&L adds up to the members' own costs and spends, the
// program and non-member rows make the total, and no cell of cost is negative.
func TestCatalogue_PnL_Property(t *testing.T) {
	c := vip.BriefCatalogue()
	tiers := []string{"", "Silver", "Gold", "Platinum"}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 30).Draw(t, "n")
		ms := make([]vip.PnLMember, n)
		wantCost, wantSpend := decimal.Zero, decimal.Zero
		for i := range ms {
			ms[i] = vip.PnLMember{
				CustomerID:    "c" + strconv.Itoa(i),
				Tier:          rapid.SampledFrom(tiers).Draw(t, "tier"),
				AnnualSpend:   decimal.New(rapid.Int64Range(0, 5_000_000).Draw(t, "spend"), -2),
				OrdersPerYear: decimal.NewFromInt(rapid.Int64Range(0, 60).Draw(t, "orders")),
			}
			cost, err := c.Cost(ms[i].Tier, vip.Profile{AnnualSpend: ms[i].AnnualSpend, OrdersPerYear: ms[i].OrdersPerYear})
			if err != nil {
				t.Fatal(err)
			}
			wantCost = wantCost.Add(cost.Total)
			wantSpend = wantSpend.Add(ms[i].AnnualSpend)
		}
		p, err := c.PnL(ms, econD("0.4"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Total.Cost.Equal(wantCost) || !p.Program.Cost.Equal(wantCost) || !p.Total.Spend.Equal(wantSpend) || p.Total.Customers != n {
			t.Fatalf("P&L total cost %s (program %s), spend %s, customers %d; members' own: %s, %s, %d",
				p.Total.Cost, p.Program.Cost, p.Total.Spend, p.Total.Customers, wantCost, wantSpend, n)
		}
		var sumRows vip.PnLRow
		sumRows.Spend, sumRows.Net = decimal.Zero, decimal.Zero
		for _, r := range p.Rows {
			sumRows.Customers += r.Customers
			sumRows.Spend = sumRows.Spend.Add(r.Spend)
			sumRows.Net = sumRows.Net.Add(r.Net)
			for _, it := range r.Items {
				if it.Cost.IsNegative() {
					t.Fatalf("row %q item %s is negative: %s", r.Tier, it.Benefit, it.Cost)
				}
			}
		}
		if sumRows.Customers != p.Total.Customers || !sumRows.Spend.Equal(p.Total.Spend) || !sumRows.Net.Equal(p.Total.Net) {
			t.Fatalf("rows sum to %d customers, %s spend, %s net; total row %d, %s, %s",
				sumRows.Customers, sumRows.Spend, sumRows.Net, p.Total.Customers, p.Total.Spend, p.Total.Net)
		}
	})
}
