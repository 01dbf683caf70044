//! Inline SVG for choropleth maps: a display projection, path data for polygons, the `<svg>`
//! element.
//!
//! Projection (display only, never used for measurement): *equirectangular* around the
//! centre of the layer's bounding box, `x = (λ − λ₀)·cos φ₀`, `y = φ` in degrees
//! (Snyder, *Map Projections — A Working Manual*, USGS PP 1395, 1987, p. 90), then scaled
//! uniformly to fit the frame and flipped so north is up. At the latitude of the centre the
//! map is conformal; over a département (±1°) the north–south scale error stays below 2 %,
//! invisible on a map of a few hundred pixels.
//!
//! Rings are simplified in pixel space before they are written (Ramer–Douglas–Peucker);
//! a ring reduced below a triangle is not drawn.
//!
//! Output is deterministic: pixel coordinates are written with one decimal, `-0.0` as
//! `0.0`, and consecutive vertices falling on the same rounded pixel are written once.

use super::html::escape;
use geo::{BoundingRect, LineString, MultiPolygon, Rect, Simplify};
use std::fmt::Write;

/// Outlines are simplified to this many pixels (Ramer–Douglas–Peucker, geo's
/// [`Simplify`]) before they are written: a commune drawn 700 pixels wide needs no vertex
/// closer than that to the line through its neighbours.
const SIMPLIFY_PX: f64 = 0.3;

/// Margin around the drawing, pixels.
const MARGIN: f64 = 8.0;

/// Width of a label's character as a share of the font size (a sans-serif average).
const CHAR_WIDTH: f64 = 0.55;

/// The names of `units` (name, outline) that fit in their drawn box and do not overlap a
/// name placed before them: `(x, y, name)` in pixels, at each unit's interior point.
///
/// A name fits when the unit's drawn box is at least `fit` times the text's width and
/// twice (`fit` < 1: one and a half times) the font size high. Larger units are placed
/// first (greedy placement, the usual first pass of cartographic labelling); a name whose
/// box — the text's width by the font size, plus a quarter of the font size around —
/// meets a placed one is left out, never drawn over it. Ties keep the units' order, so the
/// same layer gives the same labels.
pub fn place_labels<'a>(
    units: impl Iterator<Item = (&'a str, &'a MultiPolygon<f64>)>,
    proj: &Projection,
    font: f64,
    fit: f64,
) -> Vec<(f64, f64, String)> {
    let min_height = if fit < 1.0 { 1.5 } else { 2.0 } * font;
    let mut candidates: Vec<(f64, f64, f64, &str)> = units
        .filter_map(|(name, geometry)| {
            let bb = geometry.bounding_rect()?;
            let p = geo::InteriorPoint::interior_point(geometry)?;
            let (a, b) = (
                proj.apply(bb.min().x, bb.min().y),
                proj.apply(bb.max().x, bb.max().y),
            );
            let (w, h) = ((b.0 - a.0).abs(), (a.1 - b.1).abs());
            let text_w = name.chars().count() as f64 * font * CHAR_WIDTH;
            if w < text_w * fit || h < min_height {
                return None;
            }
            let (x, y) = proj.apply(p.x(), p.y());
            Some((w * h, x, y, name))
        })
        .collect();
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    let pad = font * 0.25;
    let mut placed: Vec<[f64; 4]> = Vec::new();
    let mut out = Vec::new();
    for (_, x, y, name) in candidates {
        let half_w = name.chars().count() as f64 * font * CHAR_WIDTH / 2.0 + pad;
        let b = [x - half_w, y - font - pad, x + half_w, y + pad];
        let meets = |o: &[f64; 4]| b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3];
        if placed.iter().any(meets) {
            continue;
        }
        placed.push(b);
        out.push((x, y, name.to_string()));
    }
    out
}

/// The display projection of one map: degrees → pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projection {
    /// Longitude of the centre, degrees.
    lon0: f64,
    /// cos of the latitude of the centre.
    k: f64,
    /// Pixels per projected degree.
    scale: f64,
    /// West edge of the bounding box, projected degrees.
    x_min: f64,
    /// North edge of the bounding box, degrees.
    y_max: f64,
    /// Frame width, pixels.
    width: f64,
    /// Frame height, pixels.
    height: f64,
}

