//! The demo territory's published-format files (`recours::synth::datasets`) read back
//! through the project's real readers: communes and QPV (GDAL), CPTS table, Filosofi cells,
//! BAN + Annuaire Santé + geocoding, FINESS, consumption tables; and the same bytes twice.

use geo::{Area, Contains};
use recours::inputs::demand::filosofi::read_filosofi;
use recours::inputs::geocode::ban::BanIndex;
use recours::inputs::supply::finess::{read_finess, FinessCategories};
use recours::inputs::supply::{read_annuaire_with_summary, CategoryMap};
use recours::inputs::territory::membership::is_commune_code;
use recours::inputs::territory::{read_membership_csv, read_units, UnitIndex, UnitLayer};
use recours::support::rejects::Rejects;
use recours::synth::datasets::{write_demo_datasets, DatasetsSummary, FILE_NAMES};
use recours::synth::{generate, RoadNetworkSpec};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

const SEED: u64 = 7;

fn generated() -> (tempfile::TempDir, DatasetsSummary) {
    let dir = tempfile::tempdir().unwrap();
    let osm = generate(&RoadNetworkSpec::small(SEED));
    let summary = write_demo_datasets(&osm, SEED, dir.path()).unwrap();
    (dir, summary)
}

fn communes(dir: &Path) -> UnitLayer {
    let mut rejects = Rejects::default();
    let layer = read_units(
        &dir.join("communes.geojson"),
        None,
        "commune",
        None,
        None,
        None,
        &mut rejects,
    )
    .unwrap();
    assert!(rejects.is_empty(), "{:?}", rejects.items);
    layer
}

#[test]
fn communes_tile_the_territory_and_qpv_lie_inside_them() {
    let (dir, summary) = generated();
    let layer = communes(dir.path());
    assert_eq!(layer.units.len(), summary.communes);
    assert!(
        (20..=40).contains(&layer.units.len()),
        "{}",
        layer.units.len()
    );
    assert!(layer.repaired.is_empty());
    let codes: BTreeSet<&str> = layer.units.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes.len(), layer.units.len());
    assert!(codes.iter().all(|c| c.len() == 5 && is_commune_code(c)));
    let population: f64 = layer.units.iter().map(|u| u.population.unwrap()).sum();
    assert!((population - summary.inhabitants).abs() <= layer.units.len() as f64);
    assert!(layer.units.iter().all(|u| u.geometry.unsigned_area() > 0.0));

    let mut rejects = Rejects::default();
    let qpv = read_units(
        &dir.path().join("qpv.geojson"),
        None,
        "qpv",
        None,
        None,
        None,
        &mut rejects,
    )
    .unwrap();
    assert!(rejects.is_empty(), "{:?}", rejects.items);
    assert_eq!(qpv.units.len(), summary.qpv);
    assert!((3..=6).contains(&qpv.units.len()));
    let text = std::fs::read_to_string(dir.path().join("qpv.geojson")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    for (q, feature) in qpv.units.iter().zip(json["features"].as_array().unwrap()) {
        assert!(q.code.starts_with("QN0939") && q.code.ends_with('M') && q.code.len() == 8);
        let commune = feature["properties"]["insee_com"].as_str().unwrap();
        let c = &layer.units[layer.position(commune).unwrap()];
        assert!(
            c.geometry.contains(&q.geometry),
            "{} not inside {commune}",
            q.code
        );
    }
}

#[test]
fn cpts_table_reads_with_a_commune_in_two_cpts() {
    let (dir, summary) = generated();
    let layer = communes(dir.path());
    let mut rejects = Rejects::default();
    let m = read_membership_csv(&dir.path().join("cpts.csv"), &mut rejects).unwrap();
    assert!(rejects.is_empty(), "{:?}", rejects.items);
    assert_eq!(m.kind, "cpts");
    assert_eq!(m.territories.len(), summary.cpts);
    assert!((3..=6).contains(&m.territories.len()));
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &m.territories {
        for member in &t.members {
            assert!(layer.position(&member.commune).is_some());
            *count.entry(member.commune.as_str()).or_default() += 1;
        }
    }
    assert_eq!(count.len(), layer.units.len(), "every commune is in a CPTS");
    assert!(count.values().any(|&n| n == 2));
}

