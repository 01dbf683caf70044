//! Generic point layers: care sites ([`read_sites`]) or weighted origins ([`read_origins`])
//! from any table of points, with its columns named by a [`PointColumns`] spec (the
//! `[supply.columns]` / `[demand.columns]` part of a study file).
//!
//! Sources:
//! - **CSV** (`.csv`, `.tsv`, `.txt`) or **workbook** (`.xlsx`, `.ods`…, `layer` naming the
//!   sheet), read by the input contract ([`crate::inputs::table`], [`crate::inputs::text`]:
//!   separator sniffed, UTF-8 or a named single-byte fallback, decimal comma and thousands
//!   separators read per column, an ambiguous `1,000` refused). Coordinates come from
//!   `lon`/`lat` columns (WGS84 degrees) or from `x`/`y` columns with an explicit `crs`.
//! - **Any GDAL point layer** (GeoPackage, GeoJSON, Shapefile…; `layer` names one of
//!   several): coordinates from the point geometry, in the layer's declared CRS, or in `crs`
//!   when the layer declares none (GeoPackage's "Undefined" placeholder systems count as
//!   none). With neither, reading fails with an error naming the layer: a CRS is never
//!   guessed. Attribute `lon`/`lat` or `x`/`y` columns may be named instead of the geometry.
//!
//! Per row (a [`crate::support::rejects::Reject`] with file, line — or 1-based feature ordinal —,
//! id, reason): a missing id, a missing, unparseable or out-of-range coordinate (beyond
//! ±180° / ±90° once in WGS84), a geometry that is neither a single point nor a polygon (a
//! polygon — a building outline — gives a point on its surface, counted in
//! [`PointsRead::surface_points`] and said in the log; lines are ignored with a reject), an unparseable
//! number, a negative capacity, weight or activity, an age that is not a whole number of
//! years in 0–120, a missing category, and an id already kept (the first row keeps it).
//! A file without the columns the spec names fails at once, saying what was expected and
//! what was found.

use crate::inputs::demand::Origin;
use crate::inputs::error::InputError;
use crate::inputs::layer::{point_on, PointFrom};
use crate::inputs::spreadsheet::is_spreadsheet;
use crate::inputs::supply::Site;
use crate::inputs::table::{Table, TableError};
use crate::inputs::text::{parse_number, NumberMarks};
use crate::support::crs::{transform_between, CrsError};
use crate::support::rejects::Rejects;
use gdal::vector::{Feature, Geometry, LayerAccess};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// Candidates for the longitude column when none is named, compared ignoring case.
const LON_CANDIDATES: [&str; 3] = ["lon", "longitude", "lng"];
/// Candidates for the latitude column when none is named, compared ignoring case.
const LAT_CANDIDATES: [&str; 2] = ["lat", "latitude"];
/// Candidates for the population column of origins when none is named.
const POPULATION_CANDIDATES: [&str; 4] = ["population", "weight", "pop", "ind"];
/// Oldest age accepted, years.
const MAX_AGE: f64 = 120.0;

/// Names of the columns of a point table, and how its coordinates are given. Every name is
/// compared with the file's columns ignoring case and surrounding spaces.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PointColumns {
    /// Identifier column (default `id`).
    pub id: String,
    /// Category column (sites).
    pub category: Option<String>,
    /// Category given to every row when no category column is named (sites).
    pub fixed_category: Option<String>,
    /// Capacity column (sites; default: 1 per row).
    pub capacity: Option<String>,
    /// Yearly activity column (sites).
    pub activity: Option<String>,
    /// Age column, years (sites).
    pub age: Option<String>,
    /// Population column (origins; `weight` is accepted as the key). When absent, the first
    /// of `population`, `weight`, `pop`, `ind` present is used.
    #[serde(alias = "weight")]
    pub population: Option<String>,
    /// Income column, euros per year (origins).
    pub income: Option<String>,
    /// Longitude column, WGS84 degrees.
    pub lon: Option<String>,
    /// Latitude column, WGS84 degrees.
    pub lat: Option<String>,
    /// Easting column, in `crs`.
    pub x: Option<String>,
    /// Northing column, in `crs`.
    pub y: Option<String>,
    /// CRS of `x`/`y`, or of a layer declaring none: any GDAL definition (`EPSG:2154`, WKT,
    /// PROJ string).
    pub crs: Option<String>,
    /// Layer of a multi-layer GDAL file.
    pub layer: Option<String>,
}

