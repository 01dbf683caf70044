//! One GeoPackage (OGC 12-128r18, *GeoPackage Encoding Standard* 1.3) holding several vector
//! layers: origins or sites as point layers, territorial units as multipolygon layers, each
//! with its indicator columns.
//!
//! Written through SQLite directly (`rusqlite`, the system's SQLite, the one GDAL uses),
//! not through GDAL's `GPKG` driver: the national origins layer (2 M points, 34 fields) took
//! most of a national study's 57 s of outputs through GDAL 3.6 — one OGR feature built,
//! filled field by field and inserted per row, then the spatial index filled by one SQLite
//! R-tree insert per row, each rewriting a 1.2 kB node (issue 19; `examples/outputs_national.rs`
//! and `BENCHMARKS.md` for the figures). Here each layer is one prepared `INSERT` bound row
//! by row in one transaction, and the R-tree is bulk-loaded: its nodes are packed bottom-up
//! from the entries sorted along a Hilbert curve and written straight into the R-tree's
//! shadow tables (`_node`, `_rowid`, `_parent`, in the layout of SQLite's `ext/rtree/rtree.c`),
//! as GDAL 3.7 does for the same reason (`ogr/ogrsf_frmts/sqlite/rtree_bulk_load`). The
//! tests read every file back through GDAL and check the index with SQLite's `rtreecheck`.
//!
//! - Tables as the standard's Annex C defines them: `gpkg_spatial_ref_sys` (the three
//!   required systems), `gpkg_contents` (with each layer's extent), `gpkg_geometry_columns`,
//!   the empty tile tables, `gpkg_extensions` (the `gpkg_rtree_index` of each layer); the
//!   header's `application_id` is `GPKG` and `user_version` 10300.
//! - Geometries in the standard binary encoding (§2.1.3): the `GP` header, version 0, flags
//!   (little-endian, an `[minx, maxx, miny, maxy]` envelope except on points), the SRS id,
//!   then ISO WKB.
//! - Every layer is in WGS84 (EPSG:4326), coordinates *x = longitude, y = latitude* in
//!   degrees.
//! - Number columns become `REAL` fields, text columns `TEXT` fields; an absent value is a
//!   SQL `NULL`, never a made-up zero or empty text.
//! - Point layers lead with an `id` field, unit layers with `kind`, `code`, `name` and
//!   `population` (inhabitants, `NULL` when the layer gives none), then the columns in order;
//!   the feature id `fid` is the row's position from 1.
//! - The spatial index `rtree_{layer}_geom` holds each feature's box in single precision,
//!   rounded outwards as SQLite's R-tree rounds it, and the standard's triggers keep it up to
//!   date when the file is edited later.
//! - The file is built under `<name>.partial.gpkg` in the destination folder, without a
//!   rollback journal (a crash leaves only the partial file), and renamed to its final name
//!   by [`GpkgWriter::finish`]: a crash or an error never leaves a truncated GeoPackage under
//!   the final name; a writer dropped unfinished removes its partial file.
//! - The `last_change` of every layer is the fixed [`LAST_CHANGE`], and nothing else
//!   depends on the clock or the thread count: the same inputs give the same bytes.

use super::columns::{Column, Values};
use crate::inputs::territory::UnitLayer;
use rusqlite::{Connection, Statement};
use std::path::{Path, PathBuf};

mod rtree;

/// The `last_change` date written in `gpkg_contents` (ISO 8601): fixed, not the clock.
pub const LAST_CHANGE: &str = "2000-01-01T00:00:00.000Z";

/// SRS id of WGS84 in `gpkg_spatial_ref_sys` (EPSG code).
const SRS_ID: i32 = crate::support::crs::WGS84_EPSG as i32;

/// Why a GeoPackage could not be written.
#[derive(Debug, thiserror::Error)]
pub enum GpkgError {
    /// SQLite refused an operation (file, table, row or index creation).
    #[error("{file}: layer {layer:?}, feature {feature:?}: {reason}")]
    Sqlite {
        /// Final file being written.
        file: PathBuf,
        /// Layer concerned, empty for the file itself.
        layer: String,
        /// 0-based row of the feature concerned, if any.
        feature: Option<usize>,
        /// SQLite's message.
        reason: String,
    },
    /// The inputs of a layer do not fit together.
    #[error("{file}: layer {layer:?}: {reason}")]
    Input {
        /// Final file being written.
        file: PathBuf,
        /// Layer concerned.
        layer: String,
        /// What does not fit (column lengths, duplicate field names, non-finite coordinates).
        reason: String,
    },
    /// The partial file could not be removed or renamed.
    #[error("{file}: {reason}")]
    Io {
        /// File concerned.
        file: PathBuf,
        /// The system's message.
        reason: String,
    },
}

