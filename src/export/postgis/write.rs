//! Writing tables in one transaction (see the module doc of [`super`]).
//!
//! A run's folder: `BEGIN`; the tables are created and filled (COPY) in a staging schema
//! `recours_staging_{hash}`, each with its geometry column `geom` (typed, with its SRID), a
//! GiST spatial index and a comment on every column; then `DROP SCHEMA {schema} CASCADE`
//! (policy `replace`) and `ALTER SCHEMA … RENAME TO {schema}`; `COMMIT`. Until the commit,
//! other sessions see the previous schema unchanged; a client killed before it leaves no
//! trace (the server rolls the transaction back).
//!
//! `RECOURS_POSTGIS_TEST_PAUSE=N` (a test hook) stops the writer for ten minutes after its
//! N-th table, inside the transaction, so that a test can kill it there.

use super::dictionary;
use super::tables::{self, Cell, Kind, Source, Table};
use super::target::{self, IfExists, PgError, Target};
use gdal::spatial_ref::{AxisMappingStrategy, SpatialRef};
use gdal::vector::{Feature, FieldDefn, Geometry, LayerAccess, LayerOptions, OGRwkbGeometryType};
use gdal::Dataset;
use sha2::{Digest, Sha256};
use std::path::Path;

/// What was written: each table (`schema.table`) with its row count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// `(schema.table, rows)`, in the order written.
    pub tables: Vec<(String, u64)>,
}

/// `text` as an SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Runs one statement that returns no rows.
fn exec(ds: &Dataset, url: &str, table: &str, sql: &str) -> Result<(), PgError> {
    ds.execute_sql(sql, None, gdal::vector::sql::Dialect::DEFAULT)
        .map(|_| ())
        .map_err(|e| PgError::Write {
            url: url.into(),
            table: table.into(),
            reason: format!("{e} (while running: {sql})"),
        })
}

