//! Junction costs on a hand-drawn network: an OSM XML drawing read by the real reader,
//! built with the builtin `car` profile, points snapped on the drawing's nodes; expected
//! times are haversine lengths at the profile's speed plus the profile's
//! `[junctions]` costs, worked out here.
//!
//! The drawing (rows go north by 0.001° ≈ 111 m, columns east by 0.001° ≈ 73 m):
//!
//! ```text
//!                 N(3)
//!                  │            residential
//!   W(4) ══════════ C(1) ══════════ E(6)     primary (way 300, W–C–E)
//!                  │            residential
//!                 S(2) ─── T(7)  residential, S a junction of three streets
//!                  │
//!                 U(8)
//! ```
//!
//! Ways: 300 W–C–E primary; 301 S–C, 302 C–N, 303 U–S, 304 S–T residential; all tagged
//! `maxspeed=36` (10 m/s before the profile's delay factor).

use recours::inputs::points::NamedPoint;
use recours::network::builder::{build_graph, BuildOptions};
use recours::network::osm::read_osm_xml_str;
use recours::network::profile::Profile;
use recours::network::store::{load_graph, save_graph};
use recours::network::Graph;
use recours::routing::points::point_table;

/// Mean Earth radius (m), the IUGG value `geo`'s haversine uses.
const R: f64 = 6_371_008.8;

const NODES: [(i64, f64, f64); 7] = [
    (1, 0.0, 0.0),
    (2, -1.0, 0.0),
    (3, 1.0, 0.0),
    (4, 0.0, -1.0),
    (6, 0.0, 1.0),
    (7, -1.0, 1.0),
    (8, -2.0, 0.0),
];
const WAYS: [(i64, &[i64], &str); 5] = [
    (300, &[4, 1, 6], "primary"),
    (301, &[2, 1], "residential"),
    (302, &[1, 3], "residential"),
    (303, &[8, 2], "residential"),
    (304, &[2, 7], "residential"),
];

/// `(lon, lat)` of drawing node `id`, near Bondy.
fn pos(id: i64) -> (f64, f64) {
    let &(_, row, col) = NODES.iter().find(|n| n.0 == id).unwrap();
    (2.48 + 0.001 * col, 48.90 + 0.001 * row)
}

fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (l1, p1) = (a.0.to_radians(), a.1.to_radians());
    let (l2, p2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((l2 - l1) / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().asin()
}

/// Class of the way joining drawing nodes `a` and `b`.
fn class_between(a: i64, b: i64) -> &'static str {
    WAYS.iter()
        .find(|(_, nds, _)| nds.windows(2).any(|w| w == [a, b] || w == [b, a]))
        .map(|w| w.2)
        .unwrap()
}

/// Seconds to drive along the node sequence `ids` at 36 km/h times the car profile's delay
/// factor of each stretch's class outside built-up areas (the drawing is far too small to
/// be one), junction costs left out.
fn drive(ids: &[i64]) -> f64 {
    let car = Profile::builtin("car").unwrap();
    ids.windows(2)
        .map(|w| {
            let factor = car.class_factors[class_between(w[0], w[1])];
            haversine(pos(w[0]), pos(w[1])) / (10.0 * factor)
        })
        .sum()
}

/// The car profile's cost, seconds, of a minor road entering (`enter`) or leaving a
/// junction with a main road.
fn junction_s(enter: bool) -> f64 {
    let car = Profile::builtin("car").unwrap();
    let j = car.junctions.expect("the car profile has junction costs");
    if enter {
        j.enter_minor_s
    } else {
        j.leave_minor_s
    }
}

fn xml() -> String {
    let mut s = String::from("<?xml version='1.0'?>\n<osm version='0.6'>\n");
    for &(id, ..) in &NODES {
        let (lon, lat) = pos(id);
        s += &format!("  <node id='{id}' lat='{lat:.7}' lon='{lon:.7}'/>\n");
    }
    for (id, nds, class) in WAYS {
        s += &format!("  <way id='{id}'>\n");
        for n in nds {
            s += &format!("    <nd ref='{n}'/>\n");
        }
        s += &format!(
            "    <tag k='highway' v='{class}'/>\n    <tag k='maxspeed' v='36'/>\n  </way>\n"
        );
    }
    s + "</osm>\n"
}

fn build(profile: &Profile) -> (Graph, usize) {
    let raw = read_osm_xml_str(&xml(), profile).unwrap();
    let (g, report) = build_graph(raw, &BuildOptions::default());
    (g, report.junction_edges)
}

fn point(id: i64) -> NamedPoint {
    let (lon, lat) = pos(id);
    NamedPoint {
        id: id.to_string(),
        line: 0,
        lon,
        lat,
    }
}

/// Seconds from node `a` to node `b`, searched forward (one source) and backward (two
/// sources), which must agree.
fn secs(g: &Graph, a: i64, b: i64) -> f64 {
    let forward = point_table(g, &[point(a)], &[point(b)], None, 1000.0).unwrap();
    let backward = point_table(g, &[point(a), point(a)], &[point(b)], None, 1000.0).unwrap();
    let t = forward.cells[0].2;
    assert_eq!(
        t, backward.cells[0].2,
        "forward and backward searches differ"
    );
    f64::from(t) / 1000.0
}

/// Asserts a time within 5 ms (per-piece rounding to whole milliseconds).
fn assert_secs(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 0.005,
        "got {actual} s, expected {expected} s"
    );
}

#[test]
fn the_main_road_driven_straight_costs_nothing() {
    let (g, _) = build(&Profile::builtin("car").unwrap());
    assert_secs(secs(&g, 4, 6), drive(&[4, 1, 6]));
    assert_secs(secs(&g, 6, 4), drive(&[6, 1, 4]));
}

#[test]
fn a_street_pays_entering_and_leaving_the_main_road() {
    let (g, edges) = build(&Profile::builtin("car").unwrap());
    // S–C and C–N are minor at C, each in both directions: 4 edges.
    assert_eq!(edges, 4);
    assert_secs(secs(&g, 2, 6), drive(&[2, 1, 6]) + junction_s(true));
    assert_secs(secs(&g, 6, 2), drive(&[6, 1, 2]) + junction_s(false));
    assert_secs(secs(&g, 4, 3), drive(&[4, 1, 3]) + junction_s(false));
    // Crossing the main road from street to street pays both.
    assert_secs(
        secs(&g, 2, 3),
        drive(&[2, 1, 3]) + junction_s(true) + junction_s(false),
    );
}

#[test]
fn a_junction_of_equal_streets_costs_nothing() {
    let (g, _) = build(&Profile::builtin("car").unwrap());
    assert_secs(secs(&g, 8, 7), drive(&[8, 2, 7]));
    assert_secs(secs(&g, 7, 8), drive(&[7, 2, 8]));
}

#[test]
fn a_profile_without_junctions_adds_nothing() {
    let mut car = Profile::builtin("car").unwrap();
    car.junctions = None;
    let (g, edges) = build(&car);
    assert_eq!(edges, 0);
    assert_secs(secs(&g, 2, 3), drive(&[2, 1, 3]));
}

#[test]
fn a_saved_graph_keeps_its_junction_costs() {
    let (g, _) = build(&Profile::builtin("car").unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.graph");
    save_graph(&g, &path).unwrap();
    let loaded = load_graph(&path).unwrap();
    assert_eq!(loaded, g);
    assert_secs(
        secs(&loaded, 2, 3),
        drive(&[2, 1, 3]) + junction_s(true) + junction_s(false),
    );
}
