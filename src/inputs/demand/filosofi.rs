//! Reader of INSEE's Filosofi 2019 gridded data, 200 m cells ("Données carroyées",
//! dispositif Fichier localisé social et fiscal), as GeoPackage (or any vector layer GDAL
//! reads) or CSV.
//!
//! Layout as published (INSEE, *Revenus, pauvreté et niveau de vie en 2019 — Données
//! carroyées*, documentation of the 200 m file; project notes `DOMAIN.md`): one row per
//! inhabited cell, `idcar_200m` = `CRS3035RES200mN<northing>E<easting>`, the south-west
//! corner of the cell in metres of EPSG:3035 (ETRS89-LAEA, the INSPIRE grid); `ind`
//! inhabitants (fractional: INSEE spreads households over cells), `men` households,
//! `men_pauv` poor households, `ind_snv` sum of the standard of living of the inhabitants
//! (euros), age bands [`AGE_COLUMNS`] `ind_0_3` … `ind_80p`, optionally `ind_inc` (age
//! unknown), and `lcog_geo` (the commune codes the cell touches, glued together). Column
//! names are matched ignoring case, and `IdINSPIRE` (the 2015 release's name) is accepted
//! for `idcar_200m`.
//!
//! Position: the centre of a cell is its corner plus half its side (100 m) on both axes, in
//! the EPSG system the identifier names ([`Idcar`]), converted to WGS84 with
//! [`crate::support::crs`]. Any EPSG code is honoured, so the overseas grids (`CRS5490RES200m…`,
//! `CRS2975RES200m…`) read too. The identifier places the cell whatever CRS the layer
//! declares — which matters because published GeoPackages may declare none (the Bondy
//! extract is Lambert-93 with an undefined CRS; GeoPackage's "undefined" placeholder
//! systems count as none). A layer without an identifier column is
//! placed by the centroid of each geometry, in the layer's declared CRS or else in
//! `assumed_crs`; with neither, reading fails with an error naming the layer and the file.
//! When a layer has both and a CRS is known (declared or assumed), a centroid more than
//! 150 m from the identifier's centre is reported by a `tracing` warning.
//!
//! Validation, per row (a reject with file, line or feature id, cell id, reason): missing
//! or malformed identifier, a resolution other than 200 m, a missing, non-numeric or
//! negative count, age bands (plus `ind_inc`) summing further than 1 % of `ind` + 0.5 from
//! `ind`, a repeated identifier (the reason says whether the row is an exact copy — the
//! published `resteBondy` layer repeats 96 cells — or differs), a position outside WGS84 bounds once converted. A missing required column, an unreadable file, an absent
//! layer or an unplaceable layer stop reading ([`FilosofiError`]).

use crate::inputs::error::InputError;
use crate::support::crs::{CrsError, Reprojector};
use crate::support::rejects::Rejects;
use gdal::vector::{FieldValue, LayerAccess};
use geo::Centroid;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The ten age-band columns, in the order of [`Cell::ages`]: 0–3, 4–5, 6–10, 11–17, 18–24,
/// 25–39, 40–54, 55–64, 65–79 years and 80 or more.
pub const AGE_COLUMNS: [&str; 10] = [
    "ind_0_3",
    "ind_4_5",
    "ind_6_10",
    "ind_11_17",
    "ind_18_24",
    "ind_25_39",
    "ind_40_54",
    "ind_55_64",
    "ind_65_79",
    "ind_80p",
];
/// Count columns besides the age bands, in the order of [`Values`].
const COUNT_COLUMNS: [&str; 4] = ["ind", "men", "men_pauv", "ind_snv"];
/// Names of the identifier column (2019 name first).
const ID_COLUMNS: [&str; 2] = ["idcar_200m", "idinspire"];
/// Optional column of inhabitants of unknown age.
const UNKNOWN_AGE_COLUMN: &str = "ind_inc";
/// Optional column of communes touched.
const COMMUNES_COLUMN: &str = "lcog_geo";
/// Side of the cells this reader expects, metres.
pub const CELL_SIDE_M: u32 = 200;
/// Age bands may differ from `ind` by this share of `ind`…
const AGE_TOLERANCE_SHARE: f64 = 0.01;
/// … plus this many inhabitants.
const AGE_TOLERANCE_ABS: f64 = 0.5;
/// Centroid-to-identifier distance beyond which a warning is given, metres.
const CROSS_CHECK_M: f64 = 150.0;
/// Mean Earth radius (IUGG), metres, for the cross-check distance.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Errors that stop reading a Filosofi file (bad rows are rejects, not errors).
#[derive(Debug, thiserror::Error)]
pub enum FilosofiError {
    /// The file could not be read or parsed, a column is missing, the layer cannot be
    /// chosen or its CRS used.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The layer has no identifier column and no geometry.
    #[error("layer {layer} of {path} has neither an idcar_200m column nor a geometry: its cells cannot be placed")]
    NoPosition {
        /// File.
        path: String,
        /// Layer.
        layer: String,
    },
    /// The layer must be placed by its geometry but declares no CRS and none was assumed.
    #[error("layer {layer} of {path} declares no CRS and has no idcar_200m column, so its geometries cannot be placed; add crs = \"EPSG:2154\" (or the layer's actual system) to its entry in the study file")]
    NoCrs {
        /// File.
        path: String,
        /// Layer.
        layer: String,
    },
}

