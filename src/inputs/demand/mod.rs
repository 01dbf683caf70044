//! Demand for care: where people live. [`filosofi`] reads INSEE's Filosofi 200 m cells
//! (population, households, poverty, age bands) with each cell's centre in WGS84;
//! [`origins`] turns them into [`Origin`]s; [`areal`] places IRIS or commune populations
//! inside their polygons; [`standardise`] weights demand by age; [`groups`] cuts target
//! age groups out of the age bands.

pub mod areal;
pub mod filosofi;
pub mod groups;
pub mod origin;
pub mod origins;
pub mod standardise;

pub use filosofi::{read_filosofi, Cell, FilosofiError, Idcar, AGE_COLUMNS};
pub use origin::Origin;
