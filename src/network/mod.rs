//! Road networks: reading sources (OSM, GDAL line layers) through a profile, building the
//! compact graph, pruning islands, and storing it on disk.

pub mod builder;
pub mod components;
pub mod context;
pub mod graph;
pub mod lines;
pub mod osm;
pub mod profile;
pub mod raw;
pub mod restriction;
pub mod source;
pub mod store;
pub mod turns;

pub use graph::{Adjacency, Graph, Pieces, NONE};
pub use raw::{RawNetwork, WayAttrs};
