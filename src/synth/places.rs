//! Where the towns and villages go, how big they are and what they are called.
//!
//! Places are laid largest first, each at a uniformly drawn point of the territory (inside
//! the land outline, its disc inside the bounding box, away from the lake) that keeps a
//! gap of 600 m to every disc already laid (6 km between two places that motorways will
//! join); after 200 failed draws the last candidate is kept anyway (the count is returned). A place's street grid has
//! `base + population / inhabitants_per_junction` junctions, so its radius is
//! `block · √(junctions / π)`.

use super::plane::{dist, inside, Frame, P};
use super::rng::SplitMix64;
use super::spec::RoadNetworkSpec;
use super::{PlaceKind, Town};
use std::collections::{HashMap, HashSet};

/// Minimum distance between the edges of two place discs, metres.
const GAP_M: f64 = 600.0;
/// Minimum distance between the edges of two places joined by motorway, metres (room for
/// a motorway with an interchange between them).
const MOTORWAY_GAP_M: f64 = 6_000.0;
/// Draws tried before a place is accepted even though it is too close to another.
const ATTEMPTS: usize = 200;
/// Side of the cells of the spatial hash used to test the gap, metres.
const CELL_M: f64 = 2_000.0;

/// A laid-out place: its public description and its centre in the frame.
#[derive(Clone, Debug)]
pub struct Place {
    /// What the caller sees.
    pub town: Town,
    /// Centre, frame metres.
    pub c: P,
}

/// Radius in metres of a place's street grid.
pub fn radius_m(spec: &RoadNetworkSpec, population: u32) -> f64 {
    let junctions = spec.base_junctions + f64::from(population) / spec.inhabitants_per_junction;
    spec.block_m * (junctions / std::f64::consts::PI).sqrt()
}

/// OSM `place` class of a population (city ≥ 100,000, town ≥ 5,000, village below).
pub fn kind_of(population: u32) -> PlaceKind {
    match population {
        p if p >= 100_000 => PlaceKind::City,
        p if p >= 5_000 => PlaceKind::Town,
        _ => PlaceKind::Village,
    }
}

/// Whether a disc of radius `r` around `c` may hold a place: inside the box, centre on land,
/// clear of the lake.
fn allowed(spec: &RoadNetworkSpec, frame: &Frame, c: P, r: f64) -> bool {
    let (lon, lat) = frame.to_deg(c);
    let (lo, la) = frame.to_deg([c[0] - r, c[1] - r]);
    let (hi, ha) = frame.to_deg([c[0] + r, c[1] + r]);
    let b = spec.bbox;
    if lo < b[0] || la < b[1] || hi > b[2] || ha > b[3] {
        return false;
    }
    if !spec.outline.is_empty() && !inside(&spec.outline, [lon, lat]) {
        return false;
    }
    match &spec.lake {
        Some(l) => dist(c, frame.from_deg(l.lon, l.lat)) > l.radius_m + r + GAP_M,
        None => true,
    }
}

fn cell(v: f64) -> i64 {
    (v / CELL_M).floor() as i64
}

/// Lays out every place of `spec`; returns them (largest first) and how many had to be
/// accepted closer than the gap to another.
pub fn lay_out(spec: &RoadNetworkSpec, frame: &Frame) -> (Vec<Place>, usize) {
    let mut rng = SplitMix64::derive(spec.seed, 1);
    let b = spec.bbox;
    let sw = frame.from_deg(b[0], b[1]);
    let ne = frame.from_deg(b[2], b[3]);
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    let mut places: Vec<Place> = Vec::with_capacity(spec.populations.len());
    let mut names = HashSet::new();
    let mut crowded = 0;
    for (i, &pop) in spec.populations.iter().enumerate() {
        let r = radius_m(spec, pop);
        let mut c = [0.0, 0.0];
        let mut ok = false;
        for _ in 0..ATTEMPTS {
            c = [rng.range(sw[0], ne[0]), rng.range(sw[1], ne[1])];
            if !allowed(spec, frame, c, r) {
                continue;
            }
            let motorway = i < spec.motorway_towns;
            let reach = r + if motorway { MOTORWAY_GAP_M } else { GAP_M };
            let clear = (cell(c[0] - reach)..=cell(c[0] + reach)).all(|gx| {
                (cell(c[1] - reach)..=cell(c[1] + reach)).all(|gy| {
                    grid.get(&(gx, gy)).is_none_or(|v| {
                        v.iter().all(|&j| {
                            let gap = if motorway && j < spec.motorway_towns {
                                MOTORWAY_GAP_M
                            } else {
                                GAP_M
                            };
                            dist(places[j].c, c) >= places[j].town.radius_m + r + gap
                        })
                    })
                })
            });
            if clear {
                ok = true;
                break;
            }
        }
        if !ok {
            crowded += 1;
        }
        for gx in cell(c[0] - r)..=cell(c[0] + r) {
            for gy in cell(c[1] - r)..=cell(c[1] + r) {
                grid.entry((gx, gy)).or_default().push(i);
            }
        }
        let (lon, lat) = frame.to_deg(c);
        let name = unique_name(&mut rng, &mut names);
        places.push(Place {
            town: Town {
                name,
                lon,
                lat,
                radius_m: r,
                population: pop,
                kind: kind_of(pop),
            },
            c,
        });
    }
    (places, crowded)
}

