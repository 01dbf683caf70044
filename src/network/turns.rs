//! Turn restrictions in the graph: only the restricted junctions are split.
//!
//! The graph is node-based (a search at a junction may leave by any road), which cannot say
//! "not from this road onto that one". Edge-based graphs can, at the price of one node per
//! directed road everywhere (OSRM's edge-expanded graph, Valhalla's edge labels): every
//! search pays for it. Here a junction named as the via node of a restriction is split
//! instead, and only it ([`Turns`]):
//!
//! - each road end at the junction gets an *arrival* node (the piece's end node: the edge
//!   towards the junction ends there) and a *departure* node (the edge away from the
//!   junction starts there); a one-way road gets only the one it uses, as its end node (a
//!   node nothing reaches, or nothing leaves, would be pruned with its road). The first
//!   node keeps the junction's id, the others are numbered after the existing nodes, at the
//!   junction's coordinates;
//! - each allowed turn from road end `a` to road end `b` is an edge of 0 ms and 0 dm from
//!   `a`'s arrival node to `b`'s departure node. A `no_*` restriction removes the turns from
//!   its `from` road onto its `to` roads; an `only_*` restriction removes every other turn
//!   from its `from` road, the U-turn included. U-turns are otherwise allowed, as at any
//!   node of the graph.
//!
//! A restriction that would leave a road with no way out (an `only_*` onto a one-way
//! street against its direction: stale data) is not applied to that road, and counted.
//!
//! A junction of `d` roads becomes at most `2d` nodes and `d²` turn edges; the rest of the
//! graph and the searches are unchanged. A point snapped onto a road enters it at the
//! arrival nodes and is reached from the departure nodes ([`crate::snap::Snapped`]).
//!
//! As in OSRM (`extraction_containers.cpp`), the `from` and `to` ways must start or end at
//! the via node; a restriction whose members are missing (outside the extract, not roads
//! of the profile) or not joined at the via node is counted by reason in the build report
//! and left out.

use super::graph::{Pieces, Turns, NONE};
use super::raw::{RawNetwork, RestrictionKind};
use std::collections::BTreeMap;

/// What splitting did, for the build report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TurnReport {
    /// Restrictions applied.
    pub applied: usize,
    /// Junctions split.
    pub junctions: usize,
    /// Allowed-turn edges added.
    pub turn_edges: usize,
    /// Restrictions left out, by reason.
    pub left_out: Vec<(String, u64)>,
}

impl TurnReport {
    fn leave_out(&mut self, reason: &str) {
        match self.left_out.iter_mut().find(|(r, _)| r == reason) {
            Some((_, n)) => *n += 1,
            None => self.left_out.push((reason.to_string(), 1)),
        }
    }
}

/// A road end at a junction: `2 × piece + end` (end 0 the tail, 1 the head).
type End = u32;

fn end_of(piece: usize, at_head: bool) -> End {
    2 * piece as u32 + u32::from(at_head)
}

/// One restriction resolved to road ends at its junction.
struct AtJunction {
    kind: RestrictionKind,
    from: Vec<End>,
    to: Vec<End>,
}

