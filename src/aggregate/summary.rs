//! Summary of an indicator over a set of origins (a territorial unit): population counted
//! and left without value, population-weighted mean and median, min, max, and the share of
//! population on the unfavourable side of each threshold.
//!
//! Definitions (weights *w_i* ≥ 0, values *x_i* of the origins with a value, *W* = Σ *w_i*):
//! - mean = Σ *w_i x_i* / *W* (absent when *W* = 0), clamped to [min, max] to absorb the
//!   rounding of the products;
//! - median = the smallest value *v* such that Σ_{x_i ≤ v} *w_i* ≥ *W*/2 (the lower weighted
//!   median: no interpolation; with weights 1 and 1 on values 1 and 3 it is 1, not 2; equal
//!   values are one value, all their weight counted together). Absent when *W* = 0. It is
//!   always the value of an origin of positive weight;
//! - min, max = over the origins with a value and a positive weight (an origin of no
//!   population says nothing about the population's access);
//! - shares: for [`Polarity::LowerIsBetter`] (times) the weight of values > *t*, for
//!   [`Polarity::HigherIsBetter`] (scores) the weight of values ≤ *t*, given twice: among
//!   the population with a value ([`Share::of_valued`]) and among all the population, the
//!   origins without value counted on the unfavourable side ([`Share::of_all`]: an origin
//!   from which no care is reachable is beyond every time threshold). The population
//!   without value is also reported on its own.
//!
//! Sums are exact, rounded once (module `aggregate::sum`); the median sorts the values (ties by
//! weight, a total order). The result depends only on the multiset of (value, weight)
//! pairs: not on the origins' order nor on the thread count (units are summarised in
//! parallel with rayon, each from its own origins).

use super::{AggregateError, Assignment, Indicator, Polarity};
use crate::support::exact_sum::{exact_sum, ExactSum};
use rayon::prelude::*;

/// Thresholds (in the indicator's unit, e.g. minutes) and the side of them counted.
#[derive(Clone, Debug, PartialEq)]
pub struct Thresholds {
    values: Vec<f64>,
    polarity: Polarity,
}

impl Thresholds {
    /// Checks that the thresholds are finite and strictly increasing.
    pub fn new(values: &[f64], polarity: Polarity) -> Result<Thresholds, AggregateError> {
        for (index, &value) in values.iter().enumerate() {
            let bad = |reason: &str| AggregateError::Threshold {
                index,
                value,
                reason: reason.to_string(),
            };
            if !value.is_finite() {
                return Err(bad("not finite"));
            }
            if index > 0 && value <= values[index - 1] {
                return Err(bad("thresholds must be strictly increasing"));
            }
        }
        Ok(Thresholds {
            values: values.to_vec(),
            polarity,
        })
    }

    /// The thresholds, increasing.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Which side is better, hence which side the shares count.
    pub fn polarity(&self) -> Polarity {
        self.polarity
    }
}

/// Share of population on the unfavourable side of one threshold (fraction in [0, 1]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Share {
    /// Among the population with a value; absent when it is 0.
    pub of_valued: Option<f64>,
    /// Among all the population, the population without value counted as unfavourable;
    /// absent when the population is 0.
    pub of_all: Option<f64>,
}

/// Summary of an indicator over the origins of one unit (values in the indicator's unit,
/// populations in inhabitants).
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Number of origins with a value.
    pub origins: usize,
    /// Population of the origins with a value.
    pub population: f64,
    /// Number of origins without value.
    pub origins_without_value: usize,
    /// Population of the origins without value.
    pub population_without_value: f64,
    /// Population-weighted mean.
    pub mean: Option<f64>,
    /// Lower population-weighted median (module documentation).
    pub median: Option<f64>,
    /// Smallest value of an origin of positive population.
    pub min: Option<f64>,
    /// Largest value of an origin of positive population.
    pub max: Option<f64>,
    /// One share per threshold, in the thresholds' order.
    pub shares: Vec<Share>,
}

/// Summaries of one indicator over every unit of a layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Summaries {
    /// Thresholds of the shares.
    pub thresholds: Thresholds,
    /// One summary per unit, in the layer's order.
    pub units: Vec<Summary>,
    /// The origins in no unit of the layer.
    pub outside: Summary,
}

/// Summarises `indicator` over every unit of `units` (and over the origins in none).
pub fn summarize(
    indicator: &Indicator,
    units: &Assignment,
    thresholds: &Thresholds,
) -> Result<Summaries, AggregateError> {
    units.check_origins("unit assignment", indicator.len())?;
    let members = units.members();
    let per_unit: Vec<Summary> = members
        .par_iter()
        .map(|origins| summarize_origins(indicator, origins, thresholds))
        .collect();
    Ok(Summaries {
        thresholds: thresholds.clone(),
        units: per_unit,
        outside: summarize_origins(indicator, &units.outside(), thresholds),
    })
}

