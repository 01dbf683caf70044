//! A self-contained HTML report: headings, key findings, paragraphs, choropleth maps drawn
//! by the engine as inline SVG, and tables given as data. One file, no external font, style
//! sheet, script or image: it opens offline and can be mailed as is. A small inline script
//! ([`script`]) makes the maps interactive (zoom and pan, a click shows a unit's or a cell's
//! figures in the map's info panel, layers switched on and off, a scenario's before and
//! after toggled); without it the maps still read, hover titles included.
//!
//! - [`classes`] cuts a map's values into classes (fixed, spread-fitted minute or quantile
//!   breaks) and colours them (ColorBrewer YlOrRd, reversed when higher is better, grey for
//!   no data).
//! - [`svg`] projects the units for display (equirectangular around the layer's centre,
//!   longitudes scaled by the cosine of the centre latitude) and writes the `<svg>`.
//! - [`cells`] draws an indicator on the origins' own support (200 m cells) over roads and
//!   under territory outlines, with scale bar, north arrow and credits.
//! - [`html`] escapes text and lays out tables and the page; [`lang`] picks French (the
//!   default) or English text.
//!
//! Each map shows one value per unit of a [`UnitLayer`] (communes, IRIS, QPV, CPTS…), a
//! legend with the unit of the values, the class bounds and the number of units per class,
//! and optionally points (sites) on top; hovering a unit shows its name, code and value.
//! [`Report::map_pair`] draws two maps side by side with the same classes (a scenario's
//! before and after), [`Report::categorical_map`] one class label per unit in fixed colours
//! (zonage classes), and [`classes::Breaks::Diverging`] centres the classes of a map of
//! differences on 0.
//! The same inputs give the same bytes: no date, fixed number formats, fixed order.

pub mod cells;
pub mod classes;
pub mod html;
pub mod lang;
pub mod script;
pub mod svg;

use crate::aggregate::Polarity;
use crate::inputs::territory::UnitLayer;
use cells::CellMapSpec;
use classes::{Breaks, Classes, NO_DATA};
use lang::Lang;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Width of a map, pixels.
const MAP_WIDTH: f64 = 720.0;
/// Largest height of a map, pixels.
const MAP_MAX_HEIGHT: f64 = 720.0;

/// Why a report section or file could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A map's inputs are not usable.
    #[error("map {map:?}: {reason}")]
    Map {
        /// Title of the map.
        map: String,
        /// What is wrong (value count, non-finite value with its unit code, breaks, empty
        /// layer, non-finite point).
        reason: String,
    },
    /// A table row does not have the header's width.
    #[error("table {table:?}, row {row}: {got} cells for {expected} columns")]
    Table {
        /// Title of the table.
        table: String,
        /// 1-based body row.
        row: usize,
        /// Header width.
        expected: usize,
        /// Cells in the row.
        got: usize,
    },
    /// The file could not be written.
    #[error("{file}: {reason}")]
    Write {
        /// File being written.
        file: PathBuf,
        /// The system's message.
        reason: String,
    },
}

/// Points drawn on top of a map (e.g. the sites of a care category).
#[derive(Clone, Copy, Debug)]
pub struct MapPoints<'a> {
    /// Legend text, e.g. `Radiology sites`.
    pub label: &'a str,
    /// WGS84 `(longitude, latitude)` in degrees.
    pub coords: &'a [(f64, f64)],
}

/// One choropleth map.
#[derive(Clone, Debug)]
pub struct MapSpec<'a> {
    /// Title shown above the map, e.g. `Time to the nearest GP`.
    pub title: &'a str,
    /// Unit of the values, shown as the legend's title, e.g. `minutes`.
    pub unit: &'a str,
    /// The units drawn.
    pub layer: &'a UnitLayer,
    /// One value per unit of `layer`, in its order; `None` is drawn as no data.
    pub values: &'a [Option<f64>],
    /// How the values are cut into classes.
    pub breaks: Breaks,
    /// Which side is better: it is drawn light.
    pub polarity: Polarity,
    /// Decimals of the class bounds and values shown.
    pub decimals: usize,
    /// Points drawn on top, if any.
    pub points: Option<MapPoints<'a>>,
}

