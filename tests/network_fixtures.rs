//! Hand-drawn networks with travel times worked out independently of the engine: each test
//! writes a tiny OSM XML file, builds the graph through the real reader and builder, snaps
//! points and runs the table, then compares with lengths computed here by the haversine
//! formula and the speeds the profile promises.

use recours::inputs::points::NamedPoint;
use recours::network::builder::{build_graph, BuildOptions};
use recours::network::osm::read_osm_xml_str;
use recours::network::profile::Profile;
use recours::network::Graph;
use recours::routing::points::point_table;

/// Mean Earth radius (m), the IUGG value `geo`'s haversine uses.
const R: f64 = 6_371_008.8;
/// Where the drawings are placed (Bondy, Seine-Saint-Denis).
const LAT0: f64 = 48.90;
const LON0: f64 = 2.48;

/// Node `(row, col)` of a drawing: rows go north by 0.001° (≈111 m), columns east by
/// 0.001° (≈73 m).
fn at(row: f64, col: f64) -> (f64, f64) {
    (LON0 + 0.001 * col, LAT0 + 0.001 * row)
}

fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (l1, p1) = (a.0.to_radians(), a.1.to_radians());
    let (l2, p2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((l2 - l1) / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().asin()
}

/// An OSM tag `(key, value)`.
type Tag = (&'static str, &'static str);

/// A drawing: nodes by id at grid positions, ways by node ids with tags.
struct Drawing {
    nodes: Vec<(i64, (f64, f64))>,
    ways: Vec<(Vec<i64>, Vec<Tag>)>,
}

impl Drawing {
    fn new(nodes: &[(i64, f64, f64)]) -> Self {
        Drawing {
            nodes: nodes.iter().map(|&(id, r, c)| (id, at(r, c))).collect(),
            ways: vec![],
        }
    }
    fn way(mut self, nodes: &[i64], tags: &[(&'static str, &'static str)]) -> Self {
        self.ways.push((nodes.to_vec(), tags.to_vec()));
        self
    }
    fn pos(&self, id: i64) -> (f64, f64) {
        self.nodes.iter().find(|n| n.0 == id).unwrap().1
    }
    /// Length in metres along a node sequence.
    fn len(&self, ids: &[i64]) -> f64 {
        ids.windows(2)
            .map(|w| haversine(self.pos(w[0]), self.pos(w[1])))
            .sum()
    }
    fn xml(&self) -> String {
        let mut s = String::from(
            "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6' generator='test'>\n",
        );
        for (id, (lon, lat)) in &self.nodes {
            s += &format!("  <node id='{id}' lat='{lat:.7}' lon='{lon:.7}' version='1'/>\n");
        }
        for (i, (nds, tags)) in self.ways.iter().enumerate() {
            s += &format!("  <way id='{}' version='1'>\n", 100 + i);
            for n in nds {
                s += &format!("    <nd ref='{n}'/>\n");
            }
            for (k, v) in tags {
                s += &format!("    <tag k='{k}' v='{v}'/>\n");
            }
            s += "  </way>\n";
        }
        s + "</osm>\n"
    }
    fn graph(&self, profile: &str) -> Graph {
        let profile = Profile::builtin(profile).unwrap();
        let raw = read_osm_xml_str(&self.xml(), &profile).unwrap();
        build_graph(raw, &BuildOptions::default()).0
    }
    fn point(&self, id: i64) -> NamedPoint {
        let (lon, lat) = self.pos(id);
        NamedPoint {
            id: id.to_string(),
            line: 0,
            lon,
            lat,
        }
    }
}

/// Time in seconds from node `a` to node `b` of the drawing, `None` when unreachable.
fn secs(d: &Drawing, g: &Graph, a: i64, b: i64) -> Option<f64> {
    let t = point_table(g, &[d.point(a)], &[d.point(b)], None, 1000.0).unwrap();
    assert!(t.unsnapped_sources.is_empty() && t.unsnapped_destinations.is_empty());
    t.cells.first().map(|c| f64::from(c.2) / 1000.0)
}

/// Asserts a time within 5 ms (per-piece rounding to whole milliseconds).
fn assert_secs(actual: Option<f64>, expected: f64) {
    let a = actual.expect("expected a path");
    assert!(
        (a - expected).abs() < 0.005,
        "got {a} s, expected {expected} s"
    );
}

/// 36 km/h = 10 m/s: times are lengths divided by ten, times the car profile's delay
/// factor for the class.
const MS10: (&str, &str) = ("maxspeed", "36");

/// The car profile's delay factor outside built-up areas for `class` (the drawings are far
/// too small to be built-up areas).
fn rural(class: &str) -> f64 {
    let car = Profile::builtin("car").unwrap();
    car.class_factors.get(class).copied().unwrap_or(1.0)
}

/// Speed in m/s of a `class` way tagged [`MS10`] in the car profile.
fn ms10(class: &str) -> f64 {
    10.0 * rural(class)
}

fn square() -> Drawing {
    Drawing::new(&[(1, 0.0, 0.0), (2, 0.0, 1.0), (3, 1.0, 1.0), (4, 1.0, 0.0)])
}

#[test]
fn one_way_street_forces_the_detour_back() {
    let d = square()
        .way(
            &[1, 2],
            &[("highway", "residential"), ("oneway", "yes"), MS10],
        )
        .way(&[2, 3, 4, 1], &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    assert_secs(secs(&d, &g, 1, 2), d.len(&[1, 2]) / ms10("residential"));
    assert_secs(
        secs(&d, &g, 2, 1),
        d.len(&[2, 3, 4, 1]) / ms10("residential"),
    );
    // A point standing on node 1 may leave by any road of node 1, whichever piece it
    // snapped onto.
    assert_secs(secs(&d, &g, 1, 4), d.len(&[1, 4]) / ms10("residential"));
}

#[test]
fn oneway_minus_one_runs_against_the_drawing() {
    let d = square()
        .way(
            &[1, 2],
            &[("highway", "residential"), ("oneway", "-1"), MS10],
        )
        .way(&[2, 3, 4, 1], &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    assert_secs(secs(&d, &g, 2, 1), d.len(&[1, 2]) / ms10("residential"));
    assert_secs(
        secs(&d, &g, 1, 2),
        d.len(&[1, 4, 3, 2]) / ms10("residential"),
    );
}

#[test]
fn roundabouts_are_one_way_without_a_tag() {
    let d = square().way(
        &[1, 2, 3, 4, 1],
        &[("highway", "tertiary"), ("junction", "roundabout"), MS10],
    );
    let g = d.graph("car");
    assert_secs(secs(&d, &g, 1, 4), d.len(&[1, 2, 3, 4]) / ms10("tertiary"));
    assert_secs(secs(&d, &g, 4, 1), d.len(&[4, 1]) / ms10("tertiary"));
}

#[test]
fn private_roads_are_not_taken_as_a_shortcut() {
    let d = square()
        .way(
            &[1, 3],
            &[("highway", "service"), ("access", "private"), MS10],
        )
        .way(&[1, 2, 3], &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    assert_secs(secs(&d, &g, 1, 3), d.len(&[1, 2, 3]) / ms10("residential"));
}

#[test]
fn maxspeed_values_are_understood() {
    // Four parallel one-piece roads between a west and an east node each.
    let d = Drawing::new(&[
        (1, 0.0, 0.0),
        (2, 0.0, 1.0),
        (3, 1.0, 0.0),
        (4, 1.0, 1.0),
        (5, 2.0, 0.0),
        (6, 2.0, 1.0),
        (7, 3.0, 0.0),
        (8, 3.0, 1.0),
    ])
    .way(&[1, 2], &[("highway", "primary"), ("maxspeed", "FR:urban")])
    .way(&[3, 4], &[("highway", "primary"), ("maxspeed", "30 mph")])
    .way(
        &[5, 6],
        &[("highway", "primary"), ("maxspeed", "FR:zone30")],
    )
    .way(&[7, 8], &[("highway", "primary"), ("maxspeed", "none")])
    // Links so that everything is one component.
    .way(&[1, 3, 5, 7], &[("highway", "residential")])
    .way(&[2, 4, 6, 8], &[("highway", "residential")]);
    let g = d.graph("car");
    let len = d.len(&[1, 2]);
    let f = rural("primary");
    assert_secs(secs(&d, &g, 1, 2), len / (50.0 / 3.6 * f));
    assert_secs(secs(&d, &g, 3, 4), len / (30.0 * 1.609_344 / 3.6 * f));
    assert_secs(secs(&d, &g, 5, 6), len / (30.0 / 3.6 * f));
    // `none` keeps the class speed: primary, 80 km/h outside built-up areas in car.toml.
    assert_secs(secs(&d, &g, 7, 8), len / (80.0 / 3.6 * f));
}

#[test]
fn a_ferry_takes_its_duration_plus_boarding() {
    let d = Drawing::new(&[(1, 0.0, 0.0), (2, 0.0, 1.0), (3, 5.0, 1.0), (4, 5.0, 0.0)])
        .way(&[1, 2], &[("highway", "residential"), MS10])
        .way(&[2, 3], &[("route", "ferry"), ("duration", "00:30")])
        .way(&[3, 4], &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    // 30 min crossing + 10 min boarding (car.toml), plus the two streets.
    let expected =
        d.len(&[1, 2]) / ms10("residential") + 40.0 * 60.0 + d.len(&[3, 4]) / ms10("residential");
    assert_secs(secs(&d, &g, 1, 4), expected);
}

#[test]
fn walking_ignores_one_way_streets_and_walks_at_4_5_kmh() {
    let d = square()
        .way(
            &[1, 2],
            &[("highway", "residential"), ("oneway", "yes"), MS10],
        )
        .way(&[2, 3, 4, 1], &[("highway", "residential"), MS10]);
    let g = d.graph("walk");
    assert_secs(secs(&d, &g, 2, 1), d.len(&[1, 2]) / (4.5 / 3.6));
}

#[test]
fn a_point_beside_the_middle_of_a_street_enters_it_there() {
    let d = square().way(&[1, 2, 3, 4, 1], &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    // Half-way between nodes 1 and 2, 0.0001° (≈11.1 m) south of the street.
    let (lon, _) = at(0.0, 0.5);
    let p = NamedPoint {
        id: "p".into(),
        line: 0,
        lon,
        lat: LAT0 - 0.0001,
    };
    let t = point_table(&g, &[p], &[d.point(2)], None, 1000.0).unwrap();
    let off = haversine((lon, LAT0 - 0.0001), (lon, LAT0));
    // Access leg at walking speed (4.5 km/h) then half the street at 10 m/s.
    let expected = off / (4.5 / 3.6) + d.len(&[1, 2]) / 2.0 / ms10("residential");
    assert_secs(t.cells.first().map(|c| f64::from(c.2) / 1000.0), expected);
    // The network length excludes the access leg.
    let km = f64::from(t.cells[0].3) / 10_000.0;
    assert!((km * 1000.0 - d.len(&[1, 2]) / 2.0).abs() < 0.5, "{km} km");
}

#[test]
fn a_point_next_to_a_motorway_snaps_to_the_street() {
    // Motorway along row 0, street along row 1; the point is at row 0.3: nearer the motorway.
    let d = Drawing::new(&[(1, 0.0, 0.0), (2, 0.0, 3.0), (3, 1.0, 0.0), (4, 1.0, 3.0)])
        .way(&[1, 2], &[("highway", "motorway")])
        .way(&[2, 1], &[("highway", "motorway")])
        .way(&[3, 4], &[("highway", "residential"), MS10])
        .way(&[1, 3], &[("highway", "residential"), MS10])
        .way(&[2, 4], &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    let (lon, lat) = at(0.3, 1.5);
    let p = NamedPoint {
        id: "p".into(),
        line: 0,
        lon,
        lat,
    };
    let t = point_table(&g, &[p], &[d.point(4)], None, 1000.0).unwrap();
    let off = haversine((lon, lat), at(1.0, 1.5));
    let expected = off / (4.5 / 3.6) + d.len(&[3, 4]) / 2.0 / ms10("residential");
    assert_secs(t.cells.first().map(|c| f64::from(c.2) / 1000.0), expected);
}

#[test]
fn points_on_a_pruned_island_are_reported_not_dropped() {
    let d = Drawing::new(&[
        (1, 0.0, 0.0),
        (2, 0.0, 1.0),
        (3, 1.0, 1.0),
        (8, 0.0, 5.0),
        (9, 0.0, 6.0),
    ])
    // Three ways, so that 1, 2 and 3 are all junctions: the triangle (3 nodes) is the
    // largest component, the street 8–9 (2 nodes) an island.
    .way(&[1, 2], &[("highway", "residential"), MS10])
    .way(&[2, 3], &[("highway", "residential"), MS10])
    .way(&[3, 1], &[("highway", "residential"), MS10])
    .way(&[8, 9], &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    // Within 200 m, point 8 has only the island's street: reported.
    let t = point_table(&g, &[d.point(1), d.point(8)], &[d.point(2)], None, 200.0).unwrap();
    assert_eq!(t.cells.len(), 1);
    assert_eq!(t.unsnapped_sources.len(), 1);
    assert_eq!(t.unsnapped_sources[0].0, 1);
    assert!(
        t.unsnapped_sources[0].1.to_string().contains("island"),
        "{}",
        t.unsnapped_sources[0].1
    );
    // Within 1 km the triangle's streets (≈ 290 m away) are there: islands are ignored
    // and the point walks to the network.
    let t = point_table(&g, &[d.point(8)], &[d.point(2)], None, 1000.0).unwrap();
    assert!(t.unsnapped_sources.is_empty());
    let walk_s = haversine(d.pos(8), d.pos(2)) / (4.5 / 3.6);
    assert!(
        f64::from(t.cells[0].2) / 1000.0 > walk_s * 0.9,
        "{:?}",
        t.cells
    );
}

#[test]
fn a_point_too_far_from_any_road_is_reported_with_its_distance() {
    let d = square().way(&[1, 2, 3, 4, 1], &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    let (lon, lat) = at(30.0, 0.0);
    let far = NamedPoint {
        id: "far".into(),
        line: 0,
        lon,
        lat,
    };
    let t = point_table(&g, &[far], &[d.point(2)], None, 1000.0).unwrap();
    assert!(t.cells.is_empty());
    assert_eq!(t.unsnapped_sources.len(), 1);
}

/// The car profile's `[end_only]` speed factor.
fn end_only_factor() -> f64 {
    Profile::builtin("car").unwrap().end_only.unwrap().factor
}

#[test]
fn a_destination_only_street_is_used_at_an_end_but_not_as_a_through_route() {
    // Shortcut 1–3 is destination-only; 3–5 is a destination-only cul-de-sac.
    let d = Drawing::new(&[(1, 0.0, 0.0), (2, 0.0, 1.0), (3, 1.0, 1.0), (5, 1.0, 2.0)])
        .way(
            &[1, 3],
            &[
                ("highway", "residential"),
                ("motor_vehicle", "destination"),
                MS10,
            ],
        )
        .way(&[1, 2, 3], &[("highway", "residential"), MS10])
        .way(
            &[3, 5],
            &[("highway", "residential"), ("access", "destination"), MS10],
        );
    let g = d.graph("car");
    let v = ms10("residential");
    // Through 1 → 3: the way round, not the destination-only diagonal.
    assert_secs(secs(&d, &g, 1, 3), d.len(&[1, 2, 3]) / v);
    // To a place on the cul-de-sac: the way round, then the cul-de-sac, slowed.
    assert_secs(
        secs(&d, &g, 1, 5),
        d.len(&[1, 2, 3]) / v + d.len(&[3, 5]) / (v * end_only_factor()),
    );
}

#[test]
fn a_track_reaches_a_place_on_it_but_is_no_shortcut() {
    let d = square()
        .way(&[1, 3], &[("highway", "track")])
        .way(&[1, 2, 3, 4, 1], &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    let car = Profile::builtin("car").unwrap();
    let track = car.speeds["track"] / 3.6 * rural("track") * end_only_factor();
    assert_secs(secs(&d, &g, 1, 3), d.len(&[1, 2, 3]) / ms10("residential"));
    // Half-way along the track, 1 m off it: the access leg, then half the track.
    let (lon, lat) = at(0.5, 0.5);
    let p = NamedPoint {
        id: "p".into(),
        line: 0,
        lon,
        lat,
    };
    let t = point_table(&g, &[d.point(1)], &[p], None, 1000.0).unwrap();
    let got = f64::from(t.cells[0].2) / 1000.0;
    let expected = d.len(&[1, 3]) / 2.0 / track;
    assert!(
        (got - expected).abs() < 0.01 * expected,
        "{got} s vs {expected} s"
    );
}

#[test]
fn a_point_beside_a_ferry_line_is_snapped_to_a_street() {
    let d = Drawing::new(&[(1, 0.0, 0.0), (2, 0.0, 1.0), (3, 0.0, 10.0), (4, 0.0, 11.0)])
        .way(&[1, 2], &[("highway", "residential"), MS10])
        .way(&[2, 3], &[("route", "ferry"), ("duration", "00:30")])
        .way(&[3, 4], &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    // 11 m north of the ferry's middle; the nearest street ends at node 2, 290 m west.
    let (lon, lat) = at(0.1, 5.5);
    let p = NamedPoint {
        id: "p".into(),
        line: 0,
        lon,
        lat,
    };
    let t = point_table(&g, &[p], &[d.point(1)], None, 1000.0).unwrap();
    let got = f64::from(t.cells[0].2) / 1000.0;
    let expected =
        haversine((lon, lat), d.pos(2)) / (4.5 / 3.6) + d.len(&[1, 2]) / ms10("residential");
    assert!(
        (got - expected).abs() < 0.01 * expected,
        "{got} s vs {expected} s"
    );
}

/// A town: a 31 × 31 grid of residential streets 111 m apart (3.3 km across, ≈ 17 km of
/// street per km² in the 2 km window of the car profile), row 15 a tertiary road, and a
/// tertiary road leaving its east side for 30 km of countryside.
fn town() -> Drawing {
    let mut nodes = Vec::new();
    for r in 0..31 {
        for c in 0..31 {
            nodes.push((r * 100 + c, r as f64, c as f64 * 1.5));
        }
    }
    nodes.push((99_999, 15.0, 45.0 + 400.0));
    let mut d = Drawing::new(&nodes);
    for r in 0..31 {
        let row: Vec<i64> = (0..31).map(|c| r * 100 + c).collect();
        let class = if r == 15 { "tertiary" } else { "residential" };
        d = d.way(&row, &[("highway", class)]);
        let col: Vec<i64> = (0..31).map(|k| k * 100 + r).collect();
        d = d.way(&col, &[("highway", "residential")]);
    }
    d.way(&[1530, 99_999], &[("highway", "tertiary")])
}

#[test]
fn untagged_roads_take_the_urban_speed_in_town_and_the_rural_speed_outside() {
    let d = town();
    let g = d.graph("car");
    let car = Profile::builtin("car").unwrap();
    let urban = car.urban.as_ref().unwrap();
    let kmh_town = urban.speeds["tertiary"] * urban.factors.get("tertiary").copied().unwrap_or(1.0);
    let kmh_country = car.speeds["tertiary"] * rural("tertiary");
    assert!(kmh_town < kmh_country);
    let row: Vec<i64> = (0..31).map(|c| 1500 + c).collect();
    assert_secs(secs(&d, &g, 1500, 1530), d.len(&row) / (kmh_town / 3.6));
    assert_secs(
        secs(&d, &g, 1530, 99_999),
        d.len(&[1530, 99_999]) / (kmh_country / 3.6),
    );
}
