//! The study's HTML report (`report.html`, self-contained, [`crate::export::report`]), in
//! French unless the study asks for English (`[output] lang = "en"`):
//!
//! 1. the key findings, plain sentences generated from the numbers ([`super::findings`]):
//!    who lives far from each kind of care, each QPV beside the rest of its communes, the
//!    farthest inhabited cells, the lowest accessibility, what each scenario changes and
//!    what was left out;
//! 2. maps per cell ([`crate::export::report::cells`]) of each headline indicator over the
//!    roads of the graph, under the commune and QPV outlines, with the sources' credits, and
//!    the worst-served cells;
//! 3. choropleth maps per territorial level (time to the nearest site of each category,
//!    floating-catchment indicators, ICC), the worst-served units;
//! 4. with a `[zonage]` section, a categorical map of each zonage scheme and its totals; for
//!    each what-if scenario, its headline figures, the before and after maps with the same
//!    classes (toggled), the map of the difference and the units whose class changes;
//! 5. the QPV gap table, what was rejected, the sources and parameters.
//!
//! Values are shown in the unit a planner reads: times in minutes (classes fitted to the
//! spread, [`minute_cuts`]), 2SFCA/E2SFCA ratios per 10 000 inhabitants (the ratio is
//! capacity per inhabitant), the APL in consultations a year per standardised inhabitant.

use super::config::Study;
use super::findings::{self, People};
use super::zonage::{change_totals, ClassChange, LevelZonage, SchemeClasses, NO_VALUE};
use crate::aggregate::Polarity;
use crate::export::columns::{Column, Format};
use crate::export::report::cells::{Backdrop, CellLayer, CellMapSpec, Road};
use crate::export::report::classes::{minute_cuts, ordered_palette, zonage_2017_colour, Breaks};
use crate::export::report::lang::Lang;
use crate::export::report::{CategoricalMapSpec, MapPoints, MapSpec, Report};
use crate::inputs::territory::UnitLayer;
use crate::support::rejects::Rejects;
use std::path::Path;

/// One indicator mapped per unit and per cell.
pub struct Headline<'a> {
    /// Indicator name (`gp_minutes`, `apl`…).
    pub name: &'a str,
    /// Whether higher values are better (accessibility) or worse (times).
    pub polarity: Polarity,
    /// Value per origin, in the order of the cells.
    pub values: &'a [Option<f64>],
}

/// The origins as drawn on the cell maps.
pub struct CellsInput<'a> {
    /// Positions, identifiers, inhabitants and places of the cells.
    pub layer: CellLayer<'a>,
    /// Roads, outlines and credits.
    pub backdrop: Backdrop<'a>,
    /// Where each origin lies, for the findings.
    pub people: People<'a>,
}

/// What the report shows.
pub struct ReportInput<'a> {
    /// The study.
    pub study: &'a Study,
    /// The territorial levels, with their per-unit summary columns.
    pub levels: &'a [(UnitLayer, Vec<Column>)],
    /// The indicators to map.
    pub headlines: &'a [Headline<'a>],
    /// The cells (origins) and their backdrop, for the cell maps and the findings.
    pub cells: Option<CellsInput<'a>>,
    /// Sites to draw on the maps of the nearest-site times, per category: `(lon, lat)`.
    pub sites_of: &'a dyn Fn(&str) -> Vec<(f64, f64)>,
    /// QPV gap rows (already formatted: QPV, commune(s), QPV mean, rest mean, gap).
    pub qpv_gaps: &'a [Vec<String>],
    /// Everything left out.
    pub rejects: &'a Rejects,
    /// The run summary.
    pub summary: &'a super::run::RunSummary,
    /// The zonage of the study's `[zonage]` level, when computed.
    pub zonage: Option<ZonageReport<'a>>,
    /// The what-if scenarios, in the order shown.
    pub scenarios: &'a [ScenarioReport<'a>],
    /// The years compared (`[[snapshot]]`), each later snapshot against the first.
    pub snapshots: &'a [SnapshotReport<'a>],
    /// Supply suggestions, in the study's order.
    pub suggestions: &'a [super::suggest::SuggestOutcome],
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

/// Two snapshots compared in the report: the first one's map, the later one's and the map
/// of the change, drawn as a scenario's (the first snapshot as "before").
pub struct SnapshotReport<'a> {
    /// Name of the first snapshot.
    pub from: &'a str,
    /// Name of the later snapshot.
    pub to: &'a str,
    /// The maps and headline figures (no zonage class changes).
    pub maps: ScenarioReport<'a>,
}

/// The report's view of the snapshots' changes ([`super::snapshots::Change`]): the unit
/// `minutes` for a time, else the column's name; as many decimals as three significant
/// digits of the largest value need.
pub(crate) fn snapshot_reports<'a>(
    changes: &'a [super::snapshots::Change],
    levels: &'a [UnitLayer],
) -> Vec<SnapshotReport<'a>> {
    changes
        .iter()
        .map(|c| {
            let largest = c
                .before
                .iter()
                .chain(&c.after)
                .flatten()
                .fold(0.0f64, |m, x| m.max(x.abs()));
            let decimals = if largest > 0.0 {
                (2.0 - largest.log10().floor()).clamp(0.0, 8.0) as usize
            } else {
                2
            };
            SnapshotReport {
                from: &c.from,
                to: &c.to,
                maps: ScenarioReport {
                    name: &c.to,
                    description: "",
                    layer: &levels[c.level],
                    indicator: &c.indicator,
                    unit: if c.indicator.contains("_minutes") {
                        "minutes"
                    } else {
                        &c.indicator
                    },
                    polarity: c.polarity,
                    decimals,
                    before: &c.before,
                    after: &c.after,
                    headline_rows: &c.rows,
                    class_changes: &[],
                },
            }
        })
        .collect()
}

/// Values of the per-unit column `name` of a level.
fn column<'a>(columns: &'a [Column], name: &str) -> Option<&'a [Option<f64>]> {
    columns.iter().find(|c| c.name == name)?.numbers()
}

