//! The growing OSM dataset: allocates node and way ids in creation order, converts frame
//! metres to 1e-7 degrees, and draws the bent roads every module shares.

use super::plane::{add, dist, left, sub, unit, Frame, P};
use super::rng::SplitMix64;
use super::{SynthNode, SynthWay, Tags};
use crate::network::raw::to_fixed;

/// `(key, value)` string pairs from literals.
pub fn tags(kv: &[(&str, &str)]) -> Tags {
    kv.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// How a road between two existing nodes is drawn.
#[derive(Clone, Copy, Debug)]
pub struct RoadShape {
    /// Distance between shape points, metres.
    pub spacing_m: f64,
    /// Largest sideways bow of the road, as a share of its length (capped at 400 m).
    pub bow: f64,
    /// The road is cut into separate ways about this often, metres (a degree-2 junction).
    pub split_m: f64,
    /// Dead-end farm lanes per kilometre.
    pub driveways_per_km: f64,
}

/// Nodes and ways being generated.
pub struct Canvas {
    frame: Frame,
    nodes: Vec<SynthNode>,
    node_tags: Vec<(i64, Tags)>,
    ways: Vec<SynthWay>,
}

impl Canvas {
    /// An empty dataset in `frame`.
    pub fn new(frame: Frame) -> Self {
        Canvas {
            frame,
            nodes: Vec::new(),
            node_tags: Vec::new(),
            ways: Vec::new(),
        }
    }

    /// The frame coordinates are measured in.
    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    /// A new node at frame point `p`; returns its id.
    pub fn node(&mut self, p: P) -> i64 {
        let id = self.nodes.len() as i64 + 1;
        let (lon, lat) = self.frame.to_deg(p);
        self.nodes.push(SynthNode {
            id,
            lon: to_fixed(lon),
            lat: to_fixed(lat),
        });
        id
    }

    /// A new node with tags.
    pub fn tagged_node(&mut self, p: P, t: Tags) -> i64 {
        let id = self.node(p);
        self.tag_node(id, t);
        id
    }

    /// Gives tags to an existing node.
    pub fn tag_node(&mut self, id: i64, t: Tags) {
        self.node_tags.push((id, t));
    }

    /// A new way over existing nodes; returns its id.
    pub fn way(&mut self, refs: Vec<i64>, t: Tags) -> i64 {
        let id = self.ways.len() as i64 + 1;
        self.ways.push(SynthWay { id, refs, tags: t });
        id
    }

    /// A road from node `a` to node `b` (both existing, at frame points `pa`, `pb`): bowed
    /// sideways, with shape points, cut into ways of about `shape.split_m`, and with
    /// dead-end farm lanes (`highway=service`) off it. Every way gets `t`.
    pub fn road(
        &mut self,
        rng: &mut SplitMix64,
        (pa, a): (P, i64),
        (pb, b): (P, i64),
        shape: &RoadShape,
        t: &Tags,
    ) {
        let len = dist(pa, pb);
        let dir = unit(sub(pb, pa));
        let side = left(dir);
        let n = ((len / shape.spacing_m).ceil() as usize).max(1);
        let bow = rng.range(-1.0, 1.0) * (shape.bow * len).min(400.0);
        let lane_chance = shape.driveways_per_km * len / 1000.0 / n as f64;
        let mut refs = vec![a];
        let mut run = 0.0;
        let mut prev = pa;
        for k in 1..n {
            let s = k as f64 / n as f64;
            let off = bow * 4.0 * s * (1.0 - s) + rng.range(-15.0, 15.0);
            let p = add(add(pa, dir, len * s), side, off);
            let id = self.node(p);
            refs.push(id);
            run += dist(prev, p);
            prev = p;
            if rng.chance(lane_chance) {
                let sgn = if rng.chance(0.5) { 1.0 } else { -1.0 };
                let l = rng.range(100.0, 400.0);
                let mid = add(add(p, side, sgn * l / 2.0), dir, rng.range(-20.0, 20.0));
                let end = add(p, side, sgn * l);
                let m = self.node(mid);
                let e = self.node(end);
                self.way(vec![id, m, e], tags(&[("highway", "service")]));
            }
            if run >= shape.split_m {
                self.way(std::mem::replace(&mut refs, vec![id]), t.clone());
                run = 0.0;
            }
        }
        refs.push(b);
        self.way(refs, t.clone());
    }

    /// The nodes (by id), node tags (by id) and ways (by id).
    pub fn finish(mut self) -> (Vec<SynthNode>, Vec<(i64, Tags)>, Vec<SynthWay>) {
        self.node_tags.sort_by_key(|(id, _)| *id);
        (self.nodes, self.node_tags, self.ways)
    }
}
