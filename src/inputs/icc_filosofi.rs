//! The ICC's population from Filosofi 200 m cells ([`crate::inputs::demand::filosofi`]): cells
//! summed per commune and re-banded into the consumption table's age bands (DOMAIN.md,
//! "ICC"; issue 5, "the Filosofi cells aggregated to communes (age only)").
//!
//! **Communes.** With a commune layer, a cell belongs to the commune whose polygon holds its
//! centre ([`UnitIndex`]; on a shared border, the first in layer order). Without one, it
//! belongs to the single commune of its `lcog_geo`; a cell whose `lcog_geo` is empty or
//! names several communes (a cell across a boundary), or whose centre lies in no commune of
//! the layer, is rejected ([`Rejects`], cell id and line) and its inhabitants counted in
//! [`CellStats::rejected`].
//!
//! **Ages.** Filosofi bands are 0–3, 4–5, 6–10, 11–17, 18–24, 25–39, 40–54, 55–64, 65–79 and
//! 80 + ([`crate::inputs::demand::filosofi::AGE_COLUMNS`]). A consumption band is read from its label ([`AgeSpan::parse`]:
//! `0-14` = ages 0 to 14 inclusive, `75+` or `75p` = 75 and over); the bands must tile all
//! ages once (from 0, no gap, no overlap, the last open). A consumption band that is a union
//! of Filosofi bands gets their exact sum; a Filosofi band cut by consumption bands is shared
//! among them in proportion to the years each overlaps — **assumption: ages are uniform
//! within a Filosofi band** — and the inhabitants so apportioned are counted
//! ([`CellStats::apportioned`]). The open 80 + band has no width: a band starting after
//! 80 is refused ([`RebandError`]). Every inhabitant of a Filosofi band lands in exactly one
//! consumption band (the last band a Filosofi band overlaps takes the remainder), so the
//! total is preserved. A cell's population is the sum of its age bands: `ind_inc`
//! (inhabitants of unknown age) carry no age and are counted apart
//! ([`CellStats::unknown_age`]).
//!
//! **Sex.** Filosofi has none: the population is by age only, so the ICC is standardised on
//! age only (`standardisation` = `age`) and consumption split by sex is summed over sex.
//!
//! Worked example: consumption bands `0-14`, `15-44`, `45+`; a cell with 4 inhabitants in
//! each Filosofi band. `0-14` = 0–3 + 4–5 + 6–10 + 4/7 of 11–17 (years 11–14 of 11–17) =
//! 4 + 4 + 4 + 16/7 = 14.2857; `15-44` = 3/7 of 11–17 + 18–24 + 25–39 + 5/15 of 40–54 =
//! 12/7 + 4 + 4 + 4/3 = 11.0476; `45+` = 10/15 of 40–54 + 55–64 + 65–79 + 80 + = 8/3 + 12 =
//! 14.6667; total 40; apportioned 8 (the 11–17 and 40–54 bands).

use crate::inputs::consumption::{Dims, Population, Stratum};
use crate::inputs::demand::filosofi::Cell;
use crate::inputs::territory::membership::is_commune_code;
use crate::inputs::territory::{UnitIndex, UnitLayer};
use crate::support::rejects::Rejects;
use std::collections::{BTreeMap, BTreeSet};

/// First age of each Filosofi band, in [`crate::inputs::demand::filosofi::AGE_COLUMNS`] order (the last band is open).
const FILOSOFI_STARTS: [u32; 10] = [0, 4, 6, 11, 18, 25, 40, 55, 65, 80];

/// Why the consumption's age bands cannot receive Filosofi inhabitants.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RebandError {
    /// A label is not an age band.
    #[error("age band {0:?} is not of the form `15-44` or `75+`")]
    Label(String),
    /// The bands do not tile all ages once.
    #[error(
        "age bands {bands:?} do not cover every age once from 0 with an open last band: {reason}"
    )]
    Tiling {
        /// The labels.
        bands: Vec<String>,
        /// What is wrong.
        reason: String,
    },
    /// A band starts inside the open 80 + band, which has no width to share.
    #[error("age band {0:?} cuts Filosofi's open 80+ band, which cannot be shared by years")]
    CutsOpenBand(String),
}

/// Ages `from` to `to` (exclusive; `None` = no upper bound), years.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgeSpan {
    /// First age, years.
    pub from: u32,
    /// First age after the band, years; `None` for an open band.
    pub to: Option<u32>,
}