/// A GeoPackage being written; layers are added one by one, [`GpkgWriter::finish`] publishes
/// the file under its final name.
pub struct GpkgWriter {
    /// Open connection on the partial file; `None` once closed.
    conn: Option<Connection>,
    /// Final path.
    path: PathBuf,
    /// Partial path the connection writes to.
    partial: PathBuf,
}

/// One field to create: name and whether it holds numbers.
#[derive(Clone, Copy)]
struct FieldSpec<'a> {
    name: &'a str,
    numeric: bool,
}

/// The lead value of a feature's field.
enum Lead<'a> {
    Text(&'a str),
    Number(Option<f64>),
}

/// A box `[min_x, max_x, min_y, max_y]` in degrees.
type Envelope = [f64; 4];

/// The tables of the standard (Annex C), the three required spatial reference systems and
/// the file's identity.
const SCHEMA: &str = r#"
PRAGMA application_id = 1196444487;
PRAGMA user_version = 10300;
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
  identifier TEXT UNIQUE, description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
  m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_tile_matrix_set (table_name TEXT NOT NULL PRIMARY KEY,
  srs_id INTEGER NOT NULL, min_x DOUBLE NOT NULL, min_y DOUBLE NOT NULL,
  max_x DOUBLE NOT NULL, max_y DOUBLE NOT NULL,
  CONSTRAINT fk_gtms_table_name FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gtms_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_tile_matrix (table_name TEXT NOT NULL, zoom_level INTEGER NOT NULL,
  matrix_width INTEGER NOT NULL, matrix_height INTEGER NOT NULL, tile_width INTEGER NOT NULL,
  tile_height INTEGER NOT NULL, pixel_x_size DOUBLE NOT NULL, pixel_y_size DOUBLE NOT NULL,
  CONSTRAINT pk_ttm PRIMARY KEY (table_name, zoom_level),
  CONSTRAINT fk_tmm_table_name FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name));
CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
  definition TEXT NOT NULL, scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1,
  'undefined', 'undefined cartesian coordinate reference system');
INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0,
  'undefined', 'undefined geographic coordinate reference system');
INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326,
  'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]',
  'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
"#;

