//! Reader of the FINESS extraction published by Etalab, `etalab-cs1100507-stock-*.csv`
//! (établissements with their geolocation), and the mapping of its category codes
//! (`categetab`) to categories of care.
//!
//! Layout as published (data.gouv.fr, "FINESS Extraction du Fichier des établissements",
//! description of the cs1100507 file; project notes `DOMAIN.md`): `;`-separated, no header,
//! no quoting. The first line may be a metadata line `finess;etalab;<version>;<date>`
//! (skipped and counted). Then two kinds of lines:
//! - `structureet` with 31 fields, or 32 since `numuai` was appended:
//!   `structureet;nofinesset;nofinessej;rs;rslongue;complrs;compldistrib;numvoie;typvoie;voie;
//!   compvoie;lieuditbp;commune;departement;libdepartement;ligneacheminement;telephone;
//!   telecopie;categetab;libcategetab;categagretab;libcategagretab;siret;codeape;codemft;
//!   libmft;codesph;libsph;dateouv;dateautor;datemaj[;numuai]`;
//! - `geolocalisation;nofinesset;coordxet;coordyet;sourcecoordet;datemaj` (6 fields), joined
//!   to the structure on `nofinesset`.
//!
//! Encoding: UTF-8 in recent files, ISO-8859-15 in older ones. A file that is not valid
//! UTF-8 is decoded whole as ISO-8859-15 ([`decode`]).
//!
//! Coordinates: the projection is the last comma-separated item of `sourcecoordet`
//! (`"1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93"`), see [`projection_epsg`]:
//! `LAMBERT_93` → EPSG:2154 (metropolitan France), `UTM_N20` → EPSG:5490 (RGAF09 / UTM 20N,
//! Guadeloupe and Martinique), `UTM_N21` → EPSG:4467 (RGSPM06 / UTM 21N, Saint-Pierre-et-
//! Miquelon), `UTM_N22` → EPSG:2972 (RGFG95 / UTM 22N, Guyane), `UTM_S38` → EPSG:4471
//! (RGM04 / UTM 38S, Mayotte), `UTM_S40` → EPSG:2975 (RGR92 / UTM 40S, Réunion). When
//! `sourcecoordet` names no projection, the one of the structure's département is taken
//! (the same table, by département). Coordinates are converted to WGS84 through
//! [`crate::support::crs::Reprojector`].
//!
//! Commune code: FINESS splits the INSEE code into `departement` (2 characters) and
//! `commune` (3 digits); see [`commune_insee`] for the rule, including Corsica (`2A`, `2B`)
//! and the overseas départements (`9A`…`9F`).
//!
//! Rows: a structure without a geolocation line, or whose coordinates cannot be read or
//! projected, is kept with `lon`/`lat` `None` and also written to the rejects with a reason
//! starting with "no coordinates" (it can be geocoded from its address later). A
//! geolocation line whose structure is absent, a line with an unknown kind or a wrong field
//! count, an invalid `nofinesset`, an unusable commune code and a repeated structure or
//! geolocation are rejects (file, line, id, reason).

use crate::inputs::geocode::Address;
use crate::support::crs::{CrsError, Reprojector, LAMBERT93_EPSG};
use crate::support::rejects::Rejects;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

/// Errors that stop reading a FINESS file (bad lines are rejects, not errors).
#[derive(Debug, thiserror::Error)]
pub enum FinessError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
}

/// Errors in a FINESS category mapping.
#[derive(Debug, thiserror::Error)]
pub enum FinessCategoryError {
    /// The TOML text could not be parsed.
    #[error("FINESS category mapping: {0}")]
    Toml(#[from] toml::de::Error),
    /// A category has an empty name.
    #[error("FINESS category mapping: a category has an empty name")]
    EmptyName,
    /// Two categories share a name.
    #[error("FINESS category mapping: category {0:?} is defined twice")]
    Duplicate(String),
    /// A category lists no `categetab` code.
    #[error("FINESS category mapping: category {0:?} lists no categetab code")]
    NoCode(String),
    /// A code is listed by two categories.
    #[error("FINESS category mapping: categetab {code:?} is in both {first:?} and {second:?}")]
    SharedCode {
        /// The code.
        code: String,
        /// First category listing it.
        first: String,
        /// Second category listing it.
        second: String,
    },
}

/// One category of FINESS establishments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinessCategory {
    /// Name used in outputs ("hospital", "msp").
    pub name: String,
    /// `categetab` codes of the category ("355", "101"…).
    pub codes: Vec<String>,
}

