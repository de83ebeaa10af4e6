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
    let alignment = buffers.iter().any(|b| b.alignment != 1);
    let hint = buffers.iter().any(|b| b.hint.is_some());
    let gaps = buffers.iter().any(|b| !b.gaps.is_empty());
    // About 40 bytes a row for the common four columns; growth handles the rest.
    let mut out = String::with_capacity(40 * (buffers.len() + 1));
    out.push_str("id,lower,upper,size");
    for (present, name) in [
        (alignment, ",alignment"),
        (hint, ",hint"),
        (gaps, ",gaps"),
        (offset_column, ",offset"),
    ] {
        if present {
            out.push_str(name);
        }
    }
    out.push('\n');
    for (index, buffer) in buffers.iter().enumerate() {
        push_id(&mut out, &buffer.id);
        for value in [buffer.lifespan.lower, buffer.lifespan.upper, buffer.size] {
            out.push(',');
            push_number(&mut out, value);
        }
        if alignment {
            out.push(',');
            push_number(&mut out, buffer.alignment);
        }
        if hint {
            out.push(',');
            // The format reads a negative hint as none, so one is written as none.
            if let Some(hint) = buffer.hint.filter(|&h| h >= 0) {
                push_number(&mut out, hint);
            }
        }
        if gaps {
            out.push(',');
            push_gaps(&mut out, buffer);
        }
        if offset_column {
            out.push(',');
            if let Some(offset) = offset(index, buffer) {
                push_number(&mut out, offset);
            }
        }
        out.push('\n');
    }
    out
}

/// Gaps as space-separated `L-U` or `L-U@WL:WU`. Negative times need no escaping: the reader
/// takes the `-` right after the first number as the separator (`-5--2`).
fn push_gaps(out: &mut String, buffer: &Buffer) {
    for (i, gap) in buffer.gaps.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        push_number(out, gap.lifespan.lower);
        out.push('-');
        push_number(out, gap.lifespan.upper);
        if let Some(window) = gap.window {
            out.push('@');
            push_number(out, window.lower);
            out.push(':');
            push_number(out, window.upper);
        }
    }
}

/// `value` in decimal, as `{value}` formats it. By hand: `write!` through the formatting
/// machinery took about a third of the time to write a million-buffer solution.
fn push_number(out: &mut String, value: i64) {
    let mut digits = [0u8; 21];
    let mut at = digits.len();
    let mut rest = value.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if value < 0 {
        at -= 1;
        digits[at] = b'-';
    }
    // ASCII digits and a sign are always UTF-8.
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// The id, quoted when the reader would otherwise split it (comma, newline), misread it
/// (quote, CR) or trim it (leading or trailing space or tab).
fn push_id(out: &mut String, id: &str) {
    let needs_quotes = id.contains([',', '"', '\r', '\n'])
        || id.starts_with([' ', '\t'])
        || id.ends_with([' ', '\t']);
    if !needs_quotes {
        out.push_str(id);
        return;
    }
    out.push('"');
    for (i, part) in id.split('"').enumerate() {
        if i > 0 {
            out.push_str("\"\"");
        }
        out.push_str(part);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::push_number;

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        for value in [
            0,
            7,
            10,
            -1,
            -10,
            1_048_576,
            -987_654_321,
            i64::MAX,
            i64::MIN,
        ] {
            let mut out = String::from("x");
            push_number(&mut out, value);
            assert_eq!(out, format!("x{value}"));
        }
    }
}
