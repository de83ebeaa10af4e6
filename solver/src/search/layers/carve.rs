//! Carving one layer out of a run that the balance ties left whole: a search over which
//! buffers the layer takes, with subset sums at each instant as the constraint.
//!
//! The ties of `layers.rs` group each instant's enders and starters by the smallest subsets in
//! balance, and tie a whole instant where that search costs too much. On cut rectangles with
//! many slivers (pieces one step long and a few bytes high) the busiest instants tie together
//! buffers of several true layers, and a leaf of hundreds of buffers splits no further. Here
//! each buffer of the run is a variable, in the layer or not, and each instant inside the run
//! a constraint: the sizes of the layer's buffers that end there add up to those of its
//! buffers that start there. Propagation keeps each constraint's choices supported (a table
//! of reachable sums from both sides, as bitsets), and the search branches on a buffer of the
//! instant with fewest undecided ones, "in the layer" first. Any assignment that meets every
//! constraint is a layer (its load is the same at every instant); it is proper where the
//! thinnest instant keeps one buffer in and one out, which the seeds fix.
//!
//! A layer found is sound but may not pack (where several subsets balance, it may take some
//! slivers of another true layer): its leaves' searches then fail, as with any wrong guess of
//! the ties, and the split proves nothing. Which buffer to branch on decides which layer is
//! found first, so the callers try the [`PICKS`] in turn.

use crate::model::{Offset, Problem, Time};
use crate::sort::sort_by_i64_key;

/// How the search goes: which layer it finds first, and how soon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pick {
    pub(crate) branch: Branch,
    /// Whether the attempts (one per buffer of the thinnest instant kept out) restart with
    /// budgets growing fourfold, or each runs to its end before the next.
    pub(crate) restarts: bool,
}

/// Which undecided buffer of the chosen instant the search branches on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Branch {
    /// The smallest.
    Smallest,
    /// The longest-lived, then the largest.
    Longest,
    /// The largest.
    Largest,
}

/// The picks the callers try, in order, while some run goes to carving: each branching rule
/// without restarts, then with. None is best everywhere: of the `rect` cuts of 2,000 pieces
/// with seeds 1 to 6, longest first without restarts packs only seed 1, and smallest first
/// with restarts only seed 3.
pub(crate) const PICKS: [Pick; 6] = [
    Pick::new(Branch::Smallest, false),
    Pick::new(Branch::Smallest, true),
    Pick::new(Branch::Longest, false),
    Pick::new(Branch::Longest, true),
    Pick::new(Branch::Largest, false),
    Pick::new(Branch::Largest, true),
];

impl Pick {
    const fn new(branch: Branch, restarts: bool) -> Self {
        Pick { branch, restarts }
    }
}

/// Most words of one constraint's tables (its undecided buffers times its target's bits
/// / 64; 8 MB): beyond that only its bounds are checked until fewer buffers are undecided.
/// (32 MB packed the same `rect` cuts of 2,000 pieces.)
const TABLE_WORDS: usize = 1 << 20;

/// The deepest the search's recursion goes (one frame a decision, a few hundred bytes each:
/// well within a thread's or WebAssembly's stack); deeper counts as out of cells.
const MAX_DEPTH: usize = 2048;

/// The first budget of an attempt (table words and nodes), growing fourfold each round.
const FIRST_SHARE: u64 = 1 << 20;

/// Undecided, in the layer, out of it.
const FREE: i8 = -1;

/// A member of an instant's constraint: the run's member, its size, whether it ends there
/// (else it starts there).
#[derive(Clone, Copy)]
struct Term {
    member: u32,
    size: Offset,
    ends: bool,
}

struct Carver {
    /// One per instant inside the run.
    instants: Vec<Vec<Term>>,
    /// Each member's instants (where it starts and where it ends inside the run).
    member_instants: Vec<[u32; 2]>,
    /// Each instant's undecided members.
    undecided: Vec<u32>,
    state: Vec<i8>,
    /// Decided members, in order, to undo.
    trail: Vec<u32>,
    /// Per member, the key the search branches on first (smallest).
    pick_key: Vec<(i64, i64)>,
    /// Work left to this attempt: table words and nodes.
    cells: u64,
    tables: Vec<u64>,
    queued: Vec<bool>,
    queue: Vec<u32>,
}

/// What carving a run found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Carved {
    /// A proper layer: its buffers, in the run's order.
    Layer(Vec<u32>),
    /// Proof that the run has no proper layer.
    None,
    /// The cells ran out first.
    OutOfCells,
}

