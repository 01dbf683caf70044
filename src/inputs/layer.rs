//! Opening a vector layer file (or a PostgreSQL datasource, `PG:…`: [`crate::support::pg`]) with GDAL, and saying what the path is when GDAL cannot:
//! GDAL answers a folder, an empty GeoPackage or a text file alike with
//! `GDALOpenEx returned a NULL pointer`; [`open`] replaces that with what was found.
//!
//! [`choose`] picks the layer to read (the one named, or the only one).
//!
//! Also the geometry a point role takes from a feature ([`point_on`]): a point, a
//! multipoint of one point, or a point on the surface of a polygon (building outlines are
//! how facilities are often drawn); lines are refused with the reason.

use crate::inputs::error::InputError;
use gdal::vector::{Geometry, LayerAccess, OGRwkbGeometryType};
use gdal::Dataset;
use geo::InteriorPoint;
use std::io::Read;
use std::path::Path;

/// Opens `path` as a GDAL vector dataset; `Err` says what the path is when it is not one.
pub fn open(path: &Path) -> Result<Dataset, String> {
    if crate::support::pg::is_database_path(path) {
        return crate::support::pg::open(&path.to_string_lossy(), false);
    }
    if !path.exists() {
        return Err("no such file".into());
    }
    if path.is_dir() && !is_dataset_folder(path) {
        return Err(
            "is a folder, not a layer file (give a .gpkg, .geojson, .shp… inside it)".into(),
        );
    }
    match Dataset::open(path) {
        Ok(ds) if ds.layer_count() == 0 => Err(match extension(path).as_str() {
            "gpkg" => "a GeoPackage with no vector layer".into(),
            _ => "a dataset with no vector layer".into(),
        }),
        Ok(ds) => Ok(ds),
        Err(e) => Err(describe_unopenable(path, &e.to_string())),
    }
}

/// The layer `name` of `ds` read from `path`, or its only layer when no name is given.
pub fn choose<'a>(
    ds: &'a Dataset,
    path: &Path,
    name: Option<&str>,
) -> Result<gdal::vector::Layer<'a>, InputError> {
    let names: Vec<String> = ds.layers().map(|l| l.name()).collect();
    let layer_err = |reason: String| InputError::Layer {
        path: path.to_path_buf(),
        reason,
    };
    match name {
        Some(name) => ds
            .layer_by_name(name)
            .map_err(|_| layer_err(format!("no layer {name:?} (layers: {})", names.join(", ")))),
        None if names.len() == 1 => ds.layer(0).map_err(|e| layer_err(e.to_string())),
        None => Err(layer_err(format!(
            "{} layers ({}): name the one to read",
            names.len(),
            names.join(", ")
        ))),
    }
}

/// Whether a folder is itself a dataset GDAL reads (a folder of shapefiles).
fn is_dataset_folder(path: &Path) -> bool {
    std::fs::read_dir(path)
        .is_ok_and(|entries| entries.flatten().any(|e| extension(&e.path()) == "shp"))
}

/// The lower-case extension of `path`, empty when none.
fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// What a path GDAL cannot open looks like, from its first bytes.
fn describe_unopenable(path: &Path, gdal: &str) -> String {
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(512).read_to_end(&mut head));
    if let Err(e) = read {
        return format!("cannot read: {e}");
    }
    if head.is_empty() {
        return "an empty file, not a layer".into();
    }
    if head.starts_with(b"SQLite format 3") {
        return "an SQLite database that is not a readable GeoPackage".into();
    }
    let text = head
        .iter()
        .all(|&b| b >= 0x20 || matches!(b, b'\n' | b'\r' | b'\t'));
    if text {
        let first = String::from_utf8_lossy(&head);
        let first = first.lines().next().unwrap_or("").trim();
        let start = first.trim_start_matches('\u{feff}');
        if start.starts_with('{') || start.starts_with('[') {
            return format!(
                "a JSON file GDAL does not read as a layer (not GeoJSON?): {}",
                crate::inputs::text::echo(start)
            );
        }
        return format!(
            "a text file, not a layer (first line {}); tables go where a CSV is expected",
            crate::inputs::text::echo(first)
        );
    }
    let detail = if gdal.contains("NULL pointer") {
        String::new()
    } else {
        format!(": {gdal}")
    };
    format!("not a format GDAL reads as a layer{detail}")
}

