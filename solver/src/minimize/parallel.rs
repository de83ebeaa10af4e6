//! Minimisation on several threads: the heuristic passes are dealt out, one thread keeps the
//! proof probe at the lower bound, the others scout at different heights. They share the best
//! packing and the bound in lock-step, at the end of epochs of counted work (see
//! [`super::board`]), so a run gives the same answer every time on the same number of
//! threads; all stop at the end of the epoch after the one in which one proves the height
//! optimal, and at their next stop check when the caller's time is up.
//!
//! Threads are the only thing here a browser lacks, so this module alone is left out of
//! wasm builds (web workers share the work the same way, through messages).

use std::time::Duration;

use super::board::{Shared, EPOCH};
use super::run::{Role, Run};
use super::{minimize_checked, MinimizeReport};
use crate::heuristics::Heuristic;
use crate::model::Problem;
use crate::monitor::{Monitor, Progress};
use crate::params::SolverParams;
use crate::search::{SearchStats, SolveError};

/// How often the calling thread, once its own share is done, polls the monitor while the
/// others finish theirs.
const POLL: Duration = Duration::from_millis(5);

/// Like [`minimize`], with the work shared out over `threads` threads. The calling thread
/// is one of them and the only one that talks to `monitor`.
pub fn minimize_parallel(
    problem: &Problem,
    params: &SolverParams,
    threads: usize,
    monitor: &mut dyn Monitor,
) -> Result<MinimizeReport, SolveError> {
    // With `widen_windows`, everything below sees the widened problem (same packings).
    let widened = crate::widen::widened(problem, params).map_err(SolveError::Problem)?;
    let problem = &*widened;
    // Each thread beyond the passes' count would only scout; more than that is overhead.
    let threads = threads.min(MAX_MINIMIZE_THREADS);
    if threads <= 1 {
        return minimize_checked(problem, params, monitor);
    }
    let shared = Shared::new(threads);
    let roles = roles(threads);
    let mut leader = match Run::start(problem, params, roles[0].clone(), Some(&shared))? {
        Ok(run) => run,
        Err(report) => return Ok(report),
    };
    let mut others = SearchStats::default();
    let mut searched = false;
    let mut incomplete = false;
    let mut stopped = false;
    let mut panicked = None;
    std::thread::scope(|scope| {
        // This thread's guard first: whatever happens below, it leaves the board.
        let leader_leaves = Leaving(&shared, 0);
        let handles: Vec<_> = roles[1..]
            .iter()
            .filter_map(|role| {
                let shared = &shared;
                // Named, so that a panic message says which thread it was.
                let builder =
                    std::thread::Builder::new().name(format!("bufpack-minimize-{}", role.thread));
                let spawned = builder.spawn_scoped(scope, move || {
                    // Leaves the board however the thread ends, a panic included, so the
                    // others never wait for it.
                    let _leave = Leaving(shared, role.thread);
                    #[cfg(test)]
                    tests::panic_if_asked(problem, role.thread);
                    let Ok(Ok(mut run)) = Run::start(problem, params, role.clone(), Some(shared))
                    else {
                        return (SearchStats::default(), false, false);
                    };
                    run.work(params, &mut Follower::new(shared, role.thread));
                    (run.counter.stats(), run.searched(), run.incomplete())
                });
                // A thread the system would not start leaves at once: the others go on
                // without it rather than wait for it.
                spawned.map_err(|_| shared.leave(role.thread)).ok()
            })
            .collect();
        let mut leading = Leader {
            inner: &mut *monitor,
            epoch: Follower::new(&shared, 0),
        };
        leader.work(params, &mut leading);
        drop(leader_leaves);
        // The others may still be running passes this thread did not have; relay stops.
        while !handles.iter().all(|h| h.is_finished()) {
            if monitor.should_stop() {
                shared.time_up();
            }
            std::thread::sleep(POLL);
        }
        stopped = shared.time_was_up();
        for handle in handles {
            match handle.join() {
                Ok((stats, searched_here, incomplete_here)) => {
                    others.nodes += stats.nodes;
                    others.backtracks += stats.backtracks;
                    searched |= searched_here;
                    incomplete |= incomplete_here;
                }
                // The first panic is kept (its message is already out, through the hook).
                Err(payload) => {
                    panicked.get_or_insert(payload);
                }
            }
        }
    });
    // A helper's panic is the caller's, as it would be on one thread: the helper's stop cut
    // the others short, so the leader's answer is not what this many threads would give, and
    // a bug must not pass for a weaker packing.
    if let Some(payload) = panicked {
        std::panic::resume_unwind(payload);
    }
    if searched {
        leader.mark_searched();
    }
    if stopped {
        leader.mark_stopped();
    }
    if incomplete {
        leader.mark_incomplete();
    }
    Ok(leader.finish(monitor, others))
}

