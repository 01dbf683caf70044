//! Coordinate reference systems: choosing a metric projection for a study area and moving
//! coordinates between WGS84 (longitude, latitude in degrees) and projected systems
//! (Lambert-93, UTM, the EPSG:3035 grid of INSEE's 200 m cells…), through GDAL/PROJ.
//!
//! Axis order is always *x, y* = *longitude, latitude* (or *easting, northing*): every
//! spatial reference is built with GDAL's `OAMS_TRADITIONAL_GIS_ORDER`, whatever order the
//! EPSG registry declares (EPSG:4326 and EPSG:3035 declare latitude/northing first).
//!
//! Which metric CRS for an extent ([`MetricCrs::for_extent`]):
//! - **Lambert-93** (EPSG:2154, RGF93, the legal projection of metropolitan France) when
//!   the extent lies inside its EPSG area of use, longitude −9.86…10.38 and latitude
//!   41.15…51.56 (mainland France and Corsica, onshore and offshore). Its scale error stays
//!   within −1…+3 m per km over France (IGN, *Projections en vigueur*).
//! - otherwise the **WGS84 / UTM** zone of the extent's centre, EPSG:326zz north of the
//!   equator and 327zz south, zone `zz = ⌊(lon + 180) / 6⌋ + 1` (Snyder, *Map Projections —
//!   A Working Manual*, USGS PP 1395, 1987, p. 57). The overseas départements thus get
//!   Guadeloupe and Martinique 20N (32620), Guyane 22N (32622), Réunion 40S (32740) and
//!   Mayotte 38S (32738): the WGS84 zones rather than the legal RGAF09 / RGFG95 / RGR92 /
//!   RGM04 ones, which differ from them by less than a metre. The Norway and Svalbard
//!   exceptions to the zone grid are not applied. UTM is defined up to 84° N and 80° S; a
//!   centre beyond is refused.
//!
//! GDAL coordinate transformations are not `Send`, so the types here keep only the text
//! definition of their systems (`EPSG:2154`, a WKT or PROJ string) and each thread builds the
//! transformations it needs once, in a small thread-local cache. [`MetricCrs`] and
//! [`Reprojector`] are therefore `Send + Sync` and cheap to clone.

use crate::network::graph::Graph;
use crate::network::raw::to_degrees;
use gdal::errors::GdalError;
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use std::cell::RefCell;
use std::rc::Rc;

/// EPSG code of WGS84 longitude/latitude in degrees.
pub const WGS84_EPSG: u32 = 4326;
/// EPSG code of Lambert-93 (RGF93 v1 / Lambert-93), metres.
pub const LAMBERT93_EPSG: u32 = 2154;
/// EPSG area of use of Lambert-93: `[min_lon, min_lat, max_lon, max_lat]`, degrees.
pub const LAMBERT93_AREA: [f64; 4] = [-9.86, 41.15, 10.38, 51.56];

/// Transformations kept per thread; beyond it the oldest is dropped.
const CACHE_SIZE: usize = 8;
/// Points transformed per GDAL call (bounded so the coordinate buffers live on the stack).
const BATCH: usize = 256;

/// Why a coordinate reference system could not be chosen, built or used.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CrsError {
    /// The EPSG code is not in the PROJ database.
    #[error("EPSG:{code} is not a coordinate reference system known to PROJ ({reason})")]
    UnknownEpsg {
        /// The code asked for.
        code: u32,
        /// GDAL's message.
        reason: String,
    },
    /// A WKT / PROJ / `AUTH:CODE` definition could not be read.
    #[error("cannot read the coordinate reference system definition `{definition}` ({reason})")]
    InvalidDefinition {
        /// The definition given (shortened to 200 characters).
        definition: String,
        /// GDAL's message.
        reason: String,
    },
    /// The system exists but is not projected in metres.
    #[error(
        "{name} is not a projected coordinate system in metres: distances cannot be measured in it"
    )]
    NotMetric {
        /// `EPSG:code` or the system's name.
        name: String,
    },
    /// The extent given is not a valid WGS84 box.
    #[error("invalid WGS84 extent lon {min_lon}…{max_lon}, lat {min_lat}…{max_lat}: expected finite degrees with min ≤ max, lon within ±180 and lat within ±90")]
    InvalidExtent {
        /// West bound, degrees.
        min_lon: f64,
        /// South bound, degrees.
        min_lat: f64,
        /// East bound, degrees.
        max_lon: f64,
        /// North bound, degrees.
        max_lat: f64,
    },
    /// The extent's centre is too close to a pole for UTM.
    #[error("no UTM zone covers latitude {lat}° (UTM stops at 84° N and 80° S)")]
    Polar {
        /// Latitude of the extent's centre, degrees.
        lat: f64,
    },
    /// The graph has no node to take an extent from.
    #[error("the graph has no node: cannot choose a projection for it")]
    EmptyGraph,
    /// PROJ failed on some coordinates.
    #[error("cannot transform ({x}, {y}) from {from} to {to} ({reason})")]
    Transform {
        /// Source system.
        from: String,
        /// Target system.
        to: String,
        /// First coordinate that failed, in the source system.
        x: f64,
        /// First coordinate that failed, in the source system.
        y: f64,
        /// GDAL's message, or why the result was refused.
        reason: String,
    },
}

