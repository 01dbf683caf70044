//! Outputs: per-origin indicator columns ([`columns`]) written as CSV ([`csv`], numbers by
//! [`numbers`]), GeoJSON
//! layers ([`geojson`]: origins as points, territorial units as polygons with their
//! summaries) and one multi-layer GeoPackage ([`gpkg`]), PostGIS tables ([`postgis`]); a self-contained HTML report with
//! choropleth maps and tables ([`report`]).

pub mod columns;
pub mod csv;
pub mod geojson;
pub mod gpkg;
pub mod numbers;
pub mod postgis;
pub mod report;

pub use columns::{origin_columns, Column, Format, Values};
