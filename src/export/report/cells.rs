//! Maps on the origins' own support: each 200 m Filosofi cell (or each origin, as a dot,
//! when the population is not on a grid) filled with the class of its value, over a light
//! backdrop of the roads and under the outlines of the territories (communes labelled, QPV
//! emphasised), with a scale bar, a north arrow and the sources' credits.
//!
//! Cells are squares of side `s` metres around their centres; on the display projection
//! ([`super::svg::Projection`]) one metre is `scale / 111 320` pixels (111 320 m per degree
//! of latitude, the equatorial length of a degree of the WGS84 ellipsoid, within 0.3 % of
//! the length of a degree of latitude in France: a display approximation, never a
//! measurement). Up to [`RASTER_ABOVE`] cells are drawn as vector squares, one path per
//! class; beyond, as one PNG image (two image pixels per screen pixel) so that a
//! département's or a country's report stays small and opens fast.
//!
//! The scale bar is the longest of 1, 2, 5 × 10ⁿ metres fitting in 120 pixels.

use super::classes::{Breaks, Classes, NO_DATA};
use super::html::escape;
use super::lang::Lang;
use super::svg::{self, px, Projection};
use super::{MapPoints, ReportError};
use crate::aggregate::Polarity;
use crate::inputs::territory::UnitLayer;
use base64::Engine;
use geo::{LineString, Rect, Simplify};
use std::fmt::Write;

/// Beyond this many cells, cells are drawn as a raster image.
pub const RASTER_ABOVE: usize = 20_000;

/// Metres per degree of latitude used for display sizes.
const METRES_PER_DEGREE: f64 = 111_320.0;

/// Roads simplified to this many pixels (Douglas–Peucker) before drawing.
const ROAD_TOLERANCE_PX: f64 = 0.6;

/// The origins drawn on cell maps, shared by every cell map of a report.
#[derive(Clone, Copy, Debug)]
pub struct CellLayer<'a> {
    /// Centre of each cell, WGS84 `(longitude, latitude)` in degrees.
    pub centres: &'a [(f64, f64)],
    /// Identifier of each cell (`idcar_200m`…).
    pub ids: &'a [String],
    /// Inhabitants of each cell.
    pub population: &'a [f64],
    /// Name of the place (commune, IRIS…) each cell lies in, empty when none.
    pub places: &'a [String],
    /// Side of the square cells, metres; 0 draws each origin as a dot.
    pub side_m: f64,
}

/// One road of the backdrop.
#[derive(Clone, Debug, PartialEq)]
pub struct Road {
    /// 0 for a main road (motorway to secondary), 1 for a local road, 2 for a minor one.
    pub rank: u8,
    /// Vertices, WGS84 `(longitude, latitude)` in degrees.
    pub coords: Vec<(f64, f64)>,
}

/// How a territory layer is outlined above the cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutlineStyle {
    /// Thin dark line, names written where they fit (communes, IRIS).
    Boundary,
    /// Thick purple dashed line, names written (QPV).
    Emphasis,
}

/// A territory layer outlined above the cells.
#[derive(Clone, Copy, Debug)]
pub struct Outline<'a> {
    /// The units.
    pub layer: &'a UnitLayer,
    /// How they are drawn.
    pub style: OutlineStyle,
}

/// Context of every cell map of a report.
#[derive(Clone, Debug)]
pub struct Backdrop<'a> {
    /// Roads drawn under the outlines.
    pub roads: &'a [Road],
    /// Territories outlined, in drawing order.
    pub outlines: Vec<Outline<'a>>,
    /// Credits of every source, e.g. `© OpenStreetMap contributors (ODbL), 2023-07-27`.
    pub credits: &'a [String],
}

/// One map of a per-cell indicator.
#[derive(Clone, Debug)]
pub struct CellMapSpec<'a> {
    /// Title shown above the map.
    pub title: &'a str,
    /// Unit of the values, legend title.
    pub unit: &'a str,
    /// The cells.
    pub cells: CellLayer<'a>,
    /// One value per cell, `None` drawn as no data.
    pub values: &'a [Option<f64>],
    /// How the values are cut into classes.
    pub breaks: Breaks,
    /// Which side is better (drawn light).
    pub polarity: Polarity,
    /// Decimals of the values shown.
    pub decimals: usize,
    /// Roads, outlines and credits.
    pub backdrop: &'a Backdrop<'a>,
    /// Sites drawn on top, if any.
    pub points: Option<MapPoints<'a>>,
}

