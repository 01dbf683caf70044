//! `recours inspect FILE…`: what a file is, and what the engine makes of it.
//!
//! The kind of a file ([`Kind`]) is detected from its name and first line, then from its
//! GDAL layers:
//! - by name: `.osm.pbf` / `.pbf` (OSM PBF), `.osm`, `.osm.gz`, `.osm.xml` (OSM XML);
//! - delimited text (`.csv`, `.tsv`, `.txt`, `.csv.gz`), by header: the Annuaire Santé
//!   extraction (`|`-separated, an `Identifiant PP` column), FINESS etalab (first field
//!   `finess`, `structureet` or `geolocalisation`, no header), Filosofi 200 m cells
//!   (`idcar_200m` or `IdINSPIRE`), BAN addresses (`numero`, `nom_voie`, `code_insee`, `lon`,
//!   `lat`), a territory membership table (the layouts of
//!   [`crate::inputs::territory::read_membership_csv`]), else generic points (an `id` column and
//!   `lon`/`lat`, or `x`/`y` with `--crs`);
//! - anything GDAL opens (GeoPackage, GeoJSON, Shapefile), layer by layer: Filosofi cells
//!   (an `idcar_200m` field), polygons (IRIS by `CODE_IRIS`, QPV by `C_NQPV` / `code_qp`,
//!   communes by `INSEE_COM` / `code`, other units by `code` / `id`), points (generic
//!   points), lines (a road line layer for `network build --lines`).
//!
//! Each file is then read with its reader and described by a [`Report`]: rows read, kept
//! and rejected with the most frequent reasons, CRS, WGS84 bounding box, and counts per
//! category where there are categories. A file of no known kind is an
//! [`InspectError::Unknown`] listing the kinds known.

use crate::inputs::demand::filosofi::{read_filosofi, FilosofiError};
use crate::inputs::geocode::ban::BanIndex;
use crate::inputs::points_layer::{
    is_csv_path, layer_crs, read_origins, read_sites, PointColumns, PointsError,
};
use crate::inputs::supply::annuaire::{normalize_header, read_annuaire_with_summary};
use crate::inputs::supply::finess::{read_finess, FinessCategories, FinessError};
use crate::inputs::supply::CategoryMap;
use crate::inputs::territory::layer::{code_candidates, find_field};
use crate::inputs::territory::{read_membership_csv, read_units, TerritoryError};
use crate::network::osm::{read_osm, OsmError};
use crate::network::profile::{Profile, ProfileError};
use crate::support::rejects::Rejects;
use gdal::vector::{LayerAccess, OGRwkbGeometryType};
use gdal::Dataset;
use geo::BoundingRect;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

/// Bytes read to sniff a text file's first line.
const SNIFF_BYTES: u64 = 64 * 1024;
/// Reject reasons shown per file.
const TOP_REASONS: usize = 5;

/// The kinds of file [`inspect`] knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Annuaire Santé `PS_LibreAcces_Personne_activite_*.txt`.
    Annuaire,
    /// FINESS etalab `etalab-cs1100507-stock-*.csv`.
    Finess,
    /// INSEE Filosofi 200 m cells, CSV.
    FilosofiCsv,
    /// INSEE Filosofi 200 m cells, a GDAL layer.
    FilosofiLayer,
    /// Base Adresse Nationale addresses CSV.
    Ban,
    /// Polygons of territorial units of the given kind (`commune`, `iris`, `qpv`, `unit`).
    Units(String),
    /// Territory → communes table (CPTS, TVS, EPT).
    Membership,
    /// OpenStreetMap PBF.
    OsmPbf,
    /// OpenStreetMap XML.
    OsmXml,
    /// Generic points (CSV or GDAL point layer).
    Points,
    /// A GDAL line layer (roads).
    Lines,
    /// A GDAL layer mixing geometry families (an Overpass GeoJSON: roads, points, outlines).
    Mixed,
    /// A GDAL layer without geometry (a JSON or attribute table).
    Table,
}

