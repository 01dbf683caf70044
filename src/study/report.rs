//! The study's HTML report (`report.html`, self-contained, [`crate::export::report`]):
//! choropleth maps of the headline indicators per territorial level (time to the nearest
//! site of each category, floating-catchment indicators, ICC), the QPV gap table, the
//! worst-served units, what was rejected or not reached, and the sources and parameters;
//! with a `[zonage]` section, a categorical map of each zonage scheme and its class totals;
//! for each what-if scenario, its headline figures, the before and after maps side by side
//! with the same classes, the map of the difference (classes centred on 0) and the units
//! whose zonage class changes.

use super::config::Study;
use super::zonage::{change_totals, ClassChange, LevelZonage, SchemeClasses, NO_VALUE};
use crate::aggregate::Polarity;
use crate::export::columns::{Column, Format};
use crate::export::report::classes::{ordered_palette, zonage_2017_colour, Breaks};
use crate::export::report::{CategoricalMapSpec, MapPoints, MapSpec, Report};
use crate::inputs::territory::UnitLayer;
use crate::support::rejects::Rejects;
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
    /// The zonage of the study's `[zonage]` level, when computed.
    pub zonage: Option<ZonageReport<'a>>,
    /// The what-if scenarios, in the order shown.
    pub scenarios: &'a [ScenarioReport<'a>],
    /// Supply suggestions: each one's lines as printed ([`super::suggest::SuggestOutcome`]).
    pub suggestions: &'a [Vec<String>],
}

/// The zonage shown in the report.
pub struct ZonageReport<'a> {
    /// The level classified.
    pub layer: &'a UnitLayer,
    /// Its classes per scheme and their totals.
    pub zonage: &'a LevelZonage,
}

