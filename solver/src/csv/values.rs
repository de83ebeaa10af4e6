//! Parsing field values: integers, and gap lists such as `1-4 -5--2@0:4`.
//!
//! Both work on bytes and never allocate: a field's text is only copied into an error.

use crate::model::{Gap, Lifespan, Window, MAX_MAGNITUDE};

// `expected` texts of number errors. They are static so that a `BadNumber` costs no formatting
// until displayed; a test checks that the numbers in them match `MAX_MAGNITUDE`.
pub(crate) const TOO_LARGE: &str = "an integer of magnitude at most 9007199254740991";
pub(crate) const END_TOO_LARGE: &str = "an integer below 9007199254740991 (end is inclusive)";
pub(crate) const GAP_TOO_LARGE: &str = "a number of magnitude above 9007199254740991";
pub(crate) const GAP_END_TOO_LARGE: &str = "an inclusive upper time must be below 9007199254740991";

pub(crate) enum IntError {
    Syntax,
    TooLarge,
}

/// An optional sign then decimal digits, of magnitude at most [`MAX_MAGNITUDE`].
pub(crate) fn parse_int(bytes: &[u8]) -> Result<i64, IntError> {
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() {
        return Err(IntError::Syntax);
    }
    // Saturating keeps long digit strings from wrapping; anything past the limit is too large.
    let mut value: u64 = 0;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return Err(IntError::Syntax);
        }
        value = value
            .saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'));
    }
    let value = i64::try_from(value)
        .ok()
        .filter(|&v| v <= MAX_MAGNITUDE)
        .ok_or(IntError::TooLarge)?;
    Ok(if negative { -value } else { value })
}

/// One gap: `L-U` or `L-U@WL:WU`. Numbers may be negative (`-5--2`): the separator is the `-`
/// right after the first number's digits, so numbers are read by scanning, never by splitting.
pub(crate) fn parse_gap(item: &[u8], inclusive: bool) -> Result<Gap, &'static str> {
    let (lower, rest) = gap_number(item, "no lower time at the start")?;
    let rest = expect(rest, b'-', "no '-' after the lower time")?;
    let (mut upper, rest) = gap_number(rest, "no upper time after '-'")?;
    if inclusive {
        if upper >= MAX_MAGNITUDE {
            return Err(GAP_END_TOO_LARGE);
        }
        upper += 1;
    }
    let (window, rest) = match rest.split_first() {
        None => (None, rest),
        Some((b'@', rest)) => {
            let (window_lower, rest) = gap_number(rest, "no window lower offset after '@'")?;
            let rest = expect(rest, b':', "no ':' after the window lower offset")?;
            let (window_upper, rest) = gap_number(rest, "no window upper offset after ':'")?;
            let window = Window {
                lower: window_lower,
                upper: window_upper,
            };
            (Some(window), rest)
        }
        Some(_) => return Err("something other than '@' after the upper time"),
    };
    if !rest.is_empty() {
        return Err("something after the window");
    }
    Ok(Gap {
        lifespan: Lifespan::new(lower, upper),
        window,
    })
}

/// Reads a number at the start of `bytes`; `missing` is the reason given when there is none.
fn gap_number<'b>(bytes: &'b [u8], missing: &'static str) -> Result<(i64, &'b [u8]), &'static str> {
    let sign = usize::from(matches!(bytes.first(), Some(b'-' | b'+')));
    let digits = bytes
        .get(sign..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 {
        return Err(missing);
    }
    let number = bytes.get(..sign + digits).unwrap_or_default();
    let rest = bytes.get(sign + digits..).unwrap_or_default();
    match parse_int(number) {
        Ok(value) => Ok((value, rest)),
        Err(_) => Err(GAP_TOO_LARGE),
    }
}

fn expect<'b>(bytes: &'b [u8], byte: u8, missing: &'static str) -> Result<&'b [u8], &'static str> {
    match bytes.split_first() {
        Some((&first, rest)) if first == byte => Ok(rest),
        _ => Err(missing),
    }
}
