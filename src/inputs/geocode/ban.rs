//! The Base Adresse Nationale as a lookup index, and the geocoder that queries it.
//!
//! Input: the BAN's per-département CSV files (`adresses-93.csv`, plain or `.gz`), `;`-separated,
//! one header line naming the columns
//! `id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;
//! code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;
//! libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;
//! cad_parcelles`. Columns are found by name; `numero`, `rep`, `nom_voie`, `code_postal`,
//! `code_insee`, `nom_commune`, `lon`, `lat` are required, `id`, `nom_afnor`,
//! `code_insee_ancienne_commune` and `nom_ancienne_commune` are used when present. Lieux-dits
//! carry the number 99999: they locate their street but are not house numbers. Rows with a
//! missing commune code or street, a bad number or coordinate, or the wrong field count are
//! rejected with their line.
//!
//! Index: per INSEE code (Paris, Lyon and Marseille by arrondissement, as in the BAN), the
//! streets by normalised key ([`super::normalize::street_key`] of `nom_voie`, and of
//! `nom_afnor` as an alias), each with its house numbers (number + repetition index → lon/lat,
//! 1e-7 degree fixed point) and its mean position; the commune centre is the mean of all the
//! commune's BAN rows unless a commune-centre CSV overrides it
//! ([`BanIndex::load_commune_centres`]). Files are parsed in parallel and merged in the order
//! given, so the index is the same whatever the thread count.
//!
//! Lookup ([`BanIndex::geocode`]): the commune by its INSEE code; a code the BAN does not
//! know (a city code 75056 / 69123 / 13055 where the BAN has arrondissements, a code left
//! blank, a merged commune) is looked up as a former commune
//! (`code_insee_ancienne_commune`), then through the postcode, narrowed by the commune name
//! and, if still several, by which candidate has the street. Then the street: exact key, else
//! the most similar key of the commune at or above
//! [`super::normalize::FUZZY_THRESHOLD`] (recorded in [`Geocoded::fuzzy`]). Then the number:
//! number and repetition index, else the plain number, else the street mean.

use super::normalize::{commune_key, parse_number, rep_key, street_key, TokenSet, FUZZY_THRESHOLD};
use super::{Address, GeocodeSummary, Geocoded, Precision};
use crate::inputs::error::InputError;
use crate::network::raw::{to_degrees, to_fixed};
use crate::support::rejects::Rejects;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// The BAN's number for a lieu-dit row (a named place, not a house number).
pub const LIEU_DIT_NUMBER: u32 = 99999;

/// A house number of a street, position in 1e-7 degree fixed point.
#[derive(Clone, Copy, Debug)]
struct Numbered {
    number: u32,
    rep: u32,
    lon: i32,
    lat: i32,
}

/// One street of a commune.
#[derive(Debug)]
struct Street {
    /// `nom_voie` as the BAN spells it (first spelling seen).
    name: String,
    /// House numbers sorted by (number, repetition id), unique.
    numbers: Vec<Numbered>,
    /// Mean position of the street's BAN rows, degrees.
    lon: f64,
    lat: f64,
}

/// A street key pointing to a street.
#[derive(Debug)]
struct StreetKey {
    key: String,
    street: u32,
}

/// One commune.
#[derive(Debug)]
struct Commune {
    name: String,
    name_key: String,
    lon: f64,
    lat: f64,
    streets: Vec<Street>,
    /// Sorted by `key`, unique.
    keys: Vec<StreetKey>,
}

impl Commune {
    fn exact(&self, key: &str) -> Option<u32> {
        self.keys
            .binary_search_by(|k| k.key.as_str().cmp(key))
            .ok()
            .map(|i| self.keys[i].street)
    }

    /// Most similar street at or above the threshold; ties go to the first key in order.
    fn fuzzy(&self, key: &str) -> Option<(u32, f64)> {
        let query = TokenSet::new(key);
        let mut best: Option<(u32, f64)> = None;
        for k in &self.keys {
            let s = query.similarity(&TokenSet::new(&k.key));
            if s >= FUZZY_THRESHOLD && best.is_none_or(|(_, b)| s > b) {
                best = Some((k.street, s));
            }
        }
        best
    }
}

/// Counts describing a built index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BanStats {
    /// Data rows read (all files).
    pub rows: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Distinct house numbers indexed.
    pub numbers: u64,
    /// Lieu-dit rows (number 99999), used for street and commune means only.
    pub lieux_dits: u64,
    /// Rows repeating a (commune, street, number, repetition) already indexed; the first kept.
    pub duplicates: u64,
    /// Streets indexed.
    pub streets: u64,
    /// Communes indexed.
    pub communes: u64,
}

impl fmt::Display for BanStats {
    /// One line: rows, rejects, communes, streets, numbers, lieux-dits, duplicates.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BAN: {} rows ({} rejected) → {} communes, {} streets, {} house numbers, {} lieux-dits, {} duplicates",
            self.rows, self.rejected, self.communes, self.streets, self.numbers, self.lieux_dits, self.duplicates
        )
    }
}

