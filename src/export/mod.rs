//! Outputs: per-origin indicator columns ([`columns`]) written as CSV ([`csv`]) and GeoJSON
//! layers ([`geojson`]: origins as points, territorial units as polygons with their
//! summaries).

pub mod columns;
pub mod csv;
pub mod geojson;

pub use columns::{origin_columns, Column, Format, Values};