/// One inhabited 200 m cell.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// `idcar_200m` (`fid:<n>` for a layer without it).
    pub id: String,
    /// Longitude of the cell's centre, WGS84 degrees.
    pub lon: f64,
    /// Latitude of the cell's centre, WGS84 degrees.
    pub lat: f64,
    /// `ind`, inhabitants (fractional).
    pub ind: f64,
    /// `men`, households.
    pub men: f64,
    /// `men_pauv`, poor households.
    pub men_pauv: f64,
    /// `ind_snv`, sum of the inhabitants' standard of living, euros per year.
    pub ind_snv: f64,
    /// Inhabitants per age band, in the order of [`AGE_COLUMNS`].
    pub ages: [f64; 10],
    /// `lcog_geo`, INSEE codes of the communes the cell touches, glued; empty when absent.
    pub lcog_geo: String,
    /// 1-based CSV line, or the feature id for a GDAL layer.
    pub line: u64,
}

/// A parsed INSEE / INSPIRE grid identifier `CRS<epsg>RES<side>mN<northing>E<easting>`:
/// the south-west corner of a square cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Idcar {
    /// EPSG code of the grid's system (3035 in metropolitan France).
    pub epsg: u32,
    /// Side of the cell, metres.
    pub side_m: u32,
    /// Northing of the south-west corner, metres.
    pub northing: f64,
    /// Easting of the south-west corner, metres.
    pub easting: f64,
}

/// Splits the leading ASCII digits of `s` as a number.
fn leading_number(s: &str) -> Option<(u64, &str)> {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    if end == 0 || end > 15 {
        return None;
    }
    Some((s[..end].parse().ok()?, &s[end..]))
}

impl Idcar {
    /// Parses `CRS3035RES200mN2891800E3770600`; the error says what was expected.
    pub fn parse(id: &str) -> Result<Idcar, String> {
        let parsed = (|| {
            let (epsg, rest) = leading_number(id.strip_prefix("CRS")?)?;
            let (side, rest) = leading_number(rest.strip_prefix("RES")?)?;
            let (northing, rest) = leading_number(rest.strip_prefix("mN")?)?;
            let (easting, rest) = leading_number(rest.strip_prefix('E')?)?;
            (rest.is_empty() && side > 0).then_some(Idcar {
                epsg: u32::try_from(epsg).ok()?,
                side_m: u32::try_from(side).ok()?,
                northing: northing as f64,
                easting: easting as f64,
            })
        })();
        parsed.ok_or_else(|| {
            format!(
                "malformed idcar_200m {id:?}: expected CRS<epsg>RES<side>mN<northing>E<easting>"
            )
        })
    }

    /// Centre of the cell `[easting, northing]` in metres of its EPSG system: the corner
    /// plus half the side on both axes.
    pub fn centre(&self) -> [f64; 2] {
        let half = f64::from(self.side_m) / 2.0;
        [self.easting + half, self.northing + half]
    }
}

/// A value as read: a number (GDAL real or integer field), text (CSV, GDAL string field) or
/// nothing.
#[derive(Clone, Debug)]
enum Value {
    Number(f64),
    Text(String),
    Missing,
}