/// `name` as a quoted SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl GpkgWriter {
    /// Starts a GeoPackage that will be published at `path` (its folder is created if
    /// missing; a stale partial file from an earlier crash is replaced).
    pub fn create(path: &Path) -> Result<GpkgWriter, GpkgError> {
        let io = |file: &Path, e: std::io::Error| GpkgError::Io {
            file: file.to_path_buf(),
            reason: e.to_string(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        let mut name = path.as_os_str().to_owned();
        name.push(".partial.gpkg");
        let partial = PathBuf::from(name);
        if partial.exists() {
            std::fs::remove_file(&partial).map_err(|e| io(&partial, e))?;
        }
        let sqlite = |e: rusqlite::Error| GpkgError::Sqlite {
            file: path.to_path_buf(),
            layer: String::new(),
            feature: None,
            reason: e.to_string(),
        };
        let conn = Connection::open(&partial).map_err(sqlite)?;
        // The partial file is thrown away on any failure: no journal, no sync until the
        // close, one writer.
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; \
             PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -131072;",
        )
        .map_err(sqlite)?;
        conn.execute_batch(SCHEMA).map_err(sqlite)?;
        Ok(GpkgWriter {
            conn: Some(conn),
            path: path.to_path_buf(),
            partial,
        })
    }

    /// Adds a point layer `name`: one feature per point (`(longitude, latitude)` in WGS84
    /// degrees) with its id and one value per column.
    pub fn add_points(
        &mut self,
        name: &str,
        points: &[(f64, f64)],
        ids: &[String],
        columns: &[Column],
    ) -> Result<(), GpkgError> {
        self.check_lengths(name, points.len(), "ids", ids.len())?;
        if let Some(i) = points
            .iter()
            .position(|(x, y)| !x.is_finite() || !y.is_finite())
        {
            return Err(self.input(name, format!("point {i} has a non-finite coordinate")));
        }
        let lead = [FieldSpec {
            name: "id",
            numeric: false,
        }];
        let layer = LayerSpec {
            name,
            geometry_type: "POINT",
            lead: &lead,
            columns,
            count: points.len(),
        };
        self.write_layer(&layer, |i, lead, geom| {
            lead.push(Lead::Text(&ids[i]));
            let (x, y) = points[i];
            point_blob(x, y, geom);
            Some([x, x, y, y])
        })
    }

    /// Adds a multipolygon layer `name` with the units of `layer` (kind, code, name,
    /// population) and one value per unit per column.
    pub fn add_units(
        &mut self,
        name: &str,
        layer: &UnitLayer,
        columns: &[Column],
    ) -> Result<(), GpkgError> {
        let lead = [
            FieldSpec {
                name: "kind",
                numeric: false,
            },
            FieldSpec {
                name: "code",
                numeric: false,
            },
            FieldSpec {
                name: "name",
                numeric: false,
            },
            FieldSpec {
                name: "population",
                numeric: true,
            },
        ];
        let spec = LayerSpec {
            name,
            geometry_type: "MULTIPOLYGON",
            lead: &lead,
            columns,
            count: layer.units.len(),
        };
        self.write_layer(&spec, |i, lead, geom| {
            let u = &layer.units[i];
            lead.extend([
                Lead::Text(&u.kind),
                Lead::Text(&u.code),
                Lead::Text(&u.name),
                Lead::Number(u.population),
            ]);
            multipolygon_blob(&u.geometry, geom)
        })
    }

    /// Closes the file and renames it to its final name.
    pub fn finish(mut self) -> Result<(), GpkgError> {
        if let Some(conn) = self.conn.take() {
            conn.close().map_err(|(_, e)| GpkgError::Sqlite {
                file: self.path.clone(),
                layer: String::new(),
                feature: None,
                reason: e.to_string(),
            })?;
        }
        std::fs::rename(&self.partial, &self.path).map_err(|e| GpkgError::Io {
            file: self.path.clone(),
            reason: format!("renaming {}: {e}", self.partial.display()),
        })
    }

    /// An input error on layer `layer`.
    fn input(&self, layer: &str, reason: String) -> GpkgError {
        GpkgError::Input {
            file: self.path.clone(),
            layer: layer.to_string(),
            reason,
        }
    }

    /// Checks that `what` has one entry per feature.
    fn check_lengths(
        &self,
        layer: &str,
        features: usize,
        what: &str,
        got: usize,
    ) -> Result<(), GpkgError> {
        if got == features {
            Ok(())
        } else {
            Err(self.input(
                layer,
                format!("{what} has {got} values for {features} features"),
            ))
        }
    }

    /// The fields of `layer` (lead then columns), checked: one value per feature in every
    /// column, no name twice (ignoring case, as SQLite does), none named as the feature id
    /// or the geometry.
    fn fields<'a>(&self, layer: &LayerSpec<'a>) -> Result<Vec<FieldSpec<'a>>, GpkgError> {
        let mut fields: Vec<FieldSpec> = layer.lead.to_vec();
        for c in layer.columns {
            let n = match &c.values {
                Values::Number(v, _) => v.len(),
                Values::Text(v) => v.len(),
            };
            self.check_lengths(layer.name, layer.count, &format!("column {:?}", c.name), n)?;
            fields.push(FieldSpec {
                name: &c.name,
                numeric: matches!(c.values, Values::Number(..)),
            });
        }
        for (k, f) in fields.iter().enumerate() {
            if fields[..k]
                .iter()
                .any(|g| g.name.eq_ignore_ascii_case(f.name))
            {
                return Err(self.input(layer.name, format!("field {:?} appears twice", f.name)));
            }
            if ["fid", "geom"]
                .iter()
                .any(|r| r.eq_ignore_ascii_case(f.name))
            {
                return Err(self.input(
                    layer.name,
                    format!("field {:?} is the feature id or the geometry", f.name),
                ));
            }
        }
        Ok(fields)
    }

    /// Creates layer `spec.name` with its fields and writes its features in one
    /// transaction, then its spatial index; `fill(i, lead, geometry)` pushes the lead values
    /// of feature `i`, writes its geometry blob and returns its envelope (`None` when empty).
    fn write_layer<'a>(
        &mut self,
        spec: &LayerSpec,
        fill: impl Fn(usize, &mut Vec<Lead<'a>>, &mut Vec<u8>) -> Option<Envelope>,
    ) -> Result<(), GpkgError> {
        let fields = self.fields(spec)?;
        let name = spec.name;
        let file = self.path.clone();
        let err = |feature: Option<usize>| {
            let file = file.clone();
            move |e: rusqlite::Error| GpkgError::Sqlite {
                file,
                layer: name.to_string(),
                feature,
                reason: e.to_string(),
            }
        };
        let Some(conn) = self.conn.as_mut() else {
            return Err(err(None)(rusqlite::Error::InvalidQuery));
        };
        let txn = conn.transaction().map_err(err(None))?;
        let table = quoted(name);
        let defs: Vec<String> = fields
            .iter()
            .map(|f| {
                format!(
                    "{} {}",
                    quoted(f.name),
                    if f.numeric { "REAL" } else { "TEXT" }
                )
            })
            .collect();
        txn.execute_batch(&format!(
            "CREATE TABLE {table} (\"fid\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \
             \"geom\" {}, {})",
            spec.geometry_type,
            defs.join(", ")
        ))
        .map_err(err(None))?;
        let placeholders = vec!["?"; fields.len() + 2].join(", ");
        let mut boxes = Vec::with_capacity(spec.count);
        {
            let mut insert = txn
                .prepare(&format!("INSERT INTO {table} VALUES ({placeholders})"))
                .map_err(err(None))?;
            let mut lead = Vec::with_capacity(spec.lead.len());
            let mut geom = Vec::new();
            for i in 0..spec.count {
                lead.clear();
                geom.clear();
                boxes.push(fill(i, &mut lead, &mut geom));
                bind_row(&mut insert, i, &lead, &geom, spec.columns)
                    .and_then(|()| insert.raw_execute())
                    .map_err(err(Some(i)))?;
            }
        }
        let extent = boxes.iter().flatten().copied().reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].max(b[1]),
                a[2].min(b[2]),
                a[3].max(b[3]),
            ]
        });
        register(&txn, spec, extent).map_err(err(None))?;
        rtree::write(&txn, name, &boxes).map_err(err(None))?;
        txn.commit().map_err(err(None))
    }
}