#[test]
fn filosofi_cells_read_back_dense_in_towns() {
    let (dir, summary) = generated();
    let layer = communes(dir.path());
    let mut rejects = Rejects::default();
    let cells = read_filosofi(
        &dir.path().join("filosofi_200m.csv"),
        None,
        None,
        &mut rejects,
    )
    .unwrap();
    assert!(rejects.is_empty(), "{:?}", rejects.items);
    assert_eq!(cells.len(), summary.cells);
    let ind: f64 = cells.iter().map(|c| c.ind).sum();
    assert!((100_000.0..=300_000.0).contains(&ind), "{ind}");
    assert!((ind - summary.inhabitants).abs() < 1.0);
    let max = cells.iter().map(|c| c.ind).fold(0.0, f64::max);
    assert!(max > 120.0, "dense town cells: {max}");
    assert!(cells.iter().filter(|c| c.ind < 40.0).count() > cells.len() / 3);
    let index = UnitIndex::new(&layer);
    let points: Vec<(f64, f64)> = cells.iter().map(|c| (c.lon, c.lat)).collect();
    let agree = index
        .assign_points(&points)
        .iter()
        .zip(&cells)
        .filter(|(units, c)| {
            units
                .first()
                .is_some_and(|&u| layer.units[u].code == c.lcog_geo)
        })
        .count();
    assert!(
        agree * 1000 >= cells.len() * 999,
        "{agree} of {}",
        cells.len()
    );
}

#[test]
fn annuaire_rows_geocode_on_the_ban_with_the_broken_rows_rejected() {
    let (dir, summary) = generated();
    let mut ban_rejects = Rejects::default();
    let ban = BanIndex::from_csv(&[dir.path().join("adresses-93.csv")], &mut ban_rejects).unwrap();
    assert!(ban_rejects.is_empty(), "{:?}", ban_rejects.items);
    let stats = ban.stats();
    assert_eq!(stats.rows as usize, summary.addresses);
    assert_eq!(stats.duplicates, 0);
    assert!(stats.communes >= 12, "{stats}");

    let mut rejects = Rejects::default();
    let (acts, read) = read_annuaire_with_summary(
        &dir.path().join("PS_LibreAcces_Personne_activite_demo.txt"),
        &CategoryMap::default_french(),
        &mut rejects,
    )
    .unwrap();
    assert_eq!(read.rows as usize, summary.annuaire_rows);
    assert_eq!((read.rejected, read.duplicates), (2, 1));
    assert_eq!(
        read.unmapped,
        BTreeMap::from([("profession 10, savoir-faire SM99".to_string(), 1)])
    );
    let reasons: Vec<&str> = rejects.items.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "no address: neither commune code nor postcode",
            "missing Identifiant PP"
        ]
    );
    let mut per_category: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &acts {
        *per_category
            .entry(a.category.as_deref().unwrap())
            .or_default() += 1;
    }
    for c in [
        "gp",
        "radiology",
        "gastroenterology",
        "gynaecology",
        "ophthalmology",
        "pharmacist",
    ] {
        assert!(
            per_category.get(c).is_some_and(|&n| n > 0),
            "{c}: {per_category:?}"
        );
    }
    assert!(per_category["gp"] >= 60, "{per_category:?}");
    let mut communes_of: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for a in &acts {
        communes_of
            .entry(a.pp_id.as_str())
            .or_default()
            .insert(a.address.commune_code.as_str());
    }
    assert!(communes_of.values().filter(|c| c.len() == 2).count() >= 3);

    let (located, geo) = ban.geocode_all(&acts);
    assert_eq!(geo.failed, 0, "{geo:?}");
    assert_eq!(
        geo.commune, 1,
        "only the street unknown to the BAN: {geo:?}"
    );
    assert_eq!(geo.fuzzy, 0);
    assert_eq!(geo.house_number, acts.len() - 1, "{geo:?}");
    assert!(located
        .iter()
        .all(|g| g.lon.is_finite() && (2.2..2.7).contains(&g.lon)));
}

