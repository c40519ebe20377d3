package vip

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// SegmentDef is one segment of a [SegmentMapDef]: a name and the cells it holds, given
// as a list of cells, as a box of score ranges, or both.
//
// The zero value is not valid: a segment needs a name. A plain value, safe for
// concurrent use.
type SegmentDef struct {
	Name string `json:"name"`
	// Cells lists cells as digit strings in R, F (, M) order: "545", or "54" in an R x F map.
	Cells []string `json:"cells,omitempty"`
	// R, F and M are inclusive score ranges [lo, hi]; nil means the whole scale. A segment
	// with no Cells and no range is the box holding every cell.
	R *[2]int `json:"r,omitempty"`
	F *[2]int `json:"f,omitempty"`
	M *[2]int `json:"m,omitempty"`
}

// SegmentMapDef is the plain-data form of a [SegmentMap], the form custom maps take in
// JSON. [NewSegmentMap] validates it.
//
// The zero value is not valid. It is a plain value, safe for concurrent use.
type SegmentMapDef struct {
	Name string `json:"name"`
	// Scale is the highest score on each dimension, 2 to 5 (5 for quintiles, 4 for quartiles).
	Scale int `json:"scale"`
	// Dimensions is "RF" (M is ignored) or "RFM".
	Dimensions string `json:"dimensions"`
	// FirstMatch makes the segments boxes applied in order: a cell takes the first
	// segment that holds it, and segments may overlap. Without it every cell must be held
	// by exactly one segment.
	FirstMatch bool `json:"first_match,omitempty"`
	// Other names the cells no segment holds. Empty means every cell must be held.
	Other    string       `json:"other,omitempty"`
	Segments []SegmentDef `json:"segments"`
}

// SegmentMap names the segment of every RFM score cell. Looking a score up is one index
// into a 125-entry array: no map, no string work.
//
// Build one with [NewSegmentMap] or [ParseSegmentMap], or use a published map:
// [SegmentsRFGrid], [SegmentsRFMTable], [SegmentsRFMTableNeal], [SegmentsRFMPackage],
// [SegmentsPyMCQuartiles]. The zero value names nothing. A SegmentMap is immutable and safe
// for concurrent use.
type SegmentMap struct {
	def   SegmentMapDef
	scale uint8
	cell  [125]uint8 // 1 + segment index, by (R-1)*25 + (F-1)*5 + (M-1); 0 unused
	names []string   // names[0] is "", then the segments, then Other if any
}

// Name returns the map's name.
func (m *SegmentMap) Name() string { return m.def.Name }

// Scale returns the highest score the map accepts on each dimension; 0 for the zero map.
func (m *SegmentMap) Scale() int { return int(m.scale) }

// Def returns the map's definition, a copy that JSON encodes it.
func (m *SegmentMap) Def() SegmentMapDef {
	d := m.def
	d.Segments = make([]SegmentDef, len(m.def.Segments))
	for i, s := range m.def.Segments {
		s.Cells = append([]string(nil), s.Cells...)
		s.R, s.F, s.M = rfmCopyRange(s.R), rfmCopyRange(s.F), rfmCopyRange(s.M)
		d.Segments[i] = s
	}
	return d
}

func rfmCopyRange(r *[2]int) *[2]int {
	if r == nil {
		return nil
	}
	c := *r
	return &c
}

// Names returns the segment names in definition order, then Other if the map has one.
func (m *SegmentMap) Names() []string {
	if len(m.names) == 0 {
		return nil
	}
	return append([]string(nil), m.names[1:]...)
}

// Segment returns the name of the segment holding s, or "" when a score is outside
// 1..Scale (an unscored customer, or scores from more bins than the map has). In an R x F
// map, M is only checked to lie in range.
func (m *SegmentMap) Segment(s RFMScore) string {
	r, f, mm := s.R-1, s.F-1, s.M-1 // 0 wraps to 255
	if r >= m.scale || f >= m.scale || mm >= m.scale {
		return ""
	}
	return m.names[m.cell[int(r)*25+int(f)*5+int(mm)]]
}

// MarshalJSON encodes the map's definition.
func (m SegmentMap) MarshalJSON() ([]byte, error) { return json.Marshal(m.def) }

