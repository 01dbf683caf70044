//! The streets of one place: a street grid, its roundabout, dead ends, one-way and private
//! streets, and the hamlets around it.
//!
//! The grid is square with spacing `block_m`, rotated by a random angle and jittered by up to
//! 8 % of a block, clipped to the place's disc: junction `(i, j)` exists when
//! `i² + j² ≤ (R / block)²`, so every grid line ends on a junction of the perpendicular line.
//! One-way streets and missing block sides (`street_gap_share`) are only drawn on rows other
//! than the avenues; every column is complete and two-way and crosses the complete central
//! row, so the grid stays strongly connected.

use super::canvas::{tags, Canvas, RoadShape};
use super::places::Place;
use super::plane::{add, dot, left, ring, segment_near, sub, unit, P};
use super::rng::SplitMix64;
use super::spec::RoadNetworkSpec;
use super::Tags;

/// Grid junctions between which a long grid line is cut into separate ways.
const WAY_JUNCTIONS: usize = 16;
/// Radius of a town-centre roundabout as a share of the block.
const ROUNDABOUT_SHARE: f64 = 0.22;

const PEOPLE: [&str; 32] = [
    "Victor Hugo",
    "Jean Jaurès",
    "Pasteur",
    "de la République",
    "Gambetta",
    "Jules Ferry",
    "Émile Zola",
    "des Écoles",
    "de la Gare",
    "du Moulin",
    "des Lilas",
    "Voltaire",
    "Paul Vaillant-Couturier",
    "Anatole France",
    "Jean Moulin",
    "de la Mairie",
    "du Stade",
    "Édouard Vaillant",
    "Henri Barbusse",
    "Louise Michel",
    "des Tilleuls",
    "Marcel Cachin",
    "Danielle Casanova",
    "de Verdun",
    "du 8 Mai 1945",
    "Carnot",
    "de Paris",
    "des Vignes",
    "Lucie Aubrac",
    "Pierre Sémard",
    "Salvador Allende",
    "du Marché",
];

/// The junctions of a place's street grid, from which roads and points of interest leave.
#[derive(Clone, Debug, Default)]
pub struct PlaceNet {
    /// Grid junctions: frame position and node id, in creation order.
    pub junctions: Vec<(P, i64)>,
}

impl PlaceNet {
    /// The junction farthest out from the centre `c` in the direction of `toward`: where a
    /// road to `toward` leaves the place.
    pub fn gate(&self, c: P, toward: P) -> (P, i64) {
        let d = unit(sub(toward, c));
        let mut best = self.junctions[0];
        for &(p, id) in &self.junctions {
            if dot(sub(p, c), d) > dot(sub(best.0, c), d) {
                best = (p, id);
            }
        }
        best
    }
}

/// A stop along a grid line: a junction, or the roundabout it goes round.
#[derive(Clone, Copy)]
enum Stop {
    Node(P, i64),
    /// The way ends at ring node `end`; the next one starts at ring node `start` (at `at`).
    Ring {
        end: i64,
        at: P,
        start: i64,
    },
}

/// A street name: `kind` followed by the `k`-th name of the pool (numbered past it).
fn street_name(kind: &str, k: usize) -> String {
    match k / PEOPLE.len() {
        0 => format!("{kind} {}", PEOPLE[k % PEOPLE.len()]),
        n => format!("{kind} {} {}", PEOPLE[k % PEOPLE.len()], n + 1),
    }
}

/// A random unit vector (rejection sampling in the unit disc, then normalised).
pub fn random_direction(rng: &mut SplitMix64) -> P {
    loop {
        let v = [rng.range(-1.0, 1.0), rng.range(-1.0, 1.0)];
        let n2 = dot(v, v);
        if n2 > 0.04 && n2 <= 1.0 {
            return unit(v);
        }
    }
}

