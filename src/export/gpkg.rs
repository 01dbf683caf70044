//! One GeoPackage (OGC 12-128r18, *GeoPackage Encoding Standard* 1.3) holding several vector
//! layers, written through GDAL's `GPKG` driver: origins or sites as point layers, territorial
//! units as multipolygon layers, each with its indicator columns.
//!
//! - Every layer is in WGS84 (EPSG:4326), coordinates *x = longitude, y = latitude* in
//!   degrees: the spatial reference is built with `OAMS_TRADITIONAL_GIS_ORDER`, as in
//!   [`crate::support::crs`].
//! - Number columns become `Real` fields, text columns `String` fields; an absent value is a
//!   SQL `NULL`, never a made-up zero or empty text.
//! - Point layers lead with an `id` field, unit layers with `kind`, `code`, `name` and
//!   `population` (inhabitants, `NULL` when the layer gives none), then the columns in order.
//! - Each layer is written inside one transaction (one SQLite commit per layer, not per
//!   feature).
//! - The file is built under `<name>.partial.gpkg` (the driver wants the `.gpkg` extension)
//!   in the destination folder and renamed to its final name by [`GpkgWriter::finish`]: a
//!   crash or an error never leaves a truncated
//!   GeoPackage under the final name; a writer dropped unfinished removes its partial file.
//! - The `last_change` of every layer is the fixed [`LAST_CHANGE`] (GDAL's `OGR_CURRENT_DATE`
//!   configuration option), so the same inputs give the same bytes whenever they are run.

use super::columns::{Column, Values};
use crate::inputs::territory::UnitLayer;
use gdal::spatial_ref::{AxisMappingStrategy, SpatialRef};
use gdal::vector::{
    Feature, FieldDefn, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType, ToGdal,
};
use gdal::{Dataset, DriverManager};
use std::path::{Path, PathBuf};

/// The `last_change` date written in `gpkg_contents` (ISO 8601): fixed, not the clock.
pub const LAST_CHANGE: &str = "2000-01-01T00:00:00.000Z";

