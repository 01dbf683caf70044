//! Whole-generator tests: determinism, the promised features of the demo territory, and the
//! PBF read back by an independent reader (`osmpbf`).

use super::*;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

fn small() -> &'static SynthOsm {
    static OSM: OnceLock<SynthOsm> = OnceLock::new();
    OSM.get_or_init(|| generate(&RoadNetworkSpec::small(42)))
}

fn xml(osm: &SynthOsm) -> Vec<u8> {
    let mut out = Vec::new();
    write_osm_xml(osm, &mut out).unwrap();
    out
}

fn tag<'a>(tags: &'a [(String, String)], k: &str) -> Option<&'a str> {
    tags.iter()
        .find(|(key, _)| key == k)
        .map(|(_, v)| v.as_str())
}

fn ways_with<'a>(
    osm: &'a SynthOsm,
    k: &'a str,
    v: &'a str,
) -> impl Iterator<Item = &'a SynthWay> + 'a {
    osm.ways.iter().filter(move |w| tag(&w.tags, k) == Some(v))
}

#[test]
fn a_bad_spec_is_an_error_not_a_panic() {
    let mut spec = RoadNetworkSpec::small(1);
    spec.block_m = 0.0;
    assert_eq!(try_generate(&spec).unwrap_err().field, "block_m");
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = xml(small());
    assert_eq!(a, xml(&generate(&RoadNetworkSpec::small(42))));
    assert_ne!(a, xml(&generate(&RoadNetworkSpec::small(43))));
}

#[test]
fn small_territory_has_the_promised_size_and_places() {
    let osm = small();
    let s = stats::road_stats(osm);
    assert!((2_000..8_000).contains(&s.junctions), "{s:?}");
    assert_eq!(osm.towns.len(), 12);
    assert_eq!(
        osm.towns
            .iter()
            .filter(|t| t.kind == PlaceKind::Town)
            .count(),
        3
    );
    assert_eq!(osm.crowded_places, 0);
    let b = osm.bounds().unwrap();
    let spec = RoadNetworkSpec::small(42);
    // Everything within a few km of the declared box around lon 2.45, lat 48.90.
    assert!(
        f64::from(b[0]) / 1e7 > spec.bbox[0] - 0.05 && f64::from(b[2]) / 1e7 < spec.bbox[2] + 0.05
    );
    assert!(
        f64::from(b[1]) / 1e7 > spec.bbox[1] - 0.04 && f64::from(b[3]) / 1e7 < spec.bbox[3] + 0.04
    );
    assert!(osm.nodes.windows(2).all(|w| w[0].id < w[1].id));
    assert!(osm.ways.windows(2).all(|w| w[0].id < w[1].id));
    let ids: HashSet<i64> = osm.nodes.iter().map(|n| n.id).collect();
    assert!(osm
        .ways
        .iter()
        .all(|w| w.refs.len() >= 2 && w.refs.iter().all(|r| ids.contains(r))));
}

#[test]
fn small_territory_has_every_promised_feature_whatever_the_seed() {
    for seed in [1, 7, 42, 2024] {
        let osm = &generate(&RoadNetworkSpec::small(seed));
        has_every_promised_feature(osm);
    }
}

fn has_every_promised_feature(osm: &SynthOsm) {
    let roundabouts: Vec<&SynthWay> = ways_with(osm, "junction", "roundabout").collect();
    assert_eq!(roundabouts.len(), 3, "one per town");
    assert!(roundabouts.iter().all(|w| w.refs.first() == w.refs.last()));
    assert!(ways_with(osm, "oneway", "yes").any(|w| tag(&w.tags, "highway") == Some("residential")));
    assert!(ways_with(osm, "oneway", "-1").next().is_some());
    let ferry: Vec<&SynthWay> = ways_with(osm, "route", "ferry").collect();
    assert_eq!(ferry.len(), 1);
    assert_eq!(tag(&ferry[0].tags, "duration"), Some("00:12"));
    assert!(ways_with(osm, "access", "private").all(|w| tag(&w.tags, "highway") == Some("service")));
    assert_eq!(ways_with(osm, "access", "private").count(), 9);
    for class in [
        "motorway",
        "motorway_link",
        "primary",
        "secondary",
        "tertiary",
        "unclassified",
        "residential",
    ] {
        assert!(ways_with(osm, "highway", class).next().is_some(), "{class}");
    }
    for speed in ["FR:urban", "30", "FR:zone30", "50"] {
        assert!(
            ways_with(osm, "maxspeed", speed).next().is_some(),
            "{speed}"
        );
    }
    assert!(osm
        .node_tags
        .iter()
        .any(|(_, t)| tag(t, "highway") == Some("motorway_junction")));
    for (k, v) in [
        ("amenity", "pharmacy"),
        ("healthcare", "doctor"),
        ("amenity", "hospital"),
        ("place", "town"),
    ] {
        assert!(
            osm.node_tags.iter().any(|(_, t)| tag(t, k) == Some(v)),
            "{k}={v}"
        );
    }
}

