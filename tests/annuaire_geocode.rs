//! Annuaire Santé extraction → categories of care → BAN geocoding, on fixtures in the
//! published layouts: `PS_LibreAcces_Personne_activite_202501150000.txt` (the 56-column
//! release layout with its trailing `|`, 19 rows) and the BAN files `adresses-93.csv` /
//! `adresses-75.csv` (38 rows: Bondy, Pantin, Bobigny, Paris 15e).

use recours::inputs::geocode::ban::BanIndex;
use recours::inputs::geocode::{Address, GeocodeSummary, Precision};
use recours::inputs::supply::{read_annuaire_with_summary, CategoryMap, PracticeMode};
use recours::support::rejects::Rejects;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/annuaire")
        .join(name)
}

#[test]
fn extraction_is_read_categorised_and_geocoded() {
    let mut rejects = Rejects::default();
    let (acts, read) = read_annuaire_with_summary(
        &fixture("PS_LibreAcces_Personne_activite_202501150000.txt"),
        &CategoryMap::default_french(),
        &mut rejects,
    )
    .unwrap();
    assert_eq!(
        (read.rows, read.kept, read.rejected, read.duplicates),
        (19, 13, 3, 1)
    );
    assert_eq!(
        read.unmapped,
        BTreeMap::from([
            ("profession 10, savoir-faire SM49".to_string(), 1),
            ("profession 26".to_string(), 1)
        ])
    );
    let got: Vec<(u64, &str, &str)> = rejects
        .items
        .iter()
        .map(|r| (r.line, r.id.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (8, "10100000014", "expected 56 fields, found 55"),
            (17, "", "missing Identifiant PP"),
            (
                19,
                "10100000015",
                "no address: neither commune code nor postcode"
            ),
        ]
    );
    assert!(rejects.items[0]
        .file
        .ends_with("PS_LibreAcces_Personne_activite_202501150000.txt"));

    let mut ban_rejects = Rejects::default();
    let ban = BanIndex::from_csv(
        &[fixture("adresses-93.csv"), fixture("adresses-75.csv")],
        &mut ban_rejects,
    )
    .unwrap();
    assert!(ban_rejects.is_empty(), "{ban_rejects:?}");
    let stats = ban.stats();
    assert_eq!(
        (
            stats.rows,
            stats.communes,
            stats.streets,
            stats.numbers,
            stats.lieux_dits
        ),
        (38, 4, 12, 37, 1)
    );

    let (geo, summary) = ban.geocode_all(&acts);
    use Precision::*;
    // (line, category, precision, lon, lat): coordinates are the BAN's, or the means of its rows.
    let bondy = (2.4818666666666664, 48.901774999999994);
    let pantin = (2.403909090909091, 48.89393636363636);
    let want = [
        (2, "gp", HouseNumber, 2.47650, 48.90070),
        (3, "gp", HouseNumber, 2.48630, 48.90440),
        (5, "radiology", HouseNumber, 2.48400, 48.89915),
        (6, "gastroenterology", Street, 2.48654, 48.90466),
        (7, "pharmacist", HouseNumber, 2.40250, 48.89450),
        (9, "gp", HouseNumber, 2.30200, 48.84050),
        (10, "nurse", HouseNumber, 2.31310, 48.84220),
        (11, "cardiology", HouseNumber, 2.40110, 48.89600),
        (12, "dermatology", Commune, bondy.0, bondy.1),
        (13, "ophthalmology", Failed, f64::NAN, f64::NAN),
        (14, "midwife", HouseNumber, 2.48650, 48.90470),
        (18, "gynaecology", Street, 2.40680, 48.89220),
        (20, "gp", Commune, pantin.0, pantin.1),
    ];
    assert_eq!(acts.len(), want.len());
    for ((a, g), (line, cat, prec, lon, lat)) in acts.iter().zip(&geo).zip(want) {
        assert_eq!(
            (a.line, a.category.as_deref(), g.precision),
            (line, Some(cat), prec),
            "{g:?}"
        );
        if prec == Failed {
            assert!(g.lon.is_nan() && g.lat.is_nan());
        } else {
            assert!(
                (g.lon - lon).abs() < 1e-9 && (g.lat - lat).abs() < 1e-9,
                "line {line}: {g:?}"
            );
        }
    }
    let matched: Vec<&str> = geo.iter().map(|g| g.matched.as_str()).collect();
    assert_eq!(matched[0], "12 Avenue Gallieni, 93010 Bondy");
    assert_eq!(matched[2], "5B Avenue du Général de Gaulle, 93010 Bondy");
    assert_eq!(
        matched[3],
        "Rue Roger Salengro, 93010 Bondy (number 99 not in the BAN)"
    );
    assert_eq!(matched[4], "2 Place de l'Église, 93055 Pantin");
    assert!(matched[5].starts_with("250 Rue de Vaugirard, 75115 Paris 15e Arrondissement [commune code 75056 not in the BAN; found by postcode \"75015\""), "{}", matched[5]);
    assert_eq!(
        matched[6],
        "12 Boulevard Pasteur, 75115 Paris 15e Arrondissement"
    );
    assert!(matched[7].contains("(fuzzy 0.98"), "{}", matched[7]);
    assert_eq!(matched[8], "93010 Bondy (street not found: ALLEE ACACIAS)");
    assert!(
        matched[9].contains("commune code 93014 not in the BAN"),
        "{}",
        matched[9]
    );
    assert_eq!(matched[12], "93055 Pantin (no street)");
    assert_eq!(
        summary,
        GeocodeSummary {
            total: 13,
            house_number: 8,
            street: 2,
            commune: 2,
            failed: 1,
            fuzzy: 1
        }
    );
    println!("{read}\n{stats}\n{summary}");

    let doctor: Vec<&Address> = acts
        .iter()
        .filter(|a| a.pp_id == "10100000001")
        .map(|a| &a.address)
        .collect();
    assert_eq!(
        doctor.len(),
        2,
        "a doctor with two practices has two activities"
    );
    assert_eq!(acts[2].address.rep, "B");
    assert_eq!(acts[4].finess_site.as_deref(), Some("930012345"));
    assert_eq!(acts[11].mode, PracticeMode::Salaried);
    assert_eq!(acts[11].sector.as_deref(), Some("SA05"));
    assert_eq!(
        acts[10].address.commune_name, "93140 BONDY",
        "Bureau cedex stands in for the commune name"
    );
}

