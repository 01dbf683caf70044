//! Every access indicator of a study on the road network, in one pass over the data: snap
//! the origins and the sites, then per category of care the nearest (and *k*-th nearest)
//! site, coverage at several thresholds, and the floating-catchment indicators asked for
//! (2SFCA, E2SFCA, kernels, APL) — all from bounded or multi-source searches
//! ([`crate::indicators`]).
//!
//! Origins or sites that cannot be snapped are kept in the results with why
//! ([`AccessResults::unsnapped_origins`], [`AccessResults::unsnapped_sites`]): their
//! indicators are empty, never zero. Each phase is timed ([`AccessResults::timings`]).

mod update;

pub use update::{Update, UpdateError, UpdateStats, Variant};

use crate::indicators::apl::apl_supply;
use crate::indicators::catchment::NetworkCatchments;
use crate::indicators::coverage::{Coverage, CoverageCounter};
use crate::indicators::fca::{FcaResult, FcaState, SiteShare};
use crate::indicators::method::FcaMethod;
use crate::indicators::nearest::{nearest_from_labels, node_labels, Reached};
use crate::inputs::demand::standardise::{demands, AgeWeights};
use crate::inputs::demand::Origin;
use crate::inputs::supply::Site;
use crate::network::graph::Graph;
use crate::routing::dijkstra::KNearest;
use crate::snap::{SnapError, SnapIndex, SnapOptions, Snapped, Unsnapped};
use crate::support::crs::{CrsError, MetricCrs};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// One floating-catchment indicator to compute.
#[derive(Clone, Debug, PartialEq)]
pub struct FcaRequest {
    /// Name of the output column (`gp_e2sfca_30`, `apl`…).
    pub name: String,
    /// Category of care whose sites give the supply.
    pub category: String,
    /// Method and parameters.
    pub method: FcaMethod,
}

/// What to compute.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessSpec {
    /// Categories whose nearest site is searched (empty: every category present).
    pub nearest: Vec<String>,
    /// Also the `k`-th nearest site (3 for "the 3rd nearest GP"); `None` or 1: nearest only.
    pub kth: Option<usize>,
    /// Nearest sites farther than this are not searched, minutes (`None`: no limit).
    pub nearest_max_minutes: Option<f64>,
    /// Categories whose coverage is counted.
    pub coverage: Vec<String>,
    /// Coverage thresholds, minutes.
    pub thresholds: Vec<f64>,
    /// Floating-catchment indicators.
    pub fca: Vec<FcaRequest>,
    /// Age weights standardising demand (APL), when given.
    pub age_weights: Option<AgeWeights>,
    /// Snap radius, metres.
    pub max_snap_m: f64,
}

/// The nearest sites of one category.
#[derive(Clone, Debug, PartialEq)]
pub struct NearestLayer {
    /// Category of care.
    pub category: String,
    /// Indices (into the sites given) of this category's sites, in input order.
    pub sites: Vec<usize>,
    /// Per origin, up to `k` nearest sites (`Reached::site` indexes `sites` above).
    pub nearest: Vec<Vec<Reached>>,
}

/// Coverage of one category.
#[derive(Clone, Debug, PartialEq)]
pub struct CoverageLayer {
    /// Category of care.
    pub category: String,
    /// Sites and capacity per origin and threshold.
    pub coverage: Coverage,
}

/// One computed floating-catchment indicator.
#[derive(Clone, Debug, PartialEq)]
pub struct FcaLayer {
    /// The request.
    pub request: FcaRequest,
    /// Indices (into the sites given) of the sites used, in input order.
    pub sites: Vec<usize>,
    /// Access per origin, ratios per site.
    pub result: FcaResult,
}

/// Wall-clock time of each phase, seconds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timings {
    /// Snapping index and snaps.
    pub snap: f64,
    /// Nearest-site searches, all categories.
    pub nearest: f64,
    /// Catchment sweeps, all categories: floating-catchment requests and coverage.
    pub fca: f64,
}

