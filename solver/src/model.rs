//! The problem's data: buffers, gaps, problems and solutions.
//!
//! Conventions, stated once:
//! - Time runs along integer instants. A lifespan `[lower, upper)` is **half-open**: `[0,3)` and
//!   `[3,9)` do not overlap. A lifespan with `lower == upper` is empty (the buffer is never live).
//! - Memory is measured in integer units from offset 0. A buffer placed at `offset` occupies
//!   `[offset, offset + size)` while it is live.
//! - Every number is at most [`MAX_MAGNITUDE`] in absolute value (2^53 - 1, JavaScript's largest
//!   exact integer), so sums of sizes never overflow an `i64` and values cross into JavaScript
//!   unchanged.

use std::fmt;

use crate::sort::sort_by_i64_key;

mod checks;

pub(crate) use checks::Checks;

/// A point in time. May be negative.
pub type Time = i64;

/// A position or a length along the memory axis (offsets, sizes, capacities, alignments).
pub type Offset = i64;

/// The largest magnitude any time or offset may have: 2^53 - 1.
pub const MAX_MAGNITUDE: i64 = (1 << 53) - 1;

/// A half-open interval of time `[lower, upper)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lifespan {
    /// First instant at which the interval holds.
    pub lower: Time,
    /// First instant at which it no longer holds (exclusive).
    pub upper: Time,
}

impl Lifespan {
    /// The interval `[lower, upper)`.
    pub const fn new(lower: Time, upper: Time) -> Self {
        Lifespan { lower, upper }
    }

    /// Number of instants covered; 0 for an empty or reversed interval.
    pub fn width(&self) -> Time {
        (self.upper - self.lower).max(0)
    }

    /// True when the two half-open intervals share an instant.
    pub fn overlaps(&self, other: &Lifespan) -> bool {
        self.lower.max(other.lower) < self.upper.min(other.upper)
    }
}

/// A range of memory relative to a buffer's offset, `[lower, upper)`, used by windowed gaps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    /// Lowest occupied unit above the buffer's offset.
    pub lower: Offset,
    /// First unit above the buffer's offset that is no longer occupied (exclusive).
    pub upper: Offset,
}

/// A period inside a buffer's lifespan in which it occupies less memory.
///
/// Without a window the buffer occupies nothing during the gap; with a window
/// `[wl, wu)` it occupies only `[offset + wl, offset + wu)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Gap {
    /// When the gap holds (absolute times, half-open).
    pub lifespan: Lifespan,
    /// What the buffer still occupies during the gap, if anything.
    pub window: Option<Window>,
}

/// One buffer to place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Buffer {
    /// The caller's name for the buffer; unique within a problem.
    pub id: String,
    /// When the buffer is live.
    pub lifespan: Lifespan,
    /// How many units it occupies while live.
    pub size: Offset,
    /// Its offset must be a multiple of this (at least 1).
    pub alignment: Offset,
    /// Periods in which it occupies less; disjoint and inside the lifespan.
    pub gaps: Vec<Gap>,
    /// When set, the buffer must be placed exactly here.
    pub offset: Option<Offset>,
    /// A preferred offset. Carried through CSV and used to break ties only; never a constraint.
    pub hint: Option<Offset>,
}

impl Buffer {
    /// A buffer live in `[lower, upper)` of `size` units, alignment 1, no gaps, not fixed.
    pub fn new(id: impl Into<String>, lower: Time, upper: Time, size: Offset) -> Self {
        Buffer {
            id: id.into(),
            lifespan: Lifespan::new(lower, upper),
            size,
            alignment: 1,
            gaps: Vec::new(),
            offset: None,
            hint: None,
        }
    }

    /// The same buffer with another alignment.
    pub fn with_alignment(mut self, alignment: Offset) -> Self {
        self.alignment = alignment;
        self
    }

    /// The same buffer fixed at `offset`.
    pub fn with_offset(mut self, offset: Offset) -> Self {
        self.offset = Some(offset);
        self
    }

    /// The same buffer with one more gap.
    pub fn with_gap(mut self, lower: Time, upper: Time, window: Option<(Offset, Offset)>) -> Self {
        self.gaps.push(Gap {
            lifespan: Lifespan::new(lower, upper),
            window: window.map(|(lower, upper)| Window { lower, upper }),
        });
        self
    }

    /// Where a buffer that no search places (it occupies no memory) goes: its hint when that
    /// is a legal offset with the buffer ending at or below `limit`, else 0.
    pub(crate) fn resting_offset(&self, limit: Offset) -> Offset {
        self.hint
            .filter(|&h| h >= 0 && h % self.alignment == 0 && h + self.size <= limit)
            .unwrap_or(0)
    }