impl Value {
    /// The value as a number, or why not.
    fn number(&self, column: &str) -> Result<f64, String> {
        match self {
            Value::Number(v) if v.is_finite() => Ok(*v),
            Value::Number(v) => Err(format!("{column} is not a finite number ({v})")),
            // INSEE writes Filosofi with `.` decimals: that settles `12.500`.
            Value::Text(t) => {
                let marks = crate::inputs::text::NumberMarks::point_decimals();
                crate::inputs::text::parse_number(t, &marks).map_err(|e| format!("{column}: {e}"))
            }
            Value::Missing => Err(format!("{column} is empty")),
        }
    }
}

/// Count columns then age bands: 14 values.
type Values = [Value; 14];

/// One row as read, before validation.
struct RawRow {
    line: u64,
    id: Option<String>,
    values: Values,
    unknown_age: Option<Value>,
    lcog_geo: String,
    /// Centroid of the geometry in the layer's system, when wanted and present.
    centroid: Option<[f64; 2]>,
}

/// Where a validated row will be placed.
enum Anchor {
    Grid(Idcar),
    Centroid([f64; 2]),
}

/// A validated row waiting for its WGS84 position.
struct Draft {
    cell: Cell,
    anchor: Anchor,
    centroid: Option<[f64; 2]>,
}

/// Checks a row; the counts and the anchor, or the reject reason.
fn validate(row: &RawRow, has_id: bool) -> Result<Draft, String> {
    let anchor = if has_id {
        let id = row.id.as_deref().map(str::trim).unwrap_or("");
        if id.is_empty() {
            return Err("missing idcar_200m".into());
        }
        let idcar = Idcar::parse(id)?;
        if idcar.side_m != CELL_SIDE_M {
            return Err(format!(
                "idcar_200m {id:?} is a {} m cell, expected {CELL_SIDE_M} m",
                idcar.side_m
            ));
        }
        Anchor::Grid(idcar)
    } else {
        Anchor::Centroid(row.centroid.ok_or("no geometry to place the cell")?)
    };
    let mut numbers = [0.0; 14];
    let columns = COUNT_COLUMNS.iter().chain(AGE_COLUMNS.iter());
    for ((value, column), out) in row.values.iter().zip(columns).zip(numbers.iter_mut()) {
        let v = value.number(column)?;
        if v < 0.0 {
            return Err(format!("negative {column} ({v})"));
        }
        *out = v;
    }
    let unknown = match &row.unknown_age {
        Some(Value::Missing) | None => 0.0,
        Some(v) => v.number(UNKNOWN_AGE_COLUMN)?,
    };
    let ind = numbers[0];
    let ages: [f64; 10] = std::array::from_fn(|k| numbers[4 + k]);
    let sum: f64 = ages.iter().sum::<f64>() + unknown;
    if (sum - ind).abs() > AGE_TOLERANCE_SHARE * ind + AGE_TOLERANCE_ABS {
        return Err(format!(
            "age bands sum to {sum} but ind is {ind} (tolerance 1 % of ind + 0.5)"
        ));
    }
    let id = match (&anchor, &row.id) {
        (Anchor::Grid(_), Some(id)) => id.trim().to_string(),
        _ => format!("fid:{}", row.line),
    };
    Ok(Draft {
        cell: Cell {
            id,
            lon: f64::NAN,
            lat: f64::NAN,
            ind,
            men: numbers[1],
            men_pauv: numbers[2],
            ind_snv: numbers[3],
            ages,
            lcog_geo: row.lcog_geo.trim().to_string(),
            line: row.line,
        },
        anchor,
        centroid: row.centroid,
    })
}

/// Converts `points` to WGS84, one by one after a failing batch; per point, the position or
/// the error.
fn to_wgs84_each(r: &Reprojector, points: &[[f64; 2]]) -> Vec<Result<[f64; 2], CrsError>> {
    let mut all = points.to_vec();
    if r.to_wgs84(&mut all).is_ok() {
        return all.into_iter().map(Ok).collect();
    }
    points
        .iter()
        .map(|p| {
            let mut one = [*p];
            r.to_wgs84(&mut one).map(|()| one[0])
        })
        .collect()
}

/// Great-circle distance between two WGS84 `[lon, lat]` points, metres (haversine).
fn distance_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (la1, la2) = (a[1].to_radians(), b[1].to_radians());
    let dlat = la2 - la1;
    let dlon = (b[0] - a[0]).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// What the rows were read from.
