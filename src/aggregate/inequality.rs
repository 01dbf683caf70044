//! Inequality of an indicator across the population: the weighted Gini coefficient and the
//! concentration index of access against income.
//!
//! **Concentration index** (Kakwani, Wagstaff & van Doorslaer, "Socioeconomic inequalities
//! in health: measurement, computation, and statistical inference", *Journal of
//! Econometrics* 77:87–103, 1997; O'Donnell, van Doorslaer, Wagstaff & Lindelow, *Analyzing
//! Health Equity Using Household Survey Data*, World Bank 2008, ch. 8, "The concentration
//! index"), with population weights *w_i*:
//! ```text
//! C = 2 · cov_w(h, r) / μ_h,   cov_w(h, r) = Σ w_i (h_i − μ_h)(r_i − ½) / W
//! r_i = (Σ_{j ranked before i} w_j + w_i / 2) / W      (weighted fractional rank, mean ½)
//! ```
//! origins ranked by increasing income per capita. Origins of equal income form one group
//! and share its mean rank, (weight before the group + half the group's weight) / *W*, so
//! the result does not depend on their order. *C* < 0: the indicator concentrates among
//! the poorer (for a travel time, the poorer are farther from care); *C* > 0: among the
//! richer. Unweighted, this is the "convenient" formula *C* = 2/(*nμ*) Σ *h_i R_i* − 1 −
//! 1/*n* with *R_i* = *i*/*n* (O'Donnell et al., ch. 8), which the tests check.
//!
//! **Gini coefficient**: the mean absolute difference over twice the mean,
//! ```text
//! G = Σ_i Σ_j w_i w_j |x_i − x_j| / (2 W² μ)
//! ```
//! computed in O(n log n) as the concentration index of *x* ranked by *x* itself,
//! *G* = 2 cov_w(*x*, *F*) / μ with *F* the weighted fractional rank (Lerman & Yitzhaki,
//! "Improving the accuracy of estimates of Gini coefficients", *Journal of Econometrics*
//! 42:43–47, 1989); equal values contribute nothing to either form. Values must be ≥ 0.
//!
//! Both: absent (`None`) for no origin or a total weight of 0; 0 when every origin of
//! positive weight has the same value (no inequality to measure, even if that value is
//! 0); the concentration index is absent when μ_h = 0 otherwise. Origins without value (or
//! without income) are left out, counted in [`Inequality`]. Sums are exact (module `aggregate::sum`),
//! so the result does not depend on the origins' order.

use super::{AggregateError, Indicator};
use crate::support::exact_sum::{exact_sum, ExactSum};

/// An inequality index with the population it was computed on.
#[derive(Clone, Debug, PartialEq)]
pub struct Inequality {
    /// The index (dimensionless; Gini in [0, 1), concentration index in (−1, 1)).
    pub index: Option<f64>,
    /// Number of origins used.
    pub origins: usize,
    /// Population of the origins used.
    pub population: f64,
    /// Number of origins left out (no value, or no income for the concentration index).
    pub origins_left_out: usize,
    /// Population of the origins left out.
    pub population_left_out: f64,
}

/// Population-weighted Gini coefficient of `indicator` over its origins with a value; an
/// error if a value is negative.
pub fn gini(indicator: &Indicator) -> Result<Inequality, AggregateError> {
    if let Some(origin) = indicator
        .values()
        .iter()
        .position(|v| v.is_some_and(|x| x < 0.0))
    {
        return Err(AggregateError::Origin {
            what: "Gini coefficient",
            origin,
            reason: "negative value; the Gini coefficient needs values ≥ 0".into(),
        });
    }
    let ranked_by_self = indicator.values();
    let (mut out, index) = concentration(indicator, ranked_by_self);
    out.index = index.map(|g| g.max(0.0));
    Ok(out)
}

