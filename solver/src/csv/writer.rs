//! Writing problems and solutions as CSV that the reader (and MiniMalloc, for the columns it
//! knows) reads back unchanged.
//!
//! Optional columns appear only when some buffer needs them, so that plain problems come out
//! in MiniMalloc's own four-column shape. Lifespans are always written half-open under
//! `lower,upper`, never with the inclusive `end`.

use crate::model::{Buffer, Offset, Problem, Solution};

/// Writes a solution as CSV: the problem's buffers in input order, each with its offset.
///
/// Columns are `id,lower,upper,size`, then `alignment`, `hint` and `gaps` when some buffer
/// uses them (an alignment other than 1, a hint, a gap), then `offset`. Lines end in LF. An
/// offset missing from `solution` (a solution for another problem) is left empty.
pub fn write_solution(problem: &Problem, solution: &Solution) -> String {
    write(problem, true, |index, _| {
        solution.offsets.get(index).copied()
    })
}

/// Writes a problem as CSV, with the column rules of [`write_solution`]; the `offset` column
/// appears only when some buffer is fixed, and is empty for the others.
pub fn write_problem(problem: &Problem) -> String {
    let fixed = problem.buffers.iter().any(|b| b.offset.is_some());
    write(problem, fixed, |_, buffer| buffer.offset)
}

fn write(
    problem: &Problem,
    offset_column: bool,
    offset: impl Fn(usize, &Buffer) -> Option<Offset>,
) -> String {
    let buffers = &problem.buffers;
    // Which optional columns to write, in one pass over the buffers (three passes, each to
    // its end when no buffer has the column, were a seventh of the writer's time).
    let (mut alignment, mut hint, mut gaps) = (false, false, false);
    for buffer in buffers {
        alignment |= buffer.alignment != 1;
        hint |= buffer.hint.is_some();
        gaps |= !buffer.gaps.is_empty();
    }
    // About 40 bytes a row for the common four columns; growth handles the rest. Bytes,
    // made a String once at the end: every piece is UTF-8 (ids are strings, the rest ASCII).
    let mut out: Vec<u8> = Vec::with_capacity(40 * (buffers.len() + 1));
    out.extend_from_slice(b"id,lower,upper,size");
    for (present, name) in [
        (alignment, ",alignment"),
        (hint, ",hint"),
        (gaps, ",gaps"),
        (offset_column, ",offset"),
    ] {
        if present {
            out.extend_from_slice(name.as_bytes());
        }
    }
    out.push(b'\n');
    for (index, buffer) in buffers.iter().enumerate() {
        push_id(&mut out, &buffer.id);
        for value in [buffer.lifespan.lower, buffer.lifespan.upper, buffer.size] {
            out.push(b',');
            push_number(&mut out, value);
        }
        if alignment {
            out.push(b',');
            push_number(&mut out, buffer.alignment);
        }
        if hint {
            out.push(b',');
            // The format reads a negative hint as none, so one is written as none.
            if let Some(hint) = buffer.hint.filter(|&h| h >= 0) {
                push_number(&mut out, hint);
            }
        }
        if gaps {
            out.push(b',');
            push_gaps(&mut out, buffer);
        }
        if offset_column {
            out.push(b',');
            if let Some(offset) = offset(index, buffer) {
                push_number(&mut out, offset);
            }
        }
        out.push(b'\n');
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Gaps as space-separated `L-U` or `L-U@WL:WU`. Negative times need no escaping: the reader
/// takes the `-` right after the first number as the separator (`-5--2`).
fn push_gaps(out: &mut Vec<u8>, buffer: &Buffer) {
    for (i, gap) in buffer.gaps.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        push_number(out, gap.lifespan.lower);
        out.push(b'-');
        push_number(out, gap.lifespan.upper);
        if let Some(window) = gap.window {
            out.push(b'@');
            push_number(out, window.lower);
            out.push(b':');
            push_number(out, window.upper);
        }
    }
}

/// `value` in decimal, as `{value}` formats it. By hand: `write!` through the formatting
/// machinery took about a third of the time to write a million-buffer solution.
fn push_number(out: &mut Vec<u8>, value: i64) {
    let mut digits = [0u8; 21];
    let mut at = digits.len();
    let mut rest = value.unsigned_abs();
    // Two digits a division.
    while rest >= 100 {
        let pair = (rest % 100) as usize * 2;
        rest /= 100;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if rest >= 10 {
        let pair = rest as usize * 2;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        at -= 1;
        digits[at] = b'0' + rest as u8;
    }
    if value < 0 {
        at -= 1;
        digits[at] = b'-';
    }
    out.extend_from_slice(&digits[at..]);
}

/// "00", "01", ..., "99" run together.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The id, quoted when the reader would otherwise split it (comma, newline), misread it
/// (quote, CR) or trim it (leading or trailing space or tab).
fn push_id(out: &mut Vec<u8>, id: &str) {
    let bytes = id.as_bytes();
    let needs_quotes = bytes
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        || bytes.first().is_some_and(|b| matches!(b, b' ' | b'\t'))
        || bytes.last().is_some_and(|b| matches!(b, b' ' | b'\t'));
    if !needs_quotes {
        out.extend_from_slice(bytes);
        return;
    }
    out.push(b'"');
    for (i, part) in id.split('"').enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\"\"");
        }
        out.extend_from_slice(part.as_bytes());
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::push_number;

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        let powers = (0..19).map(|k| 10i64.pow(k));
        let edges = powers.flat_map(|p| [p - 1, p, p + 1, -p - 1, -p, -p + 1]);
        let values = (-1000..=1000)
            .chain(edges)
            .chain([i64::MAX, i64::MIN, 987_654_321]);
        for value in values {
            let mut out = b"x".to_vec();
            push_number(&mut out, value);
            assert_eq!(out, format!("x{value}").into_bytes());
        }
    }
}
