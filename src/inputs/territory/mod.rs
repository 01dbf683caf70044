//! Territorial units — communes, IRIS, QPV, CPTS, TVS, EPT — and the assignment of points to
//! them.
//!
//! - [`layer`] reads polygon layers through GDAL (GeoJSON, GeoPackage, Shapefile) in the
//!   published layouts: IGN ADMIN EXPRESS communes (`INSEE_COM`, `NOM`, `POPULATION`), IGN
//!   Contours IRIS (`CODE_IRIS`), ANCT QPV 2015 (`C_NQPV`, `L_NQPV`) and 2024 (`code_qp`,
//!   `lib_qp`); any CRS is reprojected to WGS84, invalid polygons are repaired or rejected.
//! - [`membership`] reads "territory → list of communes" tables (CPTS, TVS, EPT) and
//!   dissolves the member communes' polygons into one polygon per territory.
//! - [`assign`] finds the units containing each point (R-tree over polygon boxes, exact
//!   point-in-polygon test, deterministic rule for points on shared boundaries).

pub mod assign;
pub mod layer;
pub mod membership;

use crate::inputs::error::InputError;
use geo::MultiPolygon;
use std::path::PathBuf;

pub use assign::UnitIndex;
pub use layer::{read_units, Repair};
pub use membership::{dissolve, read_ept_json, read_membership_csv, Dissolved, Membership};

/// One territorial unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// Kind of unit: `commune`, `iris`, `qpv`, `cpts`, `ept`, or any name the study uses.
    pub kind: String,
    /// Its code (INSEE code, IRIS code, `QP093012`, a CPTS name…), unique in its layer.
    pub code: String,
    /// Its name (the code again when the layer has no name field).
    pub name: String,
    /// Its area, WGS84 longitude/latitude in degrees, exterior rings counter-clockwise.
    pub geometry: MultiPolygon<f64>,
    /// Its population (inhabitants) when the layer gives one.
    pub population: Option<f64>,
}

/// The units of one kind, in the order they were read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnitLayer {
    /// Kind of every unit of the layer.
    pub kind: String,
    /// The units, codes unique.
    pub units: Vec<Unit>,
    /// Units whose polygons were invalid as published and were repaired.
    pub repaired: Vec<Repair>,
}

impl UnitLayer {
    /// Index of the unit with code `code`, if any.
    pub fn position(&self, code: &str) -> Option<usize> {
        self.units.iter().position(|u| u.code == code)
    }
}

/// Why a territorial layer or table could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TerritoryError {
    /// The file could not be read, or its layer chosen or placed on the map.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A required field is missing.
    #[error("{file}, layer {layer}: {reason}")]
    Field {
        /// File given.
        file: PathBuf,
        /// Layer read.
        layer: String,
        /// Which field, the names tried and the fields present.
        reason: String,
    },
    /// A table's header matches none of the supported layouts.
    #[error("{file}: header {header:?} matches no supported layout; expected one of: {expected}")]
    Layout {
        /// File given.
        file: PathBuf,
        /// The header read.
        header: String,
        /// The layouts supported.
        expected: String,
    },
    /// A table row or document could not be parsed.
    #[error("{file}, line {line}: {reason}")]
    Parse {
        /// File given.
        file: PathBuf,
        /// 1-based line (header = 1), 0 for a whole document.
        line: u64,
        /// Why.
        reason: String,
    },
}
