//! The chart's axes for plotters: where the ticks go and how numbers read.
//!
//! Offsets are memory, usually bytes: ticks on powers of two (256K, 512K, 768K, 1M) and
//! labels with binary suffixes read better than 262,144. Times are abstract steps: decimal
//! ticks (1, 2, 5 x 10^k) with SI suffixes. Both axes map exactly as
//! [`Viewport`](crate::chart::viewport::Viewport) does, so grid lines, buffers and the
//! lines drawn in pixels agree to the pixel.

use std::ops::Range;

use crate::math;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};

/// One axis: the visible range and whether ticks fall on powers of two.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub binary: bool,
}

impl Ranged for Axis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    /// Plotters hands the plot's pixel range shrunk by one at the far end (x: `(left,
    /// right - 1)`; y: `(bottom - 1, top)`); undo that so this maps as `Viewport` does.
    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let frac = (value - self.lo) / (self.hi - self.lo);
        let pixel = if limit.0 <= limit.1 {
            limit.0 as f64 + frac * (limit.1 + 1 - limit.0) as f64
        } else {
            (limit.0 + 1) as f64 - frac * (limit.0 + 1 - limit.1) as f64
        };
        pixel.round().clamp(-1e9, 1e9) as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        ticks(self.lo, self.hi, hint.max_num_points(), self.binary)
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<f64> for Axis {
    fn format_ext(&self, value: &f64) -> String {
        if self.binary {
            offset_label(*value)
        } else {
            time_label(*value)
        }
    }
}

/// Tick values in `[lo, hi]`, at most `max` of them, on a step of 1, 2 or 5 x 10^k
/// (decimal) or 2^k (binary), never below 1 (times and offsets are integers).
pub(crate) fn ticks(lo: f64, hi: f64, max: usize, binary: bool) -> Vec<f64> {
    if max == 0 || hi <= lo || !lo.is_finite() || !hi.is_finite() {
        return Vec::new();
    }
    // Powers of two only where they read as K/M: below 2K, 1-2-5 steps read better.
    let binary = binary && hi - lo >= 2048.0;
    let mut step = first_step(hi - lo, max, binary);
    let mut fallback = Vec::new();
    loop {
        let (first, last) = ((lo / step).ceil(), (hi / step).floor());
        if last < first {
            if fallback.is_empty() && step > 1.0 {
                // The first step already misses the range (max 1 over a short range):
                // finer steps until one tick lands.
                step = prev_step(step, binary);
                continue;
            }
            // Grown past the range: the previous step's first tick alone.
            return fallback;
        }
        fallback = vec![first * step];
        if last - first < max as f64 {
            return ((first as i64)..=(last as i64))
                .map(|k| k as f64 * step)
                .collect();
        }
        step = next_step(step, binary);
    }
}

/// The smallest nice step not below `span / max` (and 1).
fn first_step(span: f64, max: usize, binary: bool) -> f64 {
    let raw = (span / max as f64).max(1.0);
    if binary {
        math::pow(2.0, math::log2(raw).ceil())
    } else {
        let decade = math::pow(10.0, math::log10(raw).floor());
        [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * decade)
            .find(|&s| s >= raw)
            .unwrap_or(10.0 * decade)
    }
}

/// The nice step before `step` (at least 1).
fn prev_step(step: f64, binary: bool) -> f64 {
    if binary && math::log2(step).fract() == 0.0 {
        return (step / 2.0).max(1.0);
    }
    let decade = math::pow(10.0, math::log10(step).floor());
    let mantissa = (step / decade).round();
    let prev = if mantissa > 5.0 {
        5.0 * decade
    } else if mantissa > 2.0 {
        2.0 * decade
    } else if mantissa > 1.0 {
        decade
    } else {
        decade / 2.0
    };
    prev.max(1.0)
}

/// The nice step after `step`: 2^k to 2^(k+1); 1, 2, 5 to 2, 5, 10 (x 10^k).
fn next_step(step: f64, binary: bool) -> f64 {
    if binary && math::log2(step).fract() == 0.0 {
        return step * 2.0;
    }
    let decade = math::pow(10.0, math::log10(step).floor());
    let mantissa = (step / decade).round();
    if mantissa < 2.0 {
        2.0 * decade
    } else if mantissa < 5.0 {
        5.0 * decade
    } else {
        10.0 * decade
    }
}

/// An offset or size for a tick label: binary suffixes when the value is a whole number of
/// K/M/G/T to two decimals (1048576 -> "1M", 1572864 -> "1.5M", 524288 -> "512K"),
/// otherwise the plain integer with thousands separators.
pub(crate) fn offset_label(value: f64) -> String {
    let v = value.round();
    for (power, suffix) in [(40, "T"), (30, "G"), (20, "M"), (10, "K")] {
        let unit = (1u64 << power) as f64;
        if v.abs() >= unit {
            let q = v / unit;
            if ((q * 100.0).round() - q * 100.0).abs() < 1e-9 {
                return format!("{}{suffix}", trim(q, 2));
            }
            break;
        }
    }
    separated(v)
}

