//! Routing profiles: which roads a mode of travel may use, in which direction, and how fast.
//!
//! A profile is data, not code (the OSRM / Valhalla habit): a TOML file naming a speed per
//! road class (km/h), the access tags to read in priority order, how `maxspeed` values map
//! to speeds, ferries, and how the attributes of GDAL line layers (IGN BD TOPO, Overpass
//! GeoJSON exports) map onto the same rules. Three profiles ship with the engine
//! (`profiles/car.toml`, `profiles/walk.toml`, `profiles/car-bdtopo.toml`); any other file
//! with the same keys may be given by path.
//!
//! The tag rules follow the OpenStreetMap wiki pages `Key:highway`, `Key:maxspeed`,
//! `Key:oneway`, `Key:access`, `Key:duration` and `Tag:route=ferry`:
//! - a way is a road when it has a `highway` class listed in the profile's `speeds`, or is a
//!   ferry (`route=ferry`, when the profile has a `[ferry]` table); `area=yes` and
//!   `highway=construction|proposed|abandoned|razed|disused` are never roads;
//! - access: the first key of `access_keys` present on the way decides; a value in
//!   `access_denied` excludes the way (`destination`, `permissive`, `yes` do not);
//! - speed: `maxspeed` (when `honour_maxspeed`) replaces the class speed, then the global
//!   `speed_factor` multiplies it; once the way's position is known, [`super::context`]
//!   replaces an untagged speed by the `[urban]` class default inside built-up areas and
//!   multiplies by the class's delay factor for its context (final km/h = base × global ×
//!   class factor, with `[urban.factors]` inside built-up areas and `class_factors` outside);
//! - direction (when `honour_oneway`): `yes|1|true` forward only, `-1|reverse` backward
//!   only, `no|false|0` both, `reversible|alternating` excluded; without a tag, one-way on
//!   `junction=roundabout|circular` and on the `implied_oneway` classes;
//! - ferries: `duration` (`MM`, `HH:MM`, `HH:MM:SS` or ISO 8601 `PT1H30M`) plus
//!   `boarding_s`; without a duration, the crossing at `ferry.speed_kmh` plus `boarding_s`.

use super::raw::WayAttrs;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

/// The car profile shipped with the engine (`profiles/car.toml`).
const CAR_TOML: &str = include_str!("../../profiles/car.toml");
/// The peak-hour car profile shipped with the engine (`profiles/car-peak.toml`).
const CAR_PEAK_TOML: &str = include_str!("../../profiles/car-peak.toml");
/// The walking profile shipped with the engine (`profiles/walk.toml`).
const WALK_TOML: &str = include_str!("../../profiles/walk.toml");
/// The car profile for IGN BD TOPO road layers (`profiles/car-bdtopo.toml`).
const CAR_BDTOPO_TOML: &str = include_str!("../../profiles/car-bdtopo.toml");

/// Names of the builtin profiles, in the order they are listed to users.
pub const BUILTIN_NAMES: [&str; 4] = ["car", "car-peak", "walk", "car-bdtopo"];

/// Class name given to ferry crossings.
pub const FERRY_CLASS: &str = "ferry";

/// Highest speed in km/h taken from a tag or attribute; above it the value is "not
/// understood" (no public road anywhere is signed faster; 1e308 must not make a 0 ms edge).
const MAX_PLAUSIBLE_KMH: f64 = 300.0;

/// Longest ferry `duration` in seconds taken from a tag (7 days, beyond any scheduled
/// crossing); above it the value is "not understood" and the ferry speed applies.
const MAX_PLAUSIBLE_FERRY_S: f64 = 7.0 * 24.0 * 3600.0;

/// `highway` values that are never travelled, whatever the profile.
const NOT_BUILT: [&str; 5] = ["construction", "proposed", "abandoned", "razed", "disused"];

/// Why a profile could not be obtained.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The name is neither a builtin profile nor an existing file.
    #[error(
        "unknown profile {name:?}: builtin profiles are {known}, or give the path of a TOML file"
    )]
    Unknown {
        /// The name asked for.
        name: String,
        /// The builtin names, comma-separated.
        known: String,
    },
    /// The profile file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// File that failed.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown / missing keys (the message carries line and
    /// column).
    #[error("{origin}: {message}")]
    Toml {
        /// Where the profile came from (builtin name or path).
        origin: String,
        /// The parser's message.
        message: String,
    },
    /// The TOML parsed but its values are inconsistent.
    #[error("{origin}: {reason}")]
    Invalid {
        /// Where the profile came from (builtin name or path).
        origin: String,
        /// What is wrong.
        reason: String,
    },
}

/// Ferry crossings for a profile.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Ferry {
    /// Crossing speed in km/h used when a ferry has no `duration` tag.
    pub speed_kmh: f64,
    /// Seconds added to every crossing for waiting and boarding.
    pub boarding_s: f64,
}

/// How a travel direction value of a line layer is understood.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Both directions allowed.
    Both,
    /// Only in the direction the line is drawn.
    Forward,
    /// Only against the direction the line is drawn.
    Backward,
    /// Not travelled at all.
    Closed,
}

/// A rule excluding line features whose attribute takes one of some values.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExcludeRule {
    /// Candidate names of the attribute; the first present in the layer is read.
    pub field: Vec<String>,
    /// Values that exclude the feature.
    pub values: Vec<String>,
}

/// Attribute mapping of a line layer whose attributes are not OSM tags (IGN BD TOPO…).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FieldMapping {
    /// Candidate names of the class attribute; the first present in the layer is read.
    pub class_field: Vec<String>,
    /// Profile class of each class value; unlisted values are not roads for the profile.
    pub class_values: BTreeMap<String, String>,
    /// Candidate names of a speed attribute in km/h (replaces the class speed when > 0).
    #[serde(default)]
    pub speed_field: Vec<String>,
    /// Candidate names of the direction attribute.
    #[serde(default)]
    pub direction_field: Vec<String>,
    /// Meaning of each direction value; absent or unlisted values mean both directions.
    #[serde(default)]
    pub direction_values: BTreeMap<String, Direction>,
    /// Features excluded by attribute value (restricted access, under construction…).
    #[serde(default)]
    pub exclude: Vec<ExcludeRule>,
}

