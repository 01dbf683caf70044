//! Class breaks for choropleth maps and their colours.
//!
//! Classes include their upper bound: with cut points `c₀ < c₁ < … < cₙ₋₁`, class 0 holds
//! the values `≤ c₀`, class `k` the values in `(cₖ₋₁, cₖ]` and class `n` the values `> cₙ₋₁`
//! — so with a 5-minute cut, "within 5 minutes" (≤ 5, the convention of
//! [`crate::aggregate::Thresholds`]) is one class.
//!
//! - [`Breaks::Fixed`] takes the cut points as given (e.g. 5, 10, 15, 20, 30, 45 minutes):
//!   the same classes on every map, whatever the data.
//! - [`Breaks::Quantile`] puts roughly the same number of units in each class: cut `k` of
//!   `q` classes is the empirical quantile of order `k/q` of the units' values (type 1 of
//!   Hyndman & Fan, "Sample quantiles in statistical packages", *The American Statistician*
//!   50(4), 1996: the smallest value whose empirical distribution function reaches `k/q`).
//!   Tied cuts are merged and a cut equal to the largest value (an empty top class) is
//!   dropped, so ties give fewer classes, never empty ones. Units without a value take no
//!   part.
//!
//! - [`Breaks::Diverging`] (for differences, e.g. scenario − baseline) centres the classes
//!   on 0: a neutral class `|v| ≤ ε` and, on each side, classes of the magnitude `|v|` cut
//!   at `ε < t₁ < … < tₖ₋₁`, each including its upper magnitude bound (so −5 and 5 fall in
//!   mirrored classes). The `tᵢ` are `i·M/k` for `M` the largest `|v|` rounded up to 1, 2,
//!   2.5 or 5 × 10ⁿ ("nice" numbers, so the legend reads well); cuts not above `ε` are
//!   dropped. [`Breaks::DivergingFixed`] gives `ε` and the `tᵢ`.
//! - [`Breaks::Shared`] reuses classes already drawn, e.g. by [`Classes::pooled`] from the
//!   values of a before and an after map together, so that both maps have the same classes
//!   and can be compared.
//!
//! Colours: ColorBrewer's sequential *YlOrRd* scheme (Cynthia Brewer, colorbrewer2.org,
//! flagged there as colour-blind safe), 3 to 7 classes as published; 1 class uses the middle
//! colour of the 3-class scheme and 2 classes its ends. Light is good: the scheme runs
//! yellow → red when lower is better (travel times) and is reversed when higher is better
//! (APL, accessibility scores). Units without a value are grey ([`NO_DATA`]). Diverging
//! classes use ColorBrewer's *RdBu* (colour-blind safe), white in the middle: blue for an
//! improvement (a rise when higher is better, a fall when lower is better), red for a
//! deterioration. Categorical maps of classes (zonage) take a fixed colour per class:
//! [`zonage_2017_colour`] for the 2017 rule, [`ordered_palette`] for classes ranked from the
//! most under-served (YlOrRd, darkest first, then light grey for the rest).

use crate::aggregate::Polarity;
use crate::export::columns::Format;

/// Largest number of classes a map may have (the longest published YlOrRd scheme).
pub const MAX_CLASSES: usize = 7;

/// Fill colour of units without a value (CSS hex).
pub const NO_DATA: &str = "#bdbdbd";