/// The BAN indexed for lookups by commune, street and number.
#[derive(Debug)]
pub struct BanIndex {
    communes: HashMap<String, Commune>,
    /// Postcode → INSEE codes, sorted.
    by_postcode: HashMap<String, Vec<String>>,
    /// Commune name key (current and former names) → INSEE codes, sorted.
    by_name: HashMap<String, Vec<String>>,
    /// Former commune code → current code.
    aliases: HashMap<String, String>,
    /// Canonical repetition index → id (id 0 is "").
    rep_ids: HashMap<String, u32>,
    /// Id → canonical repetition index.
    reps: Vec<String>,
    stats: BanStats,
}

/// A street while the index is being built.
#[derive(Debug, Default)]
struct StreetBuild {
    name: String,
    afnor_keys: BTreeSet<String>,
    points: Vec<(u32, String, i32, i32)>,
    sum_lon: f64,
    sum_lat: f64,
    n: u64,
}

/// A commune while the index is being built.
#[derive(Debug, Default)]
struct CommuneBuild {
    name: String,
    postcodes: BTreeSet<String>,
    sum_lon: f64,
    sum_lat: f64,
    n: u64,
    streets: Vec<StreetBuild>,
    by_key: HashMap<String, usize>,
}

impl CommuneBuild {
    fn street(&mut self, key: String, name: &str) -> &mut StreetBuild {
        let next = self.streets.len();
        let i = *self.by_key.entry(key).or_insert(next);
        if i == next {
            self.streets.push(StreetBuild {
                name: name.to_string(),
                ..Default::default()
            });
        }
        &mut self.streets[i]
    }
}

/// One file's contribution.
#[derive(Debug, Default)]
struct FileBuild {
    communes: HashMap<String, CommuneBuild>,
    /// (former code, former name, current code) in file order.
    aliases: Vec<(String, String, String)>,
    rows: u64,
    lieux_dits: u64,
    rejects: Rejects,
}

impl FileBuild {
    /// Adds `other` (a later file) to `self`, keeping row order per commune and street.
    fn merge(&mut self, other: FileBuild) {
        self.rows += other.rows;
        self.lieux_dits += other.lieux_dits;
        self.aliases.extend(other.aliases);
        self.rejects.items.extend(other.rejects.items);
        for (code, c) in other.communes {
            let Some(mine) = self.communes.get_mut(&code) else {
                self.communes.insert(code, c);
                continue;
            };
            mine.postcodes.extend(c.postcodes);
            mine.sum_lon += c.sum_lon;
            mine.sum_lat += c.sum_lat;
            mine.n += c.n;
            let mut keys: Vec<(String, usize)> = c.by_key.into_iter().collect();
            keys.sort_unstable_by_key(|(_, i)| *i);
            let mut theirs: Vec<Option<StreetBuild>> = c.streets.into_iter().map(Some).collect();
            for (key, i) in keys {
                let Some(s) = theirs[i].take() else { continue };
                let dst = mine.street(key, &s.name);
                dst.afnor_keys.extend(s.afnor_keys);
                dst.points.extend(s.points);
                dst.sum_lon += s.sum_lon;
                dst.sum_lat += s.sum_lat;
                dst.n += s.n;
            }
        }
    }
}

/// Column positions in a BAN header.
struct BanColumns {
    id: Option<usize>,
    numero: usize,
    rep: usize,
    nom_voie: usize,
    code_postal: usize,
    code_insee: usize,
    nom_commune: usize,
    ancienne_code: Option<usize>,
    ancienne_nom: Option<usize>,
    lon: usize,
    lat: usize,
    nom_afnor: Option<usize>,
}

impl BanColumns {
    fn find(header: &[String], path: &str) -> Result<Self, InputError> {
        let opt = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
        let req = |name: &str| {
            opt(name).ok_or_else(|| InputError::MissingColumn {
                path: PathBuf::from(path.to_string()),
                column: name.to_string(),
                found: header.to_vec(),
            })
        };
        Ok(BanColumns {
            id: opt("id"),
            numero: req("numero")?,
            rep: req("rep")?,
            nom_voie: req("nom_voie")?,
            code_postal: req("code_postal")?,
            code_insee: req("code_insee")?,
            nom_commune: req("nom_commune")?,
            ancienne_code: opt("code_insee_ancienne_commune"),
            ancienne_nom: opt("nom_ancienne_commune"),
            lon: req("lon")?,
            lat: req("lat")?,
            nom_afnor: opt("nom_afnor"),
        })
    }
}

/// Opens a file, through a gzip decoder when its name ends in `.gz`.
fn open(path: &Path) -> Result<Box<dyn Read + Send>, InputError> {
    let file = std::fs::File::open(path).map_err(|source| InputError::Open {
        path: PathBuf::from(path.display().to_string()),
        reason: source.to_string(),
    })?;
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    Ok(if gz {
        Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(file)))
    } else {
        Box::new(BufReader::new(file))
    })
}

/// Header names of a CSV reader, trimmed, without a UTF-8 byte-order mark.
fn header_names<R: Read>(rdr: &mut csv::Reader<R>, path: &str) -> Result<Vec<String>, InputError> {
    let h = rdr.byte_headers().map_err(|source| InputError::Csv {
        path: PathBuf::from(path.to_string()),
        line: 1,
        reason: source.to_string(),
    })?;
    Ok(h.iter()
        .map(|b| {
            String::from_utf8_lossy(b)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string()
        })
        .collect())
}