/// A layer to write: name, geometry type (`POINT`, `MULTIPOLYGON`), lead fields, columns
/// and number of features.
struct LayerSpec<'a> {
    name: &'a str,
    geometry_type: &'a str,
    lead: &'a [FieldSpec<'a>],
    columns: &'a [Column],
    count: usize,
}

/// Binds feature `i`'s values to `insert`: fid, geometry, lead values, columns.
fn bind_row(
    insert: &mut Statement,
    i: usize,
    lead: &[Lead],
    geom: &[u8],
    columns: &[Column],
) -> rusqlite::Result<()> {
    insert.raw_bind_parameter(1, i as i64 + 1)?;
    insert.raw_bind_parameter(2, geom)?;
    for (k, v) in lead.iter().enumerate() {
        match v {
            Lead::Text(s) => insert.raw_bind_parameter(k + 3, *s)?,
            Lead::Number(x) => insert.raw_bind_parameter(k + 3, *x)?,
        }
    }
    let first = lead.len() + 3;
    for (k, c) in columns.iter().enumerate() {
        match &c.values {
            Values::Number(v, _) => insert.raw_bind_parameter(first + k, v[i])?,
            Values::Text(v) => insert.raw_bind_parameter(first + k, v[i].as_deref())?,
        }
    }
    Ok(())
}

/// Registers the layer in `gpkg_contents`, `gpkg_geometry_columns` and, when it has an
/// index, `gpkg_extensions`.
fn register(conn: &Connection, spec: &LayerSpec, extent: Option<Envelope>) -> rusqlite::Result<()> {
    let e = |k: usize| extent.map(|b| b[k]);
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, \
         last_change, min_x, min_y, max_x, max_y, srs_id) \
         VALUES (?1, 'features', ?1, '', ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![spec.name, LAST_CHANGE, e(0), e(2), e(1), e(3), SRS_ID],
    )?;
    conn.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, ?3, 0, 0)",
        rusqlite::params![spec.name, spec.geometry_type, SRS_ID],
    )?;
    if extent.is_some() {
        conn.execute(
            "INSERT INTO gpkg_extensions VALUES (?1, 'geom', 'gpkg_rtree_index', \
             'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
            [spec.name],
        )?;
    }
    Ok(())
}