impl Default for PointColumns {
    /// `id` as identifier, everything else found by default names or absent.
    fn default() -> Self {
        PointColumns {
            id: "id".into(),
            category: None,
            fixed_category: None,
            capacity: None,
            activity: None,
            age: None,
            population: None,
            income: None,
            lon: None,
            lat: None,
            x: None,
            y: None,
            crs: None,
            layer: None,
        }
    }
}

/// Why a point file could not be read at all (bad rows are rejects, not errors).
#[derive(Debug, thiserror::Error)]
pub enum PointsError {
    /// The file could not be opened or parsed, or its layer chosen.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The file's columns do not match the spec.
    #[error("{file}: expected {expected}; found columns {found:?}{hint}")]
    Layout {
        /// File.
        file: String,
        /// What the spec needs.
        expected: String,
        /// The columns found.
        found: Vec<String>,
        /// A hint on the likely cause (empty when none).
        hint: String,
    },
    /// A layer declares no CRS and the spec gives none.
    #[error("{file}, layer {layer}: the layer declares no coordinate reference system; give crs = \"EPSG:2154\" (or the layer's actual system): it is never guessed")]
    NoCrs {
        /// File.
        file: String,
        /// Layer.
        layer: String,
    },
    /// The spec is inconsistent for this file.
    #[error("{file}: {reason}")]
    Spec {
        /// File.
        file: String,
        /// Why.
        reason: String,
    },
    /// The CRS given or declared cannot be used.
    #[error("{file}: {source}")]
    Crs {
        /// File.
        file: String,
        /// Cause.
        source: Box<CrsError>,
    },
}

/// Points read from one file, with what the file was.
#[derive(Clone, Debug, PartialEq)]
pub struct PointsRead<T> {
    /// The points kept, in file order.
    pub items: Vec<T>,
    /// Rows or features read (kept + rejected).
    pub rows: u64,
    /// CRS the coordinates were read in (`EPSG:4326` for lon/lat).
    pub crs: String,
    /// Points kept that stand for a polygon (a point on its surface).
    pub surface_points: u64,
}

/// One row of a table before interpretation.
struct RawRow {
    /// 1-based line (CSV) or feature ordinal (layer).
    line: u64,
    /// Field texts, trimmed, in header order ("" for null).
    values: Vec<String>,
    /// Point (or point on a polygon's surface) in the layer's CRS, or why there is none;
    /// `None` for CSV.
    geometry: Option<Result<PointFrom, String>>,
}

/// A table of rows from a CSV or a GDAL layer.
struct RawTable {
    file: String,
    headers: Vec<String>,
    rows: Vec<RawRow>,
    /// `Some(layer name)` for GDAL layers.
    layer: Option<String>,
    /// CRS declared by the layer, when any.
    declared_crs: Option<String>,
    /// Per column, what its values say of `,` and `.` ([`NumberMarks`]).
    marks: Vec<NumberMarks>,
}

/// The number marks of each of `width` columns of `rows`.
fn marks_of(width: usize, rows: &[RawRow]) -> Vec<NumberMarks> {
    (0..width)
        .map(|k| {
            NumberMarks::scan(
                rows.iter()
                    .filter_map(|r| r.values.get(k))
                    .map(String::as_str),
            )
        })
        .collect()
}

/// Whether `path` is read as CSV by its extension (`.csv`, `.tsv`, `.txt`).
pub fn is_csv_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["csv", "tsv", "txt"].contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads a CSV or a workbook sheet into a [`RawTable`] ([`Table`]); unreadable rows go to
/// `rejects` straight away.
fn read_csv_table(
    path: &Path,
    sheet: Option<&str>,
    rejects: &mut Rejects,
) -> Result<RawTable, PointsError> {
    let t = Table::read_sheet(path, true, sheet, rejects).map_err(|e| InputError::Open {
        path: path.to_path_buf(),
        reason: match e {
            TableError::Open { reason, .. } | TableError::Format { reason, .. } => reason,
        },
    })?;
    let rows: Vec<RawRow> = t
        .rows
        .into_iter()
        .map(|(line, r)| RawRow {
            line,
            values: r.iter().map(str::to_string).collect(),
            geometry: None,
        })
        .collect();
    Ok(RawTable {
        marks: marks_of(t.headers.len(), &rows),
        file: t.file,
        headers: t.headers,
        rows,
        layer: None,
        declared_crs: None,
    })
}

