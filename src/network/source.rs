//! Where a study's road network comes from: an OSM file, a GDAL line layer, or a graph
//! saved earlier. One entry point, [`obtain_graph`], so every command accepts the same
//! `--graph` / `--osm` / `--lines` choices.

use super::builder::{build_graph, BuildOptions, BuildReport};
use super::graph::Graph;
use super::profile::{Profile, ProfileError};
use super::{lines, osm, store};
use std::path::PathBuf;
use std::time::Instant;

/// A road network source.
#[derive(Clone, Debug, PartialEq)]
pub enum NetworkSource {
    /// A graph saved by `recours network build`.
    Graph(PathBuf),
    /// An OpenStreetMap file (`.osm.pbf` or `.osm` XML).
    Osm(PathBuf),
    /// A GDAL line layer (GeoJSON, GeoPackage, Shapefile…), optionally naming the layer.
    Lines {
        /// File to read.
        path: PathBuf,
        /// Layer name, when the file holds several.
        layer: Option<String>,
    },
}

impl NetworkSource {
    /// The file the network is read from.
    pub fn path(&self) -> &std::path::Path {
        match self {
            NetworkSource::Graph(p) | NetworkSource::Osm(p) => p,
            NetworkSource::Lines { path, .. } => path,
        }
    }
}

/// A graph, with the build report when it was built rather than loaded.
pub struct ObtainedGraph {
    /// The routing graph.
    pub graph: Graph,
    /// How it was built (`None` when loaded from a saved graph).
    pub build: Option<BuildReport>,
    /// Seconds spent reading the source (parsing, or loading the saved graph).
    pub read_seconds: f64,
}

/// Why the graph could not be read or built.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The saved graph could not be read.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The profile could not be found or read.
    #[error("profile {name:?}")]
    Profile {
        /// The name or path given.
        name: String,
        /// Why.
        #[source]
        source: ProfileError,
    },
    /// The OSM file or line layer could not be read.
    #[error("reading {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why (an OSM or line-layer error).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// No way of the source is a road of the profile.
    #[error("{}: no road usable with profile {profile:?} (left out: {left_out})", path.display())]
    NoRoad {
        /// The source file.
        path: PathBuf,
        /// The profile.
        profile: String,
        /// The ways left out, counted by reason.
        left_out: String,
    },
}

/// The profile named or stored at `name`.
fn resolve(name: &str) -> Result<Profile, SourceError> {
    Profile::resolve(name).map_err(|source| SourceError::Profile {
        name: name.to_string(),
        source,
    })
}

/// Reads or builds the graph from `source`, applying `profile` (a builtin name or a TOML
/// path) when building. A saved graph keeps the profile it was built with.
pub fn obtain_graph(
    source: &NetworkSource,
    profile: &str,
    opts: &BuildOptions,
) -> Result<ObtainedGraph, SourceError> {
    let start = Instant::now();
    let raw = match source {
        NetworkSource::Graph(path) => {
            let graph = store::load_graph(path)?;
            return Ok(ObtainedGraph {
                graph,
                build: None,
                read_seconds: start.elapsed().as_secs_f64(),
            });
        }
        NetworkSource::Osm(path) => {
            let profile = resolve(profile)?;
            osm::read_osm(path, &profile).map_err(|e| SourceError::Read {
                path: path.clone(),
                source: Box::new(e),
            })?
        }
        NetworkSource::Lines { path, layer } => {
            let profile = resolve(profile)?;
            lines::read_lines(path, layer.as_deref(), &profile).map_err(|e| SourceError::Read {
                path: path.clone(),
                source: Box::new(e),
            })?
        }
    };
    let read_seconds = start.elapsed().as_secs_f64();
    tracing::info!(
        ways = raw.way_count(),
        vertices = raw.vertices.len(),
        read_seconds,
        "network source read"
    );
    let (graph, report) = build_graph(raw, opts);
    if graph.node_count() == 0 {
        let skipped: Vec<String> = report
            .skipped
            .iter()
            .map(|(reason, n)| format!("{n} {reason}"))
            .collect();
        return Err(SourceError::NoRoad {
            path: source.path().to_path_buf(),
            profile: profile.to_string(),
            left_out: if skipped.is_empty() {
                "nothing".to_string()
            } else {
                skipped.join(", ")
            },
        });
    }
    Ok(ObtainedGraph {
        graph,
        build: Some(report),
        read_seconds,
    })
}
