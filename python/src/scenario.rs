//! `Scenario`: a baseline of every network indicator, then variants (sites removed, added,
//! moved, their capacity changed) recomputed by the study's incremental engine
//! ([`recours::access::AccessEngine::update`]): only the changed sites' catchments are
//! searched again, and the numbers equal a full recomputation bit for bit. Its baseline is
//! also what `Network.access` returns (every indicator at once, no variant asked).

use crate::access::{self, FcaArgs};
use crate::network::Network;
use crate::to_py;
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use recours::access::{AccessEngine, AccessSpec, Baseline, Variant};
use recours::inputs::demand::Origin;
use recours::inputs::supply::Site;
use recours::network::graph::Graph;
use std::sync::Arc;

/// A baseline computed once, from which variants are derived.
#[pyclass(module = "recours._recours", frozen)]
pub struct Scenario {
    graph: Arc<Graph>,
    origins: Vec<Origin>,
    spec: AccessSpec,
    sites: Vec<Site>,
    baseline: Baseline,
}

#[pymethods]
impl Scenario {
    /// Snaps the origins and sites on `network` and computes the baseline indicators.
    #[new]
    #[pyo3(signature = (network, o_lon, o_lat, o_population, o_ages, s_id, s_lon, s_lat, s_category, s_capacity, s_activity, s_age, nearest, kth, nearest_max_minutes, coverage, thresholds, fca, age_weights, max_snap_m))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        network: &Network,
        o_lon: PyReadonlyArray1<'_, f64>,
        o_lat: PyReadonlyArray1<'_, f64>,
        o_population: PyReadonlyArray1<'_, f64>,
        o_ages: Option<PyReadonlyArray2<'_, f64>>,
        s_id: Vec<String>,
        s_lon: PyReadonlyArray1<'_, f64>,
        s_lat: PyReadonlyArray1<'_, f64>,
        s_category: Vec<String>,
        s_capacity: PyReadonlyArray1<'_, f64>,
        s_activity: PyReadonlyArray1<'_, f64>,
        s_age: PyReadonlyArray1<'_, i64>,
        nearest: Vec<String>,
        kth: Option<usize>,
        nearest_max_minutes: Option<f64>,
        coverage: Vec<String>,
        thresholds: Vec<f64>,
        fca: Vec<FcaArgs>,
        age_weights: Option<Vec<f64>>,
        max_snap_m: f64,
    ) -> PyResult<Scenario> {
        let origins = access::origins(o_lon, o_lat, o_population, o_ages)?;
        let sites = access::sites(
            s_id, s_lon, s_lat, s_category, s_capacity, s_activity, s_age,
        )?;
        let spec = access::spec(
            nearest,
            kth,
            nearest_max_minutes,
            coverage,
            thresholds,
            fca,
            age_weights,
            max_snap_m,
        )?;
        let graph = Arc::clone(&network.graph);
        let baseline = py
            .allow_threads(|| AccessEngine::new(&graph, &origins, &spec)?.baseline(&sites))
            .map_err(to_py)?;
        Ok(Scenario {
            graph,
            origins,
            spec,
            sites,
            baseline,
        })
    }

    /// The baseline's indicators (see `recours._recours` access dicts).
    fn baseline<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        access::to_py(py, self.baseline.results.clone())
    }

    /// The indicators of a variant whose sites are given as arrays, `from_base[j]` naming
    /// the baseline site variant site `j` stands for (`None`: a new site); baseline sites
    /// named by none are removed. Returns the indicators and what was recomputed.
    #[pyo3(signature = (from_base, s_id, s_lon, s_lat, s_category, s_capacity, s_activity, s_age))]
    #[allow(clippy::too_many_arguments)]
    fn update<'py>(
        &self,
        py: Python<'py>,
        from_base: Vec<Option<usize>>,
        s_id: Vec<String>,
        s_lon: PyReadonlyArray1<'py, f64>,
        s_lat: PyReadonlyArray1<'py, f64>,
        s_category: Vec<String>,
        s_capacity: PyReadonlyArray1<'py, f64>,
        s_activity: PyReadonlyArray1<'py, f64>,
        s_age: PyReadonlyArray1<'py, i64>,
    ) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
        let sites = access::sites(
            s_id, s_lon, s_lat, s_category, s_capacity, s_activity, s_age,
        )?;
        let variant = Variant { sites, from_base };
        let update = py
            .allow_threads(|| {
                AccessEngine::new(&self.graph, &self.origins, &self.spec)?.update(
                    &self.baseline,
                    &self.sites,
                    &variant,
                    None,
                )
            })
            .map_err(to_py)?;
        let stats = PyDict::new(py);
        let s = &update.stats;
        stats.set_item("removed", s.removed)?;
        stats.set_item("added", s.added)?;
        stats.set_item("changed", s.changed)?;
        stats.set_item("updated", s.updated.clone())?;
        stats.set_item("reswept", s.reswept.clone())?;
        stats.set_item("searches", s.searches)?;
        stats.set_item("seconds", s.seconds)?;
        Ok((access::to_py(py, update.results)?, stats))
    }
}
