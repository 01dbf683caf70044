//! Exact floating-point summation: the sum of a sequence of finite `f64` rounded once, to
//! nearest (ties to even), as if computed in infinite precision.
//!
//! Shewchuk's algorithm (J. R. Shewchuk, "Adaptive Precision Floating-Point Arithmetic and
//! Fast Robust Geometric Predicates", *Discrete & Computational Geometry* 18:305–363, 1997):
//! the running sum is kept as a list of non-overlapping partials, each addition being an
//! error-free two-sum; the final rounding is that of CPython's `math.fsum` (partials added
//! from the largest, with the half-way correction). Because the result is the correctly
//! rounded exact sum, it does not depend on the order of the terms (nor on how work is split
//! between threads), and adding a non-negative term never makes it smaller.

use smallvec::SmallVec;

/// Running exact sum of finite `f64` terms. Terms can be taken back out
/// ([`ExactSum::sub`]) exactly, so a sum updated term by term ends bit-identical to the sum
/// of the final terms computed afresh.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ExactSum {
    /// Non-overlapping partials, increasing magnitude; their exact sum is the running sum.
    /// Sums of terms of one sign rarely need more than four: they stay inline.
    partials: SmallVec<[f64; 4]>,
}

impl ExactSum {
    /// Adds `x` (finite) to the running sum, exactly.
    pub(crate) fn add(&mut self, mut x: f64) {
        let mut kept = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        self.partials.push(x);
    }

    /// Takes `x` (finite) out of the running sum, exactly.
    pub(crate) fn sub(&mut self, x: f64) {
        self.add(-x);
    }

    /// The running sum, correctly rounded to the nearest `f64`; 0 for no term.
    pub(crate) fn value(&self) -> f64 {
        let p = &self.partials;
        let Some(mut n) = p.len().checked_sub(1) else {
            return 0.0;
        };
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }
}

/// Exact sum of `terms` (finite), correctly rounded; 0 for none.
pub(crate) fn exact_sum(terms: impl IntoIterator<Item = f64>) -> f64 {
    let mut s = ExactSum::default();
    for t in terms {
        s.add(t);
    }
    s.value()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cancellation_naive_summation_gets_wrong() {
        // 1e16 + 1 - 1e16 = 1 exactly; naive left-to-right gives 0 (1e16 + 1 rounds to 1e16).
        assert_eq!(exact_sum([1e16, 1.0, -1e16]), 1.0);
        // 0.1 + 0.2 + 0.3 rounded once: the nearest double to 0.6000000000000000055… is 0.6.
        assert_eq!(exact_sum([0.1, 0.2, 0.3]), 0.6);
        assert_eq!(exact_sum(Vec::new()), 0.0);
    }

    #[test]
    fn half_way_rounding_matches_fsum() {
        // 1 + 2^-53 + 2^-105: exactly above the half-way point between 1 and 1 + 2^-52, so
        // the correct rounding is 1 + 2^-52 (CPython's math.fsum gives 1.0000000000000002).
        let r = exact_sum([1.0, 2f64.powi(-53), 2f64.powi(-105)]);
        assert_eq!(r, 1.0 + 2f64.powi(-52));
        // 1 + 2^-53 alone is a tie: to even, 1.
        assert_eq!(exact_sum([1.0, 2f64.powi(-53)]), 1.0);
    }

    proptest! {
        #[test]
        fn terms_taken_out_leave_the_sum_of_the_rest(xs in prop::collection::vec(0.0f64..1e3, 0..30), out in prop::collection::vec(any::<bool>(), 30)) {
            let mut s = ExactSum::default();
            for x in &xs {
                s.add(*x);
            }
            let mut kept = Vec::new();
            for (x, o) in xs.iter().zip(&out) {
                if *o {
                    s.sub(*x);
                } else {
                    kept.push(*x);
                }
            }
            prop_assert_eq!(s.value().to_bits(), exact_sum(kept).to_bits());
        }
    }

    proptest! {
        #[test]
        fn order_does_not_matter(mut xs in prop::collection::vec(-1e6f64..1e6, 0..40), seed in 0u64..1000) {
            let a = exact_sum(xs.iter().copied());
            // A deterministic shuffle driven by `seed`.
            let n = xs.len();
            for i in (1..n).rev() {
                let j = ((seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64)) % (i as u64 + 1)) as usize;
                xs.swap(i, j);
            }
            prop_assert_eq!(a.to_bits(), exact_sum(xs.iter().copied()).to_bits());
        }

        #[test]
        fn integers_sum_exactly(xs in prop::collection::vec(-1_000_000i64..1_000_000, 0..50)) {
            let exact: i64 = xs.iter().sum();
            prop_assert_eq!(exact_sum(xs.iter().map(|&x| x as f64)), exact as f64);
        }
    }
}
