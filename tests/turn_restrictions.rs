//! Turn restrictions on hand-drawn networks: each test writes a small OSM XML file with
//! `type=restriction` relations, builds the graph through the real reader and builder,
//! snaps points on the drawing's nodes and runs the table; the expected times are lengths
//! computed here by the haversine formula at the speed the car profile gives.
//!
//! The drawing (rows go north by 0.001° ≈ 111 m, columns east by 0.001° ≈ 73 m):
//!
//! ```text
//!            N(3)
//!          ╱  │
//!   W(4) ─── C(1) ─────── E(6)
//!             │
//!            S(2)
//! ```
//!
//! Ways: 100 S–C, 101 C–N, 102 C–W, 103 N–W (the diagonal), 104 C–E, all residential at
//! 36 km/h. U-turns are allowed at every node but a restricted one, at no cost (as
//! everywhere in the graph), so some detours below turn back at N.

use recours::inputs::points::NamedPoint;
use recours::network::builder::{build_graph, BuildOptions, BuildReport};
use recours::network::osm::read_osm_xml_str;
use recours::network::profile::Profile;
use recours::network::store::{load_graph, save_graph};
use recours::network::Graph;
use recours::routing::points::point_table;

/// Mean Earth radius (m), the IUGG value `geo`'s haversine uses.
const R: f64 = 6_371_008.8;