/// One what-if scenario shown in the report.
pub struct ScenarioReport<'a> {
    /// Scenario name.
    pub name: &'a str,
    /// What it changes, in words.
    pub description: &'a str,
    /// The level mapped (commune, TVS…).
    pub layer: &'a UnitLayer,
    /// The indicator mapped, e.g. `gp_e2sfca_30_mean` or `apl`.
    pub indicator: &'a str,
    /// Unit of the indicator, for the legends (`minutes` gets the fixed minute classes).
    pub unit: &'a str,
    /// Whether higher values of the indicator are better.
    pub polarity: Polarity,
    /// Decimals of the values shown; the difference map's "no change" class is ± half a
    /// unit of the last decimal.
    pub decimals: usize,
    /// Baseline value per unit of `layer`.
    pub before: &'a [Option<f64>],
    /// Scenario value per unit of `layer`.
    pub after: &'a [Option<f64>],
    /// Headline figures, already formatted, each `[what, value]`: edits applied, sites
    /// removed or added, origins recomputed, time, population-weighted means before and
    /// after…
    pub headline_rows: &'a [Vec<String>],
    /// Units whose zonage class changes ([`super::zonage::class_changes`]).
    pub class_changes: &'a [ClassChange],
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
        // Densities of the nearest-site categories and outside indicators (`published`).
        let study = input.study;
        let mapped = columns.iter().filter(|c| {
            study.indicators.external.iter().any(|e| e.name == c.name)
                || study
                    .indicators
                    .nearest
                    .iter()
                    .any(|n| c.name == format!("{n}_density"))
        });
        for c in mapped {
            if let Some(values) = c.numbers() {
                let title = format!("{} per {}", c.name, layer.kind);
                let external = study.indicators.external.iter().find(|e| e.name == c.name);
                let unit = match external {
                    None => format!("per {} inhabitants", study.densities.per),
                    Some(_) => "as published".to_string(),
                };
                let polarity = match external {
                    Some(e) if e.lower_is_better => Polarity::LowerIsBetter,
                    _ => Polarity::HigherIsBetter,
                };
                r.map(&MapSpec {
                    title: &title,
                    unit: &unit,
                    layer,
                    values,
                    breaks: Breaks::Quantile(5),
                    polarity,
                    decimals: 1,
                    points: None,
                })?;
            }
        }
        if let Some(h) = input.headlines.first() {
            if let Some(values) = column(columns, &format!("{}_mean", h.name)) {
                let barely = column(columns, super::coverage::FLAG);
                let is_barely = |u: usize| barely.is_some_and(|b| b[u] == Some(1.0));
                let left_out = (0..layer.units.len()).filter(|&u| is_barely(u)).count();
                let mut order: Vec<usize> = (0..layer.units.len())
                    .filter(|&u| values[u].is_some() && !is_barely(u))
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
                let note = if left_out > 0 {
                    format!("; {left_out} barely covered units left out")
                } else {
                    String::new()
                };
                r.table(
                    &format!("Worst-served {} units: {} (mean{note})", layer.kind, h.name),
                    &["code", "name", "mean"],
                    &rows,
                )?;
            }
        }
    }
    if let Some(z) = &input.zonage {
        zonage_section(&mut r, z)?;
    }
    for sc in input.scenarios {
        scenario_section(&mut r, sc)?;
    }
    if !input.suggestions.is_empty() {
        r.heading("Where to add supply (greedy suggestions)");
        for lines in input.suggestions {
            let rows: Vec<Vec<String>> = lines.iter().map(|l| vec![l.clone()]).collect();
            r.table(
                "Picks in order, with the marginal gain of each",
                &["suggestion"],
                &rows,
            )?;
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

/// Legend of a scheme's classes: the 2017 colours, or ranked colours then the rest.
fn legend(s: &SchemeClasses) -> anyhow::Result<Vec<(String, &'static str)>> {
    let names = s.class_names();
    let colours: Vec<&'static str> = if s.scheme == "rule_2017" {
        names
            .iter()
            .map(|n| {
                zonage_2017_colour(n)
                    .ok_or_else(|| anyhow::anyhow!("rule_2017: no colour for class {n:?}"))
            })
            .collect::<anyhow::Result<_>>()?
    } else {
        ordered_palette(names.len().saturating_sub(1))
            .map_err(|e| anyhow::anyhow!("zonage {}: {e}", s.scheme))?
    };
    Ok(names.into_iter().zip(colours).collect())
}

/// A population, no decimal.
fn inhabitants(x: f64) -> String {
    Format::Fixed(0).write(x)
}

/// The zonage section: a categorical map per scheme and the class totals.
fn zonage_section(r: &mut Report, z: &ZonageReport) -> anyhow::Result<()> {
    let level = &z.zonage.level;
    r.heading(&format!("Zonage per {level}"));
    r.paragraph(
        "Classes of each zonage scheme of the study (zonage_{level}.csv); quotas are shares \
         of the population of the units classified; a unit without a value a scheme needs \
         is left out of it (no data), never given a class.",
    );
    let mut rows = Vec::new();
    for s in &z.zonage.schemes {
        let legend = legend(s)?;
        let title = format!("{} per {level}", s.column());
        r.categorical_map(&CategoricalMapSpec {
            title: &title,
            unit: "class",
            layer: z.layer,
            classes: &s.labels(),
            legend: &legend,
        })?;
        let total: f64 = s.summary.classes.iter().map(|c| c.population).sum::<f64>() + s.left_out.1;
        let share = |p: f64| {
            if total > 0.0 {
                format!("{:.1} %", 100.0 * p / total)
            } else {
                String::new()
            }
        };
        rows.extend(s.summary_rows(&inhabitants, &share));
    }
    r.table(
        &format!("Zonage classes per {level}: units and population"),
        &[
            "scheme",
            "class",
            "units",
            "population",
            "share of population",
        ],
        &rows,
    )?;
    Ok(())
}

/// One scenario: headline figures, before/after maps with shared classes, the difference
/// map and the zonage class changes.
fn scenario_section(r: &mut Report, sc: &ScenarioReport) -> anyhow::Result<()> {
    r.heading(&format!("Scenario: {}", sc.name));
    r.paragraph(sc.description);
    r.table(
        &format!("Scenario {}: what changed", sc.name),
        &["what", "value"],
        sc.headline_rows,
    )?;
    let breaks = if sc.unit == "minutes" {
        Breaks::Fixed(MINUTE_BREAKS.to_vec())
    } else {
        Breaks::Quantile(5)
    };
    let level = &sc.layer.kind;
    let before_title = format!("{} per {level} — baseline", sc.indicator);
    let after_title = format!("{} per {level} — {}", sc.indicator, sc.name);
    let before = MapSpec {
        title: &before_title,
        unit: sc.unit,
        layer: sc.layer,
        values: sc.before,
        breaks,
        polarity: sc.polarity,
        decimals: sc.decimals,
        points: None,
    };
    let after = MapSpec {
        title: &after_title,
        values: sc.after,
        ..before.clone()
    };
    // Both have one value per unit of the layer (checked by map_pair).
    r.map_pair(&before, &after)?;
    let delta: Vec<Option<f64>> = sc
        .before
        .iter()
        .zip(sc.after)
        .map(|(b, a)| Some((*a)? - (*b)?))
        .collect();
    let delta_title = format!("{} per {level}: {} − baseline", sc.indicator, sc.name);
    let delta_unit = format!("change, {}", sc.unit);
    r.map(&MapSpec {
        title: &delta_title,
        unit: &delta_unit,
        layer: sc.layer,
        values: &delta,
        breaks: Breaks::Diverging {
            per_side: 3,
            epsilon: 0.5 / 10f64.powi(sc.decimals.min(15) as i32),
        },
        polarity: sc.polarity,
        decimals: sc.decimals,
        points: None,
    })?;
    if sc.class_changes.is_empty() {
        r.paragraph("No unit changes zonage class in this scenario.");
        return Ok(());
    }
    let class = |c: &Option<String>| c.clone().unwrap_or_else(|| NO_VALUE.to_string());
    let totals: Vec<Vec<String>> = change_totals(sc.class_changes)
        .into_iter()
        .map(|t| {
            let change = match &t.pair {
                None => "any change".to_string(),
                Some((b, a)) => format!("{} → {}", class(b), class(a)),
            };
            vec![
                t.scheme,
                change,
                t.units.to_string(),
                inhabitants(t.population),
            ]
        })
        .collect();
    r.table(
        &format!(
            "Scenario {}: population whose zonage class changes",
            sc.name
        ),
        &["scheme", "change", "units", "population"],
        &totals,
    )?;
    let rows: Vec<Vec<String>> = sc
        .class_changes
        .iter()
        .map(|c| {
            vec![
                c.scheme.clone(),
                c.code.clone(),
                c.name.clone(),
                class(&c.before),
                class(&c.after),
                inhabitants(c.population),
            ]
        })
        .collect();
    r.table(
        &format!("Scenario {}: units whose zonage class changes", sc.name),
        &["scheme", "code", "name", "before", "after", "population"],
        &rows,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::zonage::{Rule2017, ZonageConfig};
    use crate::inputs::territory::Unit;
    use crate::study::zonage::{classify_level, ZonageSection};
    use crate::support::rejects::Rejects;
    use geo::{polygon, MultiPolygon};

    /// Two TVS side by side.
    fn layer() -> UnitLayer {
        let unit = |i: u8| {
            let x0 = 2.0 + 0.1 * f64::from(i);
            Unit {
                kind: "tvs".into(),
                code: format!("T{}", i + 1),
                name: format!("TVS {}", i + 1),
                geometry: MultiPolygon(vec![polygon![
                    (x: x0, y: 48.0), (x: x0 + 0.1, y: 48.0), (x: x0 + 0.1, y: 48.1),
                    (x: x0, y: 48.1), (x: x0, y: 48.0)
                ]]),
                population: None,
            }
        };
        UnitLayer {
            kind: "tvs".into(),
            units: vec![unit(0), unit(1)],
            repaired: vec![],
        }
    }

    /// The HTML of the figure whose caption starts with `caption`.
    fn figure<'a>(html: &'a str, caption: &str) -> &'a str {
        let start = html
            .find(&format!("<figcaption>{caption}"))
            .unwrap_or_else(|| panic!("no figure {caption:?}"));
        let end = start + html[start..].find("</figure>").unwrap();
        &html[start..end]
    }

    #[test]
    fn zonage_and_scenario_sections_draw_each_unit_in_its_class_colour() {
        let study = Study::parse(
            "[network]\ngraph = \"g.bin\"\n[population]\nkind = \"filosofi\"\npath = \"c.csv\"\n",
        )
        .unwrap();
        let l = layer();
        let section = ZonageSection {
            level: "tvs".into(),
            criteria: None,
            settings: ZonageConfig {
                rule_2017: Some(Rule2017::default()),
                ..ZonageConfig::default()
            },
        };
        let columns = vec![Column {
            name: "apl".into(),
            values: crate::export::columns::Values::Number(vec![Some(2.0), None], Format::Fixed(4)),
        }];
        let mut rejects = Rejects::default();
        let zonage =
            classify_level(&section, &l, &[100.0, 30.0], &columns, None, &mut rejects).unwrap();
        let changes = vec![ClassChange {
            code: "T2".into(),
            name: "TVS 2".into(),
            scheme: "rule_2017".into(),
            before: Some("vigilance".into()),
            after: Some("zip-b".into()),
            population: 30.0,
        }];
        let headline = vec![vec!["GPs removed".to_string(), "3".to_string()]];
        let scenarios = [ScenarioReport {
            name: "s1",
            description: "A maison de santé opens in T2.",
            layer: &l,
            indicator: "apl",
            unit: "APL",
            polarity: Polarity::HigherIsBetter,
            decimals: 2,
            before: &[Some(1.0), Some(2.0)],
            after: &[Some(1.0), Some(3.0)],
            headline_rows: &headline,
            class_changes: &changes,
        }];
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("report.html");
        write_report(
            &p,
            &ReportInput {
                study: &study,
                levels: &[],
                headlines: &[],
                sites_of: &|_| Vec::new(),
                qpv_gaps: &[],
                rejects: &rejects,
                summary: "s",
                zonage: Some(ZonageReport {
                    layer: &l,
                    zonage: &zonage,
                }),
                scenarios: &scenarios,
                suggestions: &[],
            },
        )
        .unwrap();
        let h = std::fs::read_to_string(&p).unwrap();
        // Zonage: T1 (APL 2) ZIP A, T2 without APL: no data.
        let z = figure(&h, "zonage_rule_2017 per tvs");
        assert_eq!(z.matches("<path ").count(), 2);
        assert!(
            z.contains("fill=\"#a50f15\"><title>TVS 1 (T1): zip-a</title>"),
            "{z}"
        );
        assert!(
            z.contains("fill=\"#bdbdbd\"><title>TVS 2 (T2): no data</title>"),
            "{z}"
        );
        assert!(h.contains("<td>rule_2017</td><td>(no value)</td><td class=\"num\">1</td><td class=\"num\">30</td>"));
        // Before/after: quintiles of 1, 2, 1, 3 together cut at 1 and 2; higher is better,
        // so the lowest class is red: T1 red on both, T2 orange before, light after.
        let before = figure(&h, "apl per tvs — baseline");
        let after = figure(&h, "apl per tvs — s1");
        for f in [before, after] {
            assert_eq!(f.matches("<path ").count(), 2);
            assert!(
                f.contains("fill=\"#f03b20\"><title>TVS 1 (T1): 1.00 APL</title>"),
                "{f}"
            );
        }
        assert!(before.contains("fill=\"#feb24c\"><title>TVS 2 (T2): 2.00 APL</title>"));
        assert!(after.contains("fill=\"#ffeda0\"><title>TVS 2 (T2): 3.00 APL</title>"));
        // Difference: T1 0 (no change, white), T2 +1, the largest rise: dark blue.
        let d = figure(&h, "apl per tvs: s1 − baseline");
        assert_eq!(d.matches("<path ").count(), 2);
        assert!(
            d.contains("fill=\"#f7f7f7\"><title>TVS 1 (T1): 0.00 change, APL</title>"),
            "{d}"
        );
        assert!(
            d.contains("fill=\"#2166ac\"><title>TVS 2 (T2): 1.00 change, APL</title>"),
            "{d}"
        );
        assert!(d.contains("±0.005 <span"), "{d}");
        assert!(h.contains("<td>rule_2017</td><td>any change</td><td class=\"num\">1</td><td class=\"num\">30</td>"));
        assert!(h.contains("<td>vigilance → zip-b</td>"));
        assert!(h.contains("<td>GPs removed</td><td class=\"num\">3</td>"));
    }
}
