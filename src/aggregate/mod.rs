//! Per-territory aggregation of per-origin access indicators (see `DOMAIN.md`,
//! *Indicators*, Aggregation): summaries per unit (population-weighted mean and median,
//! min, max, share of population beyond thresholds, population covered), each QPV beside
//! the rest of its commune(s), and inequality indices (Gini, concentration index against
//! income).
//!
//! The module does not know how an indicator was computed: its inputs are plain slices, one
//! entry per origin (population cell, IRIS, commune), held by an [`Indicator`] (value and
//! population weight per origin) and one [`Assignment`] per territorial layer (the units
//! containing each origin, as [`crate::inputs::territory::UnitIndex::assign_points`] returns them).
//!
//! - [`summary`]: one [`Summary`] per unit and one for the origins outside every unit.
//! - [`qpv_gap`]: each QPV against the rest of its commune(s); the QPV of each CPTS worst
//!   first.
//! - [`inequality`]: weighted Gini coefficient and concentration index.
//! - [`write`]: the summaries and the QPV gaps as CSV, byte-deterministic.
//! - [`supply_counts`]: sites, professionals, FTE, density and aged share per unit.
//! - [`external`]: outside indicators carried to other levels (rates with their
//!   denominators, population-weighted means).
//! - [`typology`]: units classified on two indicators and their thresholds.
//!
//! Determinism: every sum is computed exactly and rounded once ([`crate::support::exact_sum`], Shewchuk's
//! algorithm), so no result depends on the order of the origins or on the thread count;
//! medians and ranks sort the values first.

pub mod external;
pub mod inequality;
pub mod qpv_gap;
pub mod summary;
pub mod supply_counts;
pub mod typology;
pub mod write;

pub use inequality::{concentration_index, gini, Inequality};
pub use qpv_gap::{overlaps, qpv_gaps, worst_first, QpvGap, ShareGap};
pub use summary::{summarize, Share, Summaries, Summary, Thresholds};
pub use write::{write_qpv_gaps, write_summaries, write_summaries_csv};

/// Why an aggregation could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AggregateError {
    /// A per-origin (or per-unit) slice does not have the expected length.
    #[error("{what}: {len} entries, expected {expected}")]
    Length {
        /// Which input.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The length expected.
        expected: usize,
    },
    /// One origin's entry is unusable.
    #[error("{what}, origin {origin}: {reason}")]
    Origin {
        /// Which input.
        what: &'static str,
        /// 0-based index of the origin.
        origin: usize,
        /// Why.
        reason: String,
    },
    /// One unit's entry is unusable.
    #[error("{what}, unit {unit}: {reason}")]
    Unit {
        /// Which input.
        what: &'static str,
        /// 0-based index of the unit.
        unit: usize,
        /// Why.
        reason: String,
    },
    /// A threshold is unusable.
    #[error("threshold {index} ({value}): {reason}")]
    Threshold {
        /// 0-based position in the list given.
        index: usize,
        /// The threshold.
        value: f64,
        /// Why.
        reason: String,
    },
    /// The output could not be written.
    #[error("writing summaries: {reason}")]
    Write {
        /// The underlying message.
        reason: String,
    },
}

/// Which side of an indicator is the better one; it decides which side of a threshold the
/// summary shares count and which QPV come first in [`worst_first`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Polarity {
    /// Lower is better (travel times): shares count the population with value > threshold
    /// ("beyond"; within T minutes means ≤ T).
    LowerIsBetter,
    /// Higher is better (APL, 2SFCA scores): shares count the population with value ≤
    /// threshold ("at most", the zonage rule "APL ≤ 2.5").
    HigherIsBetter,
}

/// One per-origin indicator: a value per origin (`None` when the origin has none, e.g. no
/// care reachable) and a population weight per origin (inhabitants, ≥ 0). Validated once.
#[derive(Clone, Copy, Debug)]
pub struct Indicator<'a> {
    values: &'a [Option<f64>],
    weights: &'a [f64],
}

