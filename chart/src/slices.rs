//! Long work on the page's thread, a slice at a time: the work runs until its slice of
//! [`SLICE_MS`] is used, then yields to the browser (which handles input and paints) and
//! carries on. So a million-buffer result is read, laid out and drawn without a long task.
//! [`SliceSort`] is the sort such work needs: resumable after any number of elements.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::math;

/// The time a slice may run before it yields: well under the 50 ms that makes a long task,
/// so a click or a key waits at most this long.
const SLICE_MS: f64 = 8.0;

/// Items a loop does between two looks at the clock (each look costs a call into
/// JavaScript): a fraction of a millisecond of work for every step of a layout build.
pub const STEP: usize = 2048;

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// How often a sliced computation reports progress: every report re-renders part of the
/// page, and the browser paints about every 100 ms while the work runs anyway.
const REPORT_MS: f64 = 50.0;

/// The clock of a sliced computation.
pub struct Slices {
    deadline: f64,
    /// When progress was last reported.
    reported: f64,
}

impl Slices {
    /// The first slice starts now.
    pub fn start() -> Slices {
        Slices {
            deadline: now() + SLICE_MS,
            reported: f64::NEG_INFINITY,
        }
    }

    /// True when this slice has used its time.
    pub fn due(&self) -> bool {
        now() >= self.deadline
    }

    /// True (and from now on false for [`REPORT_MS`]) when progress is worth reporting.
    pub fn report(&mut self) -> bool {
        let now = now();
        let due = now - self.reported >= REPORT_MS;
        if due {
            self.reported = now;
        }
        due
    }

    /// Lets the browser run, then starts the next slice.
    pub async fn pause(&mut self) {
        yield_to_browser().await;
        self.deadline = now() + SLICE_MS;
    }
}

/// Resolves after the browser had a chance to run other tasks: `scheduler.yield()` where
/// there is one (the continuation runs before other queued work of its priority, so the
/// computation is not starved), else a zero-delay timer.
async fn yield_to_browser() {
    let global = js_sys::global();
    let get = |target: &JsValue, key: &str| js_sys::Reflect::get(target, &key.into()).ok();
    if let Some(scheduler) = get(&global, "scheduler").filter(|s| s.is_object()) {
        if let Some(function) =
            get(&scheduler, "yield").and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        {
            if let Ok(promise) = function.call0(&scheduler) {
                let _ = JsFuture::from(js_sys::Promise::resolve(&promise)).await;
                return;
            }
        }
    }
    let timer = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(&resolve);
        }
    });
    let _ = JsFuture::from(timer).await;
}

/// Elements a run of [`SliceSort`] holds before merging: sorted in one go, which at this
/// size takes well under a millisecond.
pub const RUN: usize = 4096;

/// What sorting a run of [`RUN`] elements costs, in the same units as the rest of the work
/// (one element moved or looked at): about `log2(RUN)` comparisons per element.
const RUN_COST: usize = RUN * 12;

/// What [`SliceSort`] sorts: pairs of integers, by the first then the second. Every sort the
/// page needs is one of these (a key and an index, or a time and an amount), so one
/// instance of the sorting code serves them all (it is large, and the page is downloaded).
pub type Pair = (i64, i64);

/// A sort done in slices: first a scan (already sorted data, the usual case for rectangles
/// of a trace in op order, costs one pass), then runs of [`RUN`] sorted in place, then
/// bottom-up merges, each resumable at any element.
pub struct SliceSort {
    data: Vec<Pair>,
    scratch: Vec<Pair>,
    phase: SortPhase,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortPhase {
    /// Looking for the first element out of order.
    Scan {
        at: usize,
    },
    /// Sorting runs; `at` is the start of the next one.
    Runs {
        at: usize,
    },
    /// Merging pairs of sorted runs of `width` into `scratch`: the pair starting at `lo`,
    /// its left half read up to `i`, its right half up to `j`.
    Merge {
        width: usize,
        lo: usize,
        i: usize,
        j: usize,
    },
    Done,
}

impl SliceSort {
    pub fn new(data: Vec<Pair>) -> SliceSort {
        SliceSort {
            data,
            scratch: Vec::new(),
            phase: SortPhase::Scan { at: 0 },
        }
    }

    pub fn is_done(&self) -> bool {
        self.phase == SortPhase::Done
    }

    /// The sorted data (call when [`SliceSort::is_done`]).
    pub fn into_sorted(self) -> Vec<Pair> {
        debug_assert!(self.is_done());
        self.data
    }

