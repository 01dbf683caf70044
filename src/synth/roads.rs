//! Roads between places and motorways.
//!
//! **Links.** Each place is joined to its `neighbour_links` nearest places (nearest by
//! centre, through an R-tree), the `hub_towns` largest to their nearest other hub, and any
//! part still cut off to the nearest place outside it (a union-find check), so the whole
//! territory is one connected network. Links whose straight line would cross the lake are
//! not drawn (the repair uses them only if nothing else reaches a part). The class of a
//! link follows the smaller of its two places: ≥ 15,000 inhabitants `primary`, ≥ 3,000
//! `secondary`, ≥ 500 `tertiary`, else `unclassified`.
//!
//! **Motorways** join the `motorway_towns` largest places along a minimum spanning tree
//! (Prim) plus each one's two nearest, from 200–1,500 m outside one town's grid to as far
//! outside the other's: two one-way carriageways 24 m apart (`oneway=yes` on
//! one, implied on the other), interchanges every `interchange_spacing_m` (at least one
//! on a motorway of 2.4 km or more) with
//! `motorway_link` ramps (exit, then entry, on each side; the exit node tagged
//! `highway=motorway_junction`) and a `secondary` feeder to the nearest place, and at each
//! end ramps onto a `primary` feeder into the town.

use super::canvas::{tags, Canvas, RoadShape};
use super::places::Place;
use super::plane::{add, dist, left, segment_near, sub, unit, P};
use super::rng::SplitMix64;
use super::spec::RoadNetworkSpec;
use super::streets::PlaceNet;
use super::water::nearest_place;
use rstar::primitives::GeomWithData;
use rstar::RTree;
use std::collections::BTreeSet;

/// Distance between motorway shape points, metres.
const MOTORWAY_STEP_M: f64 = 400.0;
/// Half the distance between the two carriageways, metres.
const CARRIAGEWAY_HALF_GAP_M: f64 = 12.0;

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    parent[ra.max(rb)] = ra.min(rb);
}

/// OSM class of a link between places of populations `a` and `b`.
pub fn link_class(a: u32, b: u32) -> &'static str {
    match a.min(b) {
        p if p >= 15_000 => "primary",
        p if p >= 3_000 => "secondary",
        p if p >= 500 => "tertiary",
        _ => "unclassified",
    }
}

/// The pairs of places to join by road (`a < b`), in a fixed order.
fn link_pairs(
    spec: &RoadNetworkSpec,
    places: &[Place],
    lake: Option<(P, f64)>,
) -> BTreeSet<(usize, usize)> {
    let n = places.len();
    let tree = RTree::bulk_load(
        places
            .iter()
            .enumerate()
            .map(|(i, p)| GeomWithData::new(p.c, i))
            .collect(),
    );
    let blocked = |a: usize, b: usize| {
        lake.is_some_and(|(c, r)| segment_near(places[a].c, places[b].c, c, r))
    };
    let mut pairs = BTreeSet::new();
    for (i, p) in places.iter().enumerate() {
        for nb in tree
            .nearest_neighbor_iter(&p.c)
            .filter(|nb| nb.data != i && !blocked(i, nb.data))
            .take(spec.neighbour_links)
        {
            pairs.insert((i.min(nb.data), i.max(nb.data)));
        }
    }
    let hubs = spec.hub_towns.min(n);
    for i in 0..hubs {
        let best = (0..hubs)
            .filter(|&j| j != i && !blocked(i, j))
            .min_by(|&a, &b| {
                dist(places[i].c, places[a].c).total_cmp(&dist(places[i].c, places[b].c))
            });
        if let Some(j) = best {
            pairs.insert((i.min(j), i.max(j)));
        }
    }
    let mut parent: Vec<usize> = (0..n).collect();
    for &(a, b) in &pairs {
        union(&mut parent, a, b);
    }
    loop {
        let root0 = find(&mut parent, 0);
        let Some(cut) = (0..n).find(|&i| find(&mut parent, i) != root0) else {
            break;
        };
        let root = find(&mut parent, cut);
        let members: Vec<usize> = (0..n).filter(|&i| find(&mut parent, i) == root).collect();
        let mut best: Option<(bool, f64, usize, usize)> = None;
        for &m in &members {
            let outside = tree
                .nearest_neighbor_iter(&places[m].c)
                .find(|nb| find(&mut parent, nb.data) != root);
            if let Some(nb) = outside {
                let key = (
                    blocked(m, nb.data),
                    dist(places[m].c, places[nb.data].c),
                    m,
                    nb.data,
                );
                if best.is_none_or(|b| (key.0, key.1) < (b.0, b.1)) {
                    best = Some(key);
                }
            }
        }
        let Some((_, _, a, b)) = best else { break };
        pairs.insert((a.min(b), a.max(b)));
        union(&mut parent, a, b);
    }
    pairs
}

