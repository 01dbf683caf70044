//! Which files of an output folder become which tables, and with which columns.
//!
//! - Every layer of `results.gpkg` (origins, sites, each level) becomes a table of that
//!   name (of another GeoPackage, `changes.gpkg`: `changes__{layer}`), with the layer's field types and geometry (SRID of the layer's CRS).
//! - A GeoJSON file whose name no GeoPackage layer took becomes a table with its geometry
//!   (EPSG:4326, RFC 7946).
//! - A CSV file whose name no layer took becomes a table; its columns are typed from their
//!   values: `bigint` when every value is an integer written without a leading zero,
//!   `double precision` when every value is a number, `text` otherwise, and always `text`
//!   for identifiers and codes (`id`, `code`, `name`, `*_id`, `*_code`, `*_site`: INSEE codes
//!   such as `01004` keep their zero). A CSV with `lon` and `lat` columns also gets a point
//!   geometry in EPSG:4326.
//! - `manifest.json` becomes the table `manifest` (`key`, `value`): one row per value, keyed
//!   by its JSON pointer (`/counts/origins`).
//! - Tables are named after their path in the folder, `/` becoming `__`
//!   (`communes/gp_minutes.csv` → `communes__gp_minutes`).
//!
//! Names ([`pg_name`]): PostgreSQL folds unquoted names to lower case and truncates them at
//! 63 bytes, and dashboards query unquoted names; so every table and column name is written
//! in lower case, with any character other than a letter, a digit or `_` replaced by `_`,
//! and a name longer than 63 bytes is cut to 54 bytes followed by `_` and 8 hexadecimal
//! digits of its SHA-256 (two long names never meet). Two columns of one table that give the
//! same name are an error naming both. The name in the files is kept in the column comment.

use super::target::PgError;
use gdal::vector::{Geometry, LayerAccess, OGRFieldType, OGRwkbGeometryType};
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// PostgreSQL's longest identifier, in bytes (`NAMEDATALEN - 1`).
pub const MAX_IDENTIFIER: usize = 63;

/// The type of a column in the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `bigint`.
    Integer,
    /// `double precision`.
    Real,
    /// `text`.
    Text,
}

impl Kind {
    /// GDAL's field type for this kind.
    pub fn ogr(self) -> OGRFieldType::Type {
        match self {
            Kind::Integer => OGRFieldType::OFTInteger64,
            Kind::Real => OGRFieldType::OFTReal,
            Kind::Text => OGRFieldType::OFTString,
        }
    }
}

/// One column: its name in the database, its name in the file and its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Name in the database ([`pg_name`]).
    pub name: String,
    /// Name in the file.
    pub source: String,
    /// Type.
    pub kind: Kind,
}

/// One value of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// SQL `NULL` (an empty CSV value, an unset field).
    Null,
    /// An integer.
    Int(i64),
    /// A number.
    Real(f64),
    /// Text.
    Text(String),
}

/// A geometry column: its type and SRID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeometrySpec {
    /// OGR geometry type (multi-polygons for surfaces).
    pub kind: OGRwkbGeometryType::Type,
    /// EPSG code of the coordinates.
    pub srid: u32,
}

/// Where a table's rows come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A layer of a GDAL dataset (GeoPackage, GeoJSON).
    Layer {
        /// The file.
        path: PathBuf,
        /// The layer's name.
        layer: String,
    },
    /// A CSV file; a point is made from `lon`/`lat` (column indexes) when given.
    Csv {
        /// The file.
        path: PathBuf,
        /// Indexes of the longitude and latitude columns.
        lonlat: Option<(usize, usize)>,
    },
    /// The manifest, flattened to (JSON pointer, value).
    Manifest {
        /// The file.
        path: PathBuf,
    },
}

/// One table to write: name, file it comes from, columns, geometry and where the rows are.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Table name ([`pg_name`]).
    pub name: String,
    /// File (relative to the output folder) and layer it comes from, for comments and errors.
    pub origin: String,
    /// Columns, in order.
    pub fields: Vec<Field>,
    /// Geometry column, if any.
    pub geometry: Option<GeometrySpec>,
    /// Rows.
    pub source: Source,
}

/// `name` as a PostgreSQL identifier that needs no quotes (see the module doc).
pub fn pg_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if s.len() > MAX_IDENTIFIER {
        let hash = Sha256::digest(name.as_bytes());
        let hex: String = hash[..4].iter().map(|b| format!("{b:02x}")).collect();
        s.truncate(MAX_IDENTIFIER - 9);
        s.push('_');
        s.push_str(&hex);
    }
    s
}