/// A proper layer of `run` (buffers of `problem`, whose load is the same at every instant
/// between its first start and last end, with no instant inside that no buffer crosses),
/// proof that there is none, or the cells spent first.
pub(crate) fn carve(problem: &Problem, run: &[u32], pick: Pick, cells: &mut u64) -> Carved {
    let life = |m: usize| problem.buffers[run[m] as usize].lifespan;
    let size = |m: usize| problem.buffers[run[m] as usize].size;
    let (Some(start), Some(end)) = (
        (0..run.len()).map(|m| life(m).lower).min(),
        (0..run.len()).map(|m| life(m).upper).max(),
    ) else {
        return Carved::None;
    };
    // Instants inside the run, in order: (time, member * 2 + ends).
    let mut events: Vec<(Time, i64)> = Vec::with_capacity(2 * run.len());
    for m in 0..run.len() {
        if life(m).lower > start {
            events.push((life(m).lower, 2 * m as i64));
        }
        if life(m).upper < end {
            events.push((life(m).upper, 2 * m as i64 + 1));
        }
    }
    events.sort_unstable();
    let mut instants: Vec<Vec<Term>> = Vec::new();
    let mut member_instants = vec![[u32::MAX; 2]; run.len()];
    let mut times: Vec<Time> = Vec::new();
    for &(time, code) in &events {
        if times.last() != Some(&time) {
            times.push(time);
            instants.push(Vec::new());
        }
        let (member, ends) = ((code / 2) as usize, code % 2 == 1);
        member_instants[member][usize::from(ends)] = (instants.len() - 1) as u32;
        instants.last_mut().expect("pushed").push(Term {
            member: member as u32,
            size: size(member),
            ends,
        });
    }
    // The thinnest instant: the run's start or an instant inside, fewest members live.
    let mut live = (0..run.len()).filter(|&m| life(m).lower == start).count();
    let mut thinnest = (live, start);
    for (terms, &at) in instants.iter().zip(&times) {
        live = live + terms.iter().filter(|t| !t.ends).count()
            - terms.iter().filter(|t| t.ends).count();
        if live < thinnest.0 {
            thinnest = (live, at);
        }
    }
    let mut cross: Vec<u32> = (0..run.len() as u32)
        .filter(|&m| (life(m as usize).lower..life(m as usize).upper).contains(&thinnest.1))
        .collect();
    sort_by_i64_key(&mut cross, |&m| size(m as usize));
    let pick_key: Vec<(i64, i64)> = (0..run.len())
        .map(|m| match pick.branch {
            Branch::Smallest => (size(m), 0),
            Branch::Largest => (-size(m), 0),
            Branch::Longest => (-(life(m).upper - life(m).lower), -size(m)),
        })
        .collect();
    let undecided = instants.iter().map(|i| i.len() as u32).collect();
    let queued = vec![false; instants.len()];
    let mut carver = Carver {
        instants,
        member_instants,
        undecided,
        state: vec![FREE; run.len()],
        trail: Vec::new(),
        pick_key,
        cells: 0,
        tables: Vec::new(),
        queued,
        queue: Vec::new(),
    };
    // The seed stays in; each other buffer of the thinnest instant is tried out. Where the
    // two share every layer, only an exhaustive search proves it; with restarts the
    // attempts run with budgets growing fourfold, so one that separates them quickly is
    // found before the others have spent everything (and one that needs much is not).
    let Some((&seed, others)) = cross.split_first() else {
        return Carved::None;
    };
    let mut open: Vec<u32> = others.to_vec();
    let mut share = if pick.restarts { FIRST_SHARE } else { u64::MAX };
    while !open.is_empty() {
        let mut unknown = Vec::new();
        for &out in &open {
            let allowed = share.min(*cells);
            carver.cells = allowed;
            let found = carver.attempt(seed, out);
            *cells -= allowed - carver.cells;
            match found {
                Some(true) => {
                    return Carved::Layer(
                        (0..run.len())
                            .filter(|&m| carver.state[m] == 1)
                            .map(|m| run[m])
                            .collect(),
                    );
                }
                Some(false) => {}
                None if *cells == 0 => return Carved::OutOfCells,
                None => unknown.push(out),
            }
            carver.undo_to(0);
        }
        open = unknown;
        share = share.saturating_mul(4);
    }
    Carved::None
}

