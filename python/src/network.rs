//! `Network`: a routing graph built from OSM or a line layer, or loaded from a saved graph,
//! and the travel-time table between two point sets on it.

use crate::to_py;
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use recours::inputs::points::NamedPoint;
use recours::network::builder::{BuildOptions, BuildReport};
use recours::network::graph::Graph;
use recours::network::source::{obtain_graph, NetworkSource};
use recours::network::store;
use recours::routing::points::point_table;
use std::path::PathBuf;
use std::sync::Arc;

/// A road network's routing graph (travel times in milliseconds, lengths in decimetres).
#[pyclass(module = "recours._recours", frozen)]
pub struct Network {
    pub(crate) graph: Arc<Graph>,
    build: Option<BuildReport>,
}

/// The `(index, reason)` pairs of points that could not be snapped.
pub(crate) type Unsnapped = Vec<(usize, String)>;

/// Arrays of a table: source and destination indices, time (ms), length (dm).
type TableArrays<'py> = (
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
);

impl Network {
    fn obtain(
        py: Python<'_>,
        source: NetworkSource,
        profile: &str,
        min_component: Option<usize>,
    ) -> PyResult<Network> {
        let opts = BuildOptions {
            min_component_nodes: min_component
                .unwrap_or(BuildOptions::default().min_component_nodes),
        };
        let got = py
            .allow_threads(|| obtain_graph(&source, profile, &opts))
            .map_err(to_py)?;
        Ok(Network {
            graph: Arc::new(got.graph),
            build: got.build,
        })
    }
}

/// Points as the library's named points, ids being their row numbers.
pub(crate) fn points(
    lon: &PyReadonlyArray1<'_, f64>,
    lat: &PyReadonlyArray1<'_, f64>,
) -> PyResult<Vec<NamedPoint>> {
    let (lon, lat) = (lon.as_array(), lat.as_array());
    if lon.len() != lat.len() {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "{} longitudes but {} latitudes",
            lon.len(),
            lat.len()
        )));
    }
    Ok(lon
        .iter()
        .zip(lat.iter())
        .enumerate()
        .map(|(i, (&lon, &lat))| NamedPoint {
            id: i.to_string(),
            line: i as u64 + 1,
            lon,
            lat,
        })
        .collect())
}

#[pymethods]
impl Network {
    /// Builds the graph of an OpenStreetMap file (`.osm.pbf` or `.osm` XML) through a travel
    /// profile (`car`, `walk`, or a profile TOML file); strongly connected components with
    /// fewer than `min_component` nodes are pruned.
    #[staticmethod]
    #[pyo3(signature = (path, profile="car", min_component=None))]
    fn from_osm(
        py: Python<'_>,
        path: PathBuf,
        profile: &str,
        min_component: Option<usize>,
    ) -> PyResult<Network> {
        Network::obtain(py, NetworkSource::Osm(path), profile, min_component)
    }

    /// Builds the graph of a GDAL line layer (GeoJSON, GeoPackage, Shapefile…).
    #[staticmethod]
    #[pyo3(signature = (path, profile="car", layer=None, min_component=None))]
    fn from_lines(
        py: Python<'_>,
        path: PathBuf,
        profile: &str,
        layer: Option<String>,
        min_component: Option<usize>,
    ) -> PyResult<Network> {
        Network::obtain(
            py,
            NetworkSource::Lines { path, layer },
            profile,
            min_component,
        )
    }

    /// Loads a graph saved by `save` or `recours network build`.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Network> {
        let graph = py
            .allow_threads(|| store::load_graph(&path).map_err(anyhow::Error::from))
            .map_err(to_py)?;
        Ok(Network {
            graph: Arc::new(graph),
            build: None,
        })
    }

    /// Saves the graph (the format `recours --graph` reads).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.allow_threads(|| store::save_graph(&self.graph, &path))
            .map_err(to_py)
    }

    /// What the graph holds: profile, nodes, directed edges, road pieces, and when it was
    /// built here the kilometres per road class and the pruning counts.
    fn info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("profile", &self.graph.profile_name)?;
        d.set_item("nodes", self.graph.node_count())?;
        d.set_item("edges", self.graph.edge_count())?;
        d.set_item("pieces", self.graph.pieces.len())?;
        if let Some(b) = &self.build {
            let km = PyDict::new(py);
            for (class, v) in &b.km_by_class {
                km.set_item(class, v)?;
            }
            d.set_item("km_by_class", km)?;
            d.set_item("components", b.prune.components)?;
            d.set_item("pruned_nodes", b.prune.pruned_nodes)?;
            d.set_item("build_seconds", b.seconds)?;
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Network(profile={:?}, nodes={}, edges={})",
            self.graph.profile_name,
            self.graph.node_count(),
            self.graph.edge_count()
        )
    }

    /// Travel-time table: snaps both point sets (WGS84) within `max_snap_m` metres and
    /// returns, for every reachable pair within `max_minutes`, the source and destination
    /// indices, the time in ms and the network length in dm (sorted by source, then
    /// destination); then the unsnapped sources and destinations `(index, reason)` and the
    /// unreachable pairs.
    #[pyo3(signature = (src_lon, src_lat, dst_lon, dst_lat, max_minutes=None, max_snap_m=1000.0))]
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn _table<'py>(
        &self,
        py: Python<'py>,
        src_lon: PyReadonlyArray1<'py, f64>,
        src_lat: PyReadonlyArray1<'py, f64>,
        dst_lon: PyReadonlyArray1<'py, f64>,
        dst_lat: PyReadonlyArray1<'py, f64>,
        max_minutes: Option<f64>,
        max_snap_m: f64,
    ) -> PyResult<(TableArrays<'py>, Unsnapped, Unsnapped, Vec<(usize, usize)>)> {
        let src = points(&src_lon, &src_lat)?;
        let dst = points(&dst_lon, &dst_lat)?;
        let max_ms =
            max_minutes.map(|m| (m * 60_000.0).round().clamp(0.0, f64::from(u32::MAX - 1)) as u32);
        let graph = Arc::clone(&self.graph);
        let t = py
            .allow_threads(move || point_table(&graph, &src, &dst, max_ms, max_snap_m))
            .map_err(to_py)?;
        let n = t.cells.len();
        let (mut s, mut d, mut ms, mut dm) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for &(i, j, time, len) in &t.cells {
            s.push(i as u64);
            d.push(j as u64);
            ms.push(time);
            dm.push(len);
        }
        let reasons = |u: Vec<(usize, recours::snap::Unsnapped)>| -> Unsnapped {
            u.into_iter().map(|(i, why)| (i, why.to_string())).collect()
        };
        Ok((
            (
                PyArray1::from_vec(py, s),
                PyArray1::from_vec(py, d),
                PyArray1::from_vec(py, ms),
                PyArray1::from_vec(py, dm),
            ),
            reasons(t.unsnapped_sources),
            reasons(t.unsnapped_destinations),
            t.unreachable,
        ))
    }
}
