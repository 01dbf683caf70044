//! Polygon layers of territorial units read through GDAL (GeoJSON, GeoPackage, Shapefile).
//!
//! Field names are those of the published files (see `DOMAIN.md`, *Published file layouts*):
//! IGN ADMIN EXPRESS communes `INSEE_COM`, `NOM`, `POPULATION`; IGN Contours IRIS
//! `CODE_IRIS` (`DCOMIRIS` in older INSEE releases); ANCT QPV 2015 `C_NQPV` / `L_NQPV` and
//! 2024 `code_qp` / `lib_qp` (`nom_qp` in some re-publications); the simplified GeoJSON of
//! `@etalab/decoupage-administratif` `code` / `nom`. When the caller names no field, the
//! first candidate of [`code_candidates`] / [`name_candidates`] present in the layer is used,
//! compared exactly first, then ignoring case.
//!
//! Coordinates are moved from the layer's CRS to WGS84 longitude/latitude with
//! [`crate::support::crs::Reprojector`]. A layer that declares no CRS, or GDAL's placeholder
//! "Undefined geographic SRS" / "Undefined Cartesian SRS" (GeoPackages written without one),
//! takes the caller's `assumed_crs` or is refused.
//!
//! Every geometry is checked with geo's OGC validity rules ([`geo::Validation`]). An invalid
//! one (self-intersecting ring, bow-tie…) is repaired with GDAL's `OGR_G_MakeValidEx`
//! (GEOS `MakeValid`, "linework" method: the rings are noded and rebuilt, as PostGIS's
//! `ST_MakeValid`), keeping its polygonal parts; the repair is recorded in
//! [`UnitLayer::repaired`] and logged. A geometry still invalid or empty after that, one
//! that is not a (multi)polygon or has no area, a missing or duplicate code and an
//! unreadable population are rejected into [`Rejects`] with the 1-based feature ordinal as
//! line.

use super::{TerritoryError, Unit, UnitLayer};
use crate::inputs::error::InputError;
use crate::support::crs::Reprojector;
use crate::support::rejects::Rejects;
use gdal::cpl::CslStringList;
use gdal::vector::{Feature, Geometry, LayerAccess, OGRwkbGeometryType, ToGdal};
use geo::orient::Direction;
use geo::{Area, Coord, LineString, MultiPolygon, Orient, Polygon, Validation};
use std::collections::HashMap;
use std::path::Path;

/// A unit whose polygon was invalid as published and was repaired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    /// Code of the unit.
    pub code: String,
    /// What was invalid (geo's first validation error).
    pub reason: String,
}

/// Field names tried, in order, for the code of units of `kind`.
pub fn code_candidates(kind: &str) -> &'static [&'static str] {
    match kind {
        "commune" => &["INSEE_COM", "code", "insee", "codgeo"],
        "iris" => &["CODE_IRIS", "DCOMIRIS", "code_iris"],
        "qpv" => &["C_NQPV", "code_qp", "CODE_QP"],
        _ => &["code", "CODE", "id"],
    }
}

/// Field names tried, in order, for the name of units of `kind`.
pub fn name_candidates(kind: &str) -> &'static [&'static str] {
    match kind {
        "commune" => &["NOM", "nom", "NOM_COM"],
        "iris" => &["NOM_IRIS", "nom_iris"],
        "qpv" => &["L_NQPV", "lib_qp", "nom_qp"],
        _ => &["nom", "NOM", "name", "libelle"],
    }
}

/// Field names tried, in order, for the population (inhabitants).
pub const POPULATION_CANDIDATES: [&str; 3] = ["POPULATION", "population", "P_POP"];

/// Index in `fields` of the first of `candidates` present: exact match first, then ignoring
/// case.
pub fn find_field(fields: &[String], candidates: &[&str]) -> Option<usize> {
    candidates
        .iter()
        .find_map(|c| fields.iter().position(|f| f == c))
        .or_else(|| {
            candidates
                .iter()
                .find_map(|c| fields.iter().position(|f| f.eq_ignore_ascii_case(c)))
        })
}