/// How the attributes of GDAL line layers are read.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(tag = "attributes", rename_all = "kebab-case")]
pub enum LinesMapping {
    /// Attributes are OSM tags (Overpass GeoJSON exports): the OSM rules apply unchanged.
    OsmTags,
    /// Attributes are mapped field by field.
    Fields(FieldMapping),
}

/// A routing profile, validated. Build one with [`Profile::builtin`], [`Profile::resolve`]
/// or [`Profile::from_toml_str`].
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Profile name ("car", "walk"…), recorded in graphs built with it.
    pub name: String,
    /// One-line description for users.
    #[serde(default)]
    pub description: String,
    /// Access keys in priority order (the first present decides).
    pub access_keys: Vec<String>,
    /// Access values that exclude a way.
    pub access_denied: Vec<String>,
    /// Whether `oneway` and implied one-way rules apply (false when walking).
    pub honour_oneway: bool,
    /// Whether `maxspeed` replaces the class speed (false when walking).
    pub honour_maxspeed: bool,
    /// Classes one-way in their drawn direction unless tagged `oneway=no`.
    #[serde(default)]
    pub implied_oneway: Vec<String>,
    /// Factor applied to every speed (1.0 = free flow).
    #[serde(default = "one")]
    pub speed_factor: f64,
    /// Classes a point may not be snapped onto.
    #[serde(default)]
    pub snap_excluded: Vec<String>,
    /// Modes whose OSM turn restrictions apply, in priority order (`restriction:<mode>`
    /// wins over `restriction`; `except=<mode>` exempts): `["motorcar", "motor_vehicle"]`
    /// for cars. Empty: restrictions are not read ([`super::restriction`]).
    #[serde(default)]
    pub restriction_modes: Vec<String>,
    /// Speed in km/h of each road class the profile uses.
    pub speeds: BTreeMap<String, f64>,
    /// Speed factor per class (default 1.0).
    #[serde(default)]
    pub class_factors: BTreeMap<String, f64>,
    /// Symbolic `maxspeed` values in km/h (`"FR:urban" = 50`, `"walk" = 6`…).
    #[serde(default)]
    pub maxspeed_values: BTreeMap<String, f64>,
    /// Ferry crossings; ferries are not used when absent.
    #[serde(default)]
    pub ferry: Option<Ferry>,
    /// Ways open only to reach a place (`access=destination`, parking aisles, tracks…):
    /// kept, but slowed so that routes go through them only at their ends.
    #[serde(default)]
    pub end_only: Option<EndOnly>,
    /// Built-up areas: how they are recognised and the class speeds and delay factors that
    /// apply inside them; without it every road takes `speeds` and `class_factors`.
    #[serde(default)]
    pub urban: Option<Urban>,
    /// Attribute mapping for GDAL line layers; such layers cannot be read when absent.
    #[serde(default)]
    pub lines: Option<LinesMapping>,
    /// Class names, indexed by [`WayAttrs::class`]: the `speeds` keys in order, then
    /// [`FERRY_CLASS`] when ferries are used.
    #[serde(skip)]
    pub class_names: Vec<String>,
}

fn one() -> f64 {
    1.0
}

/// Ways a vehicle may use to reach a place on them but not to go through (OSM wiki
/// `Key:access`: `destination`, `private`, `delivery`…; `service=parking_aisle|driveway`;
/// `highway=track`). The engine has one weight, time, so they are kept with their speed
/// multiplied by `factor`: a short stretch at a trip's end costs a little, a shortcut
/// through them costs more than the way round.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EndOnly {
    /// Speed factor on such ways (0 < factor ≤ 1).
    pub factor: f64,
    /// Values of the deciding access key (`access_keys`) that make a way end-only.
    #[serde(default)]
    pub access: Vec<String>,
    /// `service` values that make a way end-only.
    #[serde(default)]
    pub service: Vec<String>,
    /// Classes (`highway` values) that are end-only.
    #[serde(default)]
    pub classes: Vec<String>,
}

/// Built-up areas (French *agglomération*): recognised from the density of the network
/// itself, as Valhalla does (road km per km² around the way, urban above a threshold), and
/// the class defaults and delay factors that apply there.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Urban {
    /// Radius in metres of the neighbourhood whose road density is measured.
    pub radius_m: f64,
    /// Road density (km of road per km², each road counted once) at or above which a way
    /// is in a built-up area.
    pub min_km_per_km2: f64,
    /// Default speed in km/h per class inside built-up areas, used when the way has no
    /// usable `maxspeed`; classes not listed keep their `speeds` value.
    #[serde(default)]
    pub speeds: BTreeMap<String, f64>,
    /// Delay factor per class inside built-up areas (junctions, lights, parking);
    /// classes not listed take their `class_factors` value.
    #[serde(default)]
    pub factors: BTreeMap<String, f64>,
}

/// What a `maxspeed` value says.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MaxSpeed {
    /// A limit in km/h.
    Kmh(f64),
    /// No usable limit (`none`, `signals`, `variable`): the class speed applies.
    KeepClass,
    /// Not understood: the class speed applies and the value is reported.
    Unknown,
}

/// A profile's verdict on a way it accepts.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// Class, speeds per direction and fixed duration.
    pub attrs: WayAttrs,
    /// For a ferry timed by its speed: the boarding seconds to add to length ÷ speed, which
    /// the reader computes once it knows the way's length ([`Decision::finish`]).
    pub boarding_s: Option<f32>,
    /// Tag values not understood and replaced by a default (reported with the skips).
    pub notes: Vec<&'static str>,
}

