//! Time lost at junctions between a minor and a major road, as node costs folded into the
//! minor road's edges.
//!
//! A node where at least `min_roads` road pieces meet is a junction. A piece whose class
//! ranks below another piece's there (the profile's `[junctions]` hierarchy) is a *minor*
//! road at that junction: its edge entering the junction takes `enter_minor_s` more (giving
//! way, turning onto the main road) and its edge leaving it `leave_minor_s` more (turning off
//! the main road). A main road driven straight through costs nothing; neither do junctions
//! of equal roads. The costs sit on edges, not on turns, so the graph stays node-based and
//! searches are unchanged; they are folded into the pieces' times before junctions are
//! split for turn restrictions, and a point snapped part-way along a piece takes the same
//! share of them as of the piece's time.
//!
//! Why these numbers. Valhalla's `auto` costing (3.x, `valhalla/sif/osrm_car_duration.h`,
//! called from `AutoCost::TransitionCost`) adds to the time of every transition at a node
//! of more than two edges the turn duration of OSRM's car profile
//! (`profiles/car.lua`, `turn_penalty = 7.5` s, `turn_bias = 1.075`):
//! `7.5 / (1 + exp(-(13 / bias × angle / 180 − 6.5 × bias)))`, which is 2.1 s for a right
//! turn of 90°, 5.4 s for a left turn of 90° and 0.01 s straight on. A node-based graph
//! does not know the turn, only that a minor road entering or leaving a junction with a
//! main road turns; the mean of the two 90° turns, 3.75 s (`turn_penalty / 2`), is charged
//! on each such entry and exit.

use super::graph::{Pieces, NONE};
use super::raw::JunctionCosts;
use rayon::prelude::*;

/// Adds the junction costs of `costs` to the times of `pieces`, whose ends are node ids
/// below `node_count`; returns the number of directed edges that took a cost.
pub fn add_junction_costs(pieces: &mut Pieces, node_count: usize, costs: &JunctionCosts) -> usize {
    if costs.is_none() {
        return 0;
    }
    let rank = |p: usize| {
        costs
            .class_rank
            .get(usize::from(pieces.class[p]))
            .copied()
            .unwrap_or(0)
    };
    // Roads meeting at each node (saturating) and the highest rank among them.
    let mut roads = vec![0u8; node_count];
    let mut top = vec![0u8; node_count];
    for p in 0..pieces.len() {
        let r = rank(p);
        for end in [pieces.tail[p], pieces.head[p]] {
            let e = end as usize;
            roads[e] = roads[e].saturating_add(1);
            top[e] = top[e].max(r);
        }
    }
    let minor_at = |p: usize, node: u32| {
        let r = rank(p);
        let n = node as usize;
        r > 0 && roads[n] >= costs.min_roads && r < top[n]
    };
    let marks: Vec<(bool, bool)> = (0..pieces.len())
        .into_par_iter()
        .map(|p| (minor_at(p, pieces.tail[p]), minor_at(p, pieces.head[p])))
        .collect();
    let (enter, leave) = (costs.enter_minor_ms, costs.leave_minor_ms);
    pieces
        .time_fwd_ms
        .par_iter_mut()
        .zip(pieces.time_bwd_ms.par_iter_mut())
        .zip(marks)
        .map(|((fwd, bwd), (at_tail, at_head))| {
            // Forward runs tail → head: it leaves the tail and enters the head.
            let f = charge(fwd, at_tail, leave) + charge(fwd, at_head, enter);
            let b = charge(bwd, at_head, leave) + charge(bwd, at_tail, enter);
            usize::from(f > 0) + usize::from(b > 0)
        })
        .sum()
}

/// Adds `ms` to `time` when `applies` and the direction is open; returns 1 when it did
/// (with `ms` > 0), else 0.
fn charge(time: &mut u32, applies: bool, ms: u32) -> u32 {
    if !applies || *time == NONE || ms == 0 {
        return 0;
    }
    *time = time.saturating_add(ms).min(NONE - 1);
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pieces `(tail, head, class)` of 10 s each way.
    fn pieces(list: &[(u32, u32, u8)]) -> Pieces {
        let n = list.len();
        Pieces {
            tail: list.iter().map(|l| l.0).collect(),
            head: list.iter().map(|l| l.1).collect(),
            time_fwd_ms: vec![10_000; n],
            time_bwd_ms: vec![10_000; n],
            len_dm: vec![1_000; n],
            class: list.iter().map(|l| l.2).collect(),
            geom_offsets: vec![0; n + 1],
            geom: Vec::new(),
        }
    }

    fn costs() -> JunctionCosts {
        // Class 0 main road (rank 2), 1 street (rank 1), 2 unranked (ferry).
        JunctionCosts {
            class_rank: vec![2, 1, 0],
            min_roads: 3,
            enter_minor_ms: 3_000,
            leave_minor_ms: 1_000,
        }
    }

    #[test]
    fn a_street_meeting_a_main_road_pays_entering_and_leaving_it() {
        // Main road 0 → 1 → 2, street 3 → 1.
        let mut p = pieces(&[(0, 1, 0), (1, 2, 0), (3, 1, 1)]);
        let edges = add_junction_costs(&mut p, 4, &costs());
        assert_eq!(edges, 2);
        // The main road straight through costs nothing.
        assert_eq!(&p.time_fwd_ms[..2], &[10_000, 10_000]);
        assert_eq!(&p.time_bwd_ms[..2], &[10_000, 10_000]);
        // The street enters the junction forward (+3 s) and leaves it backward (+1 s).
        assert_eq!(p.time_fwd_ms[2], 13_000);
        assert_eq!(p.time_bwd_ms[2], 11_000);
    }

    #[test]
    fn equal_roads_small_nodes_unranked_roads_and_closed_directions_pay_nothing() {
        // Three streets at node 1; main road and street meeting end to end at node 5;
        // a ferry (unranked) at a junction of streets and a main road.
        let mut p = pieces(&[
            (0, 1, 1),
            (1, 2, 1),
            (3, 1, 1),
            (4, 5, 0),
            (5, 6, 1),
            (7, 8, 0),
            (8, 9, 1),
            (10, 8, 2),
        ]);
        p.time_bwd_ms[6] = NONE;
        let before = p.clone();
        let edges = add_junction_costs(&mut p, 11, &costs());
        // Only the street 8 → 9 leaving junction 8 (forward) pays; backward is closed.
        assert_eq!(edges, 1);
        assert_eq!(p.time_fwd_ms[6], 11_000);
        assert_eq!(p.time_bwd_ms[6], NONE);
        for q in (0..p.len()).filter(|&q| q != 6) {
            assert_eq!(p.time_fwd_ms[q], before.time_fwd_ms[q], "piece {q}");
            assert_eq!(p.time_bwd_ms[q], before.time_bwd_ms[q], "piece {q}");
        }
    }

    #[test]
    fn without_costs_nothing_changes() {
        let mut p = pieces(&[(0, 1, 0), (1, 2, 0), (3, 1, 1)]);
        let before = p.clone();
        assert_eq!(add_junction_costs(&mut p, 4, &JunctionCosts::default()), 0);
        assert_eq!(p, before);
    }
}