/// The CRS a GDAL layer declares, as `AUTH:CODE` or WKT; `None` when absent, local, or one
/// of GeoPackage's "Undefined" placeholders (OGC GeoPackage 1.3, § 1.1.2.1.2).
pub fn layer_crs<L: LayerAccess>(layer: &L) -> Option<String> {
    let srs = layer.spatial_ref()?;
    let undefined = srs
        .name()
        .is_some_and(|n| n.to_ascii_lowercase().starts_with("undefined"));
    if srs.is_local() || undefined {
        return None;
    }
    match (srs.auth_name(), srs.auth_code()) {
        (Some(authority), Ok(code)) => Some(format!("{authority}:{code}")),
        _ => srs.to_wkt().ok(),
    }
}

/// The point a feature gives a point role ([`crate::inputs::layer::point_on`]: a point, or
/// a point on a polygon's surface), or why none.
fn point_of(feature: &Feature) -> Result<PointFrom, String> {
    // gdal 0.19 wraps a null geometry (GeoJSON `"geometry": null`) as `Some`.
    let present = |g: &&Geometry| !unsafe { g.c_geometry() }.is_null() && !g.is_empty();
    let geom = feature
        .geometry()
        .filter(present)
        .ok_or("feature without geometry")?;
    point_on(geom)
}

/// Reads a GDAL layer into a [`RawTable`].
fn read_gdal_table(path: &Path, layer: Option<&str>) -> Result<RawTable, PointsError> {
    let file = path.display().to_string();
    let ds = crate::inputs::layer::open(path).map_err(|reason| InputError::Open {
        path: path.to_path_buf(),
        reason,
    })?;
    let mut lyr = crate::inputs::layer::choose(&ds, path, layer)?;
    let headers: Vec<String> = lyr.defn().fields().map(|f| f.name()).collect();
    let declared_crs = layer_crs(&lyr);
    let name = lyr.name();
    let rows: Vec<RawRow> = lyr
        .features()
        .enumerate()
        .map(|(i, f)| RawRow {
            line: i as u64 + 1,
            values: (0..headers.len())
                .map(|k| {
                    f.field_as_string(k)
                        .ok()
                        .flatten()
                        .map(|s| s.trim().to_string())
                        .unwrap_or_default()
                })
                .collect(),
            geometry: Some(point_of(&f)),
        })
        .collect();
    Ok(RawTable {
        marks: marks_of(headers.len(), &rows),
        file,
        headers,
        rows,
        layer: Some(name),
        declared_crs,
    })
}

/// Where a table's coordinates are.
enum Coords {
    /// Two columns; `crs` `None` = WGS84 degrees.
    Columns {
        x: usize,
        y: usize,
        crs: Option<String>,
    },
    /// The point geometry; `crs` `None` = WGS84 degrees.
    Geometry { crs: Option<String> },
}

/// Whether a definition is plain WGS84 longitude/latitude.
fn is_wgs84(definition: &str) -> bool {
    matches!(
        definition.to_ascii_uppercase().as_str(),
        "EPSG:4326" | "OGC:CRS84" | "WGS84"
    )
}

impl RawTable {
    /// Index of column `name`, ignoring case and spaces.
    fn column(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    }

    /// Index of the first of `candidates` present.
    fn first_column(&self, candidates: &[&str]) -> Option<usize> {
        candidates.iter().find_map(|c| self.column(c))
    }

    /// A layout error saying what was expected, with a hint on separators for CSV.
    fn layout_error(&self, expected: String) -> PointsError {
        let hint = match self.headers.as_slice() {
            [only] if self.layer.is_none() && only.contains([',', ';', '\t', '|']) => {
                "; the header looks like one column: is the separator one of , ; tab |?".into()
            }
            _ => String::new(),
        };
        PointsError::Layout {
            file: self.file.clone(),
            expected,
            found: self.headers.clone(),
            hint,
        }
    }

    /// Index of the column the spec names for `what`; an error when it is absent.
    fn required(&self, name: &str, what: &str) -> Result<usize, PointsError> {
        self.column(name)
            .ok_or_else(|| self.layout_error(format!("{what} column {name:?}")))
    }

