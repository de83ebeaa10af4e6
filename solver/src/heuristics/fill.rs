//! The start-order sweep that completes a partial packing ([`fill`]), and completes the
//! next partial packing of a peaks pass's rounds by sweeping again only where it differs
//! from the last one ([`refill`]).
//!
//! Sweeping time forward, it frees the buffers that have ended and gives each starting buffer
//! the tightest free block that holds it, clear of the placed buffers' pieces (fixed ones,
//! and for the peaks pass the hot ones) for its whole life. Everything placed later starts
//! later and only takes memory free at its start, so no two buffers ever collide. To stay
//! that simple it treats a buffer as occupying its full size from its first live instant to
//! its last (gaps ignored): that only costs memory. O(n log n) plus, per buffer, the placed
//! pieces that start while it is live and the free blocks tried.
//!
//! A round's hot packing differs from the last round's in a few places (the parts the hot
//! set grew in), and so does its fill: in a million-buffer `huge` trace, 17%, 2.5% and
//! 0.1% of the cold buffers moved in the second to fourth rounds, each time in a few
//! stretches of the start order, and between those the sweep went exactly as before. Each
//! round's full sweep was two-thirds of the round.

use super::blocks::{Blocks, Frozen};
use super::online::{Budget, Spans};
use crate::model::{Lifespan, Offset, Problem, Time};
use crate::sort::refine;

/// How many bounded blocks a buffer clear of obstacles tries before giving up on alignment
/// and going to the top (as the online pass does).
const ALIGNMENT_TRIES: usize = 8;

/// How many bounded free blocks a cold buffer tries, tightest first, before going on top:
/// all of them (there are about as many as live buffers), since a buffer that goes on top
/// is what raises the height.
const FILL_TRIES: usize = usize::MAX;

/// The fewest buffers between two [`Checkpoint`]s of a sweep; at least twice the blocks
/// frozen too, so that freezing costs less than the sweep. A refill sweeps again from the
/// last checkpoint before a change, half this on average for nothing.
const CHECKPOINT_EVERY: usize = 256;

/// A placed piece the fill sweep must keep clear of: `[bottom, top)` during `[lower, upper)`.
#[derive(Clone, Copy, Debug)]
struct Obstacle {
    lower: Time,
    upper: Time,
    bottom: Offset,
    top: Offset,
}

/// A completed packing, and the lives of the buffers that had to go above the ceiling the
/// fill was given.
pub(super) struct Filled {
    pub(super) offsets: Vec<Offset>,
    pub(super) over: Vec<(Time, Time)>,
    /// How many buffers the sweep placed (with a restart counted again); a refill copies the
    /// others from the last fill. (Read by the tests: what a refill saves.)
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) swept: usize,
}

/// Completes a partial packing: `placed[b]` is `Some` for the buffers already placed (fixed
/// buffers among them), which stay where they are. The others go in start order into the
/// tightest free block clear of the placed buffers' pieces over their whole span (their own
/// gaps are ignored); buffers that occupy nothing rest below `limit`. `None` when the
/// budget says to give up. With a `ceiling`, `over` holds the lives of the buffers that end
/// above it; without one, a buffer that ends above `limit` ends the fill (`None`).
///
/// Each cold buffer costs the budget one unit, plus one per obstacle starting in its life and
/// per free block tried: on a crowded trace those can be thousands per buffer.
pub(super) fn fill(
    problem: &Problem,
    spans: &Spans,
    placed: &[Option<Offset>],
    limit: Offset,
    ceiling: Option<Offset>,
    budget: &mut Budget<'_>,
) -> Option<Filled> {
    let sweep = Sweep::new(problem, spans, placed, limit, None);
    Some(sweep.run(ceiling, budget, false)?.0)
}

/// What a fill leaves for the next fill of the same problem, spans and limit: what was
/// placed, the offsets, and checkpoints of the sweep's state.
pub(super) struct LastFill {
    /// The buffers that were placed, in order, and where: a few percent of a long trace's.
    placed: Vec<(u32, Offset)>,
    offsets: Vec<Offset>,
    checkpoints: Vec<Checkpoint>,
}

