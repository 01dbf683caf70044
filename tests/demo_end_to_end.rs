//! The demo territory end to end through the real binary: generation in the published
//! layouts, the study run (network, geocoding, snapping, indicators, summaries per commune,
//! QPV and CPTS), outputs checked for content, and byte-identical outputs whatever the
//! number of threads.

mod common;

use common::csv_rows;
use std::path::Path;
use std::process::Command;

fn run_demo(out: &Path, threads: usize) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(["--threads", &threads.to_string(), "demo", "--out"])
        .arg(out)
        .output()
        .expect("running recours demo");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "recours demo failed:\n{stderr}");
    stderr
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&read(path)).unwrap()
}

#[test]
fn the_demo_runs_and_is_identical_with_one_or_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    let stderr = run_demo(&one, 1);
    run_demo(&two, 2);

    for file in [
        "input/territory.osm.pbf",
        "input/filosofi_200m.csv",
        "input/PS_LibreAcces_Personne_activite_demo.txt",
        "results/origins.csv",
        "results/origins.geojson",
        "results/sites.csv",
        "results/commune.geojson",
        "results/cpts/apl.csv",
        "results/qpv_gap_gp_minutes.csv",
        "results/inequality.csv",
        "results/rejects.csv",
    ] {
        // The rejects name the input folder; everything else must match byte for byte.
        let (a, b) = (read(&one.join(file)), read(&two.join(file)));
        let a = String::from_utf8_lossy(&a).replace(one.to_str().unwrap(), "OUT");
        let b = String::from_utf8_lossy(&b).replace(two.to_str().unwrap(), "OUT");
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
    assert!(
        stderr.contains("territories: commune 28, qpv 4, cpts 4"),
        "{stderr}"
    );

    // Origins: every Filosofi cell, plausible times, most of the population within reach.
    let r = one.join("results");
    let (h, rows) = csv_rows(&r.join("origins.csv"));
    // A scenario writes the cells whose values moved, each with a value that differs from
    // its baseline: a closure in one commune moves some cells, not all.
    let (sh, moved) = csv_rows(&r.join("scenarios/practice-closes/origins.csv"));
    assert!(
        !moved.is_empty() && moved.len() < rows.len(),
        "{} of {} cells",
        moved.len(),
        rows.len()
    );
    let pairs: Vec<(usize, usize)> = sh
        .iter()
        .enumerate()
        .filter_map(|(b, n)| {
            Some((
                b,
                sh.iter()
                    .position(|x| Some(x.as_str()) == n.strip_suffix("_base"))?,
            ))
        })
        .collect();
    assert!(!pairs.is_empty());
    for m in &moved {
        assert!(
            pairs.iter().any(|&(b, a)| m[b] != m[a]),
            "{m:?} did not move"
        );
    }
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    assert!(rows.len() > 2000, "{} origins", rows.len());
    let (gp, km, third, apl) = (
        col("gp_minutes"),
        col("gp_km"),
        col("gp_3rd_minutes"),
        col("apl"),
    );
    let mut reached = 0;
    let (mut apl_sum, mut pop_sum) = (0.0, 0.0);
    let population = col("population");
    for row in &rows {
        if let (Ok(m), Ok(k)) = (row[gp].parse::<f64>(), row[km].parse::<f64>()) {
            reached += 1;
            assert!((0.0..=60.0).contains(&m), "{row:?}");
            // No road journey averages more than 130 km/h.
            assert!(k <= 130.0 * m / 60.0 + 0.5, "{row:?}");
            let t: f64 = row[third].parse().unwrap();
            assert!(t >= m, "{row:?}");
            let a: f64 = row[apl].parse().unwrap();
            assert!(a.is_finite() && a >= 0.0, "APL {a}");
            let w: f64 = row[population].parse().unwrap();
            apl_sum += a * w;
            pop_sum += w;
        }
    }
    assert!(
        reached > rows.len() * 95 / 100,
        "{reached} of {}",
        rows.len()
    );
    // APL, consultations a year per standardised inhabitant: the national mean is 3–4.
    let mean_apl = apl_sum / pop_sum;
    assert!((1.0..15.0).contains(&mean_apl), "mean APL {mean_apl}");

    // Per-level layers carry the summaries.
    let communes = json(&r.join("commune.geojson"));
    let features = communes["features"].as_array().unwrap();
    assert_eq!(features.len(), 28);
    let p = &features[0]["properties"];
    for key in [
        "code",
        "gp_minutes_mean",
        "gp_minutes_share_beyond_15",
        "apl_share_at_most_2.5",
    ] {
        assert!(!p[key].is_null() || key.contains("share"), "{key}: {p}");
    }
    // APL between communes (DREES convention) on the commune layer.
    let with_apl = features
        .iter()
        .filter(|f| {
            f["properties"]["apl_communes"]
                .as_f64()
                .is_some_and(|v| v > 0.0)
        })
        .count();
    assert!(with_apl >= 15, "{with_apl} communes with an APL");
    let (qh, q) = csv_rows(&r.join("qpv_gap_gp_minutes.csv"));
    assert_eq!(q.len(), 4, "{qh:?}");
    assert!(q.iter().all(|row| row[0].starts_with("QN093")), "{q:?}");

    // The deliberately broken rows and the cells on the island are reported, not dropped.
    let rejects = String::from_utf8(read(&r.join("rejects.csv"))).unwrap();
    assert!(rejects.contains("missing Identifiant PP"), "{rejects}");
    assert!(rejects.contains("origin not snapped"), "{rejects}");
    // ICC per CPTS, the report and the GeoPackage.
    let (ih, icc) = csv_rows(&r.join("icc.csv"));
    let ci = ih.iter().position(|h| h == "icc").unwrap();
    assert!(icc.len() >= 16, "{} ICC rows", icc.len());
    assert!(icc
        .iter()
        .filter_map(|row| row[ci].parse::<f64>().ok())
        .all(|v| (20.0..300.0).contains(&v)));
    let report = String::from_utf8(read(&r.join("report.html"))).unwrap();
    assert!(report.matches("<svg").count() >= 6, "maps in the report");
    assert!(report.contains("Les QPV à côté du reste de leurs communes"));
    assert!(
        !report.contains("<script src")
            && !report.contains("src=\"http")
            && !report.contains("href=\"http"),
        "self-contained"
    );
    let gpkg = gdal::Dataset::open(r.join("results.gpkg")).unwrap();
    assert_eq!(gpkg.layer_count(), 5, "origins, sites, commune, qpv, cpts");
    let manifest = json(&r.join("manifest.json"));
    assert!(manifest["inputs"].as_array().unwrap().len() >= 9);
}