/// Reads the polygons of `layer` (or of the file's only layer) in `path` as units of `kind`.
///
/// `code_field` / `name_field` override the per-kind candidates; `assumed_crs` (`EPSG:2154`,
/// WKT, PROJ string) is used when the layer declares no CRS. Features that cannot be used
/// go to `rejects`; the layer-level failures (file, layer, CRS, code field) are errors.
pub fn read_units(
    path: &Path,
    layer: Option<&str>,
    kind: &str,
    code_field: Option<&str>,
    name_field: Option<&str>,
    assumed_crs: Option<&str>,
    rejects: &mut Rejects,
) -> Result<UnitLayer, TerritoryError> {
    let file = path.to_path_buf();
    let file_name = path.display().to_string();
    let ds = crate::inputs::layer::open(path).map_err(|reason| InputError::Open {
        path: file.clone(),
        reason,
    })?;
    let mut lyr = crate::inputs::layer::choose(&ds, &file, layer)?;
    let layer_name = lyr.name();
    let reprojector = layer_reprojector(&lyr, assumed_crs, &file, &layer_name)?;
    let fields: Vec<String> = lyr.defn().fields().map(|f| f.name()).collect();
    let field_err = |what: &str, tried: &[&str]| TerritoryError::Field {
        file: file.clone(),
        layer: layer_name.clone(),
        reason: format!(
            "no {what} field for {kind} units (tried {}; fields: {})",
            tried.join(", "),
            fields.join(", ")
        ),
    };
    let code_idx = match code_field {
        Some(f) => find_field(&fields, &[f]).ok_or_else(|| field_err("code", &[f]))?,
        None => find_field(&fields, code_candidates(kind))
            .ok_or_else(|| field_err("code", code_candidates(kind)))?,
    };
    let name_idx = match name_field {
        Some(f) => Some(find_field(&fields, &[f]).ok_or_else(|| field_err("name", &[f]))?),
        None => find_field(&fields, name_candidates(kind)),
    };
    let pop_idx = find_field(&fields, &POPULATION_CANDIDATES);

    let mut out = UnitLayer {
        kind: kind.to_string(),
        ..UnitLayer::default()
    };
    let mut first_seen: HashMap<String, u64> = HashMap::new();
    for (ordinal, feature) in lyr.features().enumerate() {
        let line = ordinal as u64 + 1;
        let code = text(&feature, code_idx).unwrap_or_default();
        let mut reject = |reason: String| rejects.push(&file_name, line, &code, reason);
        if code.is_empty() {
            reject(format!("no code in field {}", fields[code_idx]));
            continue;
        }
        if let Some(first) = first_seen.get(&code) {
            reject(format!("duplicate code (first at feature {first})"));
            continue;
        }
        let population = match pop_idx.map(|i| population(&feature, i)) {
            Some(Err(reason)) => {
                reject(reason);
                continue;
            }
            Some(Ok(p)) => p,
            None => None,
        };
        let geometry = match read_geometry(&feature, reprojector.as_ref()) {
            Ok(g) => g,
            Err(reason) => {
                reject(reason);
                continue;
            }
        };
        let geometry = match geometry.check_validation() {
            Ok(()) => geometry,
            Err(problem) => match repair(&geometry) {
                Ok(fixed) => {
                    tracing::warn!(
                        file = %file_name, layer = %layer_name, code = %code,
                        "invalid polygon repaired: {problem}"
                    );
                    out.repaired.push(Repair {
                        code: code.clone(),
                        reason: problem.to_string(),
                    });
                    fixed
                }
                Err(why) => {
                    reject(format!(
                        "invalid polygon ({problem}), not repairable: {why}"
                    ));
                    continue;
                }
            },
        };
        if geometry.unsigned_area() <= 0.0 {
            reject("polygon without area".into());
            continue;
        }
        let name = name_idx
            .and_then(|i| text(&feature, i))
            .unwrap_or_else(|| code.clone());
        first_seen.insert(code.clone(), line);
        out.units.push(Unit {
            kind: kind.to_string(),
            code,
            name,
            geometry,
            population,
        });
    }
    Ok(out)
}