/// The sweep's state just before it places the buffer at `position` in `spans.starts`:
/// every event up to `time`, that buffer's start, replayed, and `free` memory then.
#[derive(Clone)]
struct Checkpoint {
    position: usize,
    time: Time,
    free: Frozen,
}

/// [`fill`], the same packing, sweeping only where it can differ from `last`'s (a fill of
/// the same problem, spans and limit) and copying the rest; `last` becomes this fill's (none
/// when it gives up). Copying costs the budget nothing, so within a budget a refill can
/// finish where the fill from scratch would give up.
///
/// A buffer is placed as in the last fill when the state before it is the same and nothing
/// placed differently (in `placed` against the last one's) is live in its life: the state
/// is the free memory (whole free ranges, so a function of what is taken) and the cold
/// buffers live, so it is the same again once every cold buffer placed differently has
/// ended and nothing placed differently is live. From there the sweep copies, until a
/// buffer meets something placed differently; it then takes up the sweep again from the
/// last checkpoint, where the state was the last fill's.
#[allow(clippy::too_many_arguments)]
pub(super) fn refill(
    problem: &Problem,
    spans: &Spans,
    placed: &[Option<Offset>],
    limit: Offset,
    ceiling: Option<Offset>,
    budget: &mut Budget<'_>,
    last: &mut Option<LastFill>,
) -> Option<Filled> {
    let old = last.take();
    let sweep = Sweep::new(problem, spans, placed, limit, old.as_ref());
    let (filled, checkpoints) = sweep.run(ceiling, budget, true)?;
    drop(old);
    let placed = (placed.iter().enumerate())
        .filter_map(|(b, offset)| Some((b as u32, (*offset)?)))
        .collect();
    *last = Some(LastFill {
        placed,
        offsets: filled.offsets.clone(),
        checkpoints,
    });
    Some(filled)
}

/// The start-order sweep's state.
struct Sweep<'a> {
    spans: &'a Spans,
    placed: &'a [Option<Offset>],
    limit: Offset,
    offsets: Vec<Offset>,
    obstacles: Vec<Obstacle>,
    /// `obstacles`' starts and ends, and their indices by start and by end.
    lowers: Vec<Time>,
    uppers: Vec<Time>,
    obstacle_starts: Vec<u32>,
    obstacle_ends: Vec<u32>,
    free: Blocks,
    /// The next cold buffer to end (in `spans.ends`), obstacle to end and to start.
    next_end: usize,
    next_obstacle_end: usize,
    next_obstacle: usize,
    /// Obstacles starting while the buffer being placed is live.
    conflicts: Vec<(Offset, Offset)>,
    changes: Option<Changes<'a>>,
}