/// Shortens a definition for messages (WKT can be kilobytes long).
fn short(definition: &str) -> String {
    match definition.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &definition[..i]),
        None => definition.to_string(),
    }
}

/// Builds a spatial reference from user input, in traditional GIS axis order.
fn spatial_ref(definition: &str) -> Result<SpatialRef, GdalError> {
    let mut srs = SpatialRef::from_definition(definition)?;
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    Ok(srs)
}

/// A source → target transformation cached on one thread.
struct Cached {
    from: String,
    to: String,
    transform: Rc<CoordTransform>,
}

thread_local! {
    static TRANSFORMS: RefCell<Vec<Cached>> = const { RefCell::new(Vec::new()) };
}

/// This thread's transformation from `from` to `to`, built on first use.
fn transform_for(from: &str, to: &str) -> Result<Rc<CoordTransform>, CrsError> {
    TRANSFORMS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(c) = cache.iter().find(|c| c.from == from && c.to == to) {
            return Ok(Rc::clone(&c.transform));
        }
        let src = spatial_ref(from).map_err(|e| CrsError::InvalidDefinition {
            definition: short(from),
            reason: e.to_string(),
        })?;
        let dst = spatial_ref(to).map_err(|e| CrsError::InvalidDefinition {
            definition: short(to),
            reason: e.to_string(),
        })?;
        let transform =
            Rc::new(
                CoordTransform::new(&src, &dst).map_err(|e| CrsError::Transform {
                    from: short(from),
                    to: short(to),
                    x: f64::NAN,
                    y: f64::NAN,
                    reason: e.to_string(),
                })?,
            );
        if cache.len() == CACHE_SIZE {
            cache.remove(0);
        }
        cache.push(Cached {
            from: from.to_string(),
            to: to.to_string(),
            transform: Rc::clone(&transform),
        });
        Ok(transform)
    })
}

/// Transforms `points` (`[x, y]`, traditional GIS order) in place from the system defined by
/// `from` to the one defined by `to`. Definitions are anything GDAL's `SetFromUserInput`
/// reads: `EPSG:2154`, WKT, a PROJ string.
///
/// Fails on the first batch where PROJ fails or returns a non-finite coordinate; `points`
/// is then partly transformed.
pub fn transform_between(from: &str, to: &str, points: &mut [[f64; 2]]) -> Result<(), CrsError> {
    if points.is_empty() {
        return Ok(());
    }
    let transform = transform_for(from, to)?;
    let (mut xs, mut ys) = ([0.0; BATCH], [0.0; BATCH]);
    for chunk in points.chunks_mut(BATCH) {
        let n = chunk.len();
        for (i, p) in chunk.iter().enumerate() {
            xs[i] = p[0];
            ys[i] = p[1];
        }
        let failed = |reason: String, xs: &[f64], ys: &[f64]| {
            let i = (0..n)
                .find(|&i| !xs[i].is_finite() || !ys[i].is_finite())
                .unwrap_or(0);
            CrsError::Transform {
                from: short(from),
                to: short(to),
                x: chunk[i][0],
                y: chunk[i][1],
                reason,
            }
        };
        if let Err(e) = transform.transform_coords(&mut xs[..n], &mut ys[..n], &mut []) {
            return Err(failed(e.to_string(), &xs[..n], &ys[..n]));
        }
        if xs[..n].iter().chain(&ys[..n]).any(|v| !v.is_finite()) {
            return Err(failed("non-finite result".into(), &xs[..n], &ys[..n]));
        }
        for (i, p) in chunk.iter_mut().enumerate() {
            *p = [xs[i], ys[i]];
        }
    }
    Ok(())
}