    /// Index of an optional column the spec may name; an error when named and absent.
    fn optional(&self, name: Option<&str>, what: &str) -> Result<Option<usize>, PointsError> {
        name.map(|n| self.required(n, what)).transpose()
    }

    /// Where the coordinates are, from the spec and what the table holds.
    fn coords(&self, spec: &PointColumns) -> Result<Coords, PointsError> {
        let spec_err = |reason: &str| PointsError::Spec {
            file: self.file.clone(),
            reason: reason.to_string(),
        };
        let pair = |a: &Option<String>, b: &Option<String>, names: &str| match (a, b) {
            (Some(a), Some(b)) => Ok(Some((
                self.required(a, "coordinate")?,
                self.required(b, "coordinate")?,
            ))),
            (None, None) => Ok(None),
            _ => Err(spec_err(&format!("name both {names} columns, or neither"))),
        };
        if let Some((x, y)) = pair(&spec.lon, &spec.lat, "lon and lat")? {
            if spec.crs.as_deref().is_some_and(|c| !is_wgs84(c)) {
                return Err(spec_err(
                    "lon/lat columns are WGS84 degrees: name x/y columns to give coordinates in another crs",
                ));
            }
            return Ok(Coords::Columns { x, y, crs: None });
        }
        if let Some((x, y)) = pair(&spec.x, &spec.y, "x and y")? {
            let crs = spec.crs.clone().ok_or_else(|| {
                spec_err("x/y columns need crs = \"EPSG:…\": their system is never guessed")
            })?;
            return Ok(Coords::Columns {
                x,
                y,
                crs: Some(crs).filter(|c| !is_wgs84(c)),
            });
        }
        if let Some(layer) = &self.layer {
            let crs = match (&self.declared_crs, &spec.crs) {
                (Some(d), _) => d.clone(),
                (None, Some(c)) => c.clone(),
                (None, None) => {
                    return Err(PointsError::NoCrs {
                        file: self.file.clone(),
                        layer: layer.clone(),
                    })
                }
            };
            return Ok(Coords::Geometry {
                crs: Some(crs).filter(|c| !is_wgs84(c)),
            });
        }
        match (
            self.first_column(&LON_CANDIDATES),
            self.first_column(&LAT_CANDIDATES),
        ) {
            (Some(x), Some(y)) => Ok(Coords::Columns { x, y, crs: None }),
            _ => match (self.column("x"), self.column("y"), &spec.crs) {
                (Some(x), Some(y), Some(c)) => Ok(Coords::Columns {
                    x,
                    y,
                    crs: Some(c.clone()).filter(|c| !is_wgs84(c)),
                }),
                (Some(_), Some(_), None) => Err(spec_err(
                    "x/y columns found but no crs given: their system is never guessed",
                )),
                _ => Err(self.layout_error(format!(
                    "an id column {:?} and coordinates: lon,lat (WGS84) or x,y with a crs",
                    spec.id
                ))),
            },
        }
    }
}

/// Text of column `i` of a row ("" when the row is short).
fn cell(values: &[String], i: usize) -> &str {
    values.get(i).map_or("", String::as_str)
}

/// The row's raw coordinates, or why they cannot be read (numbers read with `marks`).
fn raw_xy(row: &RawRow, coords: &Coords, marks: &[NumberMarks]) -> Result<PointFrom, String> {
    match coords {
        Coords::Columns { x, y, .. } => {
            let get = |i: usize, what: &str| {
                let v = cell(&row.values, i);
                if v.is_empty() {
                    Err(format!("missing {what}"))
                } else {
                    parse_number(v, &marks[i]).map_err(|e| format!("{what}: {e}"))
                }
            };
            let (xn, yn) = match coords {
                Coords::Columns { crs: None, .. } => ("longitude", "latitude"),
                _ => ("x", "y"),
            };
            Ok(PointFrom::Point([get(*x, xn)?, get(*y, yn)?]))
        }
        Coords::Geometry { .. } => row
            .geometry
            .clone()
            .unwrap_or_else(|| Err("no geometry".into())),
    }
}

/// A row located in WGS84 with its id.
struct Located<T> {
    line: u64,
    id: String,
    lon: f64,
    lat: f64,
    attrs: T,
}