/// Draws a grid line through `stops` with dead ends, bends and, when `gap_share` > 0, missing
/// block sides (the line is cut there); `across` is the unit vector perpendicular to it.
#[allow(clippy::too_many_arguments)]
fn grid_line(
    cv: &mut Canvas,
    rng: &mut SplitMix64,
    spec: &RoadNetworkSpec,
    stops: &[Stop],
    across: P,
    t: &Tags,
    reverse: bool,
    gap_share: f64,
    dead_end_name: &str,
) {
    let block = spec.block_m;
    let mut ways: Vec<Vec<i64>> = Vec::new();
    let mut refs: Vec<i64> = Vec::new();
    let mut since_cut = 0;
    let mut prev: Option<P> = None;
    for stop in stops {
        match *stop {
            Stop::Node(p, id) => {
                if prev.is_some() && rng.chance(gap_share) {
                    ways.push(std::mem::take(&mut refs));
                    since_cut = 0;
                } else if let Some(q) = prev {
                    let mid = [(p[0] + q[0]) / 2.0, (p[1] + q[1]) / 2.0];
                    if rng.chance(spec.cul_de_sac_share) {
                        let m = cv.node(mid);
                        let sgn = if rng.chance(0.5) { 1.0 } else { -1.0 };
                        let e = cv.node(add(mid, across, sgn * rng.range(0.3, 0.42) * block));
                        refs.push(m);
                        cv.way(
                            vec![m, e],
                            tags(&[("highway", "residential"), ("name", dead_end_name)]),
                        );
                    } else if rng.chance(spec.shape_point_share) {
                        refs.push(cv.node(add(mid, across, rng.range(-0.06, 0.06) * block)));
                    }
                }
                refs.push(id);
                since_cut += 1;
                prev = Some(p);
                if since_cut >= WAY_JUNCTIONS {
                    ways.push(std::mem::replace(&mut refs, vec![id]));
                    since_cut = 1;
                }
            }
            Stop::Ring { end, at: p, start } => {
                refs.push(end);
                ways.push(std::mem::replace(&mut refs, vec![start]));
                since_cut = 1;
                prev = Some(p);
            }
        }
    }
    ways.push(refs);
    for mut w in ways.into_iter().filter(|w| w.len() >= 2) {
        if reverse {
            w.reverse();
        }
        cv.way(w, t.clone());
    }
}

/// Builds the street grid of place `index` (with its roundabout, dead ends, one-way and
/// private streets) and returns its junctions.
pub fn place_streets(
    cv: &mut Canvas,
    spec: &RoadNetworkSpec,
    place: &Place,
    index: usize,
) -> PlaceNet {
    let mut rng = SplitMix64::derive(spec.seed, 1_000 + index as u64);
    let block = spec.block_m;
    let pop = place.town.population;
    let q = (place.town.radius_m / block).powi(2);
    let k = (place.town.radius_m / block).floor() as i64;
    let u = random_direction(&mut rng);
    let v = left(u);
    let width = (2 * k + 1) as usize;
    let at = |i: i64, j: i64| ((i + k) as usize) * width + (j + k) as usize;
    let has = |i: i64, j: i64| ((i * i + j * j) as f64) <= q;
    let with_ring = pop >= spec.roundabout_min_population && k >= 2;
    let mut grid: Vec<Option<(P, i64)>> = vec![None; width * width];
    let mut net = PlaceNet::default();
    for i in -k..=k {
        for j in -k..=k {
            if !has(i, j) || (with_ring && i == 0 && j == 0) {
                continue;
            }
            let ja = j as f64 + rng.range(-0.08, 0.08);
            let ib = i as f64 + rng.range(-0.08, 0.08);
            let p = add(add(place.c, u, ja * block), v, ib * block);
            let id = cv.node(p);
            grid[at(i, j)] = Some((p, id));
            net.junctions.push((p, id));
        }
    }
    let ring_stop = if with_ring {
        let pts = ring(place.c, ROUNDABOUT_SHARE * block, u, 8);
        let ids: Vec<i64> = pts.iter().map(|&p| cv.node(p)).collect();
        let mut refs = ids.clone();
        refs.push(ids[0]);
        let class = if pop >= 20_000 {
            "secondary"
        } else {
            "tertiary"
        };
        cv.way(
            refs,
            tags(&[
                ("highway", class),
                ("junction", "roundabout"),
                ("name", "Rond-point de la Mairie"),
            ]),
        );
        // Ring vertex 0 faces +u (east along rows), 2 faces +v, 4 faces −u, 6 faces −v.
        net.junctions.push((pts[0], ids[0]));
        Some([(ids[4], pts[0], ids[0]), (ids[6], pts[2], ids[2])])
    } else {
        None
    };
    let residential_speeds: [Option<&str>; 6] = [
        None,
        None,
        Some("30"),
        Some("FR:zone30"),
        Some("FR:urban"),
        Some("50"),
    ];
    let avenue_speeds: [Option<&str>; 3] = [None, Some("FR:urban"), Some("50")];
    for line in 0..2 * width {
        let (row, o) = (line < width, (line % width) as i64 - k);
        let mut stops = Vec::new();
        for s in -k..=k {
            let (i, j) = if row { (o, s) } else { (s, o) };
            if with_ring && i == 0 && j == 0 {
                if let Some(r) = ring_stop {
                    let (end, at, start) = r[usize::from(!row)];
                    stops.push(Stop::Ring { end, at, start });
                }
            } else if let Some((p, id)) = grid[at(i, j)] {
                stops.push(Stop::Node(p, id));
            }
        }
        if stops.len() < 2 {
            continue;
        }
        let avenue = o % 6 == 0;
        let class = match (avenue, o == 0) {
            (true, true) if pop >= 20_000 => "secondary",
            (true, _) if pop >= 5_000 || o == 0 => "tertiary",
            _ => "residential",
        };
        let kind = if avenue && class != "residential" {
            "Avenue"
        } else {
            "Rue"
        };
        let mut t = tags(&[("highway", class), ("name", &street_name(kind, line))]);
        let speed = if class == "residential" {
            *rng.pick(&residential_speeds)
        } else {
            *rng.pick(&avenue_speeds)
        };
        if let Some(s) = speed {
            t.push(("maxspeed".to_string(), s.to_string()));
        }
        let mut reverse = false;
        if row && o % 2 != 0 && o.abs() <= k - 2 && !avenue && rng.chance(spec.oneway_share) {
            match rng.below(3) {
                0 => t.push(("oneway".to_string(), "yes".to_string())),
                1 => {
                    t.push(("oneway".to_string(), "yes".to_string()));
                    reverse = true;
                }
                _ => t.push(("oneway".to_string(), "-1".to_string())),
            }
        }
        let across = if row { v } else { u };
        let dead_end = street_name("Impasse", line);
        let gap_share = if row && !avenue {
            spec.street_gap_share
        } else {
            0.0
        };
        grid_line(
            cv, &mut rng, spec, &stops, across, &t, reverse, gap_share, &dead_end,
        );
    }
    if pop >= 5_000 {
        for _ in 0..spec.private_roads_per_town {
            let (p, id) = *rng.pick(&net.junctions);
            let d = random_direction(&mut rng);
            let m = cv.node(add(p, d, 0.25 * block));
            let e = cv.node(add(add(p, d, 0.5 * block), left(d), 0.1 * block));
            cv.way(
                vec![id, m, e],
                tags(&[("highway", "service"), ("access", "private")]),
            );
        }
    }
    net
}

