//! Shortest-path searches on the routing graph.

pub mod dijkstra;
pub mod table;
