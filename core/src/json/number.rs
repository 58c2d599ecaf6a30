//! Decimal to `f64`, correctly rounded, without tables: a few hundred bytes of code where
//! `core`'s parser needs a 10 KiB table (which matters on a 48 KiB microcontroller).
//!
//! Up to 19 significant digits are kept exactly (more than JSON encoders write: 17 suffice
//! for any double); further digits first only tell whether the value is above the kept
//! ones. That decides the rounding unless a midpoint between two doubles lies between the
//! kept digits and the next 19-digit value up (rare): then, with the `fast-float`
//! feature, the whole text is compared with that midpoint, digit by digit (`nearer`);
//! without it (flash first) the result may be one unit in the last place off, for such
//! texts only. Small cases take a fast path: with the `fast-float` feature Clinger's (one
//! exact float multiplication or division), without it an integer-only one (integers that fit in a
//! `u64`, so a soft-float target needs no float multiply or divide); the rest is exact
//! arithmetic on a fixed-size big integer, which the compact float printer (`float.rs`)
//! shares.

/// Limbs of the big integer: 44 × 32 bits holds 10^343 × 2^64 with room to shift.
const LIMBS: usize = 44;

/// An unsigned big integer of [`LIMBS`] 32-bit limbs, least significant first.
#[derive(Clone, Copy)]
pub(super) struct Big {
    limbs: [u32; LIMBS],
}

impl Big {
    /// The big integer `v`.
    pub(super) fn from_u64(v: u64) -> Self {
        let mut limbs = [0; LIMBS];
        let [lo, hi, ..] = &mut limbs;
        *lo = v as u32;
        *hi = (v >> 32) as u32;
        Self { limbs }
    }

