//! The `[[scenario]]` sections of a study file (or the scenario files it lists): edits of
//! the baseline's supply and of the indicators' parameters. Every key is documented in
//! `docs/study.md`; unknown keys are errors.

use serde::{Deserialize, Serialize};

/// One what-if scenario: edits applied in order to the baseline.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScenarioConfig {
    /// Short name, used for the output folder `scenarios/{name}/` (letters, digits, `-`,
    /// `_`).
    pub name: String,
    /// What the scenario stands for, shown in the report.
    #[serde(default)]
    pub description: String,
    /// Professionals or sites taken out.
    #[serde(default)]
    pub remove: Vec<RemoveEdit>,
    /// New sites.
    #[serde(default)]
    pub add: Vec<AddEdit>,
    /// Sites moved elsewhere.
    #[serde(default, rename = "move")]
    pub moves: Vec<MoveEdit>,
    /// Sites whose capacity or activity changes.
    #[serde(default)]
    pub capacity: Vec<CapacityEdit>,
    /// Part-time outreach sites (consultations avancées).
    #[serde(default)]
    pub outreach: Vec<OutreachEdit>,
    /// Floating-catchment indicators of the study with other parameters.
    #[serde(default)]
    pub fca: Vec<FcaOverride>,
    /// Coverage thresholds replacing the study's, minutes.
    pub thresholds: Option<Vec<f64>>,
    /// Another travel profile (`car`, `walk` or a profile file): the network is rebuilt and
    /// everything recomputed. Needs an `osm` or `lines` network source.
    pub profile: Option<String>,
}

/// Sites taken out: every site matching all the criteria given (at least one).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RemoveEdit {
    /// Site identifiers; a professional's identifier (RPPS) takes out all their sites
    /// (`RPPS#2`…).
    #[serde(default)]
    pub ids: Vec<String>,
    /// Category of care.
    pub category: Option<String>,
    /// Aged this or more, years ("GPs aged 60 and over retire"); sites of unknown age are
    /// kept and counted.
    pub min_age: Option<u32>,
}

/// A postal address, as in the Annuaire Santé.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlaceAddress {
    /// House number ("12", "12 B").
    #[serde(default)]
    pub number: String,
    /// Street with its type ("rue de la République").
    #[serde(default)]
    pub street: String,
    /// Postcode.
    #[serde(default)]
    pub postcode: String,
    /// INSEE commune code.
    #[serde(default)]
    pub commune_code: String,
    /// Commune name.
    #[serde(default)]
    pub commune: String,
}

/// A new site: "a maison de santé with 4 GPs at 3,600 acts each".
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AddEdit {
    /// Identifier of the site (default: `{scenario}-add-{n}`); each professional gets
    /// `{id}#{k}`.
    pub id: Option<String>,
    /// Category of care.
    pub category: String,
    /// Longitude, WGS84 degrees (with `lat`; or give `address`).
    pub lon: Option<f64>,
    /// Latitude, WGS84 degrees.
    pub lat: Option<f64>,
    /// Postal address, geocoded against the study's BAN files.
    pub address: Option<PlaceAddress>,
    /// Professionals working there (default 1), each a site of capacity 1.
    #[serde(default = "one")]
    pub professionals: u32,
    /// Capacity of each, in the study's supply unit (default 1).
    #[serde(default = "one_f")]
    pub capacity: f64,
    /// Activity of each, acts a year (APL's supply; default: capacity × 5,400).
    pub activity: Option<f64>,
    /// Age of each, years.
    pub age: Option<u32>,
}

/// A site moved: same professional, same supply, another place.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MoveEdit {
    /// Site identifier (or a professional's: all their sites move).
    pub id: String,
    /// Longitude, WGS84 degrees (with `lat`; or give `address`).
    pub lon: Option<f64>,
    /// Latitude, WGS84 degrees.
    pub lat: Option<f64>,
    /// Postal address, geocoded against the study's BAN files.
    pub address: Option<PlaceAddress>,
}

/// A site's supply changed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CapacityEdit {
    /// Site identifier (or a professional's: all their sites).
    pub id: String,
    /// New capacity, in the study's supply unit.
    pub capacity: Option<f64>,
    /// New activity, acts a year.
    pub activity: Option<f64>,
}

/// A part-time outreach site: a specialist's half-days at a place (consultation avancée).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OutreachEdit {
    /// Identifier (default: `{scenario}-outreach-{n}`).
    pub id: Option<String>,
    /// Category of care.
    pub category: String,
    /// Longitude, WGS84 degrees (with `lat`; or give `address`).
    pub lon: Option<f64>,
    /// Latitude, WGS84 degrees.
    pub lat: Option<f64>,
    /// Postal address, geocoded against the study's BAN files.
    pub address: Option<PlaceAddress>,
    /// Half-days a week; capacity = half-days / 10 (a full-time week is 10 half-days).
    pub half_days: f64,
    /// Acts a year given there (default: capacity × 5,400).
    pub activity: Option<f64>,
}

/// New parameters of one `[[indicators.fca]]` of the study, by name; keys left out keep
/// the study's values.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FcaOverride {
    /// Name of the indicator in the study.
    pub name: String,
    /// Catchment radius, minutes.
    pub max_minutes: Option<f64>,
    /// Step bands.
    pub bands: Option<Vec<crate::indicators::kernel::Band>>,
    /// Gaussian σ, minutes.
    pub sigma_minutes: Option<f64>,
    /// Exponential β, per minute.
    pub beta_per_minute: Option<f64>,
    /// Gravity power.
    pub power: Option<f64>,
    /// APL age limit, years; 0 = none.
    pub max_age: Option<u32>,
}

fn one() -> u32 {
    1
}

fn one_f() -> f64 {
    1.0
}