/// Mapping of `categetab` codes to categories of care. Serialised as `[[category]]` TOML
/// tables (`name`, `codes`). A code in no category leaves the structure without category.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinessCategories {
    /// The categories.
    #[serde(rename = "category", default)]
    pub categories: Vec<FinessCategory>,
}

impl FinessCategories {
    /// The defaults of the domain notes (`DOMAIN.md`): 124 centre de santé → `health_centre`,
    /// 603 maison de santé → `msp`, 355 / 101 / 108 (CH, CHR, CHU) → `hospital`,
    /// 620 → `pharmacy`, 619 → `imaging`, 611 → `laboratory`, 500 → `ehpad`, 604 → `cpts`.
    pub fn default_french() -> Self {
        let cat = |name: &str, codes: &[&str]| FinessCategory {
            name: name.to_string(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
        };
        FinessCategories {
            categories: vec![
                cat("health_centre", &["124"]),
                cat("msp", &["603"]),
                cat("hospital", &["355", "101", "108"]),
                cat("pharmacy", &["620"]),
                cat("imaging", &["619"]),
                cat("laboratory", &["611"]),
                cat("ehpad", &["500"]),
                cat("cpts", &["604"]),
            ],
        }
    }

    /// Parses and checks a mapping written as `[[category]]` TOML tables.
    pub fn from_toml_str(text: &str) -> Result<Self, FinessCategoryError> {
        let map: FinessCategories = toml::from_str(text)?;
        map.validate()?;
        Ok(map)
    }

    /// Checks that names are non-empty and unique, that each category lists a code and that
    /// no code is in two categories.
    pub fn validate(&self) -> Result<(), FinessCategoryError> {
        let mut names = std::collections::HashSet::new();
        let mut owner: HashMap<&str, &str> = HashMap::new();
        for c in &self.categories {
            if c.name.trim().is_empty() {
                return Err(FinessCategoryError::EmptyName);
            }
            if !names.insert(c.name.as_str()) {
                return Err(FinessCategoryError::Duplicate(c.name.clone()));
            }
            if c.codes.is_empty() {
                return Err(FinessCategoryError::NoCode(c.name.clone()));
            }
            for code in &c.codes {
                if let Some(first) = owner.insert(code.as_str(), c.name.as_str()) {
                    return Err(FinessCategoryError::SharedCode {
                        code: code.clone(),
                        first: first.to_string(),
                        second: c.name.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Name of the category holding `categetab` code `code`, if any.
    pub fn category_of(&self, code: &str) -> Option<&str> {
        self.categories
            .iter()
            .find(|c| c.codes.iter().any(|k| k == code))
            .map(|c| c.name.as_str())
    }
}

/// One FINESS establishment (`structureet` line) with its position when known.
#[derive(Clone, Debug, PartialEq)]
pub struct Structure {
    /// `nofinesset`, the establishment's FINESS number (9 characters).
    pub finess: String,
    /// `nofinessej`, the FINESS number of its legal entity.
    pub finess_ej: String,
    /// `rs`, short name.
    pub name: String,
    /// `categetab`, category code ("124"…).
    pub category_code: String,
    /// `libcategetab`, category label.
    pub category_label: String,
    /// Category of care from the [`FinessCategories`]; `None` when its code is in none.
    pub category: Option<String>,
    /// 5-character INSEE commune code built by [`commune_insee`].
    pub commune_insee: String,
    /// Address: `numvoie`, `compvoie`, `typvoie`, `voie`, postcode and commune name from
    /// `ligneacheminement` ("93140 BONDY"), and [`Structure::commune_insee`].
    pub address: Address,
    /// `siret`, when given.
    pub siret: Option<String>,
    /// Longitude, WGS84 degrees, when the geolocation was read and projected.
    pub lon: Option<f64>,
    /// Latitude, WGS84 degrees, when the geolocation was read and projected.
    pub lat: Option<f64>,
    /// 1-based line of the `structureet` line in the file.
    pub line: u64,
}

/// What reading a FINESS file did with its lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FinessSummary {
    /// Encoding the file was decoded with ("UTF-8" or "ISO-8859-15").
    pub encoding: &'static str,
    /// `finess;etalab;…` metadata lines skipped.
    pub metadata_lines: u64,
    /// `structureet` lines read.
    pub structure_lines: u64,
    /// `geolocalisation` lines read.
    pub geolocation_lines: u64,
    /// Structures kept.
    pub structures: u64,
    /// Structures kept with WGS84 coordinates.
    pub located: u64,
    /// Structures kept without coordinates (also in the rejects).
    pub without_coordinates: u64,
    /// Geolocation lines whose structure is absent (rejected).
    pub orphan_geolocations: u64,
    /// Malformed, unknown or repeated lines (rejected).
    pub rejected_lines: u64,
    /// Structures kept per category of care; `""` for codes in no category.
    pub per_category: BTreeMap<String, u64>,
}

impl fmt::Display for FinessSummary {
    /// One line with the totals, then one indented line per category.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "finess ({}): {} structure and {} geolocation lines ({} metadata skipped) → {} structures kept, {} located, {} without coordinates; {} orphan geolocations, {} lines rejected",
            self.encoding,
            self.structure_lines,
            self.geolocation_lines,
            self.metadata_lines,
            self.structures,
            self.located,
            self.without_coordinates,
            self.orphan_geolocations,
            self.rejected_lines
        )?;
        for (category, n) in &self.per_category {
            let name = if category.is_empty() {
                "(no category)"
            } else {
                category
            };
            write!(f, "\n  {name}: {n}")?;
        }
        Ok(())
    }
}

/// The 5-character INSEE commune code from FINESS `departement` and `commune` fields.
///
/// Rule: `commune` must be 3 digits. A metropolitan département (`01`…`95` except `20`,
/// or `2A` / `2B` for Corsica) is prefixed: `93` + `010` → `93010`, `2A` + `004` → `2A004`.
/// The overseas départements are coded `9A` Guadeloupe (971), `9B` Martinique (972),
/// `9C` Guyane (973), `9D` La Réunion (974), `9E` Saint-Pierre-et-Miquelon (975), `9F`
/// Mayotte (976), and their `commune` holds the last 3 digits of the INSEE code, whose first
/// is the département's third digit: `9D` + `411` → `97411`. A 3-digit département
/// (`971`…`976`) is accepted the same way. The error says why a pair is refused.
pub fn commune_insee(departement: &str, commune: &str) -> Result<String, String> {
    let dep = departement.trim();
    let com = commune.trim();
    if com.len() != 3 || !com.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("commune {com:?} is not 3 digits"));
    }
    let overseas_digit = match dep {
        "9A" | "971" => Some(b'1'),
        "9B" | "972" => Some(b'2'),
        "9C" | "973" => Some(b'3'),
        "9D" | "974" => Some(b'4'),
        "9E" | "975" => Some(b'5'),
        "9F" | "976" => Some(b'6'),
        _ => None,
    };
    if let Some(digit) = overseas_digit {
        if com.as_bytes()[0] != digit {
            return Err(format!(
                "commune {com:?} does not start with {} as département {dep:?} requires",
                digit as char
            ));
        }
        return Ok(format!("97{com}"));
    }
    let metropolitan = match dep.as_bytes() {
        [b'2', b'A' | b'B'] => true,
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            let n = (a - b'0') * 10 + (b - b'0');
            (1..=95).contains(&n) && n != 20
        }
        _ => false,
    };
    if metropolitan {
        Ok(format!("{dep}{com}"))
    } else {
        Err(format!("unknown département code {dep:?}"))
    }
}

/// EPSG code of the projection of a geolocation: the last comma-separated item of
/// `sourcecoordet` (table in the module docs); when it names none, the projection of the
/// département `departement` (FINESS code, see [`commune_insee`]). `None` when neither is
/// known.
pub fn projection_epsg(sourcecoordet: &str, departement: Option<&str>) -> Option<u32> {
    let named = sourcecoordet
        .rsplit(',')
        .next()
        .map(str::trim)
        .unwrap_or("");
    match named {
        "LAMBERT_93" => return Some(LAMBERT93_EPSG),
        "UTM_N20" => return Some(5490),
        "UTM_N21" => return Some(4467),
        "UTM_N22" => return Some(2972),
        "UTM_S38" => return Some(4471),
        "UTM_S40" => return Some(2975),
        "" => {}
        _ => return None,
    }
    match departement?.trim() {
        "9A" | "9B" | "971" | "972" => Some(5490),
        "9C" | "973" => Some(2972),
        "9D" | "974" => Some(2975),
        "9E" | "975" => Some(4467),
        "9F" | "976" => Some(4471),
        dep => commune_insee(dep, "001").ok().map(|_| LAMBERT93_EPSG),
    }
}

/// Fields of a `structureet` line (0-based, the kind in field 0).
mod field {
    pub const NOFINESSET: usize = 1;
    pub const NOFINESSEJ: usize = 2;
    pub const RS: usize = 3;
    pub const NUMVOIE: usize = 7;
    pub const TYPVOIE: usize = 8;
    pub const VOIE: usize = 9;
    pub const COMPVOIE: usize = 10;
    pub const COMMUNE: usize = 12;
    pub const DEPARTEMENT: usize = 13;
    pub const LIGNEACHEMINEMENT: usize = 15;
    pub const CATEGETAB: usize = 18;
    pub const LIBCATEGETAB: usize = 19;
    pub const SIRET: usize = 22;
}

/// A `geolocalisation` line waiting for its structure.
struct Geolocation {
    x: String,
    y: String,
    source: String,
    line: u64,
}

/// Whether `id` looks like a FINESS number: 9 ASCII letters or digits (`2A0000014`).
fn valid_finess(id: &str) -> bool {
    id.len() == 9 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Postcode (leading 5 digits) and commune name (the rest) of a `ligneacheminement`.
fn split_acheminement(line: &str) -> (String, String) {
    let line = line.trim();
    match line.get(..5) {
        Some(code) if code.bytes().all(|b| b.is_ascii_digit()) => {
            (code.to_string(), line[5..].trim().to_string())
        }
        _ => (String::new(), line.to_string()),
    }
}

/// Builds a structure from a `structureet` line's fields, or says why it is refused.
fn structure(f: &[&str], line: u64, categories: &FinessCategories) -> Result<Structure, String> {
    let insee = commune_insee(f[field::DEPARTEMENT], f[field::COMMUNE])?;
    let (postcode, commune_name) = split_acheminement(f[field::LIGNEACHEMINEMENT]);
    let siret = f[field::SIRET].trim();
    Ok(Structure {
        finess: f[field::NOFINESSET].trim().to_string(),
        finess_ej: f[field::NOFINESSEJ].trim().to_string(),
        name: f[field::RS].trim().to_string(),
        category_code: f[field::CATEGETAB].trim().to_string(),
        category_label: f[field::LIBCATEGETAB].trim().to_string(),
        category: categories
            .category_of(f[field::CATEGETAB].trim())
            .map(str::to_string),
        address: Address {
            number: f[field::NUMVOIE].trim().to_string(),
            rep: f[field::COMPVOIE].trim().to_string(),
            street_type: f[field::TYPVOIE].trim().to_string(),
            street: f[field::VOIE].trim().to_string(),
            postcode,
            commune_code: insee.clone(),
            commune_name,
        },
        commune_insee: insee,
        siret: (!siret.is_empty()).then(|| siret.to_string()),
        lon: None,
        lat: None,
        line,
    })
}

/// Reads a FINESS cs1100507 file: structures joined to their geolocation (coordinates in
/// WGS84 degrees), categories from `categories`, bad lines into `rejects`.
pub fn read_finess(
    path: &Path,
    categories: &FinessCategories,
    rejects: &mut Rejects,
) -> Result<(Vec<Structure>, FinessSummary), FinessError> {
    let bytes = std::fs::read(path).map_err(|source| FinessError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let decoded = crate::inputs::text::decode(&bytes);
    let (text, encoding) = (decoded.text, decoded.encoding);
    let (structures, mut summary) =
        parse_finess(&text, &path.display().to_string(), categories, rejects);
    summary.encoding = encoding;
    Ok((structures, summary))
}

/// Parses decoded FINESS text (see [`read_finess`]); `file` names it in the rejects. The
/// summary's encoding is left empty.
pub fn parse_finess(
    text: &str,
    file: &str,
    categories: &FinessCategories,
    rejects: &mut Rejects,
) -> (Vec<Structure>, FinessSummary) {
    let mut summary = FinessSummary::default();
    let mut structures: Vec<Structure> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut geolocations: HashMap<String, Geolocation> = HashMap::new();
    let mut geo_order: Vec<String> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i as u64 + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = raw.split(';').collect();
        let id = f.get(1).map(|s| s.trim()).unwrap_or("");
        let outcome = match f[0].trim() {
            "finess" if line == 1 => {
                summary.metadata_lines += 1;
                Ok(())
            }
            "structureet" => {
                summary.structure_lines += 1;
                if f.len() != 31 && f.len() != 32 {
                    Err(format!(
                        "malformed structureet line: {} fields, expected 31 or 32",
                        f.len()
                    ))
                } else if !valid_finess(id) {
                    Err(format!(
                        "malformed structureet line: nofinesset {id:?} is not 9 letters or digits"
                    ))
                } else if index.contains_key(id) {
                    Err("duplicate structureet (same nofinesset as an earlier line)".into())
                } else {
                    structure(&f, line, categories)
                        .map(|s| {
                            index.insert(s.finess.clone(), structures.len());
                            structures.push(s);
                        })
                        .map_err(|why| format!("malformed structureet line: {why}"))
                }
            }
            "geolocalisation" => {
                summary.geolocation_lines += 1;
                if f.len() != 6 {
                    Err(format!(
                        "malformed geolocalisation line: {} fields, expected 6",
                        f.len()
                    ))
                } else if !valid_finess(id) {
                    Err(format!(
                        "malformed geolocalisation line: nofinesset {id:?} is not 9 letters or digits"
                    ))
                } else if geolocations.contains_key(id) {
                    Err("duplicate geolocalisation (same nofinesset as an earlier line)".into())
                } else {
                    geo_order.push(id.to_string());
                    geolocations.insert(
                        id.to_string(),
                        Geolocation {
                            x: f[2].trim().to_string(),
                            y: f[3].trim().to_string(),
                            source: f[4].trim().to_string(),
                            line,
                        },
                    );
                    Ok(())
                }
            }
            other => Err(format!("unknown line kind {other:?}")),
        };
        if let Err(reason) = outcome {
            summary.rejected_lines += 1;
            rejects.push(file, line, id, reason);
        }
    }
    for id in &geo_order {
        if !index.contains_key(id) {
            summary.orphan_geolocations += 1;
            rejects.push(
                file,
                geolocations[id].line,
                id,
                "geolocalisation without structureet",
            );
        }
    }
    locate(&mut structures, &geolocations, file, rejects);
    summary.structures = structures.len() as u64;
    for s in &structures {
        if s.lon.is_some() {
            summary.located += 1;
        } else {
            summary.without_coordinates += 1;
        }
        *summary
            .per_category
            .entry(s.category.clone().unwrap_or_default())
            .or_default() += 1;
    }
    (structures, summary)
}

/// Sets each structure's WGS84 position from its geolocation, projection by projection;
/// structures left without one are written to the rejects ("no coordinates …").
fn locate(
    structures: &mut [Structure],
    geolocations: &HashMap<String, Geolocation>,
    file: &str,
    rejects: &mut Rejects,
) {
    let mut by_epsg: BTreeMap<u32, Vec<(usize, [f64; 2])>> = BTreeMap::new();
    for (k, s) in structures.iter().enumerate() {
        let Some(g) = geolocations.get(&s.finess) else {
            rejects.push(
                file,
                s.line,
                &s.finess,
                "no coordinates (no geolocalisation line)",
            );
            continue;
        };
        let xy = match (g.x.parse::<f64>(), g.y.parse::<f64>()) {
            (Ok(x), Ok(y)) if x.is_finite() && y.is_finite() && (x, y) != (0.0, 0.0) => [x, y],
            _ => {
                rejects.push(
                    file,
                    g.line,
                    &s.finess,
                    format!(
                        "no coordinates (coordxet {:?} / coordyet {:?} not usable)",
                        g.x, g.y
                    ),
                );
                continue;
            }
        };
        let dep = s.commune_insee.get(..2).map(|d| match d {
            "97" => &s.commune_insee[..3],
            _ => d,
        });
        match projection_epsg(&g.source, dep) {
            Some(epsg) => by_epsg.entry(epsg).or_default().push((k, xy)),
            None => rejects.push(
                file,
                g.line,
                &s.finess,
                format!(
                    "no coordinates (unknown projection in sourcecoordet {:?})",
                    g.source
                ),
            ),
        }
    }
    for (epsg, items) in by_epsg {
        let mut points: Vec<[f64; 2]> = items.iter().map(|(_, p)| *p).collect();
        let projected = Reprojector::from_epsg(epsg).and_then(|r| {
            r.to_wgs84(&mut points)?;
            Ok(r)
        });
        match projected {
            Ok(_) => {
                for ((k, _), p) in items.iter().zip(&points) {
                    structures[*k].lon = Some(p[0]);
                    structures[*k].lat = Some(p[1]);
                }
            }
            Err(CrsError::Transform { .. }) => {
                for (k, xy) in &items {
                    let mut one = [*xy];
                    match Reprojector::from_epsg(epsg).and_then(|r| r.to_wgs84(&mut one)) {
                        Ok(()) => {
                            structures[*k].lon = Some(one[0][0]);
                            structures[*k].lat = Some(one[0][1]);
                        }
                        Err(e) => {
                            let s = &structures[*k];
                            rejects.push(
                                file,
                                geolocations[&s.finess].line,
                                &s.finess,
                                format!("no coordinates (projection from EPSG:{epsg} failed: {e})"),
                            );
                        }
                    }
                }
            }
            Err(e) => {
                for (k, _) in &items {
                    let s = &structures[*k];
                    rejects.push(
                        file,
                        geolocations[&s.finess].line,
                        &s.finess,
                        format!("no coordinates (projection EPSG:{epsg} unavailable: {e})"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `structureet` line in the published 32-field layout.
    fn structure_line(id: &str, dep: &str, commune: &str, cat: &str, rs: &str) -> String {
        [
            "structureet",
            id,
            "930000099",
            rs,
            rs,
            "",
            "",
            "12",
            "AV",
            "GALLIENI",
            "B",
            "",
            commune,
            dep,
            "SEINE SAINT DENIS",
            "93140 BONDY",
            "0148475858",
            "",
            cat,
            "Centre de Santé",
            "1104",
            "Centres de Santé",
            "21930010400011",
            "8610Z",
            "01",
            "Tarifs conventionnels",
            "99",
            "Non concerné",
            "1980-01-01",
            "1980-01-01",
            "2023-06-01",
            "",
        ]
        .join(";")
    }

    fn geo_line(id: &str, x: &str, y: &str, source: &str) -> String {
        format!("geolocalisation;{id};{x};{y};{source};2023-06-01")
    }

    const L93: &str = "1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93";

    #[test]
    fn structure_line_has_the_published_field_count() {
        assert_eq!(
            structure_line("930000001", "93", "010", "124", "X")
                .split(';')
                .count(),
            32
        );
    }

    #[test]
    fn insee_codes_from_departement_and_commune() {
        assert_eq!(commune_insee("93", "010").unwrap(), "93010");
        assert_eq!(commune_insee("01", "053").unwrap(), "01053");
        assert_eq!(commune_insee("2A", "004").unwrap(), "2A004");
        assert_eq!(commune_insee("2B", "033").unwrap(), "2B033");
        assert_eq!(commune_insee("9D", "411").unwrap(), "97411");
        assert_eq!(commune_insee("9A", "120").unwrap(), "97120");
        assert_eq!(commune_insee("9F", "611").unwrap(), "97611");
        assert_eq!(commune_insee("974", "411").unwrap(), "97411");
        assert!(commune_insee("9D", "120")
            .unwrap_err()
            .contains("start with 4"));
        assert!(commune_insee("20", "004")
            .unwrap_err()
            .contains("département"));
        assert!(commune_insee("96", "004").is_err());
        assert!(commune_insee("93", "10").unwrap_err().contains("3 digits"));
        assert!(commune_insee("93", "01A").is_err());
    }

    #[test]
    fn projections_from_source_or_departement() {
        assert_eq!(projection_epsg(L93, Some("93")), Some(2154));
        assert_eq!(
            projection_epsg("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N20", None),
            Some(5490)
        );
        assert_eq!(projection_epsg("x,UTM_N22", None), Some(2972));
        assert_eq!(projection_epsg("x,UTM_S40", None), Some(2975));
        assert_eq!(projection_epsg("x,UTM_S38", None), Some(4471));
        assert_eq!(projection_epsg("x,UTM_N21", None), Some(4467));
        assert_eq!(projection_epsg("x,GAUSS_LABORDE", Some("93")), None);
        assert_eq!(projection_epsg("", Some("974")), Some(2975));
        assert_eq!(projection_epsg("", Some("2A")), Some(2154));
        assert_eq!(projection_epsg("", None), None);
    }

    #[test]
    fn joins_lines_and_rejects_the_rest() {
        let text = [
            "finess;etalab;95;2023-06-30".to_string(),
            structure_line("930000001", "93", "010", "124", "CMS BONDY"),
            structure_line("930000002", "93", "010", "620", "PHARMACIE"),
            structure_line("9D0000003", "9D", "411", "355", "CH ST DENIS"),
            structure_line("930000004", "93", "01", "124", "BAD COMMUNE"),
            "structureet;930000005;short".to_string(),
            structure_line("930000001", "93", "010", "124", "AGAIN"),
            geo_line("930000001", "661800.0", "6866800.0", L93),
            geo_line(
                "9D0000003",
                "338500.0",
                "7691000.0",
                "1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_S40",
            ),
            geo_line("930000009", "661800.0", "6866800.0", L93),
            "autre;1;2".to_string(),
        ]
        .join("\n");
        let mut rejects = Rejects::default();
        let (s, summary) = parse_finess(
            &text,
            "f.csv",
            &FinessCategories::default_french(),
            &mut rejects,
        );
        assert_eq!(s.len(), 3);
        assert_eq!(summary.metadata_lines, 1);
        assert_eq!(summary.structure_lines, 6);
        assert_eq!(summary.geolocation_lines, 3);
        assert_eq!(summary.located, 2);
        assert_eq!(summary.without_coordinates, 1);
        assert_eq!(summary.orphan_geolocations, 1);
        assert_eq!(summary.rejected_lines, 4);
        assert_eq!(summary.per_category["health_centre"], 1);
        assert_eq!(summary.per_category["pharmacy"], 1);
        assert_eq!(summary.per_category["hospital"], 1);

        let bondy = &s[0];
        assert_eq!(bondy.commune_insee, "93010");
        assert_eq!(bondy.address.postcode, "93140");
        assert_eq!(bondy.address.commune_name, "BONDY");
        assert_eq!(bondy.address.rep, "B");
        assert_eq!(bondy.siret.as_deref(), Some("21930010400011"));
        assert_eq!(bondy.line, 2);
        let (lon, lat) = (bondy.lon.unwrap(), bondy.lat.unwrap());
        assert!(
            (2.45..2.50).contains(&lon) && (48.89..48.92).contains(&lat),
            "{lon} {lat}"
        );
        let reunion = &s[2];
        assert_eq!(reunion.commune_insee, "97411");
        let (lon, lat) = (reunion.lon.unwrap(), reunion.lat.unwrap());
        assert!(
            (55.3..55.6).contains(&lon) && (-21.0..-20.8).contains(&lat),
            "{lon} {lat}"
        );
        assert_eq!(s[1].lon, None);

        let reasons: Vec<(u64, &str)> = rejects
            .items
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert!(reasons.contains(&(
            5,
            "malformed structureet line: commune \"01\" is not 3 digits"
        )));
        assert!(reasons.contains(&(6, "malformed structureet line: 3 fields, expected 31 or 32")));
        assert!(reasons.contains(&(
            7,
            "duplicate structureet (same nofinesset as an earlier line)"
        )));
        assert!(reasons.contains(&(10, "geolocalisation without structureet")));
        assert!(reasons.contains(&(11, "unknown line kind \"autre\"")));
        assert!(reasons.contains(&(3, "no coordinates (no geolocalisation line)")));
        assert_eq!(rejects.len(), 6);
    }

    #[test]
    fn unreadable_or_unknown_coordinates_keep_the_structure() {
        let text = [
            structure_line("930000001", "93", "010", "124", "A"),
            structure_line("930000002", "93", "010", "124", "B"),
            geo_line("930000001", "", "", L93),
            geo_line("930000002", "661800", "6866800", "x,GAUSS_LABORDE"),
        ]
        .join("\r\n");
        let mut rejects = Rejects::default();
        let (s, summary) = parse_finess(&text, "f", &FinessCategories::default(), &mut rejects);
        assert_eq!(s.len(), 2);
        assert_eq!(summary.without_coordinates, 2);
        assert_eq!(summary.per_category[""], 2);
        assert!(rejects.items[0]
            .reason
            .starts_with("no coordinates (coordxet"));
        assert!(rejects.items[1].reason.contains("GAUSS_LABORDE"));
        assert_eq!(s[0].category, None);
    }

    #[test]
    fn categories_round_trip_through_toml() {
        let map = FinessCategories::default_french();
        let text = toml::to_string(&map).unwrap();
        assert_eq!(FinessCategories::from_toml_str(&text).unwrap(), map);
        assert_eq!(map.category_of("108"), Some("hospital"));
        assert_eq!(map.category_of("604"), Some("cpts"));
        assert_eq!(map.category_of("999"), None);
        let shared = "[[category]]\nname = \"a\"\ncodes = [\"1\"]\n[[category]]\nname = \"b\"\ncodes = [\"1\"]\n";
        assert!(matches!(
            FinessCategories::from_toml_str(shared),
            Err(FinessCategoryError::SharedCode { .. })
        ));
        let empty = "[[category]]\nname = \"a\"\ncodes = []\n";
        assert!(matches!(
            FinessCategories::from_toml_str(empty),
            Err(FinessCategoryError::NoCode(_))
        ));
    }

    #[test]
    fn summary_displays_totals_and_categories() {
        let mut s = FinessSummary {
            encoding: "UTF-8",
            structures: 2,
            ..Default::default()
        };
        s.per_category.insert(String::new(), 1);
        s.per_category.insert("msp".into(), 1);
        let text = s.to_string();
        assert!(text.starts_with("finess (UTF-8):"));
        assert!(text.contains("\n  (no category): 1\n  msp: 1"));
    }
}
