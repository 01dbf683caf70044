//! `recours run` on a small drawn study: a 12 × 12 street grid near Bondy, population and
//! sites as point files (with broken rows and a point at sea), two communes, one QPV and two
//! CPTS as commune lists. Outputs are checked for content: counts, columns, values against
//! a `recours table` run on the same points, summaries per level, the QPV gap row, rejects,
//! the manifest, and byte-identical outputs on 1 and 2 threads.

mod common;

use common::{csv_rows, grid_osm};
use std::path::Path;
use std::process::Command;

/// Writes the study's inputs and study file into `dir`.
fn write_study(dir: &Path) {
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    w("grid.osm", &grid_osm());
    let mut pop = String::from("id,lon,lat,population\n");
    for k in 0..30 {
        let (lon, lat) = (2.4705 + 0.00035 * k as f64, 48.9003 + 0.00034 * k as f64);
        pop += &format!("p{k:02},{lon:.6},{lat:.6},{}\n", 10 + k);
    }
    pop += "far,2.9,48.9,50\nbad,2.47,,10\n";
    w("population.csv", &pop);
    w(
        "sites.csv",
        "id;lon;lat;category;activity;age\n\
         gp-a;2,4712;48,9021;gp;4500;50\n\
         gp-b;2,4788;48,9089;gp;7000;67\n\
         rx-1;2,4755;48,9048;radiology;;\n\
         broken;2,47;;gp;;\n",
    );
    let square = |x0: f64, y0: f64, x1: f64, y1: f64| {
        format!("[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]")
    };
    let feature = |props: &str, coords: String| {
        format!("{{\"type\":\"Feature\",\"properties\":{{{props}}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":{coords}}}}}")
    };
    w(
        "communes.geojson",
        &format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[{},{}]}}",
            feature(
                "\"INSEE_COM\":\"93010\",\"NOM\":\"Ouest\",\"POPULATION\":300",
                square(2.469, 48.899, 2.4755, 48.912)
            ),
            feature(
                "\"INSEE_COM\":\"93048\",\"NOM\":\"Est\",\"POPULATION\":300",
                square(2.4755, 48.899, 2.482, 48.912)
            )
        ),
    );
    w(
        "qpv.geojson",
        &format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
            feature(
                "\"code_qp\":\"QN09301M\",\"lib_qp\":\"Les Grilles\"",
                square(2.4700, 48.8999, 2.4730, 48.9030)
            )
        ),
    );
    w(
        "cpts.csv",
        "cpts,code_insee,commune,basis\nCPTS Nord,93010,Ouest,listed\nCPTS Nord,93048,Est,listed\nCPTS Est,93048,Est,listed\n",
    );
    w(
        "study.toml",
        r#"
name = "grid study"
[network]
osm = "grid.osm"
[population]
kind = "points"
path = "population.csv"
[[supply]]
kind = "points"
path = "sites.csv"
columns = { category = "category", activity = "activity", age = "age" }
[[territories]]
kind = "commune"
path = "communes.geojson"
[[territories]]
kind = "qpv"
path = "qpv.geojson"
[[territories]]
kind = "cpts"
members = "cpts.csv"
[indicators]
nearest = ["gp", "radiology"]
kth = 2
coverage = ["gp"]
thresholds = [1, 2, 5]
[[indicators.fca]]
name = "gp_2sfca"
category = "gp"
method = "2sfca"
max_minutes = 5
[[indicators.fca]]
name = "apl"
category = "gp"
method = "apl"
thresholds = [2.5, 4]
[output]
dir = "out"
"#,
    );
}

fn recours(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "recours failed:\n{stderr}");
    stderr
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