/// The most threads a minimisation uses: one per heuristic pass. Callers may ask for more;
/// the command line also holds them to the machine's cores.
pub const MAX_MINIMIZE_THREADS: usize = Heuristic::PORTFOLIO.len();

/// Thread 0 runs the fast online pass first (or the peaks pass that leads in its place, see
/// `Run::passes`) and the proof probe; the others scout at
/// `i / threads` of the way up. Passes are dealt round-robin.
fn roles(threads: usize) -> Vec<Role> {
    (0..threads)
        .map(|thread| Role {
            passes: Heuristic::PORTFOLIO
                .iter()
                .copied()
                .skip(thread)
                .step_by(threads)
                .collect(),
            proof: thread == 0,
            scout: (thread > 0).then_some((thread as i64, threads as i64 - 1)),
            thread,
        })
        .collect()
}

/// The calling thread's monitor: the caller's, whose stop reaches every thread at its next
/// stop check; it ends epochs like the others'.
struct Leader<'a> {
    inner: &'a mut dyn Monitor,
    epoch: Follower<'a>,
}

impl Monitor for Leader<'_> {
    fn should_stop(&mut self) -> bool {
        if self.inner.should_stop() {
            self.epoch.shared.time_up();
        }
        self.epoch.should_stop()
    }

    fn elapsed(&self) -> Option<Duration> {
        self.inner.elapsed()
    }

    fn progress(&mut self, progress: &Progress) {
        self.inner.progress(progress);
    }
}

/// A thread's monitor: every [`EPOCH`] stop checks it ends an epoch (waiting, if it is a
/// whole epoch ahead, for the others), and it stops when the board says so.
struct Follower<'a> {
    shared: &'a Shared,
    thread: usize,
    checks: u32,
    stop: bool,
}

impl<'a> Follower<'a> {
    fn new(shared: &'a Shared, thread: usize) -> Follower<'a> {
        Follower {
            shared,
            thread,
            checks: 0,
            stop: false,
        }
    }
}

impl Monitor for Follower<'_> {
    fn should_stop(&mut self) -> bool {
        // Where a time limit ends the run depends on the clock anyway: no need to wait for
        // the end of the epoch.
        self.stop |= self.shared.time_was_up();
        if !self.stop {
            self.checks += 1;
            if self.checks == EPOCH {
                self.checks = 0;
                self.stop = self.shared.arrive(self.thread);
            }
        }
        self.stop
    }
}

/// Leaves the board when dropped.
struct Leaving<'a>(&'a Shared, usize);

impl Drop for Leaving<'_> {
    fn drop(&mut self) {
        // A thread that panicked stops the others too, so the caller's limit still holds.
        if std::thread::panicking() {
            self.0.time_up();
        }
        self.0.leave(self.1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Buffer;

    /// A problem whose first buffer has this id makes every helper thread panic.
    const HELPER_PANICS: &str = "panic-in-a-helper";

    /// Test only: the hook that makes a helper (never the calling thread) panic.
    pub(super) fn panic_if_asked(problem: &Problem, thread: usize) {
        let asked = problem
            .buffers
            .first()
            .is_some_and(|b| b.id == HELPER_PANICS);
        assert!(
            !(asked && thread > 0),
            "a deliberate panic in helper {thread}"
        );
    }

    fn problem(first: &str) -> Problem {
        let buffers = (0..12)
            .map(|i| {
                let id = if i == 0 {
                    first.to_string()
                } else {
                    format!("b{i}")
                };
                Buffer::new(id, i % 5, i % 5 + 3, 1 + (i * 7) % 11)
            })
            .collect();
        Problem::new(buffers, 1000)
    }

    #[test]
    fn a_helper_panic_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| {
            minimize_parallel(
                &problem(HELPER_PANICS),
                &SolverParams::default(),
                2,
                &mut (),
            )
        });
        let payload = caught.expect_err("the helper's panic passes to the caller");
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or_default();
        assert!(
            message.contains("deliberate panic in helper 1"),
            "{message}"
        );
    }

    #[test]
    fn without_the_hook_the_same_problem_is_minimised() {
        let report =
            minimize_parallel(&problem("b0"), &SolverParams::default(), 2, &mut ()).unwrap();
        let solution = report.solution().expect("a packing");
        assert_eq!(crate::validate::validate(&problem("b0"), solution), Ok(()));
    }
}
