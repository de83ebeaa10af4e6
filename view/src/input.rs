//! What a view shows: a CSV with an `offset` column, read and checked into a
//! [`Layout`], or the reason it cannot be shown.

use std::rc::Rc;

use bufpack::{read_buffers, validate, LowerBound, Offset, Problem, Solution, MAX_MAGNITUDE};
use bufpack_chart::layout::{Figures, Layout};

/// The view's input. CSV text is compared by identity (a new `update` with new text is a
/// new input), so a re-render never compares megabytes of text.
#[derive(Clone, Debug)]
pub(crate) enum Input {
    /// Nothing yet (`src` is being fetched).
    Loading,
    /// A message from the page's side (a failed fetch, objects that are not a layout).
    Error(String),
    Csv(Rc<Csv>),
}

#[derive(Debug)]
pub(crate) struct Csv {
    pub(crate) text: String,
    /// Where the text came from (`src`'s URL, "csv attribute", ...), for messages.
    pub(crate) source: String,
    pub(crate) capacity: Option<Offset>,
}

impl Input {
    pub(crate) fn csv(text: String, source: String, capacity: Option<Offset>) -> Input {
        Input::Csv(Rc::new(Csv {
            text,
            source,
            capacity,
        }))
    }
}

impl PartialEq for Input {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Input::Loading, Input::Loading) => true,
            (Input::Error(a), Input::Error(b)) => a == b,
            (Input::Csv(a), Input::Csv(b)) => {
                Rc::ptr_eq(a, b)
                    || (a.source == b.source && a.capacity == b.capacity && a.text == b.text)
            }
            _ => false,
        }
    }
}

/// Reads `csv` into a layout: every row needs an offset, and the offsets must form a
/// packing (within the capacity, when one is given). Errors say what and where.
pub(crate) fn read(csv: &Csv) -> Result<Layout, String> {
    let source = &csv.source;
    let mut buffers = read_buffers(&csv.text).map_err(|e| format!("{source}: {e}"))?;
    if buffers.is_empty() {
        return Err(format!(
            "{source}: no buffers (a header line, then one row per buffer)"
        ));
    }
    let mut offsets = Vec::with_capacity(buffers.len());
    for (row, buffer) in buffers.iter_mut().enumerate() {
        match buffer.offset.take() {
            Some(offset) => offsets.push(offset),
            None if row == 0 => {
                return Err(format!(
                    "{source}: buffer {:?} (data row 1) has no offset: a layout needs an \
                     \"offset\" column with a number in every row (the solver's output)",
                    buffer.id
                ))
            }
            None => {
                return Err(format!(
                    "{source}: buffer {:?} (data row {}) has no offset",
                    buffer.id,
                    row + 1
                ))
            }
        }
    }
    let problem = Problem::new(buffers, csv.capacity.unwrap_or(MAX_MAGNITUDE));
    let solution = Solution::from_offsets(&problem, offsets);
    validate(&problem, &solution)
        .map_err(|e| format!("{source}: the offsets are not a valid packing: {e}"))?;
    let bound = LowerBound::of(&problem);
    let figures = Figures {
        height: solution.height,
        lower_bound: bound.height,
        load: bound.load,
        gap_percent: bufpack::gap_percent(solution.height, bound.height),
        status: "given".into(),
        ..Figures::default()
    };
    Ok(Layout::new(problem, csv.capacity, &solution, figures))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str, capacity: Option<Offset>) -> Csv {
        Csv {
            text: text.into(),
            source: "t.csv".into(),
            capacity,
        }
    }

    #[test]
    fn a_packing_reads_into_a_layout() {
        let layout = read(&csv(
            "id,lower,upper,size,offset\na,0,4,2,0\nb,2,6,3,2\n",
            None,
        ))
        .expect("a packing");
        assert_eq!(layout.len(), 2);
        assert_eq!(layout.offsets, [0, 2]);
        assert_eq!(layout.figures.height, 5);
        assert_eq!(layout.figures.load, 5);
    }

    #[test]
    fn errors_say_what_and_where() {
        let parse = read(&csv("id,lower,upper,size,offset\na,0,4,2x,0\n", None)).unwrap_err();
        assert!(
            parse.starts_with("t.csv: line 2, column 7 (size):"),
            "{parse}"
        );
        let missing = read(&csv("id,lower,upper,size\na,0,4,2\n", None)).unwrap_err();
        assert!(
            missing.contains("\"a\" (data row 1) has no offset"),
            "{missing}"
        );
        let row = read(&csv(
            "id,lower,upper,size,offset\na,0,4,2,0\nb,0,4,2,\n",
            None,
        ))
        .unwrap_err();
        assert!(row.contains("\"b\" (data row 2) has no offset"), "{row}");
        let overlap = read(&csv(
            "id,lower,upper,size,offset\na,0,4,2,0\nb,2,6,3,1\n",
            None,
        ))
        .unwrap_err();
        assert!(
            overlap.starts_with("t.csv: the offsets are not a valid packing"),
            "{overlap}"
        );
        assert!(overlap.contains('a') && overlap.contains('b'), "{overlap}");
        let over = read(&csv(
            "id,lower,upper,size,offset\na,0,4,2,0\nb,2,6,3,2\n",
            Some(4),
        ))
        .unwrap_err();
        assert!(over.contains("not a valid packing"), "{over}");
        let empty = read(&csv("id,lower,upper,size,offset\n", None)).unwrap_err();
        assert!(empty.contains("no buffers"), "{empty}");
    }
}