// UnmarshalJSON decodes and validates a definition, as [ParseSegmentMap].
func (m *SegmentMap) UnmarshalJSON(b []byte) error {
	v, err := ParseSegmentMap(b)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseSegmentMap decodes a JSON [SegmentMapDef] and builds the map with [NewSegmentMap].
// Unknown fields are an error.
func ParseSegmentMap(data []byte) (SegmentMap, error) {
	var def SegmentMapDef
	if err := decodeJSON(data, &def, ErrInvalidScoring, "segment map"); err != nil {
		return SegmentMap{}, err
	}
	return NewSegmentMap(def)
}

// NewSegmentMap validates def and builds its lookup table. Every problem is reported at
// once, wrapping [ErrInvalidScoring]: a missing name, a scale outside 2..5, dimensions
// other than RF or RFM, a segment without name or cells, a repeated name, a malformed
// cell or range, a cell held by two segments (unless FirstMatch), and cells no segment
// holds when there is no Other.
func NewSegmentMap(def SegmentMapDef) (SegmentMap, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, errorf(ErrInvalidScoring, "segment map %q: "+format, append([]any{def.Name}, args...)...))
	}
	if strings.TrimSpace(def.Name) == "" {
		bad("name is empty")
	}
	if def.Scale < 2 || def.Scale > 5 {
		bad("scale %d is outside 2..5", def.Scale)
		return SegmentMap{}, errors.Join(errs...)
	}
	dims := 0
	switch def.Dimensions {
	case "RF":
		dims = 2
	case "RFM":
		dims = 3
	default:
		bad("dimensions %q is not RF or RFM", def.Dimensions)
		return SegmentMap{}, errors.Join(errs...)
	}
	if len(def.Segments) == 0 {
		bad("has no segments")
	}
	if len(def.Segments) > 250 {
		bad("has %d segments, at most 250", len(def.Segments))
		return SegmentMap{}, errors.Join(errs...)
	}
	m := SegmentMap{scale: uint8(def.Scale), names: []string{""}}
	seen := map[string]bool{}
	owner := [125]int{} // 1 + segment index, in the R x F x M space (M fixed to 1 for RF)
	sc := def.Scale
	for i, sg := range def.Segments {
		if strings.TrimSpace(sg.Name) == "" {
			bad("segment %d: name is empty", i)
		} else if seen[sg.Name] {
			bad("segment %q appears twice", sg.Name)
		}
		seen[sg.Name] = true
		m.names = append(m.names, sg.Name)
		var cells []int // indices into the (r, f, m) space, m = 0 for RF maps
		for _, c := range sg.Cells {
			if len(c) != dims {
				bad("segment %q: cell %q is not %d digits", sg.Name, c, dims)
				continue
			}
			idx, ok := 0, true
			for k := 0; k < dims; k++ {
				d := int(c[k]) - '0'
				if d < 1 || d > sc {
					bad("segment %q: cell %q has a score outside 1..%d", sg.Name, c, sc)
					ok = false
					break
				}
				idx += (d - 1) * []int{25, 5, 1}[k]
			}
			if ok {
				cells = append(cells, idx)
			}
		}
		box := sg.R != nil || sg.F != nil || sg.M != nil || len(sg.Cells) == 0
		if box {
			if dims == 2 && sg.M != nil {
				bad("segment %q: an RF map has no M range", sg.Name)
			}
			rng := func(name string, r *[2]int) (int, int, bool) {
				if r == nil {
					return 1, sc, true
				}
				if r[0] < 1 || r[1] > sc || r[0] > r[1] {
					bad("segment %q: %s range [%d, %d] is not within 1..%d with lo <= hi", sg.Name, name, r[0], r[1], sc)
					return 0, 0, false
				}
				return r[0], r[1], true
			}
			rlo, rhi, ok1 := rng("r", sg.R)
			flo, fhi, ok2 := rng("f", sg.F)
			mlo, mhi, ok3 := rng("m", sg.M)
			if dims == 2 {
				mlo, mhi = 1, 1
			}
			if ok1 && ok2 && ok3 {
				for r := rlo; r <= rhi; r++ {
					for f := flo; f <= fhi; f++ {
						for mm := mlo; mm <= mhi; mm++ {
							cells = append(cells, (r-1)*25+(f-1)*5+(mm-1))
						}
					}
				}
			}
		}
		for _, idx := range cells {
			switch o := owner[idx]; {
			case o == 0:
				owner[idx] = i + 1
			case def.FirstMatch:
			case o == i+1:
				bad("segment %q holds cell %s twice", sg.Name, rfmCellName(idx, dims))
			default:
				bad("cell %s is in segment %q and in segment %q", rfmCellName(idx, dims), def.Segments[o-1].Name, sg.Name)
			}
		}
	}
	other := 0
	if def.Other != "" {
		if seen[def.Other] {
			bad("other %q is also a segment", def.Other)
		}
		m.names = append(m.names, def.Other)
		other = len(m.names) - 1
	}
	var missing []string
	mmax := sc
	if dims == 2 {
		mmax = 1
	}
	for r := 1; r <= sc; r++ {
		for f := 1; f <= sc; f++ {
			for mm := 1; mm <= mmax; mm++ {
				idx := (r-1)*25 + (f-1)*5 + (mm - 1)
				o := owner[idx]
				if o == 0 {
					if other == 0 {
						missing = append(missing, rfmCellName(idx, dims))
						continue
					}
					o = other
				}
				if dims == 2 {
					for k := 0; k < sc; k++ {
						m.cell[idx+k] = uint8(o)
					}
				} else {
					m.cell[idx] = uint8(o)
				}
			}
		}
	}
	if len(missing) > 0 {
		bad("no segment holds cells %s and other is empty", strings.Join(missing, " "))
	}
	if err := errors.Join(errs...); err != nil {
		return SegmentMap{}, err
	}
	m.def = def
	m.def = m.Def() // a deep copy, so the caller's slices cannot change the map
	return m, nil
}