    /// Multiply by a small factor (the top limb must have room).
    pub(super) fn mul_small(&mut self, factor: u32) {
        let mut carry = 0u64;
        for limb in self.limbs.iter_mut() {
            let v = u64::from(*limb) * u64::from(factor) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
    }

    /// Multiply by 10^n.
    pub(super) fn mul_pow10(&mut self, mut n: u32) {
        while n >= 9 {
            self.mul_small(1_000_000_000);
            n -= 9;
        }
        let mut rest = 1;
        for _ in 0..n {
            rest *= 10;
        }
        self.mul_small(rest);
    }

    /// The number of significant bits (0 for zero).
    fn bit_len(&self) -> u32 {
        for (i, &limb) in self.limbs.iter().enumerate().rev() {
            if limb != 0 {
                return i as u32 * 32 + 32 - limb.leading_zeros();
            }
        }
        0
    }

    /// Bit `i` (false past the top).
    fn bit(&self, i: u32) -> bool {
        self.limbs.get((i / 32) as usize).is_some_and(|l| l >> (i % 32) & 1 == 1)
    }

    /// Shift left by `bits` (bits past the top limb are lost).
    pub(super) fn shl(&mut self, bits: u32) {
        let (words, bits) = ((bits / 32) as usize, bits % 32);
        for i in (0..LIMBS).rev() {
            let lo = i.checked_sub(words).and_then(|j| self.limbs.get(j)).copied().unwrap_or(0);
            let below = i.checked_sub(words + 1).and_then(|j| self.limbs.get(j)).copied().unwrap_or(0);
            let v = if bits == 0 { lo } else { lo << bits | below >> (32 - bits) };
            if let Some(limb) = self.limbs.get_mut(i) {
                *limb = v;
            }
        }
    }

    /// `self -= other` if `self >= other`; whether it did.
    pub(super) fn sub_if_ge(&mut self, other: &Big) -> bool {
        for i in (0..LIMBS).rev() {
            let (a, b) = (self.limbs.get(i), other.limbs.get(i));
            if a != b {
                if a < b {
                    return false;
                }
                break;
            }
        }
        let mut borrow = 0i64;
        for (a, &b) in self.limbs.iter_mut().zip(other.limbs.iter()) {
            let v = i64::from(*a) - i64::from(b) - borrow;
            *a = v as u32;
            borrow = i64::from(v < 0);
        }
        true
    }

    /// Shift right by one bit.
    fn shr1(&mut self) {
        let mut carry = 0;
        for limb in self.limbs.iter_mut().rev() {
            let next = *limb & 1;
            *limb = *limb >> 1 | carry << 31;
            carry = next;
        }
    }

    /// Whether the value is zero.
    pub(super) fn is_zero(&self) -> bool {
        self.limbs.iter().all(|&l| l == 0)
    }

    /// The top 64 bits and whether any bit below them is set.
    fn top64(&self) -> (u64, bool) {
        let len = self.bit_len();
        if len <= 64 {
            let [lo, hi, ..] = self.limbs;
            return (u64::from(lo) | u64::from(hi) << 32, false);
        }
        let low = len - 64;
        let mut v = 0u64;
        for i in (low..len).rev() {
            v = v << 1 | u64::from(self.bit(i));
        }
        let sticky = (0..low).any(|i| self.bit(i));
        (v, sticky)
    }
}

/// Round `mant × 2^exp2` (with `sticky`: something nonzero below `mant`) to the nearest
/// double, ties to even.
fn round(mant: u64, exp2: i32, mut sticky: bool) -> f64 {
    if mant == 0 {
        return 0.0;
    }
    let len = 64 - mant.leading_zeros() as i32;
    let top = exp2 + len - 1; // exponent of the leading bit
    if top > 1023 {
        return f64::INFINITY;
    }
    // Keep 53 bits, fewer for subnormals (whose last bit is 2^-1074).
    let lsb = (top - 52).max(-1074);
    let drop = lsb - exp2;
    let mut m = mant;
    if drop > 0 {
        if drop > 64 {
            return 0.0;
        }
        let half = if drop == 64 { mant >> 63 & 1 } else { mant >> (drop - 1) & 1 };
        let below = if drop >= 2 { mant & ((1u64 << (drop - 1).min(63)) - 1) != 0 } else { false };
        sticky |= below;
        m = if drop == 64 { 0 } else { mant >> drop };
        if half == 1 && (sticky || m & 1 == 1) {
            m += 1;
        }
    } else if drop < 0 {
        m = mant << -drop;
    }
    // m is now the significand at `lsb`; rounding may have carried into a new bit.
    let mut lsb = lsb;
    if m >= 1 << 53 {
        m >>= 1;
        lsb += 1;
    }
    if m >= 1 << 52 {
        let biased = lsb + 52 + 1023;
        if biased >= 2047 {
            return f64::INFINITY;
        }
        f64::from_bits((biased as u64) << 52 | (m & ((1 << 52) - 1)))
    } else {
        f64::from_bits(m) // subnormal (lsb is -1074)
    }
}

/// The value of a JSON number's text (already validated), correctly rounded (without
/// `fast-float`: for texts of up to 19 significant digits; see the module doc).
pub(crate) fn parse_f64(text: &[u8]) -> Option<f64> {
    parse_with(text, decimal_to_f64)
}

/// [`parse_f64`] with `convert` for the kept digits.
#[inline(always)]
fn parse_with(text: &[u8], convert: fn(u64, i32, bool) -> f64) -> Option<f64> {
    let (negative, digits, exp10, more) = scan(text)?;
    let magnitude = convert(digits, exp10, more);
    // Without `fast-float` (flash first) the kept digits decide: the result may then be one
    // unit in the last place off, for texts of more than 19 digits only.
    #[cfg(feature = "fast-float")]
    let magnitude = if more { nearer(text, digits, exp10, magnitude, convert) } else { magnitude };
    Some(if negative { -magnitude } else { magnitude })
}

/// The magnitude of the JSON number `text`, rounded to the nearest double, when more than
/// the 19 kept `digits` were given: the value lies strictly between them and one unit
/// more (× 10^`exp10`), and `below` is what the kept ones round to (with something
/// after). When one unit more rounds alike, that is the answer. Else the answer is `below`
/// or the next double up, and the text's digits are compared one by one with those of the
/// midpoint between the two; ties go to the even one. The work stops at the first digit
/// that differs.
#[cfg(feature = "fast-float")]
#[inline(never)] // rare: keep its two big integers off the common path's stack
fn nearer(text: &[u8], digits: u64, exp10: i32, below: f64, convert: fn(u64, i32, bool) -> f64) -> f64 {
    if convert(digits + 1, exp10, false).to_bits() == below.to_bits() {
        return below;
    }
    let (biased, fraction) = parts(below);
    let (mant, exp2) = if biased == 0 { (fraction, -1074) } else { (fraction | 1 << 52, biased as i32 - 1075) };
    let mut mid = Digits::new(2 * mant + 1, exp2 - 1);
    let mut m = mid.first();
    // Above 0: the text is above the midpoint (as far as compared); below 0: below it.
    // The text's first digit is worth 10^(exp10 + 18): it is below 10^(exp10 + 19).
    let mut order = exp10 + 19 - mid.point;
    if order == 0 {
        let mut started = false;
        for &b in text {
            if b | 0x20 == b'e' {
                break;
            }
            started |= (b'1'..=b'9').contains(&b);
            if started && b.is_ascii_digit() {
                order = i32::from(b) - i32::from(m);
                if order != 0 {
                    break;
                }
                m = mid.next();
            }
        }
        // The text ended: below the midpoint if the midpoint goes on.
        if order == 0 && (m != b'0' || !mid.is_done()) {
            order = -1;
        }
    }
    let up = order > 0 || (order == 0 && mant & 1 == 1);
    f64::from_bits(below.to_bits() + u64::from(up))
}

/// The decimal digits of `mant × 2^exp2` (`mant` nonzero, `exp2` within a double's
/// range), exactly, one at a time: the value over 10^`point` is `r / s`, kept below 1.
/// (The compact writer's `float::exact_digits` makes them the same way, inline.)
#[cfg(feature = "fast-float")]
struct Digits {
    r: Big,
    s: Big,
    /// Where the decimal point goes, once [`Digits::first`] has placed it.
    point: i32,
}

#[cfg(feature = "fast-float")]
impl Digits {
    /// The digits of `mant × 2^exp2`, before the first.
    fn new(mant: u64, exp2: i32) -> Self {
        let mut r = Big::from_u64(mant);
        let mut s = Big::from_u64(1);
        if exp2 >= 0 {
            r.shl(exp2.unsigned_abs());
        } else {
            s.shl(exp2.unsigned_abs());
        }
        // The value is below 2^bits, so below 10^point with point = ⌊bits·log₁₀2⌋ + 1
        // (78913 / 2^18 is log₁₀2 rounded down, exact enough for |bits| ≤ 1650; for
        // negative bits the floor may come out one high, which only adds a leading zero).
        let bits = 64 - mant.leading_zeros() as i32 + exp2;
        let point = ((bits * 78913) >> 18) + 1;
        if point >= 0 {
            s.mul_pow10(point.unsigned_abs());
        } else {
            r.mul_pow10(point.unsigned_abs());
        }
        Self { r, s, point }
    }

