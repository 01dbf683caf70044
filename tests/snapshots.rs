//! Years compared (`[[snapshot]]`) on a small drawn study whose figures are worked by hand:
//! a 12 × 12 street grid near Bondy, 30 weighted points (255 inhabitants in the western
//! commune, 480 in the eastern one), one GP in each commune before and only the western
//! one after, and a screening participation table per commune for each date. The
//! differences per unit (after − before, and the relative change), the snapshots' own
//! tables, the inputs read once and the report's map of the change are checked; a national
//! table's codes of other départements are counted, not rejected.

mod common;

use common::{csv_rows, grid_osm};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn write_study(dir: &Path) {
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    w("grid.osm", &grid_osm());
    let mut pop = String::from("id,lon,lat,population\n");
    for k in 0..30 {
        let (lon, lat) = (2.4705 + 0.00035 * k as f64, 48.9003 + 0.00034 * k as f64);
        pop += &format!("p{k:02},{lon:.6},{lat:.6},{}\n", 10 + k);
    }
    w("population.csv", &pop);
    w("sites.csv", "id,lon,lat\ngp-a,2.4712,48.9021\n");
    w(
        "sites_before.csv",
        "id,lon,lat\ngp-a,2.4712,48.9021\ngp-b,2.4788,48.9089\n",
    );
    // Today's table is national: Paris is outside the study, 93999 is of its département.
    w(
        "participation.csv",
        "code,screened,insured,rate\n93010,45,100,45\n93048,40,100,40\n75056,300,1000,30\n93999,1,2,50\n",
    );
    w(
        "participation_before.csv",
        "code,screened,insured,rate\n93010,40,100,40\n93048,50,100,50\n",
    );
    let square = |x0: f64, x1: f64| {
        format!("[[[{x0},48.899],[{x1},48.899],[{x1},48.912],[{x0},48.912],[{x0},48.899]]]")
    };
    let feature = |code: &str, name: &str, coords: String| {
        format!("{{\"type\":\"Feature\",\"properties\":{{\"INSEE_COM\":\"{code}\",\"NOM\":\"{name}\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":{coords}}}}}")
    };
    w(
        "communes.geojson",
        &format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[{},{}]}}",
            feature("93010", "Ouest", square(2.469, 2.4755)),
            feature("93048", "Est", square(2.4755, 2.482))
        ),
    );
    w(
        "study.toml",
        r#"
name = "two dates"
[network]
osm = "grid.osm"
[population]
kind = "points"
path = "population.csv"
[[supply]]
kind = "points"
path = "sites.csv"
columns = { fixed_category = "gp" }
[[territories]]
kind = "commune"
path = "communes.geojson"
[indicators]
nearest = ["gp"]
thresholds = [2]
[[indicators.external]]
name = "participation"
path = "participation.csv"
level = "commune"
value = "rate"
numerator = "screened"
denominator = "insured"
per = 100
[[snapshot]]
name = "before"
[[snapshot.supply]]
kind = "points"
path = "sites_before.csv"
columns = { fixed_category = "gp" }
[[snapshot.external]]
name = "participation"
path = "participation_before.csv"
[[snapshot]]
name = "after"
[output]
dir = "out"
gpkg = false
"#,
    );
}

/// Rows of a CSV by code (first column), each a map column → value.
fn table(path: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let (h, rows) = csv_rows(path);
    rows.into_iter()
        .map(|r| (r[0].clone(), h.iter().cloned().zip(r).collect()))
        .collect()
}

fn number(row: &BTreeMap<String, String>, name: &str) -> f64 {
    row.get(name)
        .unwrap_or_else(|| panic!("no {name} in {row:?}"))
        .parse()
        .unwrap_or_else(|_| panic!("{name} = {:?}", row[name]))
}