/// Everything computed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccessResults {
    /// Where each origin entered the network (`Err`: why it could not).
    pub origin_snaps: Vec<Result<Snapped, Unsnapped>>,
    /// Where each site entered the network.
    pub site_snaps: Vec<Result<Snapped, Unsnapped>>,
    /// Nearest sites per category.
    pub nearest: Vec<NearestLayer>,
    /// Nearest rank reported besides the nearest (`k` of the k-th nearest), if any.
    pub kth: Option<usize>,
    /// Coverage per category.
    pub coverage: Vec<CoverageLayer>,
    /// Floating-catchment indicators.
    pub fca: Vec<FcaLayer>,
    /// Demand used per origin (standardised when age weights were given).
    pub demand: Vec<f64>,
    /// Origins whose demand fell back to plain population for want of age bands.
    pub plain_demand: usize,
    /// Phase timings.
    pub timings: Timings,
}

impl AccessResults {
    /// Origins not snapped, with why: `(origin index, reason)`.
    pub fn unsnapped_origins(&self) -> Vec<(usize, &Unsnapped)> {
        unsnapped(&self.origin_snaps)
    }

    /// Sites not snapped, with why: `(site index, reason)`.
    pub fn unsnapped_sites(&self) -> Vec<(usize, &Unsnapped)> {
        unsnapped(&self.site_snaps)
    }
}

fn unsnapped(snaps: &[Result<Snapped, Unsnapped>]) -> Vec<(usize, &Unsnapped)> {
    snaps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.as_ref().err().map(|e| (i, e)))
        .collect()
}