/// The kinds listed when a file is of none of them.
pub const KNOWN_KINDS: &str = "Annuaire Santé extraction (PS_LibreAcces_Personne_activite, `|`-separated), \
FINESS etalab (cs1100507, `;`-separated, no header), Filosofi 200 m cells (CSV or GeoPackage with idcar_200m), \
BAN addresses CSV (numero, nom_voie, code_insee, lon, lat), polygon layers of communes / IRIS / QPV / units \
(GeoJSON, GeoPackage, Shapefile), territory membership CSV (cpts,code_insee… / territory_code,commune_code / code;name;communes), \
OSM PBF or XML (.osm.pbf, .osm, .osm.gz), generic points (CSV with id and lon,lat — or x,y with --crs — or a GDAL point layer), \
road line layers";

impl fmt::Display for Kind {
    /// A short description of the kind.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::Annuaire => write!(f, "Annuaire Santé extraction"),
            Kind::Finess => write!(f, "FINESS etalab extraction"),
            Kind::FilosofiCsv => write!(f, "Filosofi 200 m cells (CSV)"),
            Kind::FilosofiLayer => write!(f, "Filosofi 200 m cells (layer)"),
            Kind::Ban => write!(f, "BAN addresses"),
            Kind::Units(k) if k == "unit" => write!(f, "polygon layer of territorial units"),
            Kind::Units(k) => write!(f, "polygon layer of {k} units"),
            Kind::Membership => write!(f, "territory membership table"),
            Kind::OsmPbf => write!(f, "OpenStreetMap PBF"),
            Kind::OsmXml => write!(f, "OpenStreetMap XML"),
            Kind::Points => write!(f, "generic points"),
            Kind::Lines => write!(f, "line layer (roads)"),
            Kind::Mixed => write!(f, "layer mixing geometry types"),
            Kind::Table => write!(f, "table without geometry"),
        }
    }
}

/// What the inspection of one file, or one layer of it, found.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// File inspected.
    pub file: String,
    /// Layer, for multi-layer GDAL files.
    pub layer: Option<String>,
    /// Kind detected.
    pub kind: Kind,
    /// Rows, features, or ways (OSM, every way of the file) read.
    pub rows: u64,
    /// Items kept (activities, structures, cells, units, points…).
    pub kept: u64,
    /// Rejects recorded while reading.
    pub rejected: usize,
    /// The most frequent reject reasons with their counts, most frequent first.
    pub top_reasons: Vec<(String, usize)>,
    /// CRS the coordinates were read in, when known.
    pub crs: Option<String>,
    /// Bounding box of what was kept, WGS84 `[min_lon, min_lat, max_lon, max_lat]`.
    pub bbox: Option<[f64; 4]>,
    /// Counts per category (or per territory kind), sorted by name.
    pub counts: Vec<(String, u64)>,
    /// Other facts worth a line.
    pub notes: Vec<String>,
    /// Why the layer could not be read (multi-layer files go on with the other layers).
    pub error: Option<String>,
}

impl Report {
    /// An empty report of `kind` for `file`.
    fn new(file: &Path, layer: Option<&str>, kind: Kind) -> Report {
        Report {
            file: file.display().to_string(),
            layer: layer.map(str::to_string),
            kind,
            rows: 0,
            kept: 0,
            rejected: 0,
            top_reasons: Vec::new(),
            crs: None,
            bbox: None,
            counts: Vec::new(),
            notes: Vec::new(),
            error: None,
        }
    }

    /// Sets the reject counts from the rejects recorded since index `from`.
    fn rejects_since(&mut self, rejects: &Rejects, from: usize) {
        let mut by: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &rejects.items[from..] {
            *by.entry(r.reason.as_str()).or_default() += 1;
        }
        let mut top: Vec<(String, usize)> =
            by.into_iter().map(|(r, n)| (r.to_string(), n)).collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top.truncate(TOP_REASONS);
        self.rejected = rejects.len() - from;
        self.top_reasons = top;
    }
}

impl fmt::Display for Report {
    /// A heading line, then indented lines for counts, reasons, CRS, box, categories, notes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = &self.layer {
            write!(f, " [layer {l}]")?;
        }
        writeln!(f, ": {}", self.kind)?;
        if let Some(e) = &self.error {
            return write!(f, "  not read: {e}");
        }
        write!(
            f,
            "  rows read {}, kept {}, rejected {}",
            self.rows, self.kept, self.rejected
        )?;
        for (reason, n) in &self.top_reasons {
            write!(f, "\n    {n:>8}  {reason}")?;
        }
        if let Some(c) = &self.crs {
            write!(f, "\n  CRS: {c}")?;
        }
        if let Some([a, b, c, d]) = self.bbox {
            write!(f, "\n  bbox (WGS84): {a:.5}, {b:.5} – {c:.5}, {d:.5}")?;
        }
        if !self.counts.is_empty() {
            write!(f, "\n  categories:")?;
            for (name, n) in &self.counts {
                write!(f, "\n    {n:>8}  {name}")?;
            }
        }
        for note in &self.notes {
            write!(f, "\n  {note}")?;
        }
        Ok(())
    }
}