    /// The first significant digit (ASCII), with [`Digits::point`] corrected for it.
    fn first(&mut self) -> u8 {
        let digit = self.next();
        if digit != b'0' {
            return digit;
        }
        // A leading zero: the estimate of `point` was one high.
        self.point -= 1;
        self.next()
    }

    /// The next digit (ASCII); `0` for ever once [`Digits::is_done`].
    fn next(&mut self) -> u8 {
        self.r.mul_small(10);
        let mut digit = b'0';
        while digit <= b'9' && self.r.sub_if_ge(&self.s) {
            digit += 1;
        }
        digit
    }

    /// Whether every digit left is 0.
    fn is_done(&self) -> bool {
        self.r.is_zero()
    }
}

/// The order of two doubles as IEEE 754 defines it (`-0` equals `0`), `None` when
/// either is NaN: compared as integers, so a soft-float target links none of its float
/// comparison routines (about 600 bytes on Cortex-M0).
pub(crate) fn compare(a: f64, b: f64) -> Option<core::cmp::Ordering> {
    /// A key whose integer order is the order of the (non-NaN) doubles: the bits are
    /// sign and magnitude, so negative values count down from zero (both zeros give 0).
    fn key(v: f64) -> Option<i64> {
        let magnitude = (v.to_bits() & !(1 << 63)) as i64;
        if magnitude > 0x7FF0_0000_0000_0000 {
            return None; // NaN
        }
        Some(if v.is_sign_negative() { -magnitude } else { magnitude })
    }
    Some(key(a)?.cmp(&key(b)?))
}

/// The exponent field of `v` and the fraction bits below it.
fn parts(v: f64) -> (u32, u64) {
    let bits = v.to_bits();
    ((bits >> 52 & 0x7FF) as u32, bits & ((1 << 52) - 1))
}

/// Whether `v` is finite and has no fractional part, read from its bits (no float
/// conversion routines).
pub(crate) fn is_integral(v: f64) -> bool {
    match parts(v) {
        (0, fraction) => fraction == 0,
        (0x7FF, _) => false,
        // The significand has `1075 - biased` bits below the binary point.
        (biased, fraction) => match 1075u32.checked_sub(biased) {
            None => true,
            Some(below) => below <= 52 && fraction & ((1 << below) - 1) == 0,
        },
    }
}

/// `v` as an `i64` when it is integral and at most 2^53 in magnitude (where doubles hold
/// every integer exactly), read from its bits.
pub(crate) fn small_integral(v: f64) -> Option<i64> {
    if !is_integral(v) {
        return None;
    }
    let (biased, fraction) = parts(v);
    let magnitude = match biased {
        0 => 0,
        // Below 2^53 the significand, shifted down past its zero fraction bits.
        1..1075 => (fraction | 1 << 52) >> (1075 - biased),
        1075 => fraction | 1 << 52,
        1076 if fraction == 0 => 1 << 53,
        _ => return None,
    };
    let magnitude = magnitude as i64;
    Some(if v.is_sign_negative() { -magnitude } else { magnitude })
}

/// The value of a JSON number's text (already validated) when its digits spell an
/// integer that fits in an `i64` exactly (`-12`, `1.5e1`); `None` for anything else,
/// including integral values written with more than 19 significant digits.
pub(crate) fn exact_i64(text: &[u8]) -> Option<i64> {
    let (negative, digits, exp10, more) = scan(text)?;
    if more || exp10 != 0 {
        return None;
    }
    if negative {
        // 2^63 is i64::MIN's magnitude; its cast is i64::MIN, which negates to itself.
        (digits <= 1 << 63).then(|| (digits as i64).wrapping_neg())
    } else {
        i64::try_from(digits).ok()
    }
}

/// The value of ASCII decimal digits (optionally after a `+`, as `str::parse` takes them)
/// if it fits in a `u32`: one small reader for the few integers the server parses, with
/// no 64-bit arithmetic.
pub(crate) fn parse_u32(text: &[u8]) -> Option<u32> {
    let digits = text.strip_prefix(b"+").unwrap_or(text);
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u32, |n, &b| {
        let d = b.wrapping_sub(b'0');
        if d > 9 || n > u32::MAX / 10 {
            return None;
        }
        (n * 10).checked_add(u32::from(d))
    })
}