/// A time for a tick label: the integer up to 99,999 (separated), then SI suffixes.
pub(crate) fn time_label(value: f64) -> String {
    let v = if (value - value.round()).abs() < 1e-9 {
        value.round()
    } else {
        value
    };
    if v.abs() < 100_000.0 {
        return if v.fract() == 0.0 {
            separated(v)
        } else {
            trim(v, 3)
        };
    }
    for (unit, suffix) in [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] {
        if v.abs() >= unit {
            return format!("{}{suffix}", trim(v / unit, 3));
        }
    }
    separated(v)
}

/// A size or offset in full for the tooltip: "1,048,576 (1 MiB)".
pub(crate) fn bytes_label(value: i64) -> String {
    let plain = separated(value as f64);
    for (power, suffix) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] {
        let unit = 1i64 << power;
        if value.abs() >= unit {
            return format!("{plain} ({} {suffix})", trim(value as f64 / unit as f64, 2));
        }
    }
    plain
}

/// An integer with thousands separators: 1048576 -> "1,048,576".
pub fn separated(value: f64) -> String {
    let digits = format!("{}", value.abs().round() as u64);
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value.round() < 0.0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `value` with at most `decimals` decimals, trailing zeros dropped.
fn trim(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_with_binary_suffixes() {
        assert_eq!(offset_label(1_048_576.0), "1M");
        assert_eq!(offset_label(524_288.0), "512K");
        assert_eq!(offset_label(1_572_864.0), "1.5M");
        assert_eq!(offset_label(3.0 * (1u64 << 30) as f64), "3G");
        assert_eq!(offset_label(0.0), "0");
        assert_eq!(offset_label(1000.0), "1,000");
        assert_eq!(offset_label(1_000_000.0), "1,000,000");
        assert_eq!(offset_label(1280.0), "1.25K");
    }

    #[test]
    fn times_read_with_separators_then_si() {
        assert_eq!(time_label(0.0), "0");
        assert_eq!(time_label(12_000.0), "12,000");
        assert_eq!(time_label(200_000.0), "200k");
        assert_eq!(time_label(1_500_000.0), "1.5M");
        assert_eq!(time_label(-20.0), "-20");
        assert_eq!(time_label(2.5), "2.5");
        assert_eq!(bytes_label(1_048_576), "1,048,576 (1 MiB)");
        assert_eq!(bytes_label(1_000), "1,000");
        assert_eq!(bytes_label(1_536), "1,536 (1.5 KiB)");
        assert_eq!(separated(-1234567.0), "-1,234,567");
    }

    #[test]
    fn ticks_are_nice_bounded_and_inside() {
        assert_eq!(
            ticks(0.0, 100.0, 10, false),
            [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(
            ticks(0.0, 100.0, 11, false),
            [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
        );
        assert_eq!(
            ticks(0.0, 1_048_576.0, 5, true),
            [0.0, 262_144.0, 524_288.0, 786_432.0, 1_048_576.0]
        );
        assert_eq!(ticks(3.0, 7.0, 10, false), [3.0, 4.0, 5.0, 6.0, 7.0]);
        assert_eq!(ticks(0.2, 0.8, 10, false), Vec::<f64>::new());
        assert!(ticks(0.0, 0.0, 10, false).is_empty());
        for (lo, hi) in [(0.0, 1e15), (-37.0, 1234.5), (5.0, 9e6)] {
            for binary in [false, true] {
                for max in [1, 3, 7, 12] {
                    let t = ticks(lo, hi, max, binary);
                    assert!(
                        !t.is_empty() && t.len() <= max,
                        "{lo} {hi} {max} {binary}: {t:?}"
                    );
                    assert!(t.iter().all(|&v| v >= lo && v <= hi));
                }
            }
        }
    }

    #[test]
    fn maps_like_the_viewport() {
        let axis = Axis {
            lo: 0.0,
            hi: 100.0,
            binary: false,
        };
        // x: plotters passes (left, right - 1) for the plot [10, 110).
        assert_eq!(axis.map(&0.0, (10, 109)), 10);
        assert_eq!(axis.map(&50.0, (10, 109)), 60);
        assert_eq!(axis.map(&100.0, (10, 109)), 110);
        // y: (bottom - 1, top) for the plot [0, 200).
        assert_eq!(axis.map(&0.0, (199, 0)), 200);
        assert_eq!(axis.map(&100.0, (199, 0)), 0);
    }
}
