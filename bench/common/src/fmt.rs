//! Figures as the drivers' reports write them.

use std::time::Duration;

/// A latency in milliseconds, to about 3 significant digits: 0.123 ms, 1.23 ms, 12.3 ms.
pub fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1e3;
    if v < 1.0 {
        format!("{v:.3} ms")
    } else if v < 10.0 {
        format!("{v:.2} ms")
    } else if v < 100.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.0} ms")
    }
}

/// A number of seconds as it was given: 3, 0.5.
pub fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 { format!("{s:.0}") } else { format!("{s}") }
}

/// A rate, short: 950, 15.2 k.
pub fn rate(value: f64) -> String {
    if value >= 1e3 { format!("{:.1} k", value / 1e3) } else { format!("{value:.0}") }
}

/// KiB as MiB, one decimal.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_short() {
        assert_eq!(ms(Duration::from_micros(123)), "0.123 ms");
        assert_eq!(ms(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!(secs(Duration::from_secs(3)), "3");
        assert_eq!(secs(Duration::from_millis(500)), "0.5");
        assert_eq!(rate(950.0), "950");
        assert_eq!(rate(15_240.0), "15.2 k");
        assert_eq!(mib(1536), "1.5 MiB");
    }
}