/// ColorBrewer YlOrRd, index `n - 1` for `n` classes, light to dark.
const YL_OR_RD: [&[&str]; MAX_CLASSES] = [
    &["#feb24c"],
    &["#ffeda0", "#f03b20"],
    &["#ffeda0", "#feb24c", "#f03b20"],
    &["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"],
    &["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
    &[
        "#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026",
    ],
    &[
        "#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026",
    ],
];

/// Largest number of classes on each side of 0 of a diverging map.
pub const MAX_SIDE_CLASSES: usize = 4;

/// ColorBrewer RdBu, index `k - 1` for `k` classes on each side (`2k + 1` colours), red to
/// blue, white in the middle.
const RD_BU: [&[&str]; MAX_SIDE_CLASSES] = [
    &["#ef8a62", "#f7f7f7", "#67a9cf"],
    &["#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0"],
    &[
        "#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac",
    ],
    &[
        "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3",
        "#2166ac",
    ],
];

/// Fill colour of the rest class of ranked classes (units outside every quota class).
pub const REST: &str = "#f0f0f0";

/// Colour of each 2017 zonage class (labels of
/// [`crate::indicators::zonage::Class2017::label`]): ZIP A dark red, ZIP B and ZAC orange
/// tones, vigilance yellow, outside-eligible pale orange, outside light grey; `None` for
/// any other label.
pub fn zonage_2017_colour(label: &str) -> Option<&'static str> {
    Some(match label {
        "zip-a" => "#a50f15",
        "zip-b" => "#e6550d",
        "zac" => "#fd8d3c",
        "vigilance" => "#fed976",
        "outside-eligible" => "#fdebcf",
        "outside" => REST,
        _ => return None,
    })
}

/// Colours of `n` classes ranked from the most under-served, darkest first (YlOrRd
/// reversed), followed by [`REST`] for the rest class: `n + 1` colours.
pub fn ordered_palette(n: usize) -> Result<Vec<&'static str>, ClassError> {
    if n > MAX_CLASSES {
        return Err(ClassError::Breaks(format!(
            "{n} classes to colour, at most {MAX_CLASSES}"
        )));
    }
    let mut c: Vec<&'static str> = match n {
        0 => vec![],
        _ => YL_OR_RD[n - 1].iter().rev().copied().collect(),
    };
    c.push(REST);
    Ok(c)
}

/// How a map's values are cut into classes.
#[derive(Clone, Debug, PartialEq)]
pub enum Breaks {
    /// This many classes (2 to [`MAX_CLASSES`]) of roughly equal unit counts.
    Quantile(usize),
    /// These cut points, finite and strictly increasing, at most `MAX_CLASSES - 1` of them,
    /// in the unit of the values.
    Fixed(Vec<f64>),
    /// Centred on 0: a neutral class `|v| ≤ epsilon` and up to `per_side` (1 to
    /// [`MAX_SIDE_CLASSES`]) classes on each side cut at nice multiples of the largest `|v|`.
    Diverging {
        /// Classes on each side of the neutral class.
        per_side: usize,
        /// Half-width of the neutral class, > 0, in the unit of the values.
        epsilon: f64,
    },
    /// Centred on 0 with given magnitude cuts: neutral `|v| ≤ epsilon`, then classes of
    /// `|v|` cut at `cuts` (finite, strictly increasing, above `epsilon`, at most
    /// `MAX_SIDE_CLASSES - 1`), open beyond the last.
    DivergingFixed {
        /// Half-width of the neutral class, > 0.
        epsilon: f64,
        /// Magnitude cuts.
        cuts: Vec<f64>,
    },
    /// Classes already drawn (e.g. [`Classes::pooled`] over several maps), used as is.
    Shared(Classes),
}

/// Why breaks cannot be used.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ClassError {
    /// The breaks asked for are not usable.
    #[error("invalid class breaks: {0}")]
    Breaks(String),
}

/// The classes of one map: cut points and, for quantile classes, the data's range.
#[derive(Clone, Debug, PartialEq)]
pub struct Classes {
    /// Cut points, strictly increasing, in the unit of the values.
    cuts: Vec<f64>,
    /// Smallest and largest value when the classes were drawn from the data (quantiles),
    /// used as the outer bounds of the legend; `None` for fixed breaks (open ends).
    range: Option<(f64, f64)>,
    /// Number of classes.
    count: usize,
    /// Whether the classes are centred on 0 (diverging); the cuts are then symmetric
    /// `−tₖ₋₁ … −t₁, −ε, ε, t₁ … tₖ₋₁` and a negative value's class includes its lower bound.
    diverging: bool,
}