/// Why a study's indicators could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// No metric projection fits the graph's extent.
    #[error("choosing a metric projection for snapping")]
    Crs(#[source] CrsError),
    /// The snapping index could not be built.
    #[error("building the snapping index")]
    Snap(#[source] SnapError),
    /// A nearest-site search failed.
    #[error(transparent)]
    Search(#[from] crate::routing::dijkstra::SearchError),
    /// A floating-catchment sweep failed.
    #[error(transparent)]
    Fca(#[from] crate::indicators::fca::FcaError),
    /// A scenario's variant cannot be derived from its baseline.
    #[error(transparent)]
    Update(#[from] UpdateError),
}

/// Computes `spec` for `origins` and `sites` on `graph`.
pub fn compute_access(
    graph: &Graph,
    origins: &[Origin],
    sites: &[Site],
    spec: &AccessSpec,
) -> Result<AccessResults, AccessError> {
    Ok(AccessEngine::new(graph, origins, spec)?
        .baseline(sites)?
        .results)
}

/// The origins snapped once, their demand and the snapping index: computes a baseline
/// ([`AccessEngine::baseline`]) and then variants of it ([`AccessEngine::update`]).
pub struct AccessEngine<'g> {
    graph: &'g Graph,
    spec: AccessSpec,
    index: SnapIndex,
    opts: SnapOptions,
    origin_snaps: Vec<Result<Snapped, Unsnapped>>,
    /// The snapped origins, indexed for catchment searches (no sites).
    catchments: NetworkCatchments<'g>,
    demand: Vec<f64>,
    plain_demand: usize,
    snap_seconds: f64,
}

/// A baseline's results and the state scenarios update.
pub struct Baseline {
    /// The indicators.
    pub results: AccessResults,
    /// The sweep state of each category with floating-catchment or coverage indicators.
    states: BTreeMap<String, CategoryState>,
    /// The node labels of each category whose nearest sites are searched: its `k` nearest
    /// sites from every node (12 bytes per node and rank).
    labels: BTreeMap<String, KNearest>,
}

/// What one category's sweep accumulated, site by site.
#[derive(Clone)]
struct CategoryState {
    /// Indices into [`AccessSpec::fca`] of the category's requests, in order.
    requests: Vec<usize>,
    /// Supply of each of the category's sites (local order), one value per request.
    supply: Vec<Vec<f64>>,
    /// What each site gives, per request.
    shares: Vec<Vec<SiteShare>>,
    /// Exact accessibility sums.
    fca: FcaState,
    /// Coverage counts, when the category's coverage is asked.
    coverage: Option<CoverageCounter>,
}

impl<'g> AccessEngine<'g> {
    /// Snaps `origins` on `graph` and computes their demand under `spec`.
    pub fn new(
        graph: &'g Graph,
        origins: &[Origin],
        spec: &AccessSpec,
    ) -> Result<AccessEngine<'g>, AccessError> {
        let t = Instant::now();
        let crs = MetricCrs::for_graph(graph).map_err(AccessError::Crs)?;
        let index = SnapIndex::new(graph, &crs).map_err(AccessError::Snap)?;
        let opts = SnapOptions {
            max_distance_m: spec.max_snap_m,
            ..SnapOptions::for_graph(graph)
        };
        let progress = crate::support::progress::spinner("snapping origins");
        let o_pts: Vec<(f64, f64)> = origins.iter().map(|o| (o.lon, o.lat)).collect();
        let origin_snaps = index.snap_all(graph, &o_pts, &opts);
        progress.finish_and_clear();
        let placed: Vec<Option<Snapped>> = origin_snaps
            .iter()
            .map(|s| s.as_ref().ok().copied())
            .collect();
        let catchments = NetworkCatchments::new(graph, placed, Vec::new());
        let (demand, plain_demand) = demands(origins, spec.age_weights.as_ref());
        Ok(AccessEngine {
            graph,
            spec: spec.clone(),
            index,
            opts,
            origin_snaps,
            catchments,
            demand,
            plain_demand,
            snap_seconds: t.elapsed().as_secs_f64(),
        })
    }

    /// The specification computed.
    pub fn spec(&self) -> &AccessSpec {
        &self.spec
    }

    /// Where each origin entered the network (`Err`: why it could not).
    pub fn origin_snaps(&self) -> &[Result<Snapped, Unsnapped>] {
        &self.origin_snaps
    }

    /// Snaps sites (WGS84 points) on the network.
    pub fn snap_sites(&self, sites: &[Site]) -> Vec<Result<Snapped, Unsnapped>> {
        let pts: Vec<(f64, f64)> = sites.iter().map(|s| (s.lon, s.lat)).collect();
        self.index.snap_all(self.graph, &pts, &self.opts)
    }

    /// Every indicator of the specification for `sites`, and the state scenarios update.
    pub fn baseline(&self, sites: &[Site]) -> Result<Baseline, AccessError> {
        let t = Instant::now();
        let site_snaps = self.snap_sites(sites);
        let mut out = AccessResults {
            origin_snaps: self.origin_snaps.clone(),
            site_snaps,
            kth: self.spec.kth.filter(|&k| k > 1),
            demand: self.demand.clone(),
            plain_demand: self.plain_demand,
            ..AccessResults::default()
        };
        out.timings.snap = self.snap_seconds + t.elapsed().as_secs_f64();
        tracing::info!(seconds = out.timings.snap, "snapped");

        let t = Instant::now();
        // Each category's search is sequential: categories run side by side.
        let snaps = &out.site_snaps;
        let cats = nearest_categories(&self.spec, sites);
        let (nearest, labels): (Vec<NearestLayer>, Vec<KNearest>) = cats
            .par_iter()
            .map(|cat| self.nearest_layer(cat, sites, snaps))
            .collect::<Result<Vec<_>, AccessError>>()?
            .into_iter()
            .unzip();
        out.nearest = nearest;
        let labels = cats.into_iter().zip(labels).collect();
        out.timings.nearest = t.elapsed().as_secs_f64();
        tracing::info!(seconds = out.timings.nearest, "nearest sites");

        let t = Instant::now();
        let mut states = BTreeMap::new();
        for cat in swept_categories(&self.spec) {
            let progress = crate::support::progress::spinner(&format!("catchments {cat}"));
            let state = self.sweep_category(&self.spec, &cat, sites, &out.site_snaps)?;
            progress.finish_and_clear();
            states.insert(cat, state);
        }
        let outs = states
            .iter()
            .map(|(c, s)| (c.clone(), CategoryOut::of(s)))
            .collect();
        collect(&self.spec, &mut out, sites, outs);
        out.timings.fca = t.elapsed().as_secs_f64();
        tracing::info!(seconds = out.timings.fca, "catchments");
        Ok(Baseline {
            results: out,
            states,
            labels,
        })
    }

    /// The nearest sites of category `cat` among `sites`, and the node labels they come
    /// from.
    fn nearest_layer(
        &self,
        cat: &str,
        sites: &[Site],
        snaps: &[Result<Snapped, Unsnapped>],
    ) -> Result<(NearestLayer, KNearest), AccessError> {
        let progress = crate::support::progress::spinner(&format!("nearest {cat}"));
        let idx = of_category(sites, cat);
        let k = self.spec.kth.filter(|&k| k > 1).unwrap_or(1);
        let max_ms = self.nearest_max_ms();
        let placed = placed(snaps, &idx);
        let labels = node_labels(self.graph, &placed, k, max_ms)?;
        let nearest = nearest_from_labels(
            self.graph,
            self.catchments.origins(),
            &placed,
            &labels,
            max_ms,
        );
        progress.finish_and_clear();
        let layer = NearestLayer {
            category: cat.to_string(),
            sites: idx,
            nearest,
        };
        Ok((layer, labels))
    }

    /// The bound of nearest-site searches, ms (`None`: unbounded).
    fn nearest_max_ms(&self) -> Option<u32> {
        self.spec
            .nearest_max_minutes
            .map(|m| (m * 60_000.0).floor().clamp(0.0, f64::from(u32::MAX - 2)) as u32)
    }

    /// One sweep over the sites of `cat`: its floating-catchment requests and coverage.
    fn sweep_category(
        &self,
        spec: &AccessSpec,
        cat: &str,
        sites: &[Site],
        snaps: &[Result<Snapped, Unsnapped>],
    ) -> Result<CategoryState, AccessError> {
        let idx = of_category(sites, cat);
        let mut state = self.empty_state(spec, cat);
        state.supply = idx
            .iter()
            .map(|&j| supply_of(spec, &state.requests, &sites[j]))
            .collect();
        let capacity: Vec<f64> = idx.iter().map(|&j| sites[j].capacity).collect();
        let catchments = self.catchments.with_sites(placed(snaps, &idx));
        let mut counter = state.coverage.take();
        state.shares = state.fca.sweep_in(
            &catchments,
            &state.supply,
            counter.as_mut().map(|c| (c, capacity.as_slice())),
        )?;
        state.coverage = counter;
        Ok(state)
    }

    /// The state of category `cat` under `spec`, with no site yet.
    fn empty_state(&self, spec: &AccessSpec, cat: &str) -> CategoryState {
        let requests = requests_of(spec, cat);
        let fca = FcaState::new(
            self.demand.len(),
            requests
                .iter()
                .map(|&r| (spec.fca[r].method.kernel().clone(), self.demand.clone()))
                .collect(),
        );
        let coverage = spec
            .coverage
            .iter()
            .any(|c| c == cat)
            .then(|| CoverageCounter::new(self.demand.len(), &spec.thresholds));
        CategoryState {
            requests,
            supply: Vec::new(),
            shares: Vec::new(),
            fca,
            coverage,
        }
    }
}

/// A category's floating-catchment and coverage results, before they are laid out as
/// layers.
struct CategoryOut {
    /// Indices into [`AccessSpec::fca`] of the category's requests, in order.
    requests: Vec<usize>,
    /// What each of the category's sites (local order) gives, per request.
    shares: Vec<Vec<SiteShare>>,
    /// Accessibility per origin and whether a site reaches it, per request.
    access: Vec<(Vec<f64>, Vec<bool>)>,
    /// Coverage counts, when the category's coverage is asked.
    coverage: Option<Coverage>,
}

impl CategoryOut {
    /// The results a category's sweep state holds.
    fn of(state: &CategoryState) -> CategoryOut {
        CategoryOut {
            requests: state.requests.clone(),
            shares: state.shares.clone(),
            access: (0..state.requests.len())
                .map(|k| state.fca.access(k))
                .collect(),
            coverage: state.coverage.as_ref().map(CoverageCounter::coverage),
        }
    }
}

/// Indices into `spec.fca` of the requests on category `cat`, in order.
fn requests_of(spec: &AccessSpec, cat: &str) -> Vec<usize> {
    (0..spec.fca.len())
        .filter(|&r| spec.fca[r].category == cat)
        .collect()
}

/// A site's supply under each of `requests` of `spec`: its capacity, or its APL acts.
fn supply_of(spec: &AccessSpec, requests: &[usize], site: &Site) -> Vec<f64> {
    requests
        .iter()
        .map(|&r| match &spec.fca[r].method {
            FcaMethod::Kernel(_) => site.capacity,
            FcaMethod::Apl(rules) => apl_supply(std::slice::from_ref(site), rules).acts[0],
        })
        .collect()
}

/// Fills the floating-catchment and coverage layers of `out` from each category's
/// results.
fn collect(
    spec: &AccessSpec,
    out: &mut AccessResults,
    sites: &[Site],
    mut cats: BTreeMap<String, CategoryOut>,
) {
    let mut layers: Vec<Option<FcaLayer>> = vec![None; spec.fca.len()];
    for (cat, c) in &mut cats {
        let idx = of_category(sites, cat);
        for (k, (&r, (access, reached))) in c
            .requests
            .iter()
            .zip(std::mem::take(&mut c.access))
            .enumerate()
        {
            let result = FcaResult {
                access,
                reached,
                site_demand: c
                    .shares
                    .iter()
                    .map(|s| s.get(k).map_or(0.0, |x| x.demand))
                    .collect(),
                ratio: c
                    .shares
                    .iter()
                    .map(|s| s.get(k).and_then(|x| x.ratio))
                    .collect(),
            };
            layers[r] = Some(FcaLayer {
                request: spec.fca[r].clone(),
                sites: idx.clone(),
                result,
            });
        }
    }
    out.fca = layers.into_iter().flatten().collect();
    out.coverage = spec
        .coverage
        .iter()
        .filter_map(|c| {
            let coverage = cats.get_mut(c)?.coverage.take()?;
            Some(CoverageLayer {
                category: c.clone(),
                coverage,
            })
        })
        .collect();
}

/// Indices of the sites of category `cat`, in input order.
fn of_category(sites: &[Site], cat: &str) -> Vec<usize> {
    (0..sites.len())
        .filter(|&j| sites[j].category == cat)
        .collect()
}

/// The snaps of sites `idx` (`None`: not snapped).
fn placed(snaps: &[Result<Snapped, Unsnapped>], idx: &[usize]) -> Vec<Option<Snapped>> {
    idx.iter()
        .map(|&j| snaps[j].as_ref().ok().copied())
        .collect()
}

/// The categories whose nearest site is searched: those asked, or every one present.
fn nearest_categories(spec: &AccessSpec, sites: &[Site]) -> Vec<String> {
    if spec.nearest.is_empty() {
        sites
            .iter()
            .map(|s| s.category.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    } else {
        spec.nearest.clone()
    }
}

/// The categories swept for floating-catchment requests or coverage, sorted.
fn swept_categories(spec: &AccessSpec) -> BTreeSet<String> {
    spec.fca
        .iter()
        .map(|r| r.category.clone())
        .chain(spec.coverage.iter().cloned())
        .collect()
}
