//! # recours — access to care on road networks
//!
//! recours builds travel-time graphs from OpenStreetMap and other road layers, snaps
//! population and care supply onto them, and computes the indicators French health planners
//! use: time to the nearest care, coverage, 2SFCA / E2SFCA / APL, ICC, zonage.
//!
//! ## The modules, in the data's order
//!
//! Dependencies run one way, from the edge to the core (top to bottom):
//!
//! | module | what it owns |
//! |---|---|
//! | [`cli`] | the commands' glue (`table`, `fca`, `zonage`, `inspect`, `demo`) |
//! | [`study`] | the study file, the run that walks the whole path once, the ICC job (`recours icc`) |
//! | [`scenario`] | edits to supply or parameters for what-if runs |
//! | [`network`] | OSM / line layers → profile → compact CSR graph → pruning → store |
//! | [`snap`] | points onto the nearest eligible edge (R-tree), access legs |
//! | [`routing`] | bounded and multi-source Dijkstra, travel-time tables between seeds and named points |
//! | [`indicators`] | nearest, coverage, FCA / APL, ICC, zonage and its schemes, suggestion: one method a file |
//! | [`access`] | every indicator of a study in one pass, baseline and incremental updates |
//! | [`aggregate`] | per-unit summaries, QPV gaps, inequality |
//! | [`export`] | CSV, GeoJSON, GeoPackage, PostGIS tables, the HTML report |
//! | [`inputs`] | readers of the published files: tables, points, units, population, supply, territories, geocoding |
//! | [`synth`] | the generated demo territory, written in the published layouts |
//! | [`support`] | CRS, rejects, atomic writes, staged output folders, PostgreSQL datasources, progress, exact sums |

pub mod cli;
pub mod study;

pub mod scenario;

pub mod access;
pub mod aggregate;
pub mod export;
pub mod indicators;
pub mod network;
pub mod routing;
pub mod snap;

pub mod inputs;
pub mod support;
pub mod synth;
