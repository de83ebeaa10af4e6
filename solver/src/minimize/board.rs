//! What the threads of a parallel minimisation share, and when each sees it: at fixed points
//! of counted work, so that the answer does not depend on how the threads are scheduled.
//!
//! A thread works in *epochs* of [`EPOCH`] stop checks (counted work: nodes, units of a
//! heuristic pass, never time). What it finds in an epoch, a lower packing or a higher bound,
//! goes into its outbox for that epoch. Once every thread working in epoch `k` has ended it,
//! the outboxes of `k` are taken into the board `B_k`, in thread order (a lower packing only
//! when strictly lower, so between equal heights the lower thread wins), with the decision to
//! stop (a thread proved its height). During epoch `j` a thread sees `B_{j-2}`: one epoch
//! behind, so a thread ahead of another by less than an epoch goes on instead of waiting
//! for it. What a thread sees, and when it stops, is fixed by the counted work of every
//! thread: with the same number of threads a run gives the same packing, bound and counts
//! every time, unless a time limit or a cancel ends it. Then where it ends depends on the
//! clock, as on one thread, and each thread stops at its next stop check.
//!
//! A thread with nothing left to do leaves, which ends its epoch; the others stop waiting
//! for it. Threads wait only for each other here, each reaches its next stop check in finite
//! work, and the epoch a thread waits for has been begun by every thread, so the lock-step
//! cannot deadlock.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::FoundBy;
use crate::bounds::BoundReason;
use crate::model::{Offset, Solution};

/// Stop checks in an epoch: 64 checks are 4,096 search nodes or 256 Ki units of a heuristic
/// pass, a few milliseconds on A–K. A proof reaches the other threads one to two epochs
/// later, so longer epochs cost small instances more.
pub(crate) const EPOCH: u32 = 64;

/// The board, the epochs' count and the caller's stop.
pub(crate) struct Shared {
    state: Mutex<Board>,
    turn: Condvar,
    /// The caller's monitor asked to stop (set at any time; every thread stops at its next
    /// stop check).
    time_up: AtomicBool,
}

/// What the threads see: the best packing and the bound taken into the board at the end of an
/// epoch, and whether every thread is to stop.
#[derive(Clone, Default)]
pub(crate) struct Seen {
    pub(crate) best: Option<(Arc<Solution>, FoundBy)>,
    pub(crate) bound: Option<(Offset, BoundReason)>,
    stop: bool,
}

/// The boards of the last two epochs taken in, and the count of the epochs under way.
struct Board {
    /// `B_k` at `k % 2`, for the last two epochs taken in.
    boards: [Seen; 2],
    /// Epochs taken in so far: `B_0` ... `B_{taken - 1}`.
    taken: u64,
    /// Threads working in epoch `taken`.
    working: usize,
    /// Per epoch parity: threads that ended that epoch, and those of them leaving.
    arrived: [usize; 2],
    leaving: [usize; 2],
    /// Each thread's epoch.
    epochs: Vec<u64>,
    /// Each thread's outboxes, per epoch parity.
    outboxes: Vec<[Outbox; 2]>,
}

/// What one thread found during an epoch.
#[derive(Clone, Default)]
struct Outbox {
    best: Option<(Arc<Solution>, FoundBy)>,
    bound: Option<(Offset, BoundReason)>,
    proven: bool,
}

impl Shared {
    /// A board for `threads` threads, each of which must arrive at the end of each of its
    /// epochs ([`Shared::arrive`]) until it leaves ([`Shared::leave`]).
    pub(crate) fn new(threads: usize) -> Shared {
        Shared {
            state: Mutex::new(Board {
                boards: Default::default(),
                taken: 0,
                working: threads,
                arrived: [0; 2],
                leaving: [0; 2],
                epochs: vec![0; threads],
                outboxes: vec![Default::default(); threads],
            }),
            turn: Condvar::new(),
            time_up: AtomicBool::new(false),
        }
    }

    fn board(&self) -> MutexGuard<'_, Board> {
        // Nothing that can panic runs while the board is held, so a poisoned lock (a panic
        // elsewhere in its holder's thread) still guards a whole board.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What `thread` sees now: `B_{j-2}` in its epoch `j`, or once every thread has left,
    /// the last board.
    pub(crate) fn seen(&self, thread: usize) -> Seen {
        let board = self.board();
        if board.working == 0 {
            return match board.taken {
                0 => Seen::default(),
                taken => board.boards[(taken - 1) as usize % 2].clone(),
            };
        }
        match board.epochs[thread] {
            0 | 1 => Seen::default(),
            epoch => board.boards[(epoch - 2) as usize % 2].clone(),
        }
    }

    /// `thread` found `solution`: the others see it two epochs on.
    pub(crate) fn offer_best(&self, thread: usize, solution: &Solution, by: FoundBy) {
        let mut board = self.board();
        let parity = board.epochs[thread] as usize % 2;
        let outbox = &mut board.outboxes[thread][parity];
        if lower(&outbox.best, solution) {
            outbox.best = Some((Arc::new(solution.clone()), by));
        }
    }

    /// `thread` proved that nothing fits below `bound`.
    pub(crate) fn offer_bound(&self, thread: usize, bound: Offset, reason: BoundReason) {
        let mut board = self.board();
        let parity = board.epochs[thread] as usize % 2;
        raise(&mut board.outboxes[thread][parity].bound, (bound, reason));
    }

    /// `thread` proved its height optimal: every thread stops two epochs on.
    pub(crate) fn proven(&self, thread: usize) {
        let mut board = self.board();
        let parity = board.epochs[thread] as usize % 2;
        board.outboxes[thread][parity].proven = true;
    }

    /// The caller asked to stop: every thread stops at its next stop check.
    pub(crate) fn time_up(&self) {
        self.time_up.store(true, Relaxed);
    }