impl AgeSpan {
    /// Reads `a-b` / `a_b` (ages a to b inclusive, optional `ans` or `years` after) or
    /// `a+` / `ap` / `a-` (a and over).
    pub fn parse(label: &str) -> Result<AgeSpan, RebandError> {
        let bad = || RebandError::Label(label.to_string());
        let t = label.trim().to_lowercase();
        let t = t.trim_end_matches("years").trim_end_matches("ans").trim();
        let num = |s: &str| s.trim().parse::<u32>().map_err(|_| bad());
        if let Some(a) = t.strip_suffix(['+', 'p', '-']) {
            return Ok(AgeSpan {
                from: num(a)?,
                to: None,
            });
        }
        let (a, b) = t.split_once(['-', '_', '–']).ok_or_else(bad)?;
        let (from, last) = (num(a)?, num(b)?);
        if last < from {
            return Err(bad());
        }
        Ok(AgeSpan {
            from,
            to: Some(last + 1),
        })
    }

    /// Years `self` and `other` share (`f64::INFINITY` for two open bands).
    fn overlap(self, other: AgeSpan) -> f64 {
        let from = self.from.max(other.from);
        match (self.to, other.to) {
            (None, None) => f64::INFINITY,
            (a, b) => {
                let to = a.unwrap_or(u32::MAX).min(b.unwrap_or(u32::MAX));
                f64::from(to.saturating_sub(from))
            }
        }
    }
}

/// How each Filosofi band is shared among the target bands.
#[derive(Clone, Debug, PartialEq)]
pub struct Rebanding {
    /// Target labels, in age order.
    pub labels: Vec<String>,
    /// Per Filosofi band, `(target index, share)` pairs; shares sum to 1.
    pub shares: [Vec<(usize, f64)>; 10],
}

impl Rebanding {
    /// The rebanding into `labels` (any order), after checking they tile all ages once.
    pub fn new<'a>(labels: impl IntoIterator<Item = &'a str>) -> Result<Rebanding, RebandError> {
        let mut bands: Vec<(AgeSpan, String)> = labels
            .into_iter()
            .map(|l| Ok((AgeSpan::parse(l)?, l.to_string())))
            .collect::<Result<_, RebandError>>()?;
        bands.sort_by_key(|(s, _)| (s.from, s.to.is_none()));
        let names: Vec<String> = bands.iter().map(|(_, l)| l.clone()).collect();
        let tiling = |reason: String| RebandError::Tiling {
            bands: names.clone(),
            reason,
        };
        let mut next = Some(0);
        for (s, l) in &bands {
            match next {
                Some(n) if n == s.from => next = s.to,
                Some(n) => return Err(tiling(format!("{l:?} starts at {} not {n}", s.from))),
                None => return Err(tiling(format!("{l:?} follows the open band"))),
            }
        }
        if next.is_some() {
            return Err(tiling("no open last band (`75+`)".into()));
        }
        let filosofi: [AgeSpan; 10] = std::array::from_fn(|k| AgeSpan {
            from: FILOSOFI_STARTS[k],
            to: FILOSOFI_STARTS.get(k + 1).copied(),
        });
        let mut shares: [Vec<(usize, f64)>; 10] = Default::default();
        for (k, f) in filosofi.iter().enumerate() {
            for (t, (s, l)) in bands.iter().enumerate() {
                let years = f.overlap(*s);
                if years <= 0.0 {
                    continue;
                }
                match f.to {
                    Some(to) => shares[k].push((t, years / f64::from(to - f.from))),
                    None if s.to.is_none() && s.from <= f.from => shares[k].push((t, 1.0)),
                    None => return Err(RebandError::CutsOpenBand(l.clone())),
                }
            }
        }
        Ok(Rebanding {
            labels: names,
            shares,
        })
    }

    /// Inhabitants per target band of one set of Filosofi bands, and how many of them were
    /// apportioned (in a Filosofi band cut by target bands).
    pub fn apply(&self, ages: &[f64; 10]) -> (Vec<f64>, f64) {
        let mut out = vec![0.0; self.labels.len()];
        let mut apportioned = 0.0;
        for (k, shares) in self.shares.iter().enumerate() {
            let p = ages[k];
            if shares.len() > 1 {
                apportioned += p;
            }
            let mut left = p;
            for (n, (t, share)) in shares.iter().enumerate() {
                let part = if n + 1 == shares.len() {
                    left
                } else {
                    p * share
                };
                out[*t] += part;
                left -= part;
            }
        }
        (out, apportioned)
    }
}