impl<'a> Sweep<'a> {
    /// Nothing swept yet: the placed buffers' offsets set, and those of the buffers that
    /// occupy nothing (below `limit`).
    fn new(
        problem: &Problem,
        spans: &'a Spans,
        placed: &'a [Option<Offset>],
        limit: Offset,
        last: Option<&'a LastFill>,
    ) -> Sweep<'a> {
        let mut offsets = vec![0; problem.buffers.len()];
        let mut obstacles: Vec<Obstacle> = Vec::new();
        for (index, buffer) in problem.buffers.iter().enumerate() {
            match placed[index] {
                Some(offset) => {
                    offsets[index] = offset;
                    obstacles.extend(buffer.pieces().iter().map(|piece| Obstacle {
                        lower: piece.time.lower,
                        upper: piece.time.upper,
                        bottom: offset + piece.bottom,
                        top: offset + piece.top,
                    }));
                }
                None if spans.span[index].is_none() => {
                    offsets[index] = buffer.resting_offset(limit)
                }
                None => {}
            }
        }
        let (lowers, uppers): (Vec<Time>, Vec<Time>) =
            obstacles.iter().map(|o| (o.lower, o.upper)).unzip();
        let mut obstacle_starts: Vec<u32> = (0..obstacles.len() as u32).collect();
        let mut obstacle_ends = obstacle_starts.clone();
        refine(&lowers, &mut obstacle_starts);
        refine(&uppers, &mut obstacle_ends);
        Sweep {
            spans,
            placed,
            limit,
            offsets,
            obstacles,
            lowers,
            uppers,
            obstacle_starts,
            obstacle_ends,
            free: Blocks::new(),
            next_end: 0,
            next_obstacle_end: 0,
            next_obstacle: 0,
            conflicts: Vec::new(),
            changes: last.map(|last| Changes::new(spans, last, placed)),
        }
    }

    /// Sweeps every cold buffer: the packing (see [`fill`]), and with `keep`, checkpoints
    /// for the next fill.
    fn run(
        mut self,
        ceiling: Option<Offset>,
        budget: &mut Budget<'_>,
        keep: bool,
    ) -> Option<(Filled, Vec<Checkpoint>)> {
        let spans = self.spans;
        let mut checkpoints: Vec<Checkpoint> = Vec::new();
        // Positions of the buffers that end above the ceiling.
        let mut over: Vec<usize> = Vec::new();
        let mut swept = 0;
        // The state is the last fill's, and the offsets so far are copied from it.
        let mut copying = self.changes.is_some();
        let mut carried = 0;
        let mut last_checkpoint: Option<usize> = None;
        // After a restart, the sweep goes on at least past the buffer that met a change.
        let mut met = 0;
        let mut position = 0;
        while let Some(&b) = spans.starts.get(position) {
            let b = b as usize;
            if self.placed[b].is_some() {
                position += 1;
                continue;
            }
            let Lifespan { lower, upper } = spans.of_buffer(b as u32);
            if let (true, Some(changes)) = (copying, &mut self.changes) {
                // The last fill's checkpoints passed hold where nothing placed differently
                // is live.
                let old = &changes.last.checkpoints;
                while let Some(checkpoint) = old.get(carried).filter(|c| c.position <= position) {
                    if !changes.live_at(checkpoint.time) {
                        checkpoints.push(checkpoint.clone());
                    }
                    carried += 1;
                }
                if !changes.meets(lower, upper) {
                    // (The last fill may have had a ceiling, and gone above the limit.)
                    let at = changes.last.offsets[b];
                    self.settle(position, b, at, ceiling, &mut over)?;
                    position += 1;
                    continue;
                }
                // This buffer meets a change: sweep again from the last checkpoint.
                copying = false;
                met = position;
                let from = checkpoints.last();
                changes.restart(from.map_or(Time::MIN, |c| c.time));
                self.restore(from);
                position = from.map_or(0, |c| c.position);
                last_checkpoint = from.map(|c| c.position);
                while over.last().is_some_and(|&p| p >= position) {
                    over.pop();
                }
                continue;
            }
            self.replay(lower, budget)?;
            let settled = (self.changes.as_mut())
                .is_some_and(|c| position > met && c.settled() && !c.meets(lower, upper));
            if let (true, Some(changes)) = (settled, &self.changes) {
                // The state is the last fill's again.
                checkpoints.push(self.checkpoint(position, lower));
                let old = &changes.last.checkpoints;
                carried += old[carried..].partition_point(|c| c.position <= position);
                copying = true;
                continue;
            }
            let spacing = CHECKPOINT_EVERY.max(2 * self.free.len());
            if keep && last_checkpoint.is_none_or(|last| position >= last + spacing) {
                checkpoints.push(self.checkpoint(position, lower));
                last_checkpoint = Some(position);
            }
            let at = self.place(b, upper, budget)?;
            swept += 1;
            if let Some(changes) = &mut self.changes {
                changes.placed(b, at);
            }
            self.settle(position, b, at, ceiling, &mut over)?;
            position += 1;
        }
        let over = over
            .iter()
            .map(|&p| spans.of_buffer(spans.starts[p]))
            .map(|Lifespan { lower, upper }| (lower, upper))
            .collect();
        let filled = Filled {
            offsets: self.offsets,
            over,
            swept,
        };
        Some((filled, checkpoints))
    }
}

