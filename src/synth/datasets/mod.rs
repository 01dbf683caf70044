//! The demo territory of [`super::generate`] written in the published file layouts the
//! engine's readers take (see `DOMAIN.md`, *Published file layouts*), so that the demo and
//! the tests exercise the real readers end to end.
//!
//! [`write_demo_datasets`] lays out, from the generated towns and streets:
//! - communes ([`communes`]): the Voronoi cells of the towns and of extra rural seeds,
//!   clipped to the territory's box, in Lambert-93; QPV squares inside the three largest
//!   towns;
//! - Filosofi 200 m cells ([`cells`]) on the EPSG:3035 grid, dense in towns, sparse in the
//!   countryside;
//! - BAN addresses ([`addresses`]) numbered along the generated named streets;
//! - an Annuaire Santé extraction ([`annuaire`]) and a FINESS extraction ([`finess`]) at
//!   those addresses;
//! - CPTS membership ([`cpts`]) and specialist consumption with populations by age and sex
//!   and reference rates ([`consumption`]);
//! - a screening participation table and a reference table of published figures
//!   ([`published`]).
//!
//! **Codes.** The territory lies in Seine-Saint-Denis (lon 2.45, lat 48.90), so the files
//! use département `93` and Lambert-93, but with commune numbers from 901 upwards
//! (`93901`, `93902`…): the real département has communes 93001–93079 only, so the codes
//! are well-formed (the FINESS reader accepts départements 01–95, 2A/2B and 971–976 only,
//! which rules out a fictitious `98`) yet cannot be mistaken for real ones. Postcodes are
//! `939xx`, QPV codes `QN0939xM`, FINESS numbers `939xxxxxx`.
//!
//! Every draw comes from [`super::rng::SplitMix64`] streams derived from the seed, every
//! table is written in a fixed order with fixed float formatting: the same seed gives the
//! same bytes.

pub mod addresses;
pub mod annuaire;
pub mod cells;
pub mod communes;
pub mod consumption;
pub mod cpts;
pub mod finess;
pub mod published;

use super::SynthOsm;
use crate::support::crs::CrsError;
use std::path::{Path, PathBuf};

