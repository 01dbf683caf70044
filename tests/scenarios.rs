//! What-if scenarios through `recours run`, on a drawn grid town: each scenario's
//! per-origin indicators must equal those of a plain run of the same study whose supply file
//! was edited by hand (GPs aged 60+ deleted; a new GP practice added); taking every GP out
//! leaves no one with GP accessibility; the run tables count what each scenario did; edits
//! that cannot be done stop the run with the scenario and edit named.

mod common;

use common::{csv_rows, grid_osm};
use std::path::Path;
use std::process::Command;

/// GPs of the town: `(id, lon, lat, activity, age)`.
const GPS: [(&str, f64, f64, u32, u32); 6] = [
    ("gp-a", 2.4712, 48.9021, 4500, 50),
    ("gp-b", 2.4788, 48.9089, 7000, 67),
    ("gp-c", 2.4735, 48.9060, 5200, 61),
    ("gp-d", 2.4801, 48.9012, 3900, 44),
    ("gp-e", 2.4722, 48.9101, 6100, 60),
    ("gp-f", 2.4769, 48.9043, 4800, 35),
];

/// The new practice of the `msp` scenario.
const MSP: (f64, f64) = (2.4795, 48.9100);

fn sites_csv(keep: impl Fn(u32) -> bool, with_msp: bool) -> String {
    let mut s = String::from("id,lon,lat,category,activity,age\n");
    for (id, lon, lat, activity, age) in GPS {
        if keep(age) {
            s += &format!("{id},{lon},{lat},gp,{activity},{age}\n");
        }
    }
    s += "rx-1,2.4755,48.9048,radiology,,\n";
    if with_msp {
        for k in 1..=3 {
            s += &format!("msp#{k},{},{},gp,3600,\n", MSP.0, MSP.1);
        }
    }
    s
}

const STUDY: &str = r#"
name = "scenario study"
[network]
osm = "grid.osm"
[population]
kind = "points"
path = "population.csv"
[[supply]]
kind = "points"
path = "SITES"
columns = { category = "category", activity = "activity", age = "age" }
[[territories]]
kind = "commune"
path = "communes.geojson"
[indicators]
nearest = ["gp", "radiology"]
coverage = ["gp"]
thresholds = [1, 2, 5]
[[indicators.fca]]
name = "gp_2sfca"
category = "gp"
method = "2sfca"
max_minutes = 3
[[indicators.fca]]
name = "apl"
category = "gp"
method = "apl"
thresholds = [2.5, 4]
[[indicators.fca]]
name = "apl_communes"
category = "gp"
method = "apl"
level = "commune"
[output]
dir = "OUT"
scenario_layers = "LAYERS"
geojson = true
gpkg = false
report = false
"#;

/// Writes the inputs; `study` is the study file's text.
fn write_inputs(dir: &Path) {
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    w("grid.osm", &grid_osm());
    let mut pop = String::from("id,lon,lat,population\n");
    for k in 0..40 {
        let (lon, lat) = (
            2.4703 + 0.00027 * f64::from(k),
            48.9005 + 0.00026 * f64::from((k * 7) % 40),
        );
        pop += &format!("p{k:02},{lon:.6},{lat:.6},{}\n", 10 + k);
    }
    w("population.csv", &pop);
    w(
        "communes.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"INSEE_COM":"93010","NOM":"Ville","POPULATION":900},"geometry":{"type":"Polygon","coordinates":[[[2.469,48.899],[2.482,48.899],[2.482,48.912],[2.469,48.912],[2.469,48.899]]]}}]}"#,
    );
    w("sites.csv", &sites_csv(|_| true, false));
    w("sites_young.csv", &sites_csv(|age| age < 60, false));
    w("sites_msp.csv", &sites_csv(|_| true, true));
}

fn study(sites: &str, out: &str, scenarios: &str) -> String {
    STUDY
        .replace("SITES", sites)
        .replace("OUT", out)
        .replace("LAYERS", "full")
        + scenarios
}

fn recours(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(args)
        .output()
        .unwrap()
}

