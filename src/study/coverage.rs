//! How much of each territorial unit the origins cover: `coverage_share`, the population of
//! the origins placed in the unit divided by the unit's own reference population (the
//! `population` of its polygon layer), capped at 1; for a layer giving no population and
//! origins that are grid cells (Filosofi, 200 m), the area of the cells placed in the unit
//! divided by the unit's area (Chamberlain–Duquette spherical area), capped at 1. Then
//! `barely_covered`: 1 when the share is below `[output] min_unit_coverage` (default 0.8),
//! else 0.
//!
//! A unit measured from a few cells of a grid that barely reaches it (Filosofi cells around
//! Bondy cover 40 communes of 93 with 1–4 cells each) is thus marked in the tables and maps
//! and left out of the worst-served rankings. A unit with neither reference population nor
//! cells gets no share (empty) and is not flagged.

use crate::export::columns::{Column, Format, Values};
use crate::inputs::territory::UnitLayer;
use geo::ChamberlainDuquetteArea;

/// Name of the share column.
pub const SHARE: &str = "coverage_share";
/// Name of the flag column.
pub const FLAG: &str = "barely_covered";

/// The `coverage_share` and `barely_covered` columns of `layer`, from the units each origin
/// lies in (`units_of`, per origin), the origins' populations (`weights`, inhabitants) and,
/// when the origins are grid cells, the area of one cell (`cell_area_m2`, square metres).
pub fn coverage_columns(
    layer: &UnitLayer,
    units_of: &[Vec<usize>],
    weights: &[f64],
    cell_area_m2: Option<f64>,
    min_share: f64,
) -> Vec<Column> {
    let mut covered = vec![0.0; layer.units.len()];
    let mut cells = vec![0usize; layer.units.len()];
    for (units, w) in units_of.iter().zip(weights) {
        for &u in units {
            covered[u] += w;
            cells[u] += 1;
        }
    }
    let share: Vec<Option<f64>> = layer
        .units
        .iter()
        .enumerate()
        .map(
            |(k, u)| match (u.population.filter(|p| *p > 0.0), cell_area_m2) {
                (Some(p), _) => Some((covered[k] / p).min(1.0)),
                (None, Some(cell)) => {
                    let area = u.geometry.chamberlain_duquette_unsigned_area();
                    (area > 0.0).then(|| (cells[k] as f64 * cell / area).min(1.0))
                }
                (None, None) => None,
            },
        )
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
    use geo::{polygon, MultiPolygon};

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
        let cols = coverage_columns(&layer, &units_of, &weights, None, 0.8);
        let share = cols[0].numbers().unwrap();
        assert_eq!(share, &[Some(1.0), Some(0.003), None]);
        let flag = cols[1].numbers().unwrap();
        assert_eq!(flag, &[Some(0.0), Some(1.0), None]);
    }

    #[test]
    fn without_a_reference_population_cells_cover_a_share_of_the_area() {
        // A square of 0.01° × 0.01° at 48.9° N: about 1,112 m × 731 m = 0.81 km².
        let square = polygon![
            (x: 2.47, y: 48.90), (x: 2.48, y: 48.90), (x: 2.48, y: 48.91), (x: 2.47, y: 48.91)
        ];
        let mut u = unit("a", None);
        u.geometry = MultiPolygon(vec![square]);
        let layer = UnitLayer {
            kind: "commune".into(),
            units: vec![u],
            repaired: Vec::new(),
        };
        let area = layer.units[0].geometry.chamberlain_duquette_unsigned_area();
        assert!((area - 0.813e6).abs() < 0.01e6, "{area}");
        // Five 200 m cells: 0.2 km² of 0.81 km².
        let units_of = vec![vec![0]; 5];
        let cols = coverage_columns(&layer, &units_of, &[1.0; 5], Some(40_000.0), 0.8);
        let share = cols[0].numbers().unwrap()[0].unwrap();
        assert!((share - 0.2e6 / area).abs() < 1e-12, "{share}");
        assert_eq!(cols[1].numbers().unwrap(), &[Some(1.0)]);
        // Twenty-one cells (0.84 km²) cover it whole (capped at 1).
        let units_of = vec![vec![0]; 21];
        let cols = coverage_columns(&layer, &units_of, &[1.0; 21], Some(40_000.0), 0.8);
        assert_eq!(cols[0].numbers().unwrap(), &[Some(1.0)]);
        assert_eq!(cols[1].numbers().unwrap(), &[Some(0.0)]);
    }
}