impl Classes {
    /// The classes of `values` (one per unit, `None` when the unit has none) under `breaks`.
    /// Values must be finite.
    pub fn new(breaks: &Breaks, values: &[Option<f64>]) -> Result<Classes, ClassError> {
        match breaks {
            Breaks::Fixed(cuts) => {
                if cuts.is_empty() || cuts.len() >= MAX_CLASSES {
                    return Err(ClassError::Breaks(format!(
                        "{} fixed cut points given, expected 1 to {}",
                        cuts.len(),
                        MAX_CLASSES - 1
                    )));
                }
                if cuts.iter().any(|c| !c.is_finite()) || cuts.windows(2).any(|w| w[0] >= w[1]) {
                    return Err(ClassError::Breaks(format!(
                        "fixed cut points {cuts:?} are not finite and strictly increasing"
                    )));
                }
                Ok(Classes {
                    cuts: cuts.clone(),
                    range: None,
                    count: cuts.len() + 1,
                    diverging: false,
                })
            }
            Breaks::Quantile(q) => {
                if !(2..=MAX_CLASSES).contains(q) {
                    return Err(ClassError::Breaks(format!(
                        "{q} quantile classes asked, expected 2 to {MAX_CLASSES}"
                    )));
                }
                let mut x: Vec<f64> = values.iter().flatten().copied().collect();
                if x.iter().any(|v| !v.is_finite()) {
                    return Err(ClassError::Breaks("a value is not finite".into()));
                }
                if x.is_empty() {
                    return Ok(Classes {
                        cuts: vec![],
                        range: None,
                        count: 0,
                        diverging: false,
                    });
                }
                x.sort_by(f64::total_cmp);
                let n = x.len();
                let (lo, hi) = (x[0], x[n - 1]);
                let mut cuts: Vec<f64> = (1..*q).map(|k| x[(k * n).div_ceil(*q) - 1]).collect();
                cuts.dedup();
                cuts.retain(|c| *c < hi);
                Ok(Classes {
                    count: cuts.len() + 1,
                    cuts,
                    range: Some((lo, hi)),
                    diverging: false,
                })
            }
            Breaks::Diverging { per_side, epsilon } => {
                if !(1..=MAX_SIDE_CLASSES).contains(per_side) {
                    return Err(ClassError::Breaks(format!(
                        "{per_side} diverging classes a side asked, expected 1 to {MAX_SIDE_CLASSES}"
                    )));
                }
                if values.iter().flatten().any(|v| !v.is_finite()) {
                    return Err(ClassError::Breaks("a value is not finite".into()));
                }
                let largest = values.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
                let top = nice_ceil(largest);
                let k = *per_side as f64;
                let cuts: Vec<f64> = (1..*per_side)
                    .map(|i| top * i as f64 / k)
                    .filter(|t| *t > *epsilon)
                    .collect();
                Classes::centred(*epsilon, &cuts)
            }
            Breaks::DivergingFixed { epsilon, cuts } => {
                if cuts.len() >= MAX_SIDE_CLASSES {
                    return Err(ClassError::Breaks(format!(
                        "{} diverging cut points given, expected at most {}",
                        cuts.len(),
                        MAX_SIDE_CLASSES - 1
                    )));
                }
                Classes::centred(*epsilon, cuts)
            }
            Breaks::Shared(c) => Ok(c.clone()),
        }
    }

    /// The classes of all the value sets `sets` together under `breaks` (quantiles of the
    /// pooled values, the largest magnitude of all for diverging breaks): the classes to
    /// draw several maps with, via [`Breaks::Shared`], so that they compare.
    pub fn pooled(breaks: &Breaks, sets: &[&[Option<f64>]]) -> Result<Classes, ClassError> {
        let all: Vec<Option<f64>> = sets.iter().flat_map(|s| s.iter().copied()).collect();
        Classes::new(breaks, &all)
    }