const PREFIXES: [&str; 8] = [
    "Saint-", "Sainte-", "Le ", "La ", "Les ", "Mont", "Ville", "Bois-",
];
const ROOTS: [&str; 24] = [
    "ber", "cour", "lan", "vau", "roch", "fon", "tain", "mar", "gre", "ville", "cham", "val",
    "mon", "bel", "char", "lor", "pré", "bar", "mé", "ros", "vil", "sau", "tour", "bran",
];
const ENDINGS: [&str; 12] = [
    "ay", "ac", "y", "ières", "igny", "ville", "court", "mont", "eux", "ange", "oux", "and",
];
const SUFFIXES: [&str; 8] = [
    "-sur-Marne",
    "-sous-Bois",
    "-le-Grand",
    "-les-Bains",
    "-en-Brie",
    "-la-Forêt",
    "-le-Château",
    "-sur-Ourcq",
];

/// A French-looking place name, drawn again (then numbered) until it is unique.
fn unique_name(rng: &mut SplitMix64, taken: &mut HashSet<String>) -> String {
    for attempt in 0.. {
        let mut root = String::new();
        for _ in 0..1 + rng.below(2) {
            root.push_str(rng.pick::<&str>(&ROOTS));
        }
        root.push_str(rng.pick::<&str>(&ENDINGS));
        let mut chars = root.chars();
        let cap: String = chars
            .next()
            .into_iter()
            .flat_map(char::to_uppercase)
            .chain(chars)
            .collect();
        let mut name = if rng.chance(0.25) {
            let prefix = *rng.pick(&PREFIXES);
            if prefix.ends_with(['-', ' ']) {
                format!("{prefix}{cap}")
            } else {
                format!("{prefix}{root}")
            }
        } else {
            cap
        };
        if rng.chance(0.2) {
            name.push_str(rng.pick::<&str>(&SUFFIXES));
        }
        if attempt >= 20 {
            name = format!("{name} {attempt}");
        }
        if taken.insert(name.clone()) {
            return name;
        }
    }
    unreachable!("the numbered name of an unbounded loop is eventually unique")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_places_are_apart_inside_the_box_and_uniquely_named() {
        let spec = RoadNetworkSpec::small(3);
        let frame = Frame {
            lon0: 2.45,
            lat0: 48.9,
        };
        let (places, crowded) = lay_out(&spec, &frame);
        assert_eq!(places.len(), spec.populations.len());
        assert_eq!(crowded, 0);
        for (i, a) in places.iter().enumerate() {
            for b in &places[i + 1..] {
                assert!(dist(a.c, b.c) >= a.town.radius_m + b.town.radius_m + GAP_M);
                assert_ne!(a.town.name, b.town.name);
            }
        }
        assert_eq!(places[0].town.kind, PlaceKind::Town);
        assert_eq!(places[5].town.kind, PlaceKind::Village);
    }

    #[test]
    fn radius_grows_with_population() {
        let spec = RoadNetworkSpec::small(3);
        assert!(radius_m(&spec, 42_000) > 2.0 * radius_m(&spec, 8_500));
        // 12 + 1,050 junctions on a 120 m grid: about 2.2 km.
        assert!((radius_m(&spec, 42_000) - 2_207.0).abs() < 5.0);
    }
}
