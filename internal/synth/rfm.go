package synth

import (
	"fmt"
	"math/rand/v2"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

// RFMPopulation draws n customers' RFM inputs with a realistic shape: recency uniform
// over a year, frequency geometric (most buy once, at most 200), spend growing with
// frequency and exponentially spread, in cents. The same n gives the same population:
// it is the population of the ScoreRFM benchmarks and of the pandas comparison
// (bench/pandas).
func RFMPopulation(n int) []vip.RFMInput {
	rng := rand.New(rand.NewPCG(1, 2))
	pop := make([]vip.RFMInput, n)
	for i := range pop {
		f := int64(1)
		for rng.Float64() < 0.55 && f < 200 {
			f++
		}
		cents := int64(1000 * f)
		cents += int64(rng.ExpFloat64() * 5000 * float64(f))
		pop[i] = vip.RFMInput{
			CustomerID:  fmt.Sprintf("C%08d", rng.IntN(1<<30)<<5|i&31),
			RecencyDays: int64(rng.IntN(366)),
			Frequency:   f,
			Monetary:    decimal.New(cents, -2),
		}
	}
	return pop
}