/// What building the ICC population from cells did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CellStats {
    /// Cells used.
    pub cells: usize,
    /// Inhabitants (sum of age bands) of the cells rejected.
    pub rejected: f64,
    /// Inhabitants apportioned by years within a Filosofi band cut by a consumption band.
    pub apportioned: f64,
    /// `ind_inc`-like residual: `ind` minus the sum of the age bands, over the cells used.
    pub unknown_age: f64,
}

/// The commune of a cell, or why it has none.
fn commune_of(cell: &Cell, index: Option<&(UnitIndex<'_>, &UnitLayer)>) -> Result<String, String> {
    if let Some((index, layer)) = index {
        return match index.units_of(cell.lon, cell.lat).first() {
            Some(&u) => Ok(layer.units[u].code.clone()),
            None => Err(format!(
                "cell centre ({:.6}, {:.6}) is in no unit of the {} layer",
                cell.lon, cell.lat, layer.kind
            )),
        };
    }
    let codes = cell.lcog_geo.trim();
    if codes.is_empty() {
        return Err("no lcog_geo and no commune layer to place the cell".into());
    }
    if is_commune_code(codes) {
        return Ok(codes.to_string());
    }
    Err(format!(
        "lcog_geo {codes:?} is not a single commune code (a cell across communes): give a commune layer to place it"
    ))
}

/// Sums `cells` per commune into the age bands `bands` (the consumption's labels), or into
/// one unstratified total per commune when `bands` is `None`: inhabitants per commune × age
/// band (no sex). Rejected cells are recorded under `source`.
pub fn population_from_cells(
    cells: &[Cell],
    bands: Option<&BTreeSet<String>>,
    communes: Option<&UnitLayer>,
    source: &str,
    rejects: &mut Rejects,
) -> Result<(Population, CellStats), RebandError> {
    let rebanding = bands
        .map(|b| Rebanding::new(b.iter().map(String::as_str)))
        .transpose()?;
    let index = communes.map(|l| (UnitIndex::new(l), l));
    let mut totals: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let width = rebanding.as_ref().map_or(1, |r| r.labels.len());
    let mut population = Population {
        source: source.to_string(),
        dims: Dims {
            age: rebanding.is_some(),
            sex: false,
        },
        cells: BTreeMap::new(),
    };
    let mut out = CellStats::default();
    for cell in cells {
        let people: f64 = cell.ages.iter().sum();
        match commune_of(cell, index.as_ref()) {
            Ok(code) => {
                let (parts, apportioned) = match &rebanding {
                    Some(r) => r.apply(&cell.ages),
                    None => (vec![people], 0.0),
                };
                let sums = totals.entry(code).or_insert_with(|| vec![0.0; width]);
                for (s, p) in sums.iter_mut().zip(parts) {
                    *s += p;
                }
                out.cells += 1;
                out.apportioned += apportioned;
                out.unknown_age += (cell.ind - people).max(0.0);
            }
            Err(reason) => {
                out.rejected += people;
                rejects.push(source, cell.line, &cell.id, reason);
            }
        }
    }
    let labels = rebanding.map_or_else(|| vec![String::new()], |r| r.labels);
    for (code, sums) in totals {
        for (label, p) in labels.iter().zip(sums) {
            let stratum = Stratum {
                age_band: label.clone(),
                sex: String::new(),
            };
            population.cells.insert((code.clone(), stratum), p);
        }
    }
    Ok((population, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cell(id: &str, lcog: &str, ages: [f64; 10]) -> Cell {
        Cell {
            id: id.into(),
            lon: 2.47,
            lat: 48.9,
            ind: ages.iter().sum(),
            men: 0.0,
            men_pauv: 0.0,
            ind_snv: 0.0,
            ages,
            lcog_geo: lcog.into(),
            line: 2,
        }
    }

    fn bands(labels: &[&str]) -> BTreeSet<String> {
        labels.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn labels_parse() {
        assert_eq!(
            AgeSpan::parse("15-44").unwrap(),
            AgeSpan {
                from: 15,
                to: Some(45)
            }
        );
        assert_eq!(AgeSpan::parse("75+").unwrap().to, None);
        assert_eq!(AgeSpan::parse("80p").unwrap().from, 80);
        assert_eq!(AgeSpan::parse("0_3").unwrap().to, Some(4));
        assert_eq!(AgeSpan::parse("60-74 ans").unwrap().to, Some(75));
        assert!(AgeSpan::parse("young").is_err());
        assert!(AgeSpan::parse("44-15").is_err());
    }

    #[test]
    fn hand_worked_rebanding_of_the_module_doc() {
        let r = Rebanding::new(["45+", "0-14", "15-44"]).unwrap();
        assert_eq!(r.labels, ["0-14", "15-44", "45+"]);
        let (out, apportioned) = r.apply(&[4.0; 10]);
        assert!((out[0] - (12.0 + 16.0 / 7.0)).abs() < 1e-12, "{out:?}");
        assert!((out[1] - (8.0 + 12.0 / 7.0 + 4.0 / 3.0)).abs() < 1e-12);
        assert!((out[2] - (12.0 + 8.0 / 3.0)).abs() < 1e-12);
        assert_eq!(apportioned, 8.0);
        assert!((out.iter().sum::<f64>() - 40.0).abs() < 1e-12);
    }

    #[test]
    fn unions_of_filosofi_bands_are_exact_sums() {
        let r = Rebanding::new(["0-17", "18-64", "65+"]).unwrap();
        let ages = [1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.25];
        let (out, apportioned) = r.apply(&ages);
        assert_eq!(out, [10.5, 26.0, 19.25]);
        assert_eq!(apportioned, 0.0);
    }

    #[test]
    fn bad_tilings_are_refused() {
        assert!(matches!(
            Rebanding::new(["0-14", "16+"]),
            Err(RebandError::Tiling { .. })
        ));
        assert!(matches!(
            Rebanding::new(["0-14", "15-44"]),
            Err(RebandError::Tiling { .. })
        ));
        assert!(matches!(
            Rebanding::new(["0-14", "10+"]),
            Err(RebandError::Tiling { .. })
        ));
        assert_eq!(
            Rebanding::new(["0-84", "85+"]),
            Err(RebandError::CutsOpenBand("0-84".into()))
        );
    }

    #[test]
    fn cells_go_to_their_commune_and_bad_ones_are_rejected() {
        let cells = [
            cell("a", "93001", [1.0; 10]),
            cell("b", "93001", [2.0; 10]),
            cell("c", "93002", [3.0; 10]),
            cell("d", "9300193002", [4.0; 10]),
            cell("e", "", [5.0; 10]),
        ];
        let mut r = Rejects::default();
        let b = bands(&["0-59", "60+"]);
        let (pop, p) = population_from_cells(&cells, Some(&b), None, "f.csv", &mut r).unwrap();
        assert_eq!(p.cells, 3);
        assert_eq!(p.rejected, 90.0);
        assert_eq!(r.len(), 2);
        assert!(r.items[0].reason.contains("not a single commune"));
        assert_eq!(pop.dims.label(), "age");
        let key = |c: &str, b: &str| {
            (
                c.to_string(),
                Stratum {
                    age_band: b.into(),
                    sex: String::new(),
                },
            )
        };
        // 0-59 = bands 0–3 … 40–54 (7) + 5/10 of 55–64.
        assert_eq!(pop.cells[&key("93001", "0-59")], 3.0 * 7.5);
        assert_eq!(pop.cells[&key("93002", "60+")], 3.0 * 2.5);
        assert_eq!(p.apportioned, 6.0);
        let (crude, _) = population_from_cells(&cells[..3], None, None, "f", &mut r).unwrap();
        assert_eq!(crude.cells[&key("93001", "")], 30.0);
        assert_eq!(crude.dims.label(), "crude");
    }

    proptest! {
        #[test]
        fn totals_are_preserved(
            ages in prop::array::uniform10(0.0f64..1000.0),
            cuts in prop::collection::btree_set(1u32..80, 0..6),
        ) {
            let mut starts: Vec<u32> = std::iter::once(0).chain(cuts).collect();
            starts.dedup();
            let labels: Vec<String> = starts
                .iter()
                .enumerate()
                .map(|(k, a)| match starts.get(k + 1) {
                    Some(b) => format!("{a}-{}", b - 1),
                    None => format!("{a}+"),
                })
                .collect();
            let r = Rebanding::new(labels.iter().map(String::as_str)).unwrap();
            let (out, apportioned) = r.apply(&ages);
            let total: f64 = ages.iter().sum();
            prop_assert!((out.iter().sum::<f64>() - total).abs() <= 1e-9 * total.max(1.0));
            prop_assert!(apportioned <= total + 1e-9);
            prop_assert!(out.iter().all(|x| *x >= 0.0));
        }
    }
}
