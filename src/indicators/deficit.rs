//! Specialist deficits as a share of the supply present: the missing full-time doctors of
//! the ICC ([`super::icc`], missing = max(E − O, 0) / acts per FTE) added up per specialty,
//! per territory and over all, and set against the full-time equivalents present ("250
//! missing specialists across 12 specialties = a 25 % deficit").
//!
//! For each territory × specialty cell the ICC publishes, `missing` and `present` are
//! summed over the cells of the row's scope — one territory (all its specialties), one
//! specialty (all territories), everything — and `share = Σ missing / Σ present` (none when
//! nothing is present). A cell the ICC withholds (statistical secrecy, no expected
//! consumption, no acts per FTE for the specialty) adds nothing and is counted in
//! `withheld`, so a share is never made of figures the ICC does not publish.
//!
//! Worked example: territory A misses 2 radiologists with 8 present and 1 gastro-enterologist
//! with 2 present; B misses 0 radiologists with 10 present and its gastro cell is withheld.
//! A: 3 / 10 = 30 %; radiology: 2 / 18 = 11.1 %; gastro: 1 / 2 = 50 % (1 withheld); all:
//! 3 / 20 = 15 %.

use std::collections::BTreeMap;

/// `ALL` in the specialty or territory column: the row sums over that dimension.
pub const ALL: &str = "ALL";

/// One cell of the ICC: its missing full-time doctors (`None` when withheld) and the FTE
/// present.
#[derive(Clone, Debug, PartialEq)]
pub struct DeficitCell {
    /// Territory code.
    pub territory: String,
    /// Specialty.
    pub specialty: String,
    /// Missing full-time doctors, `None` when the ICC withholds them.
    pub missing_fte: Option<f64>,
    /// Full-time equivalents present.
    pub present_fte: f64,
}

/// One row of the deficit table.
#[derive(Clone, Debug, PartialEq)]
pub struct Deficit {
    /// Territory code or [`ALL`].
    pub territory: String,
    /// Specialty or [`ALL`].
    pub specialty: String,
    /// Σ missing full-time doctors of the published cells.
    pub missing_fte: f64,
    /// Σ FTE present in the same cells.
    pub present_fte: f64,
    /// Missing over present (0…, not capped at 1), `None` when nothing is present.
    pub share: Option<f64>,
    /// Cells of the scope withheld by the ICC.
    pub withheld: usize,
}

/// Every cell, then each territory over its specialties, each specialty over the
/// territories, and the grand total; territories and specialties in code order.
pub fn deficits(cells: &[DeficitCell]) -> Vec<Deficit> {
    type Acc = (Vec<f64>, Vec<f64>, usize);
    let mut scopes: BTreeMap<(u8, String, String), Acc> = BTreeMap::new();
    for c in cells {
        let keys = [
            (0, c.territory.clone(), c.specialty.clone()),
            (1, c.territory.clone(), ALL.to_string()),
            (2, ALL.to_string(), c.specialty.clone()),
            (3, ALL.to_string(), ALL.to_string()),
        ];
        for k in keys {
            let acc = scopes.entry(k).or_default();
            match c.missing_fte {
                Some(m) => {
                    acc.0.push(m);
                    acc.1.push(c.present_fte);
                }
                None => acc.2 += 1,
            }
        }
    }
    scopes
        .into_iter()
        .map(|((_, territory, specialty), (m, p, withheld))| {
            let missing_fte = crate::support::exact_sum::exact_sum(m);
            let present_fte = crate::support::exact_sum::exact_sum(p);
            Deficit {
                territory,
                specialty,
                missing_fte,
                present_fte,
                share: (present_fte > 0.0).then(|| missing_fte / present_fte),
                withheld,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(t: &str, s: &str, m: Option<f64>, p: f64) -> DeficitCell {
        DeficitCell {
            territory: t.into(),
            specialty: s.into(),
            missing_fte: m,
            present_fte: p,
        }
    }

    #[test]
    fn the_worked_example_of_the_module_doc() {
        let rows = deficits(&[
            cell("A", "radiology", Some(2.0), 8.0),
            cell("A", "gastro", Some(1.0), 2.0),
            cell("B", "radiology", Some(0.0), 10.0),
            cell("B", "gastro", None, 3.0),
        ]);
        let find = |t: &str, s: &str| {
            rows.iter()
                .find(|r| r.territory == t && r.specialty == s)
                .unwrap()
        };
        assert_eq!(find("A", ALL).share, Some(0.3));
        assert_eq!(find("A", ALL).missing_fte, 3.0);
        assert_eq!(find(ALL, "radiology").share, Some(2.0 / 18.0));
        assert_eq!(find(ALL, "gastro").share, Some(0.5));
        assert_eq!(find(ALL, "gastro").withheld, 1);
        assert_eq!(find(ALL, ALL).share, Some(0.15));
        assert_eq!(find(ALL, ALL).present_fte, 20.0);
        assert_eq!(find("B", "gastro").share, None);
        assert_eq!(rows.len(), 4 + 2 + 2 + 1);
        assert_eq!(rows[0].territory, "A");
        assert_eq!(rows.last().unwrap().territory, ALL);
    }

    #[test]
    fn the_quoted_figure_250_missing_for_1000_present_is_25_percent() {
        let rows = deficits(&[cell("CPTS", "all-specialties", Some(250.0), 1000.0)]);
        assert_eq!(rows.last().unwrap().share, Some(0.25));
    }
}
