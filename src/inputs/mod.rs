//! Readers of the files analysts have, in their published layouts: delimited tables,
//! point layers, the ICC's consumption tables, population ([`demand`]), care supply
//! ([`supply`]), territories ([`territory`]) and address geocoding ([`geocode`]).
//! Each reader returns engine types and records what it could not use in the rejects.

pub mod consumption;
pub mod demand;
pub mod external;
pub mod geocode;
pub mod icc_filosofi;
pub mod points;
pub mod points_layer;
pub mod supply;
pub mod table;
pub mod territory;
