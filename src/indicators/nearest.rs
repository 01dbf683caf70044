//! Time to the nearest site of a category, for every origin at once: one multi-source
//! Dijkstra over the **reversed** graph from every site's arrival seeds gives each node its
//! time *to* the nearest site; an origin takes the best of its departure seeds
//! (seed time + node time), and of the direct trip along its own road piece to a site on the
//! same piece ([`Snapped::direct_to`]). The *k*-th nearest (the 3rd nearest GP, for
//! resilience) comes the same way from the *k* nearest distinct sites of each node
//! ([`k_nearest_sources`]).
//!
//! Those per-node labels ([`node_labels`]) are what a scenario updates: after sites are
//! removed, added or moved, [`edit_nearest`] repairs the labels only where they change
//! ([`crate::routing::nearest_edit`]) and recomputes only the origins that depart from a
//! changed node or stand on the road piece of a changed site; every other origin keeps its
//! sites, renumbered. The result equals [`nearest_sites`] on the new sites, bit for bit.
//!
//! Units: time in milliseconds, network length in decimetres (access legs' time included,
//! their length not). Ties go to the smaller time, then the smaller site index, then the
//! shorter length: the result does not depend on thread count or input order of equals.

use crate::network::graph::Graph;
use crate::routing::dijkstra::{
    k_nearest_sources, multi_source, Direction, KNearest, SearchError, SearchState, SourceSeed,
    UNREACHED,
};
use crate::routing::nearest_edit::{edit_k_nearest, SourceEdit};
use crate::snap::Snapped;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One site reached from an origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reached {
    /// Trip time, ms.
    pub time_ms: u32,
    /// Index of the site.
    pub site: u32,
    /// Network length of the trip, dm.
    pub len_dm: u32,
}

/// For every origin, its `k` nearest distinct sites within `max_ms` (all reachable when
/// `None`), nearest first; fewer when fewer are reachable, none for an origin not snapped.
pub fn nearest_sites(
    graph: &Graph,
    origins: &[Option<Snapped>],
    sites: &[Option<Snapped>],
    k: usize,
    max_ms: Option<u32>,
) -> Result<Vec<Vec<Reached>>, SearchError> {
    let labels = node_labels(graph, sites, k, max_ms)?;
    Ok(nearest_from_labels(graph, origins, sites, &labels, max_ms))
}

/// For every node, its `k` (at least 1) nearest distinct sites within `max_ms`: times
/// (ms) and lengths (dm) *to* the site, from one search over the reversed graph.
pub fn node_labels(
    graph: &Graph,
    sites: &[Option<Snapped>],
    k: usize,
    max_ms: Option<u32>,
) -> Result<KNearest, SearchError> {
    let seeds = site_seeds(graph, sites, |_| true);
    if k <= 1 {
        let mut state = SearchState::new(graph.node_count());
        let r = multi_source(&mut state, graph, Direction::Reverse, &seeds, max_ms)?;
        Ok(KNearest {
            k: 1,
            time_ms: r.time_ms,
            len_dm: r.len_dm,
            source: r.source,
        })
    } else {
        k_nearest_sources(graph, Direction::Reverse, &seeds, k, max_ms)
    }
}

/// The nearest sites of every origin from the node labels of `sites` ([`node_labels`],
/// same `max_ms`); `labels.k` sites at most per origin.
pub fn nearest_from_labels(
    graph: &Graph,
    origins: &[Option<Snapped>],
    sites: &[Option<Snapped>],
    labels: &KNearest,
    max_ms: Option<u32>,
) -> Vec<Vec<Reached>> {
    let on_piece = sites_on_pieces(sites);
    let pick = Pick {
        graph,
        sites,
        on_piece: &on_piece,
        k: labels.k.max(1),
        max: max_ms.unwrap_or(u32::MAX - 1),
    };
    origins
        .par_iter()
        .map(|o| match o {
            Some(o) => pick.origin(o, |v, r| labels.nth(v, r)),
            None => Vec::new(),
        })
        .collect()
}

/// A category's sites before and after an edit, with what the baseline computed.
#[derive(Clone, Copy, Debug)]
pub struct NearestEdit<'a> {
    /// Snaps of the baseline's sites.
    pub base_sites: &'a [Option<Snapped>],
    /// The baseline's node labels ([`node_labels`]).
    pub base_labels: &'a KNearest,
    /// The baseline's nearest sites per origin ([`nearest_sites`]).
    pub base_nearest: &'a [Vec<Reached>],
    /// Snaps of the edited sites.
    pub sites: &'a [Option<Snapped>],
    /// For each edited site, the baseline site it stands for unchanged (same snap), `None`
    /// for a site added or moved.
    pub kept_from: &'a [Option<usize>],
}

/// Nearest sites after an edit, and what was recomputed.
#[derive(Clone, Debug, PartialEq)]
pub struct EditedNearest {
    /// Per origin, as [`nearest_sites`] on the edited sites gives them.
    pub nearest: Vec<Vec<Reached>>,
    /// Nodes whose labels changed.
    pub nodes: usize,
    /// Origins whose sites were searched again (the others were renumbered).
    pub origins: usize,
}