struct Source {
    /// Name used in rejects and messages.
    name: String,
    /// Whether an identifier column exists.
    has_id: bool,
    /// System of the geometries (declared or assumed), when known.
    crs: Option<Reprojector>,
}

/// Validates, deduplicates and places the rows.
fn finish(rows: Vec<RawRow>, source: &Source, rejects: &mut Rejects) -> Vec<Cell> {
    let mut drafts: Vec<Draft> = Vec::with_capacity(rows.len());
    let mut first: HashMap<String, usize> = HashMap::new();
    for row in &rows {
        let id = row.id.as_deref().map(str::trim).unwrap_or("");
        match validate(row, source.has_id) {
            Ok(d) => match first.get(&d.cell.id) {
                Some(&k) => {
                    let kept = &drafts[k].cell;
                    let values = |c: &Cell| (c.ind, c.men, c.men_pauv, c.ind_snv, c.ages);
                    let same = values(kept) == values(&d.cell) && kept.lcog_geo == d.cell.lcog_geo;
                    let reason = if same {
                        "duplicate idcar_200m (identical to an earlier row)"
                    } else {
                        "duplicate idcar_200m (values differ from an earlier row)"
                    };
                    rejects.push(&source.name, row.line, id, reason);
                }
                None => {
                    first.insert(d.cell.id.clone(), drafts.len());
                    drafts.push(d);
                }
            },
            Err(reason) => rejects.push(&source.name, row.line, id, reason),
        }
    }
    let mut by_system: BTreeMap<Option<u32>, Vec<usize>> = BTreeMap::new();
    for (k, d) in drafts.iter().enumerate() {
        let key = match &d.anchor {
            Anchor::Grid(idcar) => Some(idcar.epsg),
            Anchor::Centroid(_) => None,
        };
        by_system.entry(key).or_default().push(k);
    }
    let mut placed = vec![true; drafts.len()];
    for (epsg, members) in by_system {
        let points: Vec<[f64; 2]> = members
            .iter()
            .map(|&k| match &drafts[k].anchor {
                Anchor::Grid(idcar) => idcar.centre(),
                Anchor::Centroid(c) => *c,
            })
            .collect();
        let reprojector = match (epsg, &source.crs) {
            (Some(code), _) => Reprojector::from_epsg(code).map_err(|e| e.to_string()),
            (None, Some(r)) => Ok(r.clone()),
            (None, None) => Err("the layer declares no CRS".to_string()),
        };
        let results: Vec<Result<[f64; 2], String>> = match &reprojector {
            Ok(r) => to_wgs84_each(r, &points)
                .into_iter()
                .map(|p| match p {
                    Ok([lon, lat]) if lon.abs() <= 180.0 && lat.abs() <= 90.0 => Ok([lon, lat]),
                    Ok([lon, lat]) => Err(format!(
                        "lands at lon {lon}, lat {lat}, outside WGS84: wrong CRS for the layer?"
                    )),
                    Err(e) => Err(e.to_string()),
                })
                .collect(),
            Err(e) => vec![Err(e.clone()); points.len()],
        };
        for (&k, result) in members.iter().zip(results) {
            match result {
                Ok(p) => {
                    drafts[k].cell.lon = p[0];
                    drafts[k].cell.lat = p[1];
                }
                Err(e) => {
                    placed[k] = false;
                    let reason = match epsg {
                        Some(code) => format!("cannot place the cell from EPSG:{code} ({e})"),
                        None => format!("cannot place the geometry's centroid ({e})"),
                    };
                    rejects.push(
                        &source.name,
                        drafts[k].cell.line,
                        &drafts[k].cell.id,
                        reason,
                    );
                }
            }
        }
    }
    if let Some(r) = source.crs.as_ref().filter(|_| source.has_id) {
        cross_check(&drafts, &placed, r, &source.name);
    }
    drafts
        .into_iter()
        .zip(placed)
        .filter_map(|(d, ok)| ok.then_some(d.cell))
        .collect()
}