/// Moves each point to WGS84 independently: a failure leaves the others.
fn to_wgs84_each(
    crs: &str,
    points: &[[f64; 2]],
) -> Result<Vec<Result<[f64; 2], String>>, CrsError> {
    crate::support::crs::Reprojector::from_definition(crs)?;
    let mut all = points.to_vec();
    if transform_between(crs, "EPSG:4326", &mut all).is_ok() {
        return Ok(all.into_iter().map(Ok).collect());
    }
    Ok(points
        .iter()
        .map(|p| {
            let mut one = [*p];
            transform_between(crs, "EPSG:4326", &mut one)
                .map(|()| one[0])
                .map_err(|e| format!("cannot be moved to WGS84: {e}"))
        })
        .collect())
}

/// Validates every row (id, attributes through `attrs`, coordinates), moves the points to
/// WGS84, and keeps the first row of each id; rejects go to `rejects` in file order.
fn locate<T>(
    table: &RawTable,
    spec: &PointColumns,
    rejects: &mut Rejects,
    attrs: impl Fn(&[String]) -> Result<T, String>,
) -> Result<(Vec<Located<T>>, String, u64), PointsError> {
    let id_col = table.required(&spec.id, "id")?;
    let coords = table.coords(spec)?;
    let crs = match &coords {
        Coords::Columns { crs, .. } | Coords::Geometry { crs } => crs.clone(),
    };
    let mut bad: Vec<(u64, String, String)> = Vec::new();
    let mut drafts: Vec<(u64, String, [f64; 2], T)> = Vec::new();
    let mut surfaces = 0;
    for row in &table.rows {
        let id = cell(&row.values, id_col).to_string();
        if id.is_empty() {
            bad.push((row.line, id, "missing id".into()));
            continue;
        }
        let checked =
            raw_xy(row, &coords, &table.marks).and_then(|xy| attrs(&row.values).map(|a| (xy, a)));
        match checked {
            Ok((xy, a)) => {
                surfaces += u64::from(matches!(xy, PointFrom::Surface(_)));
                drafts.push((row.line, id, xy.xy(), a));
            }
            Err(reason) => bad.push((row.line, id, reason)),
        }
    }
    let raw: Vec<[f64; 2]> = drafts.iter().map(|d| d.2).collect();
    let placed = match &crs {
        Some(c) => to_wgs84_each(c, &raw).map_err(|e| PointsError::Crs {
            file: table.file.clone(),
            source: Box::new(e),
        })?,
        None => raw.into_iter().map(Ok).collect(),
    };
    let mut first: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::with_capacity(drafts.len());
    for ((line, id, _, a), p) in drafts.into_iter().zip(placed) {
        let p = p.and_then(|[lon, lat]| {
            if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) {
                Ok([lon, lat])
            } else {
                Err(format!(
                    "position ({lon}, {lat}) out of range ±180° / ±90° in WGS84"
                ))
            }
        });
        match p {
            Err(reason) => bad.push((line, id, reason)),
            Ok([lon, lat]) => {
                if let Some(&at) = first.get(&id) {
                    bad.push((line, id, format!("duplicated id (first at {at})")));
                } else {
                    first.insert(id.clone(), line);
                    out.push(Located {
                        line,
                        id,
                        lon,
                        lat,
                        attrs: a,
                    });
                }
            }
        }
    }
    bad.sort_by_key(|b| b.0);
    for (line, id, reason) in bad {
        rejects.push(&table.file, line, &id, reason);
    }
    if surfaces > 0 {
        tracing::info!(
            "{}: {surfaces} polygon(s) read as a point on their surface",
            table.file
        );
    }
    Ok((out, crs.unwrap_or_else(|| "EPSG:4326".into()), surfaces))
}

/// Reads the table at `path`: CSV by extension, else a GDAL layer.
fn read_table(
    path: &Path,
    spec: &PointColumns,
    rejects: &mut Rejects,
) -> Result<RawTable, PointsError> {
    if is_csv_path(path) || is_spreadsheet(path) {
        read_csv_table(path, spec.layer.as_deref(), rejects)
    } else {
        read_gdal_table(path, spec.layer.as_deref())
    }
}

