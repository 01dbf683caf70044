//! Distance-decay kernels *f(t)* of the floating-catchment family: the weight a trip of
//! *t* minutes carries, 0 beyond the catchment radius.
//!
//! - **Step** bands (2SFCA: one band of weight 1; E2SFCA, Luo & Qi 2009, *Health & Place*
//!   15(4): 1 / 0.68 / 0.22 over 0–10 / 10–20 / 20–30 min; APL, DREES 2020: 1 / 2/3 / 1/3
//!   over 0–10 / 10–15 / 15–20 min). Which side of a bound a trip of exactly that time falls
//!   on is explicit ([`BoundSide`]).
//! - **Gaussian** `f(t) = exp(−t² / (2σ²))` (the kernel of PySAL `access`'s
//!   `weights.gaussian`), **exponential** `f(t) = exp(−β t)`, **linear**
//!   `f(t) = 1 − t / T`, **gravity** `f(t) = (max(t, t_min) / s)^(−β)` (Joseph & Bantock 1982;
//!   a floor `t_min` keeps trips of 0 minutes finite; PySAL's `weights.gravity(s, −β, t_min)`).
//!
//! Every kernel is cut at its catchment radius *T* (`max_minutes`): `f(t) = 0` for
//! `t > T` (a trip of exactly *T* minutes is inside, except for a step kernel whose last
//! bound excludes it).

use serde::{Deserialize, Serialize};

/// Which band a trip lasting exactly a band's upper bound falls in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoundSide {
    /// `t ≤ bound` is in the band ending at `bound` (10 minutes is in 0–10).
    #[default]
    UpperInclusive,
    /// `t < bound` is in the band ending at `bound` (10 minutes is in 10–20).
    UpperExclusive,
}

/// One band of a step kernel: trips up to `to_minutes` (and beyond the previous band) weigh
/// `weight`.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
pub struct Band {
    /// Upper bound of the band, minutes.
    pub to_minutes: f64,
    /// Weight of a trip in the band (0…1 in the usual methods).
    pub weight: f64,
}

/// A distance-decay kernel cut at a catchment radius.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Kernel {
    /// Constant weights over consecutive bands; 0 beyond the last.
    Step {
        /// Bands in increasing order of bound.
        bands: Vec<Band>,
        /// Side of each bound a trip of exactly that time falls on.
        #[serde(default)]
        side: BoundSide,
    },
    /// `exp(−t² / (2σ²))` up to `max_minutes`.
    Gaussian {
        /// σ, minutes.
        sigma_minutes: f64,
        /// Catchment radius, minutes.
        max_minutes: f64,
    },
    /// `exp(−β t)` up to `max_minutes`.
    Exponential {
        /// β, per minute.
        beta_per_minute: f64,
        /// Catchment radius, minutes.
        max_minutes: f64,
    },
    /// `1 − t / max_minutes` up to `max_minutes`.
    Linear {
        /// Catchment radius, minutes.
        max_minutes: f64,
    },
    /// `(max(t, min_minutes) / scale_minutes)^(−power)` up to `max_minutes`.
    Gravity {
        /// Power β of the decay.
        power: f64,
        /// Time unit of the decay, minutes (1 by default; it scales every weight alike, so
        /// accessibility does not depend on it, only the site ratios do).
        #[serde(default = "one")]
        scale_minutes: f64,
        /// Floor of the time, minutes (> 0).
        min_minutes: f64,
        /// Catchment radius, minutes.
        max_minutes: f64,
    },
}

fn one() -> f64 {
    1.0
}

/// Why a kernel cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("distance-decay kernel: {0}")]
pub struct KernelError(String);

impl Kernel {
    /// The 2SFCA kernel: weight 1 up to `max_minutes` (inclusive), 0 beyond.
    pub fn binary(max_minutes: f64) -> Kernel {
        Kernel::Step {
            bands: vec![Band {
                to_minutes: max_minutes,
                weight: 1.0,
            }],
            side: BoundSide::UpperInclusive,
        }
    }

    /// The E2SFCA kernel of Luo & Qi (2009): 1, 0.68, 0.22 over three equal bands up to
    /// `max_minutes` (10 / 20 / 30 for 30 minutes), bounds inclusive.
    pub fn e2sfca(max_minutes: f64) -> Kernel {
        let b = max_minutes / 3.0;
        Kernel::Step {
            bands: vec![
                Band {
                    to_minutes: b,
                    weight: 1.0,
                },
                Band {
                    to_minutes: 2.0 * b,
                    weight: 0.68,
                },
                Band {
                    to_minutes: max_minutes,
                    weight: 0.22,
                },
            ],
            side: BoundSide::UpperInclusive,
        }
    }