/// Hamlets around place `index`: each a lane from the grid's edge to a short street with two
/// driveways, 600–2,500 m beyond the grid. Hamlets whose lane would cross the lake are not
/// drawn.
pub fn hamlets(
    cv: &mut Canvas,
    spec: &RoadNetworkSpec,
    place: &Place,
    net: &PlaceNet,
    index: usize,
) {
    let mut rng = SplitMix64::derive(spec.seed, 100_000_000 + index as u64);
    let count = rng.below((2.0 * spec.hamlets_per_place) as u64 + 1);
    let lake = spec
        .lake
        .as_ref()
        .map(|l| (cv.frame().from_deg(l.lon, l.lat), l.radius_m + 200.0));
    let lane = RoadShape {
        spacing_m: 250.0,
        bow: 0.1,
        split_m: f64::INFINITY,
        driveways_per_km: 0.0,
    };
    for h in 0..count {
        let d = random_direction(&mut rng);
        let centre = add(place.c, d, place.town.radius_m + rng.range(600.0, 2_500.0));
        let gate = net.gate(place.c, centre);
        if lake.is_some_and(|(c, r)| segment_near(gate.0, centre, c, r)) {
            continue;
        }
        let across = left(d);
        let name = format!("Hameau {} {}", place.town.name, h + 1);
        let pts = [-150.0, -60.0, 0.0, 60.0, 150.0].map(|s| add(centre, across, s));
        let ids: Vec<i64> = pts.iter().map(|&p| cv.node(p)).collect();
        cv.way(
            ids.clone(),
            tags(&[("highway", "residential"), ("name", &name)]),
        );
        for (k, sgn) in [(1usize, 1.0), (3, -1.0)] {
            let e = cv.node(add(pts[k], d, sgn * rng.range(60.0, 120.0)));
            cv.way(vec![ids[k], e], tags(&[("highway", "service")]));
        }
        cv.road(
            &mut rng,
            gate,
            (pts[2], ids[2]),
            &lane,
            &tags(&[("highway", "unclassified")]),
        );
    }
}
