package vip

import (
	"errors"
	"fmt"
)

// CLVStage names a step of [PredictCLV].
type CLVStage string

// The steps of [PredictCLV], in order.
const (
	StageCohort    CLVStage = "cohort"      // orders summarised as purchase histories
	StagePurchases CLVStage = "BG/NBD"      // the purchase-count model fitted
	StageSpend     CLVStage = "Gamma-Gamma" // the spend model fitted
	StageScore     CLVStage = "scoring"     // each customer's residual value
)

// CLVStageError is the error of [PredictCLV]: the step that failed and its error, which
// it wraps (a fit's *[FitError], [ErrInvalidHistory], [ErrCannotScore], ...).
type CLVStageError struct {
	Stage CLVStage
	Err   error
}

func (e *CLVStageError) Error() string { return fmt.Sprintf("vip: clv %s: %v", e.Stage, e.Err) }

// Unwrap returns the step's error.
func (e *CLVStageError) Unwrap() error { return e.Err }

// PredictOptions configure [PredictCLV]. Cohort needs a Unit and a CutOff (see
// [CohortOptions]); CLV needs a Horizon (see [CLVOptions]). Fit, when set, is passed to
// both fits.
type PredictOptions struct {
	Cohort CohortOptions `json:"cohort"`
	CLV    CLVOptions    `json:"clv"`
	Fit    *FitOptions   `json:"fit,omitempty"`
}

// CLVPrediction is what [PredictCLV] found: the cohort, both fitted models and every
// customer's residual value.
type CLVPrediction struct {
	Cohort    Cohort
	Purchases *BGNBD
	Spend     *GammaGamma
	// SpendLeftOut lists the repeat buyers whose repeat orders average nothing, left
	// out of the spend fit ([Cohort.SpendCohort]); their results have OK false.
	SpendLeftOut []string
	// AtBound holds the fits accepted although a parameter ended on its bound: the
	// model is valid and predicts its limit case (see [FitError]). Callers usually
	// pass these on as warnings.
	AtBound []*FitError
	// Results has one entry per cohort row, in the cohort's order.
	Results []CLVResult
}

// PredictCLV runs the usual lifetime-value pipeline on a shop's orders: it summarises
// them ([BuildCohortFromOrders]), fits BG/NBD on every customer ([FitBGNBD]), fits
// Gamma-Gamma on the repeat buyers with positive repeat spend ([Cohort.SpendCohort],
// [FitGammaGamma]) and scores every customer ([ResidualCLV]).
//
// A fit that ends with a parameter on its bound is accepted and listed in AtBound.
// Any other failure stops the pipeline with a *[CLVStageError] naming the step; the
// prediction returned with it holds what the steps before it produced (nil when the
// cohort could not be built).
func PredictCLV(orders []Order, opt PredictOptions) (*CLVPrediction, error) {
	cohort, err := BuildCohortFromOrders(orders, opt.Cohort)
	if err != nil {
		return nil, &CLVStageError{StageCohort, err}
	}
	p := &CLVPrediction{Cohort: cohort}
	bg, err := FitBGNBD(cohort, opt.Fit)
	if err = p.accept(StagePurchases, bg != nil, err); err != nil {
		return p, err
	}
	p.Purchases = bg
	spend, left := cohort.SpendCohort()
	p.SpendLeftOut = left
	gg, err := FitGammaGamma(spend, opt.Fit)
	if err = p.accept(StageSpend, gg != nil, err); err != nil {
		return p, err
	}
	p.Spend = gg
	res, err := ResidualCLV(bg, gg, cohort, opt.CLV)
	if err != nil {
		return p, &CLVStageError{StageScore, err}
	}
	p.Results = res
	return p, nil
}

// accept records a fit that ended on a bound and returned its model, and turns any
// other failure into the stage's error.
func (p *CLVPrediction) accept(stage CLVStage, have bool, err error) error {
	if err == nil {
		return nil
	}
	var fe *FitError
	if have && errors.As(err, &fe) && fe.Reason == FitAtBound {
		p.AtBound = append(p.AtBound, fe)
		return nil
	}
	return &CLVStageError{stage, err}
}