/// Parses a coordinate in degrees within ±`max`.
fn coord(v: &str, max: f64, what: &str) -> Result<f64, String> {
    let x: f64 = v
        .parse()
        .map_err(|_| format!("{what} is not a number: {v:?}"))?;
    if x.is_finite() && x.abs() <= max {
        Ok(x)
    } else {
        Err(format!("{what} out of range: {v}"))
    }
}

/// Reads one BAN file into its own build.
fn read_ban_file(path: &Path) -> Result<FileBuild, InputError> {
    let name = path.display().to_string();
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_reader(open(path)?);
    let header = header_names(&mut rdr, &name)?;
    let cols = BanColumns::find(&header, &name)?;
    let mut out = FileBuild::default();
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(source) => {
                return Err(InputError::Csv {
                    path: PathBuf::from(name),
                    line: source.position().map_or(0, |p| p.line()),
                    reason: source.to_string(),
                })
            }
        }
        out.rows += 1;
        let line = rec.position().map_or(0, |p| p.line());
        let text: csv::StringRecord = if std::str::from_utf8(rec.as_slice()).is_ok() {
            rec.iter().map(|b| String::from_utf8_lossy(b)).collect()
        } else {
            let (fallback, _) = crate::inputs::text::fallback_for(rec.as_slice());
            rec.iter()
                .map(|b| fallback.decode_without_bom_handling(b).0)
                .collect()
        };
        let get = |i: usize| text.get(i).unwrap_or("").trim();
        let id = cols.id.map_or("", get);
        if rec.len() != header.len() {
            let reason = format!("expected {} fields, found {}", header.len(), rec.len());
            out.rejects.push(&name, line, id, reason);
            continue;
        }
        if let Err(reason) = add_row(&mut out, &cols, &get) {
            out.rejects.push(&name, line, id, reason);
        }
    }
    Ok(out)
}

/// Adds one BAN row to the build, or says why it cannot be used.
fn add_row<'a>(
    out: &mut FileBuild,
    cols: &BanColumns,
    get: &impl Fn(usize) -> &'a str,
) -> Result<(), String> {
    let code = get(cols.code_insee);
    if code.is_empty() {
        return Err("missing code_insee".into());
    }
    let nom_voie = get(cols.nom_voie);
    let key = street_key("", nom_voie);
    if key.is_empty() {
        return Err("missing nom_voie".into());
    }
    let numero: u32 = get(cols.numero)
        .parse()
        .map_err(|_| format!("numero is not a number: {:?}", get(cols.numero)))?;
    let lon = coord(get(cols.lon), 180.0, "lon")?;
    let lat = coord(get(cols.lat), 90.0, "lat")?;
    let c = out.communes.entry(code.to_string()).or_default();
    if c.name.is_empty() {
        c.name = get(cols.nom_commune).to_string();
    }
    let postcode = get(cols.code_postal);
    if !postcode.is_empty() && !c.postcodes.contains(postcode) {
        c.postcodes.insert(postcode.to_string());
    }
    c.sum_lon += lon;
    c.sum_lat += lat;
    c.n += 1;
    let afnor = cols
        .nom_afnor
        .map_or(String::new(), |i| street_key("", get(i)));
    let s = c.street(key.clone(), nom_voie);
    if !afnor.is_empty() && afnor != key {
        s.afnor_keys.insert(afnor);
    }
    s.sum_lon += lon;
    s.sum_lat += lat;
    s.n += 1;
    if numero == LIEU_DIT_NUMBER {
        out.lieux_dits += 1;
    } else {
        s.points
            .push((numero, rep_key(get(cols.rep)), to_fixed(lon), to_fixed(lat)));
    }
    if let Some(old) = cols
        .ancienne_code
        .map(get)
        .filter(|o| !o.is_empty() && *o != code)
    {
        let old_name = cols.ancienne_nom.map_or("", get);
        out.aliases
            .push((old.to_string(), old_name.to_string(), code.to_string()));
    }
    Ok(())
}

impl BanIndex {
    /// Reads BAN CSV files (plain or `.gz`) into an index. Rows that cannot be used go to
    /// `rejects` (file, line, BAN `id`, reason); a file that cannot be opened or lacks a
    /// required column is an error.
    pub fn from_csv<P: AsRef<Path> + Sync>(
        paths: &[P],
        rejects: &mut Rejects,
    ) -> Result<Self, InputError> {
        let builds: Vec<Result<FileBuild, InputError>> = paths
            .par_iter()
            .map(|p| read_ban_file(p.as_ref()))
            .collect();
        let mut all = FileBuild::default();
        for b in builds {
            all.merge(b?);
        }
        let rejected = all.rejects.len() as u64;
        rejects.items.append(&mut all.rejects.items);
        let mut index = Self::finish(all);
        index.stats.rejected = rejected;
        Ok(index)
    }