    /// Diverging classes: neutral `|v| ≤ epsilon`, magnitude cuts `cuts`.
    fn centred(epsilon: f64, cuts: &[f64]) -> Result<Classes, ClassError> {
        if !(epsilon.is_finite() && epsilon > 0.0) {
            return Err(ClassError::Breaks(format!(
                "neutral half-width {epsilon} must be a finite number > 0"
            )));
        }
        let mut side = vec![epsilon];
        side.extend_from_slice(cuts);
        if side.iter().any(|c| !c.is_finite()) || side.windows(2).any(|w| w[0] >= w[1]) {
            return Err(ClassError::Breaks(format!(
                "diverging cut points {side:?} (neutral half-width first) are not finite and strictly increasing"
            )));
        }
        let mut all: Vec<f64> = side.iter().rev().map(|c| -c).collect();
        all.extend_from_slice(&side);
        Ok(Classes {
            count: all.len() + 1,
            cuts: all,
            range: None,
            diverging: true,
        })
    }

    /// Whether the classes are centred on 0 (diverging breaks).
    pub fn is_diverging(&self) -> bool {
        self.diverging
    }

    /// Number of classes (0 for quantile classes of a map without any value).
    pub fn count(&self) -> usize {
        self.count
    }

    /// Cut points, in the unit of the values.
    pub fn cuts(&self) -> &[f64] {
        &self.cuts
    }

    /// Class of value `v` (0-based): the number of cut points strictly below it; for a
    /// negative value of diverging classes, the number at or below it (so that a class
    /// holds the same magnitudes on both sides of 0).
    pub fn class_of(&self, v: f64) -> usize {
        if self.diverging && v < 0.0 {
            self.cuts.partition_point(|c| *c <= v)
        } else {
            self.cuts.partition_point(|c| *c < v)
        }
    }

    /// Legend text of each class, bounds written with `decimals` decimals: `≤ 5`, `5 – 10`,
    /// `> 45` for fixed breaks, `min – c₀` … `cₙ₋₁ – max` for quantiles (a single value when
    /// both bounds are equal).
    /// Diverging classes read `< −t`, `−t – −ε`, `±ε`, `ε – t`, `> t` (`ε` in its shortest
    /// form).
    /// Decimals are raised above `decimals` (up to [`MAX_DECIMALS`]) when two distinct
    /// bounds would otherwise read the same: a legend never shows `0.001 – 0.001`.
    pub fn labels(&self, decimals: usize) -> Vec<String> {
        let decimals = self.distinct_decimals(decimals);
        let f = |x: f64| Format::Fixed(decimals).write(x);
        let n = self.cuts.len();
        if self.diverging {
            let mid = n / 2;
            return (0..self.count)
                .map(|k| match k {
                    0 => format!("< {}", f(self.cuts[0])),
                    // Written in full: it is usually half a unit of the last decimal shown.
                    k if k == mid => format!("±{}", Format::Shortest.write(self.cuts[mid])),
                    k if k == n => format!("> {}", f(self.cuts[n - 1])),
                    k => format!("{} – {}", f(self.cuts[k - 1]), f(self.cuts[k])),
                })
                .collect();
        }
        (0..self.count)
            .map(|k| {
                let lower = if k == 0 {
                    self.range.map(|r| r.0)
                } else {
                    Some(self.cuts[k - 1])
                };
                let upper = if k == n {
                    self.range.map(|r| r.1)
                } else {
                    Some(self.cuts[k])
                };
                match (lower, upper) {
                    (Some(a), Some(b)) if a == b => f(a),
                    (Some(a), Some(b)) => format!("{} – {}", f(a), f(b)),
                    (None, Some(b)) => format!("≤ {}", f(b)),
                    (Some(a), None) => format!("> {}", f(a)),
                    (None, None) => String::new(),
                }
            })
            .collect()
    }

