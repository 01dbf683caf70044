//! APL — *Accessibilité Potentielle Localisée* (Barlet et al., DREES/IRDES, *Études et
//! Résultats* 795, 2012; post-2015 rules in DREES, *Les dossiers de la DREES* 2020 and
//! later), the floating-catchment indicator behind GP zonage.
//!
//! APL is [`super::fca`] with:
//! - **supply** *S_j* = each GP's yearly activity (consultations + visits, acts a year),
//!   floored at 3,600 and capped at 6,000 acts ([`AplRules::floor_acts`],
//!   [`AplRules::cap_acts`]), counting only GPs aged 65 or under ([`AplRules::max_age`];
//!   variants ≤ 62, ≤ 60 or none). A GP whose activity is unknown is taken as its capacity
//!   (full-time equivalents) × 5,400 acts, DREES's full-time GP, before the floor and cap;
//!   a GP whose age is unknown is kept. Both are counted in [`AplSupply`] so the report says
//!   how much of the supply was assumed.
//! - **demand** *D_i* = population standardised by age-specific GP consumption
//!   ([`crate::inputs::demand::standardise`]);
//! - **decay** 1 up to 10 min, 2/3 up to 15, 1/3 up to 20, 0 beyond, upper bounds inclusive
//!   ([`Kernel::apl`], configurable).
//!
//! Unit: consultations a year per standardised inhabitant (national mean 3.8 in 2015, about
//! 3.3 in 2022). [`etp_per_100k`] expresses it as full-time GPs per 100,000 inhabitants.
//! DREES computes it between communes (chef-lieu to chef-lieu, intra-commune time 0); on
//! a finer grid (200 m cells) the same formula applies to cells — the caller says which.

use super::catchment::Catchments;
use super::fca::{floating_catchment, FcaError, FcaResult, FcaSpec};
use super::kernel::Kernel;
use crate::inputs::supply::Site;

/// Acts a year of a full-time GP (DREES).
pub const FULL_TIME_ACTS: f64 = 5_400.0;

/// The rules of an APL computation.
#[derive(Clone, Debug, PartialEq)]
pub struct AplRules {
    /// Activity floor, acts a year (3,600).
    pub floor_acts: f64,
    /// Activity cap, acts a year (6,000).
    pub cap_acts: f64,
    /// Oldest age counted, years (65; `None` = no age limit).
    pub max_age: Option<u32>,
    /// Distance decay (DREES 0–20 min).
    pub kernel: Kernel,
}

impl Default for AplRules {
    fn default() -> Self {
        AplRules {
            floor_acts: 3_600.0,
            cap_acts: 6_000.0,
            max_age: Some(65),
            kernel: Kernel::apl(),
        }
    }
}

/// APL supply per site and what was assumed to build it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AplSupply {
    /// Counted acts a year per site (0 for GPs excluded by age).
    pub acts: Vec<f64>,
    /// GPs left out for being older than the age limit.
    pub excluded_for_age: usize,
    /// GPs kept although their age is unknown.
    pub unknown_age: usize,
    /// GPs whose activity was taken as capacity × 5,400 acts.
    pub assumed_activity: usize,
}

/// Applies the supply rules to `sites` (all GPs).
pub fn apl_supply(sites: &[Site], rules: &AplRules) -> AplSupply {
    let mut out = AplSupply::default();
    for s in sites {
        let too_old = match (rules.max_age, s.age) {
            (Some(limit), Some(age)) => age > limit,
            (Some(_), None) => {
                out.unknown_age += 1;
                false
            }
            (None, _) => false,
        };
        if too_old {
            out.excluded_for_age += 1;
            out.acts.push(0.0);
            continue;
        }
        let acts = s.activity.unwrap_or_else(|| {
            out.assumed_activity += 1;
            s.capacity * FULL_TIME_ACTS
        });
        out.acts.push(acts.clamp(rules.floor_acts, rules.cap_acts));
    }
    out
}