/// The reprojector from the layer's CRS (or `assumed_crs`) to WGS84; `None` when the layer
/// is in EPSG:4326 already.
fn layer_reprojector(
    lyr: &gdal::vector::Layer,
    assumed_crs: Option<&str>,
    file: &Path,
    layer: &str,
) -> Result<Option<Reprojector>, TerritoryError> {
    let crs_err = |reason: String| InputError::Crs {
        path: file.to_path_buf(),
        layer: layer.to_string(),
        reason,
    };
    let declared = lyr
        .spatial_ref()
        .filter(|s| !s.name().is_some_and(|n| n.starts_with("Undefined")));
    let definition = match (declared, assumed_crs) {
        (Some(srs), _) => {
            let epsg = srs.auth_name().as_deref() == Some("EPSG");
            if epsg && srs.auth_code().ok() == Some(4326) {
                return Ok(None);
            }
            srs.to_wkt().map_err(|e| crs_err(e.to_string()))?
        }
        (None, Some(assumed)) => assumed.to_string(),
        (None, None) => {
            return Err(InputError::NoCrs {
                path: file.to_path_buf(),
                layer: layer.to_string(),
            }
            .into())
        }
    };
    let reprojector =
        Reprojector::from_definition(&definition).map_err(|e| crs_err(e.to_string()))?;
    Ok(Some(reprojector))
}

