//! `recours icc` on the fixtures of `tests/fixtures/icc/`: the hand-worked example of
//! `indicators::icc` (two communes 93001 / 93002, two age bands, two sexes), liberal care at
//! the example's counts and hospital care at twice them, a commune in two CPTS, a small
//! specialty under statistical secrecy, and broken rows in every file.
//!
//! By hand, reference = both communes: cardio E(93001) = 83.333 liberal, 166.667 hospital,
//! 250 all; E(93002) = 76.667, 153.333, 230; O(93001) = 100, 200, 300; O(93002) = 60, 120,
//! 180. CENTRE (both communes) and the total sit at exactly 100. Dermato: rates 6/300 and
//! 6/75, E = 12 in each commune, O = 20 and 4 (the latter below the secrecy threshold).

use recours::icc_job::{run_icc_job, AccessInput, IccJob, PopulationSource, Typology};
use recours::indicators::icc::IccConfig;
use recours::rejects::Rejects;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/icc")
        .join(name)
}

fn job(out: &Path, rates: Option<&str>) -> IccJob {
    IccJob {
        consumption: fixture("consumption.csv"),
        population: PopulationSource::Csv(fixture("population.csv")),
        rates: rates.map(fixture),
        territories: fixture("territories.csv"),
        columns: Default::default(),
        config: IccConfig {
            acts_per_fte: [("cardio".to_string(), 5.0)].into(),
            ..IccConfig::default()
        },
        access: Some((
            AccessInput::File(fixture("access.csv")),
            vec![Typology::parse("minutes_to_cardio:20").unwrap()],
        )),
        out: out.to_path_buf(),
    }
}

/// Rows of a CSV as maps column → value.
fn rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            h.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn find<'a>(
    rows: &'a [std::collections::HashMap<String, String>],
    territory: &str,
    specialty: &str,
    sector: &str,
) -> &'a std::collections::HashMap<String, String> {
    rows.iter()
        .find(|r| {
            r["territory"] == territory && r["specialty"] == specialty && r["sector"] == sector
        })
        .unwrap_or_else(|| panic!("no row {territory} {specialty} {sector}"))
}

#[test]
fn reference_rates_from_the_whole_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("icc.csv");
    let mut rejects = Rejects::default();
    let summary = run_icc_job(&job(&out, None), &mut rejects).unwrap();
    assert_eq!(summary.standardisation, "age×sex");
    // 3 territories + total, × (cardio all/liberal/hospital, dermato all/liberal).
    assert_eq!(summary.rows, 20);
    assert_eq!(summary.suppressed, 2);
    let lines: Vec<(String, u64)> = rejects
        .items
        .iter()
        .map(|r| {
            let f = Path::new(&r.file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (f, r.line)
        })
        .collect();
    let expect: Vec<(String, u64)> = [
        ("population.csv", 10),
        ("population.csv", 11),
        ("consumption.csv", 26),
        ("consumption.csv", 27),
        ("consumption.csv", 28),
        ("consumption.csv", 29),
        ("consumption.csv", 30),
        ("consumption.csv", 31),
        ("territories.csv", 6),
        ("access.csv", 0),
    ]
    .iter()
    .map(|(f, l)| (f.to_string(), *l))
    .collect();
    assert_eq!(lines, expect, "{:#?}", rejects.items);

    let r = rows(&out);
    let nord = find(&r, "NORD", "cardio", "all");
    assert_eq!(
        (
            &nord["population"][..],
            &nord["observed"][..],
            &nord["expected"][..],
            &nord["icc"][..]
        ),
        ("300", "300", "250.000", "120.00")
    );
    assert_eq!(nord["flag"], "above");
    assert_eq!(nord["ci_method"], "exact Poisson (Garwood)");
    assert_eq!(nord["missing_consumption"], "0.000");
    let nord_lib = find(&r, "NORD", "cardio", "liberal");
    assert_eq!(nord_lib["expected"], "83.333");
    // Exact 95 % interval on O = 100 is [81.364, 121.627] (Ulm 1990), divided by E.
    assert_eq!(
        (&nord_lib["ci_low"][..], &nord_lib["ci_high"][..]),
        ("97.64", "145.95")
    );
    let sud_lib = find(&r, "SUD", "cardio", "liberal");
    assert_eq!(sud_lib["icc"], "78.26");
    assert_eq!(sud_lib["missing_consumption"], "16.667");
    assert_eq!(sud_lib["missing_fte"], "3.333");
    assert_eq!(sud_lib["flag"], "");
    assert_eq!(find(&r, "SUD", "cardio", "all")["flag"], "below");
    assert_eq!(find(&r, "SUD", "cardio", "hospital")["icc"], "78.26");
    for t in ["CENTRE", "TOTAL"] {
        let c = find(&r, t, "cardio", "all");
        assert_eq!((&c["observed"][..], &c["icc"][..]), ("480", "100.00"));
        assert_eq!(c["population"], "750");
    }
    assert_eq!(find(&r, "TOTAL", "cardio", "all")["level"], "total");
    let derm_sud = find(&r, "SUD", "dermato", "liberal");
    assert_eq!(derm_sud["observed"], "");
    assert_eq!(derm_sud["icc"], "");
    assert_eq!(derm_sud["missing_consumption"], "");
    assert_eq!(derm_sud["expected"], "12.000");
    assert!(derm_sud["withheld"].contains("secrecy"), "{derm_sud:?}");
    assert_eq!(find(&r, "NORD", "dermato", "all")["icc"], "166.67");

    let s = std::fs::read_to_string(dir.path().join("icc.summary.csv")).unwrap();
    assert_eq!(
        s,
        "specialty,sector,territories,suppressed,undefined,spread,under_100,population_share_under_100\n\
         cardio,all,3,0,0,41.74,1,0.3000\n\
         cardio,liberal,3,0,0,41.74,1,0.3000\n\
         cardio,hospital,3,0,0,41.74,1,0.3000\n\
         dermato,all,3,1,0,66.67,0,0.0000\n\
         dermato,liberal,3,1,0,66.67,0,0.0000\n"
    );

    let t = rows(&dir.path().join("icc.typology.csv"));
    assert_eq!(t.len(), 15);
    assert_eq!(
        find(&t, "NORD", "cardio", "all")["typology"],
        "high ICC & near"
    );
    assert_eq!(
        find(&t, "SUD", "cardio", "all")["typology"],
        "low ICC & far"
    );
    assert_eq!(
        find(&t, "CENTRE", "cardio", "all")["typology"],
        "high ICC & near"
    );
    assert_eq!(find(&t, "SUD", "cardio", "all")["apl"], "2.0");
    assert_eq!(find(&t, "SUD", "dermato", "all")["typology"], "");

    let rej = std::fs::read_to_string(dir.path().join("icc.rejects.csv")).unwrap();
    assert_eq!(rej.lines().count(), 11);
}

