//! Perfect packings: instances whose optimum is known because they were cut from it.

use bufpack::{Buffer, Offset, Problem, Time};

use super::Rng;

/// A rectangle of the time x memory plane, half-open on both axes.
#[derive(Clone, Copy)]
struct Rect {
    lower: Time,
    upper: Time,
    bottom: Offset,
    top: Offset,
}

impl Rect {
    fn can_cut_time(&self) -> bool {
        self.upper - self.lower >= 2
    }

    fn can_cut_memory(&self) -> bool {
        self.top - self.bottom >= 2
    }
}

/// The rectangle `[0, duration) x [0, height)` cut by recursive guillotine cuts into `pieces`
/// buffers (at least one; fewer only when `height * duration < pieces`); capacity `height`.
///
/// **The optimum height is exactly `height`**: the pieces tile the rectangle, so their
/// original positions are a packing of that height, and at every instant the live sizes sum
/// to `height`, so no packing is lower. The instance is therefore feasible at capacity
/// `height` and infeasible at `height - 1`, which makes it a check with a known answer.
///
/// Each step picks a piece uniformly and cuts it at a uniform position, across time or across
/// memory with equal odds (whichever the piece allows), so piece sizes vary widely. Every
/// buffer has size and lifespan at least 1. Ids are `r0`, `r1`, ... in a shuffled order, so
/// the order says nothing about the cuts. Panics if `height` or `duration` is below 1.
pub fn cut_rectangle(rng: &mut Rng, pieces: usize, height: i64, duration: i64) -> Problem {
    assert!(
        height >= 1 && duration >= 1,
        "cut_rectangle needs height and duration of at least 1, got {height} and {duration}"
    );
    let whole = Rect {
        lower: 0,
        upper: duration,
        bottom: 0,
        top: height,
    };
    let mut open = vec![whole];
    let mut done = Vec::new();
    while open.len() + done.len() < pieces && !open.is_empty() {
        let piece = open.swap_remove(rng.index(open.len()));
        let (time, memory) = (piece.can_cut_time(), piece.can_cut_memory());
        if !time && !memory {
            done.push(piece);
            continue;
        }
        let across_time = if time && memory { rng.chance(50) } else { time };
        let halves = if across_time {
            let cut = rng.range(piece.lower + 1, piece.upper - 1);
            [
                Rect {
                    upper: cut,
                    ..piece
                },
                Rect {
                    lower: cut,
                    ..piece
                },
            ]
        } else {
            let cut = rng.range(piece.bottom + 1, piece.top - 1);
            [
                Rect { top: cut, ..piece },
                Rect {
                    bottom: cut,
                    ..piece
                },
            ]
        };
        open.extend(halves);
    }
    let mut rects = open;
    rects.append(&mut done);
    rng.shuffle(&mut rects);
    let buffers = rects
        .iter()
        .enumerate()
        .map(|(i, r)| Buffer::new(format!("r{i}"), r.lower, r.upper, r.top - r.bottom))
        .collect();
    Problem::new(buffers, height)
}