/// One categorical map: each unit has a class label (text) drawn in its class's colour,
/// the legend in a fixed order.
#[derive(Clone, Debug)]
pub struct CategoricalMapSpec<'a> {
    /// Title shown above the map.
    pub title: &'a str,
    /// Legend title, e.g. `2017 zonage class`.
    pub unit: &'a str,
    /// The units drawn.
    pub layer: &'a UnitLayer,
    /// One class label per unit of `layer`, in its order; `None` is drawn as no data. Every
    /// label must be in `legend`.
    pub classes: &'a [Option<String>],
    /// Every class in legend order with its fill colour (CSS), labels distinct.
    pub legend: &'a [(String, &'static str)],
}

/// A report being built; sections appear in the order they are added.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Title of the page.
    title: String,
    /// Language of the text the report writes itself (legends, notes, buttons).
    lang: Lang,
    /// HTML of each section.
    sections: Vec<String>,
    /// The cells' identifiers, places and inhabitants (JSON), once a cell map is drawn.
    cell_facts: Option<String>,
}

impl Report {
    /// An empty report titled `title`, its own text in `lang`.
    pub fn new(title: &str, lang: Lang) -> Report {
        Report {
            title: title.to_string(),
            lang,
            sections: vec![],
            cell_facts: None,
        }
    }

    /// Adds the key findings: plain sentences, in a highlighted box.
    pub fn findings(&mut self, heading: &str, sentences: &[String]) -> &mut Report {
        let mut s = format!(
            "<section class=\"findings\">\n<h2>{}</h2>\n<ul>\n",
            html::escape(heading)
        );
        for t in sentences {
            let _ = writeln!(s, "<li>{}</li>", html::escape(t));
        }
        s.push_str("</ul>\n</section>\n");
        self.sections.push(s);
        self
    }

    /// Adds a map of an indicator per cell ([`cells`]).
    pub fn cell_map(&mut self, spec: &CellMapSpec) -> Result<&mut Report, ReportError> {
        let figure = cells::render(spec, self.lang, MAP_WIDTH)?;
        if self.cell_facts.is_none() {
            self.cell_facts = Some(cells::cell_facts_json(&spec.cells));
        }
        self.sections.push(figure);
        Ok(self)
    }

    /// Adds a section heading.
    pub fn heading(&mut self, text: &str) -> &mut Report {
        self.sections
            .push(format!("<h2>{}</h2>\n", html::escape(text)));
        self
    }

    /// Adds a paragraph of plain text (escaped).
    pub fn paragraph(&mut self, text: &str) -> &mut Report {
        self.sections
            .push(format!("<p>{}</p>\n", html::escape(text)));
        self
    }

