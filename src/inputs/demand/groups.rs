//! Target populations (`[[population.groups]]`): the inhabitants of an age span in each
//! origin, from its Filosofi age bands — women and men aged 50–74 for colorectal
//! screening, people aged 75 and over for home visits, children aged 2–7.
//!
//! The span is cut out of the ten Filosofi bands by the ICC's re-banding
//! ([`crate::inputs::icc_filosofi::Rebanding`]): a band inside the span counts whole, a band
//! the span cuts counts in proportion to the years it shares with the span (**ages assumed
//! uniform within a Filosofi band**); a span starting inside the open 80 + band is refused.
//! Filosofi has no sex: a group is by age only.
//!
//! Worked example: 50–74 from a cell with 150 inhabitants aged 40–54 and 100 aged 55–64
//! and 150 aged 65–79: 5/15 × 150 + 100 + 10/15 × 150 = 50 + 100 + 100 = 250.

use crate::inputs::demand::Origin;
use crate::inputs::icc_filosofi::{AgeSpan, RebandError, Rebanding};

/// Why a group cannot be computed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GroupError {
    /// The ages cannot be cut from Filosofi's bands.
    #[error("population group {group:?}: {source}")]
    Ages {
        /// Group name.
        group: String,
        /// Why.
        source: RebandError,
    },
    /// An origin has no age bands.
    #[error("population group {group:?}: origin {origin} has no age bands (a group needs Filosofi cells)")]
    NoAges {
        /// Group name.
        group: String,
        /// The origin's identifier.
        origin: String,
    },
}

/// The inhabitants of `ages` (`50-74`, `75+`: [`AgeSpan::parse`]) in each origin.
pub fn group_population(
    group: &str,
    ages: &str,
    origins: &[Origin],
) -> Result<Vec<f64>, GroupError> {
    let err = |source| GroupError::Ages {
        group: group.to_string(),
        source,
    };
    let span = AgeSpan::parse(ages).map_err(err)?;
    let mut labels = Vec::new();
    if span.from > 0 {
        labels.push(format!("0-{}", span.from - 1));
    }
    let target = labels.len();
    match span.to {
        Some(to) => {
            labels.push(format!("{}-{}", span.from, to - 1));
            labels.push(format!("{to}+"));
        }
        None => labels.push(format!("{}+", span.from)),
    }
    let rebanding = Rebanding::new(labels.iter().map(String::as_str)).map_err(err)?;
    origins
        .iter()
        .map(|o| {
            let bands = o.ages.as_ref().ok_or_else(|| GroupError::NoAges {
                group: group.to_string(),
                origin: o.id.clone(),
            })?;
            Ok(rebanding.apply(bands).0[target])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(ages: Option<[f64; 10]>) -> Origin {
        Origin {
            id: "c".into(),
            lon: 0.0,
            lat: 0.0,
            population: 0.0,
            ages,
            income: None,
            source: "t:1".into(),
        }
    }

    #[test]
    fn ages_cut_inside_filosofi_bands_are_shared_by_years() {
        // 0-3 4-5 6-10 11-17 18-24 25-39 40-54 55-64 65-79 80+
        let bands = [7.0, 8.0, 10.0, 14.0, 0.0, 0.0, 150.0, 100.0, 150.0, 40.0];
        let o = [origin(Some(bands))];
        assert_eq!(group_population("screening", "50-74", &o).unwrap(), [250.0]);
        // 75+: 5/15 of 65-79 and all of 80+.
        assert_eq!(group_population("old", "75+", &o).unwrap(), [90.0]);
        // 2-7: 2/4 of 0-3, all of 4-5, 2/5 of 6-10.
        let kids = group_population("kids", "2-7", &o).unwrap()[0];
        assert!((kids - (3.5 + 8.0 + 4.0)).abs() < 1e-12, "{kids}");
        // Everyone.
        assert_eq!(group_population("all", "0+", &o).unwrap(), [479.0]);
    }

    #[test]
    fn unusable_groups_are_errors_naming_them() {
        let o = [origin(Some([1.0; 10]))];
        let e = group_population("oldest", "85+", &o).unwrap_err();
        assert!(e.to_string().contains("\"oldest\""), "{e}");
        assert!(e.to_string().contains("80+"), "{e}");
        let e = group_population("g", "fifty", &o).unwrap_err();
        assert!(matches!(e, GroupError::Ages { .. }));
        let e = group_population("g", "50-74", &[origin(None)]).unwrap_err();
        assert!(e.to_string().contains("no age bands"), "{e}");
    }
}
