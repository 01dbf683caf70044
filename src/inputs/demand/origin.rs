//! A weighted origin as the indicators see it: a place where people live, with the demand
//! it carries.
//!
//! Every reader of population (Filosofi 200 m cells, IRIS or commune populations placed in
//! their polygons, generic weighted points) ends in a list of [`Origin`]s.

/// One place where people live.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    /// Identifier, unique within its input (`idcar_200m`, IRIS code, commune code…).
    pub id: String,
    /// Longitude, WGS84 degrees.
    pub lon: f64,
    /// Latitude, WGS84 degrees.
    pub lat: f64,
    /// Population (inhabitants, may be fractional): the plain demand weight.
    pub population: f64,
    /// Inhabitants per age band when known, in the order of
    /// [`crate::inputs::demand::AGE_COLUMNS`]: the base of age-standardised demand.
    pub ages: Option<[f64; 10]>,
    /// Sum of the inhabitants' standard of living, euros per year, when known (Filosofi
    /// `ind_snv`): income for inequality indices.
    pub income: Option<f64>,
    /// Where the origin was read from: `file:line`, or `file:feature`.
    pub source: String,
}