// rfmCellName writes a cell index as digits.
func rfmCellName(idx, dims int) string {
	r, f, m := idx/25+1, idx/5%5+1, idx%5+1
	if dims == 2 {
		return fmt.Sprintf("%d%d", r, f)
	}
	return fmt.Sprintf("%d%d%d", r, f, m)
}

// rfmMustMap builds a published map; its definitions are tested.
func rfmMustMap(def SegmentMapDef) SegmentMap {
	m, err := NewSegmentMap(def)
	if err != nil {
		panic(err)
	}
	return m
}

func rfmBox(name string, r, f, m *[2]int) SegmentDef {
	return SegmentDef{Name: name, R: r, F: f, M: m}
}

func rfmR(lo, hi int) *[2]int { return &[2]int{lo, hi} }

// SegmentsRFGrid is the widely copied 10-segment R x F grid (M ignored), scale 5:
//
//	Hibernating         R 1-2  F 1-2
//	At Risk             R 1-2  F 3-4
//	Can't Lose Them     R 1-2  F 5
//	About To Sleep      R 3    F 1-2
//	Need Attention      R 3    F 3
//	Loyal Customers     R 3-4  F 4-5
//	Promising           R 4    F 1
//	New Customers       R 5    F 1
//	Potential Loyalists R 4-5  F 2-3
//	Champions           R 5    F 4-5
var SegmentsRFGrid = rfmMustMap(SegmentMapDef{
	Name: "rf-grid-10", Scale: 5, Dimensions: "RF",
	Segments: []SegmentDef{
		rfmBox("Hibernating", rfmR(1, 2), rfmR(1, 2), nil),
		rfmBox("At Risk", rfmR(1, 2), rfmR(3, 4), nil),
		rfmBox("Can't Lose Them", rfmR(1, 2), rfmR(5, 5), nil),
		rfmBox("About To Sleep", rfmR(3, 3), rfmR(1, 2), nil),
		rfmBox("Need Attention", rfmR(3, 3), rfmR(3, 3), nil),
		rfmBox("Loyal Customers", rfmR(3, 4), rfmR(4, 5), nil),
		rfmBox("Promising", rfmR(4, 4), rfmR(1, 1), nil),
		rfmBox("New Customers", rfmR(5, 5), rfmR(1, 1), nil),
		rfmBox("Potential Loyalists", rfmR(4, 5), rfmR(2, 3), nil),
		rfmBox("Champions", rfmR(5, 5), rfmR(4, 5), nil),
	},
})

