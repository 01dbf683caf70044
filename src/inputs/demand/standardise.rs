//! Age-standardised demand: each age band's inhabitants weighted by the band's consumption
//! of care relative to the whole population's (DREES, APL methodology, 2012–2020):
//!
//! ```text
//! w_k = r_k / r̄          r̄ = Σ_k r_k · P_k / Σ_k P_k      (reference population P_k)
//! D_i = Σ_k w_k · P_{i,k}
//! ```
//!
//! *r_k* is the reference consumption rate of band *k* (acts per inhabitant a year); with
//! weights derived this way, the reference population's standardised total equals its
//! plain total. The bands are Filosofi's ([`crate::inputs::demand::AGE_COLUMNS`]: 0–3, 4–5, 6–10,
//! 11–17, 18–24, 25–39, 40–54, 55–64, 65–79, 80+). Weights may also be given directly.

use super::origin::Origin;
use super::AGE_COLUMNS;

/// Number of age bands.
pub const BANDS: usize = AGE_COLUMNS.len();

/// Relative consumption weight of each age band (dimensionless, 1 = average consumer).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AgeWeights(pub [f64; BANDS]);

/// Why weights cannot be derived.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("age standardisation: {0}")]
pub struct StandardiseError(String);

impl AgeWeights {
    /// Weights from reference rates `rates[k]` (acts per inhabitant a year) and a reference
    /// population `population[k]` (inhabitants): `w_k = r_k / r̄`.
    pub fn from_rates(
        rates: &[f64; BANDS],
        population: &[f64; BANDS],
    ) -> Result<AgeWeights, StandardiseError> {
        if let Some(k) = (0..BANDS).find(|&k| !(rates[k].is_finite() && rates[k] >= 0.0)) {
            return Err(StandardiseError(format!(
                "rate of band {} is {}: expected a finite number ≥ 0",
                AGE_COLUMNS[k], rates[k]
            )));
        }
        if let Some(k) = (0..BANDS).find(|&k| !(population[k].is_finite() && population[k] >= 0.0))
        {
            return Err(StandardiseError(format!(
                "reference population of band {} is {}: expected a finite number ≥ 0",
                AGE_COLUMNS[k], population[k]
            )));
        }
        let total: f64 = population.iter().sum();
        let acts: f64 = rates.iter().zip(population).map(|(r, p)| r * p).sum();
        if !(total > 0.0 && acts > 0.0) {
            return Err(StandardiseError(
                "the reference population consumes nothing: no mean rate to compare with".into(),
            ));
        }
        let mean = acts / total;
        Ok(AgeWeights(rates.map(|r| r / mean)))
    }

    /// Standardised demand of `ages` (inhabitants per band): `Σ_k w_k · P_k`.
    pub fn demand(&self, ages: &[f64; BANDS]) -> f64 {
        self.0.iter().zip(ages).map(|(w, p)| w * p).sum()
    }
}

/// Demand of every origin: standardised by `weights` when given and the origin has age
/// bands, its plain population otherwise. Returns the demands and the number of origins
/// that had to fall back to their plain population for want of age bands.
pub fn demands(origins: &[Origin], weights: Option<&AgeWeights>) -> (Vec<f64>, usize) {
    let mut plain = 0;
    let d = origins
        .iter()
        .map(|o| match (weights, &o.ages) {
            (Some(w), Some(a)) => w.demand(a),
            (Some(_), None) => {
                plain += 1;
                o.population
            }
            (None, _) => o.population,
        })
        .collect();
    (d, plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_rates_over_the_mean_rate() {
        // Two consuming bands: 100 people at 2 acts, 300 at 6 → mean (200 + 1800) / 400 = 5.
        let mut rates = [0.0; BANDS];
        let mut pop = [0.0; BANDS];
        rates[0] = 2.0;
        pop[0] = 100.0;
        rates[9] = 6.0;
        pop[9] = 300.0;
        let w = AgeWeights::from_rates(&rates, &pop).unwrap();
        assert_eq!(w.0[0], 0.4);
        assert_eq!(w.0[9], 1.2);
        // The reference population keeps its total.
        assert!((w.demand(&pop) - 400.0).abs() < 1e-12);
    }

    #[test]
    fn origins_without_age_bands_fall_back_and_are_counted() {
        let w = AgeWeights([2.0; BANDS]);
        let o = |ages| Origin {
            id: "x".into(),
            lon: 2.0,
            lat: 48.0,
            population: 10.0,
            ages,
            income: None,
            source: "t".into(),
        };
        let (d, plain) = demands(&[o(Some([1.0; BANDS])), o(None)], Some(&w));
        assert_eq!(d, vec![20.0, 10.0]);
        assert_eq!(plain, 1);
        assert_eq!(demands(&[o(Some([1.0; BANDS]))], None), (vec![10.0], 0));
    }

    #[test]
    fn unusable_references_are_refused() {
        let zero = [0.0; BANDS];
        assert!(AgeWeights::from_rates(&zero, &[1.0; BANDS]).is_err());
        let mut bad = [1.0; BANDS];
        bad[3] = -1.0;
        let e = AgeWeights::from_rates(&bad, &[1.0; BANDS]).unwrap_err();
        assert!(e.to_string().contains("ind_11_17"), "{e}");
    }
}
