//! What a generated network amounts to once a car profile builds it: junctions and directed
//! edges, counted with the graph builder's rule (a vertex is a junction when it ends a way or
//! is used more than once, [`crate::network::builder`]), so the generator can be sized
//! without running the whole pipeline.
//!
//! A way counts for the car when its `highway` is a car class (`motorway` … `service`,
//! `living_street`) or it is a `route=ferry`, and its `access` is not `no` (`private` ways are kept, end-only). It is
//! one-way when tagged `oneway=yes|1|true|-1`, or a roundabout or a motorway not tagged
//! `oneway=no`. Islands are not pruned here, so the counts are an upper bound of the built
//! graph's.

use super::SynthOsm;

/// `highway` values a car may use.
const CAR_CLASSES: [&str; 15] = [
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
];

/// Sizes of a generated network.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoadStats {
    /// OSM nodes (all of them, points of interest included).
    pub nodes: usize,
    /// OSM ways (all of them).
    pub ways: usize,
    /// Ways a car may use.
    pub car_ways: usize,
    /// Junctions of the car graph (graph nodes before island pruning).
    pub junctions: usize,
    /// Directed edges of the car graph (before island pruning).
    pub directed_edges: usize,
}

fn tag<'a>(tags: &'a [(String, String)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Whether a car may use a way with these tags, and whether only one way round.
pub fn car_use(tags: &[(String, String)]) -> Option<bool> {
    let highway = tag(tags, "highway");
    let usable =
        highway.is_some_and(|h| CAR_CLASSES.contains(&h)) || tag(tags, "route") == Some("ferry");
    if !usable || tag(tags, "access") == Some("no") {
        return None;
    }
    let oneway = match tag(tags, "oneway") {
        Some("yes" | "1" | "true" | "-1") => true,
        Some("no") => false,
        _ => tag(tags, "junction") == Some("roundabout") || highway == Some("motorway"),
    };
    Some(oneway)
}

/// Counts the junctions and directed edges of the car graph of `osm`. Way references to
/// nodes that do not exist are ignored (the generator makes none).
pub fn road_stats(osm: &SynthOsm) -> RoadStats {
    let index = |id: i64| osm.nodes.binary_search_by_key(&id, |n| n.id).ok();
    let mut uses = vec![0u8; osm.nodes.len()];
    let mut car_ways = 0;
    for w in &osm.ways {
        if car_use(&w.tags).is_none() || w.refs.len() < 2 {
            continue;
        }
        car_ways += 1;
        let last = w.refs.len() - 1;
        for (k, &r) in w.refs.iter().enumerate() {
            if let Some(i) = index(r) {
                uses[i] = uses[i].saturating_add(if k == 0 || k == last { 2 } else { 1 });
            }
        }
    }
    let mut directed_edges = 0;
    for w in &osm.ways {
        let (Some(oneway), true) = (car_use(&w.tags), w.refs.len() >= 2) else {
            continue;
        };
        let junctions = w
            .refs
            .iter()
            .filter(|&&r| index(r).is_some_and(|i| uses[i] >= 2))
            .count();
        directed_edges += (junctions - 1) * if oneway { 1 } else { 2 };
    }
    RoadStats {
        nodes: osm.nodes.len(),
        ways: osm.ways.len(),
        car_ways,
        junctions: uses.iter().filter(|&&u| u >= 2).count(),
        directed_edges,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{SynthNode, SynthWay};
    use super::*;

    fn t(kv: &[(&str, &str)]) -> Vec<(String, String)> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn counts_junctions_and_edges_like_the_builder() {
        // A T: way 1 is 1-2-3, way 2 is 2-4 (one-way), way 3 is closed 3-5 (access=no).
        let nodes = (1..=5)
            .map(|id| SynthNode {
                id,
                lon: id as i32,
                lat: 0,
            })
            .collect();
        let ways = vec![
            SynthWay {
                id: 1,
                refs: vec![1, 2, 3],
                tags: t(&[("highway", "residential")]),
            },
            SynthWay {
                id: 2,
                refs: vec![2, 4],
                tags: t(&[("highway", "residential"), ("oneway", "yes")]),
            },
            SynthWay {
                id: 3,
                refs: vec![3, 5],
                tags: t(&[("highway", "service"), ("access", "no")]),
            },
        ];
        let osm = SynthOsm {
            nodes,
            ways,
            ..Default::default()
        };
        let s = road_stats(&osm);
        assert_eq!(s.car_ways, 2);
        assert_eq!(s.junctions, 4); // 1, 2, 3, 4; 5 only on the closed way
        assert_eq!(s.directed_edges, 2 * 2 + 1);
    }

    #[test]
    fn oneway_rules() {
        assert_eq!(car_use(&t(&[("highway", "motorway")])), Some(true));
        assert_eq!(
            car_use(&t(&[("highway", "motorway"), ("oneway", "no")])),
            Some(false)
        );
        assert_eq!(
            car_use(&t(&[("highway", "primary"), ("junction", "roundabout")])),
            Some(true)
        );
        assert_eq!(car_use(&t(&[("route", "ferry")])), Some(false));
        assert_eq!(car_use(&t(&[("natural", "water")])), None);
    }
}
