//! Numbers as text, fast and byte for byte as Rust's `format!` writes them: the outputs
//! of 2 M origins hold 70 M numbers, and `format!` (with an allocation each) was most of
//! the time of writing them (issue 19).
//!
//! - [`fixed`]: `d` decimals, the exact binary value rounded half to even, as
//!   `format!("{x:.d$}")` does (Rust's `core::fmt` rounds the exact decimal expansion of
//!   the `f64`; ties, which only exact binary fractions can produce, go to the even last
//!   digit: `format!("{:.2}", 0.125)` is `0.12`). Computed in integers: `x = m·2^e`
//!   exactly, so `x·10^d = m·10^d·2^e` is an integer shift of a `u128` (`m < 2^53`,
//!   `10^d < 2^30`), rounded on the bits shifted out. Values of `2^63` or more, more than 9
//!   decimals and non-finite values go through `format!`.
//! - [`shortest`]: the shortest decimal that reads back as the same `f64`, laid out without
//!   exponent, as `x.to_string()` does. The digits come from Ryu (Adams, *Ryū: fast
//!   float-to-string conversion*, PLDI 2018; the `ryu` crate), which finds the same
//!   shortest, closest digits as `core::fmt`'s Grisu-with-Dragon-fallback; only the layout
//!   (Ryu writes `1e16`, `1.0`) is redone here.
//!
//! Both are checked against `format!` on random bit patterns and the edge cases (ties,
//! zeros of both signs, subnormals, powers of ten, non-finite values) in the tests.

use std::io::Write;

/// `x` with `d` decimals appended to `out`, the bytes of `format!("{x:.d$}")`; with
/// `one_zero`, a value that rounds to zero is written without its minus sign (`0.000`,
/// never `-0.000`).
pub fn fixed(x: f64, d: usize, one_zero: bool, out: &mut Vec<u8>) {
    if !x.is_finite() || d > 9 || x.abs() >= (1u64 << 63) as f64 {
        let start = out.len();
        // Writing into a Vec<u8> cannot fail.
        let _ = write!(out, "{x:.d$}");
        if one_zero
            && out[start] == b'-'
            && out[start + 1..].iter().all(|&b| b == b'0' || b == b'.')
        {
            out.remove(start);
        }
        return;
    }
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, e) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), biased - 1075)
    };
    let scale = 10u128.pow(d as u32);
    let p = u128::from(m) * scale;
    let q = if e >= 0 {
        p << e
    } else if -e >= 128 {
        // p < 2^83 is below half of 2^-e: rounds to zero.
        0
    } else {
        let s = -e as u32;
        let (q, rem) = (p >> s, p & ((1u128 << s) - 1));
        let half = 1u128 << (s - 1);
        if rem > half || (rem == half && q & 1 == 1) {
            q + 1
        } else {
            q
        }
    };
    if x.is_sign_negative() && (q != 0 || !one_zero) {
        out.push(b'-');
    }
    let mut ints = itoa::Buffer::new();
    out.extend_from_slice(ints.format(q / scale).as_bytes());
    if d > 0 {
        out.push(b'.');
        let digits = ints.format(q % scale).as_bytes();
        out.extend(std::iter::repeat_n(b'0', d - digits.len()));
        out.extend_from_slice(digits);
    }
}

/// `x` appended to `out` as `x.to_string()` writes it: the shortest decimal that reads
/// back as `x`, without exponent (`0.0000001`, `1e21` as 22 digits), `-0` for minus zero,
/// `NaN`, `inf`, `-inf`.
pub fn shortest(x: f64, out: &mut Vec<u8>) {
    if !x.is_finite() {
        let _ = write!(out, "{x}");
        return;
    }
    if tie_possible(x) {
        let _ = write!(out, "{x}");
        return;
    }
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(x).as_bytes();
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let (mantissa, exponent) = match text.iter().position(|&b| b == b'e') {
        Some(k) => (&text[..k], parse_exponent(&text[k + 1..])),
        None => (text, 0),
    };
    let mut digits = [0u8; 24];
    let mut n = 0;
    let mut point = exponent;
    let mut seen_point = false;
    for &b in mantissa {
        if b == b'.' {
            seen_point = true;
            continue;
        }
        if n == 0 && b == b'0' {
            // Leading zero: the point moves one digit left if it is still ahead.
            if seen_point {
                point -= 1;
            }
            continue;
        }
        digits[n] = b;
        n += 1;
        if !seen_point {
            point += 1;
        }
    }
    while n > 0 && digits[n - 1] == b'0' {
        n -= 1;
    }
    if negative {
        out.push(b'-');
    }
    if n == 0 {
        out.push(b'0');
        return;
    }
    let digits = &digits[..n];
    if point <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', point.unsigned_abs() as usize));
        out.extend_from_slice(digits);
    } else if point as usize >= n {
        out.extend_from_slice(digits);
        out.extend(std::iter::repeat_n(b'0', point as usize - n));
    } else {
        out.extend_from_slice(&digits[..point as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits[point as usize..]);
    }
}