/// Draws the roads between places.
pub fn links(cv: &mut Canvas, spec: &RoadNetworkSpec, places: &[Place], nets: &[PlaceNet]) {
    let mut rng = SplitMix64::derive(spec.seed, 3);
    let lake = spec
        .lake
        .as_ref()
        .map(|l| (cv.frame().from_deg(l.lon, l.lat), l.radius_m + 100.0));
    let shape = RoadShape {
        spacing_m: 250.0,
        bow: 0.08,
        split_m: spec.road_split_m,
        driveways_per_km: spec.driveways_per_km,
    };
    let rural: [Option<&str>; 4] = [None, Some("80"), Some("FR:rural"), Some("70")];
    for (number, (a, b)) in link_pairs(spec, places, lake).into_iter().enumerate() {
        let class = link_class(places[a].town.population, places[b].town.population);
        let mut t = tags(&[("highway", class)]);
        match class {
            "primary" => t.push(("ref".to_string(), format!("N {}", number + 1))),
            "secondary" | "tertiary" => t.push(("ref".to_string(), format!("D {}", number + 1))),
            _ => {}
        }
        if let Some(s) = rng.pick(&rural) {
            t.push(("maxspeed".to_string(), s.to_string()));
        }
        let ga = nets[a].gate(places[a].c, places[b].c);
        let gb = nets[b].gate(places[b].c, places[a].c);
        cv.road(&mut rng, ga, gb, &shape, &t);
    }
}

/// The pairs of the `m` largest places joined by motorway: a minimum spanning tree (Prim)
/// plus each place's two nearest.
fn motorway_pairs(places: &[Place], m: usize) -> BTreeSet<(usize, usize)> {
    let d = |a: usize, b: usize| dist(places[a].c, places[b].c);
    let mut pairs = BTreeSet::new();
    let mut in_tree = vec![false; m];
    let mut best: Vec<(f64, usize)> = (0..m).map(|i| (d(0, i), 0)).collect();
    in_tree[0] = true;
    for _ in 1..m {
        let next = (0..m)
            .filter(|&i| !in_tree[i])
            .min_by(|&a, &b| best[a].0.total_cmp(&best[b].0))
            .unwrap_or(0);
        in_tree[next] = true;
        let from = best[next].1;
        pairs.insert((next.min(from), next.max(from)));
        for i in 0..m {
            if !in_tree[i] && d(next, i) < best[i].0 {
                best[i] = (d(next, i), next);
            }
        }
    }
    for i in 0..m {
        let mut others: Vec<usize> = (0..m).filter(|&j| j != i).collect();
        others.sort_by(|&a, &b| d(i, a).total_cmp(&d(i, b)).then(a.cmp(&b)));
        for &j in others.iter().take(2) {
            pairs.insert((i.min(j), i.max(j)));
        }
    }
    pairs
}

/// A one-way `motorway_link` from `a` to `b` through a bent midpoint.
fn ramp(cv: &mut Canvas, (pa, a): (P, i64), (pb, b): (P, i64), bend: P) {
    let mid = add([(pa[0] + pb[0]) / 2.0, (pa[1] + pb[1]) / 2.0], bend, 20.0);
    let m = cv.node(mid);
    cv.way(
        vec![a, m, b],
        tags(&[("highway", "motorway_link"), ("oneway", "yes")]),
    );
}