    /// Turns the merged build into the lookup index.
    fn finish(build: FileBuild) -> Self {
        let mut index = BanIndex {
            communes: HashMap::with_capacity(build.communes.len()),
            by_postcode: HashMap::new(),
            by_name: HashMap::new(),
            aliases: HashMap::new(),
            rep_ids: HashMap::from([(String::new(), 0)]),
            reps: vec![String::new()],
            stats: BanStats {
                rows: build.rows,
                lieux_dits: build.lieux_dits,
                ..Default::default()
            },
        };
        let mut codes: Vec<(String, CommuneBuild)> = build.communes.into_iter().collect();
        codes.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (code, c) in codes {
            for pc in &c.postcodes {
                index
                    .by_postcode
                    .entry(pc.clone())
                    .or_default()
                    .push(code.clone());
            }
            let commune = index.finish_commune(c);
            index
                .by_name
                .entry(commune.name_key.clone())
                .or_default()
                .push(code.clone());
            index.communes.insert(code, commune);
        }
        for (old, old_name, new) in build.aliases {
            if index.communes.contains_key(&old) {
                continue;
            }
            let name_key = commune_key(&old_name);
            if !name_key.is_empty() {
                index.by_name.entry(name_key).or_default().push(new.clone());
            }
            index.aliases.entry(old).or_insert(new);
        }
        for v in index
            .by_postcode
            .values_mut()
            .chain(index.by_name.values_mut())
        {
            v.sort_unstable();
            v.dedup();
        }
        index.stats.communes = index.communes.len() as u64;
        index
    }

    fn rep_id(&mut self, rep: String) -> u32 {
        if let Some(&id) = self.rep_ids.get(&rep) {
            return id;
        }
        let id = self.reps.len() as u32;
        self.reps.push(rep.clone());
        self.rep_ids.insert(rep, id);
        id
    }

    fn finish_commune(&mut self, c: CommuneBuild) -> Commune {
        let mut keys: Vec<StreetKey> = Vec::with_capacity(c.by_key.len());
        for (key, i) in c.by_key {
            keys.push(StreetKey {
                key,
                street: i as u32,
            });
        }
        let mut streets = Vec::with_capacity(c.streets.len());
        for (i, s) in c.streets.into_iter().enumerate() {
            for a in &s.afnor_keys {
                keys.push(StreetKey {
                    key: a.clone(),
                    street: i as u32,
                });
            }
            let mut numbers: Vec<Numbered> = s
                .points
                .into_iter()
                .map(|(number, rep, lon, lat)| Numbered {
                    number,
                    rep: self.rep_id(rep),
                    lon,
                    lat,
                })
                .collect();
            numbers.sort_by_key(|n| (n.number, n.rep));
            let before = numbers.len();
            numbers.dedup_by_key(|n| (n.number, n.rep));
            self.stats.duplicates += (before - numbers.len()) as u64;
            self.stats.numbers += numbers.len() as u64;
            streets.push(Street {
                name: s.name,
                numbers,
                lon: s.sum_lon / s.n as f64,
                lat: s.sum_lat / s.n as f64,
            });
        }
        // A name key wins over an AFNOR alias key equal to it: name keys were pushed first
        // and the stable sort keeps them first among equals.
        keys.sort_by(|a, b| a.key.cmp(&b.key));
        keys.dedup_by(|later, first| later.key == first.key);
        self.stats.streets += streets.len() as u64;
        Commune {
            name_key: commune_key(&c.name),
            name: c.name,
            lon: c.sum_lon / c.n as f64,
            lat: c.sum_lat / c.n as f64,
            streets,
            keys,
        }
    }

    /// Counts describing the index.
    pub fn stats(&self) -> BanStats {
        self.stats
    }

    /// Centre (lon, lat in degrees) used for a commune, by INSEE code.
    pub fn commune_centre(&self, code: &str) -> Option<(f64, f64)> {
        self.communes.get(code).map(|c| (c.lon, c.lat))
    }

    /// Replaces commune centres (by default the mean of the commune's BAN addresses) with the
    /// points of a CSV (`,` or `;`) with columns `code_insee` (or `insee`, `codgeo`,
    /// `code_commune`), `lon`, `lat` in WGS84 degrees — e.g. town halls or chefs-lieux.
    /// Returns how many centres were replaced; rows for communes the index does not hold, and
    /// bad rows, go to `rejects`.
    pub fn load_commune_centres(
        &mut self,
        path: &Path,
        rejects: &mut Rejects,
    ) -> Result<usize, InputError> {
        let name = path.display().to_string();
        let mut text = String::new();
        open(path)?
            .read_to_string(&mut text)
            .map_err(|source| InputError::Open {
                path: PathBuf::from(name.clone()),
                reason: source.to_string(),
            })?;
        let first = text.lines().next().unwrap_or("");
        let delimiter = if first.matches(';').count() > first.matches(',').count() {
            b';'
        } else {
            b','
        };
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(text.as_bytes());
        let header = header_names(&mut rdr, &name)?;
        let find = |names: &[&str]| {
            header
                .iter()
                .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
                .ok_or_else(|| InputError::MissingColumn {
                    path: PathBuf::from(name.clone()),
                    column: names.join(" or "),
                    found: header.clone(),
                })
        };
        let ci = find(&["code_insee", "insee", "codgeo", "code_commune"])?;
        let (cx, cy) = (find(&["lon"])?, find(&["lat"])?);
        let mut replaced = 0;
        for rec in rdr.records() {
            let rec = rec.map_err(|source| InputError::Csv {
                path: PathBuf::from(name.clone()),
                line: source.position().map_or(0, |p| p.line()),
                reason: source.to_string(),
            })?;
            let line = rec.position().map_or(0, |p| p.line());
            let get = |i: usize| rec.get(i).unwrap_or("").trim();
            let code = get(ci);
            let point =
                coord(get(cx), 180.0, "lon").and_then(|x| Ok((x, coord(get(cy), 90.0, "lat")?)));
            match (self.communes.get_mut(code), point) {
                (_, Err(reason)) => rejects.push(&name, line, code, reason),
                (None, Ok(_)) => rejects.push(&name, line, code, "commune not in the BAN index"),
                (Some(c), Ok((lon, lat))) => {
                    c.lon = lon;
                    c.lat = lat;
                    replaced += 1;
                }
            }
        }
        Ok(replaced)
    }