impl<'a> Indicator<'a> {
    /// Checks that both slices have one entry per origin, that every weight is finite and
    /// ≥ 0, that every value is finite and that weight × value is finite.
    pub fn new(
        values: &'a [Option<f64>],
        weights: &'a [f64],
    ) -> Result<Indicator<'a>, AggregateError> {
        if weights.len() != values.len() {
            return Err(AggregateError::Length {
                what: "weights",
                len: weights.len(),
                expected: values.len(),
            });
        }
        for (origin, (v, &w)) in values.iter().zip(weights).enumerate() {
            let bad = |reason: String| AggregateError::Origin {
                what: "indicator",
                origin,
                reason,
            };
            if !w.is_finite() || w < 0.0 {
                return Err(bad(format!("weight {w} is not a finite number ≥ 0")));
            }
            if let Some(v) = *v {
                if !v.is_finite() {
                    return Err(bad(format!(
                        "value {v} is not finite (an origin without value is None)"
                    )));
                }
                if !(w * v).is_finite() {
                    return Err(bad(format!("weight × value {w} × {v} overflows")));
                }
            }
        }
        Ok(Indicator { values, weights })
    }

    /// Value of every origin (`None`: no value).
    pub fn values(&self) -> &'a [Option<f64>] {
        self.values
    }

    /// Population weight of every origin (inhabitants).
    pub fn weights(&self) -> &'a [f64] {
        self.weights
    }

    /// Number of origins.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there is no origin.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The units of one layer containing each origin (origin → ascending unit indices, possibly
/// several in overlapping layers such as CPTS, possibly none). Validated once.
#[derive(Clone, Copy, Debug)]
pub struct Assignment<'a> {
    units_of: &'a [Vec<usize>],
    n_units: usize,
}

impl<'a> Assignment<'a> {
    /// Checks that every unit index is below `n_units` and appears once per origin.
    pub fn new(
        units_of: &'a [Vec<usize>],
        n_units: usize,
    ) -> Result<Assignment<'a>, AggregateError> {
        for (origin, units) in units_of.iter().enumerate() {
            for (k, &u) in units.iter().enumerate() {
                let bad = |reason: String| AggregateError::Origin {
                    what: "unit assignment",
                    origin,
                    reason,
                };
                if u >= n_units {
                    return Err(bad(format!("unit {u} out of range (layer of {n_units})")));
                }
                if units[..k].contains(&u) {
                    return Err(bad(format!("unit {u} listed twice")));
                }
            }
        }
        Ok(Assignment { units_of, n_units })
    }

    /// Units containing each origin.
    pub fn units_of(&self) -> &'a [Vec<usize>] {
        self.units_of
    }

    /// Number of units of the layer.
    pub fn n_units(&self) -> usize {
        self.n_units
    }

    /// Number of origins assigned.
    pub fn n_origins(&self) -> usize {
        self.units_of.len()
    }

    /// The origins of every unit (unit → ascending origin indices).
    pub fn members(&self) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); self.n_units];
        for (origin, units) in self.units_of.iter().enumerate() {
            for &u in units {
                out[u].push(origin);
            }
        }
        out
    }

    /// The origins in no unit, ascending.
    pub fn outside(&self) -> Vec<usize> {
        (0..self.units_of.len())
            .filter(|&o| self.units_of[o].is_empty())
            .collect()
    }

    /// Fails unless the assignment has one entry per origin of `indicator`.
    fn check_origins(&self, what: &'static str, origins: usize) -> Result<(), AggregateError> {
        if self.units_of.len() == origins {
            Ok(())
        } else {
            Err(AggregateError::Length {
                what,
                len: self.units_of.len(),
                expected: origins,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicator_rejects_bad_weights_and_values() {
        let v = [Some(1.0), None];
        assert!(Indicator::new(&v, &[1.0, 0.0]).is_ok());
        let e = Indicator::new(&v, &[1.0]).unwrap_err();
        assert!(matches!(
            e,
            AggregateError::Length {
                len: 1,
                expected: 2,
                ..
            }
        ));
        let e = Indicator::new(&v, &[1.0, -2.0]).unwrap_err();
        assert!(matches!(e, AggregateError::Origin { origin: 1, .. }), "{e}");
        let e = Indicator::new(&v, &[f64::NAN, 1.0]).unwrap_err();
        assert!(matches!(e, AggregateError::Origin { origin: 0, .. }));
        let inf = [Some(f64::INFINITY)];
        let e = Indicator::new(&inf, &[1.0]).unwrap_err();
        assert!(e.to_string().contains("not finite"), "{e}");
        let big = [Some(1e300)];
        assert!(Indicator::new(&big, &[1e300]).is_err());
    }

    #[test]
    fn assignment_checks_indices_and_inverts() {
        let units_of = vec![vec![0, 2], vec![], vec![2]];
        let a = Assignment::new(&units_of, 3).unwrap();
        assert_eq!(a.members(), vec![vec![0], vec![], vec![0, 2]]);
        assert_eq!(a.outside(), vec![1]);
        let e = Assignment::new(&units_of, 2).unwrap_err();
        assert!(matches!(e, AggregateError::Origin { origin: 0, .. }), "{e}");
        let twice = vec![vec![1, 1]];
        assert!(Assignment::new(&twice, 2)
            .unwrap_err()
            .to_string()
            .contains("twice"));
    }
}
