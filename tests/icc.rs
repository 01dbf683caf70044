//! `recours icc` on the fixtures of `tests/fixtures/icc/`: the hand-worked example of
//! `indicators::icc` (two communes 93001 / 93002, two age bands, two sexes), liberal care at
//! the example's counts and hospital care at twice them, a commune in two CPTS, a small
//! specialty under statistical secrecy, and broken rows in every file.
//!
//! By hand, reference = both communes: cardio E(93001) = 83.333 liberal, 166.667 hospital,
//! 250 all; E(93002) = 76.667, 153.333, 230; O(93001) = 100, 200, 300; O(93002) = 60, 120,
//! 180. CENTRE (both communes) and the total sit at exactly 100. Dermato: rates 6/300 and
//! 6/75, E = 12 in each commune, O = 20 and 4 (the latter below the secrecy threshold).

mod common;

use recours::indicators::icc::IccConfig;
use recours::study::icc_job::{run_icc_job, AccessInput, IccJob, PopulationSource, Typology};
use recours::support::rejects::Rejects;
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

/// Filosofi cells in the published layout (`filosofi_csv` of the synthetic datasets): 93001
/// gets a cell of 2 per band and one of 10 / 20 / 10 in 55–64 / 65–79 / 80+; 93002 a cell of
/// 3 per band; 93003 a cell of 1 per band; one cell across 93001 and 93002 (4 per band).
///
/// By hand, bands `0-59` (0–3 … 40–54, half of 55–64) and `60+`: 93001 = 20 and 40, 93002 =
/// 22.5 and 7.5, 93003 = 7.5 and 2.5 (Σ 100 = the placed cells' inhabitants); apportioned
/// (55–64 is cut) 2 + 10 + 3 + 1 = 16. Consumption (sexes summed): 93001 10 and 20, 93002
/// 10 and 5, 93003 0. Rates 20/50 and 25/50: E(93001) = 28, O = 30, ICC 107.14; E(93002) =
/// 12.75, O = 15, ICC 117.65; the three communes together E = O = 45, ICC 100.
fn write_filosofi_case(dir: &Path) {
    let header = "idcar_200m,idcar_1km,idcar_nat,i_est_200,i_est_1km,lcog_geo,ind,men,men_pauv,ind_snv,log_soc,ind_0_3,ind_4_5,ind_6_10,ind_11_17,ind_18_24,ind_25_39,ind_40_54,ind_55_64,ind_65_79,ind_80p,ind_inc\n";
    let row = |n: u32, e: u32, lcog: &str, ages: [f64; 10]| {
        let ind: f64 = ages.iter().sum();
        let a: Vec<String> = ages.iter().map(|x| format!("{x:.1}")).collect();
        format!(
            "CRS3035RES200mN{n}E{e},CRS3035RES1000mN2880000E3770000,CRS3035RES1000mN2880000E3770000,0,0,{lcog},{ind:.1},{:.1},0,0,0,{},0.0\n",
            ind / 2.3,
            a.join(",")
        )
    };
    let mut cells = String::from(header);
    cells += &row(2_880_000, 3_770_000, "93001", [2.0; 10]);
    cells += &row(
        2_880_000,
        3_770_200,
        "93001",
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0, 20.0, 10.0],
    );
    cells += &row(2_880_000, 3_771_000, "93002", [3.0; 10]);
    cells += &row(2_880_000, 3_772_000, "93003", [1.0; 10]);
    cells += &row(2_880_000, 3_771_200, "9300193002", [4.0; 10]);
    std::fs::write(dir.join("filosofi_200m.csv"), cells).unwrap();
    let mut cons = String::from("code,specialty,age_band,sex,count\n");
    for (code, counts) in [
        ("93001", [4, 6, 10, 10]),
        ("93002", [5, 5, 2, 3]),
        ("93003", [0, 0, 0, 0]),
    ] {
        for (k, (band, sex)) in [("0-59", "M"), ("0-59", "F"), ("60+", "M"), ("60+", "F")]
            .iter()
            .enumerate()
        {
            cons += &format!("{code},cardio,{band},{sex},{}\n", counts[k]);
        }
    }
    std::fs::write(dir.join("consumption.csv"), cons).unwrap();
    std::fs::write(
        dir.join("territories.csv"),
        "territory_code,territory_name,commune_code\nNORD,Nord,93001\nSUD,Sud,93002\nALL,All,93001\nALL,All,93002\nALL,All,93003\n",
    )
    .unwrap();
}

fn icc_cli(args: &[&std::ffi::OsStr]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_recours"))
        .arg("icc")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{stderr}");
    stderr
}