// rfmTable returns the 11-segment, 125-cell R x F x M table; neal moves 231, 241 and 251
// from About To Sleep to Hibernating.
func rfmTable(name string, neal bool) SegmentMapDef {
	sleep := "331 321 312 221 213 231 241 251"
	hib := "332 322 233 232 223 222 132 123 122 212 211"
	if neal {
		sleep = "331 321 312 221 213"
		hib += " 231 241 251"
	}
	seg := func(name, cells string) SegmentDef {
		return SegmentDef{Name: name, Cells: strings.Fields(cells)}
	}
	return SegmentMapDef{
		Name: name, Scale: 5, Dimensions: "RFM",
		Segments: []SegmentDef{
			seg("Champions", "555 554 544 545 454 455 445"),
			seg("Loyal", "543 444 435 355 354 345 344 335"),
			seg("Potential Loyalist", "553 551 552 541 542 533 532 531 452 451 442 441 431 453 433 432 423 353 352 351 342 341 333 323"),
			seg("New Customers", "512 511 422 421 412 411 311"),
			seg("Promising", "525 524 523 522 521 515 514 513 425 424 413 414 415 315 314 313"),
			seg("Need Attention", "535 534 443 434 343 334 325 324"),
			seg("About To Sleep", sleep),
			seg("At Risk", "255 254 245 244 253 252 243 242 235 234 225 224 153 152 145 143 142 135 134 133 125 124"),
			seg("Cannot Lose Them", "155 154 144 214 215 115 114 113"),
			seg("Hibernating", hib),
			seg("Lost", "111 112 121 131 141 151"),
		},
	}
}

// SegmentsRFMTable is the 11-segment table over all 125 R x F x M cells (scale 5), as
// published by RFM tools' help centres (Squeezely, Maestra) and open-source notebooks
// citing Bloomreach: 231, 241 and 251 are About To Sleep. See [SegmentsRFMTableNeal].
var SegmentsRFMTable = rfmMustMap(rfmTable("rfm-table-11", false))

// SegmentsRFMTableNeal is the Neal Analytics variant of [SegmentsRFMTable]: cells 231, 241
// and 251 are Hibernating instead of About To Sleep; every other cell agrees.
var SegmentsRFMTableNeal = rfmMustMap(rfmTable("rfm-table-11-neal", true))

// SegmentsRFMPackage is the example of the R package rfm, version 0.3.0: boxes on R, F
// and M (scale 5) applied in order, first match wins, "Others" when none matches. It
// shows the mechanism; older versions of the package used other boxes.
var SegmentsRFMPackage = rfmMustMap(SegmentMapDef{
	Name: "rfm-package-0.3.0", Scale: 5, Dimensions: "RFM", FirstMatch: true, Other: "Others",
	Segments: []SegmentDef{
		rfmBox("Champions", rfmR(5, 5), rfmR(5, 5), rfmR(5, 5)),
		rfmBox("Potential Loyalist", rfmR(3, 5), rfmR(3, 5), rfmR(2, 5)),
		rfmBox("Loyal Customers", rfmR(2, 4), rfmR(2, 4), rfmR(2, 4)),
		rfmBox("Promising", rfmR(3, 4), rfmR(1, 3), rfmR(3, 5)),
		rfmBox("New Customers", rfmR(4, 5), rfmR(1, 3), rfmR(1, 5)),
		rfmBox("Can't Lose Them", rfmR(1, 2), rfmR(3, 4), rfmR(4, 5)),
		rfmBox("At Risk", rfmR(1, 2), rfmR(2, 5), rfmR(4, 5)),
		rfmBox("Need Attention", rfmR(1, 3), rfmR(3, 5), rfmR(3, 5)),
		rfmBox("About To Sleep", rfmR(2, 3), rfmR(1, 3), rfmR(1, 4)),
		rfmBox("Lost", rfmR(1, 1), rfmR(1, 5), rfmR(1, 5)),
	},
})

// SegmentsPyMCQuartiles is pymc-marketing's quartile map: R, F and M quartiles 1-4
// (score with Bins: 4), cells not listed are "Other".
var SegmentsPyMCQuartiles = rfmMustMap(SegmentMapDef{
	Name: "pymc-marketing-quartiles", Scale: 4, Dimensions: "RFM", Other: "Other",
	Segments: []SegmentDef{
		{Name: "Premium Customer", Cells: strings.Fields("334 443 444 344 434 433 343 333")},
		{Name: "Repeat Customer", Cells: strings.Fields("244 234 232 332 143 233 243")},
		{Name: "Top Spender", Cells: strings.Fields("424 414 144 314 324 124 224 423 413 133 323 313 134")},
		{Name: "At Risk Customer", Cells: strings.Fields("422 223 212 122 222 132 322 312 412 123 214")},
		{Name: "Inactive Customer", Cells: strings.Fields("411 111 113 114 112 211 311")},
	},
})