/// Fields named from `sources` with their kinds; an error when two give the same name.
fn fields(origin: &str, sources: Vec<(String, Kind)>) -> Result<Vec<Field>, PgError> {
    let mut out: Vec<Field> = Vec::with_capacity(sources.len());
    for (source, kind) in sources {
        let name = pg_name(&source);
        if let Some(f) = out.iter().find(|f| f.name == name) {
            return Err(PgError::Source {
                file: origin.into(),
                reason: format!(
                    "columns {:?} and {:?} both become {name:?} in PostgreSQL (lower case, other characters as _): rename one",
                    f.source, source
                ),
            });
        }
        out.push(Field { name, source, kind });
    }
    Ok(out)
}

/// `path` relative to `dir`, with `/` separators.
fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every file under `dir`, sorted.
fn files_under(dir: &Path) -> Result<Vec<PathBuf>, PgError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| PgError::Source {
            file: d.display().to_string(),
            reason: e.to_string(),
        })?;
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The tables of the output folder `dir` (see the module doc), in a fixed order.
pub fn plan(dir: &Path) -> Result<Vec<Table>, PgError> {
    let files = files_under(dir)?;
    let ext = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    let stem_name = |p: &Path| {
        let rel = relative(dir, p);
        let stem = rel.rsplit_once('.').map(|(s, _)| s).unwrap_or(&rel);
        pg_name(&stem.replace('/', "__"))
    };
    let mut tables: Vec<Table> = Vec::new();
    for p in files.iter().filter(|p| ext(p) == "gpkg") {
        // `results.gpkg` gives its layers' names; another GeoPackage (`changes.gpkg`) is a
        // prefix: `changes__commune`.
        let prefix = (relative(dir, p) != "results.gpkg").then(|| stem_name(p));
        tables.extend(layer_tables(dir, p, None, prefix.as_deref())?);
    }
    for p in files.iter().filter(|p| ext(p) == "geojson") {
        let name = stem_name(p);
        if !tables.iter().any(|t| t.name == name) {
            tables.extend(layer_tables(dir, p, Some(&name), None)?);
        }
    }
    for p in files.iter().filter(|p| ext(p) == "csv") {
        let name = stem_name(p);
        if !tables.iter().any(|t| t.name == name) {
            tables.push(csv_table(dir, p, name)?);
        }
    }
    let manifest = dir.join(crate::support::staging::MARKER);
    if manifest.is_file() {
        tables.push(Table {
            name: "manifest".into(),
            origin: crate::support::staging::MARKER.into(),
            fields: fields(
                "manifest.json",
                vec![("key".into(), Kind::Text), ("value".into(), Kind::Text)],
            )?,
            geometry: None,
            source: Source::Manifest { path: manifest },
        });
    }
    let mut seen = std::collections::BTreeMap::new();
    for t in &tables {
        if let Some(first) = seen.insert(t.name.as_str(), t.origin.as_str()) {
            return Err(PgError::Source {
                file: t.origin.clone(),
                reason: format!("{first} and {} both become table {:?}", t.origin, t.name),
            });
        }
    }
    Ok(tables)
}

