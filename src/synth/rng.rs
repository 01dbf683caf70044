//! The seeded pseudo-random sequence behind every synthetic territory: SplitMix64.
//!
//! SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
//! OOPSLA 2014; reference C code by S. Vigna, <https://prng.di.unimi.it/splitmix64.c>) is
//! chosen over `rand` + `rand_pcg` because its output is fixed by the five lines below, on
//! every machine and for every future version of this crate: `rand`'s `StdRng` explicitly
//! reserves the right to change algorithm, and its distribution helpers (floats, ranges) have
//! changed between releases. The generator needs nothing more than uniform integers and
//! floats, which are derived here with plain integer arithmetic, so a seed pins the output
//! byte for byte.

/// SplitMix64 state: a 64-bit counter advanced by the golden-ratio increment.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A sequence starting from `seed` (any value, 0 included).
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// A sequence for sub-stream `stream` of `seed`, independent of how many numbers other
    /// sub-streams draw (each town gets its own, so adding a street to one town does not
    /// move every other town).
    pub fn derive(seed: u64, stream: u64) -> Self {
        let mut s = SplitMix64::new(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        SplitMix64::new(s.next_u64())
    }

    /// Next 64 uniformly distributed bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform float in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform float in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// A uniform integer in `0..n` (Lemire's multiply-shift; `n = 0` gives 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_splitmix64_sequence() {
        // First outputs of Vigna's splitmix64.c with x = 0.
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(r.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn floats_and_bounded_integers_stay_in_range() {
        let mut r = SplitMix64::new(7);
        for _ in 0..10_000 {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            assert!(r.below(5) < 5);
            let x = r.range(-2.0, 3.0);
            assert!((-2.0..3.0).contains(&x));
        }
        assert_eq!(r.below(0), 0);
    }

    #[test]
    fn derived_streams_differ_and_repeat() {
        let a = SplitMix64::derive(1, 0).next_u64();
        let b = SplitMix64::derive(1, 1).next_u64();
        assert_ne!(a, b);
        assert_eq!(a, SplitMix64::derive(1, 0).next_u64());
    }
}