#[test]
fn population_from_filosofi_cells_by_lcog_geo_and_by_commune_polygons() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_filosofi_case(d);
    let out = d.join("icc.csv");
    let s = |p: &Path| p.as_os_str().to_owned();
    let base = [
        "--consumption".into(),
        s(&d.join("consumption.csv")),
        "--filosofi".into(),
        s(&d.join("filosofi_200m.csv")),
        "--reference".into(),
        "all".into(),
        "--territories".into(),
        s(&d.join("territories.csv")),
        "--ci".into(),
        "auto".into(),
        "--ci-threshold".into(),
        "40".into(),
        "--out".into(),
        s(&out),
    ];
    let args: Vec<&std::ffi::OsStr> = base.iter().map(|a| a.as_os_str()).collect();
    let stderr = icc_cli(&args);
    assert!(stderr.contains("standardisation: age;"), "{stderr}");
    assert!(
        stderr.contains("population from 4 Filosofi cells"),
        "{stderr}"
    );
    assert!(stderr.contains("16.0 inhabitants apportioned"), "{stderr}");
    assert!(
        stderr.contains("40.0 inhabitants of rejected cells"),
        "{stderr}"
    );
    assert!(
        stderr.contains("12 consumption rows split by sex summed over sex"),
        "{stderr}"
    );
    let r = rows(&out);
    let pick = |t: &str| {
        let x = find(&r, t, "cardio", "all");
        (
            x["standardisation"].clone(),
            x["population"].clone(),
            x["observed"].clone(),
            x["expected"].clone(),
            x["icc"].clone(),
            x["ci_method"].clone(),
        )
    };
    let row = |a: &str, b: &str, c: &str, d: &str, e: &str| {
        (
            "age".to_string(),
            a.to_string(),
            b.to_string(),
            c.to_string(),
            d.to_string(),
            e.to_string(),
        )
    };
    assert_eq!(
        pick("NORD"),
        row("60", "30", "28.000", "107.14", "exact Poisson (Garwood)")
    );
    assert_eq!(
        pick("SUD"),
        row("30", "15", "12.750", "117.65", "exact Poisson (Garwood)")
    );
    // Σ population preserved: the three communes hold every placed inhabitant.
    assert_eq!(
        pick("ALL"),
        row("100", "45", "45.000", "100.00", "log-normal")
    );
    let rejects = std::fs::read_to_string(d.join("icc.rejects.csv")).unwrap();
    assert!(rejects.contains("not a single commune"), "{rejects}");

    // With commune polygons, the cell across 93001 / 93002 goes where its centre lies.
    let cells = recours::inputs::demand::filosofi::read_filosofi(
        &d.join("filosofi_200m.csv"),
        None,
        None,
        &mut Rejects::default(),
    )
    .unwrap();
    let square = |c: &recours::inputs::demand::filosofi::Cell| {
        let h = 0.0008;
        let (x0, y0, x1, y1) = (c.lon - h, c.lat - h, c.lon + h, c.lat + h);
        format!("[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]")
    };
    let feature = |code: &str, polys: Vec<String>| {
        format!(
            "{{\"type\":\"Feature\",\"properties\":{{\"INSEE_COM\":\"{code}\"}},\"geometry\":{{\"type\":\"MultiPolygon\",\"coordinates\":[{}]}}}}",
            polys.join(",")
        )
    };
    let communes = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[{},{},{}]}}",
        feature("93001", vec![square(&cells[0]), square(&cells[1])]),
        feature("93002", vec![square(&cells[2]), square(&cells[4])]),
        feature("93003", vec![square(&cells[3])]),
    );
    std::fs::write(d.join("communes.geojson"), communes).unwrap();
    let mut with_layer = base.to_vec();
    with_layer.extend(["--communes".into(), s(&d.join("communes.geojson"))]);
    let args: Vec<&std::ffi::OsStr> = with_layer.iter().map(|a| a.as_os_str()).collect();
    let stderr = icc_cli(&args);
    assert!(
        stderr.contains("population from 5 Filosofi cells"),
        "{stderr}"
    );
    let r = rows(&out);
    assert_eq!(find(&r, "SUD", "cardio", "all")["population"], "70");
    assert_eq!(find(&r, "ALL", "cardio", "all")["population"], "140");
}