/// What a point role takes from a geometry: its point, or a point on a polygon's surface.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PointFrom {
    /// A point geometry (or a multipoint of one point).
    Point([f64; 2]),
    /// A point on the surface of a polygon or multipolygon.
    Surface([f64; 2]),
}

impl PointFrom {
    /// The coordinates, in the layer's CRS.
    pub fn xy(self) -> [f64; 2] {
        match self {
            PointFrom::Point(p) | PointFrom::Surface(p) => p,
        }
    }
}

/// The point a point role takes from `geom` (see the module doc), or why none.
pub fn point_on(geom: &Geometry) -> Result<PointFrom, String> {
    let kind = gdal::vector::geometry_type_flatten(geom.geometry_type());
    match kind {
        OGRwkbGeometryType::wkbPoint => {
            let (x, y, _) = geom.get_point(0);
            Ok(PointFrom::Point([x, y]))
        }
        OGRwkbGeometryType::wkbMultiPoint if geom.geometry_count() == 1 => {
            let (x, y, _) = geom.get_geometry(0).get_point(0);
            Ok(PointFrom::Point([x, y]))
        }
        OGRwkbGeometryType::wkbPolygon | OGRwkbGeometryType::wkbMultiPolygon => {
            let g: geo::Geometry<f64> = geom
                .to_geo()
                .map_err(|e| format!("unreadable {}: {e}", geom.geometry_name()))?;
            let p = g
                .interior_point()
                .ok_or_else(|| format!("empty {}", geom.geometry_name()))?;
            Ok(PointFrom::Surface([p.x(), p.y()]))
        }
        _ => Err(format!(
            "{} geometry ignored: a point role takes points or polygons",
            geom.geometry_name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_gdal_cannot_open_are_described() {
        let dir = tempfile::tempdir().unwrap();
        let e = open(dir.path()).unwrap_err();
        assert!(e.contains("is a folder"), "{e}");
        assert_eq!(
            open(&dir.path().join("none.gpkg")).unwrap_err(),
            "no such file"
        );
        let t = dir.path().join("notes.txt");
        std::fs::write(&t, "root:x:0:0:root:/root:/bin/bash\n").unwrap();
        let e = open(&t).unwrap_err();
        assert!(e.contains("a text file, not a layer"), "{e}");
        let j = dir.path().join("t.json");
        std::fs::write(&j, "[{\"a\": 1}]").unwrap();
        assert!(open(&j).unwrap_err().contains("JSON"));
        let z = dir.path().join("z.gpkg");
        std::fs::write(&z, b"").unwrap();
        assert!(open(&z).unwrap_err().contains("empty file"));
    }

    #[test]
    fn polygons_give_a_point_on_their_surface() {
        let sq = Geometry::from_wkt("POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0))").unwrap();
        let p = point_on(&sq).unwrap();
        assert!(matches!(p, PointFrom::Surface(_)));
        let [x, y] = p.xy();
        assert!(x > 0.0 && x < 4.0 && y > 0.0 && y < 4.0);
        let u =
            Geometry::from_wkt("POLYGON ((0 0, 6 0, 6 6, 4 6, 4 2, 2 2, 2 6, 0 6, 0 0))").unwrap();
        let [x, y] = point_on(&u).unwrap().xy();
        let inside = u.contains(&Geometry::from_wkt(&format!("POINT ({x} {y})")).unwrap());
        assert!(inside, "({x}, {y}) not inside the U");
        let pt = Geometry::from_wkt("POINT (1 2)").unwrap();
        assert_eq!(point_on(&pt).unwrap(), PointFrom::Point([1.0, 2.0]));
        let l = Geometry::from_wkt("LINESTRING (0 0, 1 1)").unwrap();
        assert!(point_on(&l)
            .unwrap_err()
            .contains("LINESTRING geometry ignored"));
    }
}