/// The staging schema of `schema`.
fn staging_name(schema: &str) -> String {
    let hash = Sha256::digest(schema.as_bytes());
    let hex: String = hash[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("recours_staging_{hex}")
}

/// The pause of the test hook, after `written` tables.
fn test_pause(written: usize) {
    let wanted = std::env::var("RECOURS_POSTGIS_TEST_PAUSE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok());
    if wanted == Some(written) {
        eprintln!(
            "recours: PostGIS write paused after {written} tables (RECOURS_POSTGIS_TEST_PAUSE)"
        );
        std::thread::sleep(std::time::Duration::from_secs(600));
    }
}

/// Writes every table of the finished output folder `dir` into `target`'s schema, in one
/// transaction (see the module doc).
pub fn publish_folder(dir: &Path, target: &Target) -> Result<Written, PgError> {
    let plan = tables::plan(dir)?;
    let url = target.url.as_str();
    let mut ds = target::check_postgis(url)?;
    let staging = staging_name(&target.schema);
    set_copy()?;
    let mut txn = ds.start_transaction().map_err(|e| PgError::Write {
        url: url.into(),
        table: String::new(),
        reason: format!("cannot start a transaction: {e}"),
    })?;
    if target.if_exists == IfExists::Fail && target::schema_exists(&txn, url, &target.schema)? {
        return Err(PgError::Setting {
            what: "[output] postgis_schema".into(),
            given: target.schema.clone(),
            reason: "this schema already exists: set postgis_if_exists = \"replace\" to replace it"
                .into(),
        });
    }
    exec(
        &txn,
        url,
        &staging,
        &format!("DROP SCHEMA IF EXISTS {staging} CASCADE"),
    )?;
    exec(&txn, url, &staging, &format!("CREATE SCHEMA {staging}"))?;
    let mut written = Written::default();
    for (i, t) in plan.iter().enumerate() {
        let rows = write_table(&mut txn, url, &staging, t)?;
        written
            .tables
            .push((format!("{}.{}", target.schema, t.name), rows));
        test_pause(i + 1);
    }
    let schema = &target.schema;
    exec(
        &txn,
        url,
        schema,
        &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
    )?;
    exec(
        &txn,
        url,
        schema,
        &format!("ALTER SCHEMA {staging} RENAME TO {schema}"),
    )?;
    exec(
        &txn,
        url,
        schema,
        &format!(
            "COMMENT ON SCHEMA {schema} IS {}",
            literal("tables of one recours run (see the manifest table)")
        ),
    )?;
    txn.commit().map_err(|e| PgError::Write {
        url: url.into(),
        table: String::new(),
        reason: format!("commit failed, the previous tables are kept: {e}"),
    })?;
    Ok(written)
}

/// Writes each CSV file of `files` as its table (`(file, table)`) of `schema` (created when
/// missing, a previous table of the same name replaced), all in one transaction; returns
/// the rows of each.
pub fn publish_tables(
    url: &str,
    schema: &str,
    files: &[(std::path::PathBuf, String)],
) -> Result<Vec<u64>, PgError> {
    let mut ds = target::check_postgis(url)?;
    set_copy()?;
    let mut txn = ds.start_transaction().map_err(|e| PgError::Write {
        url: url.into(),
        table: schema.into(),
        reason: format!("cannot start a transaction: {e}"),
    })?;
    exec(
        &txn,
        url,
        schema,
        &format!("CREATE SCHEMA IF NOT EXISTS {schema}"),
    )?;
    let mut rows = Vec::with_capacity(files.len());
    for (csv, table) in files {
        let dir = csv.parent().unwrap_or(Path::new("."));
        let mut t = tables::plan_csv(dir, csv)?;
        t.name = table.clone();
        let name = format!("{schema}.{table}");
        exec(
            &txn,
            url,
            &name,
            &format!("DROP TABLE IF EXISTS {name} CASCADE"),
        )?;
        rows.push(write_table(&mut txn, url, schema, &t)?);
    }
    txn.commit().map_err(|e| PgError::Write {
        url: url.into(),
        table: schema.into(),
        reason: format!("commit failed, the previous tables are kept: {e}"),
    })?;
    Ok(rows)
}

/// Rows go by COPY rather than one INSERT each.
fn set_copy() -> Result<(), PgError> {
    gdal::config::set_config_option("PG_USE_COPY", "YES").map_err(|e| PgError::Write {
        url: String::new(),
        table: String::new(),
        reason: e.to_string(),
    })
}

/// Creates table `t` in `schema` and fills it; returns its rows.
fn write_table(ds: &mut Dataset, url: &str, schema: &str, t: &Table) -> Result<u64, PgError> {
    let qualified = format!("{schema}.{}", t.name);
    let err = |row: Option<u64>| {
        let qualified = qualified.clone();
        move |e: gdal::errors::GdalError| PgError::Write {
            url: url.into(),
            table: qualified,
            reason: match row {
                Some(r) => format!("row {r} of {}: {e}", t.origin),
                None => e.to_string(),
            },
        }
    };
    let schema_option = format!("SCHEMA={schema}");
    let mut options = vec![
        schema_option.as_str(),
        "LAUNDER=NO",
        "PRECISION=NO",
        "FID=fid",
    ];
    let srs = match t.geometry {
        Some(g) => {
            options.extend(["GEOMETRY_NAME=geom", "SPATIAL_INDEX=GIST"]);
            let mut s = SpatialRef::from_epsg(g.srid).map_err(err(None))?;
            s.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
            Some(s)
        }
        None => None,
    };
    let ty = t
        .geometry
        .map(|g| g.kind)
        .unwrap_or(OGRwkbGeometryType::wkbNone);
    let mut rows = 0u64;
    {
        let layer = ds
            .create_layer(LayerOptions {
                name: &t.name,
                srs: srs.as_ref(),
                ty,
                options: Some(&options),
            })
            .map_err(err(None))?;
        for f in &t.fields {
            FieldDefn::new(&f.name, f.kind.ogr())
                .and_then(|d| d.add_to_layer(&layer))
                .map_err(err(None))?;
        }
        let defn = layer.defn();
        let mut put = |cells: &[Cell], geom: Option<Geometry>| -> Result<(), PgError> {
            rows += 1;
            let mut feature = Feature::new(defn).map_err(err(Some(rows)))?;
            for (k, c) in cells.iter().enumerate() {
                match c {
                    Cell::Null => feature.set_field_null(k),
                    Cell::Int(v) => feature.set_field_integer64(k, *v),
                    Cell::Real(v) => feature.set_field_double(k, *v),
                    Cell::Text(v) => feature.set_field_string(k, v),
                }
                .map_err(err(Some(rows)))?;
            }
            if let Some(g) = geom {
                feature.set_geometry(g).map_err(err(Some(rows)))?;
            }
            feature.create(&layer).map_err(err(Some(rows)))
        };
        read_rows(t, &mut put)?;
    }
    for f in &t.fields {
        exec(
            ds,
            url,
            &qualified,
            &format!(
                "COMMENT ON COLUMN {qualified}.{} IS {}",
                f.name,
                literal(&dictionary::comment(&f.source, &t.origin))
            ),
        )?;
    }
    if t.geometry.is_some() {
        exec(
            ds,
            url,
            &qualified,
            &format!(
                "COMMENT ON COLUMN {qualified}.geom IS {}",
                literal(&format!(
                    "geometry of the row (SRID {}), from {}",
                    t.geometry.map(|g| g.srid).unwrap_or(0),
                    t.origin
                ))
            ),
        )?;
    }
    exec(
        ds,
        url,
        &qualified,
        &format!(
            "COMMENT ON TABLE {qualified} IS {}",
            literal(&format!("from {}", t.origin))
        ),
    )?;
    Ok(rows)
}

/// Receives one row: its cells and its geometry.
type RowSink<'a> = dyn FnMut(&[Cell], Option<Geometry>) -> Result<(), PgError> + 'a;

/// Calls `put` with the cells (typed as `t`'s fields) and geometry of every row of `t`.
fn read_rows(t: &Table, put: &mut RowSink<'_>) -> Result<(), PgError> {
    let source_err = |file: &Path, reason: String| PgError::Source {
        file: file.display().to_string(),
        reason,
    };
    match &t.source {
        Source::Layer { path, layer } => {
            let ds = tables::open_file(path)?;
            let mut lyr = ds
                .layer_by_name(layer)
                .map_err(|e| source_err(path, e.to_string()))?;
            let kind = t.geometry.map(|g| g.kind);
            let mut cells = Vec::with_capacity(t.fields.len());
            for f in lyr.features() {
                cells.clear();
                for (k, field) in t.fields.iter().enumerate() {
                    let c = match field.kind {
                        Kind::Integer => f.field_as_integer64(k).ok().flatten().map(Cell::Int),
                        Kind::Real => f.field_as_double(k).ok().flatten().map(Cell::Real),
                        Kind::Text => f.field_as_string(k).ok().flatten().map(Cell::Text),
                    };
                    cells.push(c.unwrap_or(Cell::Null));
                }
                // gdal 0.19 wraps a null geometry as `Some`.
                let geom = f
                    .geometry()
                    .filter(|g| !unsafe { g.c_geometry() }.is_null() && !g.is_empty())
                    .zip(kind)
                    .map(|(g, k)| tables::conform(g, k));
                put(&cells, geom)?;
            }
        }
        Source::Csv { path, lonlat } => {
            let mut rd = tables::csv_reader(path)?;
            let mut cells = Vec::with_capacity(t.fields.len());
            for record in rd.records() {
                let record = record.map_err(|e| source_err(path, e.to_string()))?;
                cells.clear();
                cells.extend(
                    record
                        .iter()
                        .zip(&t.fields)
                        .map(|(v, f)| tables::cell(v, f.kind)),
                );
                let geom = match lonlat.map(|(x, y)| (&cells[x], &cells[y])) {
                    Some((Cell::Real(x), Cell::Real(y))) => {
                        let mut g = Geometry::empty(OGRwkbGeometryType::wkbPoint)
                            .map_err(|e| source_err(path, e.to_string()))?;
                        g.set_point_2d(0, (*x, *y));
                        Some(g)
                    }
                    _ => None,
                };
                put(&cells, geom)?;
            }
        }
        Source::Manifest { path } => {
            let text =
                std::fs::read_to_string(path).map_err(|e| source_err(path, e.to_string()))?;
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| source_err(path, e.to_string()))?;
            for (key, value) in tables::flatten_json(&value) {
                put(&[Cell::Text(key), Cell::Text(value)], None)?;
            }
        }
    }
    Ok(())
}
