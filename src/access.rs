//! Every access indicator of a study on the road network, in one pass over the data: snap
//! the origins and the sites, then per category of care the nearest (and *k*-th nearest)
//! site, coverage at several thresholds, and the floating-catchment indicators asked for
//! (2SFCA, E2SFCA, kernels, APL) — all from bounded or multi-source searches
//! ([`crate::indicators`]).
//!
//! Origins or sites that cannot be snapped are kept in the results with why
//! ([`AccessResults::unsnapped_origins`], [`AccessResults::unsnapped_sites`]): their
//! indicators are empty, never zero. Each phase is timed ([`AccessResults::timings`]).

use crate::crs::MetricCrs;
use crate::demand::standardise::{demands, AgeWeights};
use crate::demand::Origin;
use crate::fca_job::FcaMethod;
use crate::indicators::apl::apl_supply;
use crate::indicators::catchment::NetworkCatchments;
use crate::indicators::coverage::{coverage, Coverage, CoverageCounter};
use crate::indicators::fca::{floating_catchment_and, FcaResult, FcaSpec};
use crate::indicators::nearest::{nearest_sites, Reached};
use crate::network::graph::Graph;
use crate::snap::{SnapIndex, SnapOptions, Snapped, Unsnapped};
use crate::supply::Site;
use anyhow::Context;
use std::collections::BTreeSet;
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
    /// Coverage sweeps of the categories without floating-catchment requests.
    pub coverage: f64,
    /// Floating-catchment sweeps, all requests (with the coverage of their categories).
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

/// Computes `spec` for `origins` and `sites` on `graph`.
pub fn compute_access(
    graph: &Graph,
    origins: &[Origin],
    sites: &[Site],
    spec: &AccessSpec,
) -> anyhow::Result<AccessResults> {
    let mut out = AccessResults {
        kth: spec.kth.filter(|&k| k > 1),
        ..AccessResults::default()
    };
    let t = Instant::now();
    let crs = MetricCrs::for_graph(graph).context("choosing a metric projection for snapping")?;
    let index = SnapIndex::new(graph, &crs).context("building the snapping index")?;
    let opts = SnapOptions {
        max_distance_m: spec.max_snap_m,
        ..SnapOptions::for_graph(graph)
    };
    let progress = crate::progress::spinner("snapping origins and sites");
    let o_pts: Vec<(f64, f64)> = origins.iter().map(|o| (o.lon, o.lat)).collect();
    let s_pts: Vec<(f64, f64)> = sites.iter().map(|s| (s.lon, s.lat)).collect();
    out.origin_snaps = index.snap_all(graph, &o_pts, &opts);
    out.site_snaps = index.snap_all(graph, &s_pts, &opts);
    progress.finish_and_clear();
    out.timings.snap = t.elapsed().as_secs_f64();
    tracing::info!(seconds = out.timings.snap, "snapped");
    let placed_origins: Vec<Option<Snapped>> = out
        .origin_snaps
        .iter()
        .map(|s| s.as_ref().ok().copied())
        .collect();
    let of_category = |cat: &str| -> Vec<usize> {
        (0..sites.len())
            .filter(|&j| sites[j].category == cat)
            .collect()
    };
    let placed = |idx: &[usize]| -> Vec<Option<Snapped>> {
        idx.iter()
            .map(|&j| out.site_snaps[j].as_ref().ok().copied())
            .collect()
    };

    let t = Instant::now();
    let categories: Vec<String> = if spec.nearest.is_empty() {
        sites
            .iter()
            .map(|s| s.category.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    } else {
        spec.nearest.clone()
    };
    let k = out.kth.unwrap_or(1);
    let max_ms = spec
        .nearest_max_minutes
        .map(|m| (m * 60_000.0).floor().clamp(0.0, f64::from(u32::MAX - 2)) as u32);
    for cat in categories {
        let progress = crate::progress::spinner(&format!("nearest {cat}"));
        let idx = of_category(&cat);
        let nearest = nearest_sites(graph, &placed_origins, &placed(&idx), k, max_ms)?;
        progress.finish_and_clear();
        out.nearest.push(NearestLayer {
            category: cat,
            sites: idx,
            nearest,
        });
    }
    out.timings.nearest = t.elapsed().as_secs_f64();
    tracing::info!(seconds = out.timings.nearest, "nearest sites");

    let (demand, plain) = demands(origins, spec.age_weights.as_ref());
    out.demand = demand;
    out.plain_demand = plain;

    let t = Instant::now();
    let fca_categories: BTreeSet<&str> = spec.fca.iter().map(|r| r.category.as_str()).collect();
    // Coverage of a category with floating-catchment requests is counted in their sweeps.
    let mut coverage_of: std::collections::BTreeMap<String, Coverage> = Default::default();
    for cat in spec
        .coverage
        .iter()
        .filter(|c| !fca_categories.contains(c.as_str()))
    {
        let progress = crate::progress::spinner(&format!("coverage {cat}"));
        let idx = of_category(cat);
        let catchments = NetworkCatchments::new(graph, placed_origins.clone(), placed(&idx));
        let capacity: Vec<f64> = idx.iter().map(|&j| sites[j].capacity).collect();
        let cov = coverage(&catchments, &capacity, &spec.thresholds)?;
        progress.finish_and_clear();
        coverage_of.insert(cat.clone(), cov);
    }
    out.timings.coverage = t.elapsed().as_secs_f64();
    tracing::info!(seconds = out.timings.coverage, "coverage");

    let t = Instant::now();
    // Requests on the same category share their sweeps (and count its coverage).
    let mut layers: Vec<Option<FcaLayer>> = vec![None; spec.fca.len()];
    for cat in fca_categories {
        let progress = crate::progress::spinner(&format!("floating catchments {cat}"));
        let idx = of_category(cat);
        let cat_sites: Vec<Site> = idx.iter().map(|&j| sites[j].clone()).collect();
        let asked: Vec<usize> = (0..spec.fca.len())
            .filter(|&r| spec.fca[r].category == cat)
            .collect();
        let specs: Vec<FcaSpec> = asked
            .iter()
            .map(|&r| match &spec.fca[r].method {
                FcaMethod::Kernel(k) => FcaSpec {
                    kernel: k.clone(),
                    supply: cat_sites.iter().map(|s| s.capacity).collect(),
                    demand: out.demand.clone(),
                },
                FcaMethod::Apl(rules) => FcaSpec {
                    kernel: rules.kernel.clone(),
                    supply: apl_supply(&cat_sites, rules).acts,
                    demand: out.demand.clone(),
                },
            })
            .collect();
        let catchments = NetworkCatchments::new(graph, placed_origins.clone(), placed(&idx));
        let capacity: Vec<f64> = cat_sites.iter().map(|s| s.capacity).collect();
        let mut counter = spec
            .coverage
            .iter()
            .any(|c| c == cat)
            .then(|| CoverageCounter::new(origins.len(), &capacity, &spec.thresholds));
        let results = floating_catchment_and(&catchments, &specs, counter.as_mut())?;
        if let Some(c) = counter {
            coverage_of.insert(cat.to_string(), c.finish());
        }
        progress.finish_and_clear();
        for (r, result) in asked.into_iter().zip(results) {
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
            coverage_of.remove(c).map(|coverage| CoverageLayer {
                category: c.clone(),
                coverage,
            })
        })
        .collect();
    out.timings.fca = t.elapsed().as_secs_f64();
    tracing::info!(seconds = out.timings.fca, "floating catchments");
    Ok(out)
}
