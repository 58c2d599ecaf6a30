//! Doubles to text without floating-point arithmetic and without tables: the writer used
//! when the `fast-float` feature (ryu) is off.
//!
//! The text is the one the ryu path writes, byte for byte: the shortest decimal that reads
//! back as the same double (the closest one of that length, ties to even), laid out as
//! ryu lays it out. The digits come from exact big-integer arithmetic: the first 18
//! significant digits of the value and whether anything nonzero follows, then the value
//! rounded to n digits, read back with the crate's exact decimal-to-double conversion;
//! the smallest n that gives the same double is the answer (17 always do).
//!
//! Why the closest decimal of each length is enough: the decimals that read back as `v`
//! form an interval around `v`. When it is symmetric (every double except a power of two
//! above the smallest normal), a decimal of n digits inside it means the closest one of n
//! digits is inside too. A power of two has a half as wide interval below it, so there the
//! closest can fall outside below while the next one up is inside (2^-1017 is
//! `7.120236347223045e-307`, not the closer `…0444e-307`): then that one is taken.
//!
//! Slower than ryu (a handful of big-integer divisions for one number) but small: it is
//! for targets where flash counts more than time.

#![cfg(any(test, not(feature = "fast-float")))]

use super::number::{Big, decimal_to_f64};
use super::{i64, u64};
use crate::{Error, Sink};

/// Significant digits computed exactly: 17 always read back; the 18th rounds the 17th.
const EXACT: usize = 18;

/// Significant digits that always suffice for a double.
const MAX_DIGITS: usize = 17;

/// A positive decimal `0.d₁d₂…dₙ × 10^point`, its digits as ASCII.
struct Decimal {
    /// The significant digits, `len` of them used; the first is not `0`.
    digits: [u8; EXACT],
    /// How many digits are used.
    len: usize,
    /// Where the decimal point goes: the value is below `10^point` and at least a tenth of it.
    point: i32,
}

/// Write `v` as the ryu path does: `null` when not finite, integers below 2^53 without a
/// fraction (`-0` for negative zero), the rest as ryu formats them.
pub(super) fn write(out: &mut dyn Sink, v: f64) -> Result<(), Error> {
    let bits = v.to_bits();
    let biased = (bits >> 52 & 0x7FF) as i32;
    let fraction = bits & ((1 << 52) - 1);
    if biased == 0x7FF {
        return out.write(b"null");
    }
    if bits >> 63 == 1 {
        out.write(b"-")?;
    }
    if let Some(int) = small_integer(biased, fraction) {
        return u64(out, int);
    }
    let (mant, exp2) = if biased == 0 { (fraction, -1074) } else { (fraction | 1 << 52, biased - 1075) };
    let (exact, sticky) = exact_digits(mant, exp2);
    let wider_above = fraction == 0 && biased > 1;
    layout(out, &shortest(&exact, sticky, bits & !(1 << 63), wider_above))
}

/// The magnitude as an integer, if it is one below 2^53 (zero included).
fn small_integer(biased: i32, fraction: u64) -> Option<u64> {
    if biased == 0 {
        return (fraction == 0).then_some(0);
    }
    // Bits of the significand below the binary point: 0 to 52 for magnitudes in [1, 2^53).
    let below = u32::try_from(1075 - biased).ok().filter(|&b| b <= 52)?;
    let mant = fraction | 1 << 52;
    (mant & ((1 << below) - 1) == 0).then_some(mant >> below)
}