    /// Adds a table: a title, a header row and body rows of the header's width (plain text,
    /// escaped; cells reading as numbers are right-aligned).
    pub fn table(
        &mut self,
        title: &str,
        header: &[&str],
        rows: &[Vec<String>],
    ) -> Result<&mut Report, ReportError> {
        if let Some((i, r)) = rows
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() != header.len())
        {
            return Err(ReportError::Table {
                table: title.to_string(),
                row: i + 1,
                expected: header.len(),
                got: r.len(),
            });
        }
        self.sections.push(html::table(title, header, rows));
        Ok(self)
    }

    /// Adds a choropleth map.
    pub fn map(&mut self, spec: &MapSpec) -> Result<&mut Report, ReportError> {
        self.sections.push(render_map(spec, MAP_WIDTH, self.lang)?);
        Ok(self)
    }

    /// Adds two maps side by side, half as wide, with the same classes: `left.breaks`
    /// applied to the values of both maps together ([`Classes::pooled`]), so that a colour
    /// means the same on both (a before and an after map). Both must ask for the same
    /// breaks.
    pub fn map_pair(
        &mut self,
        left: &MapSpec,
        right: &MapSpec,
    ) -> Result<&mut Report, ReportError> {
        if left.breaks != right.breaks {
            return Err(ReportError::Map {
                map: right.title.to_string(),
                reason: format!("breaks differ from those of {:?}", left.title),
            });
        }
        check_values(left)?;
        check_values(right)?;
        let mut s = format!(
            "<div class=\"pair\" data-show=\"both\">\n<div class=\"toggle\" role=\"group\"><button type=\"button\" data-show=\"both\">{}</button><button type=\"button\" data-show=\"before\">{}</button><button type=\"button\" data-show=\"after\">{}</button></div>\n",
            self.lang.pick("côte à côte", "side by side"),
            self.lang.pick("avant", "before"),
            self.lang.pick("après", "after")
        );
        let shared = Classes::pooled(&left.breaks, &[left.values, right.values]).map_err(|e| {
            ReportError::Map {
                map: left.title.to_string(),
                reason: e.to_string(),
            }
        })?;
        for spec in [left, right] {
            let spec = MapSpec {
                breaks: Breaks::Shared(shared.clone()),
                ..spec.clone()
            };
            s.push_str(&render_map(&spec, MAP_WIDTH / 2.0, self.lang)?);
        }
        s.push_str("</div>\n");
        self.sections.push(s);
        Ok(self)
    }

    /// Adds a categorical map (one class label per unit, e.g. a zonage class).
    pub fn categorical_map(
        &mut self,
        spec: &CategoricalMapSpec,
    ) -> Result<&mut Report, ReportError> {
        self.sections.push(render_categorical(spec, self.lang)?);
        Ok(self)
    }

    /// The whole page.
    pub fn html(&self) -> String {
        html::page(
            &self.title,
            self.lang,
            &self.sections,
            self.cell_facts.as_deref(),
        )
    }

    /// Writes the page to `path`, atomically (temporary file then rename).
    pub fn write(&self, path: &Path) -> Result<(), ReportError> {
        let page = self.html();
        crate::support::atomic::write_with(path, |w| {
            Ok(std::io::Write::write_all(w, page.as_bytes())?)
        })
        .map_err(|e| ReportError::Write {
            file: path.to_path_buf(),
            reason: crate::support::atomic::with_causes(&e),
        })
    }
}

/// The `<figure>` of one map `width` pixels wide: caption, SVG, legend.
fn render_map(spec: &MapSpec, width: f64, lang: Lang) -> Result<String, ReportError> {
    let err = |reason: String| ReportError::Map {
        map: spec.title.to_string(),
        reason,
    };
    check_values(spec)?;
    let units = &spec.layer.units;
    let points = spec.points.map(|p| p.coords).unwrap_or_default();
    if let Some(i) = points
        .iter()
        .position(|(x, y)| !x.is_finite() || !y.is_finite())
    {
        return Err(err(format!("point {i} has a non-finite coordinate")));
    }
    let classes = Classes::new(&spec.breaks, spec.values).map_err(|e| err(e.to_string()))?;
    let proj = projection(spec.layer, width).ok_or_else(|| err(NO_GEOMETRY.into()))?;
    let colours = classes.colours(spec.polarity);
    let mut counts = vec![0usize; classes.count()];
    let mut no_data = 0usize;
    let value_text = |x: f64| lang.number(x, spec.decimals);
    let shapes: Vec<svg::Shape> = units
        .iter()
        .zip(spec.values)
        .map(|(u, v)| {
            let (fill, shown) = match v {
                Some(x) => {
                    let k = classes.class_of(*x);
                    counts[k] += 1;
                    (colours[k], format!("{} {}", value_text(*x), spec.unit))
                }
                None => {
                    no_data += 1;
                    (NO_DATA, lang.pick("pas de valeur", "no data").to_string())
                }
            };
            svg::Shape {
                d: svg::path_data(&u.geometry, &proj),
                fill,
                title: format!("{} ({}): {shown}", u.name, u.code),
            }
        })
        .collect();
    let mut items: Vec<(&str, String, usize)> = classes
        .labels(spec.decimals)
        .into_iter()
        .zip(&colours)
        .zip(&counts)
        .map(|((label, c), n)| (*c, lang.localise(&label), *n))
        .collect();
    items.push((
        NO_DATA,
        lang.pick("pas de valeur", "no data").into(),
        no_data,
    ));
    Ok(interactive_figure(
        &FigureParts {
            title: spec.title,
            svg: &svg::svg(
                &proj,
                spec.title,
                &shapes,
                points,
                spec.points.map(|p| p.label).unwrap_or_default(),
                &unit_labels(spec.layer, &proj),
            ),
            unit: spec.unit,
            items: &items,
            points: spec.points,
            note: &note(&spec.breaks, &classes, lang),
            layers: &[],
            cell_data: "",
            credits: &[],
        },
        lang,
    ))
}