    /// A copy without the name, which no packing pass reads: for the sub-problems the
    /// passes are run on (at a million buffers the names are tens of MB).
    pub(crate) fn unnamed(&self) -> Buffer {
        Buffer {
            id: String::new(),
            gaps: self.gaps.clone(),
            ..*self
        }
    }

    /// From the start of the first piece to the end of the last (gaps inside included), or
    /// `None` when the buffer occupies nothing: what the passes that sweep time forward
    /// reserve. Without gaps this allocates nothing (a million buffers are read this way).
    pub(crate) fn occupied_span(&self) -> Option<Lifespan> {
        if self.gaps.is_empty() {
            let life = self.lifespan;
            return (life.lower < life.upper && self.size > 0).then_some(life);
        }
        let pieces = self.pieces();
        let (first, last) = (pieces.first()?, pieces.last()?);
        Some(Lifespan::new(first.time.lower, last.time.upper))
    }

    /// The parts of the buffer's life in which it occupies memory, in time order.
    ///
    /// Each piece says when (`time`) and which units relative to the offset (`[bottom, top)`).
    /// Pieces that occupy nothing (empty time, empty window, zero size) are left out, so a
    /// buffer entirely inside a plain gap, or of size 0, has no pieces and conflicts with nothing.
    /// Assumes the buffer passed [`Problem::check`].
    pub fn pieces(&self) -> Vec<Piece> {
        let mut pieces = Vec::with_capacity(1 + 2 * self.gaps.len());
        let mut push = |time: Lifespan, bottom: Offset, top: Offset| {
            if time.lower < time.upper && bottom < top {
                pieces.push(Piece { time, bottom, top });
            }
        };
        // An empty gap frees nothing. Left in, one inside another gap would move the
        // cursor back and make the buffer occupy memory during the outer gap.
        let mut gaps: Vec<&Gap> = self
            .gaps
            .iter()
            .filter(|gap| gap.lifespan.lower < gap.lifespan.upper)
            .collect();
        sort_by_i64_key(&mut gaps, |gap| gap.lifespan.lower);
        let mut cursor = self.lifespan.lower;
        for gap in gaps {
            push(Lifespan::new(cursor, gap.lifespan.lower), 0, self.size);
            if let Some(window) = gap.window {
                push(gap.lifespan, window.lower, window.upper);
            }
            cursor = gap.lifespan.upper;
        }
        push(Lifespan::new(cursor, self.lifespan.upper), 0, self.size);
        pieces
    }
}

/// A part of a buffer's life during which it occupies `[offset + bottom, offset + top)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    /// When (half-open).
    pub time: Lifespan,
    /// Lowest occupied unit, relative to the buffer's offset.
    pub bottom: Offset,
    /// First unoccupied unit above, relative to the buffer's offset.
    pub top: Offset,
}

/// Buffers to place in a memory of `capacity` units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The buffers, in the caller's order; solutions list offsets in this order.
    pub buffers: Vec<Buffer>,
    /// Size of the memory: every buffer must end at or below it.
    pub capacity: Offset,
}

/// Offsets for every buffer of a problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Solution {
    /// One offset per buffer, in the problem's buffer order.
    pub offsets: Vec<Offset>,
    /// The peak: `max(offset + size)` over all buffers (0 when there are none).
    pub height: Offset,
}

impl Solution {
    /// A solution with the given offsets and the height they reach in `problem`.
    pub fn from_offsets(problem: &Problem, offsets: Vec<Offset>) -> Self {
        let height = height_of(problem, &offsets);
        Solution { offsets, height }
    }
}

/// The least multiple of `alignment` (at least 1) that is at least `offset` (non-negative).
/// Unaligned buffers (nearly all) skip the division: the search calls this for every
/// candidate of every node, and a 64-bit division there was a tenth of its time.
#[inline]
pub(crate) fn align_up(offset: Offset, alignment: Offset) -> Offset {
    if alignment == 1 {
        return offset;
    }
    (offset + alignment - 1) / alignment * alignment
}

/// The least common multiple of two alignments, or `None` past what an offset can hold.
pub(crate) fn lcm(a: Offset, b: Offset) -> Option<Offset> {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    (a / x).checked_mul(b)
}

/// `max(offset + size)` over all buffers; 0 for no buffers.
///
/// Every buffer counts, even one that is never live or lies wholly in a gap: its address range
/// `[offset, offset + size)` must still exist in the memory, just as the capacity rule says.
pub(crate) fn height_of(problem: &Problem, offsets: &[Offset]) -> Offset {
    problem
        .buffers
        .iter()
        .zip(offsets)
        .map(|(buffer, &offset)| offset + buffer.size)
        .max()
        .unwrap_or(0)
}