/// Appends the GeoPackage header (§2.1.3: `GP`, version 0, `flags`, the SRS id) to `out`.
fn header(flags: u8, out: &mut Vec<u8>) {
    out.extend_from_slice(&[b'G', b'P', 0, flags]);
    out.extend_from_slice(&SRS_ID.to_le_bytes());
}

/// A point as a GeoPackage geometry blob: little-endian header without envelope (the
/// standard's choice for points), ISO WKB point.
fn point_blob(x: f64, y: f64, out: &mut Vec<u8>) {
    header(0b0000_0001, out);
    out.push(1);
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&x.to_le_bytes());
    out.extend_from_slice(&y.to_le_bytes());
}

/// A multipolygon as a GeoPackage geometry blob: little-endian header with its
/// `[minx, maxx, miny, maxy]` envelope (flagged empty, without envelope, when it has no
/// point), ISO WKB multipolygon; returns the envelope.
fn multipolygon_blob(mp: &geo::MultiPolygon<f64>, out: &mut Vec<u8>) -> Option<Envelope> {
    let mut envelope: Option<Envelope> = None;
    for c in mp.0.iter().flat_map(|p| p.exterior().0.iter()) {
        let b = envelope.get_or_insert([c.x, c.x, c.y, c.y]);
        *b = [b[0].min(c.x), b[1].max(c.x), b[2].min(c.y), b[3].max(c.y)];
    }
    match envelope {
        Some(b) => {
            header(0b0000_0011, out);
            for v in b {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        None => header(0b0001_0001, out),
    }
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
    out.push(1);
    out.extend_from_slice(&6u32.to_le_bytes());
    out.extend_from_slice(&count(mp.0.len()));
    for p in &mp.0 {
        out.push(1);
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&count(1 + p.interiors().len()));
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            out.extend_from_slice(&count(ring.0.len()));
            for c in &ring.0 {
                out.extend_from_slice(&c.x.to_le_bytes());
                out.extend_from_slice(&c.y.to_le_bytes());
            }
        }
    }
    envelope
}

impl Drop for GpkgWriter {
    /// An unfinished writer closes its connection and removes the partial file.
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            drop(conn);
            // Best effort: the final name was never written, so nothing misleading remains
            // even if the removal fails.
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::columns::Format;
    use crate::inputs::territory::Unit;
    use gdal::vector::{Feature, FieldValue, LayerAccess};
    use gdal::Dataset;
    use geo::{polygon, MultiPolygon};

    fn units() -> UnitLayer {
        let square = |x0: f64, code: &str, pop: Option<f64>| Unit {
            kind: "commune".into(),
            code: code.into(),
            name: format!("Commune {code}"),
            geometry: MultiPolygon(vec![polygon![
                (x: x0, y: 48.0), (x: x0 + 0.1, y: 48.0), (x: x0 + 0.1, y: 48.1),
                (x: x0, y: 48.1), (x: x0, y: 48.0)
            ]]),
            population: pop,
        };
        UnitLayer {
            kind: "commune".into(),
            units: vec![
                square(2.0, "93001", Some(1200.0)),
                square(2.1, "93002", None),
            ],
            repaired: vec![],
        }
    }

    #[test]
    fn points_and_units_read_back_with_values_nulls_geometry_and_srs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/study.gpkg");
        let mut w = GpkgWriter::create(&path).unwrap();
        let ids = vec!["o1".to_string(), "o2".into(), "o3".into()];
        let cols = vec![
            Column {
                name: "gp_minutes".into(),
                values: Values::Number(vec![Some(4.25), None, Some(0.0)], Format::Fixed(3)),
            },
            Column {
                name: "gp_site".into(),
                values: Values::Text(vec![Some("s1".into()), None, Some("é\"s".into())]),
            },
        ];
        w.add_points(
            "origins",
            &[(2.45, 48.9), (2.5, 48.95), (-1.25, 43.5)],
            &ids,
            &cols,
        )
        .unwrap();
        w.add_units(
            "communes",
            &units(),
            &[Column {
                name: "apl".into(),
                values: Values::Number(vec![None, Some(2.5)], Format::Shortest),
            }],
        )
        .unwrap();
        assert!(!path.exists(), "published before finish");
        w.finish().unwrap();
        assert!(path.exists());
        assert!(!dir.path().join("out/study.gpkg.partial.gpkg").exists());