/// The nearest sites of `origins` among the edited sites of `edit`, updated from the
/// baseline (see the module doc); `max_ms` as the baseline's. `None` when the kept sites
/// are not in baseline order (ties would break differently: recompute in full).
pub fn edit_nearest(
    graph: &Graph,
    origins: &[Option<Snapped>],
    edit: &NearestEdit,
    max_ms: Option<u32>,
) -> Result<Option<EditedNearest>, SearchError> {
    let mut map = vec![UNREACHED; edit.base_sites.len()];
    for (j, b) in edit.kept_from.iter().enumerate() {
        if let Some(slot) = b.and_then(|b| map.get_mut(b)) {
            *slot = j as u32;
        }
    }
    let kept: Vec<u32> = map.iter().copied().filter(|&j| j != UNREACHED).collect();
    if kept.windows(2).any(|w| w[0] >= w[1])
        || kept.len() != edit.kept_from.iter().flatten().count()
    {
        return Ok(None);
    }
    let removed = |b: usize| map[b] == UNREACHED;
    let removed_nodes: Vec<u32> = (0..map.len())
        .filter(|&b| removed(b))
        .filter_map(|b| edit.base_sites[b].as_ref())
        .flat_map(|s| s.arrivals(graph).into_iter().map(|seed| seed.node))
        .collect();
    let mut pieces: Vec<u32> = (0..map.len())
        .filter(|&b| removed(b))
        .filter_map(|b| edit.base_sites[b].map(|s| s.piece))
        .chain(
            (0..edit.sites.len())
                .filter(|&j| edit.kept_from[j].is_none())
                .filter_map(|j| edit.sites[j].map(|s| s.piece)),
        )
        .collect();
    pieces.sort_unstable();
    pieces.dedup();
    let kept_seeds = site_seeds(graph, edit.sites, |j| edit.kept_from[j].is_some());
    let added_seeds = site_seeds(graph, edit.sites, |j| edit.kept_from[j].is_none());
    let labels = edit_k_nearest(
        graph,
        Direction::Reverse,
        edit.base_labels,
        &SourceEdit {
            map: &map,
            removed_nodes: &removed_nodes,
            kept: &kept_seeds,
            added: &added_seeds,
        },
        max_ms,
    )?;
    let on_piece = sites_on_pieces(edit.sites);
    let pick = Pick {
        graph,
        sites: edit.sites,
        on_piece: &on_piece,
        k: labels.k(),
        max: max_ms.unwrap_or(u32::MAX - 1),
    };
    let searched = AtomicUsize::new(0);
    let nearest = origins
        .par_iter()
        .zip(edit.base_nearest)
        .map(|(o, before)| {
            let Some(o) = o else { return Vec::new() };
            let touched = pieces.binary_search(&o.piece).is_ok()
                || o.departures(graph).iter().any(|d| labels.changed(d.node));
            if touched {
                searched.fetch_add(1, Ordering::Relaxed);
                pick.origin(o, |v, r| labels.nth(v, r))
            } else {
                before
                    .iter()
                    .map(|r| Reached {
                        site: map[r.site as usize],
                        ..*r
                    })
                    .collect()
            }
        })
        .collect();
    Ok(Some(EditedNearest {
        nearest,
        nodes: labels.changed_nodes().len(),
        origins: searched.into_inner(),
    }))
}

/// The arrival seeds of the sites `j` of `sites` for which `take(j)`, source id `j`.
fn site_seeds(
    graph: &Graph,
    sites: &[Option<Snapped>],
    take: impl Fn(usize) -> bool,
) -> Vec<SourceSeed> {
    sites
        .iter()
        .enumerate()
        .filter(|&(j, _)| take(j))
        .filter_map(|(j, s)| s.as_ref().map(|s| (j, s)))
        .flat_map(|(j, s)| {
            s.arrivals(graph).into_iter().map(move |seed| SourceSeed {
                source: j as u32,
                seed,
            })
        })
        .collect()
}

/// `(piece, site)` of every snapped site, sorted.
fn sites_on_pieces(sites: &[Option<Snapped>]) -> Vec<(u32, u32)> {
    let mut on_piece: Vec<(u32, u32)> = sites
        .iter()
        .enumerate()
        .filter_map(|(j, s)| s.map(|s| (s.piece, j as u32)))
        .collect();
    on_piece.sort_unstable();
    on_piece
}

/// What choosing an origin's nearest sites needs besides the node labels.
struct Pick<'a> {
    graph: &'a Graph,
    sites: &'a [Option<Snapped>],
    /// `(piece, site)` of every site, sorted.
    on_piece: &'a [(u32, u32)],
    k: usize,
    /// Largest time kept, ms.
    max: u32,
}

impl Pick<'_> {
    /// The `k` nearest distinct sites of origin `o` from its departure seeds plus the node
    /// labels `nth(node, rank) = (site, time, length)`, and from the direct trips to the
    /// sites on its own road piece.
    fn origin(
        &self,
        o: &Snapped,
        nth: impl Fn(u32, usize) -> Option<(u32, u32, u32)>,
    ) -> Vec<Reached> {
        let mut cands: Vec<Reached> = Vec::new();
        for d in o.departures(self.graph) {
            for (site, time_ms, len_dm) in (0..self.k).map_while(|r| nth(d.node, r)) {
                cands.push(Reached {
                    time_ms: time_ms.saturating_add(d.time_ms),
                    site,
                    len_dm: len_dm.saturating_add(d.len_dm),
                });
            }
        }
        let from = self.on_piece.partition_point(|p| p.0 < o.piece);
        for &(piece, j) in &self.on_piece[from..] {
            if piece != o.piece {
                break;
            }
            if let Some((time_ms, len_dm)) = self.sites[j as usize]
                .as_ref()
                .and_then(|s| o.direct_to(s, self.graph))
            {
                cands.push(Reached {
                    time_ms,
                    site: j,
                    len_dm,
                });
            }
        }
        cands.retain(|c| c.time_ms <= self.max);
        cands.sort_unstable();
        let mut seen = Vec::with_capacity(self.k);
        cands.retain(|c| {
            if seen.len() < self.k && !seen.contains(&c.site) {
                seen.push(c.site);
                true
            } else {
                false
            }
        });
        cands
    }
}