/// An optional number in a cell, read with its column's `marks`: `None` when empty; an
/// error naming `what` when unparseable or negative.
fn non_negative(
    marks: &[NumberMarks],
    values: &[String],
    col: Option<usize>,
    what: &str,
) -> Result<Option<f64>, String> {
    let Some(i) = col else { return Ok(None) };
    let v = cell(values, i);
    if v.is_empty() {
        return Ok(None);
    }
    let x = parse_number(v, &marks[i]).map_err(|e| format!("{what}: {e}"))?;
    if x < 0.0 {
        return Err(format!("negative {what}: {v}"));
    }
    Ok(Some(x))
}

/// The source text `file:line` of a row.
fn source(file: &str, line: u64) -> String {
    format!("{file}:{line}")
}

/// Reads care sites from `path` (see the module documentation): category from the
/// `category` column or `fixed_category`, capacity 1 when no column is named.
pub fn read_sites(
    path: &Path,
    spec: &PointColumns,
    rejects: &mut Rejects,
) -> Result<PointsRead<Site>, PointsError> {
    let table = read_table(path, spec, rejects)?;
    let category = table.optional(spec.category.as_deref(), "category")?;
    if category.is_none() && spec.fixed_category.is_none() {
        return Err(PointsError::Spec {
            file: table.file.clone(),
            reason: "sites need a category: name a category column or give fixed_category".into(),
        });
    }
    let capacity = table.optional(spec.capacity.as_deref(), "capacity")?;
    let activity = table.optional(spec.activity.as_deref(), "activity")?;
    let age = table.optional(spec.age.as_deref(), "age")?;
    let attrs = |v: &[String]| -> Result<(String, f64, Option<f64>, Option<u32>), String> {
        let cat = match category {
            Some(i) => cell(v, i).to_string(),
            None => spec.fixed_category.clone().unwrap_or_default(),
        };
        if cat.is_empty() {
            return Err("missing category".into());
        }
        let cap = match capacity {
            Some(i) if cell(v, i).is_empty() => return Err("missing capacity".into()),
            Some(_) => non_negative(&table.marks, v, capacity, "capacity")?.unwrap_or(1.0),
            None => 1.0,
        };
        let act = non_negative(&table.marks, v, activity, "activity")?;
        let years = match non_negative(&table.marks, v, age, "age")? {
            Some(a) if a.fract() == 0.0 && a <= MAX_AGE => Some(a as u32),
            Some(a) => return Err(format!("age {a} is not a whole number of years in 0–120")),
            None => None,
        };
        Ok((cat, cap, act, years))
    };
    let (located, crs, surface_points) = locate(&table, spec, rejects, attrs)?;
    let items = located
        .into_iter()
        .map(|l| Site {
            source: source(&table.file, l.line),
            id: l.id,
            category: l.attrs.0,
            lon: l.lon,
            lat: l.lat,
            capacity: l.attrs.1,
            activity: l.attrs.2,
            age: l.attrs.3,
        })
        .collect();
    Ok(PointsRead {
        items,
        rows: table.rows.len() as u64,
        crs,
        surface_points,
    })
}

