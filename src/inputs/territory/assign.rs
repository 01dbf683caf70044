//! Which units contain a point: an R-tree over the bounding box of every polygon of every
//! unit narrows the candidates, an exact point-in-polygon test decides
//! ([`geo::CoordinatePosition`]: inside, on the boundary, outside, with robust orientation
//! predicates).
//!
//! Points on boundaries: a point inside a unit belongs to it. A point on the boundary of
//! some units and inside none of them goes to exactly one of them, the one with the
//! smallest code (byte order), so that in a partition (communes, IRIS) every point of a
//! shared edge or corner gets exactly one unit, the same whatever the order of the layer;
//! a point on the outer edge of a layer goes to the unit it borders. In overlapping layers
//! (CPTS) a point gets every unit whose interior holds it, plus at most one unit whose
//! boundary it lies on.

use super::UnitLayer;
use geo::coordinate_position::CoordPos;
use geo::{BoundingRect, Coord, CoordinatePosition};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

/// A polygon's bounding box tagged with the index of its unit.
type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Spatial index of a unit layer for point assignment (the layer is borrowed, not copied).
pub struct UnitIndex<'a> {
    tree: RTree<Entry>,
    layer: &'a UnitLayer,
}

impl<'a> UnitIndex<'a> {
    /// Indexes every polygon of every unit of `layer` (WGS84 degrees).
    pub fn new(layer: &'a UnitLayer) -> UnitIndex<'a> {
        let entries: Vec<Entry> = layer
            .units
            .iter()
            .enumerate()
            .flat_map(|(i, u)| {
                u.geometry.0.iter().filter_map(move |p| {
                    let r = p.bounding_rect()?;
                    let rect =
                        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                    Some(GeomWithData::new(rect, i))
                })
            })
            .collect();
        UnitIndex {
            tree: RTree::bulk_load(entries),
            layer,
        }
    }

    /// Indexes (in the layer) of the units containing the point (`lon`, `lat` in degrees),
    /// ascending, under the boundary rule of the module documentation; empty when the point
    /// is in no unit or not finite.
    pub fn units_of(&self, lon: f64, lat: f64) -> Vec<usize> {
        if !lon.is_finite() || !lat.is_finite() {
            return Vec::new();
        }
        let mut candidates: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_point([lon, lat]))
            .map(|e| e.data)
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let coord = Coord { x: lon, y: lat };
        let mut inside = Vec::new();
        let mut boundary: Option<usize> = None;
        for i in candidates {
            let unit = &self.layer.units[i];
            match unit.geometry.coordinate_position(&coord) {
                CoordPos::Inside => inside.push(i),
                CoordPos::OnBoundary => {
                    if boundary.is_none_or(|b| unit.code < self.layer.units[b].code) {
                        boundary = Some(i);
                    }
                }
                CoordPos::Outside => {}
            }
        }
        if let Some(b) = boundary {
            let at = inside.partition_point(|&i| i < b);
            inside.insert(at, b);
        }
        inside
    }

    /// [`UnitIndex::units_of`] for every `(lon, lat)` point, in parallel; the result is in
    /// input order whatever the thread count.
    pub fn assign_points(&self, points: &[(f64, f64)]) -> Vec<Vec<usize>> {
        points
            .par_iter()
            .map(|&(lon, lat)| self.units_of(lon, lat))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::territory::Unit;
    use geo::{polygon, MultiPolygon};

    fn rect(code: &str, x0: f64, y0: f64, x1: f64, y1: f64) -> Unit {
        Unit {
            kind: "t".into(),
            code: code.into(),
            name: code.into(),
            geometry: MultiPolygon(vec![polygon![
                (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)
            ]]),
            population: None,
        }
    }

    fn layer(units: Vec<Unit>) -> UnitLayer {
        UnitLayer {
            kind: "t".into(),
            units,
            repaired: vec![],
        }
    }

    #[test]
    fn shared_edges_and_corners_go_to_the_smallest_code() {
        // Layer order differs from code order: the rule must follow codes.
        let units = layer(vec![
            rect("B", 1.0, 0.0, 2.0, 1.0),
            rect("A", 0.0, 0.0, 1.0, 1.0),
            rect("D", 1.0, 1.0, 2.0, 2.0),
            rect("C", 0.0, 1.0, 1.0, 2.0),
        ]);
        let idx = UnitIndex::new(&units);
        assert_eq!(idx.units_of(0.5, 0.5), vec![1]);
        assert_eq!(idx.units_of(1.5, 0.5), vec![0]);
        // Edge between A and B, edge between B and D, the corner of all four.
        assert_eq!(idx.units_of(1.0, 0.5), vec![1]);
        assert_eq!(idx.units_of(1.5, 1.0), vec![0]);
        assert_eq!(idx.units_of(1.0, 1.0), vec![1]);
        // Outer edge of D alone.
        assert_eq!(idx.units_of(2.0, 1.5), vec![2]);
        assert!(idx.units_of(3.0, 0.5).is_empty());
        assert!(idx.units_of(f64::NAN, 0.5).is_empty());
    }

    #[test]
    fn overlapping_territories_all_contain_the_point() {
        let units = layer(vec![
            rect("CPTS 1", 0.0, 0.0, 2.0, 2.0),
            rect("CPTS 2", 1.0, 1.0, 3.0, 3.0),
            rect("CPTS 3", 1.5, 0.0, 3.0, 1.0),
        ]);
        let idx = UnitIndex::new(&units);
        assert_eq!(idx.units_of(1.5, 1.5), vec![0, 1]);
        assert_eq!(idx.units_of(0.5, 0.5), vec![0]);
        // Inside CPTS 1, on the boundary of CPTS 2 and CPTS 3 (smallest code wins).
        assert_eq!(idx.units_of(1.75, 1.0), vec![0, 1]);
        assert_eq!(idx.units_of(2.5, 2.5), vec![1]);
    }

    #[test]
    fn parallel_assignment_keeps_input_order() {
        let units = layer(vec![
            rect("A", 0.0, 0.0, 1.0, 1.0),
            rect("B", 1.0, 0.0, 2.0, 1.0),
        ]);
        let idx = UnitIndex::new(&units);
        let pts: Vec<(f64, f64)> = (0..1000).map(|i| (i as f64 * 0.0025, 0.5)).collect();
        let got = idx.assign_points(&pts);
        for (p, units) in pts.iter().zip(&got) {
            assert_eq!(units, &idx.units_of(p.0, p.1));
        }
        assert_eq!(got[0], vec![0]);
        assert_eq!(got[400], vec![0]);
        assert_eq!(got[401], vec![1]);
        assert!(got[999].is_empty());
    }
}