/// The display projection of a cell layer `width` pixels wide (frame at most as high).
pub fn projection(cells: &CellLayer, width: f64) -> Option<Projection> {
    let half = cells.side_m / 2.0 / METRES_PER_DEGREE;
    let mut it = cells
        .centres
        .iter()
        .filter(|(x, y)| x.is_finite() && y.is_finite());
    let first = it.next()?;
    let (mut x0, mut y0, mut x1, mut y1) = (first.0, first.1, first.0, first.1);
    for (x, y) in it {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y0 = y0.min(*y);
        y1 = y1.max(*y);
    }
    let k = ((y0 + y1) / 2.0).to_radians().cos().max(0.01);
    let bbox = Rect::new((x0 - half / k, y0 - half), (x1 + half / k, y1 + half));
    Some(Projection::fit(bbox, width, width))
}

/// Pixels per metre of `proj`.
fn pixels_per_metre(proj: &Projection) -> f64 {
    let (_, y0) = proj.apply(0.0, 0.0);
    let (_, y1) = proj.apply(0.0, 1.0);
    (y0 - y1).abs() / METRES_PER_DEGREE
}

/// The shared per-cell facts the page's script shows on a click: identifiers, places and
/// inhabitants as a JSON object `{"id":[…],"place":[…],"pop":[…]}`.
pub fn cell_facts_json(cells: &CellLayer) -> String {
    let pop: Vec<f64> = cells.population.iter().map(|p| p.round()).collect();
    serde_json::json!({"id": cells.ids, "place": cells.places, "pop": pop}).to_string()
}

/// The `<figure>` of a cell map `width` pixels wide, interactive: layer switches, zoom
/// buttons, an info panel, and the cells' pixel positions and values for the script.
pub fn render(spec: &CellMapSpec, lang: Lang, width: f64) -> Result<String, ReportError> {
    let err = |reason: String| ReportError::Map {
        map: spec.title.to_string(),
        reason,
    };
    let cells = &spec.cells;
    let n = cells.centres.len();
    check_cells(spec).map_err(err)?;
    let classes = Classes::new(&spec.breaks, spec.values).map_err(|e| err(e.to_string()))?;
    let proj = projection(cells, width).ok_or_else(|| err("no cell to draw".into()))?;
    let colours = classes.colours(spec.polarity);
    let ppm = pixels_per_metre(&proj);
    let side = (cells.side_m * ppm).max(if cells.side_m > 0.0 { 0.6 } else { 3.0 });
    let class_of: Vec<Option<usize>> = spec
        .values
        .iter()
        .map(|v| v.map(|x| classes.class_of(x)))
        .collect();
    let mut counts = vec![0usize; classes.count()];
    let mut no_data = 0;
    for k in &class_of {
        match k {
            Some(k) => counts[*k] += 1,
            None => no_data += 1,
        }
    }
    let positions: Vec<(f64, f64)> = cells
        .centres
        .iter()
        .map(|(x, y)| proj.apply(*x, *y))
        .collect();
    let (w, h) = proj.size();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        escape(&format!("{} — {}", spec.title, lang.pick("carte par carreau", "map per cell")))
    );
    s.push_str("<g data-layer=\"cells\">\n");
    if n > RASTER_ABOVE {
        s.push_str(&raster(&positions, &class_of, &colours, side, w, h));
    } else {
        let squares = cells.side_m > 0.0;
        s.push_str(&vector(&positions, &class_of, &colours, side, squares));
    }
    s.push_str("</g>\n");
    roads(&mut s, spec.backdrop.roads, &proj);
    for o in &spec.backdrop.outlines {
        outline(&mut s, o, &proj);
    }
    if let Some(p) = spec.points {
        let _ = writeln!(s, "<g data-layer=\"sites\" fill=\"#253494\" stroke=\"#ffffff\" stroke-width=\"0.8\"><title>{}</title>", escape(p.label));
        for (lon, lat) in p.coords {
            let (x, y) = proj.apply(*lon, *lat);
            let _ = writeln!(s, "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\"/>", px(x), px(y));
        }
        s.push_str("</g>\n");
    }
    scale_bar(&mut s, ppm, h);
    north_arrow(&mut s, w);
    s.push_str("</svg>");

    let labels = classes.labels(spec.decimals);
    let mut items: Vec<(&str, String, usize)> = labels
        .into_iter()
        .zip(&colours)
        .zip(&counts)
        .map(|((l, c), n)| (*c, lang.localise(&l), *n))
        .collect();
    items.push((
        NO_DATA,
        lang.pick("pas de valeur", "no data").into(),
        no_data,
    ));
    let data = if n > RASTER_ABOVE {
        String::new()
    } else {
        cell_data(spec, &positions, side, lang)
    };
    let layers = layer_names(spec, lang);
    let note = match spec.breaks {
        Breaks::Fixed(_) => lang.pick(
            "Classes fixes ; chaque classe inclut sa borne haute.",
            "Fixed classes; each class includes its upper bound.",
        ),
        _ => lang.pick(
            "Classes par quantiles des carreaux ; chaque classe inclut sa borne haute.",
            "Quantile classes of the cells; each class includes its upper bound.",
        ),
    };
    Ok(super::interactive_figure(
        &super::FigureParts {
            title: spec.title,
            svg: &s,
            unit: spec.unit,
            items: &items,
            points: spec.points,
            note: &format!(
                "{note} {}",
                lang.pick(
                    "Nombre de carreaux entre parenthèses.",
                    "Number of cells in brackets."
                )
            ),
            layers: &layers,
            cell_data: &data,
            credits: spec.backdrop.credits,
        },
        lang,
    ))
}