/// Summary of `indicator` over the origins `origins` (indices below `indicator.len()`).
pub(super) fn summarize_origins(
    indicator: &Indicator,
    origins: &[usize],
    thresholds: &Thresholds,
) -> Summary {
    let mut valued: Vec<(f64, f64)> = Vec::with_capacity(origins.len());
    let mut unvalued = ExactSum::default();
    let mut origins_without_value = 0;
    for &o in origins {
        let w = indicator.weights()[o];
        match indicator.values()[o] {
            Some(v) => valued.push((v, w)),
            None => {
                unvalued.add(w);
                origins_without_value += 1;
            }
        }
    }
    valued.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let population = exact_sum(valued.iter().map(|p| p.1));
    let population_without_value = unvalued.value();
    let mut all = unvalued.clone();
    valued.iter().for_each(|p| all.add(p.1));
    let total = all.value();
    let min = valued.iter().find(|p| p.1 > 0.0).map(|p| p.0);
    let max = valued.iter().rev().find(|p| p.1 > 0.0).map(|p| p.0);
    let (mean, median) = match (min, max) {
        (Some(lo), Some(hi)) if population > 0.0 => {
            let mean = exact_sum(valued.iter().map(|&(v, w)| v * w)) / population;
            (Some(mean.clamp(lo, hi)), lower_median(&valued, population))
        }
        _ => (None, None),
    };
    let shares = thresholds
        .values()
        .iter()
        .map(|&t| {
            let cut = valued.partition_point(|p| p.0 <= t);
            let side = match thresholds.polarity() {
                Polarity::LowerIsBetter => &valued[cut..],
                Polarity::HigherIsBetter => &valued[..cut],
            };
            let mut bad = unvalued.clone();
            side.iter().for_each(|p| bad.add(p.1));
            Share {
                of_valued: (population > 0.0)
                    .then(|| exact_sum(side.iter().map(|p| p.1)) / population),
                of_all: (total > 0.0).then(|| bad.value() / total),
            }
        })
        .collect();
    Summary {
        origins: valued.len(),
        population,
        origins_without_value,
        population_without_value,
        mean,
        median,
        min,
        max,
        shares,
    }
}