    /// Finds the commune of an address: its INSEE code, else a former commune code, else the
    /// postcode (or, failing that, the name within the postcode's département) narrowed by
    /// name then by which candidate holds `street`. Returns the code and, when the code given
    /// was not used as is, how the commune was found; or why none was.
    fn resolve_commune<'a>(
        &'a self,
        a: &Address,
        street: &str,
    ) -> Result<(&'a str, Option<String>), String> {
        let code = a.commune_code.trim();
        if let Some((k, _)) = self.communes.get_key_value(code) {
            return Ok((k.as_str(), None));
        }
        if let Some(new) = self.aliases.get(code) {
            return Ok((new.as_str(), Some(format!("former commune {code}"))));
        }
        let pc = a.postcode.trim();
        let name = commune_key(&a.commune_name);
        let shown = if code.is_empty() { "(none)" } else { code };
        if pc.is_empty() && name.is_empty() {
            return Err(format!(
                "commune code {shown} not in the BAN and no postcode or commune name"
            ));
        }
        let same_dept = |c: &&String| {
            pc.len() < 2 || c.starts_with(&pc[..2]) || (pc.starts_with("20") && c.starts_with('2'))
        };
        let mut cands: Vec<&String> = match self.by_postcode.get(pc) {
            Some(v) => v.iter().collect(),
            None => self
                .by_name
                .get(&name)
                .map_or_else(Vec::new, |v| v.iter().filter(same_dept).collect()),
        };
        if cands.len() > 1 && !name.is_empty() {
            let named: Vec<&String> = cands
                .iter()
                .copied()
                .filter(|c| self.communes.get(*c).is_some_and(|c| c.name_key == name))
                .collect();
            if !named.is_empty() {
                cands = named;
            }
        }
        if cands.len() > 1 && !street.is_empty() {
            let with_street: Vec<&String> = cands
                .iter()
                .copied()
                .filter(|c| {
                    self.communes
                        .get(*c)
                        .is_some_and(|c| c.exact(street).is_some())
                })
                .collect();
            if !with_street.is_empty() {
                cands = with_street;
            }
        }
        match cands.as_slice() {
            [one] => Ok((one.as_str(), Some(format!("commune code {shown} not in the BAN; found by postcode {pc:?} and name {name:?}")))),
            [] => Err(format!(
                "commune code {shown} not in the BAN and no BAN commune with postcode {pc:?} or name {name:?}"
            )),
            many => Err(format!(
                "commune code {shown} not in the BAN and postcode {pc:?} / name {name:?} fit {} communes ({})",
                many.len(),
                many.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            )),
        }
    }

    /// Locates one address (see the module documentation for the order of fallbacks).
    pub fn geocode(&self, a: &Address) -> Geocoded {
        let key = street_key(&a.street_type, &a.street);
        let (code, how) = match self.resolve_commune(a, &key) {
            Ok(x) => x,
            Err(reason) => return Geocoded::failed(reason),
        };
        let c = &self.communes[code];
        let how = how.map_or(String::new(), |h| format!(" [{h}]"));
        let place = format!("{code} {}", c.name);
        if key.is_empty() {
            return Geocoded {
                lon: c.lon,
                lat: c.lat,
                precision: Precision::Commune,
                matched: format!("{place} (no street){how}"),
                fuzzy: None,
            };
        }
        let found = c
            .exact(&key)
            .map(|s| (s, None))
            .or_else(|| c.fuzzy(&key).map(|(s, sim)| (s, Some(sim))));
        let Some((si, fuzzy)) = found else {
            return Geocoded {
                lon: c.lon,
                lat: c.lat,
                precision: Precision::Commune,
                matched: format!("{place} (street not found: {key}){how}"),
                fuzzy: None,
            };
        };
        let s = &c.streets[si as usize];
        let fuzzy_note = fuzzy.map_or(String::new(), |f| format!(" (fuzzy {f:.3} from {key})"));
        let Some((number, rep)) = parse_number(&a.number, &a.rep) else {
            return Geocoded {
                lon: s.lon,
                lat: s.lat,
                precision: Precision::Street,
                matched: format!("{}, {place} (no number){fuzzy_note}{how}", s.name),
                fuzzy,
            };
        };
        let find = |rep_id: u32| {
            s.numbers
                .binary_search_by_key(&(number, rep_id), |n| (n.number, n.rep))
                .ok()
                .map(|i| s.numbers[i])
        };
        let exact = self.rep_ids.get(&rep).and_then(|&r| find(r));
        let (hit, rep_note) = match exact {
            Some(n) => (Some(n), String::new()),
            None if !rep.is_empty() => (
                find(0),
                format!(" (repetition {rep} not in the BAN, plain number used)"),
            ),
            None => (None, String::new()),
        };
        match hit {
            Some(n) => Geocoded {
                lon: to_degrees(n.lon),
                lat: to_degrees(n.lat),
                precision: Precision::HouseNumber,
                matched: format!(
                    "{number}{} {}, {place}{rep_note}{fuzzy_note}{how}",
                    self.reps[n.rep as usize], s.name
                ),
                fuzzy,
            },
            None => Geocoded {
                lon: s.lon,
                lat: s.lat,
                precision: Precision::Street,
                matched: format!(
                    "{}, {place} (number {number}{rep} not in the BAN){fuzzy_note}{how}",
                    s.name
                ),
                fuzzy,
            },
        }
    }

    /// Locates many addresses in parallel; results are in input order whatever the thread
    /// count, with their counts by precision.
    pub fn geocode_all<T: AsRef<Address> + Sync>(
        &self,
        items: &[T],
    ) -> (Vec<Geocoded>, GeocodeSummary) {
        let out: Vec<Geocoded> = items.par_iter().map(|a| self.geocode(a.as_ref())).collect();
        let summary = GeocodeSummary::of(&out);
        (out, summary)
    }
}