/// A small study (the drawn street grid of `tests/study.rs`, two communes, one CPTS over
/// both and one over the east) whose ICC takes its population from the study's Filosofi
/// cells (`population_from = "filosofi"`, placed in the commune polygons) and joins two
/// typology rules on the CPTS level's per-unit columns. Six cells of 5 inhabitants per
/// band, three per commune; reference = both communes, so CPTS Nord (both) sits at 100.
#[test]
fn study_icc_from_filosofi_cells_with_a_typology() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let w = |name: &str, text: &str| std::fs::write(d.join(name), text).unwrap();
    w("grid.osm", &common::grid_osm());
    let r3035 = recours::support::crs::Reprojector::from_epsg(3035).unwrap();
    let mut cells = String::from("idcar_200m,lcog_geo,ind,men,men_pauv,ind_snv,ind_0_3,ind_4_5,ind_6_10,ind_11_17,ind_18_24,ind_25_39,ind_40_54,ind_55_64,ind_65_79,ind_80p\n");
    for (lon, code) in [(2.4725, "93010"), (2.4785, "93048")] {
        for lat in [48.903, 48.906, 48.909] {
            let mut p = [[lon, lat]];
            r3035.from_wgs84(&mut p).unwrap();
            let (e, n) = (
                (p[0][0] / 200.0).floor() * 200.0,
                (p[0][1] / 200.0).floor() * 200.0,
            );
            cells += &format!(
                "CRS3035RES200mN{n:.0}E{e:.0},{code},50,20,2,1000000{}\n",
                ",5".repeat(10)
            );
        }
    }
    w("cells.csv", &cells);
    w(
        "sites.csv",
        "id;lon;lat;category;activity;age\ngp-a;2,4712;48,9021;gp;4500;50\ngp-b;2,4788;48,9089;gp;7000;67\n",
    );
    let square = |x0: f64, x1: f64| {
        format!("[[[{x0},48.899],[{x1},48.899],[{x1},48.912],[{x0},48.912],[{x0},48.899]]]")
    };
    let feature = |code: &str, coords: String| {
        format!("{{\"type\":\"Feature\",\"properties\":{{\"INSEE_COM\":\"{code}\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":{coords}}}}}")
    };
    w(
        "communes.geojson",
        &format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[{},{}]}}",
            feature("93010", square(2.469, 2.4755)),
            feature("93048", square(2.4755, 2.482))
        ),
    );
    w(
        "cpts.csv",
        "cpts,code_insee\nCPTS Nord,93010\nCPTS Nord,93048\nCPTS Est,93048\n",
    );
    let mut cons = String::from("code;specialty;age_band;sex;count\n");
    for (code, counts) in [("93010", [20, 20, 15, 15]), ("93048", [10, 10, 10, 10])] {
        for (k, (band, sex)) in [("0-59", "M"), ("0-59", "F"), ("60+", "M"), ("60+", "F")]
            .iter()
            .enumerate()
        {
            cons += &format!("{code};cardio;{band};{sex};{}\n", counts[k]);
        }
    }
    w("consumption.csv", &cons);
    w(
        "study.toml",
        r#"
[network]
osm = "grid.osm"
[population]
kind = "filosofi"
path = "cells.csv"
[[supply]]
kind = "points"
path = "sites.csv"
columns = { category = "category", activity = "activity", age = "age" }
[[territories]]
kind = "commune"
path = "communes.geojson"
[[territories]]
kind = "cpts"
members = "cpts.csv"
[indicators]
nearest = ["gp"]
[[indicators.fca]]
name = "apl"
category = "gp"
method = "apl"
[icc]
consumption = "consumption.csv"
population_from = "filosofi"
territories = "cpts.csv"
ci = "auto"
[[icc.typology]]
indicator = "gp_minutes_mean"
threshold = 1
[[icc.typology]]
indicator = "apl_mean"
threshold = 3
far_when = "below"
icc_below = 105
[output]
dir = "out"
gpkg = false
report = false
"#,
    );
    let o = Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(["--threads", "1", "run"])
        .arg(d.join("study.toml"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = d.join("out");
    let r = rows(&out.join("icc.csv"));
    let nord = find(&r, "CPTS Nord", "cardio", "all");
    assert_eq!(nord["standardisation"], "age");
    assert_eq!(nord["population"], "300");
    assert_eq!(nord["icc"], "100.00");
    assert_eq!(find(&r, "CPTS Est", "cardio", "all")["population"], "150");
    let t = rows(&out.join("icc.typology.csv"));
    assert_eq!(t.len(), 2);
    let nord = t.iter().find(|x| x["territory"] == "CPTS Nord").unwrap();
    assert!(!nord["gp_minutes_mean"].is_empty(), "{nord:?}");
    assert!(!nord["apl_mean"].is_empty(), "{nord:?}");
    let minutes: f64 = nord["gp_minutes_mean"].parse().unwrap();
    let apl: f64 = nord["apl_mean"].parse().unwrap();
    let far = |x: bool| if x { "far" } else { "near" };
    assert_eq!(
        nord["typology_gp_minutes_mean"],
        format!("high ICC & {}", far(minutes > 1.0))
    );
    assert_eq!(
        nord["typology_apl_mean"],
        format!("low ICC & {}", far(apl < 3.0))
    );
    let layer = std::fs::read_to_string(out.join("cpts.geojson")).unwrap();
    assert!(layer.contains("\"icc_cardio\""), "{layer}");
}