/// Connected components of the car ways, ignoring direction: node id → component root.
fn components(osm: &SynthOsm) -> HashMap<i64, i64> {
    let mut parent: HashMap<i64, i64> = HashMap::new();
    fn root(p: &mut HashMap<i64, i64>, mut x: i64) -> i64 {
        while let Some(&up) = p.get(&x).filter(|&&up| up != x) {
            x = up;
        }
        x
    }
    for w in osm
        .ways
        .iter()
        .filter(|w| stats::car_use(&w.tags).is_some())
    {
        for &r in &w.refs {
            parent.entry(r).or_insert(r);
        }
        for pair in w.refs.windows(2) {
            let (a, b) = (root(&mut parent, pair[0]), root(&mut parent, pair[1]));
            if a != b {
                parent.insert(a.max(b), a.min(b));
            }
        }
    }
    let keys: Vec<i64> = parent.keys().copied().collect();
    keys.into_iter()
        .map(|k| (k, root(&mut parent, k)))
        .collect()
}

#[test]
fn only_the_island_is_cut_off() {
    let osm = small();
    let comp = components(osm);
    let mut sizes: HashMap<i64, usize> = HashMap::new();
    for r in comp.values() {
        *sizes.entry(*r).or_default() += 1;
    }
    let mut sizes: Vec<usize> = sizes.into_values().collect();
    sizes.sort_unstable();
    assert_eq!(sizes.len(), 2, "{sizes:?}");
    assert_eq!(sizes[0], 9, "the 3 × 3 island");
    assert!(sizes[1] > 2_000);
}

#[test]
fn pbf_reads_back_through_osmpbf() {
    use osmpbf::{Element, ElementReader};
    let osm = small();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.osm.pbf");
    write_pbf(osm, &path).unwrap();
    let (mut nodes, mut ways) = (HashMap::new(), HashMap::new());
    let mut node_tags: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    ElementReader::from_path(&path)
        .unwrap()
        .for_each(|e| match e {
            Element::DenseNode(n) => {
                nodes.insert(n.id(), (n.decimicro_lon(), n.decimicro_lat()));
                let t: Vec<(String, String)> = n
                    .tags()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                if !t.is_empty() {
                    node_tags.insert(n.id(), t);
                }
            }
            Element::Way(w) => {
                let t: Vec<(String, String)> = w
                    .tags()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                ways.insert(w.id(), (w.refs().collect::<Vec<i64>>(), t));
            }
            Element::Node(_) | Element::Relation(_) => panic!("unexpected element"),
        })
        .unwrap();
    assert_eq!(nodes.len(), osm.nodes.len());
    assert_eq!(ways.len(), osm.ways.len());
    assert_eq!(node_tags.len(), osm.node_tags.len());
    for n in &osm.nodes {
        assert_eq!(nodes[&n.id], (n.lon, n.lat), "node {}", n.id);
    }
    for w in &osm.ways {
        assert_eq!(
            ways[&w.id],
            (w.refs.clone(), w.tags.clone()),
            "way {}",
            w.id
        );
    }
    for (id, t) in &osm.node_tags {
        assert_eq!(&node_tags[id], t);
    }
}

#[test]
fn pbf_bytes_are_deterministic() {
    let osm = small();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    write_pbf_to(osm, &mut a).unwrap();
    write_pbf_to(osm, &mut b).unwrap();
    assert_eq!(a, b);
    // The header blob announces its type first.
    let len = u32::from_be_bytes([a[0], a[1], a[2], a[3]]) as usize;
    assert!(a[4..4 + len].windows(9).any(|w| w == b"OSMHeader"));
}
/// The car ways of `osm` as the graph builder's input: 50 km/h both ways, or one way as the
/// tags say, ferries with a 12-minute duration.
fn raw_network(osm: &SynthOsm) -> crate::network::RawNetwork {
    use crate::network::{RawNetwork, WayAttrs};
    let mut raw = RawNetwork::new("car", vec!["road".to_string()], Vec::new());
    raw.vertices = osm.nodes.iter().map(|n| [n.lon, n.lat]).collect();
    for w in &osm.ways {
        let Some(oneway) = stats::car_use(&w.tags) else {
            continue;
        };
        let reverse = tag(&w.tags, "oneway") == Some("-1");
        let attrs = WayAttrs {
            class: 0,
            speed_fwd_kmh: if oneway && reverse { 0.0 } else { 50.0 },
            speed_bwd_kmh: if oneway && !reverse { 0.0 } else { 50.0 },
            duration_s: tag(&w.tags, "duration").map(|_| 720.0),
            class_speed: false,
        };
        let refs: Vec<u32> = w.refs.iter().map(|&r| (r - 1) as u32).collect();
        raw.push_way(w.id, &refs, attrs);
    }
    raw
}

#[test]
fn graph_builder_prunes_only_the_island_and_agrees_with_the_stats() {
    use crate::network::builder::{build_graph, BuildOptions};
    let osm = small();
    assert!(osm
        .nodes
        .iter()
        .enumerate()
        .all(|(i, n)| n.id == i as i64 + 1));
    let (_, report) = build_graph(raw_network(osm), &BuildOptions::default());
    let s = stats::road_stats(osm);
    assert_eq!(report.prune.pruned_components, 1, "{:?}", report.prune);
    assert_eq!(report.prune.pruned_nodes, 9);
    assert_eq!(report.nodes, s.junctions - 9);
    assert_eq!(
        report.edges,
        s.directed_edges - 24,
        "the island's 12 streets both ways"
    );
}