impl Carver {
    /// Whether a layer holds `seed` and not `out` (left decided when it does); `None` when
    /// out of cells.
    fn attempt(&mut self, seed: u32, out: u32) -> Option<bool> {
        self.decide(seed, 1);
        self.decide(out, 0);
        let all: Vec<u32> = (0..self.instants.len() as u32).collect();
        Some(self.propagate(&all)? && self.search(0)?)
    }

    /// Takes `work` from the attempt's cells; `None`, leaving none, when they do not cover it.
    fn spend(&mut self, work: u64) -> Option<()> {
        let left = self.cells.checked_sub(work);
        self.cells = left.unwrap_or(0);
        left.map(|_| ())
    }

    fn decide(&mut self, member: u32, value: i8) {
        self.state[member as usize] = value;
        self.trail.push(member);
        for at in self.member_instants[member as usize] {
            if at != u32::MAX {
                self.undecided[at as usize] -= 1;
            }
        }
    }

    fn undo_to(&mut self, mark: usize) {
        while self.trail.len() > mark {
            let member = self.trail.pop().expect("longer than the mark");
            self.state[member as usize] = FREE;
            for at in self.member_instants[member as usize] {
                if at != u32::MAX {
                    self.undecided[at as usize] += 1;
                }
            }
        }
    }

    /// Whether some assignment completes this one; `None` when out of cells or deeper than
    /// [`MAX_DEPTH`].
    fn search(&mut self, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            self.cells = 0;
            return None;
        }
        // The scan below reads every instant.
        self.spend(self.instants.len() as u64)?;
        let Some(at) = (0..self.instants.len())
            .filter(|&at| self.undecided[at] > 0)
            .min_by_key(|&at| self.undecided[at])
        else {
            return Some(true);
        };
        let member = self.instants[at]
            .iter()
            .filter(|t| self.state[t.member as usize] == FREE)
            .min_by_key(|t| self.pick_key[t.member as usize])
            .expect("an undecided member")
            .member;
        for value in [1, 0] {
            let mark = self.trail.len();
            self.decide(member, value);
            let touched = self.member_instants[member as usize];
            if self.propagate(&touched)? && self.search(depth + 1)? {
                return Some(true);
            }
            self.undo_to(mark);
        }
        Some(false)
    }

    /// Propagates from the instants `from` until nothing changes: `Some(false)` where an
    /// instant cannot balance, `None` when out of cells.
    fn propagate(&mut self, from: &[u32]) -> Option<bool> {
        // `u32::MAX`: a member's start or end at the run's edge, no instant.
        for &at in from.iter().filter(|&&at| at != u32::MAX) {
            if !self.queued[at as usize] {
                self.queued[at as usize] = true;
                self.queue.push(at);
            }
        }
        while let Some(at) = self.queue.pop() {
            self.queued[at as usize] = false;
            let decided_before = self.trail.len();
            let balanced = self.balance(at as usize);
            if balanced != Some(true) {
                for &at in &self.queue {
                    self.queued[at as usize] = false;
                }
                self.queue.clear();
                return balanced;
            }
            for t in decided_before..self.trail.len() {
                let member = self.trail[t] as usize;
                for next in self.member_instants[member] {
                    if next != u32::MAX && next != at && !self.queued[next as usize] {
                        self.queued[next as usize] = true;
                        self.queue.push(next);
                    }
                }
            }
        }
        Some(true)
    }

    /// Decides the members of instant `at` that only one way can balance it: `Some(false)`
    /// where no way does.
    fn balance(&mut self, at: usize) -> Option<bool> {
        // The layer's enders must add up to its starters. Counting an undecided ender as
        // chosen when in the layer and an undecided starter as chosen when out, the chosen
        // sizes must add up to `target`.
        self.spend(self.instants[at].len() as u64)?;
        let mut target: Offset = 0;
        let mut free: Vec<(u32, Offset, bool)> = Vec::new();
        let mut gcd: Offset = 0;
        for term in &self.instants[at] {
            match self.state[term.member as usize] {
                FREE => {
                    if !term.ends {
                        target += term.size;
                    }
                    gcd = gcd_of(gcd, term.size);
                    free.push((term.member, term.size, term.ends));
                }
                1 if term.ends => target -= term.size,
                1 => target += term.size,
                _ => {}
            }
        }
        let total: Offset = free.iter().map(|f| f.1).sum();
        if target < 0 || target > total {
            return Some(false);
        }
        if free.is_empty() {
            return Some(target == 0);
        }
        if target % gcd != 0 {
            return Some(false);
        }
        // Choosing `target` or leaving `total - target` is the same; the smaller needs fewer
        // bits. In units of the sizes' common divisor.
        let complement = total - target < target;
        // In u64 until the cost is known to be small: `usize` is 32 bits in WebAssembly.
        let goal = (target.min(total - target) / gcd) as u64;
        let cost = (goal / 64 + 1).saturating_mul(free.len() as u64 + 1);
        if cost > TABLE_WORDS as u64 {
            return Some(true);
        }
        self.spend(2 * cost)?;
        let (goal, cost) = (goal as usize, cost as usize);
        let words = goal / 64 + 1;
        // A step past the goal reaches nothing in the table, as one just past it.
        let step_of = |size: Offset| ((size / gcd) as u64).min(goal as u64 + 1) as usize;
        // reach[j]: the sums up to `goal` that the first j undecided members can make.
        self.tables.clear();
        self.tables.resize(cost, 0);
        self.tables[0] = 1;
        for (j, &(_, size, _)) in free.iter().enumerate() {
            let (before, after) = self.tables.split_at_mut((j + 1) * words);
            let from = &before[j * words..];
            let to = &mut after[..words];
            shift_or(from, to, step_of(size));
            trim(to, goal);
        }
        if !bit(&self.tables[free.len() * words..], goal) {
            return Some(false);
        }
        // need: bit (goal - s) set where s is a sum the members after j can make, read from
        // the last member back.
        let mut need = vec![0u64; words];
        need[goal / 64] = 1 << (goal % 64);
        let mut next = vec![0u64; words];
        for j in (0..free.len()).rev() {
            let (member, size, ends) = free[j];
            let step = step_of(size);
            let reach = &self.tables[j * words..(j + 1) * words];
            let skip = meets(reach, &need, 0);
            let take = meets(reach, &need, step);
            if !skip && !take {
                return Some(false);
            }
            if skip != take {
                // Chosen: an ender in the layer, a starter out of it (flipped for the
                // complement).
                let chosen = take != complement;
                self.decide(member, i8::from(chosen == ends));
            }
            // need |= need >> step
            next.copy_from_slice(&need);
            shift_right_or(&need, &mut next, step);
            std::mem::swap(&mut need, &mut next);
        }
        Some(true)
    }
}

