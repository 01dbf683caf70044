//! How much of each territorial unit the origins cover: `coverage_share`, the population of
//! the origins placed in the unit divided by the unit's own reference population (the
//! `population` of its polygon layer, e.g. ADMIN EXPRESS), capped at 1; and `barely_covered`
//! (1 when the share is below `[output] min_unit_coverage`, default 0.8, else 0).
//!
//! A unit measured from a few cells of a grid that barely reaches it (Filosofi cells around
//! Bondy cover 40 communes of 93 with 1–4 cells each) is thus marked in the tables and maps
//! and left out of the worst-served rankings. A unit with no reference population gets no
//! share (empty) and is not flagged.

use crate::export::columns::{Column, Format, Values};
use crate::inputs::territory::UnitLayer;

/// Name of the share column.
pub const SHARE: &str = "coverage_share";
/// Name of the flag column.
pub const FLAG: &str = "barely_covered";

/// The `coverage_share` and `barely_covered` columns of `layer`, from the units each origin
/// lies in (`units_of`, per origin) and the origins' populations (`weights`, inhabitants).
pub fn coverage_columns(
    layer: &UnitLayer,
    units_of: &[Vec<usize>],
    weights: &[f64],
    min_share: f64,
) -> Vec<Column> {
    let mut covered = vec![0.0; layer.units.len()];
    for (units, w) in units_of.iter().zip(weights) {
        for &u in units {
            covered[u] += w;
        }
    }
    let share: Vec<Option<f64>> = layer
        .units
        .iter()
        .zip(&covered)
        .map(|(u, c)| {
            u.population
                .filter(|p| *p > 0.0)
                .map(|p| (c / p).min(1.0))
        })
        .collect();
    let flag = share
        .iter()
        .map(|s| s.map(|s| if s < min_share { 1.0 } else { 0.0 }))
        .collect();
    vec![
        Column {
            name: SHARE.into(),
            values: Values::Number(share, Format::Fixed(3)),
        },
        Column {
            name: FLAG.into(),
            values: Values::Number(flag, Format::Fixed(0)),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::territory::Unit;
    use geo::MultiPolygon;

    fn unit(code: &str, population: Option<f64>) -> Unit {
        Unit {
            kind: "commune".into(),
            code: code.into(),
            name: code.into(),
            geometry: MultiPolygon(vec![]),
            population,
        }
    }

    #[test]
    fn shares_of_the_reference_population_flag_the_barely_covered() {
        let layer = UnitLayer {
            kind: "commune".into(),
            units: vec![
                unit("a", Some(1000.0)),
                unit("b", Some(1000.0)),
                unit("c", None),
            ],
            repaired: Vec::new(),
        };
        // Origins: 900 and 300 inhabitants in a, 3 in b (Rosny's 3 inhabitants), 50 in c.
        let units_of = vec![vec![0], vec![0], vec![1], vec![2], vec![]];
        let weights = [900.0, 300.0, 3.0, 50.0, 7.0];
        let cols = coverage_columns(&layer, &units_of, &weights, 0.8);
        let share = cols[0].numbers().unwrap();
        assert_eq!(share, &[Some(1.0), Some(0.003), None]);
        let flag = cols[1].numbers().unwrap();
        assert_eq!(flag, &[Some(0.0), Some(1.0), None]);
    }
}