/// Names of the units that fit in their drawn box without overlapping, at an interior
/// point: `(x, y, name)` in pixels ([`svg::place_labels`]).
fn unit_labels(layer: &UnitLayer, proj: &svg::Projection) -> Vec<(f64, f64, String)> {
    let units = layer.units.iter().map(|u| (u.name.as_str(), &u.geometry));
    svg::place_labels(units, proj, 10.0, 1.0)
}

/// Checks that a map has one finite value or none per unit.
fn check_values(spec: &MapSpec) -> Result<(), ReportError> {
    let err = |reason: String| ReportError::Map {
        map: spec.title.to_string(),
        reason,
    };
    let units = &spec.layer.units;
    if spec.values.len() != units.len() {
        return Err(err(format!(
            "{} values for {} units",
            spec.values.len(),
            units.len()
        )));
    }
    match spec
        .values
        .iter()
        .position(|v| v.is_some_and(|x| !x.is_finite()))
    {
        Some(i) => Err(err(format!("unit {}: value is not finite", units[i].code))),
        None => Ok(()),
    }
}

/// Reason given for a layer without any geometry.
const NO_GEOMETRY: &str = "the layer has no geometry to draw";

/// The display projection of `layer` in a frame `width` pixels wide; `None` without
/// geometry.
fn projection(layer: &UnitLayer, width: f64) -> Option<svg::Projection> {
    let bbox = svg::bounding_box(layer.units.iter().map(|u| &u.geometry))?;
    Some(svg::Projection::fit(bbox, width, MAP_MAX_HEIGHT))
}

/// How the classes of a map were drawn, for its legend.
fn note(breaks: &Breaks, classes: &Classes, lang: Lang) -> String {
    let centred = lang.pick(
        "Classes centrées sur 0 : la classe ± est l'absence de changement ; chaque autre classe inclut sa borne la plus éloignée de 0.",
        "Classes centred on 0: the ± class is no change; each other class includes its bound farther from 0.",
    );
    let text = match breaks {
        Breaks::Fixed(_) => lang
            .pick(
                "Classes fixes ; chaque classe inclut sa borne haute.",
                "Fixed classes; each class includes its upper bound.",
            )
            .to_string(),
        Breaks::Quantile(q) => format!(
            "{} ({q} {}, {} {}) ; {}",
            lang.pick("Classes par quantiles des unités", "Quantile classes of the units' values"),
            lang.pick("demandées", "asked"),
            classes.count(),
            lang.pick("tracées", "drawn"),
            lang.pick("chaque classe inclut sa borne haute.", "each class includes its upper bound."),
        ),
        Breaks::Diverging { .. } | Breaks::DivergingFixed { .. } => centred.to_string(),
        Breaks::Shared(c) if c.is_diverging() => format!(
            "{} {centred}",
            lang.pick("Mêmes classes sur les cartes comparées.", "Same classes on the maps compared.")
        ),
        Breaks::Shared(_) => lang
            .pick(
                "Mêmes classes sur les cartes comparées, tirées de toutes leurs valeurs ; chaque classe inclut sa borne haute.",
                "Same classes on the maps compared, drawn from all their values together; each class includes its upper bound.",
            )
            .to_string(),
    };
    format!(
        "{text} {}",
        lang.pick(
            "Nombre d'unités entre parenthèses.",
            "Number of units in brackets."
        )
    )
}

/// The parts of a map figure.
pub(crate) struct FigureParts<'a> {
    /// Caption.
    pub title: &'a str,
    /// The `<svg>`.
    pub svg: &'a str,
    /// Legend title.
    pub unit: &'a str,
    /// Legend items `(colour, label, count)`.
    pub items: &'a [(&'a str, String, usize)],
    /// The points' legend item.
    pub points: Option<MapPoints<'a>>,
    /// How the classes were drawn.
    pub note: &'a str,
    /// Layers the reader may switch: `(data-layer, label)`.
    pub layers: &'a [(&'a str, &'a str)],
    /// Cell positions and values for the script (JSON), empty on unit maps.
    pub cell_data: &'a str,
    /// Credits of the sources drawn.
    pub credits: &'a [String],
}