/// APL of every origin: consultations a year per standardised inhabitant, with the supply
/// as counted. `demand` is each origin's standardised population.
///
/// Two villages of 1,000 standardised inhabitants, 5 and 12 minutes from one GP who gave
/// 4,000 consultations: the GP's acts are shared in proportion to the DREES weights.
///
/// ```
/// use recours::indicators::{apl, AplRules, Kernel, TimesCatchments};
/// use recours::inputs::supply::Site;
///
/// let gp = Site {
///     id: "10001234567".into(), category: "gp".into(), lon: 2.48, lat: 48.9,
///     capacity: 1.0, activity: Some(4_000.0), age: Some(52), source: "rpps".into(),
/// };
/// let trips = TimesCatchments::new(2, 1, &[(0, 0, 5.0), (1, 0, 12.0)]);
/// let (r, _) = apl(&trips, &[gp], vec![1_000.0, 1_000.0], &AplRules::default())?;
/// let w = Kernel::apl().weight(12.0); // the 10–15 minute band's weight
/// let ratio = 4_000.0 / (1_000.0 + w * 1_000.0); // consultations per weighted inhabitant
/// assert!((r.access[0] - ratio).abs() < 1e-12);
/// assert!((r.access[1] - w * ratio).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apl<C: Catchments + ?Sized>(
    catchments: &C,
    sites: &[Site],
    demand: Vec<f64>,
    rules: &AplRules,
) -> Result<(FcaResult, AplSupply), FcaError> {
    if !(rules.floor_acts >= 0.0 && rules.floor_acts <= rules.cap_acts) {
        return Err(FcaError::Input(format!(
            "APL activity floor {} must lie between 0 and the cap {}",
            rules.floor_acts, rules.cap_acts
        )));
    }
    let supply = apl_supply(sites, rules);
    let spec = FcaSpec {
        kernel: rules.kernel.clone(),
        supply: supply.acts.clone(),
        demand,
    };
    let mut r = floating_catchment(catchments, &[spec])?;
    Ok((r.remove(0), supply))
}

/// An APL value (consultations a year per inhabitant) as full-time GPs per 100,000
/// inhabitants.
pub fn etp_per_100k(apl: f64) -> f64 {
    apl / FULL_TIME_ACTS * 100_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::catchment::TimesCatchments;

    fn gp(id: &str, activity: Option<f64>, age: Option<u32>) -> Site {
        Site {
            id: id.into(),
            category: "gp".into(),
            lon: 2.4,
            lat: 48.9,
            capacity: 1.0,
            activity,
            age,
            source: "test".into(),
        }
    }

    #[test]
    fn supply_rules_floor_cap_age_and_assumptions() {
        let sites = [
            gp("a", Some(2_000.0), Some(40)),
            gp("b", Some(9_000.0), Some(65)),
            gp("c", Some(5_000.0), Some(66)),
            gp("d", None, None),
        ];
        let s = apl_supply(&sites, &AplRules::default());
        assert_eq!(s.acts, vec![3_600.0, 6_000.0, 0.0, 5_400.0]);
        assert_eq!(
            (s.excluded_for_age, s.unknown_age, s.assumed_activity),
            (1, 1, 1)
        );
        let no_limit = AplRules {
            max_age: None,
            ..AplRules::default()
        };
        assert_eq!(apl_supply(&sites, &no_limit).acts[2], 5_000.0);
        let le60 = AplRules {
            max_age: Some(60),
            ..AplRules::default()
        };
        assert_eq!(
            apl_supply(&sites, &le60).acts,
            vec![3_600.0, 0.0, 0.0, 5_400.0]
        );
    }

    /// Two communes 12 minutes apart, GPs in the first only:
    /// A: 1,000 standardised inhabitants, 2 GPs at 4,000 and 7,000 (→ 6,000) acts;
    /// B: 500 inhabitants. Intra-commune time 0.
    /// R = 10,000 / (1,000·1 + 500·2/3) = 7.5 acts per standardised inhabitant;
    /// APL(A) = 7.5, APL(B) = 2/3 · 7.5 = 5.
    #[test]
    fn two_communes_by_hand() {
        let c = TimesCatchments::new(
            2,
            2,
            &[(0, 0, 0.0), (0, 1, 0.0), (1, 0, 12.0), (1, 1, 12.0)],
        );
        let sites = [
            gp("x", Some(4_000.0), Some(50)),
            gp("y", Some(7_000.0), Some(50)),
        ];
        let (r, _) = apl(&c, &sites, vec![1_000.0, 500.0], &AplRules::default()).unwrap();
        assert!((r.access[0] - 7.5).abs() < 1e-12, "{}", r.access[0]);
        assert!((r.access[1] - 5.0).abs() < 1e-12, "{}", r.access[1]);
        assert!((etp_per_100k(5.4) - 100.0).abs() < 1e-9);
    }
}