    /// How far along, from 0 to 1 (a rough guide for a progress bar).
    pub fn progress(&self) -> f64 {
        let len = self.data.len().max(1) as f64;
        let passes = math::log2(len / RUN as f64).ceil().max(0.0) + 1.0;
        match self.phase {
            SortPhase::Scan { at } => 0.1 * at as f64 / len,
            SortPhase::Runs { at } => 0.1 + 0.9 * (at as f64 / len) / passes,
            SortPhase::Merge { width, .. } => {
                let done = (width / RUN).max(1).ilog2() as f64 + 1.0;
                let within = self.scratch.len() as f64 / len;
                0.1 + 0.9 * ((done + within) / passes).min(1.0)
            }
            SortPhase::Done => 1.0,
        }
    }

    /// Does about `work` units of sorting; true when sorted.
    pub fn step(&mut self, work: usize) -> bool {
        let len = self.data.len();
        let mut budget = work.max(1);
        while budget > 0 {
            match self.phase {
                SortPhase::Scan { at } => {
                    let end = at.saturating_add(budget).min(len.saturating_sub(1));
                    let mut k = at;
                    while k < end && self.data[k] <= self.data[k + 1] {
                        k += 1;
                    }
                    budget = budget.saturating_sub(k - at + 1);
                    self.phase = if k + 1 >= len {
                        SortPhase::Done
                    } else if k < end {
                        SortPhase::Runs { at: 0 }
                    } else {
                        SortPhase::Scan { at: k }
                    };
                }
                SortPhase::Runs { at } => {
                    let end = (at + RUN).min(len);
                    self.data[at..end].sort_unstable();
                    budget = budget.saturating_sub(RUN_COST);
                    self.phase = if end < len {
                        SortPhase::Runs { at: end }
                    } else {
                        self.scratch = Vec::with_capacity(len);
                        Self::merge_start(RUN, len)
                    };
                }
                SortPhase::Merge {
                    width,
                    lo,
                    mut i,
                    mut j,
                } => {
                    let mid = (lo + width).min(len);
                    let hi = (lo + 2 * width).min(len);
                    let start = budget;
                    while budget > 0 && (i < mid || j < hi) {
                        if j == hi {
                            let n = budget.min(mid - i);
                            self.scratch.extend_from_slice(&self.data[i..i + n]);
                            (i, budget) = (i + n, budget - n);
                        } else if i == mid {
                            let n = budget.min(hi - j);
                            self.scratch.extend_from_slice(&self.data[j..j + n]);
                            (j, budget) = (j + n, budget - n);
                        } else {
                            let take_left = self.data[i] <= self.data[j];
                            if take_left {
                                self.scratch.push(self.data[i]);
                                i += 1;
                            } else {
                                self.scratch.push(self.data[j]);
                                j += 1;
                            }
                            budget -= 1;
                        }
                    }
                    if i < mid || j < hi {
                        self.phase = SortPhase::Merge { width, lo, i, j };
                    } else if hi < len {
                        let next = hi;
                        self.phase = SortPhase::Merge {
                            width,
                            lo: next,
                            i: next,
                            j: (next + width).min(len),
                        };
                    } else {
                        // A pass is over: the merged runs are the data of the next.
                        std::mem::swap(&mut self.data, &mut self.scratch);
                        self.scratch.clear();
                        self.phase = Self::merge_start(width * 2, len);
                        if self.phase == SortPhase::Done {
                            self.scratch = Vec::new();
                        }
                    }
                    if budget == start {
                        // An empty pair (cannot happen with lo < len; guards the loop).
                        budget -= 1;
                    }
                }
                SortPhase::Done => return true,
            }
        }
        self.phase == SortPhase::Done
    }

    fn merge_start(width: usize, len: usize) -> SortPhase {
        if width >= len {
            SortPhase::Done
        } else {
            SortPhase::Merge {
                width,
                lo: 0,
                i: 0,
                j: width.min(len),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_sort_sorts_in_any_slices() {
        for len in [0, 1, 2, 5, RUN - 1, RUN, RUN + 1, 3 * RUN + 17, 9 * RUN] {
            let mut state = len as u64 + 7;
            let data: Vec<Pair> = (0..len)
                .map(|i| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                    ((state >> 40) as i64 % 1000, i as i64)
                })
                .collect();
            let mut expected = data.clone();
            expected.sort();
            for work in [1, 7, 1000, usize::MAX] {
                let mut sort = SliceSort::new(data.clone());
                let mut steps = 0;
                while !sort.step(work) {
                    steps += 1;
                    assert!(steps < 100_000_000);
                }
                assert_eq!(sort.into_sorted(), expected, "len {len}, work {work}");
            }
            // Sorted input: one scan.
            let mut sort = SliceSort::new(expected.clone());
            assert!(sort.step(len + 1));
            assert_eq!(sort.into_sorted(), expected);
        }
    }
}
