//! GDAL line-layer reader: any vector format GDAL opens (GeoJSON, GeoPackage, Shapefile…)
//! holding LineStrings or MultiLineStrings, such as IGN BD TOPO `TRONCON_DE_ROUTE`,
//! ROUTE 500 or Overpass GeoJSON exports.
//!
//! Coordinates are reprojected from the layer's CRS to WGS84 (traditional GIS order:
//! longitude first) and rounded to 1e-7 degree; lines ending or passing at the same
//! rounded coordinates share a vertex, which is how intersections form. Attributes are
//! read through the profile's `[lines]` table: as OSM tags, or mapped field by field
//! ([`crate::network::profile::LinesMapping`]). Features are read in layer order, so the
//! output is deterministic; each part of a MultiLineString becomes one way with the
//! feature's id (FID).

use super::context::apply_context;
use super::profile::{Decision, LinesMapping, Profile, SkipCounts};
use super::raw::{to_degrees, to_fixed, RawNetwork};
use crate::inputs::error::InputError;
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use gdal::vector::{Feature, LayerAccess};
use geo::{Distance, Haversine, Point};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why a line layer could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LinesError {
    /// The file could not be read, or its layer chosen or placed on the map.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The profile has no `[lines]` table, or the layer lacks the fields it names.
    #[error("{file}, layer {layer}: {reason}")]
    Mapping {
        /// File given.
        file: PathBuf,
        /// Layer read.
        layer: String,
        /// What is missing.
        reason: String,
    },
}

/// Reads the line layer `layer` (or the file's only layer) through `profile`; the layer
/// must declare its CRS.
pub fn read_lines(
    path: &Path,
    layer: Option<&str>,
    profile: &Profile,
) -> Result<RawNetwork, LinesError> {
    read_lines_with_crs(path, layer, profile, None)
}

/// Reads a line layer as [`read_lines`] does, taking EPSG code `assumed_epsg` as its CRS
/// when the layer declares none.
pub fn read_lines_with_crs(
    path: &Path,
    layer: Option<&str>,
    profile: &Profile,
    assumed_epsg: Option<u32>,
) -> Result<RawNetwork, LinesError> {
    let file = path.to_path_buf();
    let ds = crate::inputs::layer::open(path).map_err(|reason| InputError::Open {
        path: file.clone(),
        reason,
    })?;
    let mut lyr = crate::inputs::layer::choose(&ds, path, layer)?;
    let layer_name = lyr.name();
    let mapping_err = |reason: String| LinesError::Mapping {
        file: file.clone(),
        layer: layer_name.clone(),
        reason,
    };
    let mapping = profile.lines.as_ref().ok_or_else(|| {
        mapping_err(format!(
            "profile {} has no [lines] table to read line layers",
            profile.name
        ))
    })?;
    let transform = to_wgs84(&lyr, assumed_epsg).map_err(|e| match e {
        None => InputError::NoCrs {
            path: file.clone(),
            layer: layer_name.clone(),
        },
        Some(reason) => InputError::Crs {
            path: file.clone(),
            layer: layer_name.clone(),
            reason,
        },
    })?;
    // Field index by lower-cased name.
    let fields: Vec<String> = lyr.defn().fields().map(|f| f.name()).collect();
    let index: HashMap<String, usize> = fields
        .iter()
        .enumerate()
        .map(|(i, n)| (n.to_lowercase(), i))
        .collect();
    if let LinesMapping::Fields(m) = mapping {
        if !m
            .class_field
            .iter()
            .any(|n| index.contains_key(&n.to_lowercase()))
        {
            return Err(mapping_err(format!(
                "no class field {} (fields: {})",
                m.class_field.join(" or "),
                fields.join(", ")
            )));
        }
    }
    let mut reader = LineReader {
        raw: RawNetwork::new(
            &profile.name,
            profile.class_names.clone(),
            profile.snap_excluded.clone(),
        ),
        vertex_of: HashMap::new(),
        skips: SkipCounts::default(),
    };
    for (ordinal, feature) in lyr.features().enumerate() {
        let id = feature.fid().map_or(ordinal as i64, |f| f as i64);
        let decision = match mapping {
            LinesMapping::OsmTags => {
                let tags: Vec<(String, String)> = fields
                    .iter()
                    .enumerate()
                    .filter_map(|(i, n)| {
                        // Unset fields read as "" in GDAL: they are absent tags.
                        let v = feature.field_as_string(i).ok().flatten()?;
                        (!v.is_empty()).then(|| (n.clone(), v))
                    })
                    .collect();
                let tags: Vec<(&str, &str)> =
                    tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                profile.decide(&tags)
            }
            LinesMapping::Fields(m) => {
                let value = |names: &[String]| field_value(&feature, &index, names);
                profile.decide_mapped(m, &value)
            }
        };
        match decision {
            Ok(d) => reader.add_feature(id, &feature, &d, transform.as_ref()),
            Err(reason) => reader.skips.add(&reason),
        }
    }
    let mut raw = reader.raw;
    raw.skipped.extend(reader.skips.into_vec());
    apply_context(&mut raw, profile);
    Ok(raw)
}