    /// Whether the caller asked to stop.
    pub(crate) fn time_was_up(&self) -> bool {
        self.time_up.load(Relaxed)
    }

    /// Ends `thread`'s epoch `j`: waits until epoch `j - 1` is taken in (every thread has
    /// ended it), so that in epoch `j + 1` it sees `B_{j-1}`, and says whether to stop.
    pub(crate) fn arrive(&self, thread: usize) -> bool {
        let mut board = self.board();
        let epoch = board.epochs[thread];
        board.arrived[epoch as usize % 2] += 1;
        self.take_in(&mut board);
        while board.taken < epoch {
            board = self
                .turn
                .wait(board)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        board.epochs[thread] = epoch + 1;
        epoch >= 1 && board.boards[(epoch - 1) as usize % 2].stop
    }

    /// `thread` has nothing left to do: what it found is taken in with its epoch, and the
    /// others no longer wait for it.
    pub(crate) fn leave(&self, thread: usize) {
        let mut board = self.board();
        let parity = board.epochs[thread] as usize % 2;
        board.arrived[parity] += 1;
        board.leaving[parity] += 1;
        self.take_in(&mut board);
    }

    /// Takes in every epoch that every thread working in it has ended, in order: its
    /// outboxes in thread order onto the board before it.
    fn take_in(&self, board: &mut Board) {
        while board.working > 0 {
            let epoch = board.taken;
            let parity = epoch as usize % 2;
            if board.arrived[parity] < board.working {
                break;
            }
            let mut seen = match epoch {
                0 => Seen::default(),
                _ => board.boards[1 - parity].clone(),
            };
            for outboxes in &mut board.outboxes {
                let outbox = std::mem::take(&mut outboxes[parity]);
                if let Some((solution, by)) = outbox.best {
                    if lower(&seen.best, &solution) {
                        seen.best = Some((solution, by));
                    }
                }
                if let Some(bound) = outbox.bound {
                    raise(&mut seen.bound, bound);
                }
                seen.stop |= outbox.proven;
            }
            board.boards[parity] = seen;
            board.working -= board.leaving[parity];
            board.arrived[parity] = 0;
            board.leaving[parity] = 0;
            board.taken += 1;
            self.turn.notify_all();
        }
    }
}

/// Whether `solution` is strictly lower than `best` (so between equal heights the first
/// kept stays).
fn lower(best: &Option<(Arc<Solution>, FoundBy)>, solution: &Solution) -> bool {
    best.as_ref()
        .is_none_or(|(b, _)| solution.height < b.height)
}

/// Keeps `found` in `bound` when it is higher.
fn raise(bound: &mut Option<(Offset, BoundReason)>, found: (Offset, BoundReason)) {
    if bound.as_ref().is_none_or(|(b, _)| found.0 > *b) {
        *bound = Some(found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// What thread `thread` finds in epoch `epoch`: some height, none in every fifth epoch.
    fn found(thread: usize, epoch: u64) -> Option<Offset> {
        let mixed = (epoch * 7919 + thread as u64 * 104_729) % 1000;
        (epoch % 5 != 4).then_some(10_000 - mixed as Offset - 10 * epoch as Offset)
    }

    /// The height `B_k` holds: the lowest found by any thread in epochs `0..=k` while it
    /// worked (`epochs[t]` epochs each).
    fn board_height(k: u64, epochs: &[u64]) -> Option<Offset> {
        (0..epochs.len())
            .flat_map(|t| (0..=k.min(epochs[t] - 1)).filter_map(move |e| found(t, e)))
            .min()
    }

    /// Threads of different speeds (random sleeps) see, in each epoch `j`, exactly `B_{j-2}`,
    /// whoever is ahead; a thread that leaves early has its finds taken in and is no longer
    /// waited for. Reading the board as last taken in, instead, fails here.
    #[test]
    fn every_thread_sees_the_board_of_two_epochs_ago_whatever_the_timing() {
        let epochs = [40u64, 25, 40];
        for round in 0..4u64 {
            let shared = Shared::new(epochs.len());
            let seen: Vec<Vec<Option<Offset>>> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..epochs.len())
                    .map(|thread| {
                        let shared = &shared;
                        let mut state = round * 31 + thread as u64 + 1;
                        scope.spawn(move || {
                            let mut saw = Vec::new();
                            for epoch in 0..epochs[thread] {
                                saw.push(shared.seen(thread).best.map(|(s, _)| s.height));
                                if let Some(height) = found(thread, epoch) {
                                    let solution = Solution {
                                        offsets: Vec::new(),
                                        height,
                                    };
                                    shared.offer_best(thread, &solution, FoundBy::Pinned);
                                }
                                state = state
                                    .wrapping_mul(6_364_136_223_846_793_005)
                                    .wrapping_add(1);
                                std::thread::sleep(Duration::from_micros((state >> 33) % 300));
                                saw.push(shared.seen(thread).best.map(|(s, _)| s.height));
                                if epoch + 1 < epochs[thread] {
                                    assert!(!shared.arrive(thread), "nobody proved anything");
                                }
                            }
                            shared.leave(thread);
                            saw
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            for (thread, saw) in seen.iter().enumerate() {
                for (at, &height) in saw.iter().enumerate() {
                    let epoch = at as u64 / 2;
                    let expected = epoch.checked_sub(2).and_then(|k| board_height(k, &epochs));
                    assert_eq!(
                        height, expected,
                        "round {round}, thread {thread}, epoch {epoch}"
                    );
                }
            }
            let last = shared.seen(0).best.map(|(s, _)| s.height);
            assert_eq!(
                last,
                board_height(39, &epochs),
                "round {round}: the last board"
            );
        }
    }
}