/// Why the demo's datasets could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A projection between WGS84 and Lambert-93 or LAEA failed.
    #[error(transparent)]
    Crs(#[from] CrsError),
    /// The territory has no node to place communes around.
    #[error("the territory has no node")]
    Empty,
    /// A file or folder could not be written.
    #[error("{doing} {}", path.display())]
    Io {
        /// `creating` or `writing`.
        doing: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Département code of the demo files.
pub const DEPARTEMENT: &str = "93";

/// File names written by [`write_demo_datasets`], in the order they are written.
pub const FILE_NAMES: [&str; 14] = [
    communes::COMMUNES_FILE,
    communes::QPV_FILE,
    cpts::CPTS_FILE,
    cells::FILOSOFI_FILE,
    addresses::BAN_FILE,
    annuaire::ANNUAIRE_FILE,
    annuaire::ANNUAIRE_2016_FILE,
    finess::FINESS_FILE,
    consumption::CONSUMPTION_FILE,
    consumption::POPULATION_FILE,
    consumption::RATES_FILE,
    published::PARTICIPATION_FILE,
    published::REFERENCE_FILE,
    "README.txt",
];

/// What [`write_demo_datasets`] wrote.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DatasetsSummary {
    /// Files written, in [`FILE_NAMES`] order, with their size in bytes.
    pub files: Vec<(PathBuf, u64)>,
    /// Communes in `communes.geojson`.
    pub communes: usize,
    /// QPV in `qpv.geojson`.
    pub qpv: usize,
    /// CPTS in `cpts.csv`.
    pub cpts: usize,
    /// Filosofi cells in `filosofi_200m.csv`.
    pub cells: usize,
    /// Inhabitants of all cells (sum of `ind`).
    pub inhabitants: f64,
    /// BAN rows in `adresses-93.csv`.
    pub addresses: usize,
    /// Data rows of the Annuaire Santé extraction, deliberately broken ones included.
    pub annuaire_rows: usize,
    /// Rows of the extraction deliberately broken (missing address, missing identifier,
    /// unknown savoir-faire code, street unknown to the BAN, repeated row).
    pub annuaire_broken: usize,
    /// `structureet` lines of the FINESS extraction.
    pub finess_structures: usize,
    /// Rows of `consumption.csv`.
    pub consumption_rows: usize,
}

/// Writes the demo territory `osm` (from [`super::generate`] with seed `seed`) as the
/// published files listed in [`FILE_NAMES`] into `dir` (created if needed) and says what
/// was written. Same `osm` and seed, same bytes.
pub fn write_demo_datasets(
    osm: &SynthOsm,
    seed: u64,
    dir: &Path,
) -> Result<DatasetsSummary, SynthError> {
    std::fs::create_dir_all(dir).map_err(|source| SynthError::Io {
        doing: "creating",
        path: dir.to_path_buf(),
        source,
    })?;
    let map = communes::CommuneMap::build(osm, seed)?;
    let qpv = communes::qpv(&map);
    let grid = cells::cells(osm, &map, &qpv, seed)?;
    let ban = addresses::addresses(osm, &map)?;
    let prof = annuaire::professionals(&map, &grid, &ban, seed);
    let structures = finess::structures(&map, &grid, &ban, seed);
    let members = cpts::cpts(&map);
    let cons = consumption::consumption(&map, &grid, seed);

    let write = |name: &str, bytes: Vec<u8>| -> Result<(PathBuf, u64), SynthError> {
        let path = dir.join(name);
        if let Err(source) = std::fs::write(&path, &bytes) {
            return Err(SynthError::Io {
                doing: "writing",
                path,
                source,
            });
        }
        Ok((path, bytes.len() as u64))
    };
    let files = vec![
        write(
            communes::COMMUNES_FILE,
            communes::communes_geojson(&map, &grid),
        )?,
        write(communes::QPV_FILE, communes::qpv_geojson(&map, &qpv)?)?,
        write(cpts::CPTS_FILE, cpts::cpts_csv(&map, &members))?,
        write(cells::FILOSOFI_FILE, cells::filosofi_csv(&map, &grid))?,
        write(addresses::BAN_FILE, addresses::ban_csv(&map, &ban))?,
        write(annuaire::ANNUAIRE_FILE, annuaire::annuaire_txt(&prof))?,
        write(
            annuaire::ANNUAIRE_2016_FILE,
            annuaire::annuaire_txt(&annuaire::earlier(&prof)),
        )?,
        write(finess::FINESS_FILE, finess::finess_csv(&map, &structures))?,
        write(
            consumption::CONSUMPTION_FILE,
            consumption::consumption_csv(&map, &cons),
        )?,
        write(
            consumption::POPULATION_FILE,
            consumption::population_csv(&map, &cons),
        )?,
        write(consumption::RATES_FILE, consumption::rates_csv())?,
        write(
            published::PARTICIPATION_FILE,
            published::participation_csv(&map, &grid, seed),
        )?,
        write(published::REFERENCE_FILE, published::reference_csv())?,
        write("README.txt", readme().into_bytes())?,
    ];
    Ok(DatasetsSummary {
        files,
        communes: map.communes.len(),
        qpv: qpv.len(),
        cpts: members.len(),
        cells: grid.cells.len(),
        inhabitants: grid.cells.iter().map(|c| c.ind()).sum(),
        addresses: ban.len(),
        annuaire_rows: prof.rows.len(),
        annuaire_broken: prof.broken,
        finess_structures: structures.len(),
        consumption_rows: cons.rows(),
    })
}

/// The README of the folder: what each file is and which reader takes it.
fn readme() -> String {
    let mut s = String::from(
        "Synthetic demo territory (recours synth::datasets), fictitious codes of département 93 (communes 939xx).\n",
    );
    for (name, what) in [
        (
            communes::COMMUNES_FILE,
            "IGN ADMIN EXPRESS-like communes, Lambert-93: INSEE_COM, NOM, POPULATION",
        ),
        (
            communes::QPV_FILE,
            "ANCT QPV 2024-like, WGS84: code_qp, lib_qp, insee_com, lib_com",
        ),
        (
            cpts::CPTS_FILE,
            "CPTS as commune lists: cpts,code_insee,commune,basis",
        ),
        (
            cells::FILOSOFI_FILE,
            "INSEE Filosofi 2019 200 m cells (idcar_200m in EPSG:3035)",
        ),
        (addresses::BAN_FILE, "Base Adresse Nationale, ';'-separated"),
        (
            annuaire::ANNUAIRE_FILE,
            "Annuaire Sante extraction, '|'-separated, a few rows deliberately broken",
        ),
        (
            annuaire::ANNUAIRE_2016_FILE,
            "the same extraction ten years earlier (snapshot 2016): GPs since retired, without those settled since",
        ),
        (
            finess::FINESS_FILE,
            "FINESS etalab cs1100507: structureet + geolocalisation (Lambert-93)",
        ),
        (
            consumption::CONSUMPTION_FILE,
            "specialist consumption: code,specialty,age_band,sex,count",
        ),
        (
            consumption::POPULATION_FILE,
            "population: code,age_band,sex,population",
        ),
        (
            consumption::RATES_FILE,
            "reference rates (acts per inhabitant per year): specialty,age_band,sex,rate",
        ),
        (
            published::PARTICIPATION_FILE,
            "breast screening participation per commune: code_insee,commune,campaign,screened,insured_pop,rate_pct",
        ),
        (
            published::REFERENCE_FILE,
            "published figures of the larger areas (illustrative): code,indicator,value,source",
        ),
    ] {
        s.push_str(&format!("{name}: {what}\n"));
    }
    s
}