/// Why a GeoPackage could not be written.
#[derive(Debug, thiserror::Error)]
pub enum GpkgError {
    /// GDAL refused an operation (driver, file, layer, field or feature creation).
    #[error("{file}: layer {layer:?}, feature {feature:?}: {reason}")]
    Gdal {
        /// Final file being written.
        file: PathBuf,
        /// Layer concerned, empty for the file itself.
        layer: String,
        /// 0-based row of the feature concerned, if any.
        feature: Option<usize>,
        /// GDAL's message.
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
    /// Open dataset on the partial file; `None` once closed.
    dataset: Option<Dataset>,
    /// Final path.
    path: PathBuf,
    /// Partial path the dataset writes to.
    partial: PathBuf,
}

/// One field to create: name and whether it holds numbers.
#[derive(Clone, Copy)]
struct FieldSpec<'a> {
    name: &'a str,
    numeric: bool,
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
        let gdal = |e: gdal::errors::GdalError| GpkgError::Gdal {
            file: path.to_path_buf(),
            layer: String::new(),
            feature: None,
            reason: e.to_string(),
        };
        gdal::config::set_config_option("OGR_CURRENT_DATE", LAST_CHANGE).map_err(gdal)?;
        let driver = DriverManager::get_driver_by_name("GPKG").map_err(gdal)?;
        let dataset = driver.create_vector_only(&partial).map_err(gdal)?;
        Ok(GpkgWriter {
            dataset: Some(dataset),
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
        self.write_layer(
            name,
            OGRwkbGeometryType::wkbPoint,
            &lead,
            columns,
            points.len(),
            |f, i| {
                f.set_field_string(0, &ids[i])?;
                f.set_geometry(geo::Point::new(points[i].0, points[i].1).to_gdal()?)
            },
        )
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
        self.write_layer(
            name,
            OGRwkbGeometryType::wkbMultiPolygon,
            &lead,
            columns,
            layer.units.len(),
            |f, i| {
                let u = &layer.units[i];
                f.set_field_string(0, &u.kind)?;
                f.set_field_string(1, &u.code)?;
                f.set_field_string(2, &u.name)?;
                match u.population {
                    Some(p) => f.set_field_double(3, p)?,
                    None => f.set_field_null(3)?,
                }
                f.set_geometry(u.geometry.to_gdal()?)
            },
        )
    }

    /// Closes the file and renames it to its final name.
    pub fn finish(mut self) -> Result<(), GpkgError> {
        if let Some(ds) = self.dataset.take() {
            ds.close().map_err(|e| GpkgError::Gdal {
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

    /// Creates layer `name` with the `lead` fields then one field per column, and writes
    /// `count` features in one transaction; `fill` sets the lead fields and the geometry of
    /// feature `i`.
    fn write_layer(
        &mut self,
        name: &str,
        ty: OGRwkbGeometryType::Type,
        lead: &[FieldSpec],
        columns: &[Column],
        count: usize,
        fill: impl Fn(&mut Feature, usize) -> gdal::errors::Result<()>,
    ) -> Result<(), GpkgError> {
        let mut fields: Vec<FieldSpec> = lead.to_vec();
        for c in columns {
            let n = match &c.values {
                Values::Number(v, _) => v.len(),
                Values::Text(v) => v.len(),
            };
            self.check_lengths(name, count, &format!("column {:?}", c.name), n)?;
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
                return Err(self.input(name, format!("field {:?} appears twice", f.name)));
            }
        }
        let file = self.path.clone();
        let gdal_err = |feature: Option<usize>| {
            let file = file.clone();
            move |e: gdal::errors::GdalError| GpkgError::Gdal {
                file,
                layer: name.to_string(),
                feature,
                reason: e.to_string(),
            }
        };
        let Some(dataset) = self.dataset.as_mut() else {
            return Err(gdal_err(None)(gdal::errors::GdalError::BadArgument(
                "the GeoPackage is already closed".into(),
            )));
        };
        let mut srs =
            SpatialRef::from_epsg(crate::support::crs::WGS84_EPSG).map_err(gdal_err(None))?;
        srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        let mut txn = dataset.start_transaction().map_err(gdal_err(None))?;
        {
            let layer = txn
                .create_layer(LayerOptions {
                    name,
                    srs: Some(&srs),
                    ty,
                    options: None,
                })
                .map_err(gdal_err(None))?;
            for f in &fields {
                let ogr = if f.numeric {
                    OGRFieldType::OFTReal
                } else {
                    OGRFieldType::OFTString
                };
                FieldDefn::new(f.name, ogr)
                    .and_then(|d| d.add_to_layer(&layer))
                    .map_err(gdal_err(None))?;
            }
            let defn = layer.defn();
            for i in 0..count {
                let mut feature = Feature::new(defn).map_err(gdal_err(Some(i)))?;
                fill(&mut feature, i).map_err(gdal_err(Some(i)))?;
                for (k, c) in columns.iter().enumerate() {
                    let idx = lead.len() + k;
                    match &c.values {
                        Values::Number(v, _) => match v[i] {
                            Some(x) => feature.set_field_double(idx, x),
                            None => feature.set_field_null(idx),
                        },
                        Values::Text(v) => match &v[i] {
                            Some(s) => feature.set_field_string(idx, s),
                            None => feature.set_field_null(idx),
                        },
                    }
                    .map_err(gdal_err(Some(i)))?;
                }
                feature.create(&layer).map_err(gdal_err(Some(i)))?;
            }
        }
        txn.commit().map_err(gdal_err(None))
    }
}

impl Drop for GpkgWriter {
    /// An unfinished writer closes its dataset and removes the partial file.
    fn drop(&mut self) {
        if let Some(ds) = self.dataset.take() {
            drop(ds);
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
    use gdal::vector::FieldValue;
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
        assert!(matches!(e, GpkgError::Gdal { .. }), "{e}");
        drop(w);
        assert!(!path.exists());
        assert!(!dir.path().join("bad.gpkg.partial.gpkg").exists());
    }
}