impl Projection {
    /// The projection fitting the WGS84 box `bbox` (degrees) into a frame `width` pixels
    /// wide and at most `max_height` pixels high; the frame's height follows the box's shape.
    pub fn fit(bbox: Rect<f64>, width: f64, max_height: f64) -> Projection {
        let (min, max) = (bbox.min(), bbox.max());
        let lon0 = (min.x + max.x) / 2.0;
        let k = ((min.y + max.y) / 2.0).to_radians().cos();
        let dx = ((max.x - min.x) * k).max(1e-9);
        let dy = (max.y - min.y).max(1e-9);
        let scale = ((width - 2.0 * MARGIN) / dx).min((max_height - 2.0 * MARGIN) / dy);
        Projection {
            lon0,
            k,
            scale,
            x_min: (min.x - lon0) * k,
            y_max: max.y,
            width,
            height: ((dy * scale + 2.0 * MARGIN) * 10.0).round() / 10.0,
        }
    }

    /// Frame width and height, pixels.
    pub fn size(&self) -> (f64, f64) {
        (self.width, self.height)
    }

    /// Pixel position (x right, y down) of WGS84 `(lon, lat)` in degrees.
    pub fn apply(&self, lon: f64, lat: f64) -> (f64, f64) {
        let x = (lon - self.lon0) * self.k;
        (
            MARGIN + (x - self.x_min) * self.scale,
            MARGIN + (self.y_max - lat) * self.scale,
        )
    }
}

/// The bounding box of all the geometries, `None` when there is none.
pub fn bounding_box<'a>(
    geoms: impl IntoIterator<Item = &'a MultiPolygon<f64>>,
) -> Option<Rect<f64>> {
    geoms
        .into_iter()
        .filter_map(|g| g.bounding_rect())
        .reduce(|a, b| {
            Rect::new(
                (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
                (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
            )
        })
}

/// `v` with one decimal, `-0.0` written `0.0`.
pub fn px(v: f64) -> String {
    let s = format!("{v:.1}");
    if s == "-0.0" {
        "0.0".into()
    } else {
        s
    }
}

/// SVG path data of `mp`: one `M … L … Z` subpath per ring (exterior and holes; draw with
/// `fill-rule="evenodd"`), closing vertex left to `Z`.
pub fn path_data(mp: &MultiPolygon<f64>, proj: &Projection) -> String {
    let mut d = String::new();
    for poly in &mp.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            let mut last: Option<(String, String)> = None;
            let mut first: Option<(String, String)> = None;
            let projected: LineString<f64> = ring.0.iter().map(|c| proj.apply(c.x, c.y)).collect();
            let simplified = projected.simplify(SIMPLIFY_PX);
            if simplified.0.len() < 4 {
                continue;
            }
            let coords = simplified.0.as_slice();
            let open = match coords {
                [a, .., b] if a == b => &coords[..coords.len() - 1],
                _ => coords,
            };
            for c in open {
                let p = (px(c.x), px(c.y));
                if last.as_ref() == Some(&p) {
                    continue;
                }
                let cmd = if first.is_none() { 'M' } else { 'L' };
                if !d.is_empty() && cmd == 'M' {
                    d.push(' ');
                }
                if cmd == 'L' {
                    d.push(' ');
                }
                let _ = write!(d, "{cmd}{} {}", p.0, p.1);
                first.get_or_insert_with(|| p.clone());
                last = Some(p);
            }
            if first.is_some() {
                d.push('Z');
            }
        }
    }
    d
}

/// One shape of a map: path data, fill colour and hover text.
pub struct Shape {
    /// SVG path data.
    pub d: String,
    /// Fill colour, CSS.
    pub fill: &'static str,
    /// Tooltip text (unescaped).
    pub title: String,
}

