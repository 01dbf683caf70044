//! Catchments: for each supply site, the origins from which it is reached within a radius,
//! with the trip time in minutes — the only travel times the floating-catchment methods and
//! the coverage counts need.
//!
//! Two sources give the same thing, so that everything after the searches is one code path:
//! - [`TimesCatchments`]: a travel-time table given by the analyst (`origin, destination,
//!   minutes`, from INSEE Metric, OSRM, Valhalla…), grouped by site;
//! - [`NetworkCatchments`]: one bounded Dijkstra per site on the reversed road graph (time
//!   from every node *to* the site, up to the radius), read at the seeds of the snapped
//!   origins; no origin × site matrix is ever built. Sites standing at the very same place
//!   share one search; an origin on the same road piece as a site also gets the direct trip
//!   along the piece ([`Snapped::direct_to`]). The searches are time-only
//!   ([`crate::routing::times`]) on a compact copy of the reverse adjacency made once.
//!   The graph's nodes are numbered along a Hilbert curve when it is built
//!   ([`crate::network::builder`]), so a bounded search reads a few stretches of memory.
//!
//! [`sweep`] visits the sites in order, a chunk of them searched in parallel at a time, and
//! hands each site's reach to a sequential visitor: sums built in the visitor are in site
//! order, then origin order, whatever the number of threads.

use crate::network::graph::Graph;
use crate::routing::dijkstra::SearchError;
use crate::routing::times::{TimeAdjacency, TimeSearch};
use crate::routing::Seed;
use crate::snap::Snapped;
use rayon::prelude::*;
use smallvec::SmallVec;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Origins reaching one site: `(origin index, minutes)`, sorted by origin index, one entry
/// per origin (its best time).
pub type Reach = Vec<(u32, f64)>;

/// Sites searched in parallel at a time by [`sweep`]: bounds the memory held by reaches.
pub const SWEEP_CHUNK: usize = 1024;

/// Anything that can say which origins reach each site within a radius.
pub trait Catchments: Sync {
    /// Number of origins (indices `0..origin_count`).
    fn origin_count(&self) -> usize;
    /// Number of sites (indices `0..site_count`).
    fn site_count(&self) -> usize;
    /// The reaches of sites `first..first + count` within `max_minutes` (inclusive), in
    /// site order.
    fn reaches(
        &self,
        first: usize,
        count: usize,
        max_minutes: f64,
    ) -> Result<Vec<Reach>, SearchError>;
}

/// Calls `visit(site, reach)` for every site in index order, reaches within `max_minutes`,
/// computing [`SWEEP_CHUNK`] sites at a time in parallel.
pub fn sweep<C: Catchments + ?Sized>(
    catchments: &C,
    max_minutes: f64,
    mut visit: impl FnMut(usize, &Reach),
) -> Result<(), SearchError> {
    sweep_chunks(catchments, max_minutes, |first, reaches| {
        for (k, reach) in reaches.iter().enumerate() {
            visit(first + k, reach);
        }
    })
}

/// Calls `visit(first, reaches)` for each chunk of [`SWEEP_CHUNK`] sites in index order
/// (`reaches[k]` is site `first + k`'s), each chunk searched in parallel.
pub fn sweep_chunks<C: Catchments + ?Sized>(
    catchments: &C,
    max_minutes: f64,
    mut visit: impl FnMut(usize, &[Reach]),
) -> Result<(), SearchError> {
    let n = catchments.site_count();
    let mut first = 0;
    while first < n {
        let count = SWEEP_CHUNK.min(n - first);
        visit(first, &catchments.reaches(first, count, max_minutes)?);
        first += count;
    }
    Ok(())
}

/// Catchments read from a given travel-time table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimesCatchments {
    origin_count: usize,
    /// Per site, every `(origin, minutes)` pair of the table, sorted by origin.
    by_site: Vec<Reach>,
}

impl TimesCatchments {
    /// Groups `pairs` `(origin index, site index, minutes)` by site. Each pair must be
    /// distinct, indices in range and times finite and ≥ 0 (the table reader checks this and
    /// rejects the other rows); pairs breaking this are ignored.
    pub fn new(origin_count: usize, site_count: usize, pairs: &[(u32, u32, f64)]) -> Self {
        let mut by_site: Vec<Reach> = vec![Vec::new(); site_count];
        for &(o, s, t) in pairs {
            if (o as usize) < origin_count && (s as usize) < site_count && t >= 0.0 {
                by_site[s as usize].push((o, t));
            }
        }
        for r in &mut by_site {
            r.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            r.dedup_by_key(|p| p.0);
        }
        TimesCatchments {
            origin_count,
            by_site,
        }
    }
}

