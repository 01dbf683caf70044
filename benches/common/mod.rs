//! The synthetic road-like grid shared by the benchmarks.
//!
//! The grid has `side × side` nodes
//! numbered along a Hilbert curve like the graph builder does, 100–200 m blocks: every 10th row and column is a two-way 70 km/h
//! arterial; other streets (30–50 km/h) exist with probability 0.6, one in ten one-way,
//! which gives ≈ 2.4 directed edges per node, close to a contracted OSM car graph.

// Each bench crate compiles this module and uses part of it.
#![allow(dead_code)]

use recours::network::graph::{Graph, Pieces, NONE};

/// SplitMix64 step: a deterministic pseudo-random `u64` from a counter.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The synthetic grid described in the module docs (pieces carry no geometry), and the
/// node id of every grid cell `y * side + x`.
pub fn grid(side: u32) -> (Graph, Vec<u32>) {
    let mut p = Pieces::default();
    let mut add = |a: u32, b: u32, arterial: bool, r: u64| {
        let len_dm = 1_000 + (r % 1_000) as u32;
        let kmh = if arterial {
            70
        } else {
            30 + ((r >> 10) % 21) as u32
        };
        let t = len_dm * 360 / kmh;
        let one_way = !arterial && (r >> 20) % 10 == 0;
        p.tail.push(a);
        p.head.push(b);
        p.time_fwd_ms.push(t);
        p.time_bwd_ms.push(if one_way { NONE } else { t });
        p.len_dm.push(len_dm);
        p.class.push(u8::from(!arterial));
    };
    let id = hilbert_ids(side);
    for y in 0..side {
        for x in 0..side {
            let v = y * side + x;
            let r = mix(u64::from(v));
            if x + 1 < side && (y % 10 == 0 || r % 10 < 6) {
                add(id[v as usize], id[v as usize + 1], y % 10 == 0, r >> 8);
            }
            let r = mix(r);
            if y + 1 < side && (x % 10 == 0 || r % 10 < 6) {
                add(id[v as usize], id[(v + side) as usize], x % 10 == 0, r >> 8);
            }
        }
    }
    p.geom_offsets = vec![0; p.tail.len() + 1];
    let mut coords = vec![[0, 0]; id.len()];
    for (v, &i) in id.iter().enumerate() {
        let (x, y) = (v as u32 % side, v as u32 / side);
        coords[i as usize] = [x as i32 * 1_500, y as i32 * 1_500];
    }
    let g = Graph::from_pieces(
        "bench",
        vec!["arterial".into(), "street".into()],
        vec![true, true],
        coords,
        p,
    );
    (g, id)
}

/// Node id of every grid cell `y * side + x`: its rank along a Hilbert curve.
pub fn hilbert_ids(side: u32) -> Vec<u32> {
    let mut cells: Vec<(u64, u32)> = (0..side * side)
        .map(|v| (fast_hilbert::xy2h(v % side, v / side, 16), v))
        .collect();
    cells.sort_unstable();
    let mut id = vec![0; cells.len()];
    for (rank, &(_, v)) in cells.iter().enumerate() {
        id[v as usize] = rank as u32;
    }
    id
}

/// `k` pseudo-random nodes on arterials (so all in the main component of the grid whose
/// cell ids are `id`).
pub fn nodes(k: usize, id: &[u32], side: u32, salt: u64) -> Vec<u32> {
    (0..k as u64)
        .map(|i| {
            let r = mix(i ^ (salt << 32));
            let (x, y) = (
                (r % u64::from(side)) as u32,
                ((r >> 32) % u64::from(side)) as u32,
            );
            id[(y * side + x - x % 10) as usize]
        })
        .collect()
}