#[test]
fn two_snapshots_give_their_tables_and_the_change_per_unit() {
    let dir = tempfile::tempdir().unwrap();
    write_study(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_recours"))
        .arg("run")
        .arg(dir.path().join("study.toml"))
        .output()
        .unwrap();
    let stdout = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results = dir.path().join("out");
    let snapshots = results.join("snapshots");

    // Each snapshot's own tables: 255 and 480 inhabitants; one GP each before, none in the
    // east after.
    let before = table(&snapshots.join("before/commune/supply.csv"));
    let after = table(&snapshots.join("after/commune/supply.csv"));
    assert_eq!(number(&before["93010"], "inhabitants"), 255.0);
    assert_eq!(number(&before["93048"], "inhabitants"), 480.0);
    assert_eq!(number(&before["93048"], "gp_professionals"), 1.0);
    assert_eq!(number(&after["93048"], "gp_professionals"), 0.0);
    // The snapshot replacing nothing is the study as written.
    let study = table(&results.join("commune/supply.csv"));
    assert_eq!(study["93048"], after["93048"]);

    // The change, after − before, worked by hand: density per 10,000 of the east
    // 10,000 / 480 = 20.83 → 0 (−100 %), the west unchanged at 10,000 / 255 = 39.22.
    let change = table(&snapshots.join("before_to_after/commune.csv"));
    let (west, east) = (&change["93010"], &change["93048"]);
    assert!((number(west, "gp_density_before") - 39.22).abs() < 0.005);
    assert!((number(east, "gp_density_before") - 20.83).abs() < 0.005);
    assert_eq!(number(east, "gp_density_after"), 0.0);
    assert!((number(east, "gp_density_change") + 20.83).abs() < 0.005);
    assert_eq!(number(east, "gp_density_change_pct"), -100.0);
    assert_eq!(number(west, "gp_density_change"), 0.0);
    assert_eq!(number(west, "gp_density_change_pct"), 0.0);
    assert_eq!(number(east, "gp_professionals_change"), -1.0);
    // Participation 40 → 45 (+5, +12.5 %) in the west, 50 → 40 (−10, −20 %) in the east.
    assert_eq!(number(west, "participation_change"), 5.0);
    assert_eq!(number(west, "participation_change_pct"), 12.5);
    assert_eq!(number(east, "participation_change"), -10.0);
    assert_eq!(number(east, "participation_change_pct"), -20.0);
    // A GP gone never brings anyone nearer; each change is the difference of its columns;
    // a share's change has no relative change.
    for row in [west, east] {
        let (a, b) = (
            number(row, "gp_minutes_mean_before"),
            number(row, "gp_minutes_mean_after"),
        );
        assert!(b >= a, "{row:?}");
        assert!((number(row, "gp_minutes_mean_change") - (b - a)).abs() <= 1.5e-4 + 1e-9);
        assert!(row.contains_key("gp_minutes_share_beyond_2_change"));
        assert!(!row.contains_key("gp_minutes_share_beyond_2_change_pct"));
        assert!(!row.contains_key("gp_minutes_min_before"));
    }
    assert!(number(east, "gp_minutes_mean_change") > 0.0);
    assert!(snapshots.join("before_to_after/commune.geojson").is_file());

    // Inputs read once: the snapshot replacing nothing rejected nothing, and neither
    // snapshot repeats the study's rejects; the study's national table counted Paris as
    // outside and kept 93999 (its own département) as a reject.
    for name in ["before", "after"] {
        let (_, rows) = csv_rows(&snapshots.join(format!("{name}/rejects.csv")));
        assert!(rows.is_empty(), "{name}: {rows:?}");
    }
    let (_, rows) = csv_rows(&results.join("rejects.csv"));
    let ids: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert!(ids.contains(&"93999") && !ids.contains(&"75056"), "{ids:?}");
    assert!(
        stdout.contains("1 outside the study's départements ignored"),
        "{stdout}"
    );
    assert!(stdout.contains("snapshot before:"), "{stdout}");
    assert!(
        stdout.contains("snapshots before → after: indicator mapped gp_density per commune"),
        "{stdout}"
    );

    // The report maps the change.
    let report = std::fs::read_to_string(results.join("report.html")).unwrap();
    assert!(report.contains("Années comparées : before → after"));
    assert!(report.contains("gp_density par commune : after − before"));
}