    /// The fewest decimals, at least `decimals` and at most [`MAX_DECIMALS`], with which the
    /// distinct bounds of the legend (cuts and data range) are written differently.
    pub fn distinct_decimals(&self, decimals: usize) -> usize {
        let mut bounds: Vec<f64> = self.cuts.clone();
        if let Some((lo, hi)) = self.range {
            bounds.push(lo);
            bounds.push(hi);
        }
        bounds.sort_by(f64::total_cmp);
        bounds.dedup();
        (decimals..MAX_DECIMALS)
            .find(|d| {
                let texts: Vec<String> =
                    bounds.iter().map(|b| Format::Fixed(*d).write(*b)).collect();
                texts.windows(2).all(|w| w[0] != w[1])
            })
            .unwrap_or(MAX_DECIMALS.max(decimals))
    }

    /// Fill colour of each class (CSS hex), light for the better values.
    /// Diverging classes: white in the middle, blue for an improvement and red for a
    /// deterioration (a rise is an improvement when higher is better).
    pub fn colours(&self, polarity: Polarity) -> Vec<&'static str> {
        if self.count == 0 {
            return vec![];
        }
        let mut c = if self.diverging {
            RD_BU[self.count / 2 - 1].to_vec()
        } else {
            YL_OR_RD[self.count - 1].to_vec()
        };
        // YlOrRd runs light → dark and RdBu red → blue, both from low to high values.
        let reversed = if self.diverging {
            polarity == Polarity::LowerIsBetter
        } else {
            polarity == Polarity::HigherIsBetter
        };
        if reversed {
            c.reverse();
        }
        c
    }
}

/// Most decimals a legend bound is written with.
pub const MAX_DECIMALS: usize = 8;

/// Ladders of minute cut points, finest first: 1–10 min for a dense town, up to 90 min
/// for a rural département.
const MINUTE_LADDERS: [[f64; 6]; 4] = [
    [1.0, 2.0, 3.0, 5.0, 7.0, 10.0],
    [2.0, 4.0, 6.0, 8.0, 10.0, 15.0],
    [5.0, 10.0, 15.0, 20.0, 30.0, 45.0],
    [10.0, 20.0, 30.0, 45.0, 60.0, 90.0],
];

/// Fixed minute cut points fitted to the spread of `values` (minutes): the finest ladder of
/// [`MINUTE_LADDERS`] whose last cut reaches the 90th percentile of the values, so that a
/// dense suburb where everyone lives within 8 minutes gets 1, 2, 3, 5, 7, 10 minute classes
/// rather than one colour, and a rural area gets 10 to 90 minutes. Every map of the same
/// ladder compares; values beyond the last cut share the top class.
pub fn minute_cuts(values: &[Option<f64>]) -> Vec<f64> {
    let mut x: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    x.sort_by(f64::total_cmp);
    let p90 = match x.len() {
        0 => 0.0,
        n => x[(9 * n).div_ceil(10).max(1) - 1],
    };
    MINUTE_LADDERS
        .iter()
        .find(|l| l[5] >= p90)
        .unwrap_or(&MINUTE_LADDERS[3])
        .to_vec()
}

