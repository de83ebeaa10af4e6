//! Flag values: absl's booleans and integers, and the values of each flag that takes one
//! (durations are in `duration.rs`). Each parser says what it expected when the value
//! will not do; the caller puts the flag's name in front.

use bufpack::{parse_preorderings, Offset, Preordering, MAX_MAGNITUDE};
use bufpack_models::Scratch;

/// absl's booleans: `1 t true y yes` and `0 f false n no`, any case, blanks around ignored.
pub(crate) fn parse_bool(text: &str) -> Result<bool, String> {
    let word = text.trim().to_ascii_lowercase();
    match word.as_str() {
        "1" | "t" | "true" | "y" | "yes" => Ok(true),
        "0" | "f" | "false" | "n" | "no" => Ok(false),
        _ => Err(format!(
            "expected true or false (or 1/0, yes/no), found {text:?}"
        )),
    }
}

/// absl's integers: an optional sign, then decimal digits or `0x` and hex digits, blanks
/// around ignored. `None` when that is not what `text` holds or it is out of `i128`.
fn parse_integer(text: &str) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits) = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => (16, hex),
        None => (10, digits),
    };
    // `from_str_radix` would take a second sign.
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

pub(crate) fn parse_orderings(text: &str) -> Result<Vec<Preordering>, String> {
    parse_preorderings(text).map_err(|e| e.to_string())
}

pub(crate) fn parse_capacity(text: &str) -> Result<Offset, String> {
    parse_integer(text)
        .filter(|c| (0..=i128::from(MAX_MAGNITUDE)).contains(c))
        .and_then(|c| Offset::try_from(c).ok())
        .ok_or_else(|| format!("expected an integer in 0..={MAX_MAGNITUDE}, found {text:?}"))
}

pub(crate) fn parse_threads(text: &str) -> Result<usize, String> {
    parse_integer(text)
        .filter(|&n| n >= 1)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| format!("expected a positive number of threads, found {text:?}"))
}

/// A path, or `None` for `-` (the standard stream `stream`).
pub(crate) fn parse_path(text: &str, stream: &str) -> Result<Option<String>, String> {
    match text {
        "" => Err(format!(
            "expected a path, or - for {stream}, found an empty value"
        )),
        "-" => Ok(None),
        path => Ok(Some(path.to_string())),
    }
}

/// The largest scratch buffer: TensorFlow Lite Micro's arena offsets are 32-bit and signed.
const MAX_SCRATCH: i128 = i32::MAX as i128;

/// `--scratch`: kernel scratch buffers as `SUBGRAPH:OPERATOR:BYTES` or `OPERATOR:BYTES`
/// (subgraph 0), separated by commas; `none` for none. Whether the operators exist is
/// checked once the model is read.
pub(crate) fn parse_scratch(text: &str) -> Result<Vec<Scratch>, String> {
    if text.trim() == "none" {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|entry| {
            let parts: Vec<&str> = entry.split(':').collect();
            let (subgraph, operator, bytes) = match parts[..] {
                [operator, bytes] => ("0", operator, bytes),
                [subgraph, operator, bytes] => (subgraph, operator, bytes),
                _ if entry.trim().is_empty() => {
                    return Err("empty entry in the list (entries are separated by commas)".into())
                }
                _ => {
                    return Err(format!(
                        "expected SUBGRAPH:OPERATOR:BYTES or OPERATOR:BYTES (subgraph 0), found {entry:?}"
                    ))
                }
            };
            let index = |what: &str, value: &str| {
                parse_integer(value)
                    .filter(|&n| n >= 0)
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| {
                        format!("in {entry:?}: expected the {what}'s index (0, 1, ...), found {value:?}")
                    })
            };
            let subgraph = index("subgraph", subgraph)?;
            let operator = index("operator", operator)?;
            let bytes = parse_integer(bytes)
                .filter(|n| (1..=MAX_SCRATCH).contains(n))
                .and_then(|n| u64::try_from(n).ok())
                .ok_or_else(|| {
                    format!("in {entry:?}: expected a size in bytes in 1..={MAX_SCRATCH}, found {bytes:?}")
                })?;
            Ok(Scratch {
                subgraph,
                operator,
                bytes,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(subgraph: usize, operator: usize, bytes: u64) -> Scratch {
        Scratch {
            subgraph,
            operator,
            bytes,
        }
    }

    #[test]
    fn scratch_lists() {
        let cases: &[(&str, &[Scratch])] = &[
            ("none", &[]),
            (" none ", &[]),
            ("3:1024", &[scratch(0, 3, 1024)]),
            ("1:3:1024", &[scratch(1, 3, 1024)]),
            ("0:0x40, 2:5:16", &[scratch(0, 0, 64), scratch(2, 5, 16)]),
            // An operator may request several; the order given is kept.
            ("4:32,4:16", &[scratch(0, 4, 32), scratch(0, 4, 16)]),
            ("7:2147483647", &[scratch(0, 7, 2_147_483_647)]),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_scratch(text).as_deref(), Ok(*expected), "{text}");
        }
    }

    #[test]
    fn bad_scratch_lists_say_what_is_wrong() {
        let empty = "empty entry in the list (entries are separated by commas)";
        let form = "expected SUBGRAPH:OPERATOR:BYTES or OPERATOR:BYTES (subgraph 0), found";
        let cases = [
            ("", empty.to_string()),
            ("3:64,", empty.to_string()),
            ("64", format!("{form} \"64\"")),
            ("1:2:3:4", format!("{form} \"1:2:3:4\"")),
            ("x:64", "in \"x:64\": expected the operator's index (0, 1, ...), found \"x\"".to_string()),
            ("-1:64", "in \"-1:64\": expected the operator's index (0, 1, ...), found \"-1\"".to_string()),
            ("a:1:64", "in \"a:1:64\": expected the subgraph's index (0, 1, ...), found \"a\"".to_string()),
            ("3:0", "in \"3:0\": expected a size in bytes in 1..=2147483647, found \"0\"".to_string()),
            ("3:1k", "in \"3:1k\": expected a size in bytes in 1..=2147483647, found \"1k\"".to_string()),
            ("3:2147483648", "in \"3:2147483648\": expected a size in bytes in 1..=2147483647, found \"2147483648\"".to_string()),
            ("3:", "in \"3:\": expected a size in bytes in 1..=2147483647, found \"\"".to_string()),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_scratch(text), Err(expected), "{text}");
        }
    }
}
