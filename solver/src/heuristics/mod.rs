//! Fast approximate packings: greedy passes and an online allocator.
//!
//! A greedy pass places buffers one at a time in a fixed [`Order`], each at a free offset
//! chosen by a [`Fit`] among the buffers already placed that share time with it. Fixed
//! buffers are placed first, gaps and windows are honoured piece by piece, offsets are
//! aligned: the same rules as the exact solver, so every packing here validates.
//!
//! The [`Heuristic::Skyline`] passes instead place next whichever buffer can sit lowest, the
//! exact search's first descent; on real traces they land within a fraction of a percent of
//! the lower bound. [`Heuristic::Online`] is O(n log n) on any input, and runs first so that
//! even the largest input gets a packing at once (on long traces with few load peaks
//! [`Heuristic::Peaks`], bounded by a work budget, does that instead: see `leads`); the
//! others cost more on crowded inputs (pairs of buffers that share time, or buffers whose
//! spot rises while they wait), so every pass can be stopped midway.

mod blocks;
mod fill;
mod fit;
mod online;
mod order;
mod peaks;
mod place;
mod skyline;
mod stack;
mod valleys;

use std::fmt;

pub use fit::Fit;
pub use order::Order;
pub(crate) use peaks::{leads, PartPacker, LEAD};

use crate::bounds::LoadProfile;
use crate::model::{Offset, Problem, Solution};
use crate::search::{check_fixed, SolveError};
use place::{PieceTable, Placer};

/// How much work (placements, pieces met, skyline steps: each pass says) passes between
/// two checks of a pass's stop callback.
pub(crate) const STOP_CHECK: u32 = 4096;

/// One way to build a packing fast.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Heuristic {
    /// Place buffers in `order`, each at the offset `fit` picks.
    Greedy(Order, Fit),
    /// Sweep time forward, giving each starting buffer the tightest free block clear of the
    /// fixed buffers' pieces (gaps ignored): O(n log n) on inputs with few fixed buffers.
    Online,
    /// Place next whichever buffer can sit lowest on the skyline, ties to `order`'s
    /// favourite: the exact search's first descent.
    Skyline(Order),
    /// Pack the buffers live where the load reaches the given thousandths of its peak first
    /// (the crowding skyline, and peaks again at a higher share; each part of them still
    /// above the load packed again by other skylines, and within a minimisation of a trace
    /// too large for the exact search whole, with `hot_parts`, by the search on that part
    /// alone), then fill in the others around them in one start-order sweep, growing the
    /// first set where the sweep rises: the skyline's quality where it matters, on any
    /// length of trace.
    Peaks(u16),
    /// Stack the buffers live at the highest load's instant without a hole (earlier starts
    /// lower), then fill in the others around them in one start-order sweep.
    Stack,
}

impl Heuristic {
    /// The passes a minimisation runs, in turn, most useful first: the fast and safe one,
    /// then the ones that come closest to the bound on real traces.
    pub const PORTFOLIO: [Heuristic; 15] = [
        Heuristic::Online,
        Heuristic::Stack,
        Heuristic::Peaks(800),
        Heuristic::Peaks(900),
        Heuristic::Skyline(Order::Crowding),
        Heuristic::Greedy(Order::Size, Fit::Best),
        Heuristic::Skyline(Order::Area),
        Heuristic::Skyline(Order::Start),
        Heuristic::Greedy(Order::Crowding, Fit::First),
        Heuristic::Greedy(Order::Area, Fit::Best),
        Heuristic::Skyline(Order::Lifetime),
        Heuristic::Skyline(Order::Size),
        Heuristic::Greedy(Order::Lifetime, Fit::First),
        Heuristic::Greedy(Order::Start, Fit::Best),
        Heuristic::Greedy(Order::Size, Fit::First),
    ];

    /// Every greedy pass, most often best first.
    pub const GREEDY: [Heuristic; 10] = [
        Heuristic::Greedy(Order::Size, Fit::Best),
        Heuristic::Greedy(Order::Crowding, Fit::First),
        Heuristic::Greedy(Order::Size, Fit::First),
        Heuristic::Greedy(Order::Crowding, Fit::Best),
        Heuristic::Greedy(Order::Area, Fit::Best),
        Heuristic::Greedy(Order::Area, Fit::First),
        Heuristic::Greedy(Order::Lifetime, Fit::First),
        Heuristic::Greedy(Order::Lifetime, Fit::Best),
        Heuristic::Greedy(Order::Start, Fit::Best),
        Heuristic::Greedy(Order::Start, Fit::First),
    ];
}

impl fmt::Display for Heuristic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Heuristic::Greedy(order, Fit::First) => write!(f, "{order}/first-fit"),
            Heuristic::Greedy(order, Fit::Best) => write!(f, "{order}/best-fit"),
            Heuristic::Online => f.write_str("online/best-fit"),
            Heuristic::Skyline(order) => write!(f, "{order}/skyline"),
            Heuristic::Peaks(permille) => write!(f, "peaks-{}/fill", u32::from(*permille)),
            Heuristic::Stack => f.write_str("peak-stack/fill"),
        }
    }
}