impl Decision {
    /// The way's attributes once its length in metres is known: a ferry timed by its
    /// speed gets `duration_s` = length ÷ speed + boarding; other ways are unchanged.
    pub fn finish(&self, length_m: f64) -> WayAttrs {
        let mut attrs = self.attrs;
        if let Some(boarding) = self.boarding_s {
            let speed = attrs.speed_fwd_kmh.max(attrs.speed_bwd_kmh);
            let crossing = length_m * 3.6 / f64::from(speed);
            attrs.duration_s = Some((crossing + f64::from(boarding)) as f32);
        }
        attrs
    }

    /// Whether the way is a ferry whose time is fixed or computed from its length (such a
    /// way cannot be split without distorting its time).
    pub fn is_timed(&self) -> bool {
        self.attrs.duration_s.is_some() || self.boarding_s.is_some()
    }
}

/// Why a way was left out, for the build report.
pub type SkipReason = Cow<'static, str>;

/// Counts of left-out objects by reason, mergeable across threads; reasons come out sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SkipCounts(BTreeMap<String, u64>);

impl SkipCounts {
    /// Counts one object left out for `reason`.
    pub fn add(&mut self, reason: &str) {
        self.add_n(reason, 1);
    }

    /// Counts `n` objects left out for `reason`.
    pub fn add_n(&mut self, reason: &str, n: u64) {
        match self.0.get_mut(reason) {
            Some(c) => *c += n,
            None => {
                self.0.insert(reason.to_string(), n);
            }
        }
    }

    /// Adds all counts of `other`.
    pub fn merge(&mut self, other: SkipCounts) {
        for (r, n) in other.0 {
            self.add_n(&r, n);
        }
    }

    /// Count for `reason` (0 when never counted).
    pub fn get(&self, reason: &str) -> u64 {
        self.0.get(reason).copied().unwrap_or(0)
    }

    /// The counts as `(reason, count)` pairs sorted by reason.
    pub fn into_vec(self) -> Vec<(String, u64)> {
        self.0.into_iter().collect()
    }
}

impl Profile {
    /// One of the builtin profiles: "car", "walk" or "car-bdtopo".
    pub fn builtin(name: &str) -> Result<Profile, ProfileError> {
        let text = match name {
            "car" => CAR_TOML,
            "car-peak" => CAR_PEAK_TOML,
            "walk" => WALK_TOML,
            "car-bdtopo" => CAR_BDTOPO_TOML,
            _ => {
                return Err(ProfileError::Unknown {
                    name: name.to_string(),
                    known: BUILTIN_NAMES.join(", "),
                })
            }
        };
        Profile::from_toml_str(text, &format!("builtin profile {name}"))
    }

