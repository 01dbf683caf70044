//! The study's HTML report (`report.html`, self-contained, [`crate::export::report`]):
//! choropleth maps of the headline indicators per territorial level (time to the nearest
//! site of each category, floating-catchment indicators, ICC), the QPV gap table, the
//! worst-served units, what was rejected or not reached, and the sources and parameters.

use super::config::Study;
use crate::aggregate::Polarity;
use crate::export::columns::Column;
use crate::export::report::classes::Breaks;
use crate::export::report::{MapPoints, MapSpec, Report};
use crate::rejects::Rejects;
use crate::territory::UnitLayer;
use std::path::Path;

/// Class bounds of maps of times, minutes.
const MINUTE_BREAKS: [f64; 6] = [5.0, 10.0, 15.0, 20.0, 30.0, 45.0];

/// One indicator mapped per unit.
pub struct Headline<'a> {
    /// Indicator name (`gp_minutes`, `apl`…).
    pub name: &'a str,
    /// Whether higher values are better (accessibility) or worse (times).
    pub polarity: Polarity,
}

/// What the report shows.
pub struct ReportInput<'a> {
    /// The study.
    pub study: &'a Study,
    /// The territorial levels, with their per-unit summary columns.
    pub levels: &'a [(UnitLayer, Vec<Column>)],
    /// The indicators to map.
    pub headlines: &'a [Headline<'a>],
    /// Sites to draw on the maps of the nearest-site times, per category: `(lon, lat)`.
    pub sites_of: &'a dyn Fn(&str) -> Vec<(f64, f64)>,
    /// QPV gap rows (already formatted: QPV, commune(s), QPV mean, rest mean, gap).
    pub qpv_gaps: &'a [Vec<String>],
    /// Everything left out.
    pub rejects: &'a Rejects,
    /// The run summary, as printed.
    pub summary: &'a str,
}

/// Values of the per-unit column `name` of a level.
fn column<'a>(columns: &'a [Column], name: &str) -> Option<&'a [Option<f64>]> {
    columns.iter().find(|c| c.name == name)?.numbers()
}

/// Writes the report to `path`.
pub fn write_report(path: &Path, input: &ReportInput) -> anyhow::Result<()> {
    let mut r = Report::new(&input.study.name);
    r.paragraph(
        "Access to care computed by recours on the road network: times to the nearest site \
         of each category and floating-catchment accessibility, summarised per territory \
         (population-weighted means). Maps are drawn by the engine; every figure comes from \
         the CSV and GeoJSON layers beside this file.",
    );
    r.heading("Run summary");
    let lines: Vec<Vec<String>> = input.summary.lines().map(|l| vec![l.to_string()]).collect();
    r.table("What was read and computed", &["summary"], &lines)?;
    for (layer, columns) in input.levels {
        if layer.kind == "qpv" {
            continue;
        }
        r.heading(&format!("Per {}", layer.kind));
        for h in input.headlines {
            let Some(values) = column(columns, &format!("{}_mean", h.name)) else {
                continue;
            };
            let minutes = h.polarity == Polarity::LowerIsBetter;
            let category = h.name.split('_').next().unwrap_or("");
            let sites = if minutes && !h.name.contains("rd_") && !h.name.contains("th_") {
                (input.sites_of)(category)
            } else {
                Vec::new()
            };
            let title = format!("{} — population-weighted mean per {}", h.name, layer.kind);
            r.map(&MapSpec {
                title: &title,
                unit: if minutes { "minutes" } else { "per inhabitant" },
                layer,
                values,
                breaks: if minutes {
                    Breaks::Fixed(MINUTE_BREAKS.to_vec())
                } else {
                    Breaks::Quantile(5)
                },
                polarity: h.polarity,
                decimals: if minutes { 0 } else { 3 },
                points: (!sites.is_empty()).then_some(MapPoints {
                    label: category,
                    coords: &sites,
                }),
            })?;
        }
        for c in columns.iter().filter(|c| c.name.starts_with("icc_")) {
            if let Some(values) = c.numbers() {
                let title = format!(
                    "{} — consumption index per {} (100 = reference rates)",
                    c.name, layer.kind
                );
                r.map(&MapSpec {
                    title: &title,
                    unit: "ICC",
                    layer,
                    values,
                    breaks: Breaks::Fixed(vec![80.0, 90.0, 100.0, 110.0, 120.0]),
                    polarity: Polarity::HigherIsBetter,
                    decimals: 0,
                    points: None,
                })?;
            }
        }
        if let Some(h) = input.headlines.first() {
            if let Some(values) = column(columns, &format!("{}_mean", h.name)) {
                let mut order: Vec<usize> = (0..layer.units.len())
                    .filter(|&u| values[u].is_some())
                    .collect();
                order.sort_by(|&a, &b| {
                    let (va, vb) = (values[a].unwrap_or(0.0), values[b].unwrap_or(0.0));
                    vb.total_cmp(&va)
                        .then(layer.units[a].code.cmp(&layer.units[b].code))
                });
                let rows: Vec<Vec<String>> = order
                    .iter()
                    .take(10)
                    .map(|&u| {
                        vec![
                            layer.units[u].code.clone(),
                            layer.units[u].name.clone(),
                            format!("{:.1}", values[u].unwrap_or(0.0)),
                        ]
                    })
                    .collect();
                r.table(
                    &format!("Worst-served {} units: {} (mean)", layer.kind, h.name),
                    &["code", "name", "mean"],
                    &rows,
                )?;
            }
        }
    }
    if !input.qpv_gaps.is_empty() {
        r.heading("QPV beside the rest of their communes");
        r.table(
            "Time to the nearest GP, minutes (population-weighted means)",
            &[
                "QPV",
                "commune(s)",
                "QPV mean",
                "rest of the commune(s)",
                "gap",
            ],
            input.qpv_gaps,
        )?;
    }
    r.heading("Left out");
    let rejected: Vec<Vec<String>> = input
        .rejects
        .summary()
        .into_iter()
        .map(|(file, reason, n)| vec![file, reason, n.to_string()])
        .collect();
    r.table(
        "Rows, features and points left out (details in rejects.csv)",
        &["file", "reason", "count"],
        &rejected,
    )?;
    r.heading("Sources and parameters");
    let mut sources = vec![vec![
        "profile".to_string(),
        input.study.network.profile.clone(),
    ]];
    let n = &input.study.network;
    for p in [&n.osm, &n.graph, &n.lines].into_iter().flatten() {
        sources.push(vec!["network".into(), p.display().to_string()]);
    }
    sources.push(vec![
        "population".into(),
        input.study.population.path().display().to_string(),
    ]);
    for s in &input.study.supply {
        for p in s.paths() {
            sources.push(vec!["supply".into(), p.display().to_string()]);
        }
    }
    for f in &input.study.indicators.fca {
        sources.push(vec![
            format!("indicator {}", f.name),
            format!("{} on {}", f.method, f.category),
        ]);
    }
    r.table(
        "Inputs and methods (full detail in manifest.json)",
        &["what", "value"],
        &sources,
    )?;
    r.write(path)?;
    Ok(())
}
