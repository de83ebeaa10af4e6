//! The lead's hot parts minimised (see `heuristics/peaks/parts.rs`): on a trace too large for
//! the exact search whole, a part of the peaks pass's hot set that no skyline order brings
//! down to the load is minimised on its own, a problem of a few hundred to a few thousand
//! buffers, within a counted budget.
//!
//! On `huge` traces of a million buffers the part at the load's peak decides the height,
//! and where the skylines leave it above the load (seed 10: the best of four orders 2.7%
//! above) the exact search on the part alone mostly packs it at the load within a few
//! hundred nodes.

use super::affordable;
use crate::heuristics::PartPacker;
use crate::model::{Offset, Problem, Solution};
use crate::monitor::Monitor;
use crate::params::SolverParams;

/// Stop checks (one every 64 nodes of a search, or every few thousand placements of a
/// pass) one part's minimisation may take: hundredths of a second on a part of 2,000
/// buffers.
const PART_CHECKS: u64 = 1 << 8;

/// Stop checks all parts together may take, in one thread's minimisation: the pass that
/// asks for them is the lead, whose first round must finish, so this bounds what the parts
/// add to it.
const PARTS_CHECKS: u64 = 1 << 10;

/// The minimisation's packer for the peaks pass's parts, with what it has spent.
pub(super) struct MinimisedParts {
    /// The minimisation's, without `hot_parts`: a part is small enough for the search
    /// whole, but widened it might not be, and its own minimisation must not hand down a
    /// packer with a budget of its own.
    params: SolverParams,
    /// Stop checks left for all parts together.
    left: u64,
    /// Each part asked for and its target, with the answer: the peaks pass's later rounds,
    /// and its nested passes, ask again for the same parts (a few dozen at most).
    answers: Vec<(Problem, Offset, Option<Vec<Offset>>)>,
    pub(super) nodes: u64,
    pub(super) backtracks: u64,
    /// Answers the peaks passes kept (see [`PartPacker::kept`]).
    kept: u64,
}

impl MinimisedParts {
    pub(super) fn new(params: &SolverParams) -> MinimisedParts {
        MinimisedParts {
            params: SolverParams {
                hot_parts: false,
                ..params.clone()
            },
            left: PARTS_CHECKS,
            answers: Vec::new(),
            nodes: 0,
            backtracks: 0,
            kept: 0,
        }
    }
}

impl PartPacker for MinimisedParts {
    fn pack(
        &mut self,
        part: &Problem,
        enough: Offset,
        stop: &mut dyn FnMut() -> bool,
    ) -> Option<Vec<Offset>> {
        let asked =
            |(problem, target, _): &&(Problem, Offset, _)| *target == enough && problem == part;
        if let Some((_, _, answer)) = self.answers.iter().find(asked) {
            return answer.clone();
        }
        if self.left == 0 || !affordable(part) {
            return None;
        }
        let (answer, stopped) = self.minimise(part, enough, stop);
        // An answer the caller's stop cut short is not the part's: not kept.
        if !stopped {
            self.answers.push((part.clone(), enough, answer.clone()));
        }
        answer
    }

    fn kept(&mut self) {
        self.kept += 1;
    }

    fn kept_count(&self) -> u64 {
        self.kept
    }
}

impl MinimisedParts {
    /// `part` minimised within what is left of the budget, and whether `stop` ended it.
    fn minimise(
        &mut self,
        part: &Problem,
        enough: Offset,
        stop: &mut dyn FnMut() -> bool,
    ) -> (Option<Vec<Offset>>, bool) {
        let checks = self.left.min(PART_CHECKS);
        let mut monitor = UntilEnough {
            left: checks,
            enough,
            reached: false,
            stop,
            stopped: false,
        };
        let report = match crate::minimize::minimize(part, &self.params, &mut monitor) {
            Ok(report) => report,
            Err(error) => {
                // A part of a checked problem, with the same parameters: never malformed.
                debug_assert!(false, "a hot part failed its minimisation: {error}");
                return (None, false);
            }
        };
        self.left -= checks - monitor.left;
        self.nodes += report.stats.nodes;
        self.backtracks += report.stats.backtracks;
        let answer = report.solution().map(|solution| solution.offsets.clone());
        (answer, monitor.stopped)
    }
}

/// Stops a part's minimisation at its first packing no higher than `enough` (lower is no
/// use: the load's peak elsewhere keeps the whole that high), once its checks are spent, or
/// when the pass's caller says to. It never asks the clock itself: the lead does not pass
/// its caller's stop on before its first answer, so that answer is the same whatever the
/// machine's speed.
struct UntilEnough<'s> {
    left: u64,
    enough: Offset,
    reached: bool,
    stop: &'s mut dyn FnMut() -> bool,
    /// The caller said to stop.
    stopped: bool,
}