    /// A builtin profile by name, or else the TOML profile file at that path.
    pub fn resolve(name_or_path: &str) -> Result<Profile, ProfileError> {
        if BUILTIN_NAMES.contains(&name_or_path) {
            return Profile::builtin(name_or_path);
        }
        let path = Path::new(name_or_path);
        if !path.is_file() {
            return Err(ProfileError::Unknown {
                name: name_or_path.to_string(),
                known: BUILTIN_NAMES.join(", "),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: name_or_path.to_string(),
            source,
        })?;
        Profile::from_toml_str(&text, name_or_path)
    }

    /// Parses and validates a profile from TOML text; `origin` names it in errors.
    pub fn from_toml_str(s: &str, origin: &str) -> Result<Profile, ProfileError> {
        let mut p: Profile = toml::from_str(s).map_err(|e| ProfileError::Toml {
            origin: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        p.validate().map_err(|reason| ProfileError::Invalid {
            origin: origin.to_string(),
            reason,
        })?;
        p.class_names = p.speeds.keys().cloned().collect();
        if p.ferry.is_some() && !p.speeds.contains_key(FERRY_CLASS) {
            p.class_names.push(FERRY_CLASS.to_string());
        }
        Ok(p)
    }

    /// Checks the values a TOML parser cannot (positive speeds, known class names…).
    fn validate(&self) -> Result<(), String> {
        let positive = |what: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(format!(
                    "{what} must be a positive number of km/h or a positive factor, got {v}"
                ))
            }
        };
        if self.name.trim().is_empty() {
            return Err("name must not be empty".into());
        }
        if self.speeds.is_empty() {
            return Err("[speeds] must list at least one road class".into());
        }
        if self.speeds.len() + 1 > usize::from(u8::MAX) {
            return Err(format!(
                "too many classes ({}, at most 254)",
                self.speeds.len()
            ));
        }
        positive("speed_factor", self.speed_factor)?;
        for (c, &v) in &self.speeds {
            positive(&format!("speeds.{c}"), v)?;
        }
        for (c, &v) in &self.maxspeed_values {
            positive(&format!("maxspeed_values.{c:?}"), v)?;
        }
        let known =
            |c: &str| self.speeds.contains_key(c) || (c == FERRY_CLASS && self.ferry.is_some());
        for (c, &v) in &self.class_factors {
            positive(&format!("class_factors.{c}"), v)?;
            if !known(c) {
                return Err(format!("class_factors.{c}: class {c:?} is not in [speeds]"));
            }
        }
        for (list, what) in [
            (&self.snap_excluded, "snap_excluded"),
            (&self.implied_oneway, "implied_oneway"),
        ] {
            if let Some(c) = list.iter().find(|c| !known(c)) {
                return Err(format!("{what}: class {c:?} is not in [speeds]"));
            }
        }
        if let Some(e) = &self.end_only {
            if !(e.factor > 0.0 && e.factor <= 1.0) {
                return Err(format!(
                    "end_only.factor must be in (0, 1], got {}",
                    e.factor
                ));
            }
            if let Some(c) = e.classes.iter().find(|c| !self.speeds.contains_key(*c)) {
                return Err(format!("end_only.classes: class {c:?} is not in [speeds]"));
            }
        }
        if let Some(u) = &self.urban {
            positive("urban.radius_m", u.radius_m)?;
            positive("urban.min_km_per_km2", u.min_km_per_km2)?;
            for (what, table) in [("urban.speeds", &u.speeds), ("urban.factors", &u.factors)] {
                for (c, &v) in table {
                    positive(&format!("{what}.{c}"), v)?;
                    if !self.speeds.contains_key(c) {
                        return Err(format!("{what}.{c}: class {c:?} is not in [speeds]"));
                    }
                }
            }
        }
        if let Some(f) = &self.ferry {
            positive("ferry.speed_kmh", f.speed_kmh)?;
            if !(f.boarding_s.is_finite() && f.boarding_s >= 0.0) {
                return Err(format!(
                    "ferry.boarding_s must be zero or more seconds, got {}",
                    f.boarding_s
                ));
            }
        }
        if let Some(LinesMapping::Fields(m)) = &self.lines {
            if m.class_field.is_empty() {
                return Err("lines.class_field must name at least one attribute".into());
            }
            if m.exclude.iter().any(|r| r.field.is_empty()) {
                return Err("lines.exclude: every rule must name at least one field".into());
            }
            if let Some((v, c)) = m.class_values.iter().find(|(_, c)| !known(c)) {
                return Err(format!(
                    "lines.class_values.{v:?} = {c:?}: class not in [speeds]{}",
                    if c == FERRY_CLASS {
                        " (or add a [ferry] table)"
                    } else {
                        ""
                    }
                ));
            }
        }
        Ok(())
    }

    /// Index of `class` in [`Profile::class_names`].
    pub fn class_index(&self, class: &str) -> Option<u8> {
        self.class_names
            .iter()
            .position(|c| c == class)
            .map(|i| i as u8)
    }

    /// Decides whether a way with these OSM tags is travelled and how.
    pub fn decide(&self, tags: &[(&str, &str)]) -> Result<Decision, SkipReason> {
        let tag = |k: &str| tags.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
        let highway = tag("highway");
        let is_ferry = tag("route") == Some("ferry");
        if highway.is_none() && !is_ferry {
            return Err("not a highway or ferry".into());
        }
        if tag("area") == Some("yes") {
            return Err("area=yes (a surface, not a line)".into());
        }
        if let Some(h) = highway.filter(|h| NOT_BUILT.contains(h)) {
            return Err(format!("highway={h} (not open to traffic)").into());
        }
        let mut end_only = false;
        if let Some(key) = self.access_keys.iter().find(|k| tag(k).is_some()) {
            let value = tag(key).unwrap_or_default();
            if self.access_denied.iter().any(|d| d == value) {
                return Err(format!("{key}={value}").into());
            }
            end_only |= self
                .end_only
                .as_ref()
                .is_some_and(|e| e.access.iter().any(|a| a == value));
        }
        if let Some(e) = &self.end_only {
            end_only |= tag("service").is_some_and(|s| e.service.iter().any(|v| v == s))
                || highway.is_some_and(|h| e.classes.iter().any(|c| c == h));
        }
        let mut notes = Vec::new();
        let dir = if self.honour_oneway {
            let implied = matches!(tag("junction"), Some("roundabout" | "circular"))
                || highway.is_some_and(|h| !is_ferry && self.implied_oneway.iter().any(|c| c == h));
            oneway_direction(tag("oneway"), implied, &mut notes)?
        } else {
            Direction::Both
        };
        if is_ferry {
            return self.ferry_decision(dir, tag("duration"), notes);
        }
        let class_name = highway.unwrap_or_default();
        let class = self
            .class_index(class_name)
            .filter(|_| self.speeds.contains_key(class_name))
            .ok_or_else(|| format!("highway={class_name} not used by profile {}", self.name))?;
        let base = self.speeds[class_name];
        let mut limit = |key: &str| -> Option<f64> {
            if !self.honour_maxspeed {
                return None;
            }
            match tag(key).map(|v| parse_maxspeed(v, &self.maxspeed_values)) {
                Some(MaxSpeed::Kmh(v)) => Some(v),
                Some(MaxSpeed::Unknown) => {
                    notes.push("maxspeed not understood (class speed used)");
                    None
                }
                Some(MaxSpeed::KeepClass) | None => None,
            }
        };
        let tagged = limit("maxspeed");
        let general = tagged.unwrap_or(base);
        let fwd_tag = limit("maxspeed:forward");
        let bwd_tag = limit("maxspeed:backward");
        let class_speed = tagged.is_none() && fwd_tag.is_none() && bwd_tag.is_none();
        let (fwd, bwd) = (fwd_tag.unwrap_or(general), bwd_tag.unwrap_or(general));
        let f = self.speed_factor
            * match &self.end_only {
                Some(e) if end_only => e.factor,
                _ => 1.0,
            };
        let mut d = self.with_direction(class, fwd * f, bwd * f, dir, notes);
        d.attrs.class_speed = class_speed;
        Ok(d)
    }

    /// Decides whether a line feature is travelled, from its attributes read through a
    /// field mapping; `value` returns the value of the first present candidate field.
    pub fn decide_mapped(
        &self,
        m: &FieldMapping,
        value: &dyn Fn(&[String]) -> Option<String>,
    ) -> Result<Decision, SkipReason> {
        for rule in &m.exclude {
            if let Some(v) = value(&rule.field).filter(|v| rule.values.contains(v)) {
                return Err(format!("{}={v}", rule.field[0]).into());
            }
        }
        let raw_class = value(&m.class_field).unwrap_or_default();
        let class_name = m.class_values.get(&raw_class).ok_or_else(|| {
            format!(
                "{}={raw_class:?} not used by profile {}",
                m.class_field[0], self.name
            )
        })?;
        let mut notes = Vec::new();
        let dir = if self.honour_oneway {
            match value(&m.direction_field) {
                Some(v) => match m.direction_values.get(&v) {
                    Some(d) => *d,
                    None => {
                        notes.push("direction value not understood (two-way assumed)");
                        Direction::Both
                    }
                },
                None => Direction::Both,
            }
        } else {
            Direction::Both
        };
        if dir == Direction::Closed {
            return Err(format!("{}: closed to traffic", m.direction_field[0]).into());
        }
        if class_name == FERRY_CLASS && !self.speeds.contains_key(FERRY_CLASS) {
            return self.ferry_decision(dir, None, notes);
        }
        let class = self.class_index(class_name).unwrap_or_default();
        let mut speed = self.speeds[class_name];
        let mut class_speed = true;
        if self.honour_maxspeed {
            if let Some(v) = value(&m.speed_field) {
                match v.trim().parse::<f64>() {
                    Ok(s) if s.is_finite() && s > 0.0 && s <= MAX_PLAUSIBLE_KMH => {
                        speed = s;
                        class_speed = false;
                    }
                    Ok(s) if s > MAX_PLAUSIBLE_KMH => {
                        notes.push("speed value not understood (class speed used)")
                    }
                    Ok(_) => {}
                    Err(_) => notes.push("speed value not understood (class speed used)"),
                }
            }
        }
        let f = self.speed_factor;
        let mut d = self.with_direction(class, speed * f, speed * f, dir, notes);
        d.attrs.class_speed = class_speed;
        Ok(d)
    }

    /// A ferry crossing: fixed duration when given, else timed at the ferry speed; both
    /// plus boarding.
    fn ferry_decision(
        &self,
        dir: Direction,
        duration: Option<&str>,
        mut notes: Vec<&'static str>,
    ) -> Result<Decision, SkipReason> {
        let ferry = self
            .ferry
            .as_ref()
            .ok_or_else(|| format!("route=ferry not used by profile {}", self.name))?;
        let class = self.class_index(FERRY_CLASS).unwrap_or_default();
        let factor = self.class_factors.get(FERRY_CLASS).copied().unwrap_or(1.0);
        let mut d = self.with_direction(
            class,
            ferry.speed_kmh * factor,
            ferry.speed_kmh * factor,
            dir,
            Vec::new(),
        );
        let crossing = duration.and_then(|v| {
            let s = parse_duration(v).filter(|&s| s <= MAX_PLAUSIBLE_FERRY_S);
            if s.is_none() {
                notes.push("ferry duration not understood (ferry speed used)");
            }
            s
        });
        match crossing {
            Some(s) => d.attrs.duration_s = Some((s + ferry.boarding_s) as f32),
            None => d.boarding_s = Some(ferry.boarding_s as f32),
        }
        d.notes = notes;
        Ok(d)
    }

    /// Attributes with the closed direction's speed set to 0.
    fn with_direction(
        &self,
        class: u8,
        fwd: f64,
        bwd: f64,
        dir: Direction,
        notes: Vec<&'static str>,
    ) -> Decision {
        let (f, b) = match dir {
            Direction::Both => (fwd, bwd),
            Direction::Forward => (fwd, 0.0),
            Direction::Backward => (0.0, bwd),
            Direction::Closed => (0.0, 0.0),
        };
        Decision {
            attrs: WayAttrs {
                class,
                speed_fwd_kmh: f as f32,
                speed_bwd_kmh: b as f32,
                duration_s: None,
                class_speed: false,
            },
            boarding_s: None,
            notes,
        }
    }
}

/// Direction of travel from an OSM `oneway` value, `implied` saying whether the way is
/// one-way without a tag (roundabouts, motorways); unknown values keep the implied rule
/// and are noted.
fn oneway_direction(
    value: Option<&str>,
    implied: bool,
    notes: &mut Vec<&'static str>,
) -> Result<Direction, SkipReason> {
    let default = if implied {
        Direction::Forward
    } else {
        Direction::Both
    };
    Ok(match value {
        None => default,
        Some("yes" | "1" | "true") => Direction::Forward,
        Some("-1" | "reverse") => Direction::Backward,
        Some("no" | "false" | "0") => Direction::Both,
        Some(v @ ("reversible" | "alternating")) => {
            return Err(format!("oneway={v} (direction varies)").into())
        }
        Some(_) => {
            notes.push("oneway value not understood (default direction used)");
            default
        }
    })
}

/// Parses an OSM `maxspeed` value: plain km/h (`50`, `50 km/h`, `50 kmh`), `mph`
/// (× 1.609344) or `knots` (× 1.852), symbolic values from `symbolic` (`FR:urban`, `walk`),
/// zone values `XX:zoneNN` / `XX:zone:NN`, and lists `50;30` (the lowest limit wins);
/// `none`, `signals` and `variable` keep the class speed.
pub fn parse_maxspeed(value: &str, symbolic: &BTreeMap<String, f64>) -> MaxSpeed {
    if value.contains(';') {
        let parts: Vec<MaxSpeed> = value
            .split(';')
            .map(|p| parse_maxspeed(p, symbolic))
            .collect();
        let lowest = parts
            .iter()
            .filter_map(|p| match p {
                MaxSpeed::Kmh(v) => Some(*v),
                _ => None,
            })
            .reduce(f64::min);
        return match lowest {
            Some(v) => MaxSpeed::Kmh(v),
            None if parts.contains(&MaxSpeed::Unknown) => MaxSpeed::Unknown,
            None => MaxSpeed::KeepClass,
        };
    }
    let v = value.trim();
    if let Some(&kmh) = symbolic.get(v) {
        return MaxSpeed::Kmh(kmh);
    }
    if matches!(v, "none" | "signals" | "variable") {
        return MaxSpeed::KeepClass;
    }
    if let Some((_, zone)) = v.split_once(":zone") {
        return positive_kmh(zone.trim_start_matches(':'), 1.0);
    }
    let (number, factor) = if let Some(n) = v.strip_suffix("mph") {
        (n, 1.609_344)
    } else if let Some(n) = v.strip_suffix("knots") {
        (n, 1.852)
    } else if let Some(n) = v
        .strip_suffix("km/h")
        .or_else(|| v.strip_suffix("kmh"))
        .or_else(|| v.strip_suffix("kph"))
    {
        (n, 1.0)
    } else {
        (v, 1.0)
    };
    positive_kmh(number.trim(), factor)
}

/// `number × factor` km/h when it is positive and at most [`MAX_PLAUSIBLE_KMH`], else
/// unknown.
fn positive_kmh(number: &str, factor: f64) -> MaxSpeed {
    match number.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 && n * factor <= MAX_PLAUSIBLE_KMH => {
            MaxSpeed::Kmh(n * factor)
        }
        _ => MaxSpeed::Unknown,
    }
}