        let ds = Dataset::open(&path).unwrap();
        assert_eq!(ds.layer_count(), 2);
        let mut origins = ds.layer_by_name("origins").unwrap();
        assert_eq!(origins.feature_count(), 3);
        let srs = origins.spatial_ref().unwrap();
        assert_eq!(srs.auth_code().unwrap(), 4326);
        let feats: Vec<_> = origins.features().collect();
        let f1 = &feats[0];
        let idx = |f: &Feature, n: &str| f.field_index(n).unwrap();
        assert_eq!(
            f1.field(idx(f1, "id")).unwrap(),
            Some(FieldValue::StringValue("o1".into()))
        );
        assert_eq!(
            f1.field_as_double(idx(f1, "gp_minutes")).unwrap(),
            Some(4.25)
        );
        assert_eq!(f1.geometry().unwrap().get_point(0), (2.45, 48.9, 0.0));
        let f2 = &feats[1];
        assert_eq!(f2.field(idx(f2, "gp_minutes")).unwrap(), None);
        assert_eq!(f2.field(idx(f2, "gp_site")).unwrap(), None);
        let f3 = &feats[2];
        assert_eq!(
            f3.field_as_double(idx(f3, "gp_minutes")).unwrap(),
            Some(0.0)
        );
        assert_eq!(
            f3.field_as_string(idx(f3, "gp_site")).unwrap(),
            Some("é\"s".into())
        );
        assert_eq!(f3.geometry().unwrap().get_point(0), (-1.25, 43.5, 0.0));