/// Splits the junctions of `raw.restrictions` in `pieces` (cut from `raw`'s ways:
/// way `w`'s pieces are `way_pieces[w]..way_pieces[w + 1]`; `node_of` maps vertices to
/// graph nodes), appending the new nodes to `node_coords`. Returns the split junctions'
/// turns and what was done.
pub fn split_junctions(
    raw: &RawNetwork,
    node_of: &[u32],
    way_pieces: &[u32],
    pieces: &mut Pieces,
    node_coords: &mut Vec<[i32; 2]>,
) -> (Turns, TurnReport) {
    let mut report = TurnReport::default();
    if raw.restrictions.is_empty() {
        return (Turns::default(), report);
    }
    let mut ways_by_id: Vec<(i64, u32)> = raw
        .way_ids
        .iter()
        .enumerate()
        .map(|(w, &id)| (id, w as u32))
        .collect();
    ways_by_id.sort_unstable();
    // The ends of the pieces of ways `ids` at node `v`, when those ways start or end there.
    let ends_at = |ids: &[i64], v: u32| -> Option<Vec<End>> {
        let mut ends = Vec::new();
        for id in ids {
            let from = ways_by_id.partition_point(|x| x.0 < *id);
            let ways: Vec<u32> = ways_by_id[from..]
                .iter()
                .take_while(|x| x.0 == *id)
                .map(|x| x.1)
                .collect();
            if ways.is_empty() {
                return None;
            }
            for w in ways {
                let (first, last) = (way_pieces[w as usize], way_pieces[w as usize + 1] - 1);
                if pieces.tail[first as usize] == v {
                    ends.push(end_of(first as usize, false));
                }
                if pieces.head[last as usize] == v {
                    ends.push(end_of(last as usize, true));
                }
            }
        }
        ends.sort_unstable();
        ends.dedup();
        Some(ends)
    };
    let mut at: BTreeMap<u32, Vec<AtJunction>> = BTreeMap::new();
    for r in &raw.restrictions {
        let Some(v) = r.via.map(|x| node_of[x as usize]) else {
            report.leave_out("turn restriction: via node not on a road of the profile");
            continue;
        };
        if v == NONE {
            report.leave_out("turn restriction: via node inside a way (not a junction)");
            continue;
        }
        let (from, to) = match (ends_at(&r.from, v), ends_at(&r.to, v)) {
            (Some(f), Some(t)) => (f, t),
            _ => {
                report.leave_out("turn restriction: from or to way not a road of the profile");
                continue;
            }
        };
        if from.is_empty() || to.is_empty() {
            report.leave_out(
                "turn restriction: from or to way does not start or end at the via node",
            );
            continue;
        }
        report.applied += 1;
        at.entry(v).or_default().push(AtJunction {
            kind: r.kind,
            from,
            to,
        });
    }
    let incident = incident_ends(pieces, node_coords.len(), &at);
    let mut turns = Turns::default();
    let mut departs: Vec<(End, u32)> = Vec::new();
    for ((v, rules), ends) in at.iter().zip(&incident) {
        report.junctions += 1;
        let coord = node_coords[*v as usize];
        // The piece's end node is the arrival node, or the departure node for a road that
        // only leaves the junction (a one-way street away from it): a node nothing reaches
        // or nothing leaves would be pruned with its piece.
        let mut fresh = {
            let mut first = Some(*v);
            move |coords: &mut Vec<[i32; 2]>| {
                first.take().unwrap_or_else(|| {
                    coords.push(coord);
                    coords.len() as u32 - 1
                })
            }
        };
        let mut arrival = Vec::with_capacity(ends.len());
        let mut departure = Vec::with_capacity(ends.len());
        for &e in ends {
            let (arrive, depart) = (can_travel(pieces, e, true), can_travel(pieces, e, false));
            let end_node = fresh(node_coords);
            let own = match (arrive, depart) {
                (true, true) => fresh(node_coords),
                (false, true) => end_node,
                _ => NONE,
            };
            let (p, at_head) = ((e / 2) as usize, e % 2 == 1);
            if at_head {
                pieces.head[p] = end_node;
            } else {
                pieces.tail[p] = end_node;
            }
            arrival.push(if arrive { end_node } else { NONE });
            departure.push(own);
            departs.push((e, own));
        }
        for (i, &a) in ends.iter().enumerate() {
            if arrival[i] == NONE {
                continue;
            }
            let open = |j: &usize| departure[*j] != NONE;
            let mut to: Vec<usize> = (0..ends.len())
                .filter(open)
                .filter(|&j| allowed(rules, a, ends[j]))
                .collect();
            if to.is_empty() {
                report.leave_out(
                    "turn restriction leaving no way out of its road (not applied there)",
                );
                to = (0..ends.len()).filter(open).collect();
            }
            for j in to {
                turns.turn_from.push(arrival[i]);
                turns.turn_to.push(departure[j]);
                turns.turn_piece.push(ends[j] / 2);
            }
        }
    }
    departs.sort_unstable();
    (turns.depart_end, turns.depart_node) = departs.into_iter().unzip();
    report.turn_edges = turns.len();
    (turns, report)
}