/// The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `x` (> 0); 1 for `x` ≤ 0.
fn nice_ceil(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|v| *v >= x)
        .unwrap_or(10.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|x| Some(*x)).collect()
    }

    #[test]
    fn quantiles_of_one_to_ten_in_five_classes() {
        let mut v = some(&[7.0, 1.0, 10.0, 3.0, 5.0, 2.0, 9.0, 4.0, 6.0, 8.0]);
        v.push(None);
        let c = Classes::new(&Breaks::Quantile(5), &v).unwrap();
        assert_eq!(c.cuts(), &[2.0, 4.0, 6.0, 8.0]);
        assert_eq!(c.count(), 5);
        let per_class: Vec<usize> = (0..5)
            .map(|k| v.iter().flatten().filter(|x| c.class_of(**x) == k).count())
            .collect();
        assert_eq!(per_class, vec![2; 5]);
        assert_eq!(
            c.labels(0),
            vec!["1 – 2", "2 – 4", "4 – 6", "6 – 8", "8 – 10"]
        );
    }

    #[test]
    fn close_quantile_bounds_get_the_decimals_that_tell_them_apart() {
        let v = some(&[0.00091, 0.00093, 0.00095, 0.00097, 0.00099, 0.00101]);
        let c = Classes::new(&Breaks::Quantile(3), &v).unwrap();
        let labels = c.labels(3);
        assert_eq!(
            labels,
            vec![
                "0.00091 – 0.00093",
                "0.00093 – 0.00097",
                "0.00097 – 0.00101"
            ]
        );
        for l in &labels {
            assert!(!l.contains('e'), "{l}");
        }
        // Already distinct: the decimals asked are kept.
        let c = Classes::new(&Breaks::Fixed(vec![5.0, 10.0]), &[]).unwrap();
        assert_eq!(c.labels(0), vec!["≤ 5", "5 – 10", "> 10"]);
    }

    #[test]
    fn minute_cuts_follow_the_spread() {
        let dense = some(&[1.0, 2.5, 3.0, 4.0, 6.0, 7.5, 8.0, 9.0, 9.5, 30.0]);
        assert_eq!(minute_cuts(&dense), vec![1.0, 2.0, 3.0, 5.0, 7.0, 10.0]);
        let town = some(&[3.0, 6.0, 9.0, 12.0, 14.0]);
        assert_eq!(minute_cuts(&town), vec![2.0, 4.0, 6.0, 8.0, 10.0, 15.0]);
        let rural = some(&[10.0, 20.0, 40.0]);
        assert_eq!(minute_cuts(&rural), vec![5.0, 10.0, 15.0, 20.0, 30.0, 45.0]);
        let remote = some(&[50.0, 80.0, 200.0]);
        assert_eq!(
            minute_cuts(&remote),
            vec![10.0, 20.0, 30.0, 45.0, 60.0, 90.0]
        );
        assert_eq!(minute_cuts(&[None]), vec![1.0, 2.0, 3.0, 5.0, 7.0, 10.0]);
    }

    #[test]
    fn quantile_ties_merge_classes() {
        let c = Classes::new(&Breaks::Quantile(4), &some(&[1.0, 1.0, 1.0, 5.0])).unwrap();
        assert_eq!(c.cuts(), &[1.0]);
        assert_eq!(c.count(), 2);
        let c = Classes::new(&Breaks::Quantile(3), &some(&[2.5, 2.5])).unwrap();
        assert_eq!(c.count(), 1);
        assert_eq!(c.labels(1), vec!["2.5"]);
        assert_eq!(c.colours(Polarity::LowerIsBetter), vec!["#feb24c"]);
    }

    #[test]
    fn fixed_breaks_values_on_bounds_go_to_the_lower_class() {
        let c = Classes::new(&Breaks::Fixed(vec![5.0, 10.0, 15.0, 20.0, 30.0, 45.0]), &[]).unwrap();
        assert_eq!(c.count(), 7);
        assert_eq!(c.class_of(0.0), 0);
        assert_eq!(c.class_of(5.0), 0);
        assert_eq!(c.class_of(5.0001), 1);
        assert_eq!(c.class_of(10.0), 1);
        assert_eq!(c.class_of(45.0), 5);
        assert_eq!(c.class_of(45.5), 6);
        assert_eq!(c.class_of(-3.0), 0);
        assert_eq!(
            c.labels(0),
            vec![
                "≤ 5",
                "5 – 10",
                "10 – 15",
                "15 – 20",
                "20 – 30",
                "30 – 45",
                "> 45"
            ]
        );
    }

    #[test]
    fn all_none_gives_no_quantile_class_but_keeps_fixed_ones() {
        let v = vec![None, None, None];
        let q = Classes::new(&Breaks::Quantile(5), &v).unwrap();
        assert_eq!(q.count(), 0);
        assert!(q.labels(1).is_empty());
        assert!(q.colours(Polarity::LowerIsBetter).is_empty());
        let f = Classes::new(&Breaks::Fixed(vec![2.5, 4.0]), &v).unwrap();
        assert_eq!(f.count(), 3);
        assert_eq!(f.labels(1), vec!["≤ 2.5", "2.5 – 4.0", "> 4.0"]);
    }

    #[test]
    fn bad_breaks_are_refused() {
        for b in [
            Breaks::Quantile(1),
            Breaks::Quantile(8),
            Breaks::Fixed(vec![]),
            Breaks::Fixed(vec![1.0, 1.0]),
            Breaks::Fixed(vec![f64::NAN]),
            Breaks::Fixed((1..=7).map(f64::from).collect()),
        ] {
            assert!(Classes::new(&b, &[Some(1.0)]).is_err(), "{b:?}");
        }
        assert!(Classes::new(&Breaks::Quantile(3), &[Some(f64::INFINITY)]).is_err());
    }

    #[test]
    fn palette_is_reversed_when_higher_is_better() {
        let c = Classes::new(&Breaks::Fixed(vec![1.0, 2.0, 3.0, 4.0]), &[]).unwrap();
        let low = c.colours(Polarity::LowerIsBetter);
        assert_eq!(low.first(), Some(&"#ffffb2"));
        assert_eq!(low.last(), Some(&"#bd0026"));
        let high = c.colours(Polarity::HigherIsBetter);
        assert_eq!(high.first(), Some(&"#bd0026"));
        assert_eq!(high.last(), Some(&"#ffffb2"));
    }

    #[test]
    fn nice_numbers_round_up() {
        let got: Vec<f64> = [0.9, 3.2, 2.1, 2.0, 12.0, 0.0, 0.004]
            .iter()
            .map(|x| nice_ceil(*x))
            .collect();
        assert_eq!(got, vec![1.0, 5.0, 2.5, 2.0, 20.0, 1.0, 0.005]);
    }

    #[test]
    fn diverging_classes_by_hand() {
        // Largest |v| 0.9 → nice 1.0; 2 classes a side: cut at 0.5; neutral ±0.05.
        // Cuts −0.5, −0.05, 0.05, 0.5. Magnitudes 0.5 and 0.3 fall in the inner classes on
        // both sides, 0.9 in the outer ones; 0 and 0.05 (the bound) are no change.
        let v = some(&[-0.9, -0.5, -0.3, 0.0, 0.05, -0.05, 0.3, 0.5, 0.9]);
        let c = Classes::new(
            &Breaks::Diverging {
                per_side: 2,
                epsilon: 0.05,
            },
            &v,
        )
        .unwrap();
        assert!(c.is_diverging());
        assert_eq!(c.cuts(), &[-0.5, -0.05, 0.05, 0.5]);
        let got: Vec<usize> = v.iter().flatten().map(|x| c.class_of(*x)).collect();
        assert_eq!(got, vec![0, 1, 1, 2, 2, 2, 3, 3, 4]);
        assert_eq!(
            c.labels(2),
            vec!["< -0.50", "-0.50 – -0.05", "±0.05", "0.05 – 0.50", "> 0.50"]
        );
        // Higher is better: a rise is an improvement, blue; a fall red; white in between.
        assert_eq!(
            c.colours(Polarity::HigherIsBetter),
            vec!["#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0"]
        );
        // Lower is better (minutes): a rise is a deterioration, red.
        assert_eq!(
            c.colours(Polarity::LowerIsBetter),
            vec!["#0571b0", "#92c5de", "#f7f7f7", "#f4a582", "#ca0020"]
        );
    }

    #[test]
    fn diverging_cuts_below_the_neutral_width_are_dropped() {
        // Largest |v| 0.02 → 0.025; 3 a side would cut at 0.0083 and 0.0167, both ≤ 0.05.
        let c = Classes::new(
            &Breaks::Diverging {
                per_side: 3,
                epsilon: 0.05,
            },
            &some(&[0.02, -0.01]),
        )
        .unwrap();
        assert_eq!(c.cuts(), &[-0.05, 0.05]);
        assert_eq!(c.count(), 3);
        assert_eq!(c.labels(2), vec!["< -0.05", "±0.05", "> 0.05"]);
        assert_eq!(c.class_of(0.02), 1);
        // All values absent: the neutral class and one on each side remain.
        let none = Classes::new(
            &Breaks::Diverging {
                per_side: 2,
                epsilon: 1.0,
            },
            &[None],
        )
        .unwrap();
        assert_eq!(none.count(), 3);
    }

    #[test]
    fn fixed_diverging_breaks_and_their_errors() {
        let c = Classes::new(
            &Breaks::DivergingFixed {
                epsilon: 0.1,
                cuts: vec![1.0, 2.0],
            },
            &[],
        )
        .unwrap();
        assert_eq!(c.cuts(), &[-2.0, -1.0, -0.1, 0.1, 1.0, 2.0]);
        assert_eq!(c.class_of(-2.0), 1);
        assert_eq!(c.class_of(2.0), 5);
        assert_eq!(c.class_of(-2.5), 0);
        assert_eq!(c.colours(Polarity::HigherIsBetter).len(), 7);
        for b in [
            Breaks::DivergingFixed {
                epsilon: 0.0,
                cuts: vec![1.0],
            },
            Breaks::DivergingFixed {
                epsilon: 1.0,
                cuts: vec![0.5],
            },
            Breaks::DivergingFixed {
                epsilon: 0.1,
                cuts: vec![1.0, 2.0, 3.0, 4.0],
            },
            Breaks::Diverging {
                per_side: 0,
                epsilon: 0.1,
            },
            Breaks::Diverging {
                per_side: 5,
                epsilon: 0.1,
            },
        ] {
            assert!(Classes::new(&b, &[Some(1.0)]).is_err(), "{b:?}");
        }
    }

    #[test]
    fn pooled_classes_are_drawn_from_both_value_sets() {
        // Before 1, 2, 3 and after 4, 5, 6: terciles of 1…6 are 2 and 4, whereas the
        // before values alone would give 1 and 2.
        let (before, after) = (some(&[1.0, 2.0, 3.0]), some(&[4.0, 5.0, 6.0]));
        let c = Classes::pooled(&Breaks::Quantile(3), &[&before, &after]).unwrap();
        assert_eq!(c.cuts(), &[2.0, 4.0]);
        assert_eq!(c.labels(0), vec!["1 – 2", "2 – 4", "4 – 6"]);
        let alone = Classes::new(&Breaks::Quantile(3), &before).unwrap();
        assert_eq!(alone.cuts(), &[1.0, 2.0]);
        let shared = Classes::new(&Breaks::Shared(c.clone()), &before).unwrap();
        assert_eq!(shared, c);
        // Diverging: the largest magnitude of both sets.
        let d = Classes::pooled(
            &Breaks::Diverging {
                per_side: 2,
                epsilon: 0.1,
            },
            &[&some(&[0.3]), &some(&[-1.8])],
        )
        .unwrap();
        assert_eq!(d.cuts(), &[-1.0, -0.1, 0.1, 1.0]);
    }

    #[test]
    fn zonage_and_ranked_palettes() {
        assert_eq!(zonage_2017_colour("zip-a"), Some("#a50f15"));
        assert_eq!(zonage_2017_colour("outside"), Some(REST));
        assert_eq!(zonage_2017_colour("ZIP"), None);
        assert_eq!(
            ordered_palette(2).unwrap(),
            vec!["#f03b20", "#ffeda0", REST]
        );
        assert_eq!(ordered_palette(0).unwrap(), vec![REST]);
        assert!(ordered_palette(MAX_CLASSES + 1).is_err());
        let seven = ordered_palette(MAX_CLASSES).unwrap();
        assert_eq!(seven.first(), Some(&"#b10026"));
        assert!(!seven.contains(&NO_DATA));
    }
}