/// Smallest value whose cumulative weight reaches half of `population` (> 0), the pairs
/// sorted by value; equal values are taken together.
fn lower_median(sorted: &[(f64, f64)], population: f64) -> Option<f64> {
    let half = population / 2.0;
    let mut cumulative = ExactSum::default();
    let mut i = 0;
    while i < sorted.len() {
        let v = sorted[i].0;
        while i < sorted.len() && sorted[i].0 == v {
            cumulative.add(sorted[i].1);
            i += 1;
        }
        if cumulative.value() >= half {
            return Some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn th(t: &[f64], p: Polarity) -> Thresholds {
        Thresholds::new(t, p).unwrap()
    }

    fn one_unit(values: &[Option<f64>], weights: &[f64], t: &Thresholds) -> Summary {
        let ind = Indicator::new(values, weights).unwrap();
        let all: Vec<usize> = (0..values.len()).collect();
        summarize_origins(&ind, &all, t)
    }

    #[test]
    fn hand_computed_unit() {
        // Times 4, 12, 12, 30 min with populations 10, 20, 5, 15, one unreachable origin of
        // population 50.
        // population = 10+20+5+15 = 50; without value 50 (1 origin).
        // mean = (40 + 240 + 60 + 450) / 50 = 790 / 50 = 15.8.
        // median: cumulative 10 (≤4), 35 (≤12) ≥ 25 → 12.
        // > 10: 20+5+15 = 40 → 40/50 = 0.8 of valued, (40+50)/100 = 0.9 of all.
        // > 15: 15 → 0.3 of valued, 65/100 = 0.65 of all.
        // > 30: 0 → 0 of valued, 50/100 = 0.5 of all (value 30 is not beyond 30).
        let t = th(&[10.0, 15.0, 30.0], Polarity::LowerIsBetter);
        let s = one_unit(
            &[Some(4.0), Some(12.0), None, Some(12.0), Some(30.0)],
            &[10.0, 20.0, 50.0, 5.0, 15.0],
            &t,
        );
        assert_eq!(s.origins, 4);
        assert_eq!(s.population, 50.0);
        assert_eq!(s.origins_without_value, 1);
        assert_eq!(s.population_without_value, 50.0);
        assert_eq!(s.mean, Some(15.8));
        assert_eq!(s.median, Some(12.0));
        assert_eq!((s.min, s.max), (Some(4.0), Some(30.0)));
        let of_valued: Vec<_> = s.shares.iter().map(|x| x.of_valued.unwrap()).collect();
        let of_all: Vec<_> = s.shares.iter().map(|x| x.of_all.unwrap()).collect();
        assert_eq!(of_valued, vec![0.8, 0.3, 0.0]);
        assert_eq!(of_all, vec![0.9, 0.65, 0.5]);
    }

    #[test]
    fn higher_is_better_counts_at_most() {
        // APL 2.5, 3, 5 with populations 1, 1, 2 and one origin without value (pop. 4).
        // ≤ 2.5: 1 → 1/4 of valued, (1+4)/8 of all; ≤ 4: 2 → 2/4, 6/8.
        let t = th(&[2.5, 4.0], Polarity::HigherIsBetter);
        let s = one_unit(
            &[Some(2.5), Some(3.0), Some(5.0), None],
            &[1.0, 1.0, 2.0, 4.0],
            &t,
        );
        assert_eq!(s.shares[0].of_valued, Some(0.25));
        assert_eq!(s.shares[0].of_all, Some(0.625));
        assert_eq!(s.shares[1].of_valued, Some(0.5));
        assert_eq!(s.shares[1].of_all, Some(0.75));
    }

    #[test]
    fn median_ties_and_zero_weights() {
        let t = th(&[], Polarity::LowerIsBetter);
        // Weights 1 and 1 on 1 and 3: cumulative weight at 1 is 1 = W/2 → median 1.
        let s = one_unit(&[Some(3.0), Some(1.0)], &[1.0, 1.0], &t);
        assert_eq!(s.median, Some(1.0));
        // Tied values count together: 2 (w 1), 2 (w 1), 5 (w 3): at 2 cumulative 2 < 2.5,
        // at 5 cumulative 5 → median 5.
        let s = one_unit(&[Some(2.0), Some(5.0), Some(2.0)], &[1.0, 3.0, 1.0], &t);
        assert_eq!(s.median, Some(5.0));
        // A zero-weight origin is neither min nor max nor median: 0 (w 0), 7 (w 2), 9 (w 0).
        let s = one_unit(&[Some(0.0), Some(7.0), Some(9.0)], &[0.0, 2.0, 0.0], &t);
        assert_eq!(
            (s.min, s.max, s.median, s.mean),
            (Some(7.0), Some(7.0), Some(7.0), Some(7.0))
        );
        assert_eq!(s.origins, 3);
    }

    #[test]
    fn empty_and_weightless_units_have_no_statistics() {
        let t = th(&[10.0], Polarity::LowerIsBetter);
        let s = one_unit(&[], &[], &t);
        assert_eq!((s.origins, s.mean, s.median, s.min), (0, None, None, None));
        assert_eq!(
            s.shares,
            vec![Share {
                of_valued: None,
                of_all: None
            }]
        );
        // Only unreachable origins: nothing valued, all the population beyond.
        let s = one_unit(&[None, None], &[3.0, 1.0], &t);
        assert_eq!(
            (s.origins_without_value, s.population_without_value),
            (2, 4.0)
        );
        assert_eq!(
            s.shares,
            vec![Share {
                of_valued: None,
                of_all: Some(1.0)
            }]
        );
        let s = one_unit(&[Some(1.0)], &[0.0], &t);
        assert_eq!((s.origins, s.mean, s.min), (1, None, None));
    }

    #[test]
    fn units_overlap_and_outside_is_tallied() {
        // Origins 0..4; unit 0 = {0, 1}, unit 1 = {1, 2}, origin 3 in none.
        let values = [Some(1.0), Some(2.0), None, Some(8.0)];
        let weights = [1.0, 1.0, 2.0, 4.0];
        let units_of = vec![vec![0], vec![0, 1], vec![1], vec![]];
        let ind = Indicator::new(&values, &weights).unwrap();
        let a = Assignment::new(&units_of, 2).unwrap();
        let t = th(&[1.5], Polarity::LowerIsBetter);
        let s = summarize(&ind, &a, &t).unwrap();
        // Unit 0: mean (1+2)/2 = 1.5; > 1.5: 1/2.
        assert_eq!(s.units[0].mean, Some(1.5));
        assert_eq!(s.units[0].shares[0].of_valued, Some(0.5));
        // Unit 1: valued 2 (w 1), unreachable w 2: of valued 1/1, of all 3/3.
        assert_eq!(s.units[1].population_without_value, 2.0);
        assert_eq!(s.units[1].shares[0].of_all, Some(1.0));
        assert_eq!(
            (s.outside.origins, s.outside.population, s.outside.mean),
            (1, 4.0, Some(8.0))
        );
        let short = vec![vec![0]];
        let a = Assignment::new(&short, 2).unwrap();
        assert!(matches!(
            summarize(&ind, &a, &t),
            Err(AggregateError::Length { .. })
        ));
    }

    #[test]
    fn thresholds_must_increase() {
        assert!(Thresholds::new(&[5.0, 10.0], Polarity::LowerIsBetter).is_ok());
        let e = Thresholds::new(&[5.0, 5.0], Polarity::LowerIsBetter).unwrap_err();
        assert!(matches!(e, AggregateError::Threshold { index: 1, .. }));
        assert!(Thresholds::new(&[f64::NAN], Polarity::LowerIsBetter).is_err());
    }

    /// Brute-force lower median: every value repeated `weight` times (integer weights),
    /// sorted, element at 0-based position ⌈W/2⌉ − 1.
    fn expanded_median(values: &[f64], weights: &[u32]) -> Option<f64> {
        let mut all: Vec<f64> = Vec::new();
        for (&v, &w) in values.iter().zip(weights) {
            all.extend(std::iter::repeat_n(v, w as usize));
        }
        all.sort_by(f64::total_cmp);
        let n = all.len();
        (n > 0).then(|| all[n.div_ceil(2) - 1])
    }

    fn pairs() -> impl Strategy<Value = Vec<(f64, u32)>> {
        // Values on a grid so that ties are frequent.
        prop::collection::vec(((0u32..40).prop_map(|k| k as f64 * 2.5), 0u32..6), 0..30)
    }

    proptest! {
        #[test]
        fn median_matches_expanded_weights(p in pairs()) {
            let values: Vec<Option<f64>> = p.iter().map(|x| Some(x.0)).collect();
            let weights: Vec<f64> = p.iter().map(|x| x.1 as f64).collect();
            let raw: Vec<f64> = p.iter().map(|x| x.0).collect();
            let ints: Vec<u32> = p.iter().map(|x| x.1).collect();
            let s = one_unit(&values, &weights, &th(&[], Polarity::LowerIsBetter));
            prop_assert_eq!(s.median, expanded_median(&raw, &ints));
        }

        #[test]
        fn invariants(p in pairs(), none in prop::collection::vec(0u32..5, 0..5), seed in 0usize..1000) {
            let mut values: Vec<Option<f64>> = p.iter().map(|x| Some(x.0)).collect();
            let mut weights: Vec<f64> = p.iter().map(|x| x.1 as f64 * 1.37).collect();
            values.extend(none.iter().map(|_| None));
            weights.extend(none.iter().map(|&w| w as f64));
            let t = th(&[5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0], Polarity::LowerIsBetter);
            let s = one_unit(&values, &weights, &t);
            if let (Some(m), Some(lo), Some(hi)) = (s.mean, s.min, s.max) {
                prop_assert!(lo <= m && m <= hi);
                let med = s.median.unwrap();
                prop_assert!(lo <= med && med <= hi);
            }
            for w in s.shares.windows(2) {
                prop_assert!(w[1].of_valued <= w[0].of_valued);
                prop_assert!(w[1].of_all <= w[0].of_all);
                if let Some(x) = w[0].of_all {
                    prop_assert!((0.0..=1.0).contains(&x));
                }
            }
            // Permuting the origins changes nothing, bit for bit.
            let n = values.len();
            let order: Vec<usize> = (0..n).map(|i| (i * 7 + seed) % n.max(1)).collect();
            let mut seen = vec![false; n];
            let perm: Vec<usize> = order.into_iter().chain(0..n)
                .filter(|&i| !std::mem::replace(&mut seen[i], true)).collect();
            let pv: Vec<Option<f64>> = perm.iter().map(|&i| values[i]).collect();
            let pw: Vec<f64> = perm.iter().map(|&i| weights[i]).collect();
            prop_assert_eq!(one_unit(&pv, &pw, &t), s);
        }
    }

    #[test]
    fn thread_count_does_not_matter() {
        let n = 5000;
        let values: Vec<Option<f64>> = (0..n)
            .map(|i| (i % 13 != 0).then(|| ((i * 37) % 101) as f64 * 0.7))
            .collect();
        let weights: Vec<f64> = (0..n).map(|i| ((i * 11) % 17) as f64 * 3.1).collect();
        let units_of: Vec<Vec<usize>> = (0..n).map(|i| vec![i % 40]).collect();
        let ind = Indicator::new(&values, &weights).unwrap();
        let a = Assignment::new(&units_of, 40).unwrap();
        let t = th(&[10.0, 30.0], Polarity::LowerIsBetter);
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| summarize(&ind, &a, &t).unwrap())
        };
        assert_eq!(run(1), run(3));
    }
}