/// A JSON number's text as sign, up to 19 significant digits, their decimal exponent and
/// whether a nonzero digit was dropped past them.
fn scan(text: &[u8]) -> Option<(bool, u64, i32, bool)> {
    let (negative, rest) = match text.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, text),
    };
    let mut digits = 0u64;
    let mut kept = 0u32;
    let mut exp10 = 0i32;
    let mut more = false; // a nonzero digit past the 19 kept ones
    let mut seen_point = false;
    let mut i = 0;
    while let Some(&b) = rest.get(i) {
        match b {
            b'0'..=b'9' => {
                let d = u64::from(b - b'0');
                if kept < 19 {
                    if digits != 0 || d != 0 {
                        digits = digits * 10 + d;
                        kept += 1;
                    }
                    if seen_point {
                        exp10 -= 1;
                    }
                } else {
                    more |= d != 0;
                    if !seen_point {
                        exp10 += 1;
                    }
                }
            }
            b'.' => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if let Some(b'e' | b'E') = rest.get(i) {
        let exp = rest.get(i + 1..)?;
        let (sign, exp) = match exp.split_first()? {
            (b'-', e) => (-1, e),
            (b'+', e) => (1, e),
            _ => (1, exp),
        };
        let mut e = 0i32;
        for &b in exp {
            e = (e * 10 + i32::from(b - b'0')).min(100_000);
        }
        exp10 = exp10.saturating_add(sign * e);
    }
    Some((negative, digits, exp10, more))
}

/// `digits × 10^exp10` (plus a little more when `more`), correctly rounded: a fast path
/// for small cases (Clinger's with `fast-float`, else the integer-only one), then exact
/// arithmetic.
pub(super) fn decimal_to_f64(digits: u64, exp10: i32, more: bool) -> f64 {
    #[cfg(feature = "fast-float")]
    let fast = clinger(digits, exp10, more);
    #[cfg(not(feature = "fast-float"))]
    let fast = small_integer(digits, exp10, more);
    fast.unwrap_or_else(|| exact(digits, exp10, more))
}

/// [`decimal_to_f64`] as built without `fast-float`, for tests with it.
#[cfg(all(test, feature = "fast-float"))]
fn decimal_to_f64_compact(digits: u64, exp10: i32, more: bool) -> f64 {
    small_integer(digits, exp10, more).unwrap_or_else(|| exact(digits, exp10, more))
}

/// Clinger's fast path: both factors exact, one correctly rounded float operation.
#[cfg(feature = "fast-float")]
fn clinger(digits: u64, exp10: i32, more: bool) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    if more || digits >= 1 << 53 {
        return None;
    }
    let p = *POW10.get(exp10.unsigned_abs() as usize)?;
    Some(if exp10 < 0 { digits as f64 / p } else { digits as f64 * p })
}