/// `EPSG:code` as a definition string.
fn epsg_definition(code: u32) -> String {
    format!("EPSG:{code}")
}

/// Moves coordinates between one coordinate system (Lambert-93 of FINESS, EPSG:3035 of the
/// INSEE grid, a layer's WKT…) and WGS84 longitude/latitude in degrees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reprojector {
    definition: String,
}

impl Reprojector {
    /// A reprojector for the system given by `definition` (`EPSG:2154`, WKT, PROJ string),
    /// checked to be readable by GDAL.
    pub fn from_definition(definition: &str) -> Result<Reprojector, CrsError> {
        spatial_ref(definition).map_err(|e| CrsError::InvalidDefinition {
            definition: short(definition),
            reason: e.to_string(),
        })?;
        Ok(Reprojector {
            definition: definition.to_string(),
        })
    }

    /// A reprojector for EPSG code `code`.
    pub fn from_epsg(code: u32) -> Result<Reprojector, CrsError> {
        let definition = epsg_definition(code);
        spatial_ref(&definition).map_err(|e| CrsError::UnknownEpsg {
            code,
            reason: e.to_string(),
        })?;
        Ok(Reprojector { definition })
    }

    /// The definition this reprojector was built from.
    pub fn definition(&self) -> &str {
        &self.definition
    }

    /// Transforms `points` in place from this system to WGS84 `[lon, lat]` degrees.
    pub fn to_wgs84(&self, points: &mut [[f64; 2]]) -> Result<(), CrsError> {
        transform_between(&self.definition, &epsg_definition(WGS84_EPSG), points)
    }

    /// Transforms `points` in place from WGS84 `[lon, lat]` degrees to this system.
    pub fn from_wgs84(&self, points: &mut [[f64; 2]]) -> Result<(), CrsError> {
        transform_between(&epsg_definition(WGS84_EPSG), &self.definition, points)
    }
}

/// A projected coordinate system in metres, identified by its EPSG code, in which snapping
/// measures distances.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricCrs {
    epsg: u32,
    wgs84: String,
    own: String,
}

impl MetricCrs {
    /// The projected system EPSG:`epsg`; refused if unknown, geographic or not in metres.
    pub fn from_epsg(epsg: u32) -> Result<MetricCrs, CrsError> {
        let own = epsg_definition(epsg);
        let srs = spatial_ref(&own).map_err(|e| CrsError::UnknownEpsg {
            code: epsg,
            reason: e.to_string(),
        })?;
        if !srs.is_projected() || (srs.linear_units() - 1.0).abs() > 1e-12 {
            return Err(CrsError::NotMetric { name: own });
        }
        Ok(MetricCrs {
            epsg,
            wgs84: epsg_definition(WGS84_EPSG),
            own,
        })
    }

    /// The metric system for a WGS84 extent (degrees): Lambert-93 inside its area of use,
    /// else the UTM zone of the centre (see the module documentation).
    pub fn for_extent(
        min_lon: f64,
        min_lat: f64,
        max_lon: f64,
        max_lat: f64,
    ) -> Result<MetricCrs, CrsError> {
        MetricCrs::from_epsg(epsg_for_extent(min_lon, min_lat, max_lon, max_lat)?)
    }

    /// The metric system for the bounding box of `graph`'s nodes.
    pub fn for_graph(graph: &Graph) -> Result<MetricCrs, CrsError> {
        let mut it = graph.node_coords.iter();
        let first = it.next().ok_or(CrsError::EmptyGraph)?;
        let (lo, hi) = it.fold((*first, *first), |(lo, hi), c| {
            (
                [lo[0].min(c[0]), lo[1].min(c[1])],
                [hi[0].max(c[0]), hi[1].max(c[1])],
            )
        });
        MetricCrs::for_extent(
            to_degrees(lo[0]),
            to_degrees(lo[1]),
            to_degrees(hi[0]),
            to_degrees(hi[1]),
        )
    }

    /// EPSG code of this system.
    pub fn epsg(&self) -> u32 {
        self.epsg
    }

    /// Transforms `lon_lat` in place from WGS84 `[lon, lat]` degrees to `[x, y]` metres.
    pub fn to_metric(&self, lon_lat: &mut [[f64; 2]]) -> Result<(), CrsError> {
        transform_between(&self.wgs84, &self.own, lon_lat)
    }