    /// The APL decay of DREES (post-2015 convention): 1 up to 10 min, 2/3 up to 15, 1/3 up to
    /// 20, 0 beyond; bounds inclusive.
    pub fn apl() -> Kernel {
        Kernel::Step {
            bands: vec![
                Band {
                    to_minutes: 10.0,
                    weight: 1.0,
                },
                Band {
                    to_minutes: 15.0,
                    weight: 2.0 / 3.0,
                },
                Band {
                    to_minutes: 20.0,
                    weight: 1.0 / 3.0,
                },
            ],
            side: BoundSide::UpperInclusive,
        }
    }

    /// Checks the parameters: finite, positive radii and σ, increasing bands, weights ≥ 0.
    pub fn validate(&self) -> Result<(), KernelError> {
        let positive = |v: f64, what: &str| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(KernelError(format!(
                    "{what} must be a positive number, got {v}"
                )))
            }
        };
        match self {
            Kernel::Step { bands, .. } => {
                if bands.is_empty() {
                    return Err(KernelError("a step kernel needs at least one band".into()));
                }
                let mut prev = 0.0;
                for b in bands {
                    positive(b.to_minutes, "a band's upper bound (minutes)")?;
                    if b.to_minutes <= prev {
                        return Err(KernelError(format!(
                            "band bounds must increase: {} after {prev}",
                            b.to_minutes
                        )));
                    }
                    if !(b.weight.is_finite() && b.weight >= 0.0) {
                        return Err(KernelError(format!(
                            "a band's weight must be ≥ 0, got {}",
                            b.weight
                        )));
                    }
                    prev = b.to_minutes;
                }
                Ok(())
            }
            Kernel::Gaussian {
                sigma_minutes,
                max_minutes,
            } => {
                positive(*sigma_minutes, "σ (minutes)")?;
                positive(*max_minutes, "the catchment radius (minutes)")
            }
            Kernel::Exponential {
                beta_per_minute,
                max_minutes,
            } => {
                positive(*beta_per_minute, "β (per minute)")?;
                positive(*max_minutes, "the catchment radius (minutes)")
            }
            Kernel::Linear { max_minutes } => {
                positive(*max_minutes, "the catchment radius (minutes)")
            }
            Kernel::Gravity {
                power,
                min_minutes,
                scale_minutes,
                max_minutes,
            } => {
                positive(*power, "the gravity power")?;
                positive(*scale_minutes, "the gravity time unit (minutes)")?;
                positive(*min_minutes, "the gravity floor (minutes)")?;
                positive(*max_minutes, "the catchment radius (minutes)")
            }
        }
    }

    /// Catchment radius, minutes: trips longer than this weigh 0.
    pub fn max_minutes(&self) -> f64 {
        match self {
            Kernel::Step { bands, .. } => bands.last().map_or(0.0, |b| b.to_minutes),
            Kernel::Gaussian { max_minutes, .. }
            | Kernel::Exponential { max_minutes, .. }
            | Kernel::Linear { max_minutes }
            | Kernel::Gravity { max_minutes, .. } => *max_minutes,
        }
    }

    /// Weight of a trip of `minutes` (≥ 0); 0 outside the catchment.
    pub fn weight(&self, minutes: f64) -> f64 {
        if minutes.is_nan() || minutes < 0.0 {
            return 0.0;
        }
        match self {
            Kernel::Step { bands, side } => {
                let inside = |b: &Band| match side {
                    BoundSide::UpperInclusive => minutes <= b.to_minutes,
                    BoundSide::UpperExclusive => minutes < b.to_minutes,
                };
                bands.iter().find(|b| inside(b)).map_or(0.0, |b| b.weight)
            }
            _ if minutes > self.max_minutes() => 0.0,
            Kernel::Gaussian { sigma_minutes, .. } => {
                (-(minutes * minutes) / (2.0 * sigma_minutes * sigma_minutes)).exp()
            }
            Kernel::Exponential {
                beta_per_minute, ..
            } => (-beta_per_minute * minutes).exp(),
            Kernel::Linear { max_minutes } => 1.0 - minutes / max_minutes,
            Kernel::Gravity {
                power,
                min_minutes,
                scale_minutes,
                ..
            } => (minutes.max(*min_minutes) / scale_minutes).powf(-power),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_bounds_fall_on_the_side_asked() {
        let inc = Kernel::e2sfca(30.0);
        assert_eq!(inc.weight(0.0), 1.0);
        assert_eq!(inc.weight(10.0), 1.0);
        assert_eq!(inc.weight(10.000001), 0.68);
        assert_eq!(inc.weight(20.0), 0.68);
        assert_eq!(inc.weight(30.0), 0.22);
        assert_eq!(inc.weight(30.000001), 0.0);
        let Kernel::Step { bands, .. } = inc else {
            unreachable!()
        };
        let exc = Kernel::Step {
            bands,
            side: BoundSide::UpperExclusive,
        };
        assert_eq!(exc.weight(9.999), 1.0);
        assert_eq!(exc.weight(10.0), 0.68);
        assert_eq!(exc.weight(20.0), 0.22);
        assert_eq!(exc.weight(30.0), 0.0);
    }

    #[test]
    fn apl_decay_is_the_drees_convention() {
        let k = Kernel::apl();
        assert_eq!(k.max_minutes(), 20.0);
        assert_eq!(k.weight(7.5), 1.0);
        assert_eq!(k.weight(12.0), 2.0 / 3.0);
        assert_eq!(k.weight(15.0), 2.0 / 3.0);
        assert_eq!(k.weight(19.0), 1.0 / 3.0);
        assert_eq!(k.weight(21.0), 0.0);
    }

    #[test]
    fn continuous_kernels_match_their_formulas_and_stop_at_the_radius() {
        let g = Kernel::Gaussian {
            sigma_minutes: 10.0,
            max_minutes: 30.0,
        };
        assert!((g.weight(10.0) - (-0.5f64).exp()).abs() < 1e-15);
        assert_eq!(g.weight(30.0), (-4.5f64).exp());
        assert_eq!(g.weight(30.5), 0.0);
        let e = Kernel::Exponential {
            beta_per_minute: 0.1,
            max_minutes: 30.0,
        };
        assert!((e.weight(20.0) - (-2.0f64).exp()).abs() < 1e-15);
        let l = Kernel::Linear { max_minutes: 20.0 };
        assert_eq!(l.weight(5.0), 0.75);
        assert_eq!(l.weight(20.0), 0.0);
        let gr = Kernel::Gravity {
            power: 2.0,
            min_minutes: 1.0,
            scale_minutes: 1.0,
            max_minutes: 30.0,
        };
        assert_eq!(gr.weight(0.0), 1.0);
        assert_eq!(gr.weight(4.0), 1.0 / 16.0);
        assert_eq!(gr.weight(31.0), 0.0);
        assert_eq!(gr.weight(f64::NAN), 0.0);
        assert_eq!(gr.weight(-1.0), 0.0);
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(Kernel::binary(30.0).validate().is_ok());
        let bad = Kernel::Step {
            bands: vec![
                Band {
                    to_minutes: 10.0,
                    weight: 1.0,
                },
                Band {
                    to_minutes: 5.0,
                    weight: 0.5,
                },
            ],
            side: BoundSide::UpperInclusive,
        };
        assert!(bad.validate().unwrap_err().to_string().contains("increase"));
        let bad = Kernel::Gaussian {
            sigma_minutes: 0.0,
            max_minutes: 30.0,
        };
        assert!(bad.validate().is_err());
        assert!(Kernel::Step {
            bands: vec![],
            side: BoundSide::UpperInclusive
        }
        .validate()
        .is_err());
    }

    #[test]
    fn kernels_read_from_toml() {
        #[derive(Deserialize)]
        struct W {
            k: Kernel,
        }
        let w: W = toml::from_str(
            "k = { kind = \"step\", side = \"upper-exclusive\", bands = [{ to_minutes = 10, weight = 1 }, { to_minutes = 20, weight = 0.5 }] }",
        )
        .unwrap();
        assert_eq!(w.k.weight(10.0), 0.5);
        let w: W =
            toml::from_str("k = { kind = \"gaussian\", sigma_minutes = 10, max_minutes = 30 }")
                .unwrap();
        assert_eq!(w.k.max_minutes(), 30.0);
    }
}
