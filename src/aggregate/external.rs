//! Outside indicators (screening participation, the official APL, the share of insured
//! people without a *médecin traitant*…) carried from the level they are published for to
//! other territorial levels and to the whole area.
//!
//! A value `v_c` is given per unit `c` of its level, with, for a rate, its numerator `n_c`
//! and denominator `d_c` (`v_c = per × n_c / d_c`). A target unit `u` (a CPTS, the
//! département) receives the units `c` it overlaps with a weight `w(c,u)`: the inhabitants
//! of `c` living in `u` (from the study's origins), and `f(c,u) = w(c,u) / w(c)` the share
//! of `c`'s inhabitants in `u`.
//!
//! - **rate** (numerator and denominator known): `v_u = per × Σ_c f(c,u)·n_c / Σ_c f(c,u)·d_c`
//!   — the rate of the people counted, never a mean of rates;
//! - **mean** (a level, such as an APL): `v_u = Σ_c w(c,u)·v_c / Σ_c w(c,u)` over the units
//!   with a value, the population-weighted mean;
//! - **none**: not carried to other levels (a value that does not add up).
//!
//! Over the whole area every unit counts in full (`f = 1`): the rate is `per × Σ n / Σ d`,
//! the département figure recomputed from the rows and their denominators.
//!
//! Worked example (rate, per = 100): communes A (30 screened of 100) and B (10 of 100);
//! a CPTS holding all of A and half of B's inhabitants: 100 × (30 + 5) / (100 + 50) =
//! 23.33 %; the area: 100 × 40 / 200 = 20 %. As a mean with A = 30 %, B = 10 % and 1,000
//! inhabitants each: (1,000 × 30 + 500 × 10) / 1,500 = 23.33 as well.

use std::collections::BTreeMap;

/// How an outside indicator is carried to other levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rollup {
    /// A rate from its numerator and denominator.
    Rate,
    /// The population-weighted mean.
    Mean,
    /// Not carried.
    None,
}

/// Per-unit values, `None` where a unit has none.
pub type PerUnit = Vec<Option<f64>>;

/// One outside indicator on the units of its level.
#[derive(Clone, Debug, PartialEq)]
pub struct External {
    /// Value per unit of its level, as published.
    pub values: PerUnit,
    /// Numerator and denominator per unit, for a rate.
    pub parts: Option<(PerUnit, PerUnit)>,
    /// Multiplier of a rate (100 for a percentage).
    pub per: f64,
    /// How it is carried.
    pub rollup: Rollup,
}

/// Weights of the units of the source level in each target unit: `weights[u]` maps a source
/// unit `c` to the inhabitants of `c` living in `u`.
pub type Overlap = Vec<BTreeMap<usize, f64>>;

/// The overlap of two levels from the origins: `source_of[o]` and `target_of[o]` list the
/// units of each level holding origin `o`, `population[o]` its inhabitants.
pub fn overlap(
    source_of: &[Vec<usize>],
    target_of: &[Vec<usize>],
    population: &[f64],
    targets: usize,
) -> Overlap {
    let mut w: Overlap = vec![BTreeMap::new(); targets];
    for ((s, t), &p) in source_of.iter().zip(target_of).zip(population) {
        for &u in t {
            for &c in s {
                *w[u].entry(c).or_default() += p;
            }
        }
    }
    w
}

impl External {
    /// The value of each target unit (see the module doc), from the overlap `weights` and
    /// the inhabitants of each source unit `source_population`.
    pub fn carried(&self, weights: &Overlap, source_population: &[f64]) -> Vec<Option<f64>> {
        weights
            .iter()
            .map(|w| {
                self.combine(w.iter().map(|(&c, &x)| {
                    let whole = source_population[c];
                    (c, x, if whole > 0.0 { x / whole } else { 0.0 })
                }))
            })
            .collect()
    }

    /// The value over every source unit (the whole area): `source_population` weights a
    /// mean; a rate needs none.
    pub fn total(&self, source_population: &[f64]) -> Option<f64> {
        self.combine(
            source_population
                .iter()
                .enumerate()
                .map(|(c, &p)| (c, p, 1.0)),
        )
    }

    /// Combines `(unit, weight, share)` terms by the rollup rule.
    fn combine(&self, terms: impl Iterator<Item = (usize, f64, f64)>) -> Option<f64> {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        match (self.rollup, &self.parts) {
            (Rollup::None, _) => return None,
            (Rollup::Rate, Some((num, den))) => {
                for (c, _, f) in terms {
                    if let (Some(n), Some(d)) = (num[c], den[c]) {
                        a.push(f * n);
                        b.push(f * d);
                    }
                }
            }
            (Rollup::Rate, None) | (Rollup::Mean, _) => {
                for (c, w, _) in terms {
                    if let Some(v) = self.values[c] {
                        a.push(w * v);
                        b.push(w);
                    }
                }
            }
        }
        let scale = if self.rollup == Rollup::Rate && self.parts.is_some() {
            self.per
        } else {
            1.0
        };
        let (a, b) = (
            crate::support::exact_sum::exact_sum(a),
            crate::support::exact_sum::exact_sum(b),
        );
        (b > 0.0).then(|| scale * a / b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn the_worked_example_of_the_module_doc() {
        let rate = External {
            values: vec![Some(30.0), Some(10.0)],
            parts: Some((vec![Some(30.0), Some(10.0)], vec![Some(100.0), Some(100.0)])),
            per: 100.0,
            rollup: Rollup::Rate,
        };
        // Origins: two in A (500 each), two in B (500 each); the CPTS holds A's and one of B's.
        let source_of = vec![vec![0], vec![0], vec![1], vec![1]];
        let target_of = vec![vec![0], vec![0], vec![0], vec![]];
        let population = [500.0; 4];
        let w = overlap(&source_of, &target_of, &population, 1);
        assert_eq!(w[0][&0], 1000.0);
        assert_eq!(w[0][&1], 500.0);
        let pop = [1000.0, 1000.0];
        assert!(close(rate.carried(&w, &pop)[0], 100.0 * 35.0 / 150.0));
        assert!(close(rate.total(&pop), 20.0));
        let mean = External {
            parts: None,
            rollup: Rollup::Mean,
            ..rate.clone()
        };
        assert!(close(mean.carried(&w, &pop)[0], 35_000.0 / 1500.0));
        assert!(close(mean.total(&pop), 20.0));
        let none = External {
            rollup: Rollup::None,
            ..rate
        };
        assert_eq!(none.total(&pop), None);
    }

    #[test]
    fn units_without_a_value_are_left_out_not_counted_as_zero() {
        let mean = External {
            values: vec![Some(4.0), None],
            parts: None,
            per: 1.0,
            rollup: Rollup::Mean,
        };
        assert_eq!(mean.total(&[10.0, 1000.0]), Some(4.0));
        let empty: Overlap = vec![BTreeMap::new()];
        assert_eq!(mean.carried(&empty, &[10.0, 1000.0]), vec![None]);
    }
}