/// Why the cells of `spec` cannot be drawn: lengths that differ, or a value not finite.
fn check_cells(spec: &CellMapSpec) -> Result<(), String> {
    let cells = &spec.cells;
    let n = cells.centres.len();
    if spec.values.len() != n || cells.ids.len() != n || cells.population.len() != n {
        return Err(format!(
            "{} values, {} identifiers and {} populations for {n} cells",
            spec.values.len(),
            cells.ids.len(),
            cells.population.len()
        ));
    }
    match spec
        .values
        .iter()
        .position(|v| v.is_some_and(|x| !x.is_finite()))
    {
        Some(i) => Err(format!("cell {}: value is not finite", cells.ids[i])),
        None => Ok(()),
    }
}

/// The cells as one SVG path per class (the no-data class last): squares `side` pixels
/// wide, or round dots when the cells have no size (`squares` false).
fn vector(
    positions: &[(f64, f64)],
    class_of: &[Option<usize>],
    colours: &[&str],
    side: f64,
    squares: bool,
) -> String {
    let mut paths = vec![String::new(); colours.len() + 1];
    for ((x, y), k) in positions.iter().zip(class_of) {
        let d = &mut paths[k.unwrap_or(colours.len())];
        if squares {
            let _ = write!(
                d,
                "M{} {}h{}v{}h-{}z",
                px(x - side / 2.0),
                px(y - side / 2.0),
                px(side),
                px(side),
                px(side)
            );
        } else {
            let _ = write!(d, "M{} {}h0", px(*x), px(*y));
        }
    }
    let mut s = String::new();
    for (k, d) in paths.iter().enumerate().filter(|(_, d)| !d.is_empty()) {
        let fill = colours.get(k).copied().unwrap_or(NO_DATA);
        if squares {
            let _ = writeln!(s, "<path fill=\"{fill}\" d=\"{d}\"/>");
        } else {
            let _ = writeln!(s, "<path fill=\"none\" stroke=\"{fill}\" stroke-width=\"{}\" stroke-linecap=\"round\" d=\"{d}\"/>", px(side));
        }
    }
    s
}