/// A care category in words, French and English, and whether the French noun is
/// feminine (for its articles); other categories as given, masculine.
fn care_words(category: &str) -> (&str, &str, bool) {
    match category {
        "gp" => ("médecin généraliste", "GP", false),
        "pharmacist" | "pharmacy" => ("pharmacie", "pharmacy", true),
        "radiology" => ("radiologue", "radiologist", false),
        "gastroenterology" => ("gastro-entérologue", "gastroenterologist", false),
        "dentist" => ("dentiste", "dentist", false),
        "midwife" => ("sage-femme", "midwife", true),
        "maternity" => ("maternité", "maternity", true),
        "emergency" => ("service d'urgences", "emergency department", false),
        "ophthalmology" => ("ophtalmologue", "ophthalmologist", false),
        "paediatrics" | "pediatrics" => ("pédiatre", "paediatrician", false),
        "Santé" | "sante" => ("lieu de santé public", "public health facility", false),
        other => (other, other, false),
    }
}

/// A care category in words (`gp` → `médecin généraliste`); other categories as given.
pub(crate) fn care_name(category: &str, lang: Lang) -> String {
    let (fr, en, _) = care_words(category);
    lang.pick(fr, en).to_string()
}

/// A care category with its indefinite article: `un médecin généraliste`, `une
/// pharmacie`; `a GP`, `an ophthalmologist`.
pub(crate) fn care_indefinite(category: &str, lang: Lang) -> String {
    let (fr, en, feminine) = care_words(category);
    match lang {
        Lang::Fr if feminine => format!("une {fr}"),
        Lang::Fr => format!("un {fr}"),
        Lang::En if en.starts_with(['a', 'e', 'i', 'o', 'u']) => format!("an {en}"),
        Lang::En => format!("a {en}"),
    }
}

/// "To the nearest" site of a category, to follow `jusqu'` in French: `au médecin
/// généraliste le plus proche`, `à la pharmacie la plus proche`; `to the nearest GP`.
///
/// A category suffixed with a rank (`gp_3rd`, the k-th nearest site's indicator) reads
/// `au 3e médecin généraliste le plus proche`, `to the 3rd nearest GP`.
pub(crate) fn care_nearest(category: &str, lang: Lang) -> String {
    let (base, rank) = match category.rsplit_once('_') {
        Some((b, r)) if rank_of(r).is_some() => (b, rank_of(r)),
        _ => (category, None),
    };
    let (fr, en, feminine) = care_words(base);
    let (fr_rank, en_rank) = match rank {
        Some(k) => (
            format!("{k}e "),
            format!("{r} ", r = &category[base.len() + 1..]),
        ),
        None => (String::new(), String::new()),
    };
    match lang {
        Lang::Fr if feminine => format!("à la {fr_rank}{fr} la plus proche"),
        Lang::Fr => format!("au {fr_rank}{fr} le plus proche"),
        Lang::En => format!("to the {en_rank}nearest {en}"),
    }
}

/// The rank an English ordinal suffix names (`2nd` → 2, `3rd` → 3, `4th` → 4).
fn rank_of(ordinal: &str) -> Option<u32> {
    let digits = ordinal.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &ordinal[digits.len()..];
    matches!(suffix, "st" | "nd" | "rd" | "th")
        .then(|| digits.parse().ok())
        .flatten()
}

/// How an indicator is shown: its title, unit, the factor applied to its values, decimals
/// and class breaks.
struct Display {
    /// What the map shows, in words.
    title: String,
    /// Unit of the shown values.
    unit: String,
    /// Factor applied to the values before they are shown.
    factor: f64,
    /// Decimals of the shown values.
    decimals: usize,
    /// Whether the classes are the minute ladder (else quantiles).
    minutes: bool,
}

/// The display of indicator `name` of `study`.
fn display(study: &Study, name: &str, lang: Lang) -> Display {
    if let Some(category) = name.strip_suffix("_minutes") {
        return Display {
            title: match lang {
                Lang::Fr => format!("Temps en voiture jusqu'{}", care_nearest(category, lang)),
                Lang::En => format!("Car time {}", care_nearest(category, lang)),
            },
            unit: "minutes".into(),
            factor: 1.0,
            decimals: 1,
            minutes: true,
        };
    }
    if let Some(f) = study.indicators.fca.iter().find(|f| f.name == name) {
        let care = care_name(&f.category, lang);
        if f.method == "apl" {
            return Display {
                title: format!("APL — {care}"),
                unit: lang
                    .pick(
                        "consultations par an par habitant standardisé",
                        "consultations a year per standardised inhabitant",
                    )
                    .into(),
                factor: 1.0,
                decimals: 2,
                minutes: false,
            };
        }
        return Display {
            title: format!(
                "{} ({}) — {care}",
                lang.pick("Accessibilité potentielle", "Potential accessibility"),
                f.method.to_uppercase()
            ),
            unit: lang
                .pick("pour 10 000 habitants", "per 10,000 inhabitants")
                .into(),
            factor: 10_000.0,
            decimals: 2,
            minutes: false,
        };
    }
    Display {
        title: name.to_string(),
        unit: String::new(),
        factor: 1.0,
        decimals: 2,
        minutes: name.contains("minutes"),
    }
}

/// An indicator or per-unit column in words for the report (`gp_minutes` → `Temps en
/// voiture jusqu'au médecin généraliste le plus proche`; `{name}_mean` as `name`); names
/// the study does not describe as given.
pub(crate) fn indicator_title(study: &Study, name: &str, lang: Lang) -> String {
    display(study, name.strip_suffix("_mean").unwrap_or(name), lang).title
}

/// `values` times `factor`.
fn scaled(values: &[Option<f64>], factor: f64) -> Vec<Option<f64>> {
    values.iter().map(|v| v.map(|x| x * factor)).collect()
}

/// The breaks of a display over `values` (already scaled).
fn breaks_of(d: &Display, values: &[Option<f64>]) -> Breaks {
    if d.minutes {
        Breaks::Fixed(minute_cuts(values))
    } else {
        Breaks::Quantile(5)
    }
}