#[test]
fn national_rates_by_age_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("icc.csv");
    let mut rejects = Rejects::default();
    let summary = run_icc_job(&job(&out, Some("rates_age.csv")), &mut rejects).unwrap();
    assert_eq!(summary.standardisation, "age");
    assert_eq!(summary.rows, 4);
    // E = 0.1 × 200 + 0.5 × 100 = 70 and 0.1 × 400 + 0.5 × 50 = 65.
    let r = rows(&out);
    let nord = find(&r, "NORD", "cardio", "all");
    assert_eq!(
        (&nord["expected"][..], &nord["icc"][..]),
        ("70.000", "428.57")
    );
    let sud = find(&r, "SUD", "cardio", "all");
    assert_eq!(
        (&sud["expected"][..], &sud["icc"][..]),
        ("65.000", "276.92")
    );
    assert_eq!(sud["standardisation"], "age");
    let reasons: Vec<&str> = rejects.items.iter().map(|r| r.reason.as_str()).collect();
    assert!(reasons.contains(&"stratum given twice"), "{reasons:?}");
    let no_rate = reasons
        .iter()
        .filter(|r| r.starts_with("no reference rate"))
        .count();
    // cardio liberal, cardio hospital, dermato all, dermato liberal.
    assert_eq!(no_rate, 4, "{reasons:?}");
}

#[test]
fn cli_writes_identical_bytes_twice() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let out = dir.path().join(name);
        let o = Command::new(env!("CARGO_BIN_EXE_recours"))
            .args(["icc", "--consumption"])
            .arg(fixture("consumption.csv"))
            .arg("--population")
            .arg(fixture("population.csv"))
            .args(["--reference", "all", "--territories"])
            .arg(fixture("territories.csv"))
            .args([
                "--acts-per-fte",
                "cardio=5",
                "--secrecy",
                "10",
                "--ci",
                "byar",
            ])
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(o.status.success(), "{stderr}");
        assert!(
            stderr.contains("suppressed by statistical secrecy: 2"),
            "{stderr}"
        );
        std::fs::read(out).unwrap()
    };
    let a = run("a.csv");
    assert_eq!(a, run("b.csv"));
    let text = String::from_utf8(a).unwrap();
    assert!(text.contains(",Byar,"), "{text}");
    let strict = Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(["--strict", "icc", "--consumption"])
        .arg(fixture("consumption.csv"))
        .arg("--population")
        .arg(fixture("population.csv"))
        .args(["--reference", "all", "--territories"])
        .arg(fixture("territories.csv"))
        .arg("--out")
        .arg(dir.path().join("c.csv"))
        .output()
        .unwrap();
    assert!(!strict.status.success());
}