/// Why a problem is malformed, and which buffer (index in the problem, and id) is at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProblemError {
    /// Index of the offending buffer, or `None` for the problem as a whole.
    pub buffer: Option<usize>,
    /// Id of the offending buffer (empty when `buffer` is `None`).
    pub id: String,
    /// What is wrong.
    pub kind: ProblemErrorKind,
}

/// The ways a problem can be malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemErrorKind {
    /// The capacity is negative or too large.
    BadCapacity(Offset),
    /// A buffer's lifespan ends before it starts.
    ReversedLifespan(Lifespan),
    /// A size below 0.
    NegativeSize(Offset),
    /// An alignment below 1.
    BadAlignment(Offset),
    /// A number beyond [`MAX_MAGNITUDE`].
    TooLarge(i64),
    /// A gap that is reversed or not inside the lifespan.
    GapOutsideLifespan(Lifespan),
    /// Two gaps of one buffer share an instant.
    OverlappingGaps(Lifespan, Lifespan),
    /// A window that is reversed or not inside `[0, size]`.
    BadWindow(Window),
    /// A fixed offset that is negative or not a multiple of the alignment.
    BadFixedOffset(Offset),
    /// Two buffers share an id (the index of the first holder).
    DuplicateId(usize),
}

/// Says what was expected and what was found, without naming the buffer (a
/// [`ProblemError`] adds that; a CSV error names the line instead). Intervals are shown
/// half-open, as the model holds them.
impl fmt::Display for ProblemErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemErrorKind::BadCapacity(c) => {
                write!(f, "expected a capacity in 0..={MAX_MAGNITUDE}, found {c}")
            }
            ProblemErrorKind::ReversedLifespan(l) => write!(
                f,
                "expected the lifespan to end at or after its start, found [{}, {})",
                l.lower, l.upper
            ),
            ProblemErrorKind::NegativeSize(s) => {
                write!(f, "expected a non-negative size, found {s}")
            }
            ProblemErrorKind::BadAlignment(a) => {
                write!(f, "expected an alignment of at least 1, found {a}")
            }
            ProblemErrorKind::TooLarge(v) => {
                write!(
                    f,
                    "expected a magnitude of at most {MAX_MAGNITUDE}, found {v}"
                )
            }
            ProblemErrorKind::GapOutsideLifespan(g) => write!(
                f,
                "expected each gap forward and inside the lifespan, found [{}, {})",
                g.lower, g.upper
            ),
            ProblemErrorKind::OverlappingGaps(a, b) => write!(
                f,
                "expected disjoint gaps, found [{}, {}) overlapping [{}, {})",
                a.lower, a.upper, b.lower, b.upper
            ),
            ProblemErrorKind::BadWindow(w) => write!(
                f,
                "expected each window forward and inside [0, size], found [{}, {})",
                w.lower, w.upper
            ),
            ProblemErrorKind::BadFixedOffset(o) => write!(
                f,
                "expected a fixed offset that is non-negative and a multiple of the alignment, \
                 found {o}"
            ),
            ProblemErrorKind::DuplicateId(first) => write!(
                f,
                "expected a unique id, found the id of buffer #{} again",
                first + 1
            ),
        }
    }
}

impl fmt::Display for ProblemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(index) = self.buffer {
            write!(f, "buffer {:?} (#{}): ", self.id, index + 1)?;
        }
        self.kind.fmt(f)
    }
}

impl std::error::Error for ProblemError {}

impl Problem {
    /// A problem over `buffers` with the given capacity.
    pub fn new(buffers: Vec<Buffer>, capacity: Offset) -> Self {
        Problem { buffers, capacity }
    }

    /// Checks that the problem is well formed: numbers in range, gaps inside lifespans and
    /// disjoint, windows inside the buffer, fixed offsets aligned, ids unique.
    /// Feasibility is the solver's question, not this one's.
    pub fn check(&self) -> Result<(), ProblemError> {
        if !(0..=MAX_MAGNITUDE).contains(&self.capacity) {
            return Err(ProblemError {
                buffer: None,
                id: String::new(),
                kind: ProblemErrorKind::BadCapacity(self.capacity),
            });
        }
        let mut checks = Checks::new(self.buffers.len());
        for buffer in &self.buffers {
            checks.add(buffer);
        }
        checks.finish(&self.buffers)
    }
}

#[cfg(test)]
mod tests;
