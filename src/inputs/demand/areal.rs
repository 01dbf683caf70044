//! Populations known per area — IRIS, communes — placed as [`Origin`]s inside the areas'
//! polygons.
//!
//! Input: a CSV keyed by unit code ([`read_population_csv`]; column names from
//! [`PopulationColumns`], default `code` / `population`; separator detected among `,` `;`
//! tab `|` — INSEE's population tables use `;` —, decimal commas read, UTF-8 or
//! ISO-8859-15), joined on the code to a [`UnitLayer`] read by
//! [`crate::inputs::territory::read_units`].
//!
//! Placement ([`Placement`]):
//! - [`Placement::InteriorPoint`]: the whole population at one point guaranteed to lie in
//!   the polygon, geo's [`InteriorPoint`] (for a polygon, the midpoint of the widest
//!   horizontal stretch of its interior through a line near its centre, JTS's
//!   `InteriorPointArea`; for a multipolygon, that of its largest part). A centroid would not
//!   do: the centroid of a crescent-shaped commune, or of an IRIS wrapped around a park or a
//!   river bend, falls outside it, and its residents would be snapped to roads of the
//!   neighbouring unit. Without finer data (Filosofi cells, buildings) the interior point is
//!   the stand-in for the population centre.
//! - [`Placement::Grid`]: the population shared evenly over the centres of a square grid of
//!   `cell_m` metres, keeping the cells whose centre is inside the polygon. The grid is
//!   computed in the metric CRS [`MetricCrs::for_extent`] picks for the whole layer
//!   (Lambert-93 in metropolitan France), aligned on multiples of `cell_m` so neighbouring
//!   units share one lattice, and the centres are moved back to WGS84. A polygon too small
//!   or thin to hold a cell centre gets its interior point. Origin ids are `<code>:<k>`, `k`
//!   counting cells from the south-west, row by row.
//!
//! Nothing is dropped silently: a CSV row with a missing code, a missing, unparseable or
//! negative population, a code already read, or a code absent from the layer is a reject
//! (CSV file, line, code, reason); a unit with no population row is a reject (layer name,
//! line 0, code). Origins come in the layer's order.

use super::Origin;
use crate::inputs::table::{Table, TableError};
use crate::inputs::territory::UnitLayer;
use crate::support::crs::{CrsError, MetricCrs};
use crate::support::rejects::Rejects;
use geo::{BoundingRect, Contains, InteriorPoint, LineString, MultiPolygon, Point, Polygon};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// Most candidate cells examined for one unit (a 200 km × 200 km commune at 200 m).
pub const MAX_CELLS_PER_UNIT: f64 = 1.0e6;

/// Column names of a population table, compared ignoring case and surrounding spaces.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PopulationColumns {
    /// Unit code column (default `code`).
    pub code: String,
    /// Population column, inhabitants (default `population`).
    pub population: String,
}

impl Default for PopulationColumns {
    /// `code` and `population`.
    fn default() -> Self {
        PopulationColumns {
            code: "code".into(),
            population: "population".into(),
        }
    }
}

/// One row of a population table.
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationRow {
    /// Unit code.
    pub code: String,
    /// Inhabitants (may be fractional).
    pub population: f64,
    /// 1-based line in the file (header = 1).
    pub line: u64,
}

/// How a unit's population is placed in its polygon.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Placement {
    /// All of it at the polygon's interior point.
    InteriorPoint,
    /// Shared evenly over the centres of a grid of `cell_m` metres inside the polygon.
    Grid {
        /// Side of the grid cells, metres.
        cell_m: f64,
    },
}

/// Why populations could not be read or placed (bad rows are rejects, not errors).
#[derive(Debug, thiserror::Error)]
pub enum ArealError {
    /// The file could not be read.
    #[error("{file}: cannot read: {reason}")]
    Open {
        /// File.
        file: String,
        /// Cause.
        reason: String,
    },
    /// The header lacks a column.
    #[error("{file}: expected columns {expected:?}; found {found:?}")]
    Layout {
        /// File.
        file: String,
        /// Columns needed.
        expected: Vec<String>,
        /// Columns found.
        found: Vec<String>,
    },
    /// The grid cell size is not a positive number of metres.
    #[error("grid cell size must be a positive number of metres, got {0}")]
    CellSize(f64),
    /// A unit would need too many grid cells.
    #[error("{kind} {code}: a {cell_m} m grid would examine {cells:.0} cells (more than {MAX_CELLS_PER_UNIT}): use larger cells")]
    TooManyCells {
        /// Kind of unit.
        kind: String,
        /// Unit code.
        code: String,
        /// Cell side, metres.
        cell_m: f64,
        /// Cells the unit's box holds.
        cells: f64,
    },
    /// The metric projection could not be chosen or used.
    #[error("placing {kind} populations: {source}")]
    Crs {
        /// Kind of unit.
        kind: String,
        /// Cause.
        source: Box<CrsError>,
    },
}