/// The integer fast path: `digits × 10^exp10` when that is an integer that fits in a
/// `u64`, rounded with integer operations only (no float conversion routine either).
#[cfg(any(test, not(feature = "fast-float")))]
fn small_integer(mut digits: u64, exp10: i32, more: bool) -> Option<f64> {
    // From 10^20 on the value is past u64 (or zero, which the exact path handles).
    if more || !(0..20).contains(&exp10) {
        return None;
    }
    for _ in 0..exp10 {
        digits = digits.checked_mul(10)?;
    }
    Some(round(digits, 0, false))
}

/// `digits × 10^exp10` (plus a little more when `more`), correctly rounded, by exact
/// big-integer arithmetic.
fn exact(digits: u64, exp10: i32, more: bool) -> f64 {
    if digits == 0 {
        return 0.0;
    }
    if exp10 > 310 {
        return f64::INFINITY;
    }
    if exp10 < -345 {
        return 0.0;
    }
    if exp10 >= 0 {
        let mut x = Big::from_u64(digits);
        x.mul_pow10(exp10 as u32);
        let len = x.bit_len() as i32;
        let (mant, sticky) = x.top64();
        return round(mant, (len - 64).max(0), sticky || more);
    }
    // digits / 10^k: divide (digits << s) by 10^k, keeping 64 quotient bits and a sticky bit.
    let mut p = Big::from_u64(1);
    p.mul_pow10(exp10.unsigned_abs());
    let mut n = Big::from_u64(digits);
    // Make the quotient 63 or 64 bits long: plenty for 53 bits and the rounding bits.
    let s = (p.bit_len() + 63).saturating_sub(64 - digits.leading_zeros());
    n.shl(s);
    let shift = n.bit_len().saturating_sub(p.bit_len());
    p.shl(shift);
    let mut q = 0u64;
    for _ in 0..=shift {
        q = q << 1 | u64::from(n.sub_if_ge(&p));
        p.shr1();
    }
    round(q, -(s as i32), !n.is_zero() || more)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::format;
    use std::string::String;

    fn check(text: &str) {
        let want: f64 = text.parse().unwrap();
        let got = parse_f64(text.as_bytes()).unwrap();
        assert_eq!(got.to_bits(), want.to_bits(), "{text}: got {got:e}, want {want:e}");
        // The build without `fast-float` agrees too.
        #[cfg(feature = "fast-float")]
        {
            let got = parse_with(text.as_bytes(), decimal_to_f64_compact).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{text} (compact): got {got:e}, want {want:e}");
        }
    }

    #[test]
    fn edge_cases() {
        for t in [
            "0",
            "-0",
            "1",
            "0.1",
            "0.2",
            "0.30000000000000004",
            "1e300",
            "2.5e299",
            "7.5e299",
            "1e308",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1e309",
            "2.2250738585072014e-308",
            "2.2250738585072011e-308",
            "4.9e-324",
            "5e-324",
            "2e-324",
            "3e-324",
            "1e-400",
            "9007199254740993",
            "9007199254740992.5",
            "123456789012345678901234",
            "0.000001",
            "1e-7",
            "1.5",
            "-2.25",
            "3.141592653589793",
            "1e22",
            "1e23",
            "8.98846567431158e307",
            "4.4501477170144023e-308",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "9007199254740991",
            "9007199254740992",
            "9007199254740994",
            "900719925474099e1",
            "900719925474100e1",
            "90071992547409e2",
            "1e15",
            "1e16",
            "123e13",
            "0e99999",
            "0.0e-99999",
            "18446744073709551615",
            "18446744073709551616",
            "1844674407370955161e1",
            "1844674407370955162e1",
            "9223372036854775807",
            "9007199254740993e0",
            "9007199254740995",
            "1e19",
            "12345678901234567e2",
        ] {
            check(t);
        }
    }

    /// [`check`] for texts of more than 19 significant digits: exact with `fast-float`;
    /// without it the kept digits decide, at most one unit in the last place off.
    fn check_many(text: &str) {
        if cfg!(feature = "fast-float") {
            return check(text);
        }
        let want: f64 = text.parse().unwrap();
        let got = parse_f64(text.as_bytes()).unwrap();
        assert!(got.to_bits().abs_diff(want.to_bits()) <= 1, "{text}: got {got:e}, want {want:e}");
    }

    /// More than 19 digits with a midpoint between the kept ones and one unit more.
    #[test]
    fn many_digits() {
        for t in [
            // Found by fuzzing (one unit in the last place off before).
            "-12.2590067199254741992",
            "2.2250738585072011855e0",
            "4.94065645841246544176568792868221372365059802614324764425585682500675507270208751865299836361635992379796564695445717730926656710355939796398774796010781878126300713190311404527845817167848982103688718636056998730723050006387409153564984387312473397273169615140031715385398074126238565591171026658556686768187039560310624931945271591492455329305456544401127480129709999541931989409080416563324524757147869014726780159355238611550134803526493472019379026810710749170333222684475333572083243193609238289345836806010601150616980975307834227731832924790498252473077637592724787465608477820373446969953364701797267771758512566055119913150489110145103786273816725095583738973359899366480994116420570263709027924276754456522908753868250641971826553344726562499999999999999999999999999e-324",
            "2.47032822920623272088e-324",
            "1.79769313486231580793728971405301e308",
            "1.797693134862315807937289714053e308",
        ] {
            check_many(t);
        }
    }

    /// Exact midpoints between neighbouring doubles, and texts a hair above and below
    /// them, with more than 19 digits: ties go to the even neighbour.
    #[test]
    fn midpoints_with_many_digits() {
        let mut seed = 0x5DEE_CE66_D1CE_4E5Bu64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..500 {
            // (2m + 1) / 2^k, m a 53-bit significand: exactly (2m + 1) 5^k / 10^k.
            let m = (1u128 << 52) | u128::from(next() % (1 << 52));
            let k = (next() % 27) as u32;
            let digits = (2 * m + 1) * 5u128.pow(k);
            let text = format!("{digits}e-{k}");
            check_many(&text);
            check_many(&format!("{digits}1e-{}", k + 1));
            check_many(&format!("{}999999999999e-{}", digits - 1, k + 12));
            // (2m + 1) 2^j: an integer.
            let j = (next() % 70) as u32;
            let mid = (2 * m + 1) << j.min(73);
            check_many(&format!("{mid}"));
            check_many(&format!("{mid}.0000000000000000000001"));
            check_many(&format!("{}.9999999999999999999999", mid - 1));
        }
        // Random texts of 20 to 40 digits.
        for _ in 0..2_000 {
            let len = 20 + (next() % 21) as usize;
            let text: String = (0..len).map(|_| char::from(b'0' + (next() % 10) as u8)).collect();
            let text = text.trim_start_matches('0');
            if text.is_empty() {
                continue;
            }
            let exp = (next() % 700) as i32 - 360;
            check_many(&format!("{text}e{exp}"));
        }
    }

    /// Integers written with exponents, around the `u64` limit of the integer fast path.
    #[test]
    fn small_integers_with_exponents() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let digits = next() % 10u64.pow((next() % 19 + 1) as u32);
            let exp = next() % 22;
            check(&format!("{digits}e{exp}"));
        }
    }

    /// Differential test against `core`'s parser over pseudo-random decimals of up to 19
    /// digits and exponents over the whole range.
    #[test]
    fn matches_core_parser() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..60_000 {
            let digits = next() % 10u64.pow((next() % 19 + 1) as u32);
            let exp = (next() % 700) as i32 - 350;
            let mut text = format!("{digits}");
            if next() % 3 == 0 && text.len() > 1 {
                let at = (next() as usize) % (text.len() - 1) + 1;
                text.insert(at, '.');
            }
            let text: String = if next() % 2 == 0 { format!("{text}e{exp}") } else { text };
            check(&text);
        }
    }

    /// The integer-only comparisons and conversions agree with the float operations.
    #[test]
    fn integer_only_float_helpers() {
        let mut values = std::vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.5,
            1.5,
            2.0,
            1e-310,
            -1e-310,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            9_007_199_254_740_991.0,
            9_007_199_254_740_992.0,
            -9_007_199_254_740_992.0,
            9_007_199_254_740_994.0,
            4_503_599_627_370_495.5,
            1e300,
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..2000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            values.push(f64::from_bits(seed));
            values.push((seed % 2_000_001) as f64 - 1_000_000.0);
            values.push(((seed >> 8) % 4001) as f64 / 4.0 - 500.0);
        }
        for &a in &values {
            let integral = a.is_finite() && a.fract() == 0.0;
            assert_eq!(is_integral(a), integral, "{a:e}");
            let small = (integral && a.abs() <= 9_007_199_254_740_992.0).then_some(a as i64);
            assert_eq!(small_integral(a), small, "{a:e}");
            for &b in &values {
                assert_eq!(compare(a, b), a.partial_cmp(&b), "{a:e} vs {b:e}");
            }
        }
    }

    #[test]
    fn exact_integers() {
        for (text, want) in [
            ("0", Some(0)),
            ("-0", Some(0)),
            ("12", Some(12)),
            ("-12", Some(-12)),
            ("1.5e1", Some(15)),
            ("9223372036854775807", Some(i64::MAX)),
            ("-9223372036854775808", Some(i64::MIN)),
            ("9223372036854775808", None),
            ("-9223372036854775809", None),
            ("2.0", None),
            ("2e3", None),
            ("0.5", None),
        ] {
            assert_eq!(exact_i64(text.as_bytes()), want, "{text}");
        }
        for (text, want) in [
            ("0", Some(0)),
            ("+7", Some(7)),
            ("4294967295", Some(u32::MAX)),
            ("4294967296", None),
            ("42949672950", None),
            ("", None),
            ("+", None),
            ("-1", None),
            ("1x", None),
            ("\"1\"", None),
        ] {
            assert_eq!(parse_u32(text.as_bytes()), want, "{text}");
            assert_eq!(parse_u32(text.as_bytes()), text.parse::<u32>().ok(), "{text}");
        }
    }
}