/// Draws the motorways.
pub fn motorways(cv: &mut Canvas, spec: &RoadNetworkSpec, places: &[Place], nets: &[PlaceNet]) {
    let m = spec.motorway_towns.min(places.len());
    if m < 2 {
        return;
    }
    let mut rng = SplitMix64::derive(spec.seed, 4);
    let feeder = RoadShape {
        spacing_m: 250.0,
        bow: 0.05,
        split_m: f64::INFINITY,
        driveways_per_km: 0.0,
    };
    let speeds: [Option<&str>; 3] = [None, Some("130"), Some("FR:motorway")];
    for (number, (a, b)) in motorway_pairs(places, m).into_iter().enumerate() {
        let (ca, cb) = (places[a].c, places[b].c);
        let dir = unit(sub(cb, ca));
        let right = [dir[1], -dir[0]];
        let gap = dist(ca, cb) - places[a].town.radius_m - places[b].town.radius_m;
        let margin = ((gap - 1_600.0) / 2.0).clamp(200.0, 1_500.0);
        let sa = add(ca, dir, places[a].town.radius_m + margin);
        let len = (gap - 2.0 * margin).max(200.0);
        let n = ((len / MOTORWAY_STEP_M).ceil() as usize).max(4);
        let bow = rng.range(-1.0, 1.0) * (0.05 * len).min(3_000.0);
        let centre: Vec<P> = (0..=n)
            .map(|k| {
                let s = k as f64 / n as f64;
                add(add(sa, dir, len * s), left(dir), bow * 4.0 * s * (1.0 - s))
            })
            .collect();
        let f: Vec<(P, i64)> = centre
            .iter()
            .map(|&p| {
                let q = add(p, right, CARRIAGEWAY_HALF_GAP_M);
                (q, cv.node(q))
            })
            .collect();
        let bk: Vec<(P, i64)> = centre
            .iter()
            .map(|&p| {
                let q = add(p, right, -CARRIAGEWAY_HALF_GAP_M);
                (q, cv.node(q))
            })
            .collect();
        let step = ((spec.interchange_spacing_m / (len / n as f64)).round() as usize)
            .min(n / 2)
            .max(3);
        let mut cuts: Vec<usize> = (step..n.saturating_sub(1)).step_by(step).collect();
        cuts.insert(0, 0);
        cuts.push(n);
        let reference = format!("A {}", number + 1);
        let speed = *rng.pick(&speeds);
        for w in cuts.windows(2) {
            let mut t = tags(&[("highway", "motorway"), ("ref", &reference)]);
            if let Some(s) = speed {
                t.push(("maxspeed".to_string(), s.to_string()));
            }
            let mut fwd = t.clone();
            fwd.push(("oneway".to_string(), "yes".to_string()));
            cv.way(f[w[0]..=w[1]].iter().map(|x| x.1).collect(), fwd);
            cv.way(bk[w[0]..=w[1]].iter().rev().map(|x| x.1).collect(), t);
        }
        for (exit, &k) in cuts[1..cuts.len() - 1].iter().enumerate() {
            let jp = add(centre[k], right, 350.0);
            let j = (jp, cv.node(jp));
            let junction = tags(&[
                ("highway", "motorway_junction"),
                ("ref", &(exit + 1).to_string()),
            ]);
            cv.tag_node(f[k - 1].1, junction.clone());
            cv.tag_node(bk[k + 1].1, junction);
            ramp(cv, f[k - 1], j, right);
            ramp(cv, j, f[k + 1], right);
            ramp(cv, bk[k + 1], j, right);
            ramp(cv, j, bk[k - 1], right);
            let pl = nearest_place(places, jp);
            let gate = nets[pl].gate(places[pl].c, jp);
            cv.road(
                &mut rng,
                j,
                gate,
                &feeder,
                &tags(&[("highway", "secondary")]),
            );
        }
        for (end, town, out) in [(0usize, a, -1.0), (n, b, 1.0)] {
            let jp = add(centre[end], dir, out * 300.0);
            let j = (jp, cv.node(jp));
            if end == 0 {
                ramp(cv, j, f[0], right);
                ramp(cv, bk[0], j, right);
            } else {
                ramp(cv, f[n], j, right);
                ramp(cv, j, bk[n], right);
            }
            let gate = nets[town].gate(places[town].c, jp);
            cv.road(&mut rng, j, gate, &feeder, &tags(&[("highway", "primary")]));
        }
    }
}