#[test]
fn finess_structures_are_located_in_lambert93() {
    let (dir, summary) = generated();
    let mut rejects = Rejects::default();
    let (structures, read) = read_finess(
        &dir.path().join("finess_etalab_demo.csv"),
        &FinessCategories::default_french(),
        &mut rejects,
    )
    .unwrap();
    assert_eq!(structures.len(), summary.finess_structures);
    assert_eq!(read.located as usize, structures.len() - 1);
    assert_eq!(read.orphan_geolocations, 1);
    assert_eq!(read.rejected_lines, 0);
    let reasons: Vec<&str> = rejects.items.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "geolocalisation without structureet",
            "no coordinates (no geolocalisation line)"
        ]
    );
    for c in ["hospital", "health_centre", "msp", "pharmacy", "imaging"] {
        assert!(
            read.per_category.get(c).is_some_and(|&n| n > 0),
            "{c}: {read}"
        );
    }
    let mut ban_rejects = Rejects::default();
    let ban = BanIndex::from_csv(&[dir.path().join("adresses-93.csv")], &mut ban_rejects).unwrap();
    for s in structures.iter().filter(|s| s.lon.is_some()) {
        let g = ban.geocode(&s.address);
        let dx = (g.lon - s.lon.unwrap()) * 73_000.0;
        let dy = (g.lat - s.lat.unwrap()) * 111_000.0;
        assert!(
            (dx * dx + dy * dy).sqrt() < 10.0,
            "{} at {}",
            s.finess,
            g.matched
        );
    }
}

/// Rows of a small CSV as string fields, header dropped.
fn rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn consumption_under_consumes_in_some_communes() {
    let (dir, summary) = generated();
    let rates: HashMap<(String, String, String), f64> =
        rows(&dir.path().join("reference_rates.csv"))
            .into_iter()
            .map(|r| {
                (
                    (r[0].clone(), r[1].clone(), r[2].clone()),
                    r[3].parse().unwrap(),
                )
            })
            .collect();
    assert_eq!(rates.len(), 40);
    let mut expected: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut total_population = 0.0;
    for r in rows(&dir.path().join("population_by_age_sex.csv")) {
        let p: f64 = r[3].parse().unwrap();
        total_population += p;
        for sp in ["radiology", "gastro", "gynaecology", "ophthalmology"] {
            let rate = rates[&(sp.to_string(), r[1].clone(), r[2].clone())];
            *expected.entry((r[0].clone(), sp.to_string())).or_default() += rate * p;
        }
    }
    assert!((total_population - summary.inhabitants).abs() / summary.inhabitants < 0.01);
    let consumption = rows(&dir.path().join("consumption.csv"));
    assert_eq!(consumption.len(), summary.consumption_rows);
    let mut observed: BTreeMap<(String, String), f64> = BTreeMap::new();
    for r in consumption {
        *observed.entry((r[0].clone(), r[1].clone())).or_default() += r[4].parse::<f64>().unwrap();
    }
    let icc: Vec<f64> = expected
        .iter()
        .filter(|(_, e)| **e > 50.0)
        .map(|(k, e)| 100.0 * observed[k] / e)
        .collect();
    assert!(icc.iter().filter(|&&v| v < 90.0).count() >= 10, "{icc:?}");
    assert!(icc.iter().any(|&v| v > 100.0), "{icc:?}");
}

#[test]
fn same_seed_same_bytes() {
    let start = std::time::Instant::now();
    let (a, summary) = generated();
    eprintln!("{summary:#?}\ngenerated in {:?}", start.elapsed());
    let (b, _) = generated();
    assert_eq!(summary.files.len(), FILE_NAMES.len());
    let total: u64 = summary.files.iter().map(|(_, n)| n).sum();
    assert!(total < 8_000_000, "{total} bytes");
    for name in FILE_NAMES {
        let x = std::fs::read(a.path().join(name)).unwrap();
        let y = std::fs::read(b.path().join(name)).unwrap();
        assert!(x == y, "{name} differs between two runs");
    }
}

#[test]
fn other_seeds_stay_in_range() {
    // 2026 is the seed of the bundled demo (`recours::cli::demo::DEMO_SEED`).
    for seed in [1, 42, 2026] {
        let dir = tempfile::tempdir().unwrap();
        let osm = generate(&RoadNetworkSpec::small(seed));
        let s = write_demo_datasets(&osm, seed, dir.path()).unwrap();
        assert!((20..=40).contains(&s.communes), "seed {seed}: {s:?}");
        assert!(
            (3..=6).contains(&s.qpv) && (3..=6).contains(&s.cpts),
            "seed {seed}: {s:?}"
        );
        assert!(
            (100_000.0..=300_000.0).contains(&s.inhabitants),
            "seed {seed}: {s:?}"
        );
        let layer = communes(dir.path());
        assert_eq!(layer.units.len(), s.communes);
    }
}