/// Synthetic BAN of `communes` × `streets` × `numbers` rows, as a CSV in the published layout.
fn synthetic_ban(dir: &Path, communes: usize, streets: usize, numbers: usize) -> PathBuf {
    const TYPES: [&str; 6] = ["Rue", "Avenue", "Boulevard", "Place", "Allée", "Chemin"];
    const WORDS: [&str; 12] = [
        "Jean Jaurès",
        "Victor Hugo",
        "du Général de Gaulle",
        "Pasteur",
        "de la République",
        "Saint-Denis",
        "des Écoles",
        "du Maréchal Foch",
        "Gambetta",
        "de l'Église",
        "Émile Zola",
        "Carnot",
    ];
    let path = dir.join("adresses-99.csv");
    let mut text = String::from("id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;cad_parcelles\n");
    for c in 0..communes {
        let insee = format!("99{c:03}");
        for s in 0..streets {
            let name = format!("{} {} {}", TYPES[s % 6], WORDS[(s / 6) % 12], s / 72);
            for n in 1..=numbers {
                let lon = 2.0 + c as f64 * 0.01 + s as f64 * 1e-4;
                let lat = 48.0 + n as f64 * 1e-5;
                text.push_str(&format!(
                    "{insee}_{s:04}_{n:05};{insee}_{s:04};{n};;{name};99{c:03};{insee};Commune {c};;;0;0;{lon:.6};{lat:.6};entrée;;;COMMUNE {c};;commune;commune;1;\n"
                ));
            }
        }
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// The fixture extraction's data rows repeated with fresh identifiers up to `rows` rows.
fn synthetic_extraction(dir: &Path, rows: usize) -> PathBuf {
    let text = std::fs::read_to_string(fixture("PS_LibreAcces_Personne_activite_202501150000.txt"))
        .unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    let data: Vec<&str> = lines.collect();
    for i in 0..rows {
        let line = data[i % data.len()];
        out.push_str(&line.replacen("|10100000", &format!("|2{i:010}"), 1));
        out.push('\n');
    }
    let path = dir.join("PS_LibreAcces_Personne_activite_synthetic.txt");
    std::fs::write(&path, out).unwrap();
    path
}

/// Throughput of reading an extraction (200,000 rows), of index building and geocoding on a
/// synthetic BAN (300,000 rows) with 100,000 lookups mixing exact, abbreviated, misspelt,
/// number-less and unknown addresses.
/// Run: `cargo test --test annuaire_geocode -- --ignored --nocapture`.
#[test]
#[ignore]
fn geocoding_throughput() {
    let dir = tempfile::tempdir().unwrap();
    let (nc, ns, nn) = (100, 100, 30);
    let path = synthetic_ban(dir.path(), nc, ns, nn);
    let t = std::time::Instant::now();
    let ban = BanIndex::from_csv(&[path], &mut Rejects::default()).unwrap();
    let build = t.elapsed();
    const TYPES: [&str; 6] = ["R", "AV", "BD", "PL", "ALL", "CHE"];
    const WORDS: [&str; 12] = [
        "JEAN JAURES",
        "VICTOR HUGO",
        "DU GAL DE GAULLE",
        "PASTEUR",
        "DE LA REPUBLIQUE",
        "ST DENIS",
        "DES ECOLES",
        "DU MAL FOCH",
        "GAMBETA",
        "DE L EGLISE",
        "EMILE ZOLA",
        "CARNOT",
    ];
    let lookups: Vec<Address> = (0..100_000usize)
        .map(|i| {
            let (c, s, n) = (i * 7 % nc, i * 13 % ns, i % (nn + 5) + 1);
            let kind = i % 20;
            Address {
                number: if kind == 0 {
                    String::new()
                } else {
                    n.to_string()
                },
                street_type: TYPES[s % 6].to_string(),
                street: if kind == 1 {
                    "DES LILAS 9".to_string()
                } else {
                    format!("{} {}", WORDS[(s / 6) % 12], s / 72)
                },
                postcode: format!("99{c:03}"),
                commune_code: if kind == 2 {
                    "98000".to_string()
                } else {
                    format!("99{c:03}")
                },
                ..Default::default()
            }
        })
        .collect();
    let t = std::time::Instant::now();
    let (_, summary) = ban.geocode_all(&lookups);
    let par = t.elapsed();
    let t = std::time::Instant::now();
    let seq: Vec<_> = lookups.iter().map(|a| ban.geocode(a)).collect();
    let one = t.elapsed();
    assert_eq!(GeocodeSummary::of(&seq), summary);
    let direct: Vec<&Address> = lookups
        .iter()
        .zip(&seq)
        .filter(|(a, g)| {
            g.fuzzy.is_none() && g.precision != Precision::Commune && a.commune_code != "98000"
        })
        .map(|(a, _)| a)
        .collect();
    let t = std::time::Instant::now();
    let n_direct = direct
        .iter()
        .filter(|a| ban.geocode(a).precision == Precision::HouseNumber)
        .count();
    let direct_time = t.elapsed();
    let extraction = synthetic_extraction(dir.path(), 200_000);
    let t = std::time::Instant::now();
    let (acts, read) = read_annuaire_with_summary(
        &extraction,
        &CategoryMap::default_french(),
        &mut Rejects::default(),
    )
    .unwrap();
    let read_time = t.elapsed();
    assert_eq!(acts.len() as u64, read.kept);
    println!("{read}");
    println!(
        "annuaire read: {:.2} s for {} rows ({:.0} rows/s)",
        read_time.as_secs_f64(),
        read.rows,
        read.rows as f64 / read_time.as_secs_f64()
    );
    println!("{}", ban.stats());
    println!(
        "index build: {:.2} s for {} rows",
        build.as_secs_f64(),
        nc * ns * nn
    );
    println!("{summary}");
    println!(
        "geocode_all: {:.0} geocodes/s on {} threads; one thread: {:.0} geocodes/s",
        lookups.len() as f64 / par.as_secs_f64(),
        rayon::current_num_threads(),
        lookups.len() as f64 / one.as_secs_f64()
    );
    println!(
        "exact street matches only ({} lookups, {n_direct} at the number): {:.0} geocodes/s on one thread",
        direct.len(),
        direct.len() as f64 / direct_time.as_secs_f64()
    );
}
