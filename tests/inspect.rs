//! `recours inspect` on small fixtures in the published layouts (every kind it detects, an
//! unknown file, `--strict` with broken rows) and on the shared real data when present.

mod common;

use common::shared_file;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn recours(args: &[&str], files: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(args)
        .args(files)
        .output()
        .expect("running recours")
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

#[test]
fn detects_every_published_layout() {
    let dir = tempfile::tempdir().unwrap();
    let points = dir.path().join("sites.csv");
    std::fs::write(
        &points,
        "id;category;lon;lat\nm1;gp;2,47;48,90\nm2;pharmacy;2.48;48.91\n",
    )
    .unwrap();
    let cases: [(PathBuf, &str); 12] = [
        (
            fixture("annuaire/PS_LibreAcces_Personne_activite_202501150000.txt"),
            "Annuaire Santé extraction",
        ),
        (
            fixture("finess/etalab-cs1100507-stock-20240110.csv"),
            "FINESS etalab extraction",
        ),
        (
            fixture("finess/etalab-cs1100507-stock-20150302-iso8859-15.csv"),
            "FINESS etalab extraction",
        ),
        (
            fixture("filosofi/filosofi2019_200m_extract.csv"),
            "Filosofi 200 m cells (CSV)",
        ),
        (fixture("annuaire/adresses-93.csv"), "BAN addresses"),
        (
            fixture("territory/communes_admin_express_l93.geojson"),
            "polygon layer of commune units",
        ),
        (
            fixture("territory/qpv2015_anct.geojson"),
            "polygon layer of qpv units",
        ),
        (
            fixture("territory/cpts_named_long.csv"),
            "territory membership table",
        ),
        (
            fixture("territory/territories_wide.csv"),
            "territory membership table",
        ),
        (fixture("tiny.osm.pbf"), "OpenStreetMap PBF"),
        (fixture("tiny.osm"), "OpenStreetMap XML"),
        (points.clone(), "generic points"),
    ];
    for (file, kind) in &cases {
        let out = recours(&["inspect"], &[file]);
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "{}: {}\n{stdout}",
            file.display(),
            text(&out.stderr)
        );
        assert!(
            stdout.starts_with(&file.display().to_string())
                && stdout.contains(&format!(": {kind}\n")),
            "{}: expected {kind}, got\n{stdout}",
            file.display()
        );
        assert!(stdout.contains("rows read"), "{stdout}");
    }
    let out = recours(&["inspect"], &[&points]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("bbox (WGS84): 2.47000, 48.90000 – 2.48000, 48.91000"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1  gp") && stdout.contains("1  pharmacy"),
        "{stdout}"
    );
    let out = recours(
        &["inspect"],
        &[&fixture("finess/etalab-cs1100507-stock-20240110.csv")],
    );
    let stdout = text(&out.stdout);
    assert!(stdout.contains("health_centre"), "{stdout}");
}

#[test]
fn unknown_files_list_the_known_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("screening.csv");
    std::fs::write(&odd, "commune,rate\nBondy,42\n").unwrap();
    let blob = dir.path().join("notes.bin");
    std::fs::write(&blob, [0u8, 1, 2, 3]).unwrap();
    let good = fixture("annuaire/adresses-93.csv");
    let out = recours(&["inspect"], &[&odd, &good, &blob]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("matches no known layout"), "{stderr}");
    assert!(
        stderr.contains("notes.bin: not a format GDAL reads as a layer"),
        "{stderr}"
    );
    assert!(
        stderr.contains("recours knows: Annuaire Santé extraction"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 of 3 files could not be inspected"),
        "{stderr}"
    );
    assert!(text(&out.stdout).contains("BAN addresses"));
}

#[test]
fn strict_makes_rejects_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pts.csv");
    std::fs::write(&p, "id,lon,lat\na,2.47,48.9\nb,abc,48.9\n,2.4,48.9\n").unwrap();
    let out = recours(&["inspect"], &[&p]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("rows read 3, kept 1, rejected 2"));
    let out = recours(&["--strict", "inspect"], &[&p]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("2 rejected (--strict makes any reject fatal); first: "),
        "{stderr}"
    );
    assert!(
        stderr.contains(":3 [b]: longitude: \"abc\" is not a number"),
        "{stderr}"
    );
    assert!(
        text(&out.stdout).contains("rows read 3"),
        "the report is still printed"
    );
}

#[test]
fn shared_real_files() {
    let rels = [
        (
            "iris/bondy_iris_wgs84.geojson",
            "polygon layer of iris units",
            "kept 20",
        ),
        (
            "qpv/qpv_idf_sample_3_from_les-emplois.geojson",
            "polygon layer of qpv units",
            "repaired QP075019",
        ),
        (
            "qpv/qpv_2015_def_bondy_area_3_from_beababa_wgs84.geojson",
            "polygon layer of qpv units",
            "kept 3",
        ),
        (
            "population/bondy_filosofi2019_200m.gpkg",
            "[layer bondy]: Filosofi 200 m cells (layer)",
            "kept 164",
        ),
        (
            "population/bondy_filosofi2019_200m_bondy.csv",
            "Filosofi 200 m cells (CSV)",
            "inhabitants",
        ),
        (
            "health/paris_public_hospitals_historic.geojson",
            "generic points",
            "kept 18",
        ),
        (
            "iris/bondy_limits_l93.gpkg",
            "[layer iris]: polygon layer of iris units",
            "kept 20",
        ),
        (
            "osm/monaco.osm.pbf",
            "OpenStreetMap PBF",
            "bbox (WGS84): 7.3",
        ),
    ];
    for (rel, kind, fact) in rels {
        let Some(p) = shared_file(rel) else { continue };
        let out = recours(&["inspect"], &[&p]);
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "{rel}: {}\n{stdout}",
            text(&out.stderr)
        );
        assert!(stdout.contains(kind), "{rel}: expected {kind}\n{stdout}");
        assert!(stdout.contains(fact), "{rel}: expected {fact}\n{stdout}");
        println!("{stdout}");
    }
}

#[test]
fn strict_table_still_writes_its_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let pts = dir.path().join("pts.csv");
    std::fs::write(
        &pts,
        "id,lon,lat\na,2.4801,48.9001\nb,2.4809,48.9009\nc,abc,48.9\n",
    )
    .unwrap();
    let out_csv = dir.path().join("t.csv");
    let osm = fixture("tiny.osm");
    let args = [
        "table",
        "--osm",
        osm.to_str().unwrap(),
        "--sources",
        pts.to_str().unwrap(),
        "--destinations",
        pts.to_str().unwrap(),
        "--out",
        out_csv.to_str().unwrap(),
    ];
    let lenient = recours(&args, &[]);
    assert!(lenient.status.success(), "{}", text(&lenient.stderr));
    let strict = recours(&[&["--strict"], &args[..]].concat(), &[]);
    assert!(!strict.status.success());
    let stderr = text(&strict.stderr);
    assert!(stderr.contains("rejected input rows: 2"), "{stderr}");
    assert!(
        stderr.contains("2 rejected (--strict makes any reject fatal)"),
        "{stderr}"
    );
    let rejects = std::fs::read_to_string(dir.path().join("t.rejects.csv")).unwrap();
    assert_eq!(rejects.lines().count(), 3, "{rejects}");
    assert!(std::fs::read_to_string(&out_csv)
        .unwrap()
        .starts_with("source_id,destination_id"));
}