/// Concentration index of `indicator` against `income` (per capita, one entry per origin,
/// `None` when unknown) over the origins with both.
pub fn concentration_index(
    indicator: &Indicator,
    income: &[Option<f64>],
) -> Result<Inequality, AggregateError> {
    if income.len() != indicator.len() {
        return Err(AggregateError::Length {
            what: "income",
            len: income.len(),
            expected: indicator.len(),
        });
    }
    if let Some(origin) = income
        .iter()
        .position(|v| v.is_some_and(|x| !x.is_finite()))
    {
        return Err(AggregateError::Origin {
            what: "income",
            origin,
            reason: "income is not finite (an unknown income is None)".into(),
        });
    }
    let (out, index) = concentration(indicator, income);
    Ok(Inequality { index, ..out })
}

/// Concentration index of the indicator ranked by `key` (origins lacking a value or a key
/// left out), with the counts; `index` of the returned [`Inequality`] is not set.
fn concentration(indicator: &Indicator, key: &[Option<f64>]) -> (Inequality, Option<f64>) {
    let mut used: Vec<(f64, f64, f64)> = Vec::new();
    let mut left_out = ExactSum::default();
    let mut origins_left_out = 0;
    for ((v, k), &w) in indicator.values().iter().zip(key).zip(indicator.weights()) {
        match (v, k) {
            (Some(h), Some(r)) => used.push((*r, *h, w)),
            _ => {
                left_out.add(w);
                origins_left_out += 1;
            }
        }
    }
    used.sort_unstable_by(|a, b| {
        (a.0.total_cmp(&b.0))
            .then(a.1.total_cmp(&b.1))
            .then(a.2.total_cmp(&b.2))
    });
    let population = exact_sum(used.iter().map(|u| u.2));
    let counts = Inequality {
        index: None,
        origins: used.len(),
        population,
        origins_left_out,
        population_left_out: left_out.value(),
    };
    (counts, weighted_index(&used, population))
}