    /// Transforms `xy` in place from `[x, y]` metres to WGS84 `[lon, lat]` degrees.
    pub fn to_wgs84(&self, xy: &mut [[f64; 2]]) -> Result<(), CrsError> {
        transform_between(&self.own, &self.wgs84, xy)
    }
}

/// EPSG code of the metric system [`MetricCrs::for_extent`] picks.
pub fn epsg_for_extent(
    min_lon: f64,
    min_lat: f64,
    max_lon: f64,
    max_lat: f64,
) -> Result<u32, CrsError> {
    let finite = [min_lon, min_lat, max_lon, max_lat]
        .iter()
        .all(|v| v.is_finite());
    if !finite
        || min_lon > max_lon
        || min_lat > max_lat
        || min_lon < -180.0
        || max_lon > 180.0
        || min_lat < -90.0
        || max_lat > 90.0
    {
        return Err(CrsError::InvalidExtent {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        });
    }
    let [a_lon, a_lat, b_lon, b_lat] = LAMBERT93_AREA;
    if min_lon >= a_lon && max_lon <= b_lon && min_lat >= a_lat && max_lat <= b_lat {
        return Ok(LAMBERT93_EPSG);
    }
    let (lon, lat) = ((min_lon + max_lon) / 2.0, (min_lat + max_lat) / 2.0);
    if !(-80.0..=84.0).contains(&lat) {
        return Err(CrsError::Polar { lat });
    }
    let zone = (((lon + 180.0) / 6.0).floor() as u32 + 1).min(60);
    Ok(if lat >= 0.0 { 32600 } else { 32700 } + zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Notre-Dame de Paris, WGS84 degrees.
    const NOTRE_DAME: [f64; 2] = [2.349902, 48.852968];

    /// Lambert-93 by IGN's closed formulas (notes ALG0001 and ALG0003, constants of the
    /// RGF93 Lambert-93 definition), independent of PROJ.
    fn ign_lambert93(lon: f64, lat: f64) -> [f64; 2] {
        let e = 0.081_819_191_042_815_8_f64;
        let n = 0.725_607_765_053_267_f64;
        let c = 11_754_255.426_1_f64;
        let (xs, ys) = (700_000.0, 12_655_612.049_9);
        let phi = lat.to_radians();
        let l = ((std::f64::consts::FRAC_PI_4 + phi / 2.0).tan()
            * ((1.0 - e * phi.sin()) / (1.0 + e * phi.sin())).powf(e / 2.0))
        .ln();
        let r = c * (-n * l).exp();
        let g = n * (lon - 3.0).to_radians();
        [xs + r * g.sin(), ys - r * g.cos()]
    }

    #[test]
    fn notre_dame_in_lambert93() {
        let crs = MetricCrs::from_epsg(LAMBERT93_EPSG).unwrap();
        let mut p = [NOTRE_DAME];
        crs.to_metric(&mut p).unwrap();
        // `echo "2.349902 48.852968" | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:2154`
        let expected = [652_297.090_604, 6_861_632.799_199];
        assert!((p[0][0] - expected[0]).abs() < 0.05, "{:?}", p[0]);
        assert!((p[0][1] - expected[1]).abs() < 0.05, "{:?}", p[0]);
        let ign = ign_lambert93(NOTRE_DAME[0], NOTRE_DAME[1]);
        assert!((p[0][0] - ign[0]).abs() < 0.01 && (p[0][1] - ign[1]).abs() < 0.01);
    }

    #[test]
    fn round_trip_returns_the_input() {
        let crs = MetricCrs::for_extent(2.2, 48.8, 2.5, 48.9).unwrap();
        let input: Vec<[f64; 2]> = (0..600)
            .map(|i| [2.2 + 0.0005 * i as f64, 48.8 + 0.0001 * i as f64])
            .collect();
        let mut pts = input.clone();
        crs.to_metric(&mut pts).unwrap();
        crs.to_wgs84(&mut pts).unwrap();
        for (a, b) in input.iter().zip(&pts) {
            assert!((a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9);
        }
    }

    #[test]
    fn insee_grid_corner_from_epsg_3035() {
        // Cell CRS3035RES200mN2862000E3764200: south-west corner E 3764200, N 2862000.
        // `echo "3764200 2862000" | gdaltransform -s_srs EPSG:3035 -t_srs EPSG:4326`
        let grid = Reprojector::from_epsg(3035).unwrap();
        let mut p = [[3_764_200.0, 2_862_000.0]];
        grid.to_wgs84(&mut p).unwrap();
        assert!((p[0][0] - 2.436_272_083).abs() < 1e-8, "{:?}", p[0]);
        assert!((p[0][1] - 48.614_048_653).abs() < 1e-8, "{:?}", p[0]);
        let mut q = [[3_764_200.0, 2_862_000.0]];
        transform_between("EPSG:3035", "EPSG:2154", &mut q).unwrap();
        assert!((q[0][0] - 658_444.999).abs() < 0.01 && (q[0][1] - 6_835_020.985).abs() < 0.01);
        // PROJ's inverse Lambert azimuthal equal-area uses a series for the authalic
        // latitude: the round trip is exact to well under a millimetre.
        grid.from_wgs84(&mut p).unwrap();
        assert!(
            (p[0][0] - 3_764_200.0).abs() < 1e-3 && (p[0][1] - 2_862_000.0).abs() < 1e-3,
            "{:?}",
            p[0]
        );
    }

    #[test]
    fn wkt_definitions_are_accepted() {
        let wkt = spatial_ref("EPSG:2154").unwrap().to_wkt().unwrap();
        let r = Reprojector::from_definition(&wkt).unwrap();
        let mut p = [NOTRE_DAME];
        r.from_wgs84(&mut p).unwrap();
        assert!((p[0][0] - 652_297.09).abs() < 0.05);
    }

    #[test]
    fn extent_picks_lambert93_or_utm() {
        assert_eq!(epsg_for_extent(2.2, 48.8, 2.5, 48.9), Ok(2154));
        // Corsica.
        assert_eq!(epsg_for_extent(8.5, 41.3, 9.6, 43.1), Ok(2154));
        // Réunion, Guadeloupe, Guyane, Mayotte.
        assert_eq!(epsg_for_extent(55.2, -21.4, 55.9, -20.8), Ok(32740));
        assert_eq!(epsg_for_extent(-61.9, 15.8, -61.0, 16.6), Ok(32620));
        assert_eq!(epsg_for_extent(-54.6, 2.1, -51.6, 5.8), Ok(32622));
        assert_eq!(epsg_for_extent(45.0, -13.1, 45.3, -12.6), Ok(32738));
        assert_eq!(epsg_for_extent(179.0, 10.0, 180.0, 11.0), Ok(32660));
        assert_eq!(
            MetricCrs::for_extent(55.2, -21.4, 55.9, -20.8)
                .unwrap()
                .epsg(),
            32740
        );
    }

    #[test]
    fn bad_extents_and_codes_are_explained() {
        assert!(matches!(
            epsg_for_extent(f64::NAN, 0.0, 1.0, 1.0),
            Err(CrsError::InvalidExtent { .. })
        ));
        assert!(matches!(
            epsg_for_extent(3.0, 48.0, 2.0, 49.0),
            Err(CrsError::InvalidExtent { .. })
        ));
        assert_eq!(
            epsg_for_extent(0.0, 85.0, 1.0, 89.0),
            Err(CrsError::Polar { lat: 87.0 })
        );
        let e = MetricCrs::from_epsg(999_999).unwrap_err();
        assert!(matches!(e, CrsError::UnknownEpsg { code: 999_999, .. }));
        assert!(e.to_string().contains("EPSG:999999"), "{e}");
        let e = MetricCrs::from_epsg(4326).unwrap_err();
        assert_eq!(
            e,
            CrsError::NotMetric {
                name: "EPSG:4326".into()
            }
        );
        assert!(matches!(
            Reprojector::from_definition("not a crs"),
            Err(CrsError::InvalidDefinition { .. })
        ));
        assert!(MetricCrs::for_graph(&Graph::default()) == Err(CrsError::EmptyGraph));
    }

    #[test]
    fn failures_name_the_point() {
        let crs = MetricCrs::from_epsg(LAMBERT93_EPSG).unwrap();
        let mut p = [[2.0, 48.0], [f64::NAN, 48.0]];
        let e = crs.to_metric(&mut p).unwrap_err();
        assert!(matches!(e, CrsError::Transform { .. }), "{e}");
    }

    #[test]
    fn usable_from_many_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<MetricCrs>();
        send_sync::<Reprojector>();
        let crs = MetricCrs::from_epsg(LAMBERT93_EPSG).unwrap();
        let results: Vec<[f64; 2]> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        let mut p = [NOTRE_DAME];
                        crs.to_metric(&mut p).unwrap();
                        p[0]
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(results.windows(2).all(|w| w[0] == w[1]));
    }
}