/// The trimmed text of field `i`; `None` when null or empty.
fn text(feature: &Feature, i: usize) -> Option<String> {
    let v = feature.field_as_string(i).ok().flatten()?;
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// The population in field `i`: `None` when null or empty, an error when not a finite
/// non-negative number.
fn population(feature: &Feature, i: usize) -> Result<Option<f64>, String> {
    match text(feature, i) {
        None => Ok(None),
        Some(v) => match v.replace(',', ".").parse::<f64>() {
            Ok(p) if p.is_finite() && p >= 0.0 => Ok(Some(p)),
            _ => Err(format!("population {v:?} is not a non-negative number")),
        },
    }
}

/// The feature's (multi)polygon in WGS84, exterior rings counter-clockwise.
fn read_geometry(
    feature: &Feature,
    reprojector: Option<&Reprojector>,
) -> Result<MultiPolygon<f64>, String> {
    // gdal 0.19 wraps a null geometry (GeoJSON `"geometry": null`) as `Some`.
    let present = |g: &&Geometry| !unsafe { g.c_geometry() }.is_null() && !g.is_empty();
    let geom = feature
        .geometry()
        .filter(present)
        .ok_or("feature without geometry")?;
    let kind = gdal::vector::geometry_type_flatten(geom.geometry_type());
    if kind != OGRwkbGeometryType::wkbPolygon && kind != OGRwkbGeometryType::wkbMultiPolygon {
        return Err(format!("{} geometry, not a polygon", geom.geometry_name()));
    }
    let mp = polygons(geom)?;
    let mp = match reprojector {
        Some(r) => reproject(&mp, r)?,
        None => mp,
    };
    let in_range =
        |c: &Coord| c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0;
    if !geo::CoordsIter::coords_iter(&mp).all(|c| in_range(&c)) {
        return Err(
            "coordinates beyond ±180°/±90° in WGS84: is the layer's CRS the right one?".into(),
        );
    }
    Ok(mp.orient(Direction::Default))
}

/// The polygonal parts of a GDAL geometry (polygon, multipolygon or collection).
fn polygons(geom: &Geometry) -> Result<MultiPolygon<f64>, String> {
    let g = geom
        .to_geo()
        .map_err(|e| format!("unreadable geometry: {e}"))?;
    let mut out = Vec::new();
    collect_polygons(g, &mut out);
    Ok(MultiPolygon(out))
}

/// Appends the polygons found in `g` to `out`; lines and points are left out.
fn collect_polygons(g: geo::Geometry<f64>, out: &mut Vec<Polygon<f64>>) {
    match g {
        geo::Geometry::Polygon(p) => out.push(p),
        geo::Geometry::MultiPolygon(mp) => out.extend(mp.0),
        geo::Geometry::GeometryCollection(gc) => {
            for g in gc.0 {
                collect_polygons(g, out);
            }
        }
        _ => {}
    }
}

/// `mp` moved to WGS84 through `r`, ring by ring.
fn reproject(mp: &MultiPolygon<f64>, r: &Reprojector) -> Result<MultiPolygon<f64>, String> {
    let ring = |ls: &LineString<f64>| -> Result<LineString<f64>, String> {
        let mut pts: Vec<[f64; 2]> = ls.0.iter().map(|c| [c.x, c.y]).collect();
        r.to_wgs84(&mut pts).map_err(|e| e.to_string())?;
        Ok(LineString(
            pts.into_iter().map(|[x, y]| Coord { x, y }).collect(),
        ))
    };
    mp.0.iter()
        .map(|p| {
            let interiors = p.interiors().iter().map(ring).collect::<Result<_, _>>()?;
            Ok(Polygon::new(ring(p.exterior())?, interiors))
        })
        .collect::<Result<Vec<_>, String>>()
        .map(MultiPolygon)
}

/// A valid multipolygon covering what `mp` was meant to: GEOS `MakeValid` through GDAL,
/// keeping the polygonal parts; an error when the result is still invalid or has no area.
pub fn repair(mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>, String> {
    let g = mp
        .to_gdal()
        .map_err(|e| format!("cannot hand the polygon to GDAL: {e}"))?;
    let fixed = g
        .make_valid(&CslStringList::new())
        .map_err(|e| format!("GDAL MakeValid failed: {e}"))?;
    let fixed = polygons(&fixed)?.orient(Direction::Default);
    if let Err(e) = fixed.check_validation() {
        return Err(format!("still invalid after MakeValid: {e}"));
    }
    if fixed.unsigned_area() <= 0.0 {
        return Err("no area left after MakeValid".into());
    }
    Ok(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Contains, Point};

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fields_are_found_by_kind_exact_before_case_insensitive() {
        let admin = names(&["ID", "NOM", "INSEE_COM", "POPULATION"]);
        assert_eq!(find_field(&admin, code_candidates("commune")), Some(2));
        assert_eq!(find_field(&admin, name_candidates("commune")), Some(1));
        assert_eq!(find_field(&admin, &POPULATION_CANDIDATES), Some(3));
        let etalab = names(&["code", "nom"]);
        assert_eq!(find_field(&etalab, code_candidates("commune")), Some(0));
        // `NOM` is tried first but `nom` matches exactly further down the list.
        assert_eq!(find_field(&etalab, name_candidates("commune")), Some(1));
        let gpkg = names(&["insee", "NOM_COM"]);
        assert_eq!(find_field(&gpkg, code_candidates("commune")), Some(0));
        assert_eq!(find_field(&gpkg, name_candidates("commune")), Some(1));
        let upper = names(&["CODGEO", "LIBGEO"]);
        assert_eq!(find_field(&upper, code_candidates("commune")), Some(0));
        let old_iris = names(&["DEPCOM", "DCOMIRIS", "NOM_IRIS", "code"]);
        assert_eq!(find_field(&old_iris, code_candidates("iris")), Some(1));
        let qpv2015 = names(&["OBJECTID", "C_NQPV", "L_NQPV"]);
        assert_eq!(find_field(&qpv2015, code_candidates("qpv")), Some(1));
        assert_eq!(find_field(&qpv2015, name_candidates("qpv")), Some(2));
        let qpv2024 = names(&["code_qp", "lib_qp", "insee_com"]);
        assert_eq!(find_field(&qpv2024, code_candidates("qpv")), Some(0));
        assert_eq!(find_field(&qpv2024, name_candidates("qpv")), Some(1));
        assert_eq!(find_field(&qpv2024, code_candidates("iris")), None);
        assert_eq!(
            find_field(&names(&["code", "nom"]), code_candidates("cpts")),
            Some(0)
        );
    }

    #[test]
    fn bow_tie_is_repaired_into_two_triangles() {
        let bow_tie = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 2.0, y: 2.0), (x: 2.0, y: 0.0), (x: 0.0, y: 2.0), (x: 0.0, y: 0.0)
        ]]);
        assert!(!bow_tie.is_valid());
        let fixed = repair(&bow_tie).unwrap();
        assert!(fixed.is_valid());
        assert_eq!(fixed.0.len(), 2);
        assert!((fixed.unsigned_area() - 2.0).abs() < 1e-12);
        assert!(fixed.contains(&Point::new(0.5, 1.0)));
        assert!(fixed.contains(&Point::new(1.5, 1.0)));
        assert!(!fixed.contains(&Point::new(1.0, 0.5)));
    }

    #[test]
    fn a_ring_without_area_is_not_repairable() {
        let flat = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 2.0, y: 2.0), (x: 0.0, y: 0.0)
        ]]);
        assert!(repair(&flat).unwrap_err().contains("no area"));
    }
}
