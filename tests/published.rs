//! What the field publishes beside access: the real screening participation table of
//! Seine-Saint-Denis joined to the real commune outlines, its département figure recomputed
//! from the rows and their denominators, and a classification against the official APL
//! (skipped with a message when the shared data folder is absent), the official APL's
//! codes of other départements counted, not rejected; and the demo study's densities,
//! reference rows, target groups, typology, deficit shares and snapshots (2016 against
//! today) checked against figures recomputed independently from its own output tables.

mod common;

use common::{csv_rows, shared_file};
use recours::aggregate::external::Rollup;
use recours::aggregate::typology::{classify, tally, Axis, WorseWhen};
use recours::inputs::external::{read_external, ExternalColumns, OutsideStudy};
use recours::inputs::territory::read_units;
use recours::support::rejects::Rejects;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Column `name` of a CSV's rows, by code (first column).
fn by_code(path: &Path, name: &str) -> BTreeMap<String, String> {
    let (h, rows) = csv_rows(path);
    let k = h
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("{name} in {h:?}"));
    rows.into_iter()
        .map(|r| (r[0].clone(), r[k].clone()))
        .collect()
}

#[test]
fn real_screening_rates_join_the_93_communes_and_are_classified_against_the_apl() {
    let (Some(screening), Some(outlines), Some(apl)) = (
        shared_file("screening/crcdc_93_participation_2022_2023.csv"),
        shared_file("communes/communes-93-seine-saint-denis.geojson"),
        shared_file("apl/apl_generalistes_2023_communes.csv"),
    ) else {
        return;
    };
    let mut rejects = Rejects::default();
    let communes = read_units(&outlines, None, "commune", None, None, None, &mut rejects).unwrap();
    assert_eq!(communes.units.len(), 40);
    let columns = ExternalColumns {
        code: "code_insee".into(),
        value: "docs_rate_pct".into(),
        numerator: Some("docs_screened".into()),
        denominator: Some("docs_insured_pop".into()),
    };
    let (docs, counts) = read_external(
        &screening,
        &columns,
        &communes,
        100.0,
        Rollup::Rate,
        OutsideStudy::Reject,
        &mut rejects,
    )
    .unwrap();
    assert_eq!(
        (counts.rows, counts.joined, counts.units_with_value),
        (40, 40, 40)
    );
    assert!(rejects.is_empty(), "{:?}", rejects.items);

    // Each published rate is its row's screened / insured population, to the decimal shown.
    let (num, den) = docs.parts.clone().unwrap();
    for u in 0..40 {
        let rate = 100.0 * num[u].unwrap() / den[u].unwrap();
        assert!(
            (rate - docs.values[u].unwrap()).abs() <= 0.05 + 1e-9,
            "{}",
            communes.units[u].code
        );
    }
    // The département figure: Σ screened / Σ insured, summed here from the raw file.
    let (h, rows) = csv_rows(&screening);
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (s, i) = (col("docs_screened"), col("docs_insured_pop"));
    let screened: f64 = rows.iter().map(|r| r[s].parse::<f64>().unwrap()).sum();
    let insured: f64 = rows.iter().map(|r| r[i].parse::<f64>().unwrap()).sum();
    let departement = docs.total(&[0.0; 40]).unwrap();
    assert!((departement - 100.0 * screened / insured).abs() < 1e-9);
    // …which is not the mean of the 40 rates.
    let mean_of_rates = docs.values.iter().flatten().sum::<f64>() / 40.0;
    assert!(
        (departement - mean_of_rates).abs() > 0.1,
        "{departement} vs {mean_of_rates}"
    );

    // The official APL (34,954 communes of France) joined to the same communes: by default
    // the codes of other départements are counted, not rejected, and none is a reject (the
    // 40 communes of the 93 are all in it); asked to, every other commune is a reject.
    let apl_columns = ExternalColumns {
        code: "code_insee".into(),
        value: "apl_generalistes".into(),
        numerator: None,
        denominator: None,
    };
    let mut apl_rejects = Rejects::default();
    let (apl_values, apl_counts) = read_external(
        &apl,
        &apl_columns,
        &communes,
        1.0,
        Rollup::Mean,
        OutsideStudy::Ignore,
        &mut apl_rejects,
    )
    .unwrap();
    assert_eq!(apl_counts.joined, 40);
    assert!(apl_counts.rows > 34_000, "{apl_counts:?}");
    assert_eq!(apl_counts.outside_study, apl_counts.rows - 40);
    assert!(apl_rejects.is_empty(), "{:?}", &apl_rejects.items[..1]);
    let mut all_rejects = Rejects::default();
    let (_, counts) = read_external(
        &apl,
        &apl_columns,
        &communes,
        1.0,
        Rollup::Mean,
        OutsideStudy::Reject,
        &mut all_rejects,
    )
    .unwrap();
    assert_eq!(counts.outside_study, 0);
    assert_eq!(all_rejects.len(), apl_counts.rows - 40);
    assert!(all_rejects.items[0]
        .reason
        .contains("no unit of the commune level"));
    // A commune of the 93 missing from the outlines stays a reject: Bondy taken out.
    let mut without_bondy = communes.clone();
    without_bondy.units.retain(|u| u.code != "93010");
    let mut own_rejects = Rejects::default();
    let (_, counts) = read_external(
        &apl,
        &apl_columns,
        &without_bondy,
        1.0,
        Rollup::Mean,
        OutsideStudy::Ignore,
        &mut own_rejects,
    )
    .unwrap();
    assert_eq!(
        (counts.joined, counts.outside_study),
        (39, apl_counts.rows - 40)
    );
    let ids: Vec<&str> = own_rejects.items.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["93010"]);

    // Low participation (< 30 %) × low APL (< 2.5): classes checked against the raw values.
    let x = Axis {
        values: docs.values.clone(),
        threshold: 30.0,
        worse_when: WorseWhen::Below,
        labels: ["low participation".into(), "participation ≥ 30 %".into()],
    };
    let y = Axis {
        values: apl_values.values.clone(),
        threshold: 2.5,
        worse_when: WorseWhen::Below,
        labels: ["APL < 2.5".into(), "APL ≥ 2.5".into()],
    };
    let classes = classify(&x, &y);
    let raw_rate = by_code(&screening, "docs_rate_pct");
    let raw_apl = by_code(&apl, "apl_generalistes");
    let mut both = 0;
    for (u, class) in communes.units.iter().zip(&classes) {
        let r: f64 = raw_rate[&u.code].parse().unwrap();
        let a: f64 = raw_apl[&u.code].parse().unwrap();
        let expected = format!(
            "{} · {}",
            if r < 30.0 {
                "low participation"
            } else {
                "participation ≥ 30 %"
            },
            if a < 2.5 { "APL < 2.5" } else { "APL ≥ 2.5" }
        );
        assert_eq!(class.as_deref(), Some(expected.as_str()), "{}", u.code);
        both += usize::from(r < 30.0 && a < 2.5);
    }
    let t = tally(&x, &y, &classes, &[1.0; 40]);
    assert_eq!(t[0].1, both);
    assert_eq!(t.iter().map(|c| c.1).sum::<usize>(), 40);
    assert_eq!(t[4].1, 0, "every commune classified");
    println!("low participation and APL < 2.5: {both} of 40 communes; département rate {departement:.2} %");
}