/// Settings of an inspection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InspectOptions {
    /// CRS assumed for layers declaring none and for `x`/`y` columns (`EPSG:2154`…).
    pub crs: Option<String>,
}

/// Why a file could not be inspected.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The file is of no known kind.
    #[error("{file}: {reason}; recours knows: {KNOWN_KINDS}")]
    Unknown {
        /// File.
        file: String,
        /// What was found instead.
        reason: String,
    },
    /// The file could not be opened.
    #[error("{file}: cannot read: {reason}")]
    Open {
        /// File.
        file: String,
        /// Cause.
        reason: String,
    },
    /// A reader could not open or parse a file, or a column is missing.
    #[error(transparent)]
    Input(#[from] crate::inputs::error::InputError),
    /// FINESS reader.
    #[error(transparent)]
    Finess(#[from] FinessError),
    /// Filosofi reader.
    #[error(transparent)]
    Filosofi(#[from] FilosofiError),
    /// Territory readers.
    #[error(transparent)]
    Territory(#[from] TerritoryError),
    /// OSM reader.
    #[error(transparent)]
    Osm(#[from] OsmError),
    /// Profile for the OSM reader.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// Generic point reader.
    #[error(transparent)]
    Points(#[from] PointsError),
}

/// Bounding box of `[lon, lat]` points, `None` when there are none.
fn bbox_of(points: impl Iterator<Item = [f64; 2]>) -> Option<[f64; 4]> {
    points.map(|[x, y]| [x, y, x, y]).reduce(|a, b| {
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]
    })
}

/// Counts of names, sorted by name.
fn count<'a>(names: impl Iterator<Item = &'a str>) -> Vec<(String, u64)> {
    let mut by: BTreeMap<String, u64> = BTreeMap::new();
    for n in names {
        *by.entry(n.to_string()).or_default() += 1;
    }
    by.into_iter().collect()
}

/// The first line of a delimited-text file (decoded as FINESS files are), `.gz` inflated.
fn first_line(path: &Path) -> Result<String, InspectError> {
    let open_err = |e: std::io::Error| InspectError::Open {
        file: path.display().to_string(),
        reason: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(open_err)?;
    let mut buf = Vec::new();
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let res = if gz {
        flate2::read::MultiGzDecoder::new(file)
            .take(SNIFF_BYTES)
            .read_to_end(&mut buf)
    } else {
        file.take(SNIFF_BYTES).read_to_end(&mut buf)
    };
    res.map_err(open_err)?;
    let refuse = |reason: String| InspectError::Unknown {
        file: path.display().to_string(),
        reason,
    };
    if buf.is_empty() {
        return Err(refuse("empty file, expected a header line".into()));
    }
    if let Some(why) = crate::inputs::text::refuse_head(&buf) {
        return Err(refuse(why));
    }
    let end = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
    let decoded = crate::inputs::text::decode(&buf[..end]);
    let text = decoded.text;
    Ok(text.trim_end_matches('\r').to_string())
}

/// The kind of a delimited-text file from its first line, for the kinds recognisable there.
fn text_kind(first: &str) -> Option<Kind> {
    let sep = crate::inputs::text::separator(first) as char;
    let cols: Vec<String> = first
        .split(sep)
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let has = |n: &str| cols.iter().any(|c| c == n);
    let first_field = first.split(';').next().unwrap_or("").trim();
    if sep == '|'
        && first
            .split('|')
            .any(|c| normalize_header(c) == "identifiant_pp")
    {
        Some(Kind::Annuaire)
    } else if ["finess", "structureet", "geolocalisation"].contains(&first_field) {
        Some(Kind::Finess)
    } else if has("idcar_200m") || has("idinspire") {
        Some(Kind::FilosofiCsv)
    } else if ["numero", "nom_voie", "code_insee", "lon", "lat"]
        .iter()
        .all(|c| has(c))
    {
        Some(Kind::Ban)
    } else {
        None
    }
}

/// Whether a lower-cased header names an id and coordinates a generic point file can use.
fn points_header(first: &str, crs: bool) -> Option<bool> {
    let sep = crate::inputs::text::separator(first) as char;
    let cols: Vec<String> = first
        .split(sep)
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let has = |n: &str| cols.iter().any(|c| c == n);
    let coords = (has("lon") || has("longitude")) && (has("lat") || has("latitude"))
        || (crs && has("x") && has("y"));
    (has("id") && coords).then(|| ["population", "weight", "pop"].iter().any(|c| has(c)))
}

/// Inspects `path`: one report, or one per layer of a multi-layer GDAL file. Rejects are
/// appended to `rejects`.
pub fn inspect(
    path: &Path,
    opts: &InspectOptions,
    rejects: &mut Rejects,
) -> Result<Vec<Report>, InspectError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.ends_with(".pbf") {
        return Ok(vec![inspect_osm(path, Kind::OsmPbf)?]);
    }
    if name.ends_with(".osm") || name.ends_with(".osm.gz") || name.ends_with(".osm.xml") {
        return Ok(vec![inspect_osm(path, Kind::OsmXml)?]);
    }
    if is_csv_path(path) || name.ends_with(".csv.gz") {
        return inspect_text(path, opts, rejects).map(|r| vec![r]);
    }
    inspect_layers(path, opts, rejects)
}

/// The outcome of inspecting several files.
#[derive(Debug, Default)]
pub struct InspectRun {
    /// The reports, printed, in the order of the files.
    pub printed: Vec<String>,
    /// Files that could not be inspected, with why.
    pub failed: Vec<String>,
    /// Layers of multi-layer files that could not be read, with why (also in the reports).
    pub unread_layers: Vec<String>,
    /// Every reject of every file.
    pub rejects: Rejects,
}

/// Inspects `paths` in order; a failing file does not stop the others.
pub fn inspect_files(paths: &[std::path::PathBuf], opts: &InspectOptions) -> InspectRun {
    let mut run = InspectRun::default();
    for p in paths {
        match inspect(p, opts, &mut run.rejects) {
            Ok(reports) => {
                for r in reports {
                    if let Some(e) = &r.error {
                        let layer = r.layer.as_deref().unwrap_or("");
                        run.unread_layers
                            .push(format!("{}, layer {layer}: {e}", r.file));
                    }
                    run.printed.push(r.to_string());
                }
            }
            Err(e) => run.failed.push(e.to_string()),
        }
    }
    run
}

/// Reads an OSM file with the car profile and describes what it holds.
fn inspect_osm(path: &Path, kind: Kind) -> Result<Report, InspectError> {
    let raw = read_osm(path, &Profile::builtin("car")?)?;
    let mut rep = Report::new(path, None, kind);
    rep.rows = raw.way_attrs.len() as u64 + raw.skipped.iter().map(|s| s.1).sum::<u64>();
    rep.kept = raw.way_attrs.len() as u64;
    rep.crs = Some("EPSG:4326".into());
    rep.bbox = bbox_of(
        raw.vertices
            .iter()
            .map(|v| [f64::from(v[0]) * 1e-7, f64::from(v[1]) * 1e-7]),
    );
    rep.counts = count(
        raw.way_attrs
            .iter()
            .map(|w| raw.class_names[w.class as usize].as_str()),
    );
    rep.notes.push(format!(
        "car profile: {} road ways, {} vertices",
        rep.kept,
        raw.vertices.len()
    ));
    for (reason, n) in &raw.skipped {
        rep.notes.push(format!("skipped {n}: {reason}"));
    }
    Ok(rep)
}

/// Inspects a delimited-text file.
fn inspect_text(
    path: &Path,
    opts: &InspectOptions,
    rejects: &mut Rejects,
) -> Result<Report, InspectError> {
    let first = first_line(path)?;
    let from = rejects.len();
    let file = path.display().to_string();
    let mut rep = match text_kind(&first) {
        Some(Kind::Annuaire) => {
            let (acts, summary) =
                read_annuaire_with_summary(path, &CategoryMap::default_french(), rejects)?;
            let mut rep = Report::new(path, None, Kind::Annuaire);
            rep.rows = summary.rows;
            rep.kept = summary.kept;
            rep.counts = count(acts.iter().filter_map(|a| a.category.as_deref()));
            let outside: u64 = summary.unmapped.values().sum();
            rep.notes.push(format!(
                "{} duplicates, {outside} rows outside the default categories; no coordinates: practices are located by geocoding against the BAN",
                summary.duplicates
            ));
            rep
        }
        Some(Kind::Finess) => {
            let (structures, summary) =
                read_finess(path, &FinessCategories::default_french(), rejects)?;
            let mut rep = Report::new(path, None, Kind::Finess);
            rep.rows = summary.structure_lines + summary.geolocation_lines;
            rep.kept = summary.structures;
            rep.crs =
                Some("Lambert-93 (EPSG:2154) or the overseas projection named per line".into());
            rep.bbox = bbox_of(structures.iter().filter_map(|s| Some([s.lon?, s.lat?])));
            rep.counts = summary
                .per_category
                .iter()
                .map(|(c, n)| {
                    (
                        if c.is_empty() { "(no category)" } else { c }.to_string(),
                        *n,
                    )
                })
                .collect();
            rep.notes.push(format!(
                "{} encoding; {} located, {} without coordinates",
                summary.encoding, summary.located, summary.without_coordinates
            ));
            rep
        }
        Some(Kind::FilosofiCsv) => {
            let cells = read_filosofi(path, None, opts.crs.as_deref(), rejects)?;
            let mut rep = Report::new(path, None, Kind::FilosofiCsv);
            filosofi_report(&mut rep, &cells);
            rep.rows = rep.kept + (rejects.len() - from) as u64;
            rep
        }
        Some(Kind::Ban) => {
            let index = BanIndex::from_csv(&[path], rejects)?;
            let stats = index.stats();
            let mut rep = Report::new(path, None, Kind::Ban);
            rep.rows = stats.rows;
            rep.kept = stats.rows - stats.rejected;
            rep.crs = Some("EPSG:4326 (lon, lat columns)".into());
            rep.notes.push(stats.to_string());
            rep
        }
        _ => {
            let mut scratch = Rejects::default();
            match read_membership_csv(path, &mut scratch) {
                Ok(m) => {
                    rejects.items.append(&mut scratch.items);
                    let mut rep = Report::new(path, None, Kind::Membership);
                    let members: usize = m.territories.iter().map(|t| t.members.len()).sum();
                    rep.rows = (members + rejects.len() - from) as u64;
                    rep.kept = m.territories.len() as u64;
                    rep.notes.push(format!(
                        "{} {} territories, {members} commune memberships",
                        m.territories.len(),
                        m.kind
                    ));
                    rep
                }
                Err(TerritoryError::Layout { .. }) => {
                    match points_header(&first, opts.crs.is_some()) {
                        Some(weighted) => inspect_points(
                            path,
                            None,
                            weighted,
                            &first_columns(&first),
                            opts,
                            rejects,
                        )?,
                        None => {
                            return Err(InspectError::Unknown {
                                file,
                                reason: format!("header {first:?} matches no known layout"),
                            })
                        }
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    rep.rejects_since(rejects, from);
    Ok(rep)
}

/// Column names of a header line.
fn first_columns(first: &str) -> Vec<String> {
    let sep = crate::inputs::text::separator(first) as char;
    first
        .split(sep)
        .map(|c| c.trim().trim_matches('"').to_string())
        .collect()
}

/// Fills a report from Filosofi cells.
fn filosofi_report(rep: &mut Report, cells: &[crate::inputs::demand::Cell]) {
    rep.kept = cells.len() as u64;
    rep.crs = Some("EPSG:3035 grid (from idcar_200m)".into());
    rep.bbox = bbox_of(cells.iter().map(|c| [c.lon, c.lat]));
    let people: f64 = cells.iter().map(|c| c.ind).sum();
    rep.notes.push(format!("{people:.1} inhabitants"));
}

/// Reads generic points (origins when `weighted`, else sites) with the default columns.
fn inspect_points(
    path: &Path,
    layer: Option<&str>,
    weighted: bool,
    columns: &[String],
    opts: &InspectOptions,
    rejects: &mut Rejects,
) -> Result<Report, InspectError> {
    let col = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| columns.iter().find(|c| c.eq_ignore_ascii_case(n)).cloned())
    };
    let xy = col(&["lon", "longitude"]).is_none() && col(&["x"]).is_some() && opts.crs.is_some();
    let spec = PointColumns {
        id: col(&["id", "osm_id", "@id", "code", "name"]).unwrap_or_else(|| "id".into()),
        category: col(&["category", "categorie"]),
        fixed_category: Some("(no category)".into()),
        capacity: col(&["capacity"]),
        x: col(&["x"]).filter(|_| xy),
        y: col(&["y"]).filter(|_| xy),
        crs: opts.crs.clone(),
        layer: layer.map(str::to_string),
        ..PointColumns::default()
    };
    let mut rep = Report::new(path, layer, Kind::Points);
    if weighted {
        let got = read_origins(path, &spec, rejects)?;
        rep.rows = got.rows;
        rep.kept = got.items.len() as u64;
        rep.crs = Some(got.crs);
        rep.bbox = bbox_of(got.items.iter().map(|o| [o.lon, o.lat]));
        let people: f64 = got.items.iter().map(|o| o.population).sum();
        rep.notes
            .push(format!("weighted origins: {people:.1} in total"));
    } else {
        let got = read_sites(path, &spec, rejects)?;
        rep.rows = got.rows;
        rep.kept = got.items.len() as u64;
        rep.crs = Some(got.crs);
        rep.bbox = bbox_of(got.items.iter().map(|s| [s.lon, s.lat]));
        rep.counts = count(got.items.iter().map(|s| s.category.as_str()));
    }
    Ok(rep)
}

/// What a GDAL layer looks like before reading.
struct LayerInfo {
    name: String,
    fields: Vec<String>,
    geometry: OGRwkbGeometryType::Type,
    crs: Option<String>,
    /// Features per geometry family (`points`, `lines`, `polygons`, `none`) when the layer
    /// declares no single type, counted over every feature.
    families: BTreeMap<&'static str, u64>,
}

/// The family of a flattened geometry type.
fn family(t: OGRwkbGeometryType::Type) -> &'static str {
    use OGRwkbGeometryType as G;
    match t {
        G::wkbPoint | G::wkbMultiPoint => "points",
        G::wkbLineString | G::wkbMultiLineString => "lines",
        G::wkbPolygon | G::wkbMultiPolygon => "polygons",
        G::wkbNone => "none",
        _ => "other",
    }
}

/// The layers of a GDAL file, or `Unknown` when GDAL cannot open it.
fn layer_infos(path: &Path) -> Result<Vec<LayerInfo>, InspectError> {
    let ds = crate::inputs::layer::open(path).map_err(|reason| InspectError::Unknown {
        file: path.display().to_string(),
        reason,
    })?;
    let mut out = Vec::new();
    for mut lyr in ds.layers() {
        let declared = lyr
            .defn()
            .geom_fields()
            .next()
            .map(|g| gdal::vector::geometry_type_flatten(g.field_type()));
        let mut families = BTreeMap::new();
        let geometry = match declared {
            Some(t) if t != OGRwkbGeometryType::wkbUnknown => t,
            _ => {
                let mut first = None;
                for f in lyr.features() {
                    let t = f
                        .geometry()
                        .filter(|g| !unsafe { g.c_geometry() }.is_null() && !g.is_empty())
                        .map_or(OGRwkbGeometryType::wkbNone, |g| {
                            gdal::vector::geometry_type_flatten(g.geometry_type())
                        });
                    if t != OGRwkbGeometryType::wkbNone {
                        first.get_or_insert(t);
                    }
                    *families.entry(family(t)).or_insert(0) += 1;
                }
                first.unwrap_or(OGRwkbGeometryType::wkbNone)
            }
        };
        out.push(LayerInfo {
            name: lyr.name(),
            fields: lyr.defn().fields().map(|f| f.name()).collect(),
            geometry,
            crs: layer_crs(&lyr),
            families,
        });
    }
    if out.is_empty() {
        return Err(InspectError::Unknown {
            file: path.display().to_string(),
            reason: "GDAL opens it but finds no vector layer".into(),
        });
    }
    Ok(out)
}

/// Inspects every layer of a GDAL file; with one layer its error is the file's.
fn inspect_layers(
    path: &Path,
    opts: &InspectOptions,
    rejects: &mut Rejects,
) -> Result<Vec<Report>, InspectError> {
    let infos = layer_infos(path)?;
    let single = infos.len() == 1;
    let mut out = Vec::new();
    for info in &infos {
        let from = rejects.len();
        match inspect_layer(path, info, opts, rejects) {
            Ok(mut rep) => {
                rep.rejects_since(rejects, from);
                out.push(rep);
            }
            Err(e) if single => return Err(e),
            Err(e) => {
                rejects.items.truncate(from);
                let mut rep = Report::new(path, Some(&info.name), layer_kind(info));
                rep.error = Some(e.to_string());
                out.push(rep);
            }
        }
    }
    Ok(out)
}

/// The kind of a GDAL layer from its fields and geometry type.
fn layer_kind(info: &LayerInfo) -> Kind {
    use OGRwkbGeometryType as G;
    let has = |c: &[&str]| find_field(&info.fields, c).is_some();
    // Mixed: no geometry family holds three quarters of the features with a geometry (a
    // polygon layer with a stray line stays a polygon layer).
    let counts: Vec<u64> = info
        .families
        .iter()
        .filter(|(f, _)| **f != "none")
        .map(|(_, n)| *n)
        .collect();
    let total: u64 = counts.iter().sum();
    let largest = counts.iter().copied().max().unwrap_or(0);
    let mixed = total > 0 && 4 * largest < 3 * total;
    if has(&["idcar_200m", "IdINSPIRE"]) {
        Kind::FilosofiLayer
    } else if mixed {
        Kind::Mixed
    } else if info.geometry == G::wkbNone {
        Kind::Table
    } else if [G::wkbPoint, G::wkbMultiPoint].contains(&info.geometry) {
        Kind::Points
    } else if [G::wkbLineString, G::wkbMultiLineString].contains(&info.geometry) {
        Kind::Lines
    } else {
        let kind = ["iris", "qpv", "commune"]
            .into_iter()
            .find(|k| has(code_candidates(k)))
            .unwrap_or("unit");
        Kind::Units(kind.to_string())
    }
}

/// What a layer holding `families` of geometries could serve as, one sentence each.
fn could_serve(families: &BTreeMap<&'static str, u64>) -> Vec<String> {
    let n = |f: &str| families.get(f).copied().unwrap_or(0);
    let mut out = Vec::new();
    if n("lines") > 0 {
        out.push(format!(
            "its {} lines could serve as roads (`recours network build --lines FILE` takes the lines only)",
            n("lines")
        ));
    }
    if n("points") + n("polygons") > 0 {
        out.push(format!(
            "its {} points and {} polygons could serve as supply or origins (`[[supply]] kind = \"points\"`: a polygon is read as a point on its surface, lines are ignored with a reject)",
            n("points"),
            n("polygons")
        ));
    }
    if n("polygons") > 0 {
        out.push(format!(
            "its {} polygons could serve as territorial units (`[[territories]]`, points and lines ignored with a reject)",
            n("polygons")
        ));
    }
    if n("none") > 0 {
        out.push(format!(
            "{} features have no geometry: as a table, give the file where a table is expected (CSV, .xlsx, .ods)",
            n("none")
        ));
    }
    out
}

/// Reads one GDAL layer with the reader of its kind.
fn inspect_layer(
    path: &Path,
    info: &LayerInfo,
    opts: &InspectOptions,
    rejects: &mut Rejects,
) -> Result<Report, InspectError> {
    let layer = Some(info.name.as_str());
    let kind = layer_kind(info);
    let from = rejects.len();
    let mut rep = match &kind {
        Kind::FilosofiLayer => {
            let cells = read_filosofi(path, layer, opts.crs.as_deref(), rejects)?;
            let mut rep = Report::new(path, layer, kind.clone());
            filosofi_report(&mut rep, &cells);
            rep.rows = rep.kept + (rejects.len() - from) as u64;
            rep
        }
        Kind::Units(k) => {
            let units = read_units(path, layer, k, None, None, opts.crs.as_deref(), rejects)?;
            let mut rep = Report::new(path, layer, kind.clone());
            rep.kept = units.units.len() as u64;
            rep.rows = rep.kept + (rejects.len() - from) as u64;
            rep.bbox = units
                .units
                .iter()
                .filter_map(|u| u.geometry.bounding_rect())
                .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
                .reduce(|a, b| {
                    [
                        a[0].min(b[0]),
                        a[1].min(b[1]),
                        a[2].max(b[2]),
                        a[3].max(b[3]),
                    ]
                });
            let with_pop: Vec<f64> = units.units.iter().filter_map(|u| u.population).collect();
            if !with_pop.is_empty() {
                rep.notes.push(format!(
                    "population given for {} units: {:.0} inhabitants",
                    with_pop.len(),
                    with_pop.iter().sum::<f64>()
                ));
            }
            for r in &units.repaired {
                rep.notes.push(format!("repaired {}: {}", r.code, r.reason));
            }
            rep
        }
        Kind::Points => {
            let weighted = ["population", "weight", "pop"]
                .iter()
                .any(|c| find_field(&info.fields, &[c]).is_some());
            inspect_points(path, layer, weighted, &info.fields, opts, rejects)?
        }
        Kind::Mixed | Kind::Table => {
            let mut rep = Report::new(path, layer, kind.clone());
            rep.counts = info
                .families
                .iter()
                .map(|(f, n)| (f.to_string(), *n))
                .collect();
            rep.rows = info.families.values().sum();
            rep.kept = rep.rows;
            rep.notes.extend(could_serve(&info.families));
            rep
        }
        _ => {
            let ds = Dataset::open(path).map_err(|e| InspectError::Open {
                file: path.display().to_string(),
                reason: e.to_string(),
            })?;
            let lyr = ds
                .layer_by_name(&info.name)
                .map_err(|e| InspectError::Open {
                    file: path.display().to_string(),
                    reason: e.to_string(),
                })?;
            let mut rep = Report::new(path, layer, kind.clone());
            rep.rows = lyr.feature_count();
            rep.kept = rep.rows;
            rep.notes
                .push("read it as roads with `recours network build --lines FILE`".into());
            rep
        }
    };
    if rep.crs.is_none() {
        rep.crs = Some(match (&info.crs, &opts.crs) {
            (Some(c), _) => c.clone(),
            (None, Some(c)) => format!("{c} (assumed: the layer declares none)"),
            (None, None) => "none declared".into(),
        });
    }
    Ok(rep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_kinds_from_first_lines() {
        assert_eq!(
            text_kind("Type d'identifiant PP|Identifiant PP|Code profession|"),
            Some(Kind::Annuaire)
        );
        assert_eq!(
            text_kind("finess;etalab;100;2024-01-10"),
            Some(Kind::Finess)
        );
        assert_eq!(
            text_kind("structureet;930019484;930000106;CMS"),
            Some(Kind::Finess)
        );
        assert_eq!(text_kind("idcar_200m,ind,men"), Some(Kind::FilosofiCsv));
        assert_eq!(
            text_kind(
                "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;lon;lat"
            ),
            Some(Kind::Ban)
        );
        assert_eq!(text_kind("id,lon,lat"), None);
        assert_eq!(points_header("id;lon;lat", false), Some(false));
        assert_eq!(points_header("id,x,y,population", true), Some(true));
        assert_eq!(points_header("id,x,y", false), None);
    }

    #[test]
    fn unknown_text_lists_the_known_kinds() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("screening.csv");
        std::fs::write(&p, "commune,rate\nBondy,42\n").unwrap();
        let e = inspect(&p, &InspectOptions::default(), &mut Rejects::default()).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("matches no known layout"), "{text}");
        assert!(text.contains("FINESS etalab"), "{text}");
    }

    #[test]
    fn generic_points_report_categories_and_rejects() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pts.csv");
        std::fs::write(
            &p,
            "id;category;lon;lat\na;gp;2,47;48,90\nb;gp;2.48;48.91\nc;pharmacy;2.49;48.92\nd;gp;x;48.9\n",
        )
        .unwrap();
        let mut r = Rejects::default();
        let reps = inspect(&p, &InspectOptions::default(), &mut r).unwrap();
        let rep = &reps[0];
        assert_eq!(rep.kind, Kind::Points);
        assert_eq!((rep.rows, rep.kept, rep.rejected), (4, 3, 1));
        assert_eq!(
            rep.counts,
            vec![("gp".to_string(), 2), ("pharmacy".to_string(), 1)]
        );
        assert_eq!(rep.bbox, Some([2.47, 48.90, 2.49, 48.92]));
        let text = rep.to_string();
        assert!(text.contains("rows read 4, kept 3, rejected 1"), "{text}");
        assert!(text.contains("longitude: \"x\" is not a number"), "{text}");
    }
}