/// A map figure: caption, tool bar (zoom buttons, layer switches), the SVG, an info panel,
/// a legend titled `unit` with one item per `(colour, label, units)`, the points' item, the
/// note and the credits.
pub(crate) fn interactive_figure(p: &FigureParts, lang: Lang) -> String {
    let mut s = String::from("<figure class=\"map\">\n");
    let _ = writeln!(s, "<figcaption>{}</figcaption>", html::escape(p.title));
    s.push_str("<div class=\"mapbox\">\n<div class=\"tools\">");
    let _ = write!(
        s,
        "<button type=\"button\" data-zoom=\"in\" aria-label=\"{}\">+</button><button type=\"button\" data-zoom=\"out\" aria-label=\"{}\">−</button><button type=\"button\" data-zoom=\"reset\" aria-label=\"{}\">⟲</button>",
        lang.pick("zoomer", "zoom in"),
        lang.pick("dézoomer", "zoom out"),
        lang.pick("vue d'ensemble", "whole map")
    );
    for (layer, label) in p.layers {
        let _ = write!(
            s,
            "<label><input type=\"checkbox\" checked data-layer=\"{}\"> {}</label>",
            html::escape(layer),
            html::escape(label)
        );
    }
    s.push_str("</div>\n");
    s.push_str(p.svg);
    let _ = writeln!(
        s,
        "\n<div class=\"info\" aria-live=\"polite\">{}</div>",
        lang.pick(
            "Cliquer sur la carte pour lire les chiffres d'un lieu ; molette ou boutons pour zoomer, glisser pour déplacer.",
            "Click the map to read a place's figures; wheel or buttons to zoom, drag to pan."
        )
    );
    if !p.cell_data.is_empty() {
        let _ = writeln!(
            s,
            "<script type=\"application/json\" class=\"cell-data\">{}</script>",
            p.cell_data
        );
    }
    if !p.credits.is_empty() {
        let _ = writeln!(
            s,
            "<div class=\"credits\">{} {}</div>",
            lang.pick("Sources :", "Sources:"),
            html::escape(&p.credits.join(" · "))
        );
    }
    s.push_str("</div>\n");
    let _ = write!(
        s,
        "<div class=\"legend\">\n<div class=\"title\">{}</div>\n<ul>\n",
        html::escape(p.unit)
    );
    for (colour, label, n) in p.items {
        let _ = writeln!(
            s,
            "<li><span class=\"swatch\" style=\"background:{colour}\"></span>{} <span class=\"n\">({n})</span></li>",
            html::escape(label)
        );
    }
    if let Some(pt) = p.points {
        let _ = writeln!(
            s,
            "<li><span class=\"dot\"></span>{} <span class=\"n\">({})</span></li>",
            html::escape(pt.label),
            pt.coords.len()
        );
    }
    s.push_str("</ul>\n");
    let _ = writeln!(
        s,
        "<div class=\"note\">{}</div>\n</div>\n</figure>",
        html::escape(p.note)
    );
    s
}