impl Sweep<'_> {
    /// Cold buffer `b`, at `position` in start order, goes at `at`, swept or copied: with a
    /// `ceiling`, its position joins `over` if it ends above it; without one, `None` if it
    /// ends above the limit (the fill gives up).
    fn settle(
        &mut self,
        position: usize,
        b: usize,
        at: Offset,
        ceiling: Option<Offset>,
        over: &mut Vec<usize>,
    ) -> Option<()> {
        self.offsets[b] = at;
        let top = at + self.spans.sizes[b];
        match ceiling {
            Some(ceiling) if top > ceiling => over.push(position),
            None if top > self.limit => return None,
            _ => {}
        }
        Some(())
    }

    /// Replays every end and obstacle start up to `lower`, ends first on ties. (A cold
    /// buffer ending by then started before `lower`, so it is placed; an obstacle ending by
    /// the next obstacle start began before it, so it is carved.) Afterwards every event up
    /// to `lower` is replayed and none after it, which is what [`Sweep::restore`] relies on.
    /// Each obstacle carved costs the budget one unit; `None` when it says to give up.
    fn replay(&mut self, lower: Time, budget: &mut Budget<'_>) -> Option<()> {
        let spans = self.spans;
        loop {
            while (spans.ends.get(self.next_end))
                .is_some_and(|&b| self.placed[b as usize].is_some())
            {
                self.next_end += 1;
            }
            let cold_end =
                (spans.ends.get(self.next_end)).map_or(Time::MAX, |&b| spans.of_buffer(b).upper);
            let obstacle_end = (self.obstacle_ends.get(self.next_obstacle_end))
                .map_or(Time::MAX, |&o| self.uppers[o as usize]);
            let end = cold_end.min(obstacle_end);
            let start = (self.obstacle_starts.get(self.next_obstacle))
                .map_or(Time::MAX, |&o| self.lowers[o as usize]);
            if end <= lower && end <= start {
                if cold_end == end {
                    let b = spans.ends[self.next_end] as usize;
                    self.next_end += 1;
                    self.free.free(self.offsets[b], spans.sizes[b]);
                    if let Some(changes) = &mut self.changes {
                        changes.ended(b);
                    }
                } else {
                    let o = self.obstacles[self.obstacle_ends[self.next_obstacle_end] as usize];
                    self.next_obstacle_end += 1;
                    self.free.free(o.bottom, o.top - o.bottom);
                }
            } else if start <= lower {
                let o = self.obstacles[self.obstacle_starts[self.next_obstacle] as usize];
                self.next_obstacle += 1;
                // (An obstacle's range is always free: placed pieces do not collide.)
                if !self.free.carve(o.bottom, o.top) || budget.spend(1) {
                    return None;
                }
            } else {
                return Some(());
            }
        }
    }

    /// Places cold buffer `b`, live until `upper`, after [`Sweep::replay`] to its start:
    /// its offset, or `None` when the budget says to give up.
    fn place(&mut self, b: usize, upper: Time, budget: &mut Budget<'_>) -> Option<Offset> {
        let (size, alignment) = (self.spans.sizes[b], self.spans.alignments[b]);
        // Obstacles starting while this buffer is live, lowest first.
        self.conflicts.clear();
        let obstacles = &self.obstacles;
        self.conflicts.extend(
            self.obstacle_starts[self.next_obstacle..]
                .iter()
                .map(|&o| obstacles[o as usize])
                .take_while(|o| o.lower < upper)
                .map(|o| (o.bottom, o.top)),
        );
        let (at, tried) = if self.conflicts.is_empty() {
            self.free
                .allocate_clear(size, alignment, &[], ALIGNMENT_TRIES)
        } else {
            self.conflicts.sort_unstable();
            (self.free).allocate_clear(size, alignment, &self.conflicts, FILL_TRIES)
        };
        if budget.spend(1 + self.conflicts.len() as u64 + tried) {
            return None;
        }
        Some(at)
    }

    /// The state before the buffer at `position`, which starts at `time`, once replayed to
    /// `time`.
    fn checkpoint(&self, position: usize, time: Time) -> Checkpoint {
        Checkpoint {
            position,
            time,
            free: self.free.frozen(),
        }
    }

    /// Takes up the sweep from `checkpoint` (from the start without one): its free memory,
    /// and every event up to its time replayed.
    fn restore(&mut self, checkpoint: Option<&Checkpoint>) {
        let Some(checkpoint) = checkpoint else {
            self.free = Blocks::new();
            (self.next_end, self.next_obstacle_end, self.next_obstacle) = (0, 0, 0);
            return;
        };
        let time = checkpoint.time;
        self.free = Blocks::thawed(&checkpoint.free);
        let spans = self.spans;
        self.next_end = (spans.ends).partition_point(|&b| spans.of_buffer(b).upper <= time);
        let uppers = &self.uppers;
        self.next_obstacle_end =
            (self.obstacle_ends).partition_point(|&o| uppers[o as usize] <= time);
        let lowers = &self.lowers;
        self.next_obstacle =
            (self.obstacle_starts).partition_point(|&o| lowers[o as usize] <= time);
    }
}

