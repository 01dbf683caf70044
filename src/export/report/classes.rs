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
//! Colours: ColorBrewer's sequential *YlOrRd* scheme (Cynthia Brewer, colorbrewer2.org,
//! flagged there as colour-blind safe), 3 to 7 classes as published; 1 class uses the middle
//! colour of the 3-class scheme and 2 classes its ends. Light is good: the scheme runs
//! yellow → red when lower is better (travel times) and is reversed when higher is better
//! (APL, accessibility scores). Units without a value are grey ([`NO_DATA`]).

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

/// How a map's values are cut into classes.
#[derive(Clone, Debug, PartialEq)]
pub enum Breaks {
    /// This many classes (2 to [`MAX_CLASSES`]) of roughly equal unit counts.
    Quantile(usize),
    /// These cut points, finite and strictly increasing, at most `MAX_CLASSES - 1` of them,
    /// in the unit of the values.
    Fixed(Vec<f64>),
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
                })
            }
        }
    }

    /// Number of classes (0 for quantile classes of a map without any value).
    pub fn count(&self) -> usize {
        self.count
    }

    /// Cut points, in the unit of the values.
    pub fn cuts(&self) -> &[f64] {
        &self.cuts
    }

    /// Class of value `v` (0-based): the number of cut points strictly below it.
    pub fn class_of(&self, v: f64) -> usize {
        self.cuts.partition_point(|c| *c < v)
    }

    /// Legend text of each class, bounds written with `decimals` decimals: `≤ 5`, `5 – 10`,
    /// `> 45` for fixed breaks, `min – c₀` … `cₙ₋₁ – max` for quantiles (a single value when
    /// both bounds are equal).
    pub fn labels(&self, decimals: usize) -> Vec<String> {
        let f = |x: f64| Format::Fixed(decimals).write(x);
        let n = self.cuts.len();
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

    /// Fill colour of each class (CSS hex), light for the better values.
    pub fn colours(&self, polarity: Polarity) -> Vec<&'static str> {
        if self.count == 0 {
            return vec![];
        }
        let mut c = YL_OR_RD[self.count - 1].to_vec();
        if polarity == Polarity::HigherIsBetter {
            c.reverse();
        }
        c
    }
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
}