/// 2 cov_w(h, r) / μ_h over (key, h, w) sorted by key, `population` = Σ w.
fn weighted_index(sorted: &[(f64, f64, f64)], population: f64) -> Option<f64> {
    if population <= 0.0 {
        return None;
    }
    let mut positive = sorted.iter().filter(|u| u.2 > 0.0).map(|u| u.1);
    let first = positive.next()?;
    if positive.all(|h| h == first) {
        return Some(0.0);
    }
    let mu = exact_sum(sorted.iter().map(|u| u.1 * u.2)) / population;
    if mu == 0.0 {
        return None;
    }
    let mut before = ExactSum::default();
    let mut cov = ExactSum::default();
    let mut i = 0;
    while i < sorted.len() {
        let key = sorted[i].0;
        let end = i + sorted[i..].partition_point(|u| u.0 == key);
        let mut mid = before.clone();
        sorted[i..end].iter().for_each(|u| mid.add(u.2 / 2.0));
        let rank = mid.value() / population;
        for u in &sorted[i..end] {
            cov.add(u.2 * (u.1 - mu) * (rank - 0.5));
            before.add(u.2);
        }
        i = end;
    }
    Some(2.0 * cov.value() / (population * mu))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn some(x: &[f64]) -> Vec<Option<f64>> {
        x.iter().map(|&v| Some(v)).collect()
    }

    fn g(values: &[f64], weights: &[f64]) -> Option<f64> {
        let v = some(values);
        gini(&Indicator::new(&v, weights).unwrap()).unwrap().index
    }

    fn ci(h: &[f64], income: &[f64], weights: &[f64]) -> Option<f64> {
        let v = some(h);
        let inc = some(income);
        concentration_index(&Indicator::new(&v, weights).unwrap(), &inc)
            .unwrap()
            .index
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn gini_hand_computed() {
        // 1, 2, 3 unweighted: Σ_i Σ_j |x_i − x_j| = 2·(1 + 2 + 1) = 8; 2 n² μ = 2·9·2 = 36;
        // G = 8/36 = 2/9.
        assert!(close(g(&[3.0, 1.0, 2.0], &[1.0; 3]), 2.0 / 9.0));
        // 1 (w 3), 3 (w 1): W = 4, μ = (3 + 3)/4 = 1.5; Σ Σ w w |d| = 2·3·1·2 = 12;
        // G = 12 / (2·16·1.5) = 0.25.
        assert!(close(g(&[1.0, 3.0], &[3.0, 1.0]), 0.25));
        // A zero-weight origin changes nothing.
        assert!(close(g(&[1.0, 50.0, 3.0], &[3.0, 0.0, 1.0]), 0.25));
        // One person has everything: 0, 0, 0, 4 → G = (n−1)/n = 0.75.
        assert!(close(g(&[0.0, 0.0, 0.0, 4.0], &[1.0; 4]), 0.75));
    }

    #[test]
    fn degenerate_inputs() {
        assert_eq!(g(&[], &[]), None);
        assert_eq!(g(&[1.0, 2.0], &[0.0, 0.0]), None);
        assert_eq!(g(&[7.0, 7.0, 7.0], &[1.0, 2.0, 3.0]), Some(0.0));
        assert_eq!(g(&[0.0, 0.0], &[1.0, 1.0]), Some(0.0));
        assert_eq!(ci(&[2.0, 2.0], &[1.0, 5.0], &[1.0, 1.0]), Some(0.0));
        // μ_h = 0 with unequal values: undefined.
        assert_eq!(ci(&[-1.0, 1.0], &[1.0, 5.0], &[1.0, 1.0]), None);
        let neg = some(&[-1.0]);
        let e = gini(&Indicator::new(&neg, &[1.0]).unwrap()).unwrap_err();
        assert!(matches!(e, AggregateError::Origin { origin: 0, .. }));
    }

    #[test]
    fn concentration_hand_computed() {
        // h = 1, 2, 3 by increasing income, unweighted: μ = 2, R = 1/6, 3/6, 5/6;
        // Σ h R = 1/6 + 6/6 + 15/6 = 11/3; C = 2/(3·2)·11/3 − 1 = 2/9.
        assert!(close(
            ci(&[2.0, 1.0, 3.0], &[20.0, 10.0, 30.0], &[1.0; 3]),
            2.0 / 9.0
        ));
        // Richest has the least: −2/9.
        assert!(close(
            ci(&[3.0, 2.0, 1.0], &[10.0, 20.0, 30.0], &[1.0; 3]),
            -2.0 / 9.0
        ));
        // Tied incomes share the mean rank: h = 1, 2, 6, incomes 10, 10, 20: r = 1/3, 1/3,
        // 5/6; μ = 3; Σ (h − μ)(r − ½) = (−2)(−1/6) + (−1)(−1/6) + 3·(1/3) = 1.5;
        // cov = 1.5/3 = 0.5; C = 2·0.5/3 = 1/3, in either order of the tied origins.
        assert!(close(
            ci(&[1.0, 2.0, 6.0], &[10.0, 10.0, 20.0], &[1.0; 3]),
            1.0 / 3.0
        ));
        assert!(close(
            ci(&[2.0, 1.0, 6.0], &[10.0, 10.0, 20.0], &[1.0; 3]),
            1.0 / 3.0
        ));
        // Weighted: h = 1 (w 3, poorer), 3 (w 1): r = 3/8, 7/8; μ = 1.5;
        // Σ w (h − μ)(r − ½) = 3·(−0.5)(−1/8) + 1·1.5·(3/8) = 3/16 + 9/16 = 0.75;
        // cov = 0.75/4 = 3/16; C = 2·(3/16)/1.5 = 0.25 (= the Gini: ranked by itself).
        assert!(close(ci(&[1.0, 3.0], &[1.0, 2.0], &[3.0, 1.0]), 0.25));
    }

    #[test]
    fn left_out_origins_are_counted() {
        let v = [Some(1.0), None, Some(3.0), Some(9.0)];
        let w = [3.0, 5.0, 1.0, 2.0];
        let income = [Some(1.0), Some(2.0), Some(2.0), None];
        let ind = Indicator::new(&v, &w).unwrap();
        let r = concentration_index(&ind, &income).unwrap();
        assert_eq!((r.origins, r.population), (2, 4.0));
        assert_eq!((r.origins_left_out, r.population_left_out), (2, 7.0));
        assert!(close(r.index, 0.25));
        let r = gini(&ind).unwrap();
        assert_eq!(
            (r.origins, r.origins_left_out, r.population_left_out),
            (3, 1, 5.0)
        );
        assert!(concentration_index(&ind, &income[..2]).is_err());
        assert!(concentration_index(&ind, &[Some(f64::NAN); 4]).is_err());
    }

    /// Σ_i Σ_j w_i w_j |x_i − x_j| / (2 W² μ), O(n²).
    fn gini_brute(x: &[f64], w: &[f64]) -> f64 {
        let total: f64 = w.iter().sum();
        let mu = x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / total;
        let mut s = 0.0;
        for i in 0..x.len() {
            for j in 0..x.len() {
                s += w[i] * w[j] * (x[i] - x[j]).abs();
            }
        }
        s / (2.0 * total * total * mu)
    }

    /// Unweighted "convenient" formula: C = 2/(nμ) Σ h_i (i/n) − 1 − 1/n, i the 1-based
    /// rank by income (incomes distinct).
    fn convenient(h: &[f64], income: &[f64]) -> f64 {
        let n = h.len() as f64;
        let mut order: Vec<usize> = (0..h.len()).collect();
        order.sort_by(|&a, &b| income[a].total_cmp(&income[b]));
        let mu = h.iter().sum::<f64>() / n;
        let s: f64 = order
            .iter()
            .enumerate()
            .map(|(i, &o)| h[o] * (i as f64 + 1.0) / n)
            .sum();
        2.0 / (n * mu) * s - 1.0 - 1.0 / n
    }

    proptest! {
        #[test]
        fn gini_matches_mean_absolute_difference(
            p in prop::collection::vec(((0u32..20).prop_map(|k| k as f64 * 1.5), 0u32..5), 2..25)
        ) {
            let x: Vec<f64> = p.iter().map(|a| a.0).collect();
            let w: Vec<f64> = p.iter().map(|a| a.1 as f64 * 0.7).collect();
            let got = g(&x, &w);
            let total: f64 = w.iter().sum();
            let mu: f64 = x.iter().zip(&w).map(|(a, b)| a * b).sum();
            if total == 0.0 {
                prop_assert_eq!(got, None);
            } else if mu == 0.0 {
                prop_assert_eq!(got, Some(0.0));
            } else {
                let want = gini_brute(&x, &w);
                prop_assert!((got.unwrap() - want).abs() < 1e-12, "{:?} vs {}", got, want);
            }
        }

        #[test]
        fn weighted_ci_matches_convenient_formula_on_expanded_data(
            p in prop::collection::vec((1u32..50, 1u32..4), 2..20),
            seed in 0u64..1000,
        ) {
            // Distinct incomes 0, 1, 2… shuffled; integer weights expanded into copies.
            let n = p.len();
            let income: Vec<f64> = (0..n).map(|i| ((i as u64 * 7919 + seed) % n as u64) as f64).collect();
            let mut distinct = income.clone();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            prop_assume!(distinct.len() == n);
            let h: Vec<f64> = p.iter().map(|a| a.0 as f64).collect();
            let w: Vec<f64> = p.iter().map(|a| a.1 as f64).collect();
            let mut eh = Vec::new();
            let mut einc = Vec::new();
            for i in 0..n {
                for c in 0..p[i].1 {
                    eh.push(h[i]);
                    // Copies of one origin get consecutive distinct incomes (their order does
                    // not matter: equal h).
                    einc.push(income[i] + c as f64 * 1e-3);
                }
            }
            let want = convenient(&eh, &einc);
            let got = ci(&h, &income, &w);
            let unweighted = ci(&eh, &einc, &vec![1.0; eh.len()]);
            if eh.iter().all(|&x| x == eh[0]) {
                prop_assert_eq!(got, Some(0.0));
            } else {
                prop_assert!((got.unwrap() - want).abs() < 1e-12, "{:?} vs {}", got, want);
                prop_assert!((unweighted.unwrap() - want).abs() < 1e-12);
            }
        }

        #[test]
        fn gini_is_ci_ranked_by_itself(p in prop::collection::vec((0u32..30, 0u32..4), 1..20)) {
            let x: Vec<f64> = p.iter().map(|a| a.0 as f64).collect();
            let w: Vec<f64> = p.iter().map(|a| a.1 as f64).collect();
            prop_assert_eq!(g(&x, &w), ci(&x, &x, &w).map(|c| c.max(0.0)));
        }
    }
}