/// The `<figure>` of a categorical map.
fn render_categorical(spec: &CategoricalMapSpec, lang: Lang) -> Result<String, ReportError> {
    let err = |reason: String| ReportError::Map {
        map: spec.title.to_string(),
        reason,
    };
    let units = &spec.layer.units;
    if spec.classes.len() != units.len() {
        return Err(err(format!(
            "{} classes for {} units",
            spec.classes.len(),
            units.len()
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some((label, _)) = spec.legend.iter().find(|(l, _)| !seen.insert(l.as_str())) {
        return Err(err(format!("class {label:?} given twice in the legend")));
    }
    let proj = projection(spec.layer, MAP_WIDTH).ok_or_else(|| err(NO_GEOMETRY.into()))?;
    let mut counts = vec![0usize; spec.legend.len()];
    let mut no_data = 0usize;
    let mut shapes = Vec::with_capacity(units.len());
    for (u, class) in units.iter().zip(spec.classes) {
        let (fill, shown) = match class {
            Some(c) => {
                let k = spec
                    .legend
                    .iter()
                    .position(|(l, _)| l == c)
                    .ok_or_else(|| {
                        err(format!("unit {}: class {c:?} is not in the legend", u.code))
                    })?;
                counts[k] += 1;
                (spec.legend[k].1, c.clone())
            }
            None => {
                no_data += 1;
                (NO_DATA, lang.pick("pas de valeur", "no data").to_string())
            }
        };
        shapes.push(svg::Shape {
            d: svg::path_data(&u.geometry, &proj),
            fill,
            title: format!("{} ({}): {shown}", u.name, u.code),
        });
    }
    let mut items: Vec<(&str, String, usize)> = spec
        .legend
        .iter()
        .zip(&counts)
        .map(|((l, c), n)| (*c, l.clone(), *n))
        .collect();
    items.push((
        NO_DATA,
        lang.pick("pas de valeur", "no data").into(),
        no_data,
    ));
    Ok(interactive_figure(
        &FigureParts {
            title: spec.title,
            svg: &svg::svg(
                &proj,
                spec.title,
                &shapes,
                &[],
                "",
                &unit_labels(spec.layer, &proj),
            ),
            unit: spec.unit,
            items: &items,
            points: None,
            note: lang.pick(
                "Une couleur par classe, dans l'ordre de la classification. Nombre d'unités entre parenthèses.",
                "One colour per class, in the order of the classification. Number of units in brackets.",
            ),
            layers: &[],
            cell_data: "",
            credits: &[],
        },
        lang,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::territory::Unit;
    use geo::{polygon, MultiPolygon};

    fn layer() -> UnitLayer {
        let unit = |x0: f64, y0: f64, code: &str, name: &str| Unit {
            kind: "commune".into(),
            code: code.into(),
            name: name.into(),
            geometry: MultiPolygon(vec![polygon![
                (x: x0, y: y0), (x: x0 + 0.1, y: y0), (x: x0 + 0.1, y: y0 + 0.1),
                (x: x0, y: y0 + 0.1), (x: x0, y: y0)
            ]]),
            population: None,
        };
        UnitLayer {
            kind: "commune".into(),
            units: vec![
                unit(2.3, 48.8, "93001", "Aubervilliers"),
                unit(2.4, 48.8, "93008", "Bobigny"),
                unit(2.3, 48.9, "93066", "Saint-Denis <Plaine> & \"Pleyel\""),
            ],
            repaired: vec![],
        }
    }

    fn report(l: &UnitLayer) -> Report {
        let minutes = [Some(4.0), Some(17.5), None];
        let apl = [Some(2.1), Some(3.9), Some(5.0)];
        let sites = [(2.35, 48.85), (2.45, 48.83)];
        let mut r = Report::new("Accès aux soins — Seine-Saint-Denis", Lang::En);
        r.heading("Temps d'accès")
            .paragraph("Minutes by road <at the 2024 network>.");
        r.map(&MapSpec {
            title: "Time to the nearest GP",
            unit: "minutes",
            layer: l,
            values: &minutes,
            breaks: Breaks::Fixed(vec![5.0, 10.0, 15.0, 20.0, 30.0, 45.0]),
            polarity: Polarity::LowerIsBetter,
            decimals: 1,
            points: Some(MapPoints {
                label: "GP sites",
                coords: &sites,
            }),
        })
        .unwrap()
        .map(&MapSpec {
            title: "APL",
            unit: "consultations / year / inhabitant",
            layer: l,
            values: &apl,
            breaks: Breaks::Quantile(3),
            polarity: Polarity::HigherIsBetter,
            decimals: 2,
            points: None,
        })
        .unwrap()
        .table(
            "Worst-served units",
            &["Commune", "GP minutes"],
            &[
                vec!["Bobigny".into(), "17.5".into()],
                vec!["Aubervilliers".into(), "4.0".into()],
            ],
        )
        .unwrap();
        r
    }

    #[test]
    fn full_report_has_maps_legends_and_tables_and_is_byte_identical() {
        let dir = tempfile::tempdir().unwrap();
        let l = layer();
        let (a, b) = (dir.path().join("a.html"), dir.path().join("b.html"));
        report(&l).write(&a).unwrap();
        report(&l).write(&b).unwrap();
        let text = std::fs::read_to_string(&a).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());

        assert_eq!(text.matches("<svg ").count(), 2);
        assert_eq!(text.matches("</svg>").count(), 2);
        assert_eq!(text.matches("<path ").count(), 6);
        assert_eq!(text.matches("<circle ").count(), 2);
        // Fixed legend: 7 classes + no data + points; quantile legend: 3 classes + no data.
        assert_eq!(text.matches("<li>").count(), 9 + 4);
        assert!(
            text.contains("≤ 5.0 <span class=\"n\">(1)</span>"),
            "{text}"
        );
        assert!(text.contains("15.0 – 20.0 <span class=\"n\">(1)</span>"));
        assert!(text.contains("&gt; 45.0 <span class=\"n\">(0)</span>"));
        assert!(text.contains(&format!(
            "background:{NO_DATA}\"></span>no data <span class=\"n\">(1)</span>"
        )));
        assert!(text.contains("GP sites <span class=\"n\">(2)</span>"));
        assert!(text.contains("2.10 – 3.90"));
        assert!(text.contains("3.90 – 5.00"));
        // Higher is better: the best APL class is the lightest colour.
        assert!(text.contains("fill=\"#ffeda0\"><title>Saint-Denis &lt;Plaine&gt; &amp; &quot;Pleyel&quot; (93066): 5.00"));
        assert!(text.contains("fill=\"#bdbdbd\"><title>Saint-Denis &lt;Plaine&gt; &amp; &quot;Pleyel&quot; (93066): no data"));
        assert!(text.contains("<tr><td>Bobigny</td><td class=\"num\">17.5</td></tr>"));
        assert!(text.contains("<h2>Temps d&#39;accès</h2>"));
        assert!(text.contains("<p>Minutes by road &lt;at the 2024 network&gt;.</p>"));
        for external in [
            "<link",
            "src=",
            "href=",
            "url(",
            "@import",
            "fetch(",
            "XMLHttpRequest",
            "https:",
        ] {
            assert!(!text.contains(external), "{external}");
        }
        // One inline script; every figure has its info panel and zoom buttons.
        assert_eq!(text.matches("<script>").count(), 1);
        assert_eq!(text.matches("<div class=\"info\"").count(), 2);
        assert_eq!(text.matches("data-zoom=\"in\"").count(), 2);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let l = layer();
        let spec = |values: &'static [Option<f64>]| MapSpec {
            title: "m",
            unit: "minutes",
            layer: &l,
            values,
            breaks: Breaks::Quantile(3),
            polarity: Polarity::LowerIsBetter,
            decimals: 0,
            points: None,
        };
        let mut r = Report::new("t", Lang::En);
        let e = r.map(&spec(&[Some(1.0)])).unwrap_err();
        assert!(e.to_string().contains("1 values for 3 units"), "{e}");
        let e = r
            .map(&spec(&[Some(1.0), Some(f64::NAN), None]))
            .unwrap_err();
        assert!(e.to_string().contains("unit 93008"), "{e}");
        let e = r
            .map(&MapSpec {
                breaks: Breaks::Fixed(vec![3.0, 1.0]),
                ..spec(&[None, None, None])
            })
            .unwrap_err();
        assert!(e.to_string().contains("strictly increasing"), "{e}");
        let empty = UnitLayer::default();
        let e = r
            .map(&MapSpec {
                layer: &empty,
                ..spec(&[])
            })
            .unwrap_err();
        assert!(e.to_string().contains("no geometry"), "{e}");
        let e = r.table("t", &["a", "b"], &[vec!["1".into()]]).unwrap_err();
        assert!(
            e.to_string().contains("row 1: 1 cells for 2 columns"),
            "{e}"
        );
        assert_eq!(r, Report::new("t", Lang::En));
    }

    #[test]
    fn a_map_without_any_value_is_all_no_data() {
        let l = layer();
        let mut r = Report::new("t", Lang::En);
        r.map(&MapSpec {
            title: "ICC",
            unit: "index",
            layer: &l,
            values: &[None, None, None],
            breaks: Breaks::Quantile(5),
            polarity: Polarity::HigherIsBetter,
            decimals: 2,
            points: None,
        })
        .unwrap();
        let h = r.html();
        assert_eq!(h.matches("fill=\"#bdbdbd\"").count(), 3);
        assert!(h.contains("no data <span class=\"n\">(3)</span>"));
        assert_eq!(h.matches("<li>").count(), 1);
    }

    /// The first two units of [`layer`].
    fn two() -> UnitLayer {
        let mut l = layer();
        l.units.truncate(2);
        l
    }

    #[test]
    fn categorical_map_fills_each_unit_with_its_class_colour() {
        let l = two();
        let legend: Vec<(String, &'static str)> = ["zip-a", "zac", "outside"]
            .iter()
            .map(|c| (c.to_string(), classes::zonage_2017_colour(c).unwrap()))
            .collect();
        let mut r = Report::new("t", Lang::En);
        r.categorical_map(&CategoricalMapSpec {
            title: "2017 zonage",
            unit: "class",
            layer: &l,
            classes: &[Some("zip-a".into()), None],
            legend: &legend,
        })
        .unwrap();
        let h = r.html();
        assert_eq!(h.matches("<path ").count(), 2);
        assert!(h.contains("fill=\"#a50f15\"><title>Aubervilliers (93001): zip-a</title>"));
        assert!(h.contains(&format!(
            "fill=\"{NO_DATA}\"><title>Bobigny (93008): no data</title>"
        )));
        assert!(h.contains("zip-a <span class=\"n\">(1)</span>"));
        assert!(h.contains("zac <span class=\"n\">(0)</span>"));
        assert!(h.contains("no data <span class=\"n\">(1)</span>"));
        let e = r
            .categorical_map(&CategoricalMapSpec {
                title: "m",
                unit: "class",
                layer: &l,
                classes: &[Some("zip-b".into()), None],
                legend: &legend,
            })
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("93001: class \"zip-b\" is not in the legend"),
            "{e}"
        );
    }

    #[test]
    fn a_map_pair_shares_its_classes() {
        // Before 1, 2 and after 3, 4: pooled medians cut at 2, so both units are in the
        // low (red, higher is better) class before and the high (light) class after;
        // drawn alone, each map would have split its two units.
        let l = two();
        let spec = |title: &'static str, values: &'static [Option<f64>]| MapSpec {
            title,
            unit: "APL",
            layer: &l,
            values,
            breaks: Breaks::Quantile(2),
            polarity: Polarity::HigherIsBetter,
            decimals: 1,
            points: None,
        };
        let mut r = Report::new("t", Lang::En);
        r.map_pair(
            &spec("before", &[Some(1.0), Some(2.0)]),
            &spec("after", &[Some(3.0), Some(4.0)]),
        )
        .unwrap();
        let h = r.html();
        assert_eq!(
            h.matches("<div class=\"pair\" data-show=\"both\">").count(),
            1
        );
        assert!(h.contains("<button type=\"button\" data-show=\"after\">after</button>"));
        assert_eq!(h.matches("<path ").count(), 4);
        assert_eq!(h.matches("fill=\"#f03b20\"><title>").count(), 2);
        assert_eq!(h.matches("fill=\"#ffeda0\"><title>").count(), 2);
        assert_eq!(h.matches("1.0 – 2.0 <span").count(), 2);
        assert_eq!(h.matches("2.0 – 4.0 <span").count(), 2);
        assert!(h.contains("width=\"360\""));
        let e = r
            .map_pair(
                &spec("before", &[Some(1.0), Some(2.0)]),
                &MapSpec {
                    breaks: Breaks::Quantile(3),
                    ..spec("after", &[Some(3.0), Some(4.0)])
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("breaks differ"), "{e}");
        let e = r
            .map_pair(
                &spec("before", &[Some(1.0), Some(f64::NAN)]),
                &spec("after", &[Some(3.0), Some(4.0)]),
            )
            .unwrap_err();
        assert!(e.to_string().contains("unit 93008"), "{e}");
    }
}