/// What a refill knows of the last fill and of what is placed differently from it.
struct Changes<'a> {
    last: &'a LastFill,
    /// The spans of the buffers placed in one fill and not the other, or placed elsewhere,
    /// merged and in time order: `[lower, upper)` (a span is never empty).
    dirty: Vec<(Time, Time)>,
    /// The first of `dirty` that ends after the start of the buffer being placed.
    next: usize,
    /// The cold buffers this sweep placed elsewhere than the last fill, while they are
    /// live; and how many.
    moved: Vec<bool>,
    live_moved: usize,
}

impl<'a> Changes<'a> {
    fn new(spans: &Spans, last: &'a LastFill, placed: &[Option<Offset>]) -> Changes<'a> {
        let mut before = last.placed.iter().peekable();
        let mut spans_changed: Vec<(Time, Time)> = (placed.iter().zip(&spans.span).enumerate())
            .filter(|&(b, (now, _))| {
                let then = before
                    .next_if(|&&(p, _)| p as usize == b)
                    .map(|&(_, at)| at);
                then != *now
            })
            .filter_map(|(_, (_, span))| *span)
            .map(|Lifespan { lower, upper }| (lower, upper))
            .collect();
        spans_changed.sort_unstable();
        let mut dirty: Vec<(Time, Time)> = Vec::new();
        for (lower, upper) in spans_changed {
            match dirty.last_mut() {
                Some(last) if lower <= last.1 => last.1 = last.1.max(upper),
                _ => dirty.push((lower, upper)),
            }
        }
        Changes {
            last,
            dirty,
            next: 0,
            moved: vec![false; placed.len()],
            live_moved: 0,
        }
    }

    /// Whether anything placed differently is live at some instant of `[lower, upper)`.
    /// Calls must come in order of `lower` ([`Changes::restart`] begins again).
    fn meets(&mut self, lower: Time, upper: Time) -> bool {
        while self.dirty.get(self.next).is_some_and(|d| d.1 <= lower) {
            self.next += 1;
        }
        self.dirty.get(self.next).is_some_and(|d| d.0 < upper)
    }

    /// Whether anything placed differently is live at `time`.
    fn live_at(&self, time: Time) -> bool {
        let after = self.dirty.partition_point(|d| d.0 <= time);
        after > 0 && time < self.dirty[after - 1].1
    }

    /// The sweep goes back to `time`, where no cold buffer placed differently is live.
    fn restart(&mut self, time: Time) {
        debug_assert_eq!(self.live_moved, 0);
        self.next = self.dirty.partition_point(|d| d.1 <= time);
    }

    /// Cold buffer `b` is placed at `at`. (One placed hot by the last fill is in `dirty`
    /// for its whole life, which is what it would be counted in `moved` for.)
    fn placed(&mut self, b: usize, at: Offset) {
        if self.last.offsets[b] != at {
            self.moved[b] = true;
            self.live_moved += 1;
        }
    }

    /// Cold buffer `b` ended.
    fn ended(&mut self, b: usize) {
        if std::mem::take(&mut self.moved[b]) {
            self.live_moved -= 1;
        }
    }

    /// Whether every cold buffer live is where the last fill put it.
    fn settled(&self) -> bool {
        self.live_moved == 0
    }
}

#[cfg(test)]
mod tests;