fn run_ok(study: &Path) {
    let out = recours(&["run", study.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "recours failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `(id, value as written)` of column `name` of an origins CSV.
fn text(path: &Path, name: &str) -> Vec<(String, String)> {
    let (h, rows) = csv_rows(path);
    let c = h
        .iter()
        .position(|x| x == name)
        .unwrap_or_else(|| panic!("no {name} in {}", path.display()));
    rows.iter().map(|r| (r[0].clone(), r[c].clone())).collect()
}

/// `(id, value)` of column `name` of an origins CSV.
fn column(path: &Path, name: &str) -> Vec<(String, Option<f64>)> {
    let (h, rows) = csv_rows(path);
    let c = h
        .iter()
        .position(|x| x == name)
        .unwrap_or_else(|| panic!("no {name} in {}", path.display()));
    rows.iter()
        .map(|r| (r[0].clone(), r[c].parse().ok()))
        .collect()
}

/// The scenario's values of `indicator` are written exactly as the plain run's.
fn assert_same(scenario: &Path, plain: &Path, indicator: &str) {
    let (a, b) = (text(scenario, indicator), text(plain, indicator));
    assert_eq!(a.len(), b.len());
    assert!(
        a.iter().any(|(_, v)| !v.is_empty()),
        "{indicator}: no value"
    );
    assert_eq!(a, b, "{indicator}");
}

#[test]
fn scenarios_equal_plain_runs_of_the_edited_supply() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_inputs(d);
    let scenarios = format!(
        r#"
[[scenario]]
name = "retire-60"
description = "GPs aged 60 and over retire"
[[scenario.remove]]
category = "gp"
min_age = 60

[[scenario]]
name = "msp"
[[scenario.add]]
id = "msp"
category = "gp"
lon = {}
lat = {}
professionals = 3
activity = 3600

[[scenario]]
name = "no-gp"
[[scenario.remove]]
category = "gp"

[[scenario]]
name = "on-foot"
description = "Everyone walks: the network is rebuilt with the walk profile"
profile = "walk"
"#,
        MSP.0, MSP.1
    );
    std::fs::write(d.join("study.toml"), study("sites.csv", "out", &scenarios)).unwrap();
    std::fs::write(d.join("young.toml"), study("sites_young.csv", "young", "")).unwrap();
    std::fs::write(d.join("msp.toml"), study("sites_msp.csv", "msp", "")).unwrap();
    for s in ["study.toml", "young.toml", "msp.toml"] {
        run_ok(&d.join(s));
    }
    let sc = d.join("out").join("scenarios");
    for indicator in ["gp_minutes", "gp_2sfca", "apl", "radiology_minutes"] {
        assert_same(
            &sc.join("retire-60").join("origins.csv"),
            &d.join("young").join("origins.csv"),
            indicator,
        );
        assert_same(
            &sc.join("msp").join("origins.csv"),
            &d.join("msp").join("origins.csv"),
            indicator,
        );
    }
    // The commune-level APL (times between chef-lieux shared with the baseline) as the
    // plain runs give it.
    for (scenario, plain) in [("retire-60", "young"), ("msp", "msp")] {
        let (h, rows) = csv_rows(&sc.join(scenario).join("commune.csv"));
        let c = h.iter().position(|x| x == "apl_communes").unwrap();
        let layer: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(d.join(plain).join("commune.geojson")).unwrap(),
        )
        .unwrap();
        let props = &layer["features"][0]["properties"];
        let value = props["apl_communes"]
            .as_f64()
            .unwrap_or_else(|| panic!("{plain}: no apl_communes in {props}"));
        assert_eq!(rows[0][c], format!("{value:.4}"), "{scenario}");
    }
    // Taking every GP out: nobody has GP accessibility any more, radiology is untouched.
    let none = sc.join("no-gp").join("origins.csv");
    assert!(column(&none, "apl")
        .iter()
        .all(|(_, v)| v.is_none_or(|v| v == 0.0)));
    assert!(column(&none, "gp_minutes").iter().all(|(_, v)| v.is_none()));
    assert_same(
        &none,
        &d.join("out").join("origins.csv"),
        "radiology_minutes",
    );
    assert_eq!(
        text(&none, "radiology_minutes_base"),
        text(&d.join("out").join("origins.csv"), "radiology_minutes")
    );

    // What each scenario did: 3 GPs aged 60+ (61, 60, 67), 3 new sites, 6 GPs out.
    let (h, rows) = csv_rows(&sc.join("runs.csv"));
    let at = |row: usize, name: &str| rows[row][h.iter().position(|x| x == name).unwrap()].clone();
    assert_eq!(at(0, "sites_removed"), "3");
    assert_eq!(at(0, "catchment_searches"), "3");
    assert_eq!(at(1, "sites_added"), "3");
    assert_eq!(at(2, "sites_removed"), "6");
    assert_eq!(at(3, "categories_reswept"), "gp");
    let walk = column(&sc.join("on-foot").join("origins.csv"), "gp_minutes");
    let car = column(&d.join("out").join("origins.csv"), "gp_minutes");
    let slower = walk
        .iter()
        .zip(&car)
        .filter(|((_, w), (_, c))| matches!((w, c), (Some(w), Some(c)) if w > c))
        .count();
    assert!(
        slower > walk.len() / 2,
        "{slower} of {} slower on foot",
        walk.len()
    );
    let (h, rows) = csv_rows(&sc.join("retire-60").join("sites.csv"));
    let status = h.iter().position(|x| x == "status").unwrap();
    let removed: Vec<&str> = rows
        .iter()
        .filter(|r| r[status] == "removed")
        .map(|r| r[0].as_str())
        .collect();
    assert_eq!(removed, ["gp-b", "gp-c", "gp-e"]);
    // By default a scenario writes only the origins and units whose values moved: the
    // rows of the full files where some `{x}_base` differs from `{x}`, in the same order
    // and bytes.
    let changes = STUDY
        .replace("SITES", "sites.csv")
        .replace("OUT", "changes")
        .replace("LAYERS", "changes")
        + &scenarios;
    std::fs::write(d.join("changes.toml"), changes).unwrap();
    run_ok(&d.join("changes.toml"));
    let mut written = 0;
    for scenario in ["retire-60", "msp", "no-gp", "on-foot"] {
        for file in ["origins.csv", "commune.csv"] {
            let (fh, full) = csv_rows(&sc.join(scenario).join(file));
            let (ch, moved) = csv_rows(&d.join("changes/scenarios").join(scenario).join(file));
            assert_eq!(fh, ch, "{scenario}/{file}");
            let pairs: Vec<(usize, usize)> = fh
                .iter()
                .enumerate()
                .filter_map(|(b, name)| {
                    let after = name.strip_suffix("_base")?;
                    Some((b, fh.iter().position(|x| x == after)?))
                })
                .collect();
            assert!(!pairs.is_empty(), "{scenario}/{file}");
            let want: Vec<Vec<String>> = full
                .into_iter()
                .filter(|r| pairs.iter().any(|&(b, a)| r[b] != r[a]))
                .collect();
            assert_eq!(moved, want, "{scenario}/{file}");
            written += moved.len();
        }
    }
    assert!(written > 0);
    // Means: retiring GPs makes nobody better off.
    let (h, rows) = csv_rows(&sc.join("means.csv"));
    let better = h.iter().position(|x| x == "population_better").unwrap();
    for r in rows.iter().filter(|r| r[0] == "retire-60") {
        assert_eq!(r[better], "0.0", "{r:?}");
    }
}

#[test]
fn an_edit_that_cannot_be_done_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_inputs(d);
    let bad = "\n[[scenario]]\nname = \"typo\"\n[[scenario.remove]]\nids = [\"gp-z\"]\n";
    std::fs::write(d.join("study.toml"), study("sites.csv", "out", bad)).unwrap();
    let out = recours(&["run", d.join("study.toml").to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("typo") && err.contains("remove #1") && err.contains("gp-z"),
        "{err}"
    );
    let unknown = "\n[[scenario]]\nname = \"x\"\n[[scenario.remove]]\nminimum_age = 60\n";
    std::fs::write(d.join("study.toml"), study("sites.csv", "out", unknown)).unwrap();
    let out = recours(&["run", d.join("study.toml").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("minimum_age"),
        "{err}"
    );
}