/// The cells' screen positions (0.1 pixel), values as shown and half side, as the JSON the
/// page's pointer reads (`</` escaped to stay inside its `<script>`).
fn cell_data(spec: &CellMapSpec, positions: &[(f64, f64)], side: f64, lang: Lang) -> String {
    let xs: Vec<f64> = positions
        .iter()
        .map(|p| (p.0 * 10.0).round() / 10.0)
        .collect();
    let ys: Vec<f64> = positions
        .iter()
        .map(|p| (p.1 * 10.0).round() / 10.0)
        .collect();
    let values: Vec<Option<String>> = spec
        .values
        .iter()
        .map(|v| v.map(|x| lang.number(x, spec.decimals)))
        .collect();
    serde_json::json!({"half": (side / 2.0).max(2.0), "x": xs, "y": ys, "v": values, "unit": spec.unit})
        .to_string()
        .replace("</", "<\\/")
}

/// The map's layers the reader can switch: `(data-layer, label)`.
fn layer_names<'a>(spec: &'a CellMapSpec, lang: Lang) -> Vec<(&'a str, &'a str)> {
    let mut layers: Vec<(&str, &str)> = vec![("cells", lang.pick("carreaux", "cells"))];
    if !spec.backdrop.roads.is_empty() {
        layers.push(("roads", lang.pick("routes", "roads")));
    }
    for o in &spec.backdrop.outlines {
        layers.push((o.layer.kind.as_str(), o.layer.kind.as_str()));
    }
    if spec.points.is_some() {
        layers.push(("sites", lang.pick("sites", "sites")));
    }
    layers
}

/// The cells as one PNG image (two image pixels per screen pixel) in an `<image>`.
fn raster(
    positions: &[(f64, f64)],
    class_of: &[Option<usize>],
    colours: &[&str],
    side: f64,
    w: f64,
    h: f64,
) -> String {
    const DENSITY: f64 = 2.0;
    let (iw, ih) = ((w * DENSITY).ceil() as usize, (h * DENSITY).ceil() as usize);
    let mut rgba = vec![0u8; iw * ih * 4];
    let rgb = |c: &str| {
        let v = u32::from_str_radix(c.trim_start_matches('#'), 16).unwrap_or(0xbdbdbd);
        [(v >> 16) as u8, (v >> 8) as u8, v as u8, 255]
    };
    let fills: Vec<[u8; 4]> = colours.iter().map(|c| rgb(c)).collect();
    let none = rgb(NO_DATA);
    let half = side * DENSITY / 2.0;
    for ((x, y), k) in positions.iter().zip(class_of) {
        let fill = k.map(|k| fills[k]).unwrap_or(none);
        let (cx, cy) = (x * DENSITY, y * DENSITY);
        let (c0, c1) = (
            (cx - half).floor().max(0.0) as usize,
            ((cx + half).ceil() as usize).min(iw),
        );
        let (r0, r1) = (
            (cy - half).floor().max(0.0) as usize,
            ((cy + half).ceil() as usize).min(ih),
        );
        for r in r0..r1.max(r0 + 1).min(ih) {
            for c in c0..c1.max(c0 + 1).min(iw) {
                rgba[(r * iw + c) * 4..(r * iw + c) * 4 + 4].copy_from_slice(&fill);
            }
        }
    }
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, iw as u32, ih as u32);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::High);
        // Writing into memory cannot fail for an image whose size matches its buffer.
        if let Ok(mut wr) = enc.write_header() {
            let _ = wr.write_image_data(&rgba);
        }
    }
    format!(
        "<image x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" preserveAspectRatio=\"none\" href=\"data:image/png;base64,{}\"/>\n",
        base64::engine::general_purpose::STANDARD.encode(&png_bytes)
    )
}