/// Reads weighted origins from `path` (see the module documentation): population from the
/// named column or the first of `population`, `weight`, `pop`, `ind`; income when named.
pub fn read_origins(
    path: &Path,
    spec: &PointColumns,
    rejects: &mut Rejects,
) -> Result<PointsRead<Origin>, PointsError> {
    let table = read_table(path, spec, rejects)?;
    let population = match &spec.population {
        Some(name) => table.required(name, "population")?,
        None => table.first_column(&POPULATION_CANDIDATES).ok_or_else(|| {
            table.layout_error(format!(
                "a population column (one of {})",
                POPULATION_CANDIDATES.join(", ")
            ))
        })?,
    };
    let income = table.optional(spec.income.as_deref(), "income")?;
    let attrs = |v: &[String]| -> Result<(f64, Option<f64>), String> {
        let pop = non_negative(&table.marks, v, Some(population), "population")?
            .ok_or_else(|| "missing population".to_string())?;
        Ok((pop, non_negative(&table.marks, v, income, "income")?))
    };
    let (located, crs, surface_points) = locate(&table, spec, rejects, attrs)?;
    let items = located
        .into_iter()
        .map(|l| Origin {
            source: source(&table.file, l.line),
            id: l.id,
            lon: l.lon,
            lat: l.lat,
            population: l.attrs.0,
            ages: None,
            income: l.attrs.1,
        })
        .collect();
    Ok(PointsRead {
        items,
        rows: table.rows.len() as u64,
        crs,
        surface_points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gdal::spatial_ref::SpatialRef;
    use gdal::vector::{FieldDefn, LayerOptions, OGRFieldType, OGRwkbGeometryType};
    use gdal::DriverManager;

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn reasons(r: &Rejects) -> Vec<(u64, String, String)> {
        r.items
            .iter()
            .map(|x| (x.line, x.id.clone(), x.reason.clone()))
            .collect()
    }

    fn spec_cat() -> PointColumns {
        PointColumns {
            category: Some("category".into()),
            capacity: Some("capacity".into()),
            age: Some("age".into()),
            ..PointColumns::default()
        }
    }

    #[test]
    fn sites_from_a_semicolon_csv_with_broken_rows() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "sites.csv",
            "id;category;capacity;age;lon;lat\n\
             a;gp;1,5;54;2,4800;48,9000\n\
             b;gp;-1;40;2.48;48.9\n\
             c;;1;40;2.48;48.9\n\
             d;gp;1;40;;48.9\n\
             e;gp;1;40;2.48;95\n\
             a;gp;1;40;2.49;48.9\n\
             f;gp;x;40;2.48;48.9\n\
             g;gp;1;40.5;2.48;48.9\n\
             ;gp;1;40;2.48;48.9\n\
             h;radiology;2;;2.5;48.95\n"
                .as_bytes(),
        );
        let mut r = Rejects::default();
        let got = read_sites(&p, &spec_cat(), &mut r).unwrap();
        assert_eq!(got.rows, 10);
        assert_eq!(got.crs, "EPSG:4326");
        let ids: Vec<&str> = got.items.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a", "h"]);
        let a = &got.items[0];
        assert_eq!(
            (a.lon, a.lat, a.capacity, a.age),
            (2.48, 48.9, 1.5, Some(54))
        );
        assert_eq!(a.source, format!("{}:2", p.display()));
        assert_eq!(got.items[1].age, None);
        let got_reasons = reasons(&r);
        let expected = [
            (3, "b", "negative capacity: -1"),
            (4, "c", "missing category"),
            (5, "d", "missing longitude"),
            (
                6,
                "e",
                "position (2.48, 95) out of range ±180° / ±90° in WGS84",
            ),
            (7, "a", "duplicated id (first at 2)"),
            (8, "f", "capacity: \"x\" is not a number"),
            (9, "g", "age 40.5 is not a whole number of years in 0–120"),
            (10, "", "missing id"),
        ];
        let expected: Vec<(u64, String, String)> = expected
            .iter()
            .map(|(l, i, s)| (*l, i.to_string(), s.to_string()))
            .collect();
        assert_eq!(got_reasons, expected);
    }

    #[test]
    fn latin9_tab_file_with_lambert93_columns() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"id\tnom\tx\ty\tpop\n".to_vec();
        bytes.extend_from_slice(b"c1\tBondy \xe9glise\t661401.34\t6866817.17\t12,5\n");
        let p = write(&dir, "pop.tsv", &bytes);
        let spec = PointColumns {
            x: Some("x".into()),
            y: Some("y".into()),
            crs: Some("EPSG:2154".into()),
            ..PointColumns::default()
        };
        let mut r = Rejects::default();
        let got = read_origins(&p, &spec, &mut r).unwrap();
        assert!(r.is_empty(), "{r:?}");
        let o = &got.items[0];
        assert_eq!(o.population, 12.5);
        assert!(
            (o.lon - 2.4735).abs() < 1e-3 && (o.lat - 48.9002).abs() < 1e-3,
            "{o:?}"
        );
        assert_eq!(got.crs, "EPSG:2154");
    }

    #[test]
    fn wrong_layouts_fail_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Rejects::default();
        let p = write(&dir, "a.csv", b"id,x,y,population\na,1,2,3\n");
        let e = read_origins(&p, &PointColumns::default(), &mut r).unwrap_err();
        assert!(e.to_string().contains("never guessed"), "{e}");
        let p = write(&dir, "b.csv", b"id,lon,lat\na,1,2\n");
        let e = read_origins(&p, &PointColumns::default(), &mut r).unwrap_err();
        assert!(
            e.to_string()
                .contains("expected a population column (one of population, weight, pop, ind); found columns [\"id\", \"lon\", \"lat\"]"),
            "{e}"
        );
        let e = read_sites(&p, &PointColumns::default(), &mut r).unwrap_err();
        assert!(e.to_string().contains("sites need a category"), "{e}");
        let p = write(&dir, "c.csv", b"code:lon:lat\na:1:2\n");
        let e = read_sites(&p, &spec_cat(), &mut r).unwrap_err();
        assert!(
            e.to_string().contains(
                "expected category column \"category\"; found columns [\"code:lon:lat\"]"
            ),
            "{e}"
        );
        assert!(r.is_empty());
    }

    #[test]
    fn spec_reads_from_toml_with_weight_alias() {
        let spec: PointColumns = toml::from_str(
            "id = \"code\"\nweight = \"pop\"\nx = \"X\"\ny = \"Y\"\ncrs = \"EPSG:2154\"",
        )
        .unwrap();
        assert_eq!(spec.population.as_deref(), Some("pop"));
        assert_eq!(spec.id, "code");
        assert!(toml::from_str::<PointColumns>("colour = \"red\"").is_err());
    }

    /// A GeoPackage point layer `pts` with fields `id`, `kind`, in `srs` (none when `None`),
    /// plus one line feature and one building outline.
    fn point_gpkg(path: &Path, srs: Option<&SpatialRef>) {
        let driver = DriverManager::get_driver_by_name("GPKG").unwrap();
        let mut ds = driver.create_vector_only(path).unwrap();
        let layer = ds
            .create_layer(LayerOptions {
                name: "pts",
                srs,
                ty: OGRwkbGeometryType::wkbUnknown,
                options: None,
            })
            .unwrap();
        for f in ["id", "kind"] {
            FieldDefn::new(f, OGRFieldType::OFTString)
                .unwrap()
                .add_to_layer(&layer)
                .unwrap();
        }
        for (id, wkt) in [
            ("p1", "POINT (661401.34 6866817.17)"),
            ("p2", "LINESTRING (661401 6866817, 661500 6866900)"),
            (
                "b3",
                "POLYGON ((661600 6866900, 661640 6866900, 661640 6866930, 661600 6866930, 661600 6866900))",
            ),
        ] {
            let mut f = Feature::new(layer.defn()).unwrap();
            f.set_field_string(0, id).unwrap();
            f.set_field_string(1, "pharmacy").unwrap();
            f.set_geometry(Geometry::from_wkt(wkt).unwrap()).unwrap();
            f.create(&layer).unwrap();
        }
    }

    #[test]
    fn gdal_layer_without_crs_needs_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nocrs.gpkg");
        point_gpkg(&p, None);
        let spec = PointColumns {
            category: Some("kind".into()),
            ..PointColumns::default()
        };
        let mut r = Rejects::default();
        let e = read_sites(&p, &spec, &mut r).unwrap_err();
        assert!(
            e.to_string()
                .contains("layer pts: the layer declares no coordinate reference system"),
            "{e}"
        );
        let spec = PointColumns {
            crs: Some("EPSG:2154".into()),
            ..spec
        };
        let got = read_sites(&p, &spec, &mut r).unwrap();
        assert_eq!(got.items.len(), 2);
        assert_eq!(got.surface_points, 1);
        assert!((got.items[0].lon - 2.4735).abs() < 1e-3);
        let b3 = &got.items[1];
        assert!(b3.lon > got.items[0].lon && b3.lat > got.items[0].lat);
        assert_eq!(
            reasons(&r),
            vec![(
                2,
                "p2".into(),
                "LINESTRING geometry ignored: a point role takes points or polygons".into()
            )]
        );
    }

    #[test]
    fn gdal_layer_with_declared_crs() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l93.gpkg");
        point_gpkg(&p, Some(&SpatialRef::from_epsg(2154).unwrap()));
        let spec = PointColumns {
            fixed_category: Some("pharmacy".into()),
            ..PointColumns::default()
        };
        let mut r = Rejects::default();
        let got = read_sites(&p, &spec, &mut r).unwrap();
        assert_eq!(got.crs, "EPSG:2154");
        assert_eq!(got.items[0].category, "pharmacy");
        assert_eq!(r.len(), 1);
    }
}
