//! What every stage leans on and none owns: coordinate reference systems, the rejects
//! ledger, atomic file writes, staged output folders, progress display and exact summation.

pub mod atomic;
pub mod crs;
pub(crate) mod exact_sum;
pub mod pg;
pub mod progress;
pub mod rejects;
pub mod staging;