/// Whether `x` could lie exactly halfway between two shortest candidates: `core::fmt` then
/// keeps the lower (even) one and Ryu may take the upper (`8.2340850830078125` is written
/// `8.234085083007812` by `format!`, `8.234085083007813` by Ryu). A halfway value has an
/// exact decimal expansion of at most 18 significant digits (two candidates of 16 or 17
/// digits inside one ulp, then the 5): `x = m·2^e` with `m` odd has `-e` decimals and
/// `m·5^-e` as significant digits when `e < 0`, and is an integer above 2^53 otherwise (below,
/// it is its own shortest text, no tie). Those few values go through `format!`.
fn tie_possible(x: f64) -> bool {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, e) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), biased - 1075)
    };
    if m == 0 {
        return false;
    }
    let (m, e) = (m >> m.trailing_zeros(), e + m.trailing_zeros() as i32);
    if e >= 0 {
        return x.abs() >= 9_007_199_254_740_992.0;
    }
    // 5^28 > 10^18: more than 18 significant digits whatever m.
    -e < 28 && u128::from(m) * 5u128.pow(-e as u32) < 1_000_000_000_000_000_000
}

/// The decimal exponent after Ryu's `e`, `-` allowed.
fn parse_exponent(text: &[u8]) -> i32 {
    let (sign, digits) = match text.split_first() {
        Some((b'-', rest)) => (-1, rest),
        _ => (1, text),
    };
    sign * digits
        .iter()
        .fold(0i32, |acc, &b| acc * 10 + i32::from(b - b'0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::rng::SplitMix64;

    fn fixed_text(x: f64, d: usize, one_zero: bool) -> String {
        let mut out = Vec::new();
        fixed(x, d, one_zero, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn shortest_text(x: f64) -> String {
        let mut out = Vec::new();
        shortest(x, &mut out);
        String::from_utf8(out).unwrap()
    }

    /// `format!`'s fixed text, minus sign dropped on zero when `one_zero`.
    fn std_fixed(x: f64, d: usize, one_zero: bool) -> String {
        let s = format!("{x:.d$}");
        if one_zero && s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
            s[1..].to_string()
        } else {
            s
        }
    }

    fn check(x: f64) {
        for d in [0, 1, 2, 3, 4, 6, 9, 12] {
            for one_zero in [false, true] {
                assert_eq!(
                    fixed_text(x, d, one_zero),
                    std_fixed(x, d, one_zero),
                    "{x:e} ({:#x}) with {d} decimals",
                    x.to_bits()
                );
            }
        }
        assert_eq!(
            shortest_text(x),
            x.to_string(),
            "{x:e} ({:#x})",
            x.to_bits()
        );
    }

    #[test]
    fn edge_cases_write_as_format_does() {
        let mut cases = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -2.5,
            0.125,
            0.375,
            -0.125,
            0.0005,
            0.0015,
            0.1 + 0.2,
            1.0 / 3.0,
            4.25,
            99.9995,
            -0.0001,
            1e-7,
            1.5e-7,
            1e15,
            1e16,
            1.234_567_890_123_456_7e17,
            1e21,
            1e22,
            1e300,
            9.223_372_036_854_775e18,
            2f64.powi(63),
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            5e-324,
            -5e-324,
            2.225_073_858_507_201e-308,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for k in 0..=60 {
            let p = 2f64.powi(k);
            cases.extend([p, -p, 1.0 / p, p + 0.5, p - 0.5, 10f64.powi(k - 30)]);
        }
        for x in cases {
            check(x);
        }
    }

    #[test]
    fn random_values_write_as_format_does() {
        let mut rng = SplitMix64::new(7);
        for _ in 0..200_000 {
            // Any bit pattern: every exponent, subnormals, NaNs and infinities.
            check(f64::from_bits(rng.next_u64()));
            // The ranges outputs hold: minutes, kilometres, shares, counts; exact ties.
            let scale = [1e-4, 1e-2, 1.0, 60.0, 1e3, 1e6][rng.below(6) as usize];
            check(rng.range(-1.0, 1.0) * scale);
            check(rng.below(1 << 20) as f64 / f64::from(1u32 << rng.below(20) as u32));
            check(f64::from(rng.below(5_400_000) as u32) / 60_000.0);
            // Short binary fractions: exact expansions of few digits, halfway cases.
            let short = (rng.next_u64() >> rng.below(64)) as f64;
            check(short * 2f64.powi(rng.below(140) as i32 - 70));
        }
    }
}