/// Warns about cells whose geometry's centroid lies more than 150 m from the centre given
/// by their identifier.
fn cross_check(drafts: &[Draft], placed: &[bool], crs: &Reprojector, name: &str) {
    let checked: Vec<(&Draft, [f64; 2])> = drafts
        .iter()
        .zip(placed)
        .filter_map(|(d, &ok)| Some((d, d.centroid.filter(|_| ok)?)))
        .collect();
    let points: Vec<[f64; 2]> = checked.iter().map(|(_, c)| *c).collect();
    for ((d, _), p) in checked.iter().zip(to_wgs84_each(crs, &points)) {
        let centre = [d.cell.lon, d.cell.lat];
        match p {
            Ok(p) if distance_m(p, centre) > CROSS_CHECK_M => tracing::warn!(
                "{name}: cell {} (feature {}): geometry centroid is {:.0} m from the idcar_200m centre; is the layer's CRS ({}) right?",
                d.cell.id,
                d.cell.line,
                distance_m(p, centre),
                crs.definition()
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(
                "{name}: cell {}: geometry centroid cannot be converted to WGS84 ({e})",
                d.cell.id
            ),
        }
    }
}

/// Index of the column named `wanted` (ignoring case) in `names`.
fn find(names: &[String], wanted: &str) -> Option<usize> {
    names
        .iter()
        .position(|n| n.trim().eq_ignore_ascii_case(wanted))
}

/// Indices of the 14 required count and age columns, or the first missing.
fn value_columns(names: &[String], source_name: &str) -> Result<[usize; 14], FilosofiError> {
    let mut out = [0; 14];
    for (column, slot) in COUNT_COLUMNS
        .iter()
        .chain(AGE_COLUMNS.iter())
        .zip(out.iter_mut())
    {
        *slot = find(names, column).ok_or_else(|| InputError::MissingColumn {
            path: PathBuf::from(source_name.to_string()),
            column: column.to_string(),
            found: names.to_vec(),
        })?;
    }
    Ok(out)
}

/// Reads Filosofi 200 m cells from `path`: a CSV (`.csv`, `,` or `;` separated, columns by
/// name) or any vector file GDAL opens (layer `layer`, or the only one). `assumed_crs`
/// (`EPSG:2154`, WKT…) places the geometries of a layer that declares no CRS; it is only
/// needed when the layer has no `idcar_200m` column. Cell centres come out in WGS84 degrees;
/// refused rows go to `rejects`.
pub fn read_filosofi(
    path: &Path,
    layer: Option<&str>,
    assumed_crs: Option<&str>,
    rejects: &mut Rejects,
) -> Result<Vec<Cell>, FilosofiError> {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let (rows, source) = if is_csv {
        read_csv(path, rejects)?
    } else {
        read_layer(path, layer, assumed_crs)?
    };
    Ok(finish(rows, &source, rejects))
}

/// Reads the rows of a Filosofi CSV.
fn read_csv(path: &Path, rejects: &mut Rejects) -> Result<(Vec<RawRow>, Source), FilosofiError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| InputError::Open {
        path: PathBuf::from(name.clone()),
        reason: source.to_string(),
    })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let header_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |c: u8| header_line.iter().filter(|&&b| b == c).count();
    let delimiter = if count(b';') > count(b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(bytes);
    let csv_error = |line: u64, source: csv::Error| InputError::Csv {
        path: PathBuf::from(name.clone()),
        line,
        reason: source.to_string(),
    };
    let names: Vec<String> = reader
        .byte_headers()
        .map_err(|e| csv_error(1, e))?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let id_column = ID_COLUMNS
        .iter()
        .find_map(|c| find(&names, c))
        .ok_or_else(|| InputError::MissingColumn {
            path: PathBuf::from(name.clone()),
            column: ID_COLUMNS[0].to_string(),
            found: names.clone(),
        })?;
    let columns = value_columns(&names, &name)?;
    let unknown_age = find(&names, UNKNOWN_AGE_COLUMN);
    let communes = find(&names, COMMUNES_COLUMN);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    // Line numbers from byte offsets: the csv crate's own count misses CRLF endings.
    let (mut counted_line, mut counted_to) = (1u64, 0usize);
    loop {
        // After a CRLF the reader stands on the LF: count it with the line it ends.
        let end = (reader.position().byte() as usize + 1).min(bytes.len());
        counted_line += bytes[counted_to.min(end)..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        counted_to = counted_to.max(end);
        let line = counted_line;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(line, e).into()),
        }
        let text =
            |k: usize| String::from_utf8_lossy(record.get(k).unwrap_or_default()).into_owned();
        if record.len() != names.len() {
            let reason = format!("{} fields, header has {}", record.len(), names.len());
            rejects.push(&name, line, &text(id_column), reason);
            continue;
        }
        let value = |k: usize| match record.get(k).map(|v| v.trim_ascii()) {
            Some(v) if !v.is_empty() => Value::Text(String::from_utf8_lossy(v).into_owned()),
            _ => Value::Missing,
        };
        rows.push(RawRow {
            line,
            id: Some(text(id_column)),
            values: std::array::from_fn(|k| value(columns[k])),
            unknown_age: unknown_age.map(value),
            lcog_geo: communes.map(text).unwrap_or_default(),
            centroid: None,
        });
    }
    let source = Source {
        name,
        has_id: true,
        crs: None,
    };
    Ok((rows, source))
}