#[test]
fn a_small_study_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    write_study(dir.path());
    let study = dir.path().join("study.toml");
    let stderr = recours(&["--threads", "1", "run", study.to_str().unwrap()]);
    let out = dir.path().join("out");
    assert!(stderr.contains("population: 31 origins"), "{stderr}");

    // Origins: 31 read (the row without latitude rejected), "far" not snapped.
    let (h, rows) = csv_rows(&out.join("origins.csv"));
    assert_eq!(rows.len(), 31);
    for name in [
        "gp_minutes",
        "gp_km",
        "gp_site",
        "gp_2nd_minutes",
        "radiology_minutes",
        "gp_sites_5min",
        "gp_capacity_5min",
        "gp_2sfca",
        "apl",
    ] {
        col(&h, name);
    }
    let far = rows.iter().find(|r| r[0] == "far").unwrap();
    assert_eq!(far[col(&h, "gp_minutes")], "");
    assert_eq!(far[col(&h, "apl")], "");
    // Nearest GP times agree with `recours table` on the same points.
    let pts = dir.path().join("pts.csv");
    let gps = dir.path().join("gps.csv");
    let mut p = String::from("id,lon,lat\n");
    for r in rows.iter().filter(|r| r[0] != "far") {
        p += &format!("{},{},{}\n", r[0], r[1], r[2]);
    }
    std::fs::write(&pts, p).unwrap();
    std::fs::write(
        &gps,
        "id,lon,lat\ngp-a,2.4712,48.9021\ngp-b,2.4788,48.9089\n",
    )
    .unwrap();
    let table = dir.path().join("t.csv");
    recours(&[
        "table",
        "--osm",
        dir.path().join("grid.osm").to_str().unwrap(),
        "--sources",
        pts.to_str().unwrap(),
        "--destinations",
        gps.to_str().unwrap(),
        "--out",
        table.to_str().unwrap(),
    ]);
    let (_, trows) = csv_rows(&table);
    for r in rows.iter().filter(|r| r[0] != "far") {
        let best = trows
            .iter()
            .filter(|t| t[0] == r[0])
            .map(|t| t[2].parse::<f64>().unwrap())
            .fold(f64::INFINITY, f64::min);
        let got: f64 = r[col(&h, "gp_minutes")].parse().unwrap();
        assert!(
            (got - best).abs() < 0.0011,
            "{}: {got} vs table {best}",
            r[0]
        );
        let second: f64 = r[col(&h, "gp_2nd_minutes")].parse().unwrap();
        assert!(second >= got);
    }
    // APL: gp-b is 67, left out by the ≤ 65 rule, so only gp-a (4,500 acts) serves.
    let apl: Vec<f64> = rows
        .iter()
        .filter_map(|r| r[col(&h, "apl")].parse().ok())
        .collect();
    assert!(
        apl.iter().all(|a| (0.0..=4500.0 / 10.0).contains(a)),
        "{apl:?}"
    );
    assert!(apl.iter().any(|a| *a > 0.0));

    // Sites: 3 read, the broken row rejected.
    let (_, srows) = csv_rows(&out.join("sites.csv"));
    assert_eq!(srows.len(), 3);

    // Levels: communes, QPV, CPTS, with summaries.
    for (level, units) in [("commune", 2), ("qpv", 1), ("cpts", 2)] {
        let v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.join(format!("{level}.geojson"))).unwrap(),
        )
        .unwrap();
        let f = v["features"].as_array().unwrap();
        assert_eq!(f.len(), units, "{level}");
        let props = f[0]["properties"].as_object().unwrap();
        for key in [
            "gp_minutes_mean",
            "gp_minutes_share_beyond_5",
            "apl_share_at_most_2.5",
        ] {
            assert!(
                props.contains_key(key),
                "{level}: {key} missing in {props:?}"
            );
        }
        let (_, summary) = csv_rows(&out.join(level).join("gp_minutes.csv"));
        assert_eq!(summary.len(), units + 1, "{level}: units + outside row");
    }
    // The QPV's summary recomputed here from the per-origin table: the origins inside its
    // square, their population and population-weighted mean time to the nearest GP.
    let inside: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| {
            let (x, y): (f64, f64) = (r[1].parse().unwrap(), r[2].parse().unwrap());
            (2.4700..2.4730).contains(&x) && (48.8999..48.9030).contains(&y)
        })
        .collect();
    assert!(!inside.is_empty());
    let pop: f64 = inside.iter().map(|r| r[3].parse::<f64>().unwrap()).sum();
    let mean = inside
        .iter()
        .map(|r| r[3].parse::<f64>().unwrap() * r[col(&h, "gp_minutes")].parse::<f64>().unwrap())
        .sum::<f64>()
        / pop;
    let qpv: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("qpv.geojson")).unwrap()).unwrap();
    let props = &qpv["features"][0]["properties"];
    assert_eq!(props["code"], "QN09301M");
    assert_eq!(props["gp_minutes_population"].as_f64().unwrap(), pop);
    // Minutes are written with 3 decimals per origin, the mean with 4: agree within rounding.
    let got = props["gp_minutes_mean"].as_f64().unwrap();
    assert!(
        (got - mean).abs() < 6e-4,
        "QPV mean {got} vs recomputed {mean}"
    );
    let (qh, qrows) = csv_rows(&out.join("qpv_gap_gp_minutes.csv"));
    assert_eq!(qrows.len(), 1);
    assert_eq!(qrows[0][0], "QN09301M");
    assert!(qh.iter().any(|h| h.contains("gap")), "{qh:?}");

    // Rejects: the bad population row, the broken site, the origin at sea.
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    assert!(rejects.contains("population.csv,33,bad,"), "{rejects}");
    assert!(rejects.contains("sites.csv,5,broken,"), "{rejects}");
    assert!(
        rejects.contains("population.csv,32,far,\"origin not snapped"),
        "{rejects}"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), 7);
    assert_eq!(manifest["parameters"]["indicators"]["kth"], 2);

    // Same bytes on two threads.
    let out2 = dir.path().join("out2");
    recours(&[
        "--threads",
        "2",
        "run",
        study.to_str().unwrap(),
        "--out",
        out2.to_str().unwrap(),
    ]);
    for f in [
        "origins.csv",
        "origins.geojson",
        "commune.geojson",
        "cpts/apl.csv",
        "inequality.csv",
    ] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(out2.join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
}