fn gcd_of(mut a: Offset, mut b: Offset) -> Offset {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn bit(bits: &[u64], at: usize) -> bool {
    bits[at / 64] >> (at % 64) & 1 == 1
}

/// `to = from | from << step`.
fn shift_or(from: &[u64], to: &mut [u64], step: usize) {
    let (words, bits) = (step / 64, step % 64);
    for (i, slot) in to.iter_mut().enumerate() {
        let mut shifted = 0;
        if i >= words {
            shifted = from[i - words] << bits;
            if bits > 0 && i > words {
                shifted |= from[i - words - 1] >> (64 - bits);
            }
        }
        *slot = from[i] | shifted;
    }
}

/// `to |= from >> step`.
fn shift_right_or(from: &[u64], to: &mut [u64], step: usize) {
    let (words, bits) = (step / 64, step % 64);
    for (i, slot) in to.iter_mut().enumerate() {
        let source = i + words;
        if source >= from.len() {
            break;
        }
        let mut shifted = from[source] >> bits;
        if bits > 0 && source + 1 < from.len() {
            shifted |= from[source + 1] << (64 - bits);
        }
        *slot |= shifted;
    }
}

/// Clears the bits above `goal`.
fn trim(bits: &mut [u64], goal: usize) {
    let last = goal / 64;
    let keep = goal % 64;
    if keep < 63 {
        bits[last] &= (1u64 << (keep + 1)) - 1;
    }
}

/// Whether some bit `i` of `reach` has bit `i + step` of `need` set.
fn meets(reach: &[u64], need: &[u64], step: usize) -> bool {
    let (words, bits) = (step / 64, step % 64);
    (0..reach.len()).any(|i| {
        let source = i + words;
        if source >= need.len() {
            return false;
        }
        let mut shifted = need[source] >> bits;
        if bits > 0 && source + 1 < need.len() {
            shifted |= need[source + 1] << (64 - bits);
        }
        reach[i] & shifted != 0
    })
}