impl Catchments for TimesCatchments {
    fn origin_count(&self) -> usize {
        self.origin_count
    }

    fn site_count(&self) -> usize {
        self.by_site.len()
    }

    fn reaches(
        &self,
        first: usize,
        count: usize,
        max_minutes: f64,
    ) -> Result<Vec<Reach>, SearchError> {
        Ok(self.by_site[first..first + count]
            .iter()
            .map(|r| r.iter().copied().filter(|p| p.1 <= max_minutes).collect())
            .collect())
    }
}

/// Catchments searched on the road graph from snapped origins and sites.
pub struct NetworkCatchments<'g> {
    graph: &'g Graph,
    /// The reverse adjacency as time-only searches read it, shared like `index`.
    reverse: Arc<TimeAdjacency>,
    /// The origins and where they leave from, shared by catchments of other site lists.
    index: Arc<OriginIndex>,
    sites: Vec<Option<Snapped>>,
    /// Search states reused across chunks: one per worker in practice.
    pool: Mutex<Vec<Scratch>>,
}

/// Snapped origins indexed by the graph nodes they leave from.
struct OriginIndex {
    origins: Vec<Option<Snapped>>,
    /// Per graph node, the origins leaving from it: CSR offsets into `departures`.
    offsets: Vec<u32>,
    /// `(origin, time ms from the origin to the node)`, grouped by node.
    departures: Vec<(u32, u32)>,
    /// `(piece, origin)` of every snapped origin, sorted: who may go straight to a site.
    on_piece: Vec<(u32, u32)>,
}

/// One worker's search state and the `(origin, ms)` offers of its current site, packed as
/// `origin << 32 | ms`.
struct Scratch {
    state: TimeSearch,
    offers: Vec<u64>,
}

impl<'g> NetworkCatchments<'g> {
    /// Indexes the snapped origins (`None`: not snapped, reaches nothing) for searches from
    /// the snapped sites (`None`: reached by no one).
    pub fn new(
        graph: &'g Graph,
        origins: Vec<Option<Snapped>>,
        sites: Vec<Option<Snapped>>,
    ) -> Self {
        let n = graph.node_count();
        let mut counts = vec![0u32; n + 1];
        let seeds: Vec<SmallVec<[Seed; 2]>> = origins
            .iter()
            .map(|o| o.map(|s| s.departures(graph)).unwrap_or_default())
            .collect();
        for s in seeds.iter().flatten() {
            counts[s.node as usize + 1] += 1;
        }
        for v in 0..n {
            counts[v + 1] += counts[v];
        }
        let offsets = counts.clone();
        let mut departures = vec![(0, 0); offsets[n] as usize];
        for (o, list) in seeds.iter().enumerate() {
            for s in list {
                let at = &mut counts[s.node as usize];
                departures[*at as usize] = (o as u32, s.time_ms);
                *at += 1;
            }
        }
        let mut on_piece: Vec<(u32, u32)> = origins
            .iter()
            .enumerate()
            .filter_map(|(o, s)| s.map(|s| (s.piece, o as u32)))
            .collect();
        on_piece.sort_unstable();
        NetworkCatchments {
            graph,
            reverse: Arc::new(TimeAdjacency::new(&graph.rev)),
            index: Arc::new(OriginIndex {
                origins,
                offsets,
                departures,
                on_piece,
            }),
            sites,
            pool: Mutex::new(Vec::new()),
        }
    }