const NODES: [(i64, f64, f64); 5] = [
    (1, 0.0, 0.0),
    (2, -1.0, 0.0),
    (3, 1.0, 0.0),
    (4, 0.0, -1.0),
    (6, 0.0, 2.0),
];
const WAYS: [(i64, &[i64]); 5] = [
    (100, &[2, 1]),
    (101, &[1, 3]),
    (102, &[1, 4]),
    (103, &[3, 4]),
    (104, &[1, 6]),
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

/// Seconds to drive along the node sequence `ids` at 36 km/h times the car profile's
/// delay factor for residential streets outside built-up areas (the drawing is far too
/// small to be one).
fn drive(ids: &[i64]) -> f64 {
    let car = Profile::builtin("car").unwrap();
    let factor = car.class_factors.get("residential").copied().unwrap_or(1.0);
    let metres: f64 = ids
        .windows(2)
        .map(|w| haversine(pos(w[0]), pos(w[1])))
        .sum();
    metres / (10.0 * factor)
}

/// The drawing as OSM XML, ways `oneway` tagged `(way, oneway value)`, with `relations`
/// (`<relation>` elements) appended.
fn xml(relations: &str, oneway: &[(i64, &str)]) -> String {
    let mut s = String::from("<?xml version='1.0'?>\n<osm version='0.6'>\n");
    for &(id, ..) in &NODES {
        let (lon, lat) = pos(id);
        s += &format!("  <node id='{id}' lat='{lat:.7}' lon='{lon:.7}'/>\n");
    }
    for (id, nds) in WAYS {
        s += &format!("  <way id='{id}'>\n");
        for n in nds {
            s += &format!("    <nd ref='{n}'/>\n");
        }
        s += "    <tag k='highway' v='residential'/>\n    <tag k='maxspeed' v='36'/>\n";
        if let Some((_, v)) = oneway.iter().find(|o| o.0 == id) {
            s += &format!("    <tag k='oneway' v='{v}'/>\n");
        }
        s += "  </way>\n";
    }
    s + relations + "</osm>\n"
}

/// A restriction relation: `from` way, `via` node, `to` way, `value` (`no_left_turn`…).
fn restriction(id: i64, from: i64, via: i64, to: i64, value: &str) -> String {
    format!(
        "  <relation id='{id}'>\n    <member type='way' ref='{from}' role='from'/>\n    \
         <member type='node' ref='{via}' role='via'/>\n    \
         <member type='way' ref='{to}' role='to'/>\n    \
         <tag k='type' v='restriction'/>\n    <tag k='restriction' v='{value}'/>\n  \
         </relation>\n"
    )
}

fn build(relations: &str) -> (Graph, BuildReport) {
    build_oneway(relations, &[])
}

fn build_oneway(relations: &str, oneway: &[(i64, &str)]) -> (Graph, BuildReport) {
    let car = Profile::builtin("car").unwrap();
    let raw = read_osm_xml_str(&xml(relations, oneway), &car).unwrap();
    build_graph(raw, &BuildOptions::default())
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

/// Seconds from node `a` to node `b` in `g`: once searching forward from the source (one
/// source, one destination) and once backward from the destination (two sources), which
/// must agree.
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
fn without_restrictions_the_turn_is_direct() {
    let (g, report) = build("");
    assert_eq!(report.turns.applied, 0);
    assert!(g.turns.is_empty());
    assert_secs(secs(&g, 2, 4), drive(&[2, 1, 4]));
}

#[test]
fn a_forbidden_left_turn_forces_the_detour() {
    let (g, report) = build(&restriction(1, 100, 1, 102, "no_left_turn"));
    assert_eq!(report.turns.applied, 1);
    assert_eq!(report.turns.junctions, 1);
    // C has four roads: 4 arrival nodes (one keeps C's id) and 4 departure nodes; 16
    // turns, U-turns included, less the forbidden one.
    assert_eq!(report.nodes, NODES.len() + 7);
    assert_eq!(g.node_count(), report.nodes);
    assert_eq!(report.turns.turn_edges, 15);
    // South to west: no left turn at C, so round by N and the diagonal (355 m). Turning
    // back at N (406 m) or at the dead end E (476 m) would be longer.
    assert_secs(secs(&g, 2, 4), drive(&[2, 1, 3, 4]));
    // The other turns at C are untouched, and so is the opposite movement.
    assert_secs(secs(&g, 2, 3), drive(&[2, 1, 3]));
    assert_secs(secs(&g, 2, 6), drive(&[2, 1, 6]));
    assert_secs(secs(&g, 4, 2), drive(&[4, 1, 2]));
    assert_secs(secs(&g, 6, 4), drive(&[6, 1, 4]));
}

#[test]
fn an_only_straight_on_forbids_the_other_turns() {
    let (g, report) = build(&restriction(1, 100, 1, 101, "only_straight_on"));
    assert_eq!(report.turns.applied, 1);
    assert_secs(secs(&g, 2, 3), drive(&[2, 1, 3]));
    // South to east: straight on to N, U-turn there (479 m; by the diagonal and W it
    // would be 574 m), back to C arriving from the north, then left to E.
    assert_secs(secs(&g, 2, 6), drive(&[2, 1, 3, 1, 6]));
    // Arriving from elsewhere, every turn stays allowed.
    assert_secs(secs(&g, 4, 6), drive(&[4, 1, 6]));
}

#[test]
fn a_point_on_a_road_next_to_the_junction_follows_the_restriction() {
    let (g, _) = build(&restriction(1, 100, 1, 102, "no_left_turn"));
    // A point on C–W, a third of the way from C: from S, straight on to N, back to C
    // (357 m) rather than round by the diagonal and east along W–C (404 m).
    let (c, w) = (pos(1), pos(4));
    let on = NamedPoint {
        id: "on".into(),
        line: 0,
        lon: c.0 + (w.0 - c.0) / 3.0,
        lat: c.1,
    };
    let t = point_table(&g, &[point(2)], std::slice::from_ref(&on), None, 1000.0).unwrap();
    let expected = drive(&[2, 1, 3, 1]) + drive(&[1, 4]) / 3.0;
    assert_secs(f64::from(t.cells[0].2) / 1000.0, expected);
    // From that point, S is a right turn at C: direct.
    let t = point_table(&g, &[on], &[point(2)], None, 1000.0).unwrap();
    assert_secs(
        f64::from(t.cells[0].2) / 1000.0,
        drive(&[4, 1]) / 3.0 + drive(&[1, 2]),
    );
}

#[test]
fn restrictions_with_missing_or_unjoined_members_are_reported() {
    let relations = [
        // Way 999 is not in the file.
        restriction(1, 999, 1, 102, "no_left_turn"),
        // Node 3 is not where way 100 ends.
        restriction(2, 100, 3, 101, "no_right_turn"),
        // Via node 77 is in no way.
        restriction(3, 100, 77, 102, "no_left_turn"),
        // Not for cars.
        "  <relation id='4'><member type='way' ref='100' role='from'/>\
         <member type='node' ref='1' role='via'/><member type='way' ref='102' role='to'/>\
         <tag k='type' v='restriction'/><tag k='restriction' v='no_left_turn'/>\
         <tag k='except' v='motorcar'/></relation>\n"
            .to_string(),
        restriction(5, 100, 1, 102, "no_left_turn"),
    ]
    .concat();
    let (g, report) = build(&relations);
    assert_eq!(report.turns.applied, 1);
    let left_out = |reason: &str| {
        report
            .turns
            .left_out
            .iter()
            .chain(&report.skipped)
            .find(|(r, _)| r == reason)
            .map_or(0, |(_, n)| *n)
    };
    assert_eq!(
        left_out("turn restriction: from or to way not a road of the profile"),
        1
    );
    assert_eq!(
        left_out("turn restriction: from or to way does not start or end at the via node"),
        1
    );
    assert_eq!(
        left_out("turn restriction: via node not on a road of the profile"),
        1
    );
    assert_eq!(
        left_out("turn restriction with except= the profile's mode"),
        1
    );
    assert_secs(secs(&g, 2, 4), drive(&[2, 1, 3, 4]));
}

#[test]
fn a_saved_graph_keeps_its_restrictions() {
    let (g, _) = build(&restriction(1, 100, 1, 102, "no_left_turn"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.graph");
    save_graph(&g, &path).unwrap();
    let loaded = load_graph(&path).unwrap();
    assert_eq!(loaded, g);
    assert_secs(secs(&loaded, 2, 4), drive(&[2, 1, 3, 4]));
}

#[test]
fn the_walk_profile_ignores_restrictions() {
    let walk = Profile::builtin("walk").unwrap();
    let raw = read_osm_xml_str(
        &xml(&restriction(1, 100, 1, 102, "no_left_turn"), &[]),
        &walk,
    );
    let (g, report) = build_graph(raw.unwrap(), &BuildOptions::default());
    assert_eq!(report.turns.applied, 0);
    assert!(g.turns.is_empty());
}

#[test]
fn one_way_roads_at_a_split_junction_stay_routable() {
    // C–W one-way out of C: it has only the departure node at C (7 nodes there, not 8),
    // so no node is left without an edge and pruned with its road.
    let (g, report) = build_oneway(
        &restriction(1, 100, 1, 104, "no_right_turn"),
        &[(102, "yes")],
    );
    assert_eq!(report.prune.pruned_pieces, 0);
    assert_eq!(report.nodes, NODES.len() + 6);
    assert_secs(secs(&g, 2, 4), drive(&[2, 1, 4]));
    assert_secs(secs(&g, 2, 6), drive(&[2, 1, 3, 1, 6]));
    assert_secs(secs(&g, 4, 6), drive(&[4, 3, 1, 6]));
    // "Only straight on from N onto C–W", now one-way into C: applied, it would leave
    // N's road no way out at C; it is not, and the build says so.
    let (g, report) = build_oneway(
        &restriction(1, 101, 1, 102, "only_straight_on"),
        &[(102, "-1")],
    );
    assert_eq!(report.prune.pruned_pieces, 0);
    let reason = "turn restriction leaving no way out of its road (not applied there)";
    assert_eq!(report.turns.left_out, vec![(reason.to_string(), 1)]);
    assert_secs(secs(&g, 3, 6), drive(&[3, 1, 6]));
}