/// The layer's declared CRS as a definition (`EPSG:2154`, else WKT), or `None` when it
/// declares none: absent, a local / engineering system, or one of the GeoPackage's
/// placeholders `srs_id` −1 "Undefined Cartesian SRS" and 0 "Undefined geographic SRS"
/// (OGC GeoPackage 1.3, § 1.1.2.1.2), which GDAL reports as real systems.
fn declared_crs<L: LayerAccess>(layer: &L) -> Option<String> {
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

/// A GDAL field as a [`Value`].
fn field_value(feature: &gdal::vector::Feature<'_>, k: usize) -> Value {
    match feature.field(k) {
        Ok(Some(FieldValue::RealValue(v))) => Value::Number(v),
        Ok(Some(FieldValue::IntegerValue(v))) => Value::Number(f64::from(v)),
        Ok(Some(FieldValue::Integer64Value(v))) => Value::Number(v as f64),
        Ok(Some(FieldValue::StringValue(s))) => Value::Text(s),
        Ok(Some(other)) => Value::Text(format!("{other:?}")),
        Ok(None) | Err(_) => Value::Missing,
    }
}

/// A GDAL field as text (numbers written out, empty when null).
fn field_text(feature: &gdal::vector::Feature<'_>, k: usize) -> String {
    match field_value(feature, k) {
        Value::Text(s) => s,
        Value::Number(v) => v.to_string(),
        Value::Missing => String::new(),
    }
}

/// Reads the rows of a GDAL vector layer.
fn read_layer(
    path: &Path,
    layer: Option<&str>,
    assumed_crs: Option<&str>,
) -> Result<(Vec<RawRow>, Source), FilosofiError> {
    let path_name = path.display().to_string();
    let dataset = crate::inputs::layer::open(path).map_err(|reason| InputError::Open {
        path: path.to_path_buf(),
        reason,
    })?;
    let mut lyr = crate::inputs::layer::choose(&dataset, path, layer)?;
    let layer_name = lyr.name();
    let name = format!("{path_name} (layer {layer_name})");
    let names: Vec<String> = lyr.defn().fields().map(|f| f.name()).collect();
    let id_column = ID_COLUMNS.iter().find_map(|c| find(&names, c));
    let columns = value_columns(&names, &name)?;
    let has_geometry = lyr.defn().geom_fields().count() > 0;
    let declared = declared_crs(&lyr);
    if let (Some(d), Some(a)) = (&declared, assumed_crs) {
        if d != a {
            tracing::warn!("{name} declares {d}: the assumed CRS {a} is not used");
        }
    }
    let definition = declared.or_else(|| assumed_crs.map(str::to_string));
    if id_column.is_none() {
        if !has_geometry {
            return Err(FilosofiError::NoPosition {
                path: path_name,
                layer: layer_name,
            });
        }
        if definition.is_none() {
            return Err(FilosofiError::NoCrs {
                path: path_name,
                layer: layer_name,
            });
        }
    }
    let crs = definition
        .map(|d| Reprojector::from_definition(&d))
        .transpose()
        .map_err(|source| InputError::Crs {
            path: path.to_path_buf(),
            layer: layer_name.clone(),
            reason: source.to_string(),
        })?;
    let want_centroid = has_geometry && (id_column.is_none() || crs.is_some());
    let unknown_age = find(&names, UNKNOWN_AGE_COLUMN);
    let communes = find(&names, COMMUNES_COLUMN);
    let mut rows = Vec::new();
    for feature in lyr.features() {
        let centroid = if want_centroid {
            feature
                .geometry()
                .and_then(|g| g.to_geo().ok())
                .and_then(|g| g.centroid())
                .map(|p| [p.x(), p.y()])
        } else {
            None
        };
        rows.push(RawRow {
            line: feature.fid().unwrap_or(0),
            id: id_column.map(|k| field_text(&feature, k)),
            values: std::array::from_fn(|k| field_value(&feature, columns[k])),
            unknown_age: unknown_age.map(|k| field_value(&feature, k)),
            lcog_geo: communes
                .map(|k| field_text(&feature, k))
                .unwrap_or_default(),
            centroid,
        });
    }
    let source = Source {
        name,
        has_id: id_column.is_some(),
        crs,
    };
    Ok((rows, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_grid_identifiers() {
        let id = Idcar::parse("CRS3035RES200mN2891800E3770600").unwrap();
        assert_eq!(
            id,
            Idcar {
                epsg: 3035,
                side_m: 200,
                northing: 2_891_800.0,
                easting: 3_770_600.0
            }
        );
        assert_eq!(id.centre(), [3_770_700.0, 2_891_900.0]);
        let dom = Idcar::parse("CRS5490RES200mN1614800E0715200").unwrap();
        assert_eq!((dom.epsg, dom.easting), (5490, 715_200.0));
        for bad in [
            "",
            "CRS3035RES200mN2891800",
            "CRS3035RES200mN2891800E",
            "CRS3035RES200N2891800E3770600",
            "CRS3035RES200mN2891800X3770600",
            "crs3035RES200mN2891800E3770600",
            "CRS3035RES0mN2891800E3770600",
            "CRS3035RES200mN2891800E3770600 ",
            "CRS3035RES200mN-2891800E3770600",
        ] {
            let err = Idcar::parse(bad).unwrap_err();
            assert!(err.contains("malformed idcar_200m"), "{bad}: {err}");
        }
    }

    #[test]
    fn centre_matches_insee_published_position() {
        let id = Idcar::parse("CRS3035RES200mN2891800E3770600").unwrap();
        let mut p = [id.centre()];
        Reprojector::from_epsg(3035)
            .unwrap()
            .to_wgs84(&mut p)
            .unwrap();
        assert!(distance_m(p[0], [2.483597, 48.887371]) < 1.0, "{:?}", p[0]);
    }

    #[test]
    fn overseas_grids_are_placed() {
        let rows = vec![row("CRS5490RES200mN1614800E0715200", 2.0, [0.2; 10])];
        let mut rejects = Rejects::default();
        let cells = finish(rows, &csv_source(), &mut rejects);
        assert!(rejects.is_empty(), "{rejects:?}");
        assert!((-61.2..-60.8).contains(&cells[0].lon) && (14.4..14.8).contains(&cells[0].lat));
    }

    fn csv_source() -> Source {
        Source {
            name: "t.csv".into(),
            has_id: true,
            crs: None,
        }
    }

    fn row(id: &str, ind: f64, ages: [f64; 10]) -> RawRow {
        let mut values: Values = std::array::from_fn(|_| Value::Number(1.0));
        values[0] = Value::Number(ind);
        for (k, a) in ages.iter().enumerate() {
            values[4 + k] = Value::Number(*a);
        }
        RawRow {
            line: 2,
            id: Some(id.into()),
            values,
            unknown_age: None,
            lcog_geo: "93010".into(),
            centroid: None,
        }
    }

    #[test]
    fn validation_reasons() {
        let ok = "CRS3035RES200mN2891800E3770600";
        let reason = |r: RawRow| validate(&r, true).err().unwrap_or_default();
        assert_eq!(reason(row(ok, 2.0, [0.2; 10])), "");
        assert_eq!(reason(row("", 2.0, [0.2; 10])), "missing idcar_200m");
        assert!(
            reason(row("CRS3035RES1000mN2891000E3770000", 2.0, [0.2; 10]))
                .contains("is a 1000 m cell")
        );
        assert_eq!(reason(row(ok, -2.0, [0.0; 10])), "negative ind (-2)");
        assert!(reason(row(ok, 20.0, [1.0; 10])).starts_with("age bands sum to 10"));
        assert_eq!(reason(row(ok, 10.55, [1.0; 10])), "");
        let mut text = row(ok, 2.0, [0.2; 10]);
        text.values[0] = Value::Text("n/a".into());
        assert_eq!(reason(text), "ind: \"n/a\" is not a number");
        let mut comma = row(ok, 2.0, [0.2; 10]);
        comma.values[0] = Value::Text("2,0".into());
        assert_eq!(reason(comma), "");
        let mut empty = row(ok, 2.0, [0.2; 10]);
        empty.values[2] = Value::Missing;
        assert_eq!(reason(empty), "men_pauv is empty");
        let mut unknown = row(ok, 3.0, [0.2; 10]);
        unknown.unknown_age = Some(Value::Number(1.0));
        assert_eq!(reason(unknown), "");
    }

    #[test]
    fn duplicates_are_rejected_after_the_first() {
        let ok = "CRS3035RES200mN2891800E3770600";
        let mut second = row(ok, 2.0, [0.2; 10]);
        second.line = 3;
        let mut rejects = Rejects::default();
        let cells = finish(
            vec![row(ok, 2.0, [0.2; 10]), second],
            &csv_source(),
            &mut rejects,
        );
        assert_eq!(cells.len(), 1);
        assert_eq!(rejects.items[0].line, 3);
        assert_eq!(
            rejects.items[0].reason,
            "duplicate idcar_200m (identical to an earlier row)"
        );
    }

    #[test]
    fn reads_semicolon_csv_with_decimal_commas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cells.csv");
        let mut text = format!(
            "IDCAR_200M;IND;MEN;MEN_PAUV;IND_SNV;{}\n",
            AGE_COLUMNS.join(";")
        );
        text.push_str("CRS3035RES200mN2891800E3770600;2,5;1;0;30000,5;0,25;0,25;0,25;0,25;0,25;0,25;0,25;0,25;0,25;0,25\n");
        text.push_str("CRS3035RES200mN2891800E3770800;1\n");
        std::fs::write(&path, text).unwrap();
        let mut rejects = Rejects::default();
        let cells = read_filosofi(&path, None, None, &mut rejects).unwrap();
        assert_eq!(cells.len(), 1);
        assert_eq!(
            (cells[0].ind, cells[0].ind_snv, cells[0].line),
            (2.5, 30000.5, 2)
        );
        assert_eq!(cells[0].lcog_geo, "");
        assert_eq!(rejects.items[0].reason, "2 fields, header has 15");
        assert_eq!(rejects.items[0].line, 3);
    }

    #[test]
    fn csv_line_numbers_count_crlf_endings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cells.csv");
        let header = format!(
            "idcar_200m,ind,men,men_pauv,ind_snv,{}",
            AGE_COLUMNS.join(",")
        );
        let good = "CRS3035RES200mN2891800E3770600,1,1,0,1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1";
        let bad = "CRS3035RES200mN2891800E3770800,x,1,0,1,0,0,0,0,0,0,0,0,0,0";
        std::fs::write(&path, format!("{header}\r\n{good}\r\n{bad}\r\n")).unwrap();
        let mut rejects = Rejects::default();
        let cells = read_filosofi(&path, None, None, &mut rejects).unwrap();
        assert_eq!(cells[0].line, 2);
        assert_eq!(rejects.items[0].line, 3);
        assert_eq!(rejects.items[0].reason, "ind: \"x\" is not a number");
    }

    #[test]
    fn missing_columns_stop_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cells.csv");
        std::fs::write(&path, "idcar_200m,ind\nCRS3035RES200mN2891800E3770600,1\n").unwrap();
        let err = read_filosofi(&path, None, None, &mut Rejects::default()).unwrap_err();
        assert!(err.to_string().contains("missing column \"men\""), "{err}");
        std::fs::write(&path, "id,ind\n").unwrap();
        let err = read_filosofi(&path, None, None, &mut Rejects::default()).unwrap_err();
        assert!(
            err.to_string().contains("missing column \"idcar_200m\""),
            "{err}"
        );
    }

    #[test]
    fn haversine_distance() {
        assert!((distance_m([2.0, 48.0], [2.0, 49.0]) - 111_195.0).abs() < 1.0);
        assert_eq!(distance_m([2.0, 48.0], [2.0, 48.0]), 0.0);
    }
}