    /// Catchments of other `sites` from the same origins, sharing their index (no cost in
    /// the number of origins).
    pub fn with_sites(&self, sites: Vec<Option<Snapped>>) -> NetworkCatchments<'g> {
        NetworkCatchments {
            graph: self.graph,
            reverse: Arc::clone(&self.reverse),
            index: Arc::clone(&self.index),
            sites,
            pool: Mutex::new(Vec::new()),
        }
    }

    /// The snapped origins, as given.
    pub fn origins(&self) -> &[Option<Snapped>] {
        &self.index.origins
    }

    /// The snapped sites, as given.
    pub fn sites(&self) -> &[Option<Snapped>] {
        &self.sites
    }

    fn take_scratch(&self) -> Scratch {
        let pooled = self.pool.lock().map(|mut p| p.pop()).unwrap_or(None);
        pooled.unwrap_or_else(|| Scratch {
            state: TimeSearch::new(self.graph.node_count()),
            offers: Vec::new(),
        })
    }

    fn give_back(&self, scratch: Scratch) {
        if let Ok(mut p) = self.pool.lock() {
            p.push(scratch);
        }
    }

    /// The reach of site `site` within `max_ms`, using `scratch`.
    fn reach(
        &self,
        site: &Snapped,
        max_ms: u32,
        scratch: &mut Scratch,
    ) -> Result<Reach, SearchError> {
        let arrivals = site.arrivals(self.graph);
        scratch.state.run(&self.reverse, &arrivals, max_ms)?;
        // Offers are collected and sorted rather than kept in a per-origin array: origins
        // are numbered as given (not by place), so that array was read at random, once or
        // twice per offer (issue 19: 16 % of the sweep before).
        let Scratch { state, offers } = scratch;
        offers.clear();
        let mut offer = |o: u32, t: u32| {
            if t <= max_ms {
                offers.push((u64::from(o) << 32) | u64::from(t));
            }
        };
        for &v in state.reached() {
            let Some(tv) = state.time_ms(v) else { continue };
            let ix = &self.index;
            let range = ix.offsets[v as usize] as usize..ix.offsets[v as usize + 1] as usize;
            for &(o, leave) in &ix.departures[range] {
                offer(o, leave.saturating_add(tv));
            }
        }
        let on_piece = &self.index.on_piece;
        let from = on_piece.partition_point(|p| p.0 < site.piece);
        for &(piece, o) in &on_piece[from..] {
            if piece != site.piece {
                break;
            }
            if let Some((t, _)) = self.index.origins[o as usize]
                .as_ref()
                .and_then(|s| s.direct_to(site, self.graph))
            {
                offer(o, t);
            }
        }
        offers.sort_unstable();
        let mut reach: Reach = Vec::with_capacity(offers.len());
        for &key in offers.iter() {
            let o = (key >> 32) as u32;
            // Sorted by origin then time: an origin's first offer is its best.
            if reach.last().is_none_or(|r| r.0 != o) {
                reach.push((o, f64::from(key as u32) / 60_000.0));
            }
        }
        Ok(reach)
    }
}

/// Identity of a snapped place: sites with equal keys are reached identically.
fn place_key(s: &Snapped) -> (u32, u64, u32, Option<u32>) {
    (s.piece, s.fraction.to_bits(), s.access_ms, s.at_node)
}

impl Catchments for NetworkCatchments<'_> {
    fn origin_count(&self) -> usize {
        self.index.origins.len()
    }

    fn site_count(&self) -> usize {
        self.sites.len()
    }

    fn reaches(
        &self,
        first: usize,
        count: usize,
        max_minutes: f64,
    ) -> Result<Vec<Reach>, SearchError> {
        let max_ms = (max_minutes * 60_000.0)
            .floor()
            .clamp(0.0, f64::from(u32::MAX - 2)) as u32;
        let sites = &self.sites[first..first + count];
        // One search per distinct place in the chunk; `slot[k]` = place of site k.
        let mut places: Vec<&Snapped> = Vec::new();
        let mut seen: HashMap<(u32, u64, u32, Option<u32>), usize> = HashMap::new();
        let slot: Vec<Option<usize>> = sites
            .iter()
            .map(|s| {
                s.as_ref().map(|s| {
                    *seen.entry(place_key(s)).or_insert_with(|| {
                        places.push(s);
                        places.len() - 1
                    })
                })
            })
            .collect();
        let mut found: Vec<Reach> = places
            .par_iter()
            .map(|s| {
                let mut scratch = self.take_scratch();
                let r = self.reach(s, max_ms, &mut scratch);
                self.give_back(scratch);
                r
            })
            .collect::<Result<_, _>>()?;
        // A place's reach is copied for all its sites but the last, which takes it.
        let mut uses = vec![0usize; found.len()];
        for &p in slot.iter().flatten() {
            uses[p] += 1;
        }
        Ok(slot
            .iter()
            .map(|p| {
                p.map_or_else(Vec::new, |p| {
                    uses[p] -= 1;
                    if uses[p] == 0 {
                        std::mem::take(&mut found[p])
                    } else {
                        found[p].clone()
                    }
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_table_groups_by_site_and_keeps_the_best_time_per_origin() {
        let c = TimesCatchments::new(
            3,
            2,
            &[
                (2, 0, 5.0),
                (0, 0, 12.0),
                (0, 0, 7.0),
                (1, 1, 31.0),
                (9, 0, 1.0),
            ],
        );
        assert_eq!(
            c.reaches(0, 2, 30.0).unwrap(),
            vec![vec![(0, 7.0), (2, 5.0)], vec![]]
        );
        assert_eq!(c.reaches(1, 1, 31.0).unwrap(), vec![vec![(1, 31.0)]]);
        let mut seen = Vec::new();
        sweep(&c, 10.0, |s, r| seen.push((s, r.clone()))).unwrap();
        assert_eq!(seen, vec![(0, vec![(0, 7.0), (2, 5.0)]), (1, vec![])]);
    }
}
