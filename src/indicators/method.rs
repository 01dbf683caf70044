//! The floating-catchment methods by name (`2sfca`, `e2sfca`, `apl`, `gaussian`,
//! `exponential`, `linear`, `gravity`) and their parameters, as the study file and the
//! `fca` command give them: [`method_from`] turns a name and [`MethodParams`] into an
//! [`FcaMethod`], a [`Kernel`] or the APL's rules ([`AplRules`]), checked before use.

use crate::indicators::apl::AplRules;
use crate::indicators::kernel::{Band, Kernel, KernelError};

/// Why a method cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MethodError {
    /// A method name outside [`METHODS`].
    #[error("unknown method {0:?}; expected one of {methods}", methods = METHODS.join(", "))]
    Unknown(String),
    /// A step band that does not read as `minutes:weight`.
    #[error("band {band:?}: {reason}")]
    Band {
        /// The band as written.
        band: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A kernel whose parameters are out of range.
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// Both a maximum time and step bands: the last band ends the catchment, so the
    /// maximum would be ignored.
    #[error("max minutes and bands given together: the last band ends the catchment, so the max minutes would be ignored; drop one")]
    BandsAndMaxMinutes,
    /// Step bands given to a method without bands (only 2SFCA, E2SFCA and APL have them).
    #[error("bands given to method {0:?}, which has none (bands serve 2sfca, e2sfca, apl)")]
    BandsIgnored(String),
}

/// A floating-catchment method with its parameters: a kernel on plain capacity, or the
/// DREES APL with its supply rules.
#[derive(Clone, Debug, PartialEq)]
pub enum FcaMethod {
    /// Any kernel on plain capacity (2SFCA, E2SFCA, Gaussian…).
    Kernel(Kernel),
    /// The DREES APL with its supply rules (activity floor and cap, age limit).
    Apl(AplRules),
}

impl FcaMethod {
    /// The distance decay and catchment of the method.
    pub fn kernel(&self) -> &Kernel {
        match self {
            FcaMethod::Kernel(k) => k,
            FcaMethod::Apl(rules) => &rules.kernel,
        }
    }
}

/// Method parameters as given on the command line or in a study file; those a method
/// does not use are ignored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MethodParams {
    /// Catchment radius, minutes (default 30; APL: the end of its bands).
    pub max_minutes: Option<f64>,
    /// Step bands `to:weight,…` (`10:1,20:0.68,30:0.22`), overriding the method's.
    pub bands: Option<String>,
    /// Side of the band bounds a trip of exactly that time falls on.
    pub side: crate::indicators::kernel::BoundSide,
    /// Gaussian σ, minutes (default 10).
    pub sigma_minutes: Option<f64>,
    /// Exponential β, per minute (default 0.1).
    pub beta_per_minute: Option<f64>,
    /// Gravity power (default 1.5), floor (default 1 min) and unit (default 1 min).
    pub power: Option<f64>,
    /// Gravity floor, minutes.
    pub min_minutes: Option<f64>,
    /// Gravity time unit, minutes.
    pub scale_minutes: Option<f64>,
    /// APL age limit, years (`None` = 65); `Some(None)` = no limit.
    pub max_age: Option<Option<u32>>,
}

/// Method names [`method_from`] knows.
pub const METHODS: [&str; 7] = [
    "2sfca",
    "e2sfca",
    "apl",
    "gaussian",
    "exponential",
    "linear",
    "gravity",
];