/// Parses an OSM `duration` value into seconds: `MM` (minutes, possibly decimal),
/// `HH:MM`, `HH:MM:SS`, or ISO 8601 `PT1H30M` / `P1DT2H` / `PT45S`. `None` when not
/// understood (minutes and seconds of the colon forms must be below 60).
pub fn parse_duration(value: &str) -> Option<f64> {
    let v = value.trim();
    if let Some(iso) = v.strip_prefix('P') {
        return parse_iso_duration(iso);
    }
    let parts: Vec<&str> = v.split(':').collect();
    let num = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0)
    };
    let secs = match parts.as_slice() {
        [m] => num(m)? * 60.0,
        [h, m] => {
            let m = num(m).filter(|m| *m < 60.0)?;
            num(h)? * 3600.0 + m * 60.0
        }
        [h, m, s] => {
            let m = num(m).filter(|m| *m < 60.0)?;
            let s = num(s).filter(|s| *s < 60.0)?;
            num(h)? * 3600.0 + m * 60.0 + s
        }
        _ => return None,
    };
    Some(secs)
}

/// Seconds of the part of an ISO 8601 duration after `P` (`1DT2H30M`, `T45M`…).
fn parse_iso_duration(iso: &str) -> Option<f64> {
    let (date, time) = match iso.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (iso, None),
    };
    let mut total = 0.0;
    let mut any = false;
    for (part, units) in [
        (date, &[('D', 86_400.0)][..]),
        (
            time.unwrap_or(""),
            &[('H', 3600.0), ('M', 60.0), ('S', 1.0)][..],
        ),
    ] {
        let mut rest = part;
        for &(unit, secs) in units {
            if let Some((n, tail)) = rest.split_once(unit) {
                let n: f64 = n
                    .parse()
                    .ok()
                    .filter(|x: &f64| x.is_finite() && *x >= 0.0)?;
                total += n * secs;
                any = true;
                rest = tail;
            }
        }
        if !rest.is_empty() {
            return None;
        }
    }
    if time == Some("") {
        return None;
    }
    any.then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn car() -> Profile {
        Profile::builtin("car").unwrap()
    }

    fn walk() -> Profile {
        Profile::builtin("walk").unwrap()
    }

    #[test]
    fn builtin_profiles_load_and_unknown_names_are_explained() {
        for n in BUILTIN_NAMES {
            assert_eq!(Profile::builtin(n).unwrap().name, n);
            assert_eq!(Profile::resolve(n).unwrap().name, n);
        }
        let e = Profile::resolve("bicycle").unwrap_err().to_string();
        assert!(e.contains("car, car-peak, walk, car-bdtopo"), "{e}");
    }

    #[test]
    fn maxspeed_values_are_parsed() {
        let sym = car().maxspeed_values;
        let cases: [(&str, MaxSpeed); 18] = [
            ("50", MaxSpeed::Kmh(50.0)),
            ("50 km/h", MaxSpeed::Kmh(50.0)),
            ("70kmh", MaxSpeed::Kmh(70.0)),
            ("30 mph", MaxSpeed::Kmh(30.0 * 1.609_344)),
            ("10 knots", MaxSpeed::Kmh(18.52)),
            ("FR:urban", MaxSpeed::Kmh(50.0)),
            ("FR:rural", MaxSpeed::Kmh(80.0)),
            ("FR:zone30", MaxSpeed::Kmh(30.0)),
            ("DE:zone:20", MaxSpeed::Kmh(20.0)),
            ("FR:motorway", MaxSpeed::Kmh(130.0)),
            ("walk", MaxSpeed::Kmh(6.0)),
            ("none", MaxSpeed::KeepClass),
            ("signals", MaxSpeed::KeepClass),
            ("50;30", MaxSpeed::Kmh(30.0)),
            ("fast", MaxSpeed::Unknown),
            ("0", MaxSpeed::Unknown),
            ("1e308", MaxSpeed::Unknown),
            ("inf", MaxSpeed::Unknown),
        ];
        for (v, expected) in cases {
            assert_eq!(parse_maxspeed(v, &sym), expected, "{v}");
        }
        assert_eq!(parse_maxspeed("none;signals", &sym), MaxSpeed::KeepClass);
        assert_eq!(parse_maxspeed("x;y", &sym), MaxSpeed::Unknown);
    }

    #[test]
    fn durations_are_parsed() {
        let cases: [(&str, Option<f64>); 12] = [
            ("30", Some(1800.0)),
            ("1.5", Some(90.0)),
            ("00:30", Some(1800.0)),
            ("1:05", Some(3900.0)),
            ("01:00:30", Some(3630.0)),
            ("PT1H30M", Some(5400.0)),
            ("PT45S", Some(45.0)),
            ("P1DT1H", Some(90_000.0)),
            ("PT", None),
            ("00:75", None),
            ("soon", None),
            ("1:2:3:4", None),
        ];
        for (v, expected) in cases {
            assert_eq!(parse_duration(v), expected, "{v}");
        }
    }

    #[test]
    fn implausible_speeds_and_durations_are_not_understood() {
        let p = car();
        let d = p
            .decide(&[("highway", "primary"), ("maxspeed", "1e308")])
            .unwrap();
        assert_eq!(d.notes, vec!["maxspeed not understood (class speed used)"]);
        assert_eq!(d.attrs.speed_fwd_kmh, 80.0);
        assert!(d.attrs.class_speed);
        let f = p
            .decide(&[("route", "ferry"), ("duration", "99999999:00")])
            .unwrap();
        assert_eq!(
            f.notes,
            vec!["ferry duration not understood (ferry speed used)"]
        );
        assert_eq!(f.attrs.duration_s, None);
        assert_eq!(f.boarding_s, Some(600.0));
    }

    #[test]
    fn the_peak_profile_is_car_with_lower_delay_factors() {
        let (off, peak) = (car(), Profile::builtin("car-peak").unwrap());
        let urban = |p: &Profile| p.urban.as_ref().unwrap().factors.clone();
        for (a, b) in [
            (&off.class_factors, &peak.class_factors),
            (&urban(&off), &urban(&peak)),
        ] {
            assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
            assert!(a.iter().all(|(c, f)| b[c] < *f), "{a:?} vs {b:?}");
        }
        let mut same = peak.clone();
        same.name = off.name.clone();
        same.description = off.description.clone();
        same.class_factors = off.class_factors.clone();
        same.urban.as_mut().unwrap().factors = urban(&off);
        assert_eq!(same, off);
    }

    #[test]
    fn end_only_ways_are_kept_and_slowed() {
        let p = car();
        let factor = p.end_only.as_ref().unwrap().factor as f32;
        let speed = |tags: &[(&str, &str)]| p.decide(tags).unwrap().attrs.speed_fwd_kmh;
        let open = speed(&[("highway", "service")]);
        for tags in [
            [("highway", "service"), ("access", "private")],
            [("highway", "service"), ("motor_vehicle", "destination")],
            [("highway", "service"), ("service", "parking_aisle")],
            [("highway", "service"), ("service", "driveway")],
        ] {
            assert_eq!(speed(&tags), open * factor, "{tags:?}");
        }
        // The deciding key is the first present: motorcar=yes overrides access=private.
        assert_eq!(
            speed(&[
                ("highway", "service"),
                ("access", "private"),
                ("motorcar", "yes")
            ]),
            open
        );
        let track = p.decide(&[("highway", "track")]).unwrap().attrs;
        assert_eq!(track.speed_fwd_kmh, p.speeds["track"] as f32 * factor);
        assert!(track.class_speed);
        // A tagged maxspeed is no class speed.
        let tagged = p.decide(&[("highway", "primary"), ("maxspeed", "70")]);
        assert!(!tagged.unwrap().attrs.class_speed);
    }

    #[test]
    fn urban_and_end_only_tables_are_checked() {
        let bad = CAR_TOML.replace("[urban.speeds]\n", "[urban.speeds]\nbus_stop = 10\n");
        let e = Profile::from_toml_str(&bad, "t").unwrap_err().to_string();
        assert!(e.contains("urban.speeds.bus_stop"), "{e}");
        let bad = CAR_TOML.replace("factor = 0.25", "factor = 1.5");
        let e = Profile::from_toml_str(&bad, "t").unwrap_err().to_string();
        assert!(e.contains("end_only.factor must be in (0, 1]"), "{e}");
    }

    #[test]
    fn oneway_rules() {
        let p = car();
        let d = |tags: &[(&str, &str)]| {
            p.decide(tags)
                .map(|d| (d.attrs.speed_fwd_kmh > 0.0, d.attrs.speed_bwd_kmh > 0.0))
        };
        let r = ("highway", "residential");
        assert_eq!(d(&[r]), Ok((true, true)));
        assert_eq!(d(&[r, ("oneway", "yes")]), Ok((true, false)));
        assert_eq!(d(&[r, ("oneway", "1")]), Ok((true, false)));
        assert_eq!(d(&[r, ("oneway", "-1")]), Ok((false, true)));
        assert!(d(&[r, ("oneway", "reversible")]).is_err());
        assert_eq!(d(&[r, ("junction", "roundabout")]), Ok((true, false)));
        assert_eq!(
            d(&[r, ("junction", "roundabout"), ("oneway", "no")]),
            Ok((true, true))
        );
        assert_eq!(d(&[("highway", "motorway")]), Ok((true, false)));
        assert_eq!(
            d(&[("highway", "motorway_link"), ("oneway", "no")]),
            Ok((true, true))
        );
        let w = walk();
        let dw = w
            .decide(&[r, ("oneway", "yes"), ("junction", "roundabout")])
            .unwrap();
        assert!(dw.attrs.speed_fwd_kmh > 0.0 && dw.attrs.speed_bwd_kmh > 0.0);
    }

    #[test]
    fn access_follows_key_priority() {
        let p = car();
        let r = ("highway", "service");
        assert_eq!(p.decide(&[r, ("access", "no")]).unwrap_err(), "access=no");
        assert!(p.decide(&[r, ("access", "destination")]).is_ok());
        assert!(p
            .decide(&[r, ("access", "no"), ("motor_vehicle", "yes")])
            .is_ok());
        assert_eq!(
            p.decide(&[r, ("access", "yes"), ("motorcar", "no")])
                .unwrap_err(),
            "motorcar=no"
        );
        let w = walk();
        assert!(w
            .decide(&[("highway", "footway"), ("access", "no"), ("foot", "yes")])
            .is_ok());
        assert!(w
            .decide(&[("highway", "footway"), ("foot", "private")])
            .is_err());
        // A car restriction does not concern walkers.
        assert!(w.decide(&[r, ("motor_vehicle", "no")]).is_ok());
    }

    #[test]
    fn classes_areas_and_works_are_excluded() {
        let p = car();
        assert_eq!(
            p.decide(&[("building", "yes")]).unwrap_err(),
            "not a highway or ferry"
        );
        assert!(p
            .decide(&[("highway", "footway")])
            .unwrap_err()
            .contains("not used by profile car"));
        assert!(p
            .decide(&[("highway", "construction")])
            .unwrap_err()
            .contains("not open"));
        assert!(p
            .decide(&[("highway", "residential"), ("area", "yes")])
            .is_err());
        let w = walk();
        assert!(w.decide(&[("highway", "motorway")]).is_err());
        assert!(w.decide(&[("highway", "trunk_link")]).is_err());
        for h in [
            "footway",
            "path",
            "steps",
            "pedestrian",
            "living_street",
            "residential",
            "primary",
        ] {
            let d = w.decide(&[("highway", h), ("maxspeed", "50")]).unwrap();
            assert_eq!(d.attrs.speed_fwd_kmh, 4.5, "{h}");
        }
    }

    #[test]
    fn speeds_use_maxspeed_then_the_global_factor() {
        let p = car();
        let s = |tags: &[(&str, &str)]| {
            let a = p.decide(tags).unwrap().attrs;
            (a.speed_fwd_kmh, a.speed_bwd_kmh)
        };
        assert_eq!(s(&[("highway", "primary")]), (80.0, 80.0));
        assert_eq!(
            s(&[("highway", "primary"), ("maxspeed", "none")]),
            (80.0, 80.0)
        );
        assert_eq!(
            s(&[("highway", "primary"), ("maxspeed", "36")]),
            (36.0, 36.0)
        );
        assert_eq!(
            s(&[
                ("highway", "primary"),
                ("maxspeed", "70"),
                ("maxspeed:backward", "50")
            ]),
            (70.0, 50.0)
        );
        let d = p
            .decide(&[("highway", "primary"), ("maxspeed", "vite")])
            .unwrap();
        assert_eq!(d.attrs.speed_fwd_kmh, 80.0);
        assert_eq!(d.notes, vec!["maxspeed not understood (class speed used)"]);
        // The global factor applies at read time; class factors depend on the built-up
        // context and apply once positions are known (network::context).
        let text = CAR_TOML.replace("speed_factor = 1.0", "speed_factor = 0.5");
        let slow = Profile::from_toml_str(&text, "test").unwrap();
        let a = slow
            .decide(&[("highway", "primary"), ("maxspeed", "80")])
            .unwrap()
            .attrs;
        assert_eq!(a.speed_fwd_kmh, 40.0);
        assert!(!a.class_speed);
    }

    #[test]
    fn ferries_take_duration_or_speed_plus_boarding() {
        let p = car();
        let d = p
            .decide(&[("route", "ferry"), ("duration", "00:30")])
            .unwrap();
        assert_eq!(d.attrs.duration_s, Some(2400.0));
        assert_eq!(p.class_names[usize::from(d.attrs.class)], FERRY_CLASS);
        let d = p.decide(&[("route", "ferry")]).unwrap();
        assert_eq!(d.attrs.duration_s, None);
        // 10 km at 20 km/h = 30 min, plus 10 min boarding.
        assert_eq!(d.finish(10_000.0).duration_s, Some(2400.0));
        assert!(d.is_timed());
        let d = p
            .decide(&[("route", "ferry"), ("duration", "a while")])
            .unwrap();
        assert_eq!(
            d.notes,
            vec!["ferry duration not understood (ferry speed used)"]
        );
        assert_eq!(
            p.decide(&[("route", "ferry"), ("motor_vehicle", "no")])
                .unwrap_err(),
            "motor_vehicle=no"
        );
    }

    #[test]
    fn bdtopo_fields_are_mapped() {
        let p = Profile::builtin("car-bdtopo").unwrap();
        let Some(LinesMapping::Fields(m)) = &p.lines else {
            panic!("car-bdtopo maps fields")
        };
        let feature = |vals: &'static [(&'static str, &'static str)]| {
            move |names: &[String]| {
                names.iter().find_map(|n| {
                    vals.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(n))
                        .map(|(_, v)| v.to_string())
                })
            }
        };
        let d = p
            .decide_mapped(
                m,
                &feature(&[
                    ("NATURE", "Route à 1 chaussée"),
                    ("SENS", "Sens inverse"),
                    ("VIT_MOY_VL", "40"),
                ]),
            )
            .unwrap();
        assert_eq!((d.attrs.speed_fwd_kmh, d.attrs.speed_bwd_kmh), (0.0, 40.0));
        let d = p
            .decide_mapped(
                m,
                &feature(&[("NATURE", "Rond-point"), ("SENS", "Sens direct")]),
            )
            .unwrap();
        assert!(d.attrs.speed_fwd_kmh > 0.0 && d.attrs.speed_bwd_kmh == 0.0);
        let d = p
            .decide_mapped(
                m,
                &feature(&[("NATURE", "Route à 2 chaussées"), ("SENS", "Double sens")]),
            )
            .unwrap();
        assert_eq!(d.attrs.speed_bwd_kmh, 80.0);
        assert!(p
            .decide_mapped(m, &feature(&[("NATURE", "Sentier")]))
            .is_err());
        let e = p
            .decide_mapped(
                m,
                &feature(&[
                    ("NATURE", "Route à 1 chaussée"),
                    ("ACCES_VL", "Physiquement impossible"),
                ]),
            )
            .unwrap_err();
        assert_eq!(e, "ACCES_VL=Physiquement impossible");
        let d = p
            .decide_mapped(m, &feature(&[("NATURE", "Bac ou liaison maritime")]))
            .unwrap();
        assert!(d.is_timed());
    }

    #[test]
    fn toml_errors_name_the_origin_and_the_problem() {
        let e = Profile::from_toml_str("name = \"x\"\nspeedz = 3\n", "my.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("my.toml:") && e.contains("speedz"), "{e}");
        let bad = CAR_TOML.replace("primary = 80", "primary = -80");
        let e = Profile::from_toml_str(&bad, "neg.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("speeds.primary must be a positive"), "{e}");
        let bad = CAR_TOML.replace("snap_excluded = [", "snap_excluded = [\"highway\", ");
        let e = Profile::from_toml_str(&bad, "snap.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("snap_excluded: class \"highway\""), "{e}");
        let e = Profile::from_toml_str("name = [", "broken.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1"), "{e}");
    }

    #[test]
    fn skip_counts_merge_and_sort() {
        let mut a = SkipCounts::default();
        a.add("b");
        a.add("a");
        let mut b = SkipCounts::default();
        b.add_n("b", 2);
        a.merge(b);
        assert_eq!(a.get("b"), 3);
        assert_eq!(
            a.into_vec(),
            vec![("a".to_string(), 1), ("b".to_string(), 3)]
        );
    }
}
