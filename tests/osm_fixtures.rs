//! The readers on small hand-written files (`tests/fixtures/`): the same OSM network as
//! XML, gzipped XML and PBF (made with `osmium cat tiny.osm -o tiny.osm.pbf`) must give
//! the same raw network; GeoJSON line layers (an Overpass-like export and a BD TOPO-like
//! layer in Lambert-93) must join lines at shared coordinates.

use recours::network::builder::{build_graph, BuildOptions};
use recours::network::lines::read_lines;
use recours::network::osm::read_osm;
use recours::network::profile::Profile;
use recours::network::raw::{to_degrees, RawNetwork};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The car profile's reading rules alone: free-flow speeds (no delay factors, no built-up
/// context, pinned in `network_fixtures.rs`) and private ways closed, so that the fixtures
/// pin what the readers make of the tags.
fn car() -> Profile {
    let mut p = Profile::builtin("car").unwrap();
    p.class_factors.clear();
    p.urban = None;
    p.end_only = None;
    p.access_denied.push("private".into());
    p
}

fn skipped(raw: &RawNetwork, reason: &str) -> u64 {
    raw.skipped
        .iter()
        .find(|s| s.0 == reason)
        .map_or(0, |s| s.1)
}

/// `(forward, backward)` speeds in km/h of the `i`-th way.
fn speeds(raw: &RawNetwork, i: usize) -> (f32, f32) {
    (
        raw.way_attrs[i].speed_fwd_kmh,
        raw.way_attrs[i].speed_bwd_kmh,
    )
}

#[test]
fn xml_gzip_and_pbf_give_the_same_network() {
    let xml = read_osm(&fixture("tiny.osm"), &car()).unwrap();
    let gz = read_osm(&fixture("tiny.osm.gz"), &car()).unwrap();
    let pbf = read_osm(&fixture("tiny.osm.pbf"), &car()).unwrap();
    assert_eq!(format!("{xml:?}"), format!("{gz:?}"));
    assert_eq!(format!("{xml:?}"), format!("{pbf:?}"));
    assert_eq!(xml.way_count(), 7);
}

#[test]
fn tiny_network_is_read_as_drawn() {
    let raw = read_osm(&fixture("tiny.osm.pbf"), &car()).unwrap();
    // Way 106 is split where node 99 is missing; 104, 108 and 109 are left out.
    assert_eq!(raw.way_ids, vec![101, 102, 103, 105, 106, 106, 107]);
    assert_eq!(raw.vertices.len(), 8);
    assert_eq!(raw.way(4), &[1, 7]);
    assert_eq!(raw.way(5), &[5, 4]);
    // One-way at FR:zone30; two-way residential at the class speed; primary at 50 km/h.
    assert_eq!(speeds(&raw, 0), (30.0, 0.0));
    assert_eq!(speeds(&raw, 1), (30.0, 30.0));
    assert_eq!(speeds(&raw, 2), (50.0, 50.0));
    // The roundabout is one-way without an oneway tag.
    assert_eq!(speeds(&raw, 3), (70.0, 0.0));
    // Ferry: 30 min crossing + 10 min boarding.
    let ferry = raw.way_attrs[6];
    assert_eq!(raw.class_names[usize::from(ferry.class)], "ferry");
    assert_eq!(ferry.duration_s, Some(2400.0));
    assert_eq!(skipped(&raw, "access=private"), 1);
    assert_eq!(skipped(&raw, "highway=footway not used by profile car"), 1);
    assert_eq!(skipped(&raw, "not a highway or ferry"), 1);
    assert_eq!(skipped(&raw, "way with missing node references (split)"), 1);
    assert_eq!(
        raw.snap_excluded,
        vec!["motorway", "motorway_link", "trunk", "trunk_link", "ferry"]
    );
}