/// The method named `name` with `p`'s parameters.
pub fn method_from(name: &str, p: &MethodParams) -> Result<FcaMethod, MethodError> {
    let lower = name.to_ascii_lowercase();
    if p.bands.is_some() {
        if p.max_minutes.is_some() {
            return Err(MethodError::BandsAndMaxMinutes);
        }
        if METHODS.contains(&lower.as_str())
            && !matches!(lower.as_str(), "2sfca" | "e2sfca" | "apl")
        {
            return Err(MethodError::BandsIgnored(name.to_string()));
        }
    }
    let max = p.max_minutes.unwrap_or(30.0);
    let bands = p.bands.as_deref().map(parse_bands).transpose()?;
    let stepped = |default: Kernel| match &bands {
        Some(b) => Kernel::Step {
            bands: b.clone(),
            side: p.side,
        },
        None => match default {
            Kernel::Step { bands, .. } => Kernel::Step {
                bands,
                side: p.side,
            },
            k => k,
        },
    };
    let kernel = match lower.as_str() {
        "2sfca" => stepped(Kernel::binary(max)),
        "e2sfca" => stepped(Kernel::e2sfca(max)),
        "apl" => {
            let mut rules = AplRules {
                kernel: stepped(Kernel::apl()),
                ..AplRules::default()
            };
            if let Some(age) = p.max_age {
                rules.max_age = age;
            }
            rules.kernel.validate()?;
            return Ok(FcaMethod::Apl(rules));
        }
        "gaussian" => Kernel::Gaussian {
            sigma_minutes: p.sigma_minutes.unwrap_or(10.0),
            max_minutes: max,
        },
        "exponential" => Kernel::Exponential {
            beta_per_minute: p.beta_per_minute.unwrap_or(0.1),
            max_minutes: max,
        },
        "linear" => Kernel::Linear { max_minutes: max },
        "gravity" => Kernel::Gravity {
            power: p.power.unwrap_or(1.5),
            min_minutes: p.min_minutes.unwrap_or(1.0),
            scale_minutes: p.scale_minutes.unwrap_or(1.0),
            max_minutes: max,
        },
        other => return Err(MethodError::Unknown(other.to_string())),
    };
    kernel.validate()?;
    Ok(FcaMethod::Kernel(kernel))
}

/// Parses step bands written `to:weight,to:weight,…` (minutes and weights).
pub fn parse_bands(text: &str) -> Result<Vec<Band>, MethodError> {
    text.split(',')
        .map(|b| {
            let (to, w) = b.split_once(':').ok_or_else(|| MethodError::Band {
                band: b.to_string(),
                reason: "expected `minutes:weight`, as in 10:1,20:0.68,30:0.22".into(),
            })?;
            let parse = |v: &str, what: &str| {
                v.trim().parse::<f64>().map_err(|_| MethodError::Band {
                    band: b.to_string(),
                    reason: format!("{what} {v:?} is not a number"),
                })
            };
            Ok(Band {
                to_minutes: parse(to, "bound")?,
                weight: parse(w, "weight")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::kernel::BoundSide;

    #[test]
    fn methods_by_name_with_parameters() {
        let p = MethodParams {
            max_minutes: Some(20.0),
            ..MethodParams::default()
        };
        assert_eq!(
            method_from("2SFCA", &p).unwrap(),
            FcaMethod::Kernel(Kernel::binary(20.0))
        );
        let p = MethodParams {
            bands: Some("5:1, 10:0.5".into()),
            side: BoundSide::UpperExclusive,
            ..MethodParams::default()
        };
        let FcaMethod::Kernel(k) = method_from("e2sfca", &p).unwrap() else {
            panic!("not a kernel")
        };
        assert_eq!(
            (k.weight(5.0), k.weight(4.9), k.max_minutes()),
            (0.5, 1.0, 10.0)
        );
        let p = MethodParams {
            max_age: Some(Some(62)),
            ..MethodParams::default()
        };
        let FcaMethod::Apl(r) = method_from("apl", &p).unwrap() else {
            panic!("not APL")
        };
        assert_eq!((r.max_age, r.kernel.max_minutes()), (Some(62), 20.0));
        let e = method_from("3sfca", &MethodParams::default()).unwrap_err();
        assert!(e.to_string().contains("expected one of 2sfca"), "{e}");
        assert!(parse_bands("10-1").is_err());
        let bad = MethodParams {
            bands: Some("10:1,5:1".into()),
            ..MethodParams::default()
        };
        assert!(method_from("2sfca", &bad).is_err());
    }

    #[test]
    fn bands_are_never_silently_ignored() {
        let both = MethodParams {
            bands: Some("10:1,20:0.5".into()),
            max_minutes: Some(30.0),
            ..MethodParams::default()
        };
        assert_eq!(
            method_from("e2sfca", &both),
            Err(MethodError::BandsAndMaxMinutes)
        );
        let gaussian = MethodParams {
            bands: Some("10:1".into()),
            ..MethodParams::default()
        };
        assert_eq!(
            method_from("gaussian", &gaussian),
            Err(MethodError::BandsIgnored("gaussian".into()))
        );
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let e = parse_bands("10-1").unwrap_err();
        assert!(e.to_string().contains("expected `minutes:weight`"), "{e}");
        let e = parse_bands("10:x").unwrap_err();
        assert!(
            e.to_string().contains("weight \"x\" is not a number"),
            "{e}"
        );
    }
}
