//! What the threads of a parallel minimisation share, and when each sees it: in lock-step,
//! so that the answer does not depend on how the threads are scheduled.
//!
//! A thread works in *epochs* of [`EPOCH`] stop checks (counted work: nodes, units of a
//! heuristic pass, never time). What it finds, a lower packing or a higher bound, goes into
//! its own outbox. When every working thread has ended the epoch, the last to arrive takes the
//! outboxes into the board in thread order (a lower packing only when strictly lower, so
//! between equal heights the lower thread wins) and decides whether all stop: one proved
//! its height. Until every thread has ended the next epoch the
//! board cannot change, so what a thread reads from it, and when it stops, depends only on
//! the counted work of every thread. With the same number of threads, a run gives the same
//! packing, bound and counts every time, unless a time limit or a cancel ends it: then
//! where it ends depends on the clock, as on one thread, and each thread stops at its next
//! stop check, not at the end of the epoch.
//!
//! A thread that has nothing left to do leaves at the end of its epoch; the others stop
//! waiting for it. Threads wait only for each other here, and each reaches its next stop
//! check in finite work, so the lock-step cannot deadlock.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Condvar, Mutex, MutexGuard};

use super::FoundBy;
use crate::bounds::BoundReason;
use crate::model::{Offset, Solution};

/// Stop checks in an epoch: 128 checks are 8,192 search nodes or 512 Ki units of a heuristic
/// pass, 5 to 20 milliseconds on A–K. Threads wait for each other less the longer the epoch
/// (the one ahead waits at its end); a proof reaches the others only at its end. On A–K, 2
/// threads: 64 checks cost 20% of the time a free-running board took, 256 checks 13% (and
/// small instances 30 to 70 ms more).
pub(crate) const EPOCH: u32 = 128;

/// The board, the barrier and the caller's stop.
pub(crate) struct Shared {
    state: Mutex<Board>,
    turn: Condvar,
    /// The caller's monitor asked to stop (set at any time; every thread stops at its next
    /// stop check).
    time_up: AtomicBool,
}

/// The best packing and the bound as of the last epoch's end, and the barrier's count.
pub(crate) struct Board {
    pub(crate) best: Option<(Solution, FoundBy)>,
    pub(crate) bound: Option<(Offset, BoundReason)>,
    /// Every thread stops at the end of its epoch.
    stop: bool,
    /// Threads still working, arrived at the end of this epoch, and of those leaving.
    working: usize,
    arrived: usize,
    leaving: usize,
    epoch: u64,
    outboxes: Vec<Outbox>,
}

/// What one thread found during the epoch.
#[derive(Clone, Default)]
struct Outbox {
    best: Option<(Solution, FoundBy)>,
    bound: Option<(Offset, BoundReason)>,
    proven: bool,
}

impl Shared {
    /// A board for `threads` threads, each of which must arrive at the end of each of its
    /// epochs ([`Shared::arrive`]) until it leaves ([`Shared::leave`]).
    pub(crate) fn new(threads: usize) -> Shared {
        Shared {
            state: Mutex::new(Board {
                best: None,
                bound: None,
                stop: false,
                working: threads,
                arrived: 0,
                leaving: 0,
                epoch: 0,
                outboxes: vec![Outbox::default(); threads],
            }),
            turn: Condvar::new(),
            time_up: AtomicBool::new(false),
        }
    }

    /// The board as of the last epoch's end (it changes only when this thread arrives too).
    pub(crate) fn board(&self) -> MutexGuard<'_, Board> {
        // Every write is a single assignment, so a board whose holder panicked is whole.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `thread` found `solution`: the others see it after this epoch.
    pub(crate) fn offer_best(&self, thread: usize, solution: &Solution, by: FoundBy) {
        let mut board = self.board();
        let outbox = &mut board.outboxes[thread];
        if outbox
            .best
            .as_ref()
            .map_or(true, |(b, _)| solution.height < b.height)
        {
            outbox.best = Some((solution.clone(), by));
        }
    }

    /// `thread` proved that nothing fits below `bound`.
    pub(crate) fn offer_bound(&self, thread: usize, bound: Offset, reason: BoundReason) {
        let mut board = self.board();
        let outbox = &mut board.outboxes[thread];
        if outbox.bound.as_ref().map_or(true, |(b, _)| bound > *b) {
            outbox.bound = Some((bound, reason));
        }
    }

    /// `thread` proved its height optimal: every thread stops after this epoch.
    pub(crate) fn proven(&self, thread: usize) {
        self.board().outboxes[thread].proven = true;
    }

    /// The caller asked to stop: every thread stops at the end of its current epoch.
    pub(crate) fn time_up(&self) {
        self.time_up.store(true, Relaxed);
    }

    /// Ends this thread's epoch: waits until every working thread has ended it, and says
    /// whether to stop.
    pub(crate) fn arrive(&self) -> bool {
        let mut board = self.board();
        let epoch = board.epoch;
        if self.end_epoch(&mut board, false) {
            return board.stop;
        }
        while board.epoch == epoch {
            board = self
                .turn
                .wait(board)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        board.stop
    }

    /// This thread has nothing left to do: what it found is taken at the end of this epoch,
    /// and the others no longer wait for it.
    pub(crate) fn leave(&self) {
        let mut board = self.board();
        self.end_epoch(&mut board, true);
    }

    /// Counts an arrival; the last one takes the outboxes, in thread order, and starts the
    /// next epoch. Returns whether this arrival was the last.
    fn end_epoch(&self, board: &mut Board, leaving: bool) -> bool {
        board.arrived += 1;
        board.leaving += usize::from(leaving);
        if board.arrived < board.working {
            return false;
        }
        let mut stop = self.time_up.load(Relaxed);
        for at in 0..board.outboxes.len() {
            let outbox = std::mem::take(&mut board.outboxes[at]);
            if let Some((solution, by)) = outbox.best {
                if board
                    .best
                    .as_ref()
                    .map_or(true, |(b, _)| solution.height < b.height)
                {
                    board.best = Some((solution, by));
                }
            }
            if let Some((bound, reason)) = outbox.bound {
                if board.bound.as_ref().map_or(true, |(b, _)| bound > *b) {
                    board.bound = Some((bound, reason));
                }
            }
            stop |= outbox.proven;
        }
        board.stop |= stop;
        board.working -= board.leaving;
        board.arrived = 0;
        board.leaving = 0;
        board.epoch += 1;
        self.turn.notify_all();
        true
    }

    /// Whether the caller asked to stop.
    pub(crate) fn time_was_up(&self) -> bool {
        self.time_up.load(Relaxed)
    }
}