#[test]
fn tiny_network_builds_into_the_expected_graph() {
    let raw = read_osm(&fixture("tiny.osm"), &car()).unwrap();
    let (g, report) = build_graph(
        raw.clone(),
        &BuildOptions {
            min_component_nodes: 1,
        },
    );
    // Junctions: nodes 1, 2, 5, 6, 7, 8 (3 and 4 are shape points of way 102).
    assert_eq!(g.node_count(), 6);
    assert_eq!(g.pieces.len(), 10);
    // Two-way pieces give 2 edges, the one-way street and the 3 roundabout pieces 1 each.
    assert_eq!(g.edge_count(), 16);
    assert_eq!(report.skipped, raw.skipped);
}

#[test]
fn walking_reads_the_footway_and_ignores_one_way_rules() {
    let raw = read_osm(&fixture("tiny.osm.pbf"), &Profile::builtin("walk").unwrap()).unwrap();
    // The private service road 104 is closed to walkers too (access=private).
    assert_eq!(raw.way_ids, vec![101, 102, 103, 105, 106, 106, 107, 108]);
    assert!(raw
        .way_attrs
        .iter()
        .filter(|a| a.duration_s.is_none())
        .all(|a| a.speed_fwd_kmh == 4.5 && a.speed_bwd_kmh == 4.5));
}

#[test]
fn overpass_geojson_lines_join_at_shared_coordinates() {
    let raw = read_lines(&fixture("overpass_like.geojson"), None, &car()).unwrap();
    // Features 0 and 1, and the two parts of the MultiLineString feature 2.
    assert_eq!(raw.way_ids, vec![0, 1, 2, 2]);
    // (2.48100001, 48.90000004) rounds onto (2.4810000, 48.9000000): 5 distinct vertices.
    assert_eq!(raw.vertices.len(), 5);
    assert_eq!(raw.way(0)[1], raw.way(1)[0]);
    assert_eq!(speeds(&raw, 0), (30.0, 30.0));
    assert_eq!(speeds(&raw, 1), (30.0, 0.0));
    assert_eq!(speeds(&raw, 2), (50.0, 50.0));
    assert_eq!(skipped(&raw, "access=private"), 1);
    assert_eq!(skipped(&raw, "highway=footway not used by profile car"), 1);
    assert_eq!(skipped(&raw, "highway=bus_stop not used by profile car"), 1);
    assert_eq!(skipped(&raw, "area=yes (a surface, not a line)"), 1);
    let (g, _) = build_graph(
        raw.clone(),
        &BuildOptions {
            min_component_nodes: 1,
        },
    );
    assert_eq!(g.node_count(), 4);
}

#[test]
fn bdtopo_layer_in_lambert93_is_mapped_and_reprojected() {
    let profile = Profile::builtin("car-bdtopo").unwrap();
    let raw = read_lines(
        &fixture("bdtopo_like.geojson"),
        Some("TRONCON_DE_ROUTE"),
        &profile,
    )
    .unwrap();
    assert_eq!(raw.way_ids, vec![0, 1, 2, 3]);
    assert_eq!(speeds(&raw, 0), (50.0, 50.0));
    assert_eq!(speeds(&raw, 1), (30.0, 0.0));
    assert_eq!(speeds(&raw, 2), (0.0, 30.0));
    // No VIT_MOY_VL: the class speed of "Route à 2 chaussées".
    assert_eq!(speeds(&raw, 3), (80.0, 80.0));
    assert_eq!(raw.vertices.len(), 5);
    for v in &raw.vertices {
        let (lon, lat) = (to_degrees(v[0]), to_degrees(v[1]));
        assert!(
            (2.3..2.6).contains(&lon) && (48.8..49.0).contains(&lat),
            "{lon} {lat}"
        );
    }
    assert_eq!(skipped(&raw, "ACCES_VL=Physiquement impossible"), 1);
    assert_eq!(skipped(&raw, "ACCES_VL=Restreint aux ayants droit"), 1);
    assert_eq!(skipped(&raw, "feature without geometry"), 1);
}