#[test]
fn the_demo_shows_densities_references_groups_typology_deficits_and_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_recours"))
        .args(["demo", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results = dir.path().join("results");

    // Densities: per unit and for the whole territory, recomputed from the counts.
    let (h, rows) = csv_rows(&results.join("commune/supply.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (inh, prof, dens) = (
        col("inhabitants"),
        col("gp_professionals"),
        col("gp_density"),
    );
    let number = |s: &str| s.parse::<f64>().unwrap();
    for r in rows
        .iter()
        .filter(|r| r[2] == "study" && number(&r[inh]) > 0.0)
    {
        let d = number(&r[prof]) * 10_000.0 / number(&r[inh]);
        assert!((d - number(&r[dens])).abs() <= 0.005 + 1e-9, "{r:?}");
    }
    let codes: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r[2] != "study")
        .map(|r| (r[0].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            ("93", "computed from the study's inputs"),
            ("11", "illustrative regional figure (demo)"),
            ("FR", "illustrative national figure (demo)"),
        ]
    );
    let whole = &rows[rows.len() - 3];
    let units: Vec<&Vec<String>> = rows.iter().filter(|r| r[2] == "study").collect();
    let sum = |k: usize| units.iter().map(|r| number(&r[k])).sum::<f64>();
    assert!((number(&whole[inh]) - sum(inh)).abs() < 0.5);
    assert_eq!(rows[rows.len() - 1][dens], "8.90");

    // Participation: the département row is Σ screened / Σ insured of the communes.
    let (h, rows) = csv_rows(&results.join("commune/external.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (n, d, v) = (
        col("participation_numerator"),
        col("participation_denominator"),
        col("participation"),
    );
    let units: Vec<&Vec<String>> = rows.iter().filter(|r| r[2] == "study").collect();
    let total = |k: usize| {
        units
            .iter()
            .filter_map(|r| r[k].parse::<f64>().ok())
            .sum::<f64>()
    };
    let row93 = rows.iter().find(|r| r[0] == "93").unwrap();
    let expected = 100.0 * total(n) / total(d);
    assert!(
        (number(&row93[v]) - expected).abs() < 5e-5,
        "{row93:?} vs {expected}"
    );

    // The typology column agrees with its two columns and thresholds.
    let (h, rows) = csv_rows(&results.join("typology_screening_radiology.csv"));
    assert_eq!(
        h,
        [
            "code",
            "name",
            "participation",
            "radiology_minutes_mean",
            "class"
        ]
    );
    for r in &rows {
        let (Ok(p), Ok(t)) = (r[2].parse::<f64>(), r[3].parse::<f64>()) else {
            assert_eq!(r[4], "", "{r:?}");
            continue;
        };
        let expected = format!(
            "{} · {}",
            if p < 40.0 {
                "low participation"
            } else {
                "high participation"
            },
            if t > 8.0 {
                "far from radiology"
            } else {
                "near radiology"
            }
        );
        assert_eq!(r[4], expected, "{r:?}");
    }

    // Two target groups, their populations the sums of their per-commune columns.
    let (h, rows) = csv_rows(&results.join("groups.csv"));
    assert_eq!(&h[..3], ["group", "ages", "population"]);
    assert_eq!(rows.len(), 2);
    let commune = by_code(&results.join("commune/supply.csv"), "inhabitants");
    let total_inhabitants: f64 = commune
        .iter()
        .filter(|(c, _)| c.len() == 5)
        .map(|(_, p)| number(p))
        .sum();
    for r in &rows {
        let g = number(&r[2]);
        assert!(g > 0.0 && g < total_inhabitants, "{r:?}");
        assert!(results
            .join(format!("commune/groups/{}/gp_minutes.csv", r[0]))
            .is_file());
    }

    // Deficit shares: the total row is Σ missing / Σ present of the cells.
    let (h, rows) = csv_rows(&results.join("icc.deficit.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let cells: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[0] != "ALL" && r[2] != "ALL")
        .collect();
    let s = |k: usize| cells.iter().map(|r| number(&r[k])).sum::<f64>();
    let last = rows.last().unwrap();
    assert_eq!((last[0].as_str(), last[2].as_str()), ("ALL", "ALL"));
    let share = s(col("missing_fte")) / s(col("present_fte"));
    assert!(
        (number(&last[col("deficit_share")]) - share).abs() < 5e-4,
        "{last:?}"
    );

    // Years compared: the 2016 supply had the GPs since retired and not those settled
    // since; each change is the difference of the two snapshots' own tables, and the
    // snapshot replacing nothing is the study as written.
    let snapshots = results.join("snapshots");
    let then = by_code(
        &snapshots.join("2016/commune/supply.csv"),
        "gp_professionals",
    );
    let now = by_code(
        &snapshots.join("2026/commune/supply.csv"),
        "gp_professionals",
    );
    let study = by_code(&results.join("commune/supply.csv"), "gp_professionals");
    assert_eq!(now, study);
    let total = |m: &BTreeMap<String, String>| {
        m.iter()
            .filter(|(c, _)| c.len() == 5)
            .map(|(_, v)| number(v))
            .sum::<f64>()
    };
    assert!(
        total(&then) > total(&now),
        "{} vs {}",
        total(&then),
        total(&now)
    );
    let change = snapshots.join("2016_to_2026/commune.csv");
    let (h, rows) = csv_rows(&change);
    let col = |n: &str| {
        h.iter()
            .position(|c| c == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    for r in &rows {
        let (a, b) = (&then[&r[0]], &now[&r[0]]);
        assert_eq!(&r[col("gp_professionals_2016")], a);
        assert_eq!(&r[col("gp_professionals_2026")], b);
        assert_eq!(
            number(&r[col("gp_professionals_change")]),
            number(b) - number(a),
            "{r:?}"
        );
        let mean = |n: &str| r[col(n)].parse::<f64>().ok();
        match (mean("gp_minutes_mean_2016"), mean("gp_minutes_mean_2026")) {
            (Some(ma), Some(mb)) => {
                let c = number(&r[col("gp_minutes_mean_change")]);
                assert!((c - (mb - ma)).abs() <= 1.5e-4 + 1e-9, "{r:?}");
            }
            _ => assert_eq!(r[col("gp_minutes_mean_change")], "", "{r:?}"),
        }
    }
    assert!(rows
        .iter()
        .any(|r| number(&r[col("gp_professionals_change")]) != 0.0));
    assert!(snapshots.join("changes.gpkg").is_file());
    let report = std::fs::read_to_string(results.join("report.html")).unwrap();
    assert!(report.contains("Années comparées : 2016 → 2026"));
}
