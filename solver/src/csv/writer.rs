//! Writing problems and solutions as CSV that the reader (and MiniMalloc, for the columns it
//! knows) reads back unchanged.
//!
//! Optional columns appear only when some buffer needs them, so that plain problems come out
//! in MiniMalloc's own four-column shape. Lifespans are always written half-open under
//! `lower,upper`, never with the inclusive `end`.

use std::fmt::Write as _;

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
        // Writing into a String cannot fail.
        let _ = write!(
            out,
            ",{},{},{}",
            buffer.lifespan.lower, buffer.lifespan.upper, buffer.size
        );
        if alignment {
            let _ = write!(out, ",{}", buffer.alignment);
        }
        if hint {
            out.push(',');
            // The format reads a negative hint as none, so one is written as none.
            if let Some(hint) = buffer.hint.filter(|&h| h >= 0) {
                let _ = write!(out, "{hint}");
            }
        }
        if gaps {
            out.push(',');
            push_gaps(&mut out, buffer);
        }
        if offset_column {
            out.push(',');
            if let Some(offset) = offset(index, buffer) {
                let _ = write!(out, "{offset}");
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
        let _ = write!(out, "{}-{}", gap.lifespan.lower, gap.lifespan.upper);
        if let Some(window) = gap.window {
            let _ = write!(out, "@{}:{}", window.lower, window.upper);
        }
    }
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