/// Reads a population table (CSV, or the sheet `sheet` of a workbook) by the input
/// contract of [`crate::inputs::table`]; bad rows go to `rejects`.
pub fn read_population_csv(
    path: &Path,
    columns: &PopulationColumns,
    sheet: Option<&str>,
    rejects: &mut Rejects,
) -> Result<Vec<PopulationRow>, ArealError> {
    let t = Table::read_sheet(path, true, sheet, rejects).map_err(|e| ArealError::Open {
        file: path.display().to_string(),
        reason: match e {
            TableError::Open { reason, .. } | TableError::Format { reason, .. } => reason,
        },
    })?;
    let file = t.file.clone();
    let (Some(ci), Some(pi)) = (t.col(columns.code.trim()), t.col(columns.population.trim()))
    else {
        return Err(ArealError::Layout {
            file,
            expected: vec![columns.code.clone(), columns.population.clone()],
            found: t.headers.clone(),
        });
    };
    let mut first: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    for (line, rec) in &t.rows {
        let line = *line;
        let code = rec.get(ci).unwrap_or("").to_string();
        let raw = rec.get(pi).unwrap_or("");
        let population = if code.is_empty() {
            Err("missing code".to_string())
        } else if raw.is_empty() {
            Err("missing population".to_string())
        } else {
            match t.number(rec, pi) {
                Ok(p) if p >= 0.0 => Ok(p),
                Ok(_) => Err(format!("negative population: {raw}")),
                Err(e) => Err(format!("population: {e}")),
            }
        };
        match population {
            Err(reason) => rejects.push(&file, line, &code, reason),
            Ok(population) => {
                if let Some(at) = first.get(&code) {
                    rejects.push(
                        &file,
                        line,
                        &code,
                        format!("duplicated code (first at {at})"),
                    );
                } else {
                    first.insert(code.clone(), line);
                    out.push(PopulationRow {
                        code,
                        population,
                        line,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The layer's WGS84 bounding box `[min_lon, min_lat, max_lon, max_lat]`, `None` when empty.
fn layer_box(layer: &UnitLayer) -> Option<[f64; 4]> {
    layer
        .units
        .iter()
        .filter_map(|u| u.geometry.bounding_rect())
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        .reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        })
}

/// `mp` moved from WGS84 to the metric system.
fn to_metric(mp: &MultiPolygon<f64>, crs: &MetricCrs) -> Result<MultiPolygon<f64>, CrsError> {
    let ring = |ls: &LineString<f64>| -> Result<LineString<f64>, CrsError> {
        let mut pts: Vec<[f64; 2]> = ls.0.iter().map(|c| [c.x, c.y]).collect();
        crs.to_metric(&mut pts)?;
        Ok(LineString::from(
            pts.into_iter().map(|[x, y]| (x, y)).collect::<Vec<_>>(),
        ))
    };
    mp.0.iter()
        .map(|p| {
            let interiors = p.interiors().iter().map(ring).collect::<Result<_, _>>()?;
            Ok(Polygon::new(ring(p.exterior())?, interiors))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(MultiPolygon)
}

/// Centres (metres) of the `cell_m` grid cells whose centre is inside `mp` (metres), from the
/// south-west, row by row.
fn grid_centres(mp: &MultiPolygon<f64>, cell_m: f64) -> Vec<[f64; 2]> {
    let Some(r) = mp.bounding_rect() else {
        return Vec::new();
    };
    let (i0, i1) = (
        (r.min().x / cell_m).floor() as i64,
        (r.max().x / cell_m).ceil() as i64,
    );
    let (j0, j1) = (
        (r.min().y / cell_m).floor() as i64,
        (r.max().y / cell_m).ceil() as i64,
    );
    let mut out = Vec::new();
    for j in j0..j1 {
        for i in i0..i1 {
            let c = [(i as f64 + 0.5) * cell_m, (j as f64 + 0.5) * cell_m];
            if mp.contains(&Point::new(c[0], c[1])) {
                out.push(c);
            }
        }
    }
    out
}

/// Places the populations `rows` (read from `file`) in the units of `layer` (named
/// `layer_name` in rejects). Returns the origins in the layer's order; codes and units that
/// do not join go to `rejects`.
pub fn place_population(
    layer: &UnitLayer,
    layer_name: &str,
    rows: &[PopulationRow],
    file: &str,
    placement: Placement,
    rejects: &mut Rejects,
) -> Result<Vec<Origin>, ArealError> {
    let kind = layer.kind.clone();
    let crs_err = |e: CrsError| ArealError::Crs {
        kind: kind.clone(),
        source: Box::new(e),
    };
    let metric = match placement {
        Placement::Grid { cell_m } if !(cell_m.is_finite() && cell_m > 0.0) => {
            return Err(ArealError::CellSize(cell_m))
        }
        Placement::Grid { cell_m } => match layer_box(layer) {
            Some(b) => Some((
                MetricCrs::for_extent(b[0], b[1], b[2], b[3]).map_err(crs_err)?,
                cell_m,
            )),
            None => None,
        },
        Placement::InteriorPoint => None,
    };
    let by_code: HashMap<&str, &PopulationRow> =
        rows.iter().map(|r| (r.code.as_str(), r)).collect();
    for r in rows {
        if layer.position(&r.code).is_none() {
            let reason = format!("no {kind} {} in {layer_name}", r.code);
            rejects.push(file, r.line, &r.code, reason);
        }
    }
    let mut out = Vec::new();
    for unit in &layer.units {
        let Some(row) = by_code.get(unit.code.as_str()) else {
            rejects.push(
                layer_name,
                0,
                &unit.code,
                format!("no population row in {file}"),
            );
            continue;
        };
        let source = format!("{file}:{}", row.line);
        let origin = |id: String, [lon, lat]: [f64; 2], population: f64| Origin {
            id,
            lon,
            lat,
            population,
            ages: None,
            income: None,
            source: source.clone(),
        };
        let mut centres = Vec::new();
        if let Some((crs, cell_m)) = &metric {
            let mp = to_metric(&unit.geometry, crs).map_err(crs_err)?;
            if let Some(r) = mp.bounding_rect() {
                let cells =
                    ((r.width() / cell_m).ceil() + 1.0) * ((r.height() / cell_m).ceil() + 1.0);
                if cells > MAX_CELLS_PER_UNIT {
                    return Err(ArealError::TooManyCells {
                        kind: kind.clone(),
                        code: unit.code.clone(),
                        cell_m: *cell_m,
                        cells,
                    });
                }
            }
            centres = grid_centres(&mp, *cell_m);
            crs.to_wgs84(&mut centres).map_err(crs_err)?;
        }
        if centres.is_empty() {
            let Some(p) = unit.geometry.interior_point() else {
                rejects.push(layer_name, 0, &unit.code, "polygon has no interior point");
                continue;
            };
            out.push(origin(unit.code.clone(), [p.x(), p.y()], row.population));
        } else {
            let share = row.population / centres.len() as f64;
            for (k, c) in centres.into_iter().enumerate() {
                out.push(origin(format!("{}:{}", unit.code, k + 1), c, share));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::territory::Unit;
    use geo::polygon;

    fn unit(code: &str, geometry: MultiPolygon<f64>) -> Unit {
        Unit {
            kind: "iris".into(),
            code: code.into(),
            name: code.into(),
            geometry,
            population: None,
        }
    }

    /// A square of `side` degrees with its south-west corner at (`lon`, `lat`).
    fn square(lon: f64, lat: f64, side: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: lon, y: lat),
            (x: lon + side, y: lat),
            (x: lon + side, y: lat + side),
            (x: lon, y: lat + side),
        ]])
    }

    /// A "C" shape whose centroid is outside it.
    fn crescent() -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: 2.40, y: 48.90),
            (x: 2.43, y: 48.90),
            (x: 2.43, y: 48.905),
            (x: 2.405, y: 48.905),
            (x: 2.405, y: 48.915),
            (x: 2.43, y: 48.915),
            (x: 2.43, y: 48.92),
            (x: 2.40, y: 48.92),
        ]])
    }

    fn layer() -> UnitLayer {
        UnitLayer {
            kind: "iris".into(),
            units: vec![
                unit("930100101", crescent()),
                unit("930100102", square(2.45, 48.90, 0.01)),
                unit("930100103", square(2.47, 48.90, 0.0005)),
            ],
            repaired: Vec::new(),
        }
    }

    fn csv(text: &str) -> (Vec<PopulationRow>, Rejects, String) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pop.csv");
        std::fs::write(&p, text).unwrap();
        let mut r = Rejects::default();
        let rows = read_population_csv(
            &p,
            &PopulationColumns {
                code: "IRIS".into(),
                population: "P19_POP".into(),
            },
            None,
            &mut r,
        )
        .unwrap();
        (rows, r, p.display().to_string())
    }

    #[test]
    fn insee_semicolon_table_with_broken_rows() {
        let (rows, r, _) = csv(
            "IRIS;LIBIRIS;P19_POP\n930100101;Mare à la Veuve;2 345,5\n930100102;Centre;1200\n\
             930100104;Ailleurs;-3\n;Sans code;12\n930100102;Encore;5\n930100105;Vide;\n930100109;Loin;7\n",
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].population, 2345.5);
        let why: Vec<(u64, &str)> = r
            .items
            .iter()
            .map(|x| (x.line, x.reason.as_str()))
            .collect();
        assert_eq!(
            why,
            [
                (4, "negative population: -3"),
                (5, "missing code"),
                (6, "duplicated code (first at 3)"),
                (7, "missing population"),
            ]
        );
    }

    #[test]
    fn missing_columns_name_what_was_found() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pop.csv");
        std::fs::write(&p, "CODGEO;POP\n93010;53000\n").unwrap();
        let e = read_population_csv(
            &p,
            &PopulationColumns::default(),
            None,
            &mut Rejects::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string().ends_with(
                "expected columns [\"code\", \"population\"]; found [\"codgeo\", \"pop\"]"
            ),
            "{e}"
        );
    }

    #[test]
    fn interior_points_lie_inside_and_joins_are_reported() {
        let (rows, mut r, file) = csv("IRIS;P19_POP\n930100101;100\n930100102;50\n930100109;7\n");
        let origins = place_population(
            &layer(),
            "iris.geojson",
            &rows,
            &file,
            Placement::InteriorPoint,
            &mut r,
        )
        .unwrap();
        assert_eq!(origins.len(), 2);
        let c = crescent();
        let centroid = geo::Centroid::centroid(&c).unwrap();
        assert!(
            !c.contains(&centroid),
            "the test shape must defeat centroids"
        );
        assert!(c.contains(&Point::new(origins[0].lon, origins[0].lat)));
        assert_eq!(
            (origins[0].id.as_str(), origins[0].population),
            ("930100101", 100.0)
        );
        assert_eq!(origins[0].source, format!("{file}:2"));
        let why: Vec<(&str, &str, &str)> = r
            .items
            .iter()
            .map(|x| (x.file.as_str(), x.id.as_str(), x.reason.as_str()))
            .collect();
        let missing_row = format!("no population row in {file}");
        assert_eq!(
            why,
            [
                (
                    file.as_str(),
                    "930100109",
                    "no iris 930100109 in iris.geojson"
                ),
                ("iris.geojson", "930100103", missing_row.as_str()),
            ]
        );
    }

    #[test]
    fn grid_shares_population_over_inner_cells() {
        let (rows, mut r, file) = csv("IRIS;P19_POP\n930100101;100\n930100102;50\n930100103;3\n");
        let l = layer();
        let origins = place_population(
            &l,
            "iris",
            &rows,
            &file,
            Placement::Grid { cell_m: 200.0 },
            &mut r,
        )
        .unwrap();
        assert!(r.is_empty(), "{r:?}");
        let of = |code: &str| -> Vec<&Origin> {
            origins.iter().filter(|o| o.id.starts_with(code)).collect()
        };
        // 0.01° ≈ 731 m × 1112 m: 3 to 4 columns by 5 to 6 rows of 200 m cells.
        let square = of("930100102");
        assert!((12..=24).contains(&square.len()), "{}", square.len());
        let total: f64 = square.iter().map(|o| o.population).sum();
        assert!((total - 50.0).abs() < 1e-9);
        assert_eq!(square[0].id, "930100102:1");
        for o in &square {
            assert!(l.units[1].geometry.contains(&Point::new(o.lon, o.lat)));
        }
        for o in of("930100101") {
            assert!(crescent().contains(&Point::new(o.lon, o.lat)));
        }
        // 0.0005° ≈ 37 m × 56 m: smaller than a cell, its interior point.
        let tiny = of("930100103");
        assert_eq!(tiny.len(), 1);
        assert_eq!(
            (tiny[0].id.as_str(), tiny[0].population),
            ("930100103", 3.0)
        );
        let again = place_population(
            &l,
            "iris",
            &rows,
            &file,
            Placement::Grid { cell_m: 200.0 },
            &mut r,
        )
        .unwrap();
        assert_eq!(again, origins);
        let bad = place_population(
            &l,
            "iris",
            &rows,
            &file,
            Placement::Grid { cell_m: 0.0 },
            &mut r,
        );
        assert!(matches!(bad, Err(ArealError::CellSize(_))));
        let huge = place_population(
            &l,
            "iris",
            &rows,
            &file,
            Placement::Grid { cell_m: 0.5 },
            &mut r,
        );
        assert!(
            matches!(huge, Err(ArealError::TooManyCells { .. })),
            "{huge:?}"
        );
    }
}