/// The road ends at each junction of `at` (in its order), each list increasing.
fn incident_ends(
    pieces: &Pieces,
    node_count: usize,
    at: &BTreeMap<u32, Vec<AtJunction>>,
) -> Vec<Vec<End>> {
    let mut slot = vec![NONE; node_count];
    for (i, &v) in at.keys().enumerate() {
        slot[v as usize] = i as u32;
    }
    let mut incident = vec![Vec::new(); at.len()];
    for p in 0..pieces.len() {
        for (node, at_head) in [(pieces.tail[p], false), (pieces.head[p], true)] {
            let s = slot[node as usize];
            if s != NONE {
                incident[s as usize].push(end_of(p, at_head));
            }
        }
    }
    incident
}

/// Whether road end `e` may be travelled towards its junction (`arriving`) or away from it.
fn can_travel(pieces: &Pieces, e: End, arriving: bool) -> bool {
    let (p, at_head) = ((e / 2) as usize, e % 2 == 1);
    // Towards the head is forward; away from the head is backward.
    let forward = at_head == arriving;
    let t = if forward {
        pieces.time_fwd_ms[p]
    } else {
        pieces.time_bwd_ms[p]
    };
    t != NONE
}

/// Whether the turn from road end `a` onto road end `b` survives the junction's `rules`.
fn allowed(rules: &[AtJunction], a: End, b: End) -> bool {
    let mut only: Option<bool> = None;
    for r in rules.iter().filter(|r| r.from.contains(&a)) {
        match r.kind {
            RestrictionKind::No if r.to.contains(&b) => return false,
            RestrictionKind::No => {}
            RestrictionKind::Only => {
                only = Some(only.unwrap_or(false) || r.to.contains(&b));
            }
        }
    }
    only.unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: RestrictionKind, from: &[End], to: &[End]) -> AtJunction {
        AtJunction {
            kind,
            from: from.to_vec(),
            to: to.to_vec(),
        }
    }

    #[test]
    fn no_and_only_rules_combine() {
        let rules = [
            rule(RestrictionKind::No, &[0], &[3]),
            rule(RestrictionKind::Only, &[5], &[2]),
            rule(RestrictionKind::Only, &[5], &[7]),
        ];
        // From end 0: everything but 3, U-turn included.
        assert!(allowed(&rules, 0, 0) && allowed(&rules, 0, 2) && !allowed(&rules, 0, 3));
        // From end 5: the union of its only_* targets, no U-turn.
        assert!(allowed(&rules, 5, 2) && allowed(&rules, 5, 7));
        assert!(!allowed(&rules, 5, 5) && !allowed(&rules, 5, 3));
        // Other ends are free.
        assert!(allowed(&rules, 2, 3) && allowed(&rules, 3, 0));
    }

    #[test]
    fn one_way_ends_are_travelled_one_way() {
        // Two one-way pieces in line, 0 → 1 → 2: piece 0 into node 1, piece 1 out of it.
        let pieces = Pieces {
            tail: vec![0, 1],
            head: vec![1, 2],
            time_fwd_ms: vec![10, 10],
            time_bwd_ms: vec![NONE, NONE],
            len_dm: vec![1, 1],
            class: vec![0, 0],
            geom_offsets: vec![0, 2, 4],
            geom: vec![[0, 0]; 4],
        };
        // At node 1, piece 0's head is arrived at, never left; piece 1's tail the reverse.
        assert!(can_travel(&pieces, end_of(0, true), true));
        assert!(!can_travel(&pieces, end_of(0, true), false));
        assert!(!can_travel(&pieces, end_of(1, false), true));
        assert!(can_travel(&pieces, end_of(1, false), false));
    }
}
