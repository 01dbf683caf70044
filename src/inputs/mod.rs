//! Readers of the files analysts have, in their published layouts, all under one input
//! contract ([`text`]: encoding, separator, numbers; [`spreadsheet`]: workbooks): tables,
//! travel-time tables ([`times`]),
//! point layers, the ICC's consumption tables, population ([`demand`]), care supply
//! ([`supply`]), territories ([`territory`]) and address geocoding ([`geocode`]).
//! Each reader returns engine types and records what it could not use in the rejects; the
//! errors they share (a file not read, a layer not chosen, no CRS) are [`error::InputError`].

pub mod consumption;
pub mod demand;
pub mod error;
pub mod external;
pub mod geocode;
pub mod icc_filosofi;
pub mod layer;
pub mod points;
pub mod points_layer;
pub mod spreadsheet;
pub mod supply;
pub mod table;
pub mod territory;
pub mod text;
pub mod times;
pub mod units;
