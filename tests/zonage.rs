//! `recours zonage` on `tests/fixtures/zonage/`: eight units A…H (`;`, decimal comma) and
//! five broken rows (population not a number, duplicated code, negative population, APL not a
//! number, missing fields).
//!
//! By hand (population total 320):
//! - 2017 rule, quotas ZIP B 50, ZAC 60, outside share 5 %: ZIP A = A (2.0), B (2.5);
//!   vivier C 40, D 30, E 60, F 20 (150): C, D → ZIP B (D starts at 40 < 50), E → ZAC,
//!   F → vigilance; outside quota 7.5: G eligible, H outside.
//! - Ranking, min-max: APL (better) (5 − x) / 3, aged 75+ (worse) (x − 10) / 20, weights 2
//!   and 1: C 2·2/3 + 1 = 2.333333, B 2.166667, A 2, F 1.666667, E 1.5, D 1.333333,
//!   G 0.533333, H 0.5. ZIP quota 0.12 × 320 = 38.4: C (40); ZAC quota 64: B (50), A
//!   (50 < 64); the rest outside. Cumulative shares: C 40/320, B 90/320, A 190/320.
//! - Nurses, lowest APL first: B 40 (50), A 50 (100), D 60, C 70…; very under-served quota
//!   16: B; under-served quota 32: A; the rest other. Cumulative: B 50/320, A 150/320,
//!   D 180/320, C 220/320.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/zonage")
        .join(name)
}

fn run(config: &str, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(extra)
        .arg("zonage")
        .arg("--units")
        .arg(fixture("units.csv"))
        .arg("--config")
        .arg(fixture(config))
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn zonage_by_hand_with_rejects_and_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("zonage.csv");
    let o = run("zonage.toml", &out, &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("units: 8; population: 320.0; rejected rows: 5"),
        "{stderr}"
    );
    assert!(
        stderr.contains("rule_2017 zip-b: 2 units, population 70.0"),
        "{stderr}"
    );

    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "code,population,rule_2017_apl,rule_2017_class,apl,apl_norm,pop_75,pop_75_norm,\
         score,rank,class,cumulative_population_share,nurses_value,nurses_rank,nurses_class,\
         nurses_cumulative_population_share"
    );
    assert_eq!(lines.len(), 9);
    assert_eq!(
        lines[1],
        "A,100.0,2,zip-a,2,1.000000,10,0.000000,2.000000,3,zac,0.593750,50,2,under-served,0.468750"
    );
    assert_eq!(
        lines[3],
        "C,40.0,3,zip-b,3,0.666667,30,1.000000,2.333333,1,zip,0.125000,70,4,other,0.687500"
    );
    let classes: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(3).unwrap())
        .collect();
    assert_eq!(
        classes,
        vec![
            "zip-a",
            "zip-a",
            "zip-b",
            "zip-b",
            "zac",
            "vigilance",
            "outside-eligible",
            "outside"
        ]
    );
    let ranking: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(10).unwrap())
        .collect();
    assert_eq!(
        ranking,
        vec!["zac", "zac", "zip", "outside", "outside", "outside", "outside", "outside"]
    );

    let summary = std::fs::read_to_string(dir.path().join("zonage.summary.csv")).unwrap();
    assert!(summary.starts_with(
        "scheme,class,units,population,population_share\n\
         rule_2017,zip-a,2,150.0,0.468750\n\
         rule_2017,zip-b,2,70.0,0.218750\n\
         rule_2017,zac,1,60.0,0.187500\n\
         rule_2017,vigilance,1,20.0,0.062500\n\
         rule_2017,outside-eligible,1,10.0,0.031250\n\
         rule_2017,outside,1,10.0,0.031250\n\
         ranking,zip,1,40.0,0.125000\n\
         ranking,zac,2,150.0,0.468750\n\
         ranking,outside,5,130.0,0.406250\n\
         nurses,very-under-served,1,50.0,0.156250\n\
         nurses,under-served,1,100.0,0.312500\n\
         nurses,other,6,170.0,0.531250\n"
    ));

    let mut rdr = csv::Reader::from_path(dir.path().join("zonage.rejects.csv")).unwrap();
    let rows: Vec<(String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (format!("{}:{}", &r[1], &r[2]), r[3].to_string())
        })
        .collect();
    let rejects = format!("{rows:?}");
    assert_eq!(rows.len(), 5, "{rejects}");
    assert_eq!(rows[0].0, "10:I");
    assert!(rows[0].1.contains("population"), "{rejects}");
    assert_eq!(
        rows[1],
        ("11:B".into(), "code given twice (first on line 3)".into())
    );
    assert_eq!(rows[2], ("12:J".into(), "negative population -10".into()));
    assert_eq!(rows[3].0, "13:K");
    assert!(rows[3].1.starts_with("apl:"), "{rejects}");
    assert_eq!(rows[4].0, "14:");

    let again = dir.path().join("again.csv");
    assert!(run("zonage.toml", &again, &[]).status.success());
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&again).unwrap());
}

#[test]
fn strict_fails_on_rejects_and_unknown_settings_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("z.csv");
    let strict = run("zonage.toml", &out, &["--strict"]);
    assert!(!strict.status.success());
    assert!(String::from_utf8_lossy(&strict.stderr).contains("5 rejected"));
    assert!(out.exists());

    let bad = run("unknown_key.toml", &dir.path().join("bad.csv"), &[]);
    assert!(!bad.status.success());
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(msg.contains("zip_maximum"), "{msg}");
}
