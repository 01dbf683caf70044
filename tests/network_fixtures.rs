//! Hand-drawn networks with travel times worked out independently of the engine, in the
//! spirit of OSRM's feature files: each test draws its streets as an ASCII map, names the
//! ways by the nodes they pass, builds the graph through the real OSM reader and builder,
//! and checks a table of trips written under the map — each trip's expected route, whose
//! length (from the drawing, by the haversine formula) at the speed the profile promises is
//! the expected time.
//!
//! In a map every letter or digit is a node named by it; a character is [`CHAR_M`] metres
//! wide and a line [`LINE_M`] metres tall (a drawn square is about square), north up; the
//! other characters are for the reader only.

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
/// Metres east per character of a map.
const CHAR_M: f64 = 20.0;
/// Metres north per line of a map.
const LINE_M: f64 = 40.0;

/// The point `east_m` metres east and `north_m` metres north of `from` (lon, lat), on the
/// sphere of radius [`R`] (east measured along the arrival's parallel).
fn offset(from: (f64, f64), east_m: f64, north_m: f64) -> (f64, f64) {
    let deg = R * std::f64::consts::PI / 180.0;
    let lat = from.1 + north_m / deg;
    (from.0 + east_m / (deg * lat.to_radians().cos()), lat)
}

/// The point `east_m` metres east and `north_m` metres north of (LON0, LAT0).
fn at_m(east_m: f64, north_m: f64) -> (f64, f64) {
    offset((LON0, LAT0), east_m, north_m)
}

fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (l1, p1) = (a.0.to_radians(), a.1.to_radians());
    let (l2, p2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((l2 - l1) / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().asin()
}

/// An OSM tag `(key, value)`.
type Tag = (&'static str, &'static str);

/// A drawing: nodes by id (a map's node `a` has the id `'a' as i64`) with their position
/// (lon, lat), ways by node ids with tags.
struct Drawing {
    nodes: Vec<(i64, (f64, f64))>,
    ways: Vec<(Vec<i64>, Vec<Tag>)>,
}

impl Drawing {
    /// The nodes of an ASCII map (see the module doc); the last line is the southernmost.
    fn map(text: &str) -> Self {
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let mut nodes = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let north = (lines.len() - 1 - i) as f64 * LINE_M;
            for (col, ch) in line.chars().enumerate() {
                if ch.is_ascii_alphanumeric() {
                    assert!(
                        nodes.iter().all(|&(id, _)| id != ch as i64),
                        "node {ch} drawn twice"
                    );
                    nodes.push((ch as i64, at_m(col as f64 * CHAR_M, north)));
                }
            }
        }
        Drawing {
            nodes,
            ways: vec![],
        }
    }
    /// A way through the map's nodes named in order by `names` (`"abca"` closes a loop).
    fn way(self, names: &str, tags: &[Tag]) -> Self {
        let ids: Vec<i64> = names.chars().map(|c| c as i64).collect();
        self.way_ids(&ids, tags)
    }
    fn way_ids(mut self, nodes: &[i64], tags: &[Tag]) -> Self {
        self.ways.push((nodes.to_vec(), tags.to_vec()));
        self
    }
    fn pos(&self, id: i64) -> (f64, f64) {
        self.nodes
            .iter()
            .find(|n| n.0 == id)
            .unwrap_or_else(|| panic!("no node {id} in the drawing"))
            .1
    }
    /// Length in metres along the map's nodes named in order by `route`.
    fn len(&self, route: &str) -> f64 {
        let ids: Vec<i64> = route.chars().map(|c| c as i64).collect();
        self.len_ids(&ids)
    }
    fn len_ids(&self, ids: &[i64]) -> f64 {
        ids.windows(2)
            .map(|w| haversine(self.pos(w[0]), self.pos(w[1])))
            .sum()
    }
    fn xml(&self) -> String {
        let mut s = String::from(
            "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6' generator='test'>\n",
        );
        for (id, (lon, lat)) in &self.nodes {
            s += &format!("  <node id='{id}' lat='{lat:.9}' lon='{lon:.9}' version='1'/>\n");
        }
        for (i, (nds, tags)) in self.ways.iter().enumerate() {
            s += &format!("  <way id='{}' version='1'>\n", 100_000 + i);
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
    fn point_id(&self, id: i64) -> NamedPoint {
        let (lon, lat) = self.pos(id);
        NamedPoint {
            id: id.to_string(),
            line: 0,
            lon,
            lat,
        }
    }
    /// A point standing on the map's node `name`.
    fn point(&self, name: char) -> NamedPoint {
        self.point_id(name as i64)
    }
    /// A point `east_m` metres east and `north_m` metres north of the map's node `name`.
    fn near(&self, name: char, east_m: f64, north_m: f64) -> NamedPoint {
        let (lon, lat) = offset(self.pos(name as i64), east_m, north_m);
        NamedPoint {
            id: format!("{name}+({east_m},{north_m})"),
            line: 0,
            lon,
            lat,
        }
    }
    /// Checks the trips of `table` (a header line, then one trip a line: `from to route`,
    /// the route naming every node the trip passes in order) on `g`: each takes the route's
    /// length at `speed` m/s, to within 5 ms.
    fn trips(&self, g: &Graph, speed: f64, table: &str) {
        let mut rows = table.lines().map(str::split_whitespace);
        let header: Vec<&str> = rows.next().expect("a header line").collect();
        assert_eq!(header, ["from", "to", "route"], "table header");
        for row in rows {
            let row: Vec<&str> = row.collect();
            if row.is_empty() {
                continue;
            }
            let [from, to, route] = row[..] else {
                panic!("a trip is `from to route`: {row:?}")
            };
            let (from, to) = (one_char(from), one_char(to));
            assert!(route.starts_with(from) && route.ends_with(to), "{row:?}");
            let got = secs(g, self.point(from), self.point(to));
            let expected = self.len(route) / speed;
            let a = got.unwrap_or_else(|| panic!("{from} → {to}: no path"));
            assert!(
                (a - expected).abs() < 0.005,
                "{from} → {to}: got {a} s, expected {expected} s (route {route})"
            );
        }
    }
}

fn one_char(s: &str) -> char {
    let mut c = s.chars();
    match (c.next(), c.next()) {
        (Some(x), None) => x,
        _ => panic!("a node is one character: {s:?}"),
    }
}

/// Time in seconds from point `a` to point `b`, `None` when unreachable.
fn secs(g: &Graph, a: NamedPoint, b: NamedPoint) -> Option<f64> {
    let t = point_table(g, &[a], &[b], None, 1000.0).unwrap();
    assert!(t.unsnapped_sources.is_empty() && t.unsnapped_destinations.is_empty());
    t.cells.first().map(|c| f64::from(c.2) / 1000.0)
}

/// Asserts a time within 5 ms (per-piece rounding to whole milliseconds).
fn assert_secs(actual: Option<f64>, expected: f64) {
    assert_secs_within(actual, expected, 0.005);
}

/// Asserts a time within `tolerance_s` seconds.
fn assert_secs_within(actual: Option<f64>, expected: f64, tolerance_s: f64) {
    let a = actual.expect("expected a path");
    assert!(
        (a - expected).abs() < tolerance_s,
        "got {a} s, expected {expected} s (± {tolerance_s} s)"
    );
}

/// 36 km/h = 10 m/s: times are lengths divided by ten, times the car profile's delay
/// factor for the class.
const MS10: Tag = ("maxspeed", "36");

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

/// An 80 m square.
const SQUARE: &str = "
    d───c
    │   │
    a───b
";

#[test]
fn one_way_street_forces_the_detour_back() {
    let d = Drawing::map(SQUARE)
        .way("ab", &[("highway", "residential"), ("oneway", "yes"), MS10])
        .way("bcda", &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    // A point standing on node a may leave by any road of a, whichever piece it snapped
    // onto (a → d).
    d.trips(
        &g,
        ms10("residential"),
        "from to route
         a    b  ab
         b    a  bcda
         a    d  ad",
    );
}

#[test]
fn oneway_minus_one_runs_against_the_drawing() {
    let d = Drawing::map(SQUARE)
        .way("ab", &[("highway", "residential"), ("oneway", "-1"), MS10])
        .way("bcda", &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    d.trips(
        &g,
        ms10("residential"),
        "from to route
         b    a  ba
         a    b  adcb",
    );
}

#[test]
fn roundabouts_are_one_way_without_a_tag() {
    let d = Drawing::map(SQUARE).way(
        "abcda",
        &[("highway", "tertiary"), ("junction", "roundabout"), MS10],
    );
    let g = d.graph("car");
    d.trips(
        &g,
        ms10("tertiary"),
        "from to route
         a    d  abcd
         d    a  da",
    );
}

#[test]
fn private_roads_are_not_taken_as_a_shortcut() {
    let d = Drawing::map(
        "
        c
       ╱│
      ╱ │
     a──b
    ",
    )
    .way("ac", &[("highway", "service"), ("access", "private"), MS10])
    .way("abc", &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    d.trips(
        &g,
        ms10("residential"),
        "from to route
         a    c  abc",
    );
}

#[test]
fn maxspeed_values_are_understood() {
    // Four parallel primary roads, tagged FR:urban, 30 mph, FR:zone30 and none from south
    // to north, joined at both ends by residential streets.
    let d = Drawing::map(
        "
    g───h
    │   │
    e───f
    │   │
    c───d
    │   │
    a───b
    ",
    )
    .way("ab", &[("highway", "primary"), ("maxspeed", "FR:urban")])
    .way("cd", &[("highway", "primary"), ("maxspeed", "30 mph")])
    .way("ef", &[("highway", "primary"), ("maxspeed", "FR:zone30")])
    .way("gh", &[("highway", "primary"), ("maxspeed", "none")])
    .way("aceg", &[("highway", "residential")])
    .way("bdfh", &[("highway", "residential")]);
    let g = d.graph("car");
    let f = rural("primary");
    let kmh = |v: f64| v / 3.6 * f;
    d.trips(&g, kmh(50.0), "from to route\n a b ab");
    d.trips(&g, kmh(30.0 * 1.609_344), "from to route\n c d cd");
    d.trips(&g, kmh(30.0), "from to route\n e f ef");
    // `none` keeps the class speed: primary, 80 km/h outside built-up areas in car.toml.
    d.trips(&g, kmh(80.0), "from to route\n g h gh");
}

#[test]
fn a_ferry_takes_its_duration_plus_boarding() {
    let d = Drawing::map(
        "
    d───c
        ≈
        ≈
        ≈
    a───b
    ",
    )
    .way("ab", &[("highway", "residential"), MS10])
    .way("bc", &[("route", "ferry"), ("duration", "00:30")])
    .way("cd", &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    // 30 min crossing + 10 min boarding (car.toml), plus the two streets.
    let expected = (d.len("ab") + d.len("cd")) / ms10("residential") + 40.0 * 60.0;
    assert_secs(secs(&g, d.point('a'), d.point('d')), expected);
}

#[test]
fn walking_ignores_one_way_streets_and_walks_at_4_5_kmh() {
    let d = Drawing::map(SQUARE)
        .way("ab", &[("highway", "residential"), ("oneway", "yes"), MS10])
        .way("bcda", &[("highway", "residential"), MS10]);
    let g = d.graph("walk");
    d.trips(
        &g,
        4.5 / 3.6,
        "from to route
         b    a  ba",
    );
}

#[test]
fn a_point_beside_the_middle_of_a_street_enters_it_there() {
    let d = Drawing::map(SQUARE).way("abcda", &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    // Half-way between a and b, 11.1 m south of the street.
    let p = d.near('a', d.len("ab") / 2.0, -11.1);
    let t = point_table(&g, &[p], &[d.point('b')], None, 1000.0).unwrap();
    // Access leg at walking speed (4.5 km/h) then half the street at 10 m/s.
    let expected = 11.1 / (4.5 / 3.6) + d.len("ab") / 2.0 / ms10("residential");
    assert_secs(t.cells.first().map(|c| f64::from(c.2) / 1000.0), expected);
    // The network length excludes the access leg.
    let km = f64::from(t.cells[0].3) / 10_000.0;
    assert!((km * 1000.0 - d.len("ab") / 2.0).abs() < 0.5, "{km} km");
}

#[test]
fn a_point_next_to_a_motorway_snaps_to_the_street() {
    // The point p, 24 m north of the motorway and 56 m south of the street, is nearer the
    // motorway, which a point cannot join: it walks to the street.
    let d = Drawing::map(
        "
    c────────────d
    │     ·      │
    a════════════b
    ",
    )
    .way("ab", &[("highway", "motorway")])
    .way("ba", &[("highway", "motorway")])
    .way("cd", &[("highway", "residential"), MS10])
    .way("ac", &[("highway", "residential"), MS10])
    .way("bd", &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    let half = d.len("cd") / 2.0;
    let p = d.near('a', half, 24.0);
    let t = point_table(&g, &[p], &[d.point('d')], None, 1000.0).unwrap();
    let expected = (2.0 * LINE_M - 24.0) / (4.5 / 3.6) + half / ms10("residential");
    // The 56 m access leg is measured in Lambert-93 (scale error up to 3 m per km: 0.17 m,
    // 0.13 s at most at walking speed).
    assert_secs_within(
        t.cells.first().map(|c| f64::from(c.2) / 1000.0),
        expected,
        0.14,
    );
}

#[test]
fn points_on_a_pruned_island_are_reported_not_dropped() {
    // The triangle abc (three junctions) is the largest component; the street de, 360 m
    // east of b, is an island pruned from the graph.
    let d = Drawing::map(
        "
    c
    │╲
    a─b               d──e
    ",
    )
    .way("ab", &[("highway", "residential"), MS10])
    .way("bc", &[("highway", "residential"), MS10])
    .way("ca", &[("highway", "residential"), MS10])
    .way("de", &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    // Within 200 m, point d has only the island's street: reported.
    let t = point_table(
        &g,
        &[d.point('a'), d.point('d')],
        &[d.point('b')],
        None,
        200.0,
    )
    .unwrap();
    assert_eq!(t.cells.len(), 1);
    assert_eq!(t.unsnapped_sources.len(), 1);
    assert_eq!(t.unsnapped_sources[0].0, 1);
    assert!(
        t.unsnapped_sources[0].1.to_string().contains("island"),
        "{}",
        t.unsnapped_sources[0].1
    );
    // Within 1 km the triangle's streets (360 m away) are there: islands are ignored and
    // the point walks to the network.
    let t = point_table(&g, &[d.point('d')], &[d.point('b')], None, 1000.0).unwrap();
    assert!(t.unsnapped_sources.is_empty());
    let walk_s = d.len("db") / (4.5 / 3.6);
    assert!(
        f64::from(t.cells[0].2) / 1000.0 > walk_s * 0.9,
        "{:?}",
        t.cells
    );
}

#[test]
fn a_point_too_far_from_any_road_is_reported_with_its_distance() {
    let d = Drawing::map(SQUARE).way("abcda", &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    let far = d.near('a', 0.0, 3_300.0);
    let t = point_table(&g, &[far], &[d.point('b')], None, 1000.0).unwrap();
    assert!(t.cells.is_empty());
    assert_eq!(t.unsnapped_sources.len(), 1);
}

/// The car profile's `[end_only]` speed factor.
fn end_only_factor() -> f64 {
    Profile::builtin("car").unwrap().end_only.unwrap().factor
}

#[test]
fn a_destination_only_street_is_used_at_an_end_but_not_as_a_through_route() {
    // The diagonal ac is destination-only; ce is a destination-only cul-de-sac.
    let d = Drawing::map(
        "
      c───e
     ╱│
    a─b
    ",
    )
    .way(
        "ac",
        &[
            ("highway", "residential"),
            ("motor_vehicle", "destination"),
            MS10,
        ],
    )
    .way("abc", &[("highway", "residential"), MS10])
    .way(
        "ce",
        &[("highway", "residential"), ("access", "destination"), MS10],
    );
    let g = d.graph("car");
    let v = ms10("residential");
    // Through a → c: the way round, not the destination-only diagonal.
    d.trips(&g, v, "from to route\n a c abc");
    // To a place on the cul-de-sac: the way round, then the cul-de-sac, slowed.
    assert_secs(
        secs(&g, d.point('a'), d.point('e')),
        d.len("abc") / v + d.len("ce") / (v * end_only_factor()),
    );
}

#[test]
fn a_track_reaches_a_place_on_it_but_is_no_shortcut() {
    let d = Drawing::map(SQUARE)
        .way("ac", &[("highway", "track")])
        .way("abcda", &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    let car = Profile::builtin("car").unwrap();
    let track = car.speeds["track"] / 3.6 * rural("track") * end_only_factor();
    d.trips(&g, ms10("residential"), "from to route\n a c abc");
    // Half-way along the track, 1 m off it: the access leg, then half the track.
    let half = d.len("ac") / 2.0;
    let p = d.near('a', half / 2f64.sqrt() + 0.7, half / 2f64.sqrt() - 0.7);
    let t = point_table(&g, &[d.point('a')], &[p], None, 1000.0).unwrap();
    let got = f64::from(t.cells[0].2) / 1000.0;
    // The 1 m access leg, walked at 4.5 km/h, then half the track.
    let expected = 1.0 / (4.5 / 3.6) + half / track;
    assert!(
        (got - expected).abs() < 0.01 * expected,
        "{got} s vs {expected} s"
    );
}

#[test]
fn a_point_beside_a_ferry_line_is_snapped_to_a_street() {
    // p is 11 m north of the ferry, 40 % of the way across: the nearest street ends at b,
    // 152 m west (c is 228 m east).
    let d = Drawing::map(
        "
    a──b≈≈≈≈≈≈≈≈≈≈≈≈≈≈≈≈≈≈c──d
    ",
    )
    .way("ab", &[("highway", "residential"), MS10])
    .way("bc", &[("route", "ferry"), ("duration", "00:30")])
    .way("cd", &[("highway", "residential"), MS10]);
    let g = d.graph("car");
    let p = d.near('b', d.len("bc") * 0.4, 11.0);
    let t = point_table(&g, std::slice::from_ref(&p), &[d.point('a')], None, 1000.0).unwrap();
    let got = f64::from(t.cells[0].2) / 1000.0;
    let walk = haversine((p.lon, p.lat), d.pos('b' as i64));
    let expected = walk / (4.5 / 3.6) + d.len("ab") / ms10("residential");
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
    let mut d = Drawing {
        nodes: nodes
            .into_iter()
            .map(|(id, r, c)| (id, at_m(c * 73.0, r * 111.2)))
            .collect(),
        ways: vec![],
    };
    for r in 0..31 {
        let row: Vec<i64> = (0..31).map(|c| r * 100 + c).collect();
        let class = if r == 15 { "tertiary" } else { "residential" };
        d = d.way_ids(&row, &[("highway", class)]);
        let col: Vec<i64> = (0..31).map(|k| k * 100 + r).collect();
        d = d.way_ids(&col, &[("highway", "residential")]);
    }
    d.way_ids(&[1530, 99_999], &[("highway", "tertiary")])
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
    assert_secs(
        secs(&g, d.point_id(1500), d.point_id(1530)),
        d.len_ids(&row) / (kmh_town / 3.6),
    );
    // One 32.5 km piece: its length is kept in whole decimetres from coordinates rounded
    // to 1e-7°, a few centimetres (milliseconds) off the drawing's.
    assert_secs_within(
        secs(&g, d.point_id(1530), d.point_id(99_999)),
        d.len_ids(&[1530, 99_999]) / (kmh_country / 3.6),
        0.01,
    );
}
