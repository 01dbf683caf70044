//! # recours — access to care on road networks
//!
//! recours builds travel-time graphs from OpenStreetMap and other road layers, snaps
//! population and care supply onto them, and computes the indicators French health planners
//! use: time to the nearest care, coverage, 2SFCA / E2SFCA / APL, ICC, zonage.
//!
//! The data's way through the engine: [`network`] (read, build, prune, store) →
//! [`snap`] (points onto edges) → [`routing`] (bounded and multi-source searches, tables).

pub mod access;
pub mod aggregate;
pub mod atomic;
pub mod consumption;
pub mod crs;
pub mod demand;
pub mod demo;
pub mod export;
pub mod fca_job;
pub mod geocode;
pub mod icc_filosofi;
pub mod icc_job;
pub mod indicators;
pub mod inspect;
pub mod network;
pub mod odtable;
pub mod points;
pub mod points_layer;
pub mod progress;
pub mod rejects;
pub mod routing;
pub mod scenario;
pub mod snap;
pub mod study;
pub mod supply;
pub mod synth;
pub mod table;
pub mod territory;
pub mod zonage_job;
