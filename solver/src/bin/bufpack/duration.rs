//! Durations as absl writes them (`10s`, `1m30s`, `1.5h`, `250us`, `inf`), plus a plain
//! number of seconds (`3`, `0.5`), which absl itself only accepts for `0`.

use std::time::Duration;

/// Nanoseconds in each unit absl knows, two-letter suffixes first so that `ms` is not read
/// as `m`.
const UNITS: [(&str, u128); 6] = [
    ("ns", 1),
    ("us", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Parses a timeout: `None` means no limit (`inf`, or a duration too long for the clock).
///
/// Accepted: `inf`; a plain decimal number of seconds; or one or more decimal numbers each
/// followed by a unit (`ns`, `us`, `ms`, `s`, `m`, `h`), summed, as in `1h2m3.5s`. A leading
/// `+` is allowed; negative durations are not, since a timeout cannot be negative.
pub(crate) fn parse_timeout(text: &str) -> Result<Option<Duration>, String> {
    let expected = "expected a duration such as 10s, 500ms, 1m30s, 3 (seconds) or inf";
    let fail = || Err(format!("{expected}, found {text:?}"));
    if text.starts_with('-') {
        return Err(format!("expected a non-negative duration, found {text:?}"));
    }
    let rest = text.strip_prefix('+').unwrap_or(text);
    if rest == "inf" {
        return Ok(None);
    }
    if rest.is_empty() {
        return fail();
    }
    // A plain number is seconds.
    if let Some(nanos) = number_nanos(rest, 1_000_000_000) {
        return Ok(from_nanos(nanos));
    }
    let mut total: u128 = 0;
    let mut rest = rest;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(digits);
        let Some((suffix, scale)) = UNITS.iter().find(|(unit, _)| tail.starts_with(unit)) else {
            return fail();
        };
        let Some(nanos) = number_nanos(number, *scale) else {
            return fail();
        };
        total = total.saturating_add(nanos);
        rest = &tail[suffix.len()..];
    }
    Ok(from_nanos(total))
}

/// `number` (digits, an optional `.` and more digits, at least one digit in all) times
/// `scale` nanoseconds, with fractions of a nanosecond dropped. Saturates rather than
/// overflowing; `None` when `number` is not such a number.
fn number_nanos(number: &str, scale: u128) -> Option<u128> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let mut nanos: u128 = 0;
    for digit in whole.bytes() {
        nanos = nanos
            .saturating_mul(10)
            .saturating_add(u128::from(digit - b'0'));
    }
    nanos = nanos.saturating_mul(scale);
    // Each fraction digit is worth a tenth of the one before; past nanoseconds, nothing.
    let mut place = scale;
    for digit in fraction.bytes() {
        place /= 10;
        if place == 0 {
            break;
        }
        nanos = nanos.saturating_add(u128::from(digit - b'0') * place);
    }
    Some(nanos)
}

/// The duration of `nanos` nanoseconds, or `None` (no limit) when it exceeds [`Duration::MAX`].
fn from_nanos(nanos: u128) -> Option<Duration> {
    let secs = u64::try_from(nanos / 1_000_000_000).ok()?;
    // The remainder is below 10^9, so it fits.
    let subsec = u32::try_from(nanos % 1_000_000_000).unwrap_or(0);
    Some(Duration::new(secs, subsec))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Duration {
        parse_timeout(text)
            .unwrap_or_else(|e| panic!("{text:?}: {e}"))
            .unwrap_or_else(|| panic!("{text:?} is finite"))
    }

    #[test]
    fn absl_forms() {
        assert_eq!(ok("10s"), Duration::from_secs(10));
        assert_eq!(ok("500ms"), Duration::from_millis(500));
        assert_eq!(ok("1.5s"), Duration::from_millis(1500));
        assert_eq!(ok("2m"), Duration::from_secs(120));
        assert_eq!(ok("1m30s"), Duration::from_secs(90));
        assert_eq!(ok("1h"), Duration::from_secs(3600));
        assert_eq!(ok("1.5h"), Duration::from_secs(5400));
        assert_eq!(ok("250us"), Duration::from_micros(250));
        assert_eq!(ok("7ns"), Duration::from_nanos(7));
        assert_eq!(ok("1h2m3s4ms5us6ns"), Duration::new(3723, 4_005_006));
        assert_eq!(
            ok("2s1s"),
            Duration::from_secs(3),
            "absl sums repeated units"
        );
        assert_eq!(ok(".5s"), Duration::from_millis(500));
        assert_eq!(ok("5.s"), Duration::from_secs(5));
        assert_eq!(ok("+3s"), Duration::from_secs(3));
        assert_eq!(ok("0"), Duration::ZERO);
        assert_eq!(ok("0s"), Duration::ZERO);
        assert_eq!(
            ok("1.0000000009s"),
            Duration::from_secs(1),
            "below 1ns is dropped"
        );
    }

    #[test]
    fn plain_numbers_are_seconds() {
        assert_eq!(ok("3"), Duration::from_secs(3));
        assert_eq!(ok("0.5"), Duration::from_millis(500));
        assert_eq!(ok("0.001"), Duration::from_millis(1));
        assert_eq!(ok("120"), Duration::from_secs(120));
    }

    #[test]
    fn infinity_and_overflow_mean_no_limit() {
        assert_eq!(parse_timeout("inf"), Ok(None));
        assert_eq!(parse_timeout("+inf"), Ok(None));
        assert_eq!(parse_timeout("99999999999999999999999h"), Ok(None));
        assert_eq!(
            parse_timeout("99999999999999999999999999999999999999999"),
            Ok(None)
        );
    }

    #[test]
    fn rejects_nonsense_with_a_message() {
        for bad in [
            "", "+", "s", "10x", "10 s", " 10s", "10s ", "1.2.3s", ".s", "1e3", "abc", "10sec",
            "1m30", "infs", "INF", "10S", "1,5s", "ms",
        ] {
            let error = parse_timeout(bad).expect_err(bad);
            assert!(
                error.starts_with("expected a duration such as"),
                "{bad:?}: {error}"
            );
            assert!(
                error.ends_with(&format!("found {bad:?}")),
                "{bad:?}: {error}"
            );
        }
        assert_eq!(
            parse_timeout("-1s"),
            Err("expected a non-negative duration, found \"-1s\"".to_string())
        );
        assert!(parse_timeout("-inf").is_err());
    }
}
