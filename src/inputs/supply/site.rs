//! A supply site as the indicators see it: one place where one category of care is given,
//! with the capacity the floating-catchment methods share out.
//!
//! Every reader of supply (Annuaire Santé activities once geocoded, FINESS structures,
//! generic point files) ends in a list of [`Site`]s.

/// One place where care of one category is offered.
#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    /// Identifier, unique within its input (RPPS + address rank, FINESS number, file id…).
    pub id: String,
    /// Category of care ("gp", "radiology", "gastro", "pharmacy"…).
    pub category: String,
    /// Longitude, WGS84 degrees.
    pub lon: f64,
    /// Latitude, WGS84 degrees.
    pub lat: f64,
    /// Capacity shared out by the floating-catchment methods, in the study's unit
    /// (professionals, full-time equivalents, beds…); 1 per professional by default.
    pub capacity: f64,
    /// Yearly activity (consultations and visits, acts per year) when known: APL's supply.
    pub activity: Option<f64>,
    /// Age of the professional in years when known (APL's ≤ 65 rule, retirement scenarios).
    pub age: Option<u32>,
    /// Where the site was read from: `file:line`, or `file:feature`.
    pub source: String,
}