impl Monitor for UntilEnough<'_> {
    fn should_stop(&mut self) -> bool {
        if self.reached || self.left == 0 || self.stopped {
            return true;
        }
        self.left -= 1;
        self.stopped = (self.stop)();
        self.stopped
    }

    fn improved(&mut self, solution: &Solution) {
        self.reached |= solution.height <= self.enough;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{cut_rectangle, RECTANGLE_HEIGHT};
    use crate::heuristics::{Greedy, Heuristic};
    use crate::model::Buffer;
    use crate::validate::validate;

    /// The cut rectangle, then 40 small buffers one after another far below it: the
    /// rectangle is the peaks pass's one hot part.
    fn rectangle_then_a_quiet_stretch() -> Problem {
        let mut buffers = cut_rectangle();
        buffers.extend((0..40).map(|i| Buffer::new(format!("q{i}"), 1000 + i, 1001 + i, 4096)));
        Problem::new(buffers, 1 << 22)
    }

    /// The peaks pass on `problem`, its parts packed by `packer` if given: validated.
    fn peaks_pass(problem: &Problem, packer: Option<&mut MinimisedParts>) -> Solution {
        let packer = packer.map(|p| p as &mut dyn PartPacker);
        let solution = Greedy::new(problem)
            .with_parts(packer)
            .run(Heuristic::Peaks(800), problem.capacity, &mut || false)
            .unwrap();
        validate(problem, &solution).unwrap();
        solution
    }

    /// The ablation of the minimised parts: without a packer the peaks pass leaves the
    /// rectangle above its height; with one it is packed at it, and asked again (as later
    /// rounds do) the packer answers from what it found, spending nothing.
    #[test]
    fn minimised_parts_bring_the_peaks_pass_down_to_the_load() {
        let problem = rectangle_then_a_quiet_stretch();
        let load = RECTANGLE_HEIGHT;
        let alone = peaks_pass(&problem, None);
        assert!(alone.height > load, "{}", alone.height);

        let mut packer = MinimisedParts::new(&SolverParams::default());
        let packed = peaks_pass(&problem, Some(&mut packer));
        assert_eq!(packed.height, load);
        let (left, asked) = (packer.left, packer.answers.len());
        assert!(left < PARTS_CHECKS && asked >= 1);

        let again = peaks_pass(&problem, Some(&mut packer));
        assert_eq!(again, packed);
        assert_eq!((packer.left, packer.answers.len()), (left, asked));
    }

    /// A fixed buffer over the rectangle's widest part, at the rectangle's height: the
    /// skylines cannot place beneath a fixed buffer, so they pack that part above it; the
    /// search on the part, the fixed buffer beside it, packs it beneath, and the whole is at
    /// the load (the rectangle and the fixed buffer over it). The fixed buffer stays put.
    #[test]
    fn minimised_parts_pack_beneath_a_fixed_buffer_beside_the_part() {
        let mut problem = rectangle_then_a_quiet_stretch();
        let fixed = Buffer::new("fixed", 26, 169, 4096).with_offset(RECTANGLE_HEIGHT);
        problem.buffers.insert(18, fixed);
        let load = RECTANGLE_HEIGHT + 4096;
        let alone = peaks_pass(&problem, None);
        assert!(alone.height > load, "{}", alone.height);

        let mut packer = MinimisedParts::new(&SolverParams::default());
        let packed = peaks_pass(&problem, Some(&mut packer));
        assert_eq!(packed.height, load);
        assert_eq!(packed.offsets[18], RECTANGLE_HEIGHT);
    }

    /// The caller's stop reaches a part's minimisation, and an answer it cut short is not
    /// remembered.
    #[test]
    fn a_stop_ends_a_part_and_its_answer_is_not_kept() {
        let rectangle = Problem::new(cut_rectangle(), RECTANGLE_HEIGHT * 2);
        let mut packer = MinimisedParts::new(&SolverParams::default());
        let mut asked = 0;
        let mut stop = || {
            asked += 1;
            true
        };
        packer.pack(&rectangle, RECTANGLE_HEIGHT, &mut stop);
        assert!(asked >= 1);
        assert!(packer.answers.is_empty());
        let packed = packer.pack(&rectangle, RECTANGLE_HEIGHT, &mut || false);
        let packed = Solution::from_offsets(&rectangle, packed.unwrap());
        validate(&rectangle, &packed).unwrap();
        assert_eq!(packed.height, RECTANGLE_HEIGHT);
        assert_eq!(packer.answers.len(), 1);
    }
}