/// The first [`EXACT`] significant digits of `mant × 2^exp2` (`mant` nonzero), exactly,
/// and whether anything nonzero follows them.
fn exact_digits(mant: u64, exp2: i32) -> (Decimal, bool) {
    // r / s is the value over 10^point, kept below 1.
    let mut r = Big::from_u64(mant);
    let mut s = Big::from_u64(1);
    if exp2 >= 0 {
        r.shl(exp2.unsigned_abs());
    } else {
        s.shl(exp2.unsigned_abs());
    }
    // The value is below 2^bits, so below 10^point with point = ⌊bits·log₁₀2⌋ + 1
    // (78913 / 2^18 is log₁₀2 rounded down, exact enough for |bits| ≤ 1650; for negative
    // bits the floor may come out one high, which only adds a leading zero).
    let bits = 64 - mant.leading_zeros() as i32 + exp2;
    let point = ((bits * 78913) >> 18) + 1;
    if point >= 0 {
        s.mul_pow10(point.unsigned_abs());
    } else {
        r.mul_pow10(point.unsigned_abs());
    }
    let mut dec = Decimal { digits: [b'0'; EXACT], len: EXACT, point };
    let mut filled = 0;
    while filled < EXACT && !r.is_zero() {
        r.mul_small(10);
        let mut digit = b'0';
        while r.sub_if_ge(&s) {
            digit += 1;
        }
        if filled == 0 && digit == b'0' {
            dec.point -= 1; // a leading zero: the estimate of `point` was one high
            continue;
        }
        if let Some(d) = dec.digits.get_mut(filled) {
            *d = digit;
        }
        filled += 1;
    }
    (dec, !r.is_zero())
}

/// The shortest decimal that reads back as the double `bits` (positive), the closest of
/// that length, from its exact digits. `wider_above`: the double is a power of two whose
/// neighbour above is twice as far as the one below.
///
/// Whether some decimal of n digits reads back only gets truer as n grows (the decimals
/// of n digits are among those of n + 1), so a binary search over 1 to 17 finds the
/// shortest in four or five conversions.
fn shortest(exact: &Decimal, sticky: bool, bits: u64, wider_above: bool) -> Decimal {
    let (mut low, mut high) = (1, MAX_DIGITS);
    // 17 digits always read back: their spacing is below half the gap to either neighbour.
    let mut best = rounded(exact, MAX_DIGITS, rounds_up(exact, sticky, MAX_DIGITS));
    while low < high {
        let len = (low + high) / 2;
        match reads_back(exact, sticky, len, bits, wider_above) {
            Some(found) => {
                best = found;
                high = len;
            }
            None => low = len + 1,
        }
    }
    best
}

/// The decimal of `len` digits that reads back as `bits`, if there is one: the closest,
/// else (only possible when `wider_above`) the next one up.
fn reads_back(exact: &Decimal, sticky: bool, len: usize, bits: u64, wider_above: bool) -> Option<Decimal> {
    let up = rounds_up(exact, sticky, len);
    let closest = rounded(exact, len, up);
    if closest.value_bits() == bits {
        return Some(closest);
    }
    let above = rounded(exact, len, true);
    (wider_above && !up && above.value_bits() == bits).then_some(above)
}

/// Whether rounding `exact` (followed by something nonzero when `sticky`) to `len`
/// significant digits goes up, ties to even.
fn rounds_up(exact: &Decimal, sticky: bool, len: usize) -> bool {
    let next = exact.digits.get(len).copied().unwrap_or(b'0');
    let beyond = sticky || exact.digits.iter().skip(len + 1).any(|&d| d != b'0');
    let odd = len.checked_sub(1).and_then(|last| exact.digits.get(last)).is_some_and(|&d| d & 1 == 1);
    next > b'5' || (next == b'5' && (beyond || odd))
}

/// The first `len` digits of `exact`, one unit more in the last when `up`, trailing zeros
/// dropped.
fn rounded(exact: &Decimal, len: usize, up: bool) -> Decimal {
    let mut dec = Decimal { digits: [b'0'; EXACT], len, point: exact.point };
    for (d, &e) in dec.digits.iter_mut().zip(exact.digits.iter()).take(len) {
        *d = e;
    }
    if up {
        dec.round_up();
    }
    while dec.len > 1 && dec.digits.get(dec.len - 1) == Some(&b'0') {
        dec.len -= 1;
    }
    dec
}

impl Decimal {
    /// Add one unit in the last used digit; `999` becomes `1` with the point one further.
    fn round_up(&mut self) {
        for d in self.digits.iter_mut().take(self.len).rev() {
            if *d < b'9' {
                *d += 1;
                return;
            }
            *d = b'0';
        }
        // Every digit was 9: now all are 0 and the carry is a new leading 1.
        if let Some(first) = self.digits.first_mut() {
            *first = b'1';
        }
        self.len = 1;
        self.point += 1;
    }

    /// The bits of the double this decimal reads back as.
    fn value_bits(&self) -> u64 {
        decimal_to_f64(self.mantissa(), self.exp10(), false).to_bits()
    }

