//! Plane geometry of the generator: a metric frame around the territory, and the few
//! shapes it needs, using only `+ − × ÷ √` so that results are identical on every machine.
//!
//! Coordinates are built in metres (x east, y north) from the frame origin and turned into
//! degrees point by point: `lat = lat0 + y / 111 132`, `lon = lon0 + x / (111 320 · cos lat)`
//! (metres per degree of the WGS84 ellipsoid at mid-latitudes, rounded; a local
//! equirectangular projection, fine for synthetic data). `cos` is a Taylor polynomial rather
//! than the platform's libm, whose last bit may differ between systems, and the rotations
//! and circles below use unit vectors and fixed angles instead of `sin`/`cos`.

/// Metres per degree of latitude (mean value over France, rounded).
pub const M_PER_DEG_LAT: f64 = 111_132.0;
/// Metres per degree of longitude on the equator.
pub const M_PER_DEG_LON_EQ: f64 = 111_320.0;

/// A point or a vector in the frame, metres `[x east, y north]`.
pub type P = [f64; 2];

/// `a + b·k`.
pub fn add(a: P, b: P, k: f64) -> P {
    [a[0] + b[0] * k, a[1] + b[1] * k]
}

/// `a − b`.
pub fn sub(a: P, b: P) -> P {
    [a[0] - b[0], a[1] - b[1]]
}

/// Euclidean length of a vector, metres.
pub fn norm(v: P) -> f64 {
    (v[0] * v[0] + v[1] * v[1]).sqrt()
}

/// Distance between two points, metres.
pub fn dist(a: P, b: P) -> f64 {
    norm(sub(a, b))
}

/// The vector scaled to length 1 (`[1, 0]` for the zero vector).
pub fn unit(v: P) -> P {
    let n = norm(v);
    if n > 0.0 {
        [v[0] / n, v[1] / n]
    } else {
        [1.0, 0.0]
    }
}

/// The vector turned a quarter turn anticlockwise.
pub fn left(v: P) -> P {
    [-v[1], v[0]]
}

/// Dot product.
pub fn dot(a: P, b: P) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

/// Cosine of an angle in degrees, |angle| ≤ 90, by its Taylor series to the x¹⁸ term
/// (error below 1e-15 there); plain arithmetic, hence the same bits on every machine.
pub fn cos_deg(deg: f64) -> f64 {
    let x = deg * (std::f64::consts::PI / 180.0);
    let x2 = x * x;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..=9u32 {
        let k2 = f64::from(2 * k);
        term *= -x2 / ((k2 - 1.0) * k2);
        sum += term;
    }
    sum
}

/// The `n` vertices of a regular polygon of radius `r` around `c`, anticlockwise from the
/// direction `first` (a unit vector), for `n` in {4, 8, 12, 24}: angle steps of 90°, 45°, 30°
/// and 15° whose cosines are exact square-root expressions.
pub fn ring(c: P, r: f64, first: P, n: usize) -> Vec<P> {
    let (cs, sn) = match n {
        4 => (0.0, 1.0),
        8 => (0.5f64.sqrt(), 0.5f64.sqrt()),
        12 => (0.75f64.sqrt(), 0.5),
        _ => (
            (6f64.sqrt() + 2f64.sqrt()) / 4.0,
            (6f64.sqrt() - 2f64.sqrt()) / 4.0,
        ),
    };
    let mut d = first;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(add(c, d, r));
        d = [d[0] * cs - d[1] * sn, d[0] * sn + d[1] * cs];
    }
    out
}

/// Whether the segment `a`–`b` passes within `r` metres of `c`.
pub fn segment_near(a: P, b: P, c: P, r: f64) -> bool {
    let ab = sub(b, a);
    let len2 = dot(ab, ab);
    let t = if len2 > 0.0 {
        (dot(sub(c, a), ab) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    dist(add(a, ab, t), c) < r
}

/// Whether `p` (lon, lat) lies inside the polygon `poly` (lon, lat vertices, open ring), by
/// ray casting (W. R. Franklin's PNPOLY).
pub fn inside(poly: &[[f64; 2]], p: [f64; 2]) -> bool {
    let mut inside = false;
    let mut j = poly.len().wrapping_sub(1);
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[j]);
        if (a[1] > p[1]) != (b[1] > p[1])
            && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]
        {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// The metric frame: an origin in degrees and the conversions to and from it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Longitude of the origin, degrees.
    pub lon0: f64,
    /// Latitude of the origin, degrees.
    pub lat0: f64,
}

impl Frame {
    /// Degrees `(lon, lat)` of a frame point.
    pub fn to_deg(&self, p: P) -> (f64, f64) {
        let lat = self.lat0 + p[1] / M_PER_DEG_LAT;
        let lon = self.lon0 + p[0] / (M_PER_DEG_LON_EQ * cos_deg(lat));
        (lon, lat)
    }

    /// Frame point of degrees `(lon, lat)`.
    pub fn from_deg(&self, lon: f64, lat: f64) -> P {
        [
            (lon - self.lon0) * M_PER_DEG_LON_EQ * cos_deg(lat),
            (lat - self.lat0) * M_PER_DEG_LAT,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_polynomial_agrees_with_libm() {
        for d in [-90.0, -48.9, 0.0, 12.5, 42.3, 46.7, 51.1, 90.0] {
            assert!(
                (cos_deg(d) - f64::cos(f64::to_radians(d))).abs() < 1e-12,
                "{d}"
            );
        }
    }

    #[test]
    fn frame_round_trips_and_has_the_right_scale() {
        let f = Frame {
            lon0: 2.45,
            lat0: 48.9,
        };
        let (lon, lat) = f.to_deg([1000.0, 2000.0]);
        let p = f.from_deg(lon, lat);
        assert!((p[0] - 1000.0).abs() < 1e-6 && (p[1] - 2000.0).abs() < 1e-6);
        // 1 km east at 48.918° N is 1000 / (111 320 · 0.65714) = 0.013 670° of longitude.
        assert!(
            (lat - 48.918).abs() < 1e-3 && (lon - 2.45 - 0.013_670).abs() < 2e-6,
            "{lon}"
        );
    }

    #[test]
    fn rings_are_regular_and_anticlockwise() {
        for n in [4, 8, 12, 24] {
            let r = ring([10.0, 20.0], 5.0, [1.0, 0.0], n);
            assert_eq!(r.len(), n);
            for p in &r {
                assert!((dist(*p, [10.0, 20.0]) - 5.0).abs() < 1e-9);
            }
            assert!(r[1][1] > r[0][1], "second vertex turns north first");
        }
    }

    #[test]
    fn point_in_polygon_and_segment_distance() {
        let sq = [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]];
        assert!(inside(&sq, [1.0, 1.0]));
        assert!(!inside(&sq, [3.0, 1.0]));
        assert!(segment_near([0.0, 0.0], [10.0, 0.0], [5.0, 1.0], 2.0));
        assert!(!segment_near([0.0, 0.0], [10.0, 0.0], [12.5, 0.0], 2.0));
    }
}
