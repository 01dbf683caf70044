//! Time to the nearest site of a category, for every origin at once: one multi-source
//! Dijkstra over the **reversed** graph from every site's arrival seeds gives each node its
//! time *to* the nearest site; an origin takes the best of its departure seeds
//! (seed time + node time), and of the direct trip along its own road piece to a site on the
//! same piece ([`Snapped::direct_to`]). The *k*-th nearest (the 3rd nearest GP, for
//! resilience) comes the same way from the *k* nearest distinct sites of each node
//! ([`k_nearest_sources`]).
//!
//! Units: time in milliseconds, network length in decimetres (access legs' time included,
//! their length not). Ties go to the smaller time, then the smaller site index, then the
//! shorter length: the result does not depend on thread count or input order of equals.

use crate::network::graph::Graph;
use crate::routing::dijkstra::{
    k_nearest_sources, multi_source, Direction, SearchError, SearchState, SourceSeed, UNREACHED,
};
use crate::snap::Snapped;
use rayon::prelude::*;

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
    let seeds: Vec<SourceSeed> = sites
        .iter()
        .enumerate()
        .filter_map(|(j, s)| s.as_ref().map(|s| (j, s)))
        .flat_map(|(j, s)| {
            s.arrivals(graph).into_iter().map(move |seed| SourceSeed {
                source: j as u32,
                seed,
            })
        })
        .collect();
    let mut on_piece: Vec<(u32, u32)> = sites
        .iter()
        .enumerate()
        .filter_map(|(j, s)| s.map(|s| (s.piece, j as u32)))
        .collect();
    on_piece.sort_unstable();
    let max = max_ms.unwrap_or(u32::MAX - 1);
    // Per node: up to k (time, site, length) labels, best first.
    let labels: Box<dyn Fn(u32) -> Vec<Reached> + Sync> = if k <= 1 {
        let mut state = SearchState::new(graph.node_count());
        let r = multi_source(&mut state, graph, Direction::Reverse, &seeds, max_ms)?;
        Box::new(move |v| {
            let v = v as usize;
            if r.source[v] == UNREACHED {
                Vec::new()
            } else {
                vec![Reached {
                    time_ms: r.time_ms[v],
                    site: r.source[v],
                    len_dm: r.len_dm[v],
                }]
            }
        })
    } else {
        let r = k_nearest_sources(graph, Direction::Reverse, &seeds, k, max_ms)?;
        Box::new(move |v| {
            (0..k)
                .map_while(|rank| r.nth(v, rank))
                .map(|(site, time_ms, len_dm)| Reached {
                    time_ms,
                    site,
                    len_dm,
                })
                .collect()
        })
    };
    let k = k.max(1);
    Ok(origins
        .par_iter()
        .map(|o| {
            let Some(o) = o else { return Vec::new() };
            let mut cands: Vec<Reached> = Vec::new();
            for d in o.departures(graph) {
                for l in labels(d.node) {
                    cands.push(Reached {
                        time_ms: l.time_ms.saturating_add(d.time_ms),
                        site: l.site,
                        len_dm: l.len_dm.saturating_add(d.len_dm),
                    });
                }
            }
            let from = on_piece.partition_point(|p| p.0 < o.piece);
            for &(piece, j) in &on_piece[from..] {
                if piece != o.piece {
                    break;
                }
                if let Some((time_ms, len_dm)) = sites[j as usize]
                    .as_ref()
                    .and_then(|s| o.direct_to(s, graph))
                {
                    cands.push(Reached {
                        time_ms,
                        site: j,
                        len_dm,
                    });
                }
            }
            cands.retain(|c| c.time_ms <= max);
            cands.sort_unstable();
            let mut seen = Vec::with_capacity(k);
            cands.retain(|c| {
                if seen.len() < k && !seen.contains(&c.site) {
                    seen.push(c.site);
                    true
                } else {
                    false
                }
            });
            cands
        })
        .collect())
}