    /// The used digits as an integer (at most 17 of them, so it fits).
    fn mantissa(&self) -> u64 {
        self.used().iter().fold(0, |m, &d| m * 10 + u64::from(d - b'0'))
    }

    /// The exponent of the last used digit: the value is `mantissa() × 10^exp10()`.
    fn exp10(&self) -> i32 {
        self.point - self.len as i32
    }

    /// The used digits.
    fn used(&self) -> &[u8] {
        self.digits.get(..self.len).unwrap_or_default()
    }
}

/// Write the decimal as ryu does: `1234e7` as `12340000000.0`, `1234e-2` as `12.34`,
/// `1234e-6` as `0.001234`, `1e30` and `1234e30` as `1e30` and `1.234e33`.
fn layout(out: &mut dyn Sink, dec: &Decimal) -> Result<(), Error> {
    const ZEROS: &[u8; 16] = b"0000000000000000";
    let digits = dec.used();
    let point = dec.point;
    let zeros = |n: i32| ZEROS.get(..n.unsigned_abs() as usize).unwrap_or_default();
    let trailing = dec.exp10();
    if trailing >= 0 && point <= 16 {
        out.write(digits)?;
        out.write(zeros(trailing))?;
        out.write(b".0")
    } else if 0 < point && point <= 16 {
        let (int, frac) = digits.split_at_checked(point.unsigned_abs() as usize).unwrap_or_default();
        out.write(int)?;
        out.write(b".")?;
        out.write(frac)
    } else if -5 < point && point <= 0 {
        out.write(b"0.")?;
        out.write(zeros(point))?;
        out.write(digits)
    } else {
        let (first, rest) = digits.split_at_checked(1).unwrap_or_default();
        out.write(first)?;
        if !rest.is_empty() {
            out.write(b".")?;
            out.write(rest)?;
        }
        out.write(b"e")?;
        i64(out, i64::from(point - 1))
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::format;
    use std::string::String;
    use std::vec::Vec;

    /// What [`write`] writes for `v`.
    fn compact(v: f64) -> String {
        let mut buf = [0u8; 40];
        let mut cursor = &mut buf[..];
        write(&mut cursor, v).unwrap();
        let left = cursor.len();
        String::from_utf8(buf[..40 - left].to_vec()).unwrap()
    }

    /// What the ryu path writes for `v`.
    #[cfg(feature = "fast-float")]
    fn ryu(v: f64) -> String {
        let mut buf = [0u8; 40];
        let mut cursor = &mut buf[..];
        crate::json::f64(&mut cursor, v).unwrap();
        let left = cursor.len();
        String::from_utf8(buf[..40 - left].to_vec()).unwrap()
    }

    /// `std`'s shortest round-trip digits (`{:e}`) and decimal exponent, re-rounded at
    /// that length with std's exact mode (ties to even, where the shortest mode rounds
    /// ties up) when that still reads back.
    fn std_digits(v: f64) -> (String, i32) {
        let split = |sci: String| {
            let (mantissa, exp) = sci.split_once('e').unwrap();
            let digits: String = mantissa.chars().filter(|&c| c != '.').collect();
            (digits, exp.parse::<i32>().unwrap())
        };
        let shortest = split(format!("{v:e}"));
        let exact = format!("{:.*e}", shortest.0.len() - 1, v);
        if exact.parse::<f64>().unwrap().to_bits() == v.to_bits() { split(exact) } else { shortest }
    }

    /// The expected text from `std`'s digits, laid out the way ryu does: an independent
    /// reference that needs no ryu.
    fn reference(v: f64) -> String {
        if !v.is_finite() {
            return "null".into();
        }
        if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
            let sign = if v.is_sign_negative() { "-" } else { "" };
            return format!("{sign}{}", v.abs() as u64);
        }
        let (digits, exp) = std_digits(v.abs());
        let point = exp + 1;
        let len = digits.len() as i32;
        let body = if point - len >= 0 && point <= 16 {
            format!("{digits}{}.0", "0".repeat((point - len) as usize))
        } else if 0 < point && point <= 16 {
            format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
        } else if -5 < point && point <= 0 {
            format!("0.{}{digits}", "0".repeat(-point as usize))
        } else if len == 1 {
            format!("{digits}e{}", point - 1)
        } else {
            format!("{}.{}e{}", &digits[..1], &digits[1..], point - 1)
        };
        let sign = if v.is_sign_negative() { "-" } else { "" };
        format!("{sign}{body}")
    }

    /// Check the text written for `v`: it reads back as `v`, it is the text expected from
    /// std's digits and (with `fast-float`) the text of the ryu path.
    fn check(v: f64) {
        let text = compact(v);
        if v.is_finite() {
            let back: f64 = text.parse().unwrap();
            assert_eq!(back.to_bits(), v.to_bits(), "{v:e} written as {text}");
        }
        assert_eq!(text, reference(v), "{v:e} (std)");
        #[cfg(feature = "fast-float")]
        assert_eq!(text, ryu(v), "{v:e} (ryu)");
    }

    /// `2^p` for `p` in -1074..=1023.
    fn power_of_two(p: i32) -> f64 {
        f64::from_bits(if p < -1022 { 1 << (p + 1074) } else { ((p + 1023) as u64) << 52 })
    }

    #[test]
    fn examples() {
        for (v, want) in [
            (0.0, "0"),
            (-0.0, "-0"),
            (3.0, "3"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            (1e300, "1e300"),
            (5e-324, "5e-324"),
            (-1.7976931348623157e308, "-1.7976931348623157e308"),
            (9007199254740992.0, "9007199254740992.0"),
            (123456789012345680.0, "1.2345678901234568e17"),
            (1e16, "1e16"),
            (1e15 + 0.5, "1000000000000000.5"),
            (1e21, "1e21"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (0.00012345, "0.00012345"),
            (1.0 / 3.0, "0.3333333333333333"),
            (power_of_two(-25), "2.9802322387695312e-8"), // a tie at 17 digits: to even
            (power_of_two(-1017), "7.120236347223045e-307"), // not the closer …0444e-307
            (f64::NAN, "null"),
            (f64::INFINITY, "null"),
            (f64::NEG_INFINITY, "null"),
        ] {
            assert_eq!(compact(v), want, "{v:e}");
            check(v);
        }
    }

    /// Zeros, subnormals, the largest double, short decimals, the integer limit, every
    /// power of two and of ten, and the neighbours of all of them.
    #[test]
    fn edge_values() {
        let mut values = Vec::from([
            0.0,
            5e-324,
            1e-323,
            2.2250738585072014e-308,
            2.225073858507201e-308,
            1.7976931348623157e308,
            0.1,
            0.2,
            0.3,
            0.1 + 0.2,
            1.0 / 3.0,
            2.0 / 3.0,
            2.5,
            123456789012345680.0,
            9007199254740992.0,
            9007199254740993.0,
            4503599627370495.5,
            1e15,
            1e16,
            1e17,
            1e21,
            1e22,
            1e23,
            1e-5,
            1e-4,
            0.00012345,
            1234567.125,
            f64::EPSILON,
            core::f64::consts::PI,
            core::f64::consts::E,
        ]);
        for v in values.clone() {
            check(-v);
        }
        values.extend((-1074..=1023).map(power_of_two));
        values.extend((-323..=308).map(|p| format!("1e{p}").parse::<f64>().unwrap()));
        for v in values {
            for bits in [v.to_bits().saturating_sub(1), v.to_bits(), v.to_bits() + 1] {
                check(f64::from_bits(bits));
            }
        }
    }

    /// Pseudo-random doubles against the references: random bit patterns (mostly 16 or 17
    /// digits) and random short decimals. A debug build checks fewer than a release build
    /// (`cargo test --release`), where the printer is some thirty times faster.
    #[test]
    fn random_values() {
        let count = if cfg!(debug_assertions) { 20_000 } else { 400_000 };
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for i in 0..count {
            let bits = next();
            let v = if i % 4 == 3 {
                // A decimal of 1 to 17 digits, at any exponent.
                let digits = bits % 10u64.pow((next() % 17 + 1) as u32);
                let exp = (next() % 640) as i32 - 330;
                format!("{digits}e{exp}").parse().unwrap()
            } else {
                f64::from_bits(bits)
            };
            if v.is_finite() {
                check(v);
            }
        }
    }
}
