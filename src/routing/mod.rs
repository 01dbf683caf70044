//! Shortest-path searches on the routing graph: bounded one-to-many and multi-source
//! Dijkstra ([`dijkstra`]), time-only bounded searches for the catchment sweeps ([`times`]),
//! the k nearest sources updated after sources change ([`nearest_edit`]), travel-time
//! tables between seeds ([`table`]) and between named
//! points snapped onto the graph ([`points`]).
//!
//! A search starts from *seeds*: graph nodes with the time and network length already spent
//! to reach them (a snapped point enters the graph part-way along a road, see
//! [`crate::snap`]).

pub mod dijkstra;
pub mod nearest_edit;
pub mod points;
pub mod table;
pub mod times;

/// A search start (or end): graph node `node`, reached after `time_ms` milliseconds and
/// `len_dm` decimetres of network already travelled (or still to travel, for a target).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Seed {
    /// Graph node id.
    pub node: u32,
    /// Time already spent, milliseconds.
    pub time_ms: u32,
    /// Network length already travelled, decimetres.
    pub len_dm: u32,
}
