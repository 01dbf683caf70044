//! Street names for the report, so that a reader can name the streets of the worst-served
//! places without a GIS: the nearest named line of the study's line network layer (an
//! Overpass export's `name`, BD TOPO's `NOM_1_G`, ROUTE 500's `NOM`), within
//! [`MAX_STREET_M`] metres.
//!
//! Distances are computed on a local equirectangular plane around the place
//! (`x = (λ − λ₀)·cos φ₀·111 320 m`, `y = (φ − φ₀)·111 320 m`), exact enough within a few
//! hundred metres to pick the nearest street; the layer is read in WGS84 (transformed from
//! its declared CRS). A layer without a name column or a declared CRS gives no names.

use crate::support::crs::transform_between;
use gdal::vector::LayerAccess;
use gdal::Dataset;
use geo::{Distance, Euclidean, LineString, Point};
use std::path::Path;

/// Farthest a street may be from a place to be named for it, metres.
pub const MAX_STREET_M: f64 = 250.0;

/// Name columns tried, compared ignoring case.
const NAME_FIELDS: [&str; 4] = ["name", "nom_1_g", "nom_1_gauche", "nom"];

/// Metres per degree of latitude (display-grade).
const METRES_PER_DEGREE: f64 = 111_320.0;

/// The named lines of a network layer, WGS84.
#[derive(Clone, Debug, Default)]
pub struct Streets {
    /// `(name, line)` per named line part.
    lines: Vec<(String, LineString<f64>)>,
}

impl Streets {
    /// The named lines of layer `layer` (or the first) of `path`; none when the layer has no
    /// name column or no CRS.
    pub fn read(path: &Path, layer: Option<&str>) -> anyhow::Result<Streets> {
        let ds = Dataset::open(path)
            .map_err(|e| anyhow::anyhow!("{}: cannot open: {e}", path.display()))?;
        let mut lyr = match layer {
            Some(name) => ds.layer_by_name(name),
            None => ds.layer(0),
        }
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let Some(crs) = lyr.spatial_ref().and_then(|s| s.to_wkt().ok()) else {
            return Ok(Streets::default());
        };
        let defn = lyr.defn();
        let field = defn.fields().enumerate().find_map(|(i, f)| {
            NAME_FIELDS
                .contains(&f.name().to_lowercase().as_str())
                .then_some(i)
        });
        let Some(field) = field else {
            return Ok(Streets::default());
        };
        let mut lines = Vec::new();
        for feature in lyr.features() {
            let Some(name) = feature.field_as_string(field).ok().flatten() else {
                continue;
            };
            let name = name.trim().to_string();
            let Some(geom) = feature.geometry().and_then(|g| g.to_geo().ok()) else {
                continue;
            };
            let parts: Vec<LineString<f64>> = match geom {
                geo::Geometry::LineString(l) => vec![l],
                geo::Geometry::MultiLineString(m) => m.0,
                _ => continue,
            };
            for part in parts {
                let mut pts: Vec<[f64; 2]> = part.coords().map(|c| [c.x, c.y]).collect();
                transform_between(&crs, "EPSG:4326", &mut pts)?;
                if !name.is_empty() && pts.len() >= 2 {
                    lines.push((
                        name.clone(),
                        pts.into_iter().map(|p| (p[0], p[1])).collect(),
                    ));
                }
            }
        }
        Ok(Streets { lines })
    }

    /// The nearest named street within [`MAX_STREET_M`] of WGS84 `(lon, lat)`; ties go to
    /// the first line read.
    pub fn nearest(&self, lon: f64, lat: f64) -> Option<&str> {
        let k = lat.to_radians().cos() * METRES_PER_DEGREE;
        let origin = Point::new(0.0, 0.0);
        let mut best: Option<(f64, &str)> = None;
        for (name, line) in &self.lines {
            let local: LineString<f64> = line
                .coords()
                .map(|c| ((c.x - lon) * k, (c.y - lat) * METRES_PER_DEGREE))
                .collect();
            let d = Euclidean.distance(&origin, &local);
            if d <= MAX_STREET_M && best.is_none_or(|(b, _)| d < b) {
                best = Some((d, name));
            }
        }
        best.map(|(_, n)| n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_named_line_within_range_is_given() {
        // Two east–west streets 100 m and 300 m north of a place at 48.9° N.
        let dy = |m: f64| 48.9 + m / METRES_PER_DEGREE;
        let streets = Streets {
            lines: vec![
                (
                    "Rue Far".into(),
                    vec![(2.40, dy(300.0)), (2.50, dy(300.0))].into(),
                ),
                (
                    "Avenue Near".into(),
                    vec![(2.40, dy(100.0)), (2.50, dy(100.0))].into(),
                ),
            ],
        };
        assert_eq!(streets.nearest(2.45, 48.9), Some("Avenue Near"));
        assert_eq!(streets.nearest(2.45, dy(-200.0)), None);
        assert_eq!(streets.nearest(2.45, dy(200.0)), Some("Rue Far"));
    }
}