/// The BAN file of a département in a directory, named as the BAN publishes it
/// (`adresses-93.csv.gz`, or `adresses-93.csv` when the uncompressed file is there instead).
pub fn ban_file(dir: &Path, departement: &str) -> PathBuf {
    let plain = dir.join(format!("adresses-{departement}.csv"));
    if plain.exists() {
        plain
    } else {
        dir.join(format!("adresses-{departement}.csv.gz"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;cad_parcelles";

    /// A BAN row in the published layout.
    fn row(
        num: &str,
        rep: &str,
        voie: &str,
        (cp, insee, commune): (&str, &str, &str),
        lon: f64,
        lat: f64,
    ) -> String {
        let afnor = crate::inputs::geocode::normalize::fold(voie);
        format!(
            "{insee}_0001_{num:0>5};{insee}_0001;{num};{rep};{voie};{cp};{insee};{commune};;;0;0;{lon};{lat};entrée;;;{};{afnor};commune;commune;1;",
            commune.to_uppercase()
        )
    }

    fn index(rows: &[String]) -> (BanIndex, Rejects) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("adresses-93.csv");
        std::fs::write(&p, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
        let mut r = Rejects::default();
        let idx = BanIndex::from_csv(&[p], &mut r).unwrap();
        (idx, r)
    }

    fn addr(number: &str, t: &str, street: &str, pc: &str, code: &str, name: &str) -> Address {
        Address {
            number: number.into(),
            street_type: t.into(),
            street: street.into(),
            postcode: pc.into(),
            commune_code: code.into(),
            commune_name: name.into(),
            ..Default::default()
        }
    }

    fn bondy() -> Vec<String> {
        vec![
            row(
                "10",
                "",
                "Avenue Gallieni",
                ("93140", "93010", "Bondy"),
                2.4800,
                48.9000,
            ),
            row(
                "12",
                "",
                "Avenue Gallieni",
                ("93140", "93010", "Bondy"),
                2.4810,
                48.9010,
            ),
            row(
                "12",
                "bis",
                "Avenue Gallieni",
                ("93140", "93010", "Bondy"),
                2.4812,
                48.9012,
            ),
            row(
                "3",
                "",
                "Rue Roger Salengro",
                ("93140", "93010", "Bondy"),
                2.4900,
                48.9050,
            ),
            row(
                "5",
                "",
                "Rue Roger Salengro",
                ("93140", "93010", "Bondy"),
                2.4910,
                48.9060,
            ),
            row(
                "99999",
                "",
                "Les Merisiers",
                ("93140", "93010", "Bondy"),
                2.4700,
                48.9100,
            ),
        ]
    }

    #[test]
    fn house_number_then_street_then_commune() {
        let (idx, r) = index(&bondy());
        assert!(r.is_empty(), "{r:?}");
        let g = idx.geocode(&addr("12", "AV", "GALLIENI", "93140", "93010", "BONDY"));
        assert_eq!(
            (g.precision, g.lon, g.lat),
            (Precision::HouseNumber, 2.4810, 48.9010)
        );
        assert_eq!(g.matched, "12 Avenue Gallieni, 93010 Bondy");
        let g = idx.geocode(&addr("12 B", "AV", "GALLIENI", "93140", "93010", "BONDY"));
        assert_eq!((g.precision, g.lon), (Precision::HouseNumber, 2.4812));
        let g = idx.geocode(&addr("10", "AV", "GALLIENI", "", "93010", "").clone_with_rep("TER"));
        assert_eq!((g.precision, g.lon), (Precision::HouseNumber, 2.4800));
        assert!(
            g.matched.contains("repetition T not in the BAN"),
            "{}",
            g.matched
        );
        let g = idx.geocode(&addr(
            "7",
            "Rue",
            "ROGER SALENGRO",
            "93140",
            "93010",
            "BONDY",
        ));
        assert_eq!(g.precision, Precision::Street);
        assert!((g.lon - 2.4905).abs() < 1e-9 && (g.lat - 48.9055).abs() < 1e-9);
        let g = idx.geocode(&addr(
            "",
            "Rue",
            "ROGER SALENGRO",
            "93140",
            "93010",
            "BONDY",
        ));
        assert_eq!(g.precision, Precision::Street);
        let g = idx.geocode(&addr("8", "ALL", "DES ACACIAS", "93140", "93010", "BONDY"));
        assert_eq!(g.precision, Precision::Commune);
        assert!(
            g.matched.contains("street not found: ALLEE ACACIAS"),
            "{}",
            g.matched
        );
        let mean_lon = (2.48 + 2.481 + 2.4812 + 2.49 + 2.491 + 2.47) / 6.0;
        assert!((g.lon - mean_lon).abs() < 1e-9);
        assert_eq!(idx.stats().lieux_dits, 1);
        assert_eq!(idx.stats().numbers, 5);
    }

    impl Address {
        fn clone_with_rep(&self, rep: &str) -> Address {
            Address {
                rep: rep.into(),
                ..self.clone()
            }
        }
    }

    #[test]
    fn unknown_commune_fails_with_reason() {
        let (idx, _) = index(&bondy());
        let g = idx.geocode(&addr("1", "R", "DE PARIS", "93999", "93999", "NULLEPART"));
        assert_eq!(g.precision, Precision::Failed);
        assert!(g.lon.is_nan());
        assert!(g.matched.contains("93999 not in the BAN"), "{}", g.matched);
        let g = idx.geocode(&addr("1", "R", "DE PARIS", "", "", ""));
        assert!(
            g.matched.contains("no postcode or commune name"),
            "{}",
            g.matched
        );
    }

    #[test]
    fn fuzzy_match_is_recorded() {
        let (idx, _) = index(&bondy());
        let g = idx.geocode(&addr("3", "R", "ROGER SALENGRE", "93140", "93010", "BONDY"));
        assert_eq!(g.precision, Precision::HouseNumber);
        assert!(g.fuzzy.is_some_and(|f| (FUZZY_THRESHOLD..1.0).contains(&f)));
        assert!(g.matched.contains("fuzzy"), "{}", g.matched);
        let g = idx.geocode(&addr("3", "R", "PASTEUR", "93140", "93010", "BONDY"));
        assert_eq!((g.precision, g.fuzzy), (Precision::Commune, None));
    }

    #[test]
    fn city_code_and_missing_code_fall_back_to_postcode_and_name() {
        let (idx, _) = index(&[
            row(
                "250",
                "",
                "Rue de Vaugirard",
                ("75015", "75115", "Paris 15e Arrondissement"),
                2.3000,
                48.8400,
            ),
            row(
                "1",
                "",
                "Rue de Vaugirard",
                ("75006", "75106", "Paris 6e Arrondissement"),
                2.3320,
                48.8480,
            ),
            row(
                "12",
                "",
                "Avenue Gallieni",
                ("93140", "93010", "Bondy"),
                2.4810,
                48.9010,
            ),
            row(
                "1",
                "",
                "Rue Jean Jaurès",
                ("93170", "93006", "Bagnolet"),
                2.4160,
                48.8690,
            ),
            row(
                "1",
                "",
                "Rue Jean Jaurès",
                ("93170", "93010", "Bondy"),
                2.4900,
                48.9000,
            ),
        ]);
        let g = idx.geocode(&addr("250", "R", "DE VAUGIRARD", "75015", "75056", "PARIS"));
        assert_eq!((g.precision, g.lon), (Precision::HouseNumber, 2.3));
        assert!(g.matched.contains("postcode \"75015\""), "{}", g.matched);
        let g = idx.geocode(&addr("12", "AV", "GALLIENI", "93140", "", "BONDY"));
        assert_eq!(g.precision, Precision::HouseNumber);
        let g = idx.geocode(&addr("1", "R", "DE VAUGIRARD", "", "75056", "PARIS"));
        assert_eq!(g.precision, Precision::Failed);
        assert!(
            g.matched.contains("fit 2 communes (75106, 75115)"),
            "{}",
            g.matched
        );
        let g = idx.geocode(&addr("1", "R", "JEAN JAURES", "93170", "", "BAGNOLET"));
        assert_eq!((g.precision, g.lon), (Precision::HouseNumber, 2.416));
        let g = idx.geocode(&addr("", "", "", "93170", "", ""));
        assert!(
            g.matched.contains("fit 2 communes (93006, 93010)"),
            "{}",
            g.matched
        );
    }

    #[test]
    fn former_commune_codes_are_aliases() {
        let mut r = row(
            "4",
            "",
            "Rue du Bourg",
            ("49270", "49069", "Orée d'Anjou"),
            -1.1,
            47.3,
        );
        r = r.replacen(";;;0;0;", ";49126;Landemont;0;0;", 1);
        let (idx, _) = index(&[r]);
        let g = idx.geocode(&addr("4", "R", "DU BOURG", "49270", "49126", "LANDEMONT"));
        assert_eq!(g.precision, Precision::HouseNumber);
        assert!(g.matched.contains("former commune 49126"), "{}", g.matched);
        let g = idx.geocode(&addr("4", "R", "DU BOURG", "", "", "LANDEMONT"));
        assert_eq!(g.precision, Precision::HouseNumber);
    }

    #[test]
    fn bad_rows_are_rejected_with_line() {
        let mut rows = bondy();
        rows.push(row(
            "x",
            "",
            "Rue X",
            ("93140", "93010", "Bondy"),
            2.4,
            48.9,
        ));
        rows.push(row("1", "", "Rue Y", ("93140", "", "Bondy"), 2.4, 48.9));
        rows.push(row(
            "1",
            "",
            "Rue Z",
            ("93140", "93010", "Bondy"),
            200.0,
            48.9,
        ));
        rows.push("1;2;3".into());
        rows.push(row(
            "3",
            "",
            "Rue Roger Salengro",
            ("93140", "93010", "Bondy"),
            9.0,
            9.0,
        ));
        let (idx, r) = index(&rows);
        let got: Vec<(u64, &str)> = r
            .items
            .iter()
            .map(|x| (x.line, x.reason.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (8, "numero is not a number: \"x\""),
                (9, "missing code_insee"),
                (10, "lon out of range: 200"),
                (11, "expected 23 fields, found 3"),
            ]
        );
        assert_eq!(r.items[0].id, "93010_0001_0000x");
        let s = idx.stats();
        assert_eq!((s.rows, s.rejected, s.duplicates), (11, 4, 1));
        let g = idx.geocode(&addr("3", "R", "ROGER SALENGRO", "", "93010", ""));
        assert_eq!(g.lon, 2.49, "the first of two duplicates is kept");
    }

    #[test]
    fn missing_column_names_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("adresses-93.csv");
        std::fs::write(&p, "id;numero;nom_voie\n").unwrap();
        let e = BanIndex::from_csv(&[p], &mut Rejects::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("missing column \"rep\"; header found: [\"id\", \"numero\", \"nom_voie\"]"),
            "{e}"
        );
    }

    #[test]
    fn gzip_and_several_files_merge_in_order() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("adresses-93.csv.gz");
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&a).unwrap(),
            flate2::Compression::fast(),
        );
        write!(gz, "\u{feff}{HEADER}\n{}\n", bondy().join("\n")).unwrap();
        gz.finish().unwrap();
        let b = dir.path().join("adresses-75.csv");
        let paris = row(
            "250",
            "",
            "Rue de Vaugirard",
            ("75015", "75115", "Paris 15e Arrondissement"),
            2.3,
            48.84,
        );
        std::fs::write(&b, format!("{HEADER}\n{paris}\n")).unwrap();
        assert_eq!(ban_file(dir.path(), "93"), a);
        assert_eq!(ban_file(dir.path(), "75"), b);
        let idx = BanIndex::from_csv(&[a, b], &mut Rejects::default()).unwrap();
        assert_eq!(idx.stats().communes, 2);
        assert_eq!(idx.stats().rows, 7);
        let g = idx.geocode(&addr("250", "R", "DE VAUGIRARD", "75015", "75115", ""));
        assert_eq!(g.precision, Precision::HouseNumber);
    }

    #[test]
    fn afnor_name_is_an_alias() {
        let r = row(
            "2",
            "",
            "Avenue du Maréchal de Lattre de Tassigny",
            ("93140", "93010", "Bondy"),
            2.47,
            48.9,
        )
        .replace(
            "AVENUE DU MARECHAL DE LATTRE DE TASSIGNY",
            "AV MAL DE LATTRE DE TASSIGNY",
        );
        let (idx, _) = index(&[r]);
        let g = idx.geocode(&addr(
            "2",
            "AV",
            "MAL DE LATTRE DE TASSIGNY",
            "",
            "93010",
            "",
        ));
        assert_eq!((g.precision, g.fuzzy), (Precision::HouseNumber, None));
    }

    #[test]
    fn commune_centres_can_be_given() {
        let (mut idx, _) = index(&bondy());
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("centres.csv");
        std::fs::write(
            &p,
            "insee,nom,lon,lat\n93010,Bondy,2.4828,48.9022\n99999,X,1,1\n93010b,Y,x,1\n",
        )
        .unwrap();
        let mut r = Rejects::default();
        assert_eq!(idx.load_commune_centres(&p, &mut r).unwrap(), 1);
        assert_eq!(idx.commune_centre("93010"), Some((2.4828, 48.9022)));
        let reasons: Vec<&str> = r.items.iter().map(|x| x.reason.as_str()).collect();
        assert_eq!(
            reasons,
            vec!["commune not in the BAN index", "lon is not a number: \"x\""]
        );
        let g = idx.geocode(&addr("1", "R", "INCONNUE", "", "93010", ""));
        assert_eq!(
            (g.precision, g.lon, g.lat),
            (Precision::Commune, 2.4828, 48.9022)
        );
    }

    #[test]
    fn geocode_all_keeps_input_order() {
        let (idx, _) = index(&bondy());
        let input: Vec<Address> = (0..200)
            .map(|i| {
                addr(
                    &format!("{}", [3, 5, 10, 12, 40][i % 5]),
                    "R",
                    "ROGER SALENGRO",
                    "",
                    "93010",
                    "",
                )
            })
            .collect();
        let (out, summary) = idx.geocode_all(&input);
        let seq: Vec<Geocoded> = input.iter().map(|a| idx.geocode(a)).collect();
        assert_eq!(out, seq);
        assert_eq!((summary.house_number, summary.street), (80, 120));
    }
}
