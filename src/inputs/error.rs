//! The errors the readers share: a file that cannot be read, a delimited text that cannot be
//! parsed, a required column missing, a layer that cannot be chosen, a layer with no or an
//! unusable coordinate reference system. Each names the file
//! (`path`) and, past the opening, the layer; the readers' own errors carry it as one
//! variant (`#[error(transparent)] Input(InputError)`) beside what is theirs (a missing
//! field, a layout not recognised, a row that cannot be parsed).

use std::path::PathBuf;

/// Why a reader could not open a file or place its layer on the map.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The file could not be opened or read.
    #[error("{}: cannot read: {reason}", path.display())]
    Open {
        /// File given.
        path: PathBuf,
        /// The underlying message.
        reason: String,
    },
    /// A delimited text could not be parsed at `line` (1-based; the header is line 1).
    #[error("{}, line {line}: {reason}", path.display())]
    Csv {
        /// File given.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What the parser said.
        reason: String,
    },
    /// A column the layout requires is not in the header.
    #[error("{}: missing column {column:?}; columns found: {found:?}", path.display())]
    MissingColumn {
        /// File given (with the layer read, for a layer).
        path: PathBuf,
        /// The column expected, as the published layout names it.
        column: String,
        /// The header's column names.
        found: Vec<String>,
    },
    /// The layer asked for is absent, or the file has several and none was named.
    #[error("{}: {reason}", path.display())]
    Layer {
        /// File given.
        path: PathBuf,
        /// What is wrong, with the layers present.
        reason: String,
    },
    /// The layer declares no CRS (or GDAL's "Undefined" one) and none was assumed.
    #[error("{}, layer {layer}: the layer declares no coordinate reference system; give one (e.g. EPSG:2154 for Lambert-93)", path.display())]
    NoCrs {
        /// File given.
        path: PathBuf,
        /// Layer read.
        layer: String,
    },
    /// The layer's CRS cannot be used.
    #[error("{}, layer {layer}: coordinate reference system: {reason}", path.display())]
    Crs {
        /// File given.
        path: PathBuf,
        /// Layer read.
        layer: String,
        /// Why.
        reason: String,
    },
}