        let mut communes = ds.layer_by_name("communes").unwrap();
        assert_eq!(communes.feature_count(), 2);
        assert_eq!(communes.spatial_ref().unwrap().auth_code().unwrap(), 4326);
        let feats: Vec<_> = communes.features().collect();
        let (a, b) = (&feats[0], &feats[1]);
        assert_eq!(
            a.field_as_string(idx(a, "code")).unwrap(),
            Some("93001".into())
        );
        assert_eq!(
            a.field_as_double(idx(a, "population")).unwrap(),
            Some(1200.0)
        );
        assert_eq!(a.field(idx(a, "apl")).unwrap(), None);
        assert_eq!(b.field(idx(b, "population")).unwrap(), None);
        assert_eq!(b.field_as_double(idx(b, "apl")).unwrap(), Some(2.5));
        let geo::Geometry::MultiPolygon(mp) = b.geometry().unwrap().to_geo().unwrap() else {
            panic!("not a multipolygon");
        };
        assert_eq!(mp, units().units[1].geometry);
    }

    #[test]
    fn bad_inputs_are_errors_and_leave_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.gpkg");
        let mut w = GpkgWriter::create(&path).unwrap();
        let short = Column {
            name: "x".into(),
            values: Values::Number(vec![Some(1.0)], Format::Shortest),
        };
        let e = w
            .add_points(
                "p",
                &[(0.0, 0.0), (1.0, 1.0)],
                &["a".into(), "b".into()],
                &[short],
            )
            .unwrap_err();
        assert!(e.to_string().contains("1 values for 2 features"), "{e}");
        let dup = Column {
            name: "ID".into(),
            values: Values::Text(vec![None]),
        };
        let e = w
            .add_points("p", &[(0.0, 0.0)], &["a".into()], &[dup])
            .unwrap_err();
        assert!(e.to_string().contains("appears twice"), "{e}");
        let e = w
            .add_points("p", &[(f64::NAN, 0.0)], &["a".into()], &[])
            .unwrap_err();
        assert!(e.to_string().contains("non-finite"), "{e}");
        w.add_points("p", &[(0.0, 0.0)], &["a".into()], &[])
            .unwrap();
        let e = w
            .add_points("p", &[(0.0, 0.0)], &["a".into()], &[])
            .unwrap_err();
        assert!(matches!(e, GpkgError::Sqlite { .. }), "{e}");
        drop(w);
        assert!(!path.exists());
        assert!(!dir.path().join("bad.gpkg.partial.gpkg").exists());
    }

    /// A points layer of `n` features and the units of [`units`], written at `path`.
    fn write_sample(path: &Path, n: usize) {
        let mut w = GpkgWriter::create(path).unwrap();
        let points: Vec<(f64, f64)> = (0..n)
            .map(|i| {
                (
                    -4.0 + (i * 7919 % 1000) as f64 * 0.012,
                    42.0 + (i % 97) as f64 * 0.09,
                )
            })
            .collect();
        let ids: Vec<String> = (0..n).map(|i| format!("o{i}")).collect();
        let col = Column {
            name: "minutes".into(),
            values: Values::Number(
                (0..n)
                    .map(|i| (i % 13 != 0).then_some(i as f64 / 7.0))
                    .collect(),
                Format::Fixed(3),
            ),
        };
        w.add_points("origins", &points, &ids, &[col]).unwrap();
        w.add_units("communes", &units(), &[]).unwrap();
        w.finish().unwrap();
    }

    #[test]
    fn file_has_the_standard_tables_extent_and_a_valid_spatial_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.gpkg");
        write_sample(&path, 5_000);
        let conn = Connection::open(&path).unwrap();
        let pragma = |p: &str| -> i64 {
            conn.query_row(&format!("PRAGMA {p}"), [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(pragma("application_id"), 0x4750_4B47);
        assert_eq!(pragma("user_version"), 10300);
        let extent: (f64, f64, f64, f64, i64, String) = conn
            .query_row(
                "SELECT min_x, min_y, max_x, max_y, srs_id, last_change FROM gpkg_contents \
                 WHERE table_name = 'origins'",
                [],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(
            extent,
            (
                -4.0,
                42.0,
                -4.0 + 999.0 * 0.012,
                42.0 + 96.0 * 0.09,
                4326,
                LAST_CHANGE.into()
            )
        );
        for layer in ["origins", "communes"] {
            let check: String = conn
                .query_row(
                    &format!("SELECT rtreecheck('rtree_{layer}_geom')"),
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(check, "ok", "{layer}");
            let ext: i64 = conn
                .query_row(
                    "SELECT count(*) FROM gpkg_extensions WHERE table_name = ?1 \
                     AND extension_name = 'gpkg_rtree_index'",
                    [layer],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(ext, 1);
        }
        let indexed: i64 = conn
            .query_row("SELECT count(*) FROM rtree_origins_geom", [], |r| r.get(0))
            .unwrap();
        assert_eq!(indexed, 5_000);
        drop(conn);

        // GDAL reads it as a GeoPackage, uses the index for a window, and its triggers
        // index a feature added later.
        {
            let ds = Dataset::open_ex(
                &path,
                gdal::DatasetOptions {
                    open_flags: gdal::GdalOpenFlags::GDAL_OF_VECTOR
                        | gdal::GdalOpenFlags::GDAL_OF_UPDATE,
                    ..Default::default()
                },
            )
            .unwrap();
            assert_eq!(ds.driver().short_name(), "GPKG");
            let mut origins = ds.layer_by_name("origins").unwrap();
            assert_eq!(origins.feature_count(), 5_000);
            let e = origins.get_extent().unwrap();
            assert_eq!((e.MinX, e.MinY), (-4.0, 42.0));
            origins.set_spatial_filter_rect(-4.0, 42.0, -3.0, 43.0);
            let inside: Vec<(f64, f64, f64)> = origins
                .features()
                .map(|f| f.geometry().unwrap().get_point(0))
                .collect();
            let want = (0..5_000)
                .filter(|i| {
                    (i * 7919 % 1000) as f64 * 0.012 <= 1.0 && (i % 97) as f64 * 0.09 <= 1.0
                })
                .count();
            assert_eq!(inside.len(), want);
            origins.clear_spatial_filter();
            let defn = origins.defn();
            let mut f = Feature::new(defn).unwrap();
            f.set_geometry(gdal::vector::Geometry::from_wkt("POINT (1 45)").unwrap())
                .unwrap();
            f.create(&origins).unwrap();
        }
        let conn = Connection::open(&path).unwrap();
        let indexed: i64 = conn
            .query_row("SELECT count(*) FROM rtree_origins_geom", [], |r| r.get(0))
            .unwrap();
        assert_eq!(indexed, 5_001);
    }

    #[test]
    fn same_inputs_give_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.gpkg"), dir.path().join("b.gpkg"));
        write_sample(&a, 3_000);
        write_sample(&b, 3_000);
        assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap());
    }
}