/// Credits of every source the study read, with the dates its file names carry.
pub fn credits(study: &Study, lang: Lang) -> Vec<String> {
    let file = |p: &Path| {
        p.file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let n = &study.network;
    for p in [&n.osm, &n.lines].into_iter().flatten() {
        out.push(format!(
            "{} ({})",
            lang.pick(
                "© les contributeurs d'OpenStreetMap, ODbL",
                "© OpenStreetMap contributors, ODbL"
            ),
            file(p)
        ));
    }
    if let Some(p) = &n.graph {
        out.push(format!(
            "{} ({})",
            lang.pick("réseau routier", "road network"),
            file(p)
        ));
    }
    let pop = study.population.path();
    out.push(match &study.population {
        super::config::PopulationInput::Filosofi { .. } => {
            format!(
                "INSEE, Filosofi {} ({})",
                lang.pick("carroyé 200 m", "200 m grid"),
                file(pop)
            )
        }
        _ => format!("{} ({})", lang.pick("population", "population"), file(pop)),
    });
    for t in &study.territories {
        let who = match t.kind.as_str() {
            "commune" => "IGN, ADMIN EXPRESS",
            "iris" => "INSEE / IGN, Contours IRIS",
            "qpv" => "ANCT, QPV",
            "cpts" => "CPTS",
            other => other,
        };
        let from = t
            .path
            .as_deref()
            .or(t.members.as_deref())
            .map(file)
            .unwrap_or_default();
        out.push(format!("{who} ({from})"));
    }
    for s in &study.supply {
        let who = match s {
            super::config::SupplyInput::Annuaire { .. } => "ANS, Annuaire Santé",
            super::config::SupplyInput::Finess { .. } => "DREES, FINESS",
            super::config::SupplyInput::Points { .. } => lang.pick("offre de soins", "supply"),
        };
        if let Some(p) = s.paths().first() {
            out.push(format!("{who} ({})", file(p)));
        }
    }
    out
}

/// Largest number of road pieces drawn on a cell map: beyond, minor then local roads are
/// left out.
const MAX_ROADS: usize = 60_000;

/// The rank of a road class on the backdrop: 0 main (motorway to secondary), 1 local
/// (tertiary, unclassified, residential, living street), 2 minor.
fn road_rank(class: &str) -> u8 {
    let base = class.trim_end_matches("_link");
    match base {
        "motorway" | "trunk" | "primary" | "secondary" => 0,
        "tertiary" | "unclassified" | "residential" | "living_street" => 1,
        _ => 2,
    }
}

/// The routable roads of `graph` within the box of `points` (plus 5 %), as backdrop roads,
/// in the graph's order; the minor then the local ones dropped when more than
/// [`MAX_ROADS`].
pub fn backdrop_roads(graph: &crate::network::graph::Graph, points: &[(f64, f64)]) -> Vec<Road> {
    let finite = points
        .iter()
        .filter(|(x, y)| x.is_finite() && y.is_finite());
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in finite {
        x0 = x0.min(*x);
        y0 = y0.min(*y);
        x1 = x1.max(*x);
        y1 = y1.max(*y);
    }
    if x0 > x1 {
        return vec![];
    }
    let (mx, my) = ((x1 - x0) * 0.05 + 0.002, (y1 - y0) * 0.05 + 0.002);
    let p = &graph.pieces;
    let mut roads: Vec<Road> = (0..p.len())
        .filter(|&i| p.is_routable(i))
        .filter_map(|i| {
            let coords: Vec<(f64, f64)> = p
                .polyline(i)
                .iter()
                .map(|c| (f64::from(c[0]) * 1e-7, f64::from(c[1]) * 1e-7))
                .collect();
            coords
                .iter()
                .any(|(x, y)| *x >= x0 - mx && *x <= x1 + mx && *y >= y0 - my && *y <= y1 + my)
                .then(|| Road {
                    rank: graph
                        .class_names
                        .get(usize::from(p.class[i]))
                        .map_or(2, |c| road_rank(c)),
                    coords,
                })
        })
        .collect();
    for drop in [2u8, 1] {
        if roads.len() > MAX_ROADS {
            roads.retain(|r| r.rank < drop);
        }
    }
    roads
}

/// Writes the report to `path`.
pub fn write_report(path: &Path, input: &ReportInput) -> anyhow::Result<()> {
    let lang = input.study.output.lang;
    let mut r = Report::new(&input.study.name, lang);
    r.findings(
        lang.pick("L'essentiel", "Key findings"),
        &key_findings(input, lang),
    );
    r.paragraph(lang.pick(
        "Accès aux soins calculé par recours sur le réseau routier : temps jusqu'au plus proche site de chaque catégorie et accessibilité par aires flottantes, par carreau puis résumés par territoire (moyennes pondérées par la population). Les cartes sont tracées par le moteur ; chaque chiffre vient des fichiers CSV et GeoJSON à côté de ce fichier.",
        "Access to care computed by recours on the road network: times to the nearest site of each category and floating-catchment accessibility, per cell then summarised per territory (population-weighted means). Maps are drawn by the engine; every figure comes from the CSV and GeoJSON layers beside this file.",
    ));
    if let Some(c) = &input.cells {
        cell_section(&mut r, input, c, lang)?;
    }
    for (layer, columns) in input.levels {
        if layer.kind == "qpv" {
            continue;
        }
        r.heading(&format!("{} {}", lang.pick("Par", "Per"), layer.kind));
        headline_maps(&mut r, input, layer, columns, lang)?;
        icc_maps(&mut r, layer, columns, lang)?;
        published_maps(&mut r, input.study, layer, columns, lang)?;
        worst_served(&mut r, input, layer, columns, lang)?;
    }
    if let Some(z) = &input.zonage {
        zonage_section(&mut r, z, lang)?;
    }
    for sc in input.scenarios {
        scenario_section(&mut r, sc, lang)?;
    }
    for sn in input.snapshots {
        snapshot_section(&mut r, sn, lang)?;
    }
    if !input.suggestions.is_empty() {
        r.heading(lang.pick(
            "Où ajouter de l'offre (suggestions gloutonnes)",
            "Where to add supply (greedy suggestions)",
        ));
        for s in input.suggestions {
            suggestion_section(&mut r, s, lang)?;
        }
    }
    qpv_section(&mut r, input.qpv_gaps, lang)?;
    closing_sections(&mut r, input, lang)?;
    r.write(path)?;
    Ok(())
}

/// One supply suggestion: its method and baseline in a paragraph, then its picks in
/// order with the marginal gain of each (inhabitants to the tenth, small access sums to
/// four decimals).
fn suggestion_section(
    r: &mut Report,
    s: &super::suggest::SuggestOutcome,
    lang: Lang,
) -> anyhow::Result<()> {
    let n = |x: f64| {
        if x.abs() >= 100.0 {
            lang.count(x)
        } else if s.unit.en == "inhabitants" {
            lang.number(x, 1)
        } else {
            lang.number(x, 4)
        }
    };
    let pct = |x: f64| {
        if s.ceiling > 0.0 {
            format!("{} %", lang.number(100.0 * x / s.ceiling, 1))
        } else {
            String::new()
        }
    };
    let unit = s.unit.pick(lang);
    r.paragraph(&match lang {
        Lang::Fr => format!(
            "« {} » : {} ; choix glouton avec évaluation paresseuse parmi {} sites candidats (une approximation à (1 − 1/e) près, pas un optimum). Aujourd'hui : {} {unit} ({}) ; au mieux : {} {unit}.{}",
            s.name,
            s.measure.pick(lang),
            s.candidates,
            n(s.baseline),
            pct(s.baseline),
            n(s.ceiling),
            if s.exhausted {
                " Arrêt avant le budget : plus aucun candidat n'apporte de gain."
            } else {
                ""
            }
        ),
        Lang::En => format!(
            "\"{}\": {}; greedy choice with lazy evaluation among {} candidate sites (a (1 − 1/e) approximation, not an optimum). Today: {} {unit} ({}); at best: {} {unit}.{}",
            s.name,
            s.measure.pick(lang),
            s.candidates,
            n(s.baseline),
            pct(s.baseline),
            n(s.ceiling),
            if s.exhausted {
                " Stopped before the budget: no candidate left with a positive gain."
            } else {
                ""
            }
        ),
    });
    let rows: Vec<Vec<String>> = s
        .picks
        .iter()
        .enumerate()
        .map(|(k, p)| {
            vec![
                (k + 1).to_string(),
                p.id.clone(),
                format!("{:.5}, {:.5}", p.lat, p.lon),
                n(p.gain),
                n(p.objective),
                pct(p.objective),
            ]
        })
        .collect();
    r.table(
        lang.pick(
            "Choix dans l'ordre, avec le gain marginal de chacun",
            "Picks in order, with the marginal gain of each",
        ),
        &[
            lang.pick("rang", "rank"),
            lang.pick("candidat", "candidate"),
            "latitude, longitude",
            lang.pick("gain", "gain"),
            lang.pick("objectif après ce choix", "objective after this pick"),
            lang.pick("part du maximum", "share of the maximum"),
        ],
        &rows,
    )?;
    Ok(())
}

/// The run summary as `[what, value]` rows in the report's language (`summary.txt` is
/// its English text).
fn summary_rows(study: &Study, s: &super::run::RunSummary, lang: Lang) -> Vec<Vec<String>> {
    let pairs = |v: &[(String, usize)]| {
        v.iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut rows = vec![
        vec![lang.pick("étude", "study").to_string(), s.name.clone()],
        vec![
            lang.pick("réseau", "network").to_string(),
            format!(
                "{} {}, {} {}",
                lang.count(s.graph.0 as f64),
                lang.pick("nœuds", "nodes"),
                lang.count(s.graph.1 as f64),
                lang.pick("arcs orientés", "directed edges")
            ),
        ],
        vec![
            "population".to_string(),
            format!(
                "{} {}, {} {} ; {} {}",
                lang.count(s.origins.0 as f64),
                lang.pick("origines", "origins"),
                lang.count(s.origins.1),
                lang.pick("habitants", "inhabitants"),
                lang.pick("non raccordées au réseau :", "not snapped:"),
                s.unsnapped.0
            ),
        ],
        vec![
            lang.pick("sites", "sites").to_string(),
            format!(
                "{} ; {} {}",
                pairs(&s.sites),
                lang.pick("non raccordés au réseau :", "not snapped:"),
                s.unsnapped.1
            ),
        ],
        vec![
            lang.pick("territoires", "territories").to_string(),
            pairs(&s.levels),
        ],
    ];
    for (name, mean) in &s.means {
        rows.push(vec![
            format!(
                "{}{}",
                indicator_title(study, name, lang),
                lang.pick(
                    " (moyenne pondérée par la population)",
                    " (population-weighted mean)"
                )
            ),
            mean.map_or_else(
                || lang.pick("sans valeur", "no value").to_string(),
                |m| lang.figure(m),
            ),
        ]);
    }
    rows.push(vec![
        lang.pick("écartés", "left out").to_string(),
        format!(
            "{} ({})",
            lang.count(s.rejected as f64),
            lang.pick("voir rejects.csv", "see rejects.csv")
        ),
    ]);
    rows
}

/// Per headline indicator, the map of its population-weighted mean per unit of `layer`.
fn headline_maps(
    r: &mut Report,
    input: &ReportInput,
    layer: &UnitLayer,
    columns: &[Column],
    lang: Lang,
) -> anyhow::Result<()> {
    for h in input.headlines {
        let Some(values) = column(columns, &format!("{}_mean", h.name)) else {
            continue;
        };
        let d = display(input.study, h.name, lang);
        let category = h.name.split('_').next().unwrap_or("");
        let sites = if d.minutes {
            (input.sites_of)(category)
        } else {
            Vec::new()
        };
        let shown = scaled(values, d.factor);
        let title = format!(
            "{} — {} {}",
            d.title,
            lang.pick(
                "moyenne pondérée par la population, par",
                "population-weighted mean per"
            ),
            layer.kind
        );
        let label = care_name(category, lang);
        r.map(&MapSpec {
            title: &title,
            unit: &d.unit,
            layer,
            breaks: breaks_of(&d, &shown),
            values: &shown,
            polarity: h.polarity,
            decimals: d.decimals,
            points: (!sites.is_empty()).then_some(MapPoints {
                label: &label,
                coords: &sites,
            }),
        })?;
    }
    Ok(())
}

/// The map of each ICC column of `layer` (100 = the reference rates).
fn icc_maps(
    r: &mut Report,
    layer: &UnitLayer,
    columns: &[Column],
    lang: Lang,
) -> anyhow::Result<()> {
    for c in columns.iter().filter(|c| c.name.starts_with("icc_")) {
        if let Some(values) = c.numbers() {
            let title = format!(
                "{} — {} {} (100 = {})",
                c.name,
                lang.pick("indice de consommation par", "consumption index per"),
                layer.kind,
                lang.pick("taux de référence", "reference rates")
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
    Ok(())
}

/// The maps of the nearest-site categories' densities and the outside indicators of `layer`.
fn published_maps(
    r: &mut Report,
    study: &Study,
    layer: &UnitLayer,
    columns: &[Column],
    lang: Lang,
) -> anyhow::Result<()> {
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
            let external = study.indicators.external.iter().find(|e| e.name == c.name);
            let (title, unit) = match external {
                None => (
                    format!(
                        "{} — {}, {} {}",
                        lang.pick("Densité", "Density"),
                        care_name(c.name.trim_end_matches("_density"), lang),
                        lang.pick("par", "per"),
                        layer.kind
                    ),
                    format!(
                        "{} {} {}",
                        lang.pick("pour", "per"),
                        lang.count(study.densities.per),
                        lang.pick("habitants", "inhabitants")
                    ),
                ),
                Some(e) => (
                    format!(
                        "{} ({} {}), {} {}",
                        e.name,
                        lang.pick("indicateur extérieur,", "outside indicator,"),
                        e.path
                            .file_name()
                            .map(|f| f.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        lang.pick("par", "per"),
                        layer.kind
                    ),
                    if e.per == 100.0 {
                        "%".to_string()
                    } else {
                        lang.pick("valeur publiée", "as published").to_string()
                    },
                ),
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
    Ok(())
}

/// The ten units of `layer` worst served by the first headline indicator (barely covered
/// units left out, and said).
fn worst_served(
    r: &mut Report,
    input: &ReportInput,
    layer: &UnitLayer,
    columns: &[Column],
    lang: Lang,
) -> anyhow::Result<()> {
    if let Some(h) = input.headlines.first() {
        if let Some(values) = column(columns, &format!("{}_mean", h.name)) {
            let barely = column(columns, super::coverage::FLAG);
            let is_barely = |u: usize| barely.is_some_and(|b| b[u] == Some(1.0));
            let left_out = (0..layer.units.len()).filter(|&u| is_barely(u)).count();
            let d = display(input.study, h.name, lang);
            let mut order: Vec<usize> = (0..layer.units.len())
                .filter(|&u| values[u].is_some() && !is_barely(u))
                .collect();
            let sign = if h.polarity == Polarity::LowerIsBetter {
                1.0
            } else {
                -1.0
            };
            order.sort_by(|&a, &b| {
                let (va, vb) = (values[a].unwrap_or(0.0), values[b].unwrap_or(0.0));
                (sign * vb)
                    .total_cmp(&(sign * va))
                    .then(layer.units[a].code.cmp(&layer.units[b].code))
            });
            let rows: Vec<Vec<String>> = order
                .iter()
                .take(10)
                .map(|&u| {
                    vec![
                        layer.units[u].code.clone(),
                        layer.units[u].name.clone(),
                        lang.number(values[u].unwrap_or(0.0) * d.factor, d.decimals),
                    ]
                })
                .collect();
            let note = if left_out > 0 {
                format!(
                    " — {left_out} {}",
                    lang.pick(
                        "unités trop peu couvertes écartées",
                        "barely covered units left out"
                    )
                )
            } else {
                String::new()
            };
            r.table(
                &format!(
                    "{} ({}) : {} ({}){note}",
                    lang.pick("Unités les moins bien desservies", "Worst-served units"),
                    layer.kind,
                    d.title,
                    d.unit
                ),
                &[
                    "code",
                    lang.pick("nom", "name"),
                    lang.pick("moyenne", "mean"),
                ],
                &rows,
            )?;
        }
    }
    Ok(())
}

/// The QPV beside the rest of their communes, when there are some.
fn qpv_section(r: &mut Report, qpv_gaps: &[Vec<String>], lang: Lang) -> anyhow::Result<()> {
    if !qpv_gaps.is_empty() {
        r.heading(lang.pick(
            "Les QPV à côté du reste de leurs communes",
            "QPV beside the rest of their communes",
        ));
        r.table(
            lang.pick(
                "Temps jusqu'au médecin généraliste le plus proche, minutes (moyennes pondérées par la population)",
                "Time to the nearest GP, minutes (population-weighted means)",
            ),
            &[
                "QPV",
                lang.pick("commune(s)", "commune(s)"),
                lang.pick("moyenne QPV", "QPV mean"),
                lang.pick("reste de la commune", "rest of the commune(s)"),
                lang.pick("écart", "gap"),
            ],
            &qpv_gaps
                .iter()
                .map(|row| {
                    row.iter()
                        .enumerate()
                        .map(|(k, cell)| if k >= 2 { lang.localise(cell) } else { cell.clone() })
                        .collect()
                })
                .collect::<Vec<Vec<String>>>(),
        )?;
    }
    Ok(())
}

/// What was left out, the run's summary, and the sources and parameters.
fn closing_sections(r: &mut Report, input: &ReportInput, lang: Lang) -> anyhow::Result<()> {
    r.heading(lang.pick("Écarté", "Left out"));
    let rejected: Vec<Vec<String>> = input
        .rejects
        .summary()
        .into_iter()
        .map(|(file, reason, n)| vec![file, reason, n.to_string()])
        .collect();
    r.table(
        lang.pick(
            "Lignes, objets et points écartés (détail dans rejects.csv)",
            "Rows, features and points left out (details in rejects.csv)",
        ),
        &[
            lang.pick("fichier", "file"),
            lang.pick("raison (telle qu'écrite dans rejects.csv)", "reason"),
            lang.pick("nombre", "count"),
        ],
        &rejected,
    )?;
    r.heading(lang.pick("Résumé du calcul", "Run summary"));
    r.table(
        lang.pick("Ce qui a été lu et calculé", "What was read and computed"),
        &[lang.pick("quoi", "what"), lang.pick("valeur", "value")],
        &summary_rows(input.study, input.summary, lang),
    )?;
    r.heading(lang.pick("Sources et paramètres", "Sources and parameters"));
    let mut sources = vec![vec![
        lang.pick("profil", "profile").to_string(),
        input.study.network.profile.clone(),
    ]];
    for c in credits(input.study, lang) {
        sources.push(vec![lang.pick("source", "source").into(), c]);
    }
    for f in &input.study.indicators.fca {
        sources.push(vec![
            format!("{} {}", lang.pick("indicateur", "indicator"), f.name),
            format!("{} {} {}", f.method, lang.pick("sur", "on"), f.category),
        ]);
    }
    r.table(
        lang.pick(
            "Données et méthodes (détail complet dans manifest.json)",
            "Inputs and methods (full detail in manifest.json)",
        ),
        &[lang.pick("quoi", "what"), lang.pick("valeur", "value")],
        &sources,
    )?;
    Ok(())
}

/// The key findings: times, accessibility, scenarios, what was left out.
fn key_findings(input: &ReportInput, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let thresholds = &input.study.indicators.thresholds;
    if let Some(c) = &input.cells {
        let times = input
            .headlines
            .iter()
            .filter(|h| h.polarity == Polarity::LowerIsBetter)
            .filter_map(|h| Some((h.name.strip_suffix("_minutes")?, h.values)));
        for (k, (category, values)) in times.enumerate() {
            out.extend(findings::time_sentences(
                lang,
                category,
                values,
                &c.people,
                thresholds,
                k == 0,
            ));
        }
    }
    for h in input
        .headlines
        .iter()
        .filter(|h| h.polarity == Polarity::HigherIsBetter)
    {
        let d = display(input.study, h.name, lang);
        let Some((layer, columns)) = input.levels.iter().find(|(l, _)| l.kind == "commune") else {
            continue;
        };
        let Some(values) = column(columns, &format!("{}_mean", h.name)) else {
            continue;
        };
        let lowest = (0..layer.units.len())
            .filter(|&u| values[u].is_some())
            .min_by(|&a, &b| {
                values[a]
                    .unwrap_or(0.0)
                    .total_cmp(&values[b].unwrap_or(0.0))
                    .then(a.cmp(&b))
            });
        if let Some(u) = lowest {
            out.push(format!(
                "{}{}{} {}{} {} {}.",
                d.title,
                lang.pick(" : ", ": "),
                lang.pick(
                    "la commune la moins dotée est",
                    "the least served commune is"
                ),
                layer.units[u].name,
                lang.pick(", avec", ", with"),
                lang.number(values[u].unwrap_or(0.0) * d.factor, d.decimals),
                d.unit
            ));
        }
    }
    for sc in input.scenarios {
        out.push(scenario_sentence(sc, lang));
    }
    let rejected: usize = input.rejects.summary().iter().map(|(_, _, n)| n).sum();
    out.push(if rejected == 0 {
        lang.pick(
            "Rien n'a été écarté des données lues.",
            "Nothing was left out of the inputs.",
        )
        .to_string()
    } else {
        format!(
            "{} {rejected} {}",
            lang.pick("Écartés :", "Left out:"),
            lang.pick(
                "lignes, objets ou points (raisons dans la section « Écarté » et dans rejects.csv).",
                "rows, features or points (reasons in the \"Left out\" section and in rejects.csv).",
            )
        )
    });
    out
}

/// The noun of `n` units of a territorial level: `commune`, `communes`; the acronyms
/// (IRIS, QPV, CPTS) in capitals and invariable.
fn level_noun(kind: &str, n: usize, lang: Lang) -> String {
    match kind {
        "iris" | "qpv" | "cpts" => kind.to_uppercase(),
        _ if n > 1 || (n == 0 && lang == Lang::En) => format!("{kind}s"),
        _ => kind.to_string(),
    }
}

/// What a scenario changes, in one sentence: units better, worse, and the largest change.
fn scenario_sentence(sc: &ScenarioReport, lang: Lang) -> String {
    let eps = 0.5 / 10f64.powi(sc.decimals.min(15) as i32);
    let better = |d: f64| match sc.polarity {
        Polarity::HigherIsBetter => d > eps,
        Polarity::LowerIsBetter => d < -eps,
    };
    let (mut up, mut down, mut largest) = (0, 0, None::<(f64, usize)>);
    for (u, (b, a)) in sc.before.iter().zip(sc.after).enumerate() {
        let (Some(b), Some(a)) = (b, a) else { continue };
        let d = a - b;
        if d.abs() <= eps {
            continue;
        }
        if better(d) {
            up += 1;
        } else {
            down += 1;
        }
        if largest.is_none_or(|(m, _)| d.abs() > m) {
            largest = Some((d.abs(), u));
        }
    }
    let units = |n: usize| level_noun(&sc.layer.kind, n, lang);
    let mut s = match lang {
        Lang::Fr => format!(
            "Scénario « {} » : {} s'améliore dans {up} {} et se dégrade dans {down} {}",
            sc.name,
            sc.indicator,
            units(up),
            units(down)
        ),
        Lang::En => format!(
            "Scenario \"{}\": {} improves in {up} {} and gets worse in {down} {}",
            sc.name,
            sc.indicator,
            units(up),
            units(down)
        ),
    };
    if let Some((_, u)) = largest {
        s.push_str(&format!(
            "{} {} : {} → {}",
            lang.pick(" ; le plus fort changement :", "; the largest change:"),
            sc.layer.units[u].name,
            lang.number(sc.before[u].unwrap_or(0.0), sc.decimals),
            lang.number(sc.after[u].unwrap_or(0.0), sc.decimals)
        ));
    }
    s.push('.');
    s
}

/// The cell maps of the headline indicators and the worst-served cells.
fn cell_section(
    r: &mut Report,
    input: &ReportInput,
    c: &CellsInput,
    lang: Lang,
) -> anyhow::Result<()> {
    let what = if c.layer.side_m > 0.0 {
        format!(
            "{} {} m",
            lang.pick("Par carreau de", "Per cell of"),
            c.layer.side_m
        )
    } else {
        lang.pick("Par lieu de population", "Per population point")
            .to_string()
    };
    r.heading(&what);
    r.paragraph(lang.pick(
        "Chaque carreau habité prend la couleur de sa valeur ; les routes du graphe, les contours des communes (noms) et des QPV (tirets violets) sont dessinés par-dessus. Cliquer sur un carreau donne son identifiant, sa commune, sa valeur et ses habitants.",
        "Each inhabited cell takes the colour of its value; the graph's roads, the outlines of the communes (named) and of the QPV (purple dashes) are drawn above. Click a cell for its identifier, commune, value and inhabitants.",
    ));
    for h in input.headlines {
        let d = display(input.study, h.name, lang);
        let shown = scaled(h.values, d.factor);
        let category = h.name.split('_').next().unwrap_or("");
        let sites = if d.minutes {
            (input.sites_of)(category)
        } else {
            Vec::new()
        };
        let label = care_name(category, lang);
        r.cell_map(&CellMapSpec {
            title: &d.title,
            unit: &d.unit,
            cells: c.layer,
            breaks: breaks_of(&d, &shown),
            values: &shown,
            polarity: h.polarity,
            decimals: d.decimals,
            backdrop: &c.backdrop,
            points: (!sites.is_empty()).then_some(MapPoints {
                label: &label,
                coords: &sites,
            }),
        })?;
    }
    if let Some(h) = input
        .headlines
        .iter()
        .find(|h| h.polarity == Polarity::LowerIsBetter)
    {
        let w = c.people.weights;
        let rows: Vec<Vec<String>> = findings::worst_cells(h.values, w, 15)
            .into_iter()
            .map(|i| {
                let (lon, lat) = c.layer.centres[i];
                let qpv = match &c.people.qpv {
                    Some((l, of)) => of[i].map(|q| l.units[q].name.clone()).unwrap_or_default(),
                    None => String::new(),
                };
                vec![
                    c.layer.ids[i].clone(),
                    c.people.commune_name(i),
                    c.people.street(i).unwrap_or_default().to_string(),
                    qpv,
                    lang.number(w[i], 0),
                    lang.number(h.values[i].unwrap_or(0.0), 1),
                    format!("{lat:.5}, {lon:.5}"),
                ]
            })
            .collect();
        let d = display(input.study, h.name, lang);
        r.table(
            &format!(
                "{} : {}",
                lang.pick(
                    "Lieux habités les moins bien desservis",
                    "Worst-served inhabited places"
                ),
                d.title
            ),
            &[
                lang.pick("carreau", "cell"),
                "commune",
                lang.pick("rue la plus proche", "nearest street"),
                "QPV",
                lang.pick("habitants", "inhabitants"),
                "minutes",
                "latitude, longitude",
            ],
            &rows,
        )?;
    }
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
fn zonage_section(r: &mut Report, z: &ZonageReport, lang: Lang) -> anyhow::Result<()> {
    let level = &z.zonage.level;
    r.heading(&format!(
        "{} {level}",
        lang.pick("Zonage par", "Zonage per")
    ));
    r.paragraph(&match lang {
        Lang::Fr => format!(
            "Classes de chaque schéma de zonage de l'étude (zonage_{level}.csv) ; les quotas \
             sont des parts de la population des unités classées ; une unité sans une valeur \
             dont un schéma a besoin en est écartée (pas de valeur), jamais classée."
        ),
        Lang::En => format!(
            "Classes of each zonage scheme of the study (zonage_{level}.csv); quotas are shares \
             of the population of the units classified; a unit without a value a scheme needs \
             is left out of it (no data), never given a class."
        ),
    });
    let mut rows = Vec::new();
    for s in &z.zonage.schemes {
        let legend = legend(s)?;
        let title = format!(
            "{} {} {} {level}",
            lang.pick("Classes du zonage", "Classes of zonage"),
            s.column().trim_start_matches("zonage_"),
            lang.pick("par", "per")
        );
        r.categorical_map(&CategoricalMapSpec {
            title: &title,
            unit: lang.pick("classe", "class"),
            layer: z.layer,
            classes: &s.labels(),
            legend: &legend,
        })?;
        let total: f64 = s.summary.classes.iter().map(|c| c.population).sum::<f64>() + s.left_out.1;
        let share = |p: f64| {
            if total > 0.0 {
                format!("{} %", lang.number(100.0 * p / total, 1))
            } else {
                String::new()
            }
        };
        rows.extend(
            s.summary_rows(&inhabitants, &share)
                .into_iter()
                .map(|mut row| {
                    if row[1] == NO_VALUE {
                        row[1] = lang.pick("(sans valeur)", NO_VALUE).to_string();
                    }
                    row
                }),
        );
    }
    r.table(
        &format!(
            "{} {level} : {}",
            lang.pick("Classes de zonage par", "Zonage classes per"),
            lang.pick("unités et population", "units and population")
        ),
        &[
            lang.pick("schéma", "scheme"),
            lang.pick("classe", "class"),
            lang.pick("unités", "units"),
            "population",
            lang.pick("part de la population", "share of population"),
        ],
        &rows,
    )?;
    Ok(())
}

/// Two snapshots: headline figures, the maps of both with shared classes and the map of the
/// change.
fn snapshot_section(r: &mut Report, sn: &SnapshotReport, lang: Lang) -> anyhow::Result<()> {
    let title = format!("{} → {}", sn.from, sn.to);
    r.heading(&format!(
        "{} {title}",
        lang.pick("Années comparées :", "Years compared:")
    ));
    r.table(
        &format!("{title}{}", lang.pick(" : ce qui change", ": what changed")),
        &[lang.pick("quoi", "what"), lang.pick("valeur", "value")],
        sn.maps.headline_rows,
    )?;
    change_maps(r, &sn.maps, sn.from, sn.to, lang)
}

/// The maps of `before_label` and `after_label` side by side with shared classes, then the
/// map of the difference (after − before; classes centred on 0).
fn change_maps(
    r: &mut Report,
    sc: &ScenarioReport,
    before_label: &str,
    after_label: &str,
    lang: Lang,
) -> anyhow::Result<()> {
    let breaks = if sc.unit == "minutes" {
        let mut all = sc.before.to_vec();
        all.extend_from_slice(sc.after);
        Breaks::Fixed(minute_cuts(&all))
    } else {
        Breaks::Quantile(5)
    };
    let level = &sc.layer.kind;
    let per = lang.pick("par", "per");
    let before_title = format!("{} {per} {level} — {before_label}", sc.indicator);
    let after_title = format!("{} {per} {level} — {after_label}", sc.indicator);
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
    let delta_title = format!(
        "{} {per} {level}{}{after_label} − {before_label}",
        sc.indicator,
        lang.pick(" : ", ": "),
    );
    let delta_unit = format!("{}, {}", lang.pick("changement", "change"), sc.unit);
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
    Ok(())
}

/// One scenario: headline figures, before/after maps with shared classes, the difference
/// map and the zonage class changes.
fn scenario_section(r: &mut Report, sc: &ScenarioReport, lang: Lang) -> anyhow::Result<()> {
    r.heading(&format!(
        "{} {}",
        lang.pick("Scénario :", "Scenario:"),
        sc.name
    ));
    r.paragraph(sc.description);
    r.table(
        &format!(
            "{} {} : {}",
            lang.pick("Scénario", "Scenario"),
            sc.name,
            lang.pick("ce qui change", "what changed")
        ),
        &[lang.pick("quoi", "what"), lang.pick("valeur", "value")],
        sc.headline_rows,
    )?;
    let baseline = lang.pick("situation actuelle", "baseline");
    change_maps(r, sc, baseline, sc.name, lang)?;
    if sc.class_changes.is_empty() {
        r.paragraph(lang.pick(
            "Aucune unité ne change de classe de zonage dans ce scénario.",
            "No unit changes zonage class in this scenario.",
        ));
        return Ok(());
    }
    let class = |c: &Option<String>| {
        c.clone()
            .unwrap_or_else(|| lang.pick("(sans valeur)", NO_VALUE).to_string())
    };
    let totals: Vec<Vec<String>> = change_totals(sc.class_changes)
        .into_iter()
        .map(|t| {
            let change = match &t.pair {
                None => lang.pick("tout changement", "any change").to_string(),
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
            "{} {} : {}",
            lang.pick("Scénario", "Scenario"),
            sc.name,
            lang.pick(
                "population dont la classe de zonage change",
                "population whose zonage class changes"
            )
        ),
        &[
            lang.pick("schéma", "scheme"),
            lang.pick("changement", "change"),
            lang.pick("unités", "units"),
            "population",
        ],
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
        &format!(
            "{} {} : {}",
            lang.pick("Scénario", "Scenario"),
            sc.name,
            lang.pick(
                "unités dont la classe de zonage change",
                "units whose zonage class changes"
            )
        ),
        &[
            lang.pick("schéma", "scheme"),
            "code",
            lang.pick("nom", "name"),
            lang.pick("avant", "before"),
            lang.pick("après", "after"),
            "population",
        ],
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
    fn care_is_named_with_its_article_gender_and_rank() {
        assert_eq!(
            care_nearest("gp", Lang::Fr),
            "au médecin généraliste le plus proche"
        );
        assert_eq!(
            care_nearest("pharmacist", Lang::Fr),
            "à la pharmacie la plus proche"
        );
        assert_eq!(
            care_nearest("gp_3rd", Lang::Fr),
            "au 3e médecin généraliste le plus proche"
        );
        assert_eq!(care_nearest("gp_2nd", Lang::En), "to the 2nd nearest GP");
        assert_eq!(
            care_nearest("home_visit", Lang::En),
            "to the nearest home_visit"
        );
        assert_eq!(care_indefinite("midwife", Lang::Fr), "une sage-femme");
        assert_eq!(
            care_indefinite("ophthalmology", Lang::En),
            "an ophthalmologist"
        );
        assert_eq!(care_indefinite("gp", Lang::En), "a GP");
        assert_eq!(level_noun("commune", 0, Lang::Fr), "commune");
        assert_eq!(level_noun("commune", 0, Lang::En), "communes");
        assert_eq!(level_noun("commune", 2, Lang::Fr), "communes");
        assert_eq!(level_noun("cpts", 3, Lang::Fr), "CPTS");
    }

    #[test]
    fn zonage_and_scenario_sections_draw_each_unit_in_its_class_colour() {
        let mut study = Study::parse(
            "[network]\ngraph = \"g.bin\"\n[population]\nkind = \"filosofi\"\npath = \"c.csv\"\n",
        )
        .unwrap();
        study.output.lang = Lang::En;
        let l = layer();
        let section = ZonageSection {
            level: "tvs".into(),
            criteria: None,
            sheet: None,
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
                cells: None,
                sites_of: &|_| Vec::new(),
                qpv_gaps: &[],
                rejects: &rejects,
                summary: &super::super::run::RunSummary {
                    name: "s".into(),
                    out: "out".into(),
                    graph: (2, 2),
                    origins: (2, 130.0),
                    sites: vec![],
                    unsnapped: (0, 0),
                    rejected: 0,
                    levels: vec![("tvs".into(), 2)],
                    means: vec![],
                    notes: vec![],
                    timings: vec![],
                    files: vec![],
                },
                zonage: Some(ZonageReport {
                    layer: &l,
                    zonage: &zonage,
                }),
                scenarios: &scenarios,
                snapshots: &[],
                suggestions: &[],
            },
        )
        .unwrap();
        let h = std::fs::read_to_string(&p).unwrap();
        // Zonage: T1 (APL 2) ZIP A, T2 without APL: no data.
        let z = figure(&h, "Classes of zonage rule_2017 per tvs");
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