/// The value of the first of `names` present among the layer's fields (case-insensitive),
/// trimmed; `None` when absent, null or empty.
fn field_value(
    feature: &Feature,
    index: &HashMap<String, usize>,
    names: &[String],
) -> Option<String> {
    let i = names.iter().find_map(|n| index.get(&n.to_lowercase()))?;
    let v = feature.field_as_string(*i).ok().flatten()?;
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// The transformation from the layer's CRS to WGS84 (`None` when it is WGS84 already).
/// Errors: `None` = no CRS declared nor assumed, `Some(message)` = GDAL failure.
fn to_wgs84(
    layer: &gdal::vector::Layer,
    assumed_epsg: Option<u32>,
) -> Result<Option<CoordTransform>, Option<String>> {
    let gdal_err = |e: gdal::errors::GdalError| Some(e.to_string());
    let mut src = match (layer.spatial_ref(), assumed_epsg) {
        (Some(s), _) => s,
        (None, Some(code)) => SpatialRef::from_epsg(code).map_err(gdal_err)?,
        (None, None) => return Err(None),
    };
    let mut wgs84 = SpatialRef::from_epsg(4326).map_err(gdal_err)?;
    src.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    wgs84.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    if src == wgs84 {
        return Ok(None);
    }
    CoordTransform::new(&src, &wgs84)
        .map(Some)
        .map_err(gdal_err)
}

/// Accumulates ways and shared vertices while features are read.
struct LineReader {
    raw: RawNetwork,
    /// Vertex index of each rounded coordinate seen.
    vertex_of: HashMap<[i32; 2], u32>,
    skips: SkipCounts,
}

impl LineReader {
    /// Adds every line part of an accepted feature, or counts why it cannot be used.
    fn add_feature(
        &mut self,
        id: i64,
        feature: &Feature,
        decision: &Decision,
        transform: Option<&CoordTransform>,
    ) {
        // gdal 0.19 wraps a null geometry (GeoJSON `"geometry": null`) as `Some`: reading
        // the raw pointer (not dereferencing it) tells them apart.
        let present =
            |g: &&gdal::vector::Geometry| !unsafe { g.c_geometry() }.is_null() && !g.is_empty();
        let Some(geom) = feature.geometry().filter(present) else {
            self.skips.add("feature without geometry");
            return;
        };
        let kind = gdal::vector::geometry_type_flatten(geom.geometry_type());
        let mut parts: Vec<Vec<(f64, f64, f64)>> = Vec::new();
        match kind {
            gdal::vector::OGRwkbGeometryType::wkbLineString => {
                parts.push(Vec::new());
                geom.get_points(&mut parts[0]);
            }
            gdal::vector::OGRwkbGeometryType::wkbMultiLineString => {
                for i in 0..geom.geometry_count() {
                    let mut pts = Vec::new();
                    geom.get_geometry(i).get_points(&mut pts);
                    parts.push(pts);
                }
            }
            _ => {
                self.skips
                    .add(&format!("{} geometry, not a line", geom.geometry_name()));
                return;
            }
        }
        let mut ways = Vec::with_capacity(parts.len());
        for pts in parts {
            let mut xs: Vec<f64> = pts.iter().map(|p| p.0).collect();
            let mut ys: Vec<f64> = pts.iter().map(|p| p.1).collect();
            if let Some(t) = transform {
                if t.transform_coords(&mut xs, &mut ys, &mut []).is_err() {
                    self.skips.add("coordinates outside the layer's CRS domain");
                    return;
                }
            }
            let valid = |x: f64, y: f64| {
                x.is_finite() && y.is_finite() && x.abs() <= 180.0 && y.abs() <= 90.0
            };
            if !xs.iter().zip(&ys).all(|(&x, &y)| valid(x, y)) {
                self.skips
                    .add("invalid coordinates (not finite or beyond ±180°/±90°)");
                return;
            }
            ways.push(
                xs.into_iter()
                    .zip(ys)
                    .map(|(x, y)| [to_fixed(x), to_fixed(y)])
                    .collect::<Vec<_>>(),
            );
        }
        for coords in ways {
            let mut vs: Vec<u32> = Vec::with_capacity(coords.len());
            for c in coords {
                let next = self.raw.vertices.len() as u32;
                let v = *self.vertex_of.entry(c).or_insert(next);
                if v == next {
                    self.raw.vertices.push(c);
                }
                if vs.last() != Some(&v) {
                    vs.push(v);
                }
            }
            let len = polyline_m(&self.raw.vertices, &vs);
            self.raw.push_way(id, &vs, decision.finish(len));
        }
        for n in &decision.notes {
            self.skips.add(n);
        }
    }
}

/// Great-circle length in metres of a polyline over `vertices`.
fn polyline_m(vertices: &[[i32; 2]], run: &[u32]) -> f64 {
    run.windows(2)
        .map(|s| {
            let [a, b] = [vertices[s[0] as usize], vertices[s[1] as usize]];
            Haversine.distance(
                Point::new(to_degrees(a[0]), to_degrees(a[1])),
                Point::new(to_degrees(b[0]), to_degrees(b[1])),
            )
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn a_layer_without_crs_is_refused_unless_one_is_assumed() {
        let dir = tempfile::tempdir().unwrap();
        let csv = "WKT,NATURE,SENS\n\"LINESTRING (652000 6862000,652100 6862000)\",Route à 1 chaussée,Double sens\n";
        let p = write(dir.path(), "roads.csv", csv);
        let profile = Profile::builtin("car-bdtopo").unwrap();
        let e = read_lines(&p, None, &profile).unwrap_err().to_string();
        assert!(
            e.contains("layer roads") && e.contains("no coordinate reference system"),
            "{e}"
        );
        let raw = read_lines_with_crs(&p, None, &profile, Some(2154)).unwrap();
        assert_eq!(raw.way_count(), 1);
        // Lambert-93 (652000, 6862000) is near Paris.
        let [lon, lat] = raw.vertices[0].map(to_degrees);
        assert!(
            (2.3..2.5).contains(&lon) && (48.8..48.95).contains(&lat),
            "{lon} {lat}"
        );
    }

    #[test]
    fn missing_layers_fields_and_mappings_are_explained() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "l.geojson",
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kind":"x"},"geometry":{"type":"LineString","coordinates":[[2.4,48.9],[2.41,48.9]]}}]}"#,
        );
        let e = read_lines(&p, Some("nope"), &Profile::builtin("car").unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("no layer \"nope\""), "{e}");
        let e = read_lines(&p, None, &Profile::builtin("car-bdtopo").unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no class field NATURE") && e.contains("kind"),
            "{e}"
        );
        let mut bare = Profile::builtin("car").unwrap();
        bare.lines = None;
        let e = read_lines(&p, None, &bare).unwrap_err().to_string();
        assert!(e.contains("no [lines] table"), "{e}");
        let raw = read_lines(&p, None, &Profile::builtin("car").unwrap()).unwrap();
        assert_eq!(raw.skipped, vec![("not a highway or ferry".to_string(), 1)]);
    }
}