/// The `<svg>` element of a map: the shapes, then the points as small dark circles on top,
/// then the unit names `labels` (`(x, y, text)` in pixels) with a white halo.
pub fn svg(
    proj: &Projection,
    label: &str,
    shapes: &[Shape],
    points: &[(f64, f64)],
    points_title: &str,
    labels: &[(f64, f64, String)],
) -> String {
    let (w, h) = proj.size();
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">\n<g stroke=\"#ffffff\" stroke-width=\"0.5\" stroke-linejoin=\"round\" fill-rule=\"evenodd\">\n",
        escape(label)
    );
    for sh in shapes {
        let _ = writeln!(
            s,
            "<path d=\"{}\" fill=\"{}\"><title>{}</title></path>",
            sh.d,
            sh.fill,
            escape(&sh.title)
        );
    }
    s.push_str("</g>\n");
    if !points.is_empty() {
        let _ = writeln!(
            s,
            "<g fill=\"#253494\" stroke=\"#ffffff\" stroke-width=\"0.8\"><title>{}</title>",
            escape(points_title)
        );
        for (lon, lat) in points {
            let (x, y) = proj.apply(*lon, *lat);
            let _ = writeln!(s, "<circle cx=\"{}\" cy=\"{}\" r=\"3\"/>", px(x), px(y));
        }
        s.push_str("</g>\n");
    }
    if !labels.is_empty() {
        s.push_str("<g class=\"labels\" font-size=\"10\" fill=\"#252525\" text-anchor=\"middle\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\" pointer-events=\"none\">\n");
        for (x, y, t) in labels {
            let _ = writeln!(
                s,
                "<text x=\"{}\" y=\"{}\">{}</text>",
                px(*x),
                px(*y),
                escape(t)
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    /// A square of side `d` degrees with its south-west corner at `(x, y)`.
    fn square(x: f64, y: f64, d: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x, y: y), (x: x + d, y: y), (x: x + d, y: y + d), (x: x, y: y + d), (x: x, y: y)
        ]])
    }

    #[test]
    fn labels_that_would_overlap_are_left_out_largest_first() {
        // Frame 0.5° wide (the squares' extent), 200 px: 368 px per degree inside the
        // 8 px margins. A big square (0.5°) and a smaller one (0.3°) whose centres lie on
        // the same parallel 0.05° (18 px) apart: their 10 px names, 4 characters (22 px
        // wide plus 2.5 px around), overlap, and only the big square's is kept. A third
        // square far to the north keeps its name.
        let big = square(0.0, 0.0, 0.5);
        let small = square(0.15, 0.1, 0.3);
        let far = square(0.0, 0.6, 0.4);
        let bbox = bounding_box([&big, &small, &far]).unwrap();
        let proj = Projection::fit(bbox, 200.0, 1000.0);
        let units = [("Sml1", &small), ("Big1", &big), ("Far1", &far)];
        let placed = place_labels(units.iter().map(|(n, g)| (*n, *g)), &proj, 10.0, 1.0);
        let names: Vec<&str> = placed.iter().map(|p| p.2.as_str()).collect();
        assert_eq!(names, ["Big1", "Far1"]);
        // A unit too narrow for its name gets none.
        let narrow = square(0.0, 0.0, 0.01);
        let none = place_labels([("A long name", &narrow)].into_iter(), &proj, 10.0, 1.0);
        assert!(none.is_empty());
    }

    #[test]
    fn tiny_polygon_path_is_exact() {
        // A 0.1° square centred on the equator (cos φ₀ = 1) in a 100 px wide frame: 84 px
        // per 0.1° inside the 8 px margins.
        let mp = MultiPolygon(vec![polygon![
            (x: 0.0, y: -0.05), (x: 0.1, y: -0.05), (x: 0.1, y: 0.05), (x: 0.0, y: 0.05),
            (x: 0.0, y: -0.05)
        ]]);
        let bbox = bounding_box([&mp]).unwrap();
        let proj = Projection::fit(bbox, 100.0, 500.0);
        assert_eq!(proj.size(), (100.0, 100.0));
        assert_eq!(
            path_data(&mp, &proj),
            "M8.0 92.0 L92.0 92.0 L92.0 8.0 L8.0 8.0Z"
        );
    }

    #[test]
    fn holes_are_subpaths_and_repeated_pixels_are_written_once() {
        let mp = MultiPolygon(vec![polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)],
            interiors: [[(x: 0.4, y: 0.4), (x: 0.6, y: 0.4), (x: 0.6000001, y: 0.4), (x: 0.5, y: 0.6)]],
        )]);
        let proj = Projection::fit(bounding_box([&mp]).unwrap(), 26.0, 26.0);
        assert_eq!(
            path_data(&mp, &proj),
            "M8.0 18.0 L18.0 18.0 L18.0 8.0 L8.0 8.0Z M12.0 14.0 L14.0 14.0 L13.0 12.0Z"
        );
    }

    #[test]
    fn longitudes_shrink_with_the_cosine_of_the_centre_latitude() {
        // 1° × 1° box centred on 60° N: half as wide as high.
        let bbox = Rect::new((10.0, 59.5), (11.0, 60.5));
        let proj = Projection::fit(bbox, 1000.0, 216.0);
        let (w0, _) = proj.apply(10.0, 60.0);
        let (w1, _) = proj.apply(11.0, 60.0);
        let (_, n) = proj.apply(10.0, 60.5);
        let (_, s) = proj.apply(10.0, 59.5);
        assert!(((w1 - w0) / (s - n) - 0.5).abs() < 1e-9);
        assert_eq!(px(-0.04), "0.0");
    }
}