/// The roads: main roads darker and wider, simplified to [`ROAD_TOLERANCE_PX`].
fn roads(s: &mut String, roads: &[Road], proj: &Projection) {
    if roads.is_empty() {
        return;
    }
    let mut d = [String::new(), String::new(), String::new()];
    for r in roads {
        let line: LineString<f64> = r.coords.iter().map(|(x, y)| proj.apply(*x, *y)).collect();
        let line = line.simplify(ROAD_TOLERANCE_PX);
        let dd = &mut d[usize::from(r.rank.min(2))];
        for (i, c) in line.coords().enumerate() {
            let _ = write!(
                dd,
                "{}{} {}",
                if i == 0 { "M" } else { " L" },
                px(c.x),
                px(c.y)
            );
        }
    }
    s.push_str("<g data-layer=\"roads\" fill=\"none\" stroke-linecap=\"round\" stroke-linejoin=\"round\" pointer-events=\"none\">\n");
    for (rank, (stroke, width)) in [("#555555", 1.6), ("#777777", 0.9), ("#999999", 0.5)]
        .iter()
        .enumerate()
        .rev()
    {
        if !d[rank].is_empty() {
            let _ = writeln!(s, "<path stroke=\"{stroke}\" stroke-opacity=\"0.75\" stroke-width=\"{width}\" d=\"{}\"/>", d[rank]);
        }
    }
    s.push_str("</g>\n");
}

/// One outlined layer with its names where they fit.
fn outline(s: &mut String, o: &Outline, proj: &Projection) {
    let (stroke, width, dash, font) = match o.style {
        OutlineStyle::Boundary => ("#252525", 1.2, "", 11.0),
        OutlineStyle::Emphasis => ("#6a3d9a", 2.2, " stroke-dasharray=\"6 3\"", 10.0),
    };
    let _ = writeln!(
        s,
        "<g data-layer=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width}\"{dash} pointer-events=\"none\">",
        escape(&o.layer.kind)
    );
    for u in &o.layer.units {
        let d = svg::path_data(&u.geometry, proj);
        let _ = writeln!(
            s,
            "<path d=\"{d}\"><title>{}</title></path>",
            escape(&u.name)
        );
    }
    let units = o.layer.units.iter().map(|u| (u.name.as_str(), &u.geometry));
    let mut labels = String::new();
    for (x, y, name) in svg::place_labels(units, proj, font, 0.8) {
        let _ = writeln!(
            labels,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            px(x),
            px(y),
            escape(&name)
        );
    }
    s.push_str("</g>\n");
    if !labels.is_empty() {
        let _ = writeln!(
            s,
            "<g data-layer=\"{}\" class=\"labels\" font-size=\"{font}\" fill=\"{stroke}\" text-anchor=\"middle\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\" pointer-events=\"none\">\n{labels}</g>",
            escape(&o.layer.kind)
        );
    }
}

/// The longest of 1, 2, 5 × 10ⁿ metres at most `max_px` pixels long.
fn scale_length(ppm: f64, max_px: f64) -> f64 {
    let max_m = max_px / ppm;
    let p = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0]
        .iter()
        .map(|m| m * p)
        .find(|v| *v <= max_m)
        .unwrap_or(p)
}

/// A scale bar at the bottom left.
fn scale_bar(s: &mut String, ppm: f64, h: f64) {
    if !(ppm.is_finite() && ppm > 0.0) {
        return;
    }
    let m = scale_length(ppm, 120.0);
    let len = m * ppm;
    let text = if m >= 1000.0 {
        format!("{} km", m / 1000.0)
    } else {
        format!("{m} m")
    };
    let y = h - 14.0;
    let _ = writeln!(
        s,
        "<g class=\"scale\" pointer-events=\"none\"><rect x=\"10\" y=\"{}\" width=\"{}\" height=\"22\" fill=\"#ffffff\" fill-opacity=\"0.8\"/><path d=\"M16 {} v5 h{} v-5\" fill=\"none\" stroke=\"#000000\" stroke-width=\"1.5\"/><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{text}</text></g>",
        px(y - 14.0),
        px(len + 12.0),
        px(y),
        px(len),
        px(16.0 + len / 2.0),
        px(y - 2.0)
    );
}

