//! Travel-time tables on real road data from the shared folder (`../shared/data` beside the
//! project, or `RECOURS_SHARED_DATA`): Monaco's OSM PBF between landmarks, and Bondy's
//! Overpass highway export between the centres of its 20 IRIS and its health facilities.
//! Each test prints "skipped: …" and returns when the files are absent.

mod common;
use common::shared_file;

use gdal::vector::LayerAccess;
use geo::Centroid;
use recours::inputs::points::NamedPoint;
use recours::network::builder::{build_graph, BuildOptions};
use recours::network::lines::read_lines;
use recours::network::osm::read_osm;
use recours::network::profile::Profile;
use recours::routing::points::point_table;
use std::path::PathBuf;

/// Great-circle distance in metres (mean Earth radius 6,371,008.8 m).
fn crow_m(a: &NamedPoint, b: &NamedPoint) -> f64 {
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((b.lon - a.lon).to_radians() / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

fn point(id: &str, lon: f64, lat: f64) -> NamedPoint {
    NamedPoint {
        id: id.into(),
        line: 0,
        lon,
        lat,
    }
}

/// Centroids of the features of a GeoJSON file whose `field` contains `needle` (all when
/// `needle` is empty), named by `id_field`.
fn centroids(path: &PathBuf, id_field: &str, field: &str, needle: &str) -> Vec<NamedPoint> {
    let ds = gdal::Dataset::open(path).unwrap();
    let mut layer = ds.layer(0).unwrap();
    let mut out = Vec::new();
    for f in layer.features() {
        let value = f
            .field_as_string(f.field_index(field).unwrap())
            .unwrap()
            .unwrap_or_default();
        if !value.contains(needle) {
            continue;
        }
        let id = f
            .field_as_string(f.field_index(id_field).unwrap())
            .unwrap()
            .unwrap_or_default();
        let shape: geo::Geometry = f.geometry().unwrap().to_geo().unwrap();
        let c = shape.centroid().unwrap();
        out.push(point(&id, c.x(), c.y()));
    }
    out
}

/// Every pair has a time that no car could beat (80 km/h as the crow flies, generous for
/// town streets) and that stays below `max_min` minutes; every point snapped.
fn assert_plausible(
    sources: &[NamedPoint],
    dests: &[NamedPoint],
    t: &recours::routing::points::PointTable,
    max_min: f64,
) {
    assert!(t.unsnapped_sources.is_empty(), "{:?}", t.unsnapped_sources);
    assert!(
        t.unsnapped_destinations.is_empty(),
        "{:?}",
        t.unsnapped_destinations
    );
    assert_eq!(
        t.cells.len(),
        sources.len() * dests.len(),
        "unreachable: {:?}",
        t.unreachable
    );
    for &(s, d, ms, dm) in &t.cells {
        let minutes = f64::from(ms) / 60_000.0;
        let crow = crow_m(&sources[s], &dests[d]);
        println!(
            "{:>12} → {:<40} {minutes:6.2} min {:6.2} km (crow {:.2} km)",
            sources[s].id,
            dests[d].id,
            f64::from(dm) / 1e4,
            crow / 1e3
        );
        assert!(
            minutes <= max_min,
            "{} → {}: {minutes} min",
            sources[s].id,
            dests[d].id
        );
        assert!(
            minutes * 60.0 >= crow / (80.0 / 3.6) - 1.0,
            "{} → {}: {minutes} min for {crow} m",
            sources[s].id,
            dests[d].id
        );
    }
}

#[test]
fn monaco_landmarks_are_minutes_apart() {
    let Some(path) = shared_file("osm/monaco.osm.pbf") else {
        return;
    };
    let raw = read_osm(&path, &Profile::builtin("car").unwrap()).unwrap();
    let (g, _) = build_graph(raw, &BuildOptions::default());
    let places = [
        point("casino", 7.4280, 43.7394),
        point("palace", 7.4204, 43.7314),
        point("station", 7.4196, 43.7389),
        point("hospital", 7.4190, 43.7294),
        point("beausoleil", 7.4227, 43.7432),
        point("cap-d-ail", 7.4046, 43.7227),
    ];
    let t = point_table(&g, &places, &places, None, 1000.0).unwrap();
    assert_plausible(&places, &places, &t, 20.0);
    // The palace sits on the Rock: reaching it from the casino takes a few minutes.
    let (_, _, ms, _) = t.cells.iter().find(|c| c.0 == 0 && c.1 == 1).unwrap();
    assert!(
        (2.0..12.0).contains(&(f64::from(*ms) / 60_000.0)),
        "{ms} ms"
    );
}

#[test]
fn bondy_iris_centres_reach_health_facilities_within_minutes() {
    let (Some(roads), Some(iris), Some(health)) = (
        shared_file("osm/bondy_highways_overpass_2023-07-27.geojson"),
        shared_file("iris/bondy_iris_wgs84.geojson"),
        shared_file("health/bondy_public_facilities_wgs84.geojson"),
    ) else {
        return;
    };
    let raw = read_lines(&roads, None, &Profile::builtin("car").unwrap()).unwrap();
    let (g, report) = build_graph(raw, &BuildOptions::default());
    println!(
        "Bondy graph: {} nodes, {} edges",
        report.nodes, report.edges
    );
    let origins = centroids(&iris, "DCOMIRIS", "DCOMIRIS", "");
    let care = centroids(&health, "Title", "categorie", "Santé");
    assert_eq!(origins.len(), 20);
    assert!(care.len() >= 5, "{}", care.len());
    let t = point_table(&g, &origins, &care, None, 1000.0).unwrap();
    assert_plausible(&origins, &care, &t, 15.0);
}
