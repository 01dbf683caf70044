//! Geocoding postal addresses against the Base Adresse Nationale (BAN).
//!
//! The Annuaire Santé gives practice addresses without coordinates. [`ban::BanIndex`] reads the
//! BAN's per-département CSV files and locates an [`Address`] at the best precision it can
//! reach, recorded on every result ([`Precision`]): the house number, else the street (mean of
//! its BAN addresses), else the commune's centre, else nothing ([`Precision::Failed`], with
//! the reason). Text on both sides goes through [`normalize`].

pub mod ban;
pub mod normalize;

use std::fmt;

/// A postal address as the Annuaire Santé gives it, fields verbatim (trimmed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    /// House number, possibly with a glued repetition letter ("12", "12 B").
    pub number: String,
    /// Repetition index ("B", "BIS", "T"…), empty when none.
    pub rep: String,
    /// Street type, as a word or an abbreviation ("Avenue", "AV").
    pub street_type: String,
    /// Street name without its type ("DU GENERAL DE GAULLE").
    pub street: String,
    /// Postcode ("93140").
    pub postcode: String,
    /// INSEE commune code ("93010"; Paris may come as 75056 or as an arrondissement 75115).
    pub commune_code: String,
    /// Commune name ("BONDY").
    pub commune_name: String,
}

impl AsRef<Address> for Address {
    fn as_ref(&self) -> &Address {
        self
    }
}

/// How precisely an address was located, best first. Serialised as [`Precision::as_str`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// At the BAN position of the house number.
    HouseNumber,
    /// At the mean of the BAN addresses of the street (number missing or unknown).
    Street,
    /// At the commune's centre (street missing or unknown).
    Commune,
    /// Not located (commune unknown or ambiguous); coordinates are NaN.
    Failed,
}

impl Precision {
    /// Lower-case name used in outputs ("house_number", "street", "commune", "failed").
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::HouseNumber => "house_number",
            Precision::Street => "street",
            Precision::Commune => "commune",
            Precision::Failed => "failed",
        }
    }
}

/// Where an address was located.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Geocoded {
    /// Longitude, WGS84 degrees (NaN when [`Precision::Failed`]).
    pub lon: f64,
    /// Latitude, WGS84 degrees (NaN when [`Precision::Failed`]).
    pub lat: f64,
    /// Precision reached.
    pub precision: Precision,
    /// What it was matched to, in BAN spelling ("12 Avenue Gallieni, 93010 Bondy"), with what
    /// was missing; for [`Precision::Failed`], the reason.
    pub matched: String,
    /// Similarity (0–1) of the street when it was found by fuzzy matching, `None` when the
    /// street matched exactly or was not used.
    pub fuzzy: Option<f64>,
}

impl Geocoded {
    /// A failure with its reason.
    pub fn failed(reason: impl Into<String>) -> Self {
        Geocoded {
            lon: f64::NAN,
            lat: f64::NAN,
            precision: Precision::Failed,
            matched: reason.into(),
            fuzzy: None,
        }
    }
}

/// Counts of geocoding results by precision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GeocodeSummary {
    /// Addresses geocoded.
    pub total: usize,
    /// Located at the house number.
    pub house_number: usize,
    /// Located at the street.
    pub street: usize,
    /// Located at the commune's centre.
    pub commune: usize,
    /// Not located.
    pub failed: usize,
    /// Of the located ones, how many went through a fuzzy street match.
    pub fuzzy: usize,
}

impl GeocodeSummary {
    /// Counts the results.
    pub fn of(results: &[Geocoded]) -> Self {
        let mut s = GeocodeSummary {
            total: results.len(),
            ..Default::default()
        };
        for g in results {
            match g.precision {
                Precision::HouseNumber => s.house_number += 1,
                Precision::Street => s.street += 1,
                Precision::Commune => s.commune += 1,
                Precision::Failed => s.failed += 1,
            }
            s.fuzzy += usize::from(g.fuzzy.is_some());
        }
        s
    }
}

impl fmt::Display for GeocodeSummary {
    /// A small table: one line per precision with count and share of the total.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let share = |n: usize| {
            if self.total == 0 {
                0.0
            } else {
                100.0 * n as f64 / self.total as f64
            }
        };
        writeln!(f, "geocoded {} addresses", self.total)?;
        for (name, n) in [
            ("house number", self.house_number),
            ("street", self.street),
            ("commune centre", self.commune),
            ("failed", self.failed),
        ] {
            writeln!(f, "  {name:<15}{n:>9}  {:>5.1} %", share(n))?;
        }
        write!(f, "  (fuzzy street matches: {})", self.fuzzy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(p: Precision, fuzzy: Option<f64>) -> Geocoded {
        Geocoded {
            lon: 2.0,
            lat: 48.0,
            precision: p,
            matched: String::new(),
            fuzzy,
        }
    }

    #[test]
    fn summary_counts_and_prints() {
        let r = vec![
            at(Precision::HouseNumber, None),
            at(Precision::HouseNumber, Some(0.95)),
            at(Precision::Street, None),
            Geocoded::failed("commune 99999 unknown"),
        ];
        let s = GeocodeSummary::of(&r);
        assert_eq!(
            s,
            GeocodeSummary {
                total: 4,
                house_number: 2,
                street: 1,
                commune: 0,
                failed: 1,
                fuzzy: 1
            }
        );
        let text = s.to_string();
        assert!(text.contains("house number           2   50.0 %"), "{text}");
        assert!(text.contains("commune centre         0    0.0 %"), "{text}");
        assert!(text.ends_with("(fuzzy street matches: 1)"), "{text}");
        assert_eq!(GeocodeSummary::of(&[]).to_string().lines().count(), 6);
    }

    #[test]
    fn precision_names() {
        let names: Vec<&str> = [
            Precision::HouseNumber,
            Precision::Street,
            Precision::Commune,
            Precision::Failed,
        ]
        .iter()
        .map(|p| p.as_str())
        .collect();
        assert_eq!(names, ["house_number", "street", "commune", "failed"]);
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(Geocoded::failed("x")).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text, "lon,lat,precision,matched,fuzzy\nNaN,NaN,failed,x,\n");
    }
}