/// A north arrow at the top right (north is up on the display projection).
fn north_arrow(s: &mut String, w: f64) {
    let x = w - 22.0;
    let _ = writeln!(
        s,
        "<g class=\"north\" pointer-events=\"none\"><path d=\"M{} 30 l6 -16 l6 16 l-6 -5 z\" fill=\"#000000\"/><text x=\"{}\" y=\"42\" font-size=\"11\" text-anchor=\"middle\">N</text></g>",
        px(x - 6.0),
        px(x)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Centres, identifiers, inhabitants and values of a test grid.
    type Grid = (Vec<(f64, f64)>, Vec<String>, Vec<f64>, Vec<Option<f64>>);

    /// An `n × n` grid of 200 m cells from (2.0° E, 46.0° N), values = row + column minutes.
    fn grid(n: usize) -> Grid {
        let d_lat = 200.0 / METRES_PER_DEGREE;
        let d_lon = d_lat / 46f64.to_radians().cos();
        let mut centres = Vec::with_capacity(n * n);
        let mut values = Vec::with_capacity(n * n);
        for r in 0..n {
            for c in 0..n {
                centres.push((2.0 + c as f64 * d_lon, 46.0 + r as f64 * d_lat));
                values.push((r + c > 0).then_some((r + c) as f64));
            }
        }
        let ids = (0..n * n).map(|i| format!("c{i}")).collect();
        (centres, ids, vec![10.0; n * n], values)
    }

    fn render_grid(n: usize) -> String {
        let (centres, ids, population, values) = grid(n);
        let places = vec![String::new(); n * n];
        let backdrop = Backdrop {
            roads: &[],
            outlines: vec![],
            credits: &["INSEE, Filosofi".to_string()],
        };
        render(
            &CellMapSpec {
                title: "t",
                unit: "minutes",
                cells: CellLayer {
                    centres: &centres,
                    ids: &ids,
                    population: &population,
                    places: &places,
                    side_m: 200.0,
                },
                values: &values,
                breaks: Breaks::Fixed(vec![5.0, 10.0]),
                polarity: Polarity::LowerIsBetter,
                decimals: 0,
                backdrop: &backdrop,
                points: None,
            },
            Lang::Fr,
            720.0,
        )
        .unwrap()
    }

    #[test]
    fn a_small_grid_is_one_vector_path_per_class_with_click_data() {
        // 4 × 4 cells: value r + c (1 to 6), cell (0, 0) without value; classes ≤ 5,
        // 5 – 10, > 10: 14, 1 and 0 cells.
        let h = render_grid(4);
        assert_eq!(
            h.matches("<path fill=").count(),
            3,
            "two classes and no data"
        );
        assert_eq!(h.matches("h-").count(), 16, "one square per cell");
        assert!(h.contains("≤ 5 <span class=\"n\">(14)</span>"), "{h}");
        assert!(h.contains("5 – 10 <span class=\"n\">(1)</span>"), "{h}");
        assert!(h.contains("pas de valeur <span class=\"n\">(1)</span>"));
        assert!(h.contains("<script type=\"application/json\" class=\"cell-data\">"));
        assert!(h.contains("\"v\":[null,\"1\",\"2\""), "{h}");
        assert!(h.contains("Sources : INSEE, Filosofi"));
        assert!(h.contains("data-layer=\"cells\""));
        assert!(!h.contains("<image"));
    }

    #[test]
    fn a_large_grid_is_drawn_as_one_image() {
        // 300 × 300 = 90,000 cells (a 60 km square): one PNG, no per-cell data.
        let h = render_grid(300);
        assert_eq!(h.matches("<image ").count(), 1);
        assert!(h.contains("href=\"data:image/png;base64,"));
        assert!(!h.contains("class=\"cell-data\""));
        assert!(
            h.contains("&gt; 10 <span class=\"n\">(89934)</span>"),
            "legend counts"
        );
        assert!(h.len() < 400_000, "{} bytes", h.len());
    }

    #[test]
    fn scale_bar_lengths_are_round() {
        assert_eq!(scale_length(0.1, 120.0), 1000.0);
        assert_eq!(scale_length(0.05, 120.0), 2000.0);
        assert_eq!(scale_length(0.2, 120.0), 500.0);
        assert_eq!(scale_length(1.0, 120.0), 100.0);
    }
}