/// Opens a layer file read-only.
pub fn open_file(path: &Path) -> Result<Dataset, PgError> {
    let options = DatasetOptions {
        open_flags: GdalOpenFlags::GDAL_OF_VECTOR | GdalOpenFlags::GDAL_OF_READONLY,
        ..Default::default()
    };
    Dataset::open_ex(path, options).map_err(|e| PgError::Source {
        file: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// One table per layer of the GDAL file `path`: named `name` when given (a one-layer file),
/// else after the layer, behind `prefix` and `__` when given.
fn layer_tables(
    dir: &Path,
    path: &Path,
    name: Option<&str>,
    prefix: Option<&str>,
) -> Result<Vec<Table>, PgError> {
    let ds = open_file(path)?;
    let rel = relative(dir, path);
    let mut out = Vec::new();
    for lyr in ds.layers() {
        let layer = lyr.name();
        let origin = if name.is_some() {
            rel.clone()
        } else {
            format!("{rel}, layer {layer}")
        };
        let sources = lyr
            .defn()
            .fields()
            .map(|f| {
                let kind = match f.field_type() {
                    OGRFieldType::OFTInteger | OGRFieldType::OFTInteger64 => Kind::Integer,
                    OGRFieldType::OFTReal => Kind::Real,
                    _ => Kind::Text,
                };
                (f.name(), kind)
            })
            .collect();
        let geometry = lyr.defn().geom_fields().next().map(|g| {
            let srid = lyr
                .spatial_ref()
                .and_then(|s| s.auth_code().ok())
                .and_then(|c| u32::try_from(c).ok())
                .unwrap_or(crate::support::crs::WGS84_EPSG);
            GeometrySpec {
                kind: promote(g.field_type()),
                srid,
            }
        });
        out.push(Table {
            name: match (name, prefix) {
                (Some(n), _) => n.to_string(),
                (None, Some(p)) => pg_name(&format!("{p}__{layer}")),
                (None, None) => pg_name(&layer),
            },
            fields: fields(&origin, sources)?,
            origin,
            geometry,
            source: Source::Layer {
                path: path.to_path_buf(),
                layer,
            },
        });
    }
    Ok(out)
}

/// The declared type of a geometry column: surfaces as multi-polygons (a level mixes
/// polygons and multi-polygons), points as points, anything else as a generic geometry.
pub fn promote(kind: OGRwkbGeometryType::Type) -> OGRwkbGeometryType::Type {
    match gdal::vector::geometry_type_flatten(kind) {
        OGRwkbGeometryType::wkbPolygon | OGRwkbGeometryType::wkbMultiPolygon => {
            OGRwkbGeometryType::wkbMultiPolygon
        }
        OGRwkbGeometryType::wkbPoint => OGRwkbGeometryType::wkbPoint,
        _ => OGRwkbGeometryType::wkbUnknown,
    }
}

/// `geom` in the declared type `kind` (a polygon becomes a multi-polygon of one).
pub fn conform(geom: &Geometry, kind: OGRwkbGeometryType::Type) -> Geometry {
    if kind == OGRwkbGeometryType::wkbMultiPolygon
        && gdal::vector::geometry_type_flatten(geom.geometry_type())
            == OGRwkbGeometryType::wkbPolygon
    {
        Geometry::empty(OGRwkbGeometryType::wkbMultiPolygon)
            .ok()
            .and_then(|mut multi| multi.add_geometry(geom.clone()).ok().map(|()| multi))
            .unwrap_or_else(|| geom.clone())
    } else {
        geom.clone()
    }
}

/// Whether a CSV column named `name` holds identifiers or codes, kept as text.
fn is_code(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "id" | "code" | "name" | "territory" | "iris" | "commune"
    ) || n.ends_with("_id")
        || n.ends_with("_code")
        || n.ends_with("_site")
}

/// The narrowest kind that holds `value` (non-empty).
fn kind_of(value: &str) -> Kind {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let leading_zero = digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.");
    if leading_zero {
        Kind::Text
    } else if value.parse::<i64>().is_ok() {
        Kind::Integer
    } else if value.parse::<f64>().is_ok_and(f64::is_finite) {
        Kind::Real
    } else {
        Kind::Text
    }
}

/// Widens `a` to hold values of kind `b` too.
fn widen(a: Option<Kind>, b: Kind) -> Kind {
    match (a, b) {
        (None, k) => k,
        (Some(Kind::Text), _) | (_, Kind::Text) => Kind::Text,
        (Some(Kind::Real), _) | (_, Kind::Real) => Kind::Real,
        _ => Kind::Integer,
    }
}

/// Opens a CSV reader on `path`.
pub fn csv_reader(path: &Path) -> Result<csv::Reader<std::fs::File>, PgError> {
    csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| PgError::Source {
            file: path.display().to_string(),
            reason: e.to_string(),
        })
}

/// The table of a CSV file, its columns typed from a first reading.
fn csv_table(dir: &Path, path: &Path, name: String) -> Result<Table, PgError> {
    let origin = relative(dir, path);
    let err = |e: csv::Error| PgError::Source {
        file: origin.clone(),
        reason: e.to_string(),
    };
    let mut rd = csv_reader(path)?;
    let headers: Vec<String> = rd
        .headers()
        .map_err(err)?
        .iter()
        .map(String::from)
        .collect();
    let mut kinds: Vec<Option<Kind>> = vec![None; headers.len()];
    for record in rd.records() {
        let record = record.map_err(err)?;
        for (k, v) in record.iter().enumerate() {
            if !v.is_empty() && kinds[k] != Some(Kind::Text) {
                kinds[k] = Some(widen(kinds[k], kind_of(v)));
            }
        }
    }
    let sources: Vec<(String, Kind)> = headers
        .iter()
        .zip(kinds)
        .map(|(h, k)| {
            let kind = if is_code(h) {
                Kind::Text
            } else {
                k.unwrap_or(Kind::Text)
            };
            (h.clone(), kind)
        })
        .collect();
    let col = |n: &str| sources.iter().position(|(h, k)| h == n && *k != Kind::Text);
    let lonlat = col("lon").zip(col("lat"));
    Ok(Table {
        name,
        fields: fields(&origin, sources)?,
        origin,
        geometry: lonlat.map(|_| GeometrySpec {
            kind: OGRwkbGeometryType::wkbPoint,
            srid: crate::support::crs::WGS84_EPSG,
        }),
        source: Source::Csv {
            path: path.to_path_buf(),
            lonlat,
        },
    })
}

/// The table of one CSV file `path` of folder `dir`, named after its path.
pub fn plan_csv(dir: &Path, path: &Path) -> Result<Table, PgError> {
    let rel = relative(dir, path);
    let stem = rel.rsplit_once('.').map(|(s, _)| s).unwrap_or(&rel);
    csv_table(dir, path, pg_name(&stem.replace('/', "__")))
}

/// A CSV value as a cell of `kind` (empty: `NULL`).
pub fn cell(value: &str, kind: Kind) -> Cell {
    if value.is_empty() {
        return Cell::Null;
    }
    match kind {
        Kind::Integer => value.parse().map(Cell::Int).unwrap_or(Cell::Null),
        Kind::Real => value.parse().map(Cell::Real).unwrap_or(Cell::Null),
        Kind::Text => Cell::Text(value.to_string()),
    }
}

/// The manifest flattened to (JSON pointer, value as JSON text; strings without quotes).
pub fn flatten_json(value: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(v: &serde_json::Value, at: String, out: &mut Vec<(String, String)>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    walk(
                        x,
                        format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                        out,
                    );
                }
            }
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, format!("{at}/{i}"), out);
                }
            }
            serde_json::Value::String(s) => out.push((at, s.clone())),
            other => out.push((at, other.to_string())),
        }
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_need_no_quotes_and_long_ones_stay_distinct() {
        assert_eq!(pg_name("gp_minutes"), "gp_minutes");
        assert_eq!(pg_name("APL Médecins"), "apl_m_decins");
        assert_eq!(pg_name("2sfca"), "_2sfca");
        let a = pg_name(&format!("{}_a", "x".repeat(70)));
        let b = pg_name(&format!("{}_b", "x".repeat(70)));
        assert_eq!(a.len(), MAX_IDENTIFIER);
        assert_ne!(a, b);
        let e = fields(
            "t.csv",
            vec![("A".into(), Kind::Text), ("a".into(), Kind::Text)],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("both become \"a\""), "{e}");
    }

    #[test]
    fn csv_columns_are_typed_from_their_values_and_codes_stay_text() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("communes").join("gp_minutes.csv");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(
            &p,
            "code,insee,n,x,label,lon,lat\n75056,01004,3,1.5,a,2.35,48.85\n13055,02001,,2,b,5.4,43.3\n",
        )
        .unwrap();
        let t = csv_table(dir.path(), &p, "communes__gp_minutes".into()).unwrap();
        let kinds: Vec<Kind> = t.fields.iter().map(|f| f.kind).collect();
        use Kind::*;
        assert_eq!(kinds, [Text, Text, Integer, Real, Text, Real, Real]);
        assert_eq!(
            t.source,
            Source::Csv {
                path: p.clone(),
                lonlat: Some((5, 6))
            }
        );
        assert_eq!(t.origin, "communes/gp_minutes.csv");
        assert_eq!(cell("", Integer), Cell::Null);
        assert_eq!(cell("3", Integer), Cell::Int(3));
    }

    #[test]
    fn the_manifest_flattens_to_pointers() {
        let v = serde_json::json!({"counts": {"origins": 3}, "inputs": [{"path": "a/b"}]});
        let rows = flatten_json(&v);
        assert_eq!(
            rows,
            [
                ("/counts/origins".to_string(), "3".to_string()),
                ("/inputs/0/path".to_string(), "a/b".to_string())
            ]
        );
    }
}
