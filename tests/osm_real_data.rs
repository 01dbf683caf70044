//! The readers on real extracts from the shared data folder (`../shared/data` beside the
//! project, or `RECOURS_SHARED_DATA`): Monaco's full PBF, an openstreetmap.org XML export
//! of central Bondy and an Overpass GeoJSON export of Bondy's highways. Each test prints
//! "skipped: shared data folder absent" and returns when the files are not there.

mod common;
use common::shared_file;

use recours::network::builder::{build_graph, BuildOptions};
use recours::network::lines::read_lines;
use recours::network::osm::read_osm;
use recours::network::profile::Profile;
use std::time::Instant;

fn km(report: &recours::network::builder::BuildReport, class: &str) -> f64 {
    report
        .km_by_class
        .iter()
        .find(|c| c.0 == class)
        .map_or(0.0, |c| c.1)
}

#[test]
fn monaco_pbf_gives_one_big_car_network() {
    let Some(path) = shared_file("osm/monaco.osm.pbf") else {
        return;
    };
    let start = Instant::now();
    let raw = read_osm(&path, &Profile::builtin("car").unwrap()).unwrap();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "monaco.osm.pbf read in {secs:.3} s: {} car ways, {} vertices",
        raw.way_count(),
        raw.vertices.len()
    );
    println!("skipped: {:?}", raw.skipped);
    // 2,927 highway ways in the file; most are drivable.
    assert!(
        raw.way_count() > 1_000 && raw.way_count() < 2_927,
        "{}",
        raw.way_count()
    );
    let (g, report) = build_graph(raw.clone(), &BuildOptions::default());
    println!("km by class: {:?}", report.km_by_class);
    println!("pruned: {:?}", report.prune);
    assert!(g.node_count() > 1_000, "{}", g.node_count());
    // The pruned islands are small next to the kept network.
    let total_km: f64 = report.km_by_class.iter().map(|c| c.1).sum();
    assert!((150.0..600.0).contains(&total_km), "{total_km} km of road");
    // Monaco and its neighbours: residential streets and service roads dominate, with the
    // A8 motorway to the north.
    assert!(km(&report, "residential") > 20.0);
    assert!(km(&report, "motorway") > 2.0 && km(&report, "motorway") < 40.0);
    // Deterministic whatever the thread count: a second read is identical.
    let again = read_osm(&path, &Profile::builtin("car").unwrap()).unwrap();
    assert_eq!(format!("{raw:?}"), format!("{again:?}"));
}

#[test]
fn monaco_walking_network_is_larger_than_the_car_one() {
    let Some(path) = shared_file("osm/monaco.osm.pbf") else {
        return;
    };
    let car = read_osm(&path, &Profile::builtin("car").unwrap()).unwrap();
    let walk = read_osm(&path, &Profile::builtin("walk").unwrap()).unwrap();
    assert!(
        walk.way_count() > car.way_count(),
        "{} vs {}",
        walk.way_count(),
        car.way_count()
    );
}

#[test]
fn bondy_xml_export_is_read() {
    let Some(path) = shared_file("osm/bondy_centre_export.osm") else {
        return;
    };
    let raw = read_osm(&path, &Profile::builtin("car").unwrap()).unwrap();
    println!(
        "bondy_centre_export.osm: {} car ways, skipped {:?}",
        raw.way_count(),
        raw.skipped
    );
    // 177 highway ways, some of them footways; an export cuts ways at its box.
    assert!(
        raw.way_count() > 50 && raw.way_count() <= 250,
        "{}",
        raw.way_count()
    );
    let (g, report) = build_graph(
        raw.clone(),
        &BuildOptions {
            min_component_nodes: 20,
        },
    );
    println!("km by class: {:?}", report.km_by_class);
    assert!(g.node_count() > 50);
    let total_km: f64 = report.km_by_class.iter().map(|c| c.1).sum();
    assert!((5.0..60.0).contains(&total_km), "{total_km} km of road");
}

#[test]
fn bondy_overpass_geojson_is_read_as_lines() {
    let Some(path) = shared_file("osm/bondy_highways_overpass_2023-07-27.geojson") else {
        return;
    };
    let raw = read_lines(&path, None, &Profile::builtin("car").unwrap()).unwrap();
    println!(
        "overpass geojson: {} car ways, {} vertices, skipped {:?}",
        raw.way_count(),
        raw.vertices.len(),
        raw.skipped
    );
    // 1,557 LineStrings, of which about 1,000 are roads a car may use.
    assert!(
        raw.way_count() > 600 && raw.way_count() < 1_557,
        "{}",
        raw.way_count()
    );
    let points = raw
        .skipped
        .iter()
        .filter(|s| s.0.starts_with("highway=crossing"))
        .map(|s| s.1)
        .sum::<u64>();
    assert!(points > 500, "{points} crossings (points) counted");
    let (g, report) = build_graph(raw, &BuildOptions::default());
    println!(
        "km by class: {:?}, pruned {:?}",
        report.km_by_class, report.prune
    );
    // Shared vertices make intersections: the network holds together.
    assert!(g.node_count() > 500, "{}", g.node_count());
    let total_km: f64 = report.km_by_class.iter().map(|c| c.1).sum();
    assert!((60.0..300.0).contains(&total_km), "{total_km} km of road");
}