/// Packs `problem` with one heuristic. `Ok(None)` when its packing would not fit the
/// capacity (use a large capacity to see any height) or fixed buffers clash.
pub fn greedy(problem: &Problem, heuristic: Heuristic) -> Result<Option<Solution>, SolveError> {
    problem.check().map_err(SolveError::Problem)?;
    if check_fixed(problem).is_err() {
        return Ok(None);
    }
    Ok(Greedy::new(problem).run(heuristic, problem.capacity, &mut || false))
}

/// Greedy passes over one problem, sharing the piece index between them.
pub(crate) struct Greedy<'a> {
    problem: &'a Problem,
    /// The load profile, when the caller has it (the peaks passes need it).
    profile: Option<&'a LoadProfile>,
    /// Built on first use: the online pass needs none of it.
    indexed: Option<Indexed>,
    /// Packs the parts of the peaks passes' hot sets that no skyline order brings down to
    /// the load, where the caller has a packer (see `peaks/parts.rs`).
    parts: Option<&'a mut dyn PartPacker>,
}

/// What the passes other than the online one share.
struct Indexed {
    table: PieceTable,
    /// Movable buffers that occupy memory: the ones passes place.
    movable: Vec<u32>,
    crowding: Option<Vec<i64>>,
}

impl<'a> Greedy<'a> {
    /// Passes over `problem`, which must have passed `check()` with no fixed clash.
    pub(crate) fn new(problem: &'a Problem) -> Greedy<'a> {
        Greedy {
            problem,
            profile: None,
            indexed: None,
            parts: None,
        }
    }

    /// Passes over `problem` whose load profile is `profile`.
    pub(crate) fn with_profile(problem: &'a Problem, profile: &'a LoadProfile) -> Greedy<'a> {
        Greedy {
            profile: Some(profile),
            ..Greedy::new(problem)
        }
    }

    /// These passes with the peaks passes' parts packed by `packer`, if any, where the
    /// skylines leave them above the load.
    pub(crate) fn with_parts(self, packer: Option<&'a mut dyn PartPacker>) -> Greedy<'a> {
        Greedy {
            parts: packer,
            ..self
        }
    }

    /// How many packings of hot parts by the caller's packer the peaks passes kept so far
    /// (see [`PartPacker::kept`]).
    pub(crate) fn parts_kept(&self) -> u64 {
        self.parts.as_ref().map_or(0, |packer| packer.kept_count())
    }

    /// A packing by `heuristic` with every buffer ending at or below `limit`, if it finds one
    /// before `stop` (asked every few thousand placements) says to give up.
    pub(crate) fn run(
        &mut self,
        heuristic: Heuristic,
        limit: Offset,
        stop: &mut dyn FnMut() -> bool,
    ) -> Option<Solution> {
        self.pass(heuristic, limit, stop, false)
    }

    /// A packing by `heuristic` with every buffer ending at or below `limit`, if there is
    /// one: the pass runs until it has one, the same on any machine, and only then asks
    /// `stop` whether to go on improving it (the peaks pass's later rounds; the other passes
    /// answer once, at their end).
    pub(crate) fn run_to_answer(
        &mut self,
        heuristic: Heuristic,
        limit: Offset,
        stop: &mut dyn FnMut() -> bool,
    ) -> Option<Solution> {
        match heuristic {
            Heuristic::Peaks(_) => self.pass(heuristic, limit, stop, true),
            _ => self.pass(heuristic, limit, &mut || false, true),
        }
    }

    fn pass(
        &mut self,
        heuristic: Heuristic,
        limit: Offset,
        stop: &mut dyn FnMut() -> bool,
        must_answer: bool,
    ) -> Option<Solution> {
        let problem = self.problem;
        let offsets = match heuristic {
            Heuristic::Online => online::online_best_fit(problem, limit, stop)?,
            Heuristic::Greedy(order, fit) => {
                let order = self.order(order);
                let table = &self.indexed.as_ref()?.table;
                Placer::new(problem, table).place(&order, fit, limit, stop)?
            }
            Heuristic::Peaks(permille) => {
                let packer = peaks::reborrow(&mut self.parts);
                peaks::peaks(
                    problem,
                    self.profile,
                    u32::from(permille),
                    limit,
                    stop,
                    packer,
                    must_answer,
                )?
            }
            Heuristic::Stack => stack::peak_stack(problem, self.profile, limit, stop)?,
            Heuristic::Skyline(order) => {
                let order = self.order(order);
                let table = &self.indexed.as_ref()?.table;
                skyline::skyline(problem, table, &order, limit, stop)?
            }
        };
        Some(Solution::from_offsets(problem, offsets))
    }

    /// The movable buffers sorted by `order`.
    fn order(&mut self, order: Order) -> Vec<u32> {
        let problem = self.problem;
        let indexed = self.indexed.get_or_insert_with(|| {
            let table = PieceTable::new(problem);
            let movable = (0..problem.buffers.len())
                .filter(|&b| problem.buffers[b].offset.is_none() && table.occupies(b))
                .map(|b| b as u32)
                .collect();
            Indexed {
                table,
                movable,
                crowding: None,
            }
        });
        if order == Order::Crowding && indexed.crowding.is_none() {
            indexed.crowding = Some(indexed.table.crowding(problem.buffers.len()));
        }
        let crowding = indexed.crowding.as_deref().unwrap_or(&[]);
        order::sort(problem, &indexed.movable, order, crowding)
    }
}
