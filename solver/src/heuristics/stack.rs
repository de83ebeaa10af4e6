//! The peak stack: the buffers live at the highest load stacked without a hole first, then
//! every other buffer filled in around them.
//!
//! At the instant where the load is highest, every buffer live then lies in one column of
//! memory, and a packing at the load bound has no byte free in that column. Passes that
//! place buffers one at a time among all the others leave a few small holes there on long
//! traces (on the generated `training-60000`, 768 bytes among the 17,429 buffers live at its
//! peak: the whole gap), because each choice is made before the column is complete. This
//! pass builds the column first, as a stack: earlier starts lower, and among equal starts
//! later ends lower, so that before the peak the buffers already started sit in one block at
//! the bottom and free memory is one band above it (the trace's lifetimes nested around the
//! peak, as in training, keep that true after it too). An alignment that would leave a hole
//! under a buffer leaves it to a later, smaller one. Then [`fill`] places the others in start
//! order, each in the tightest free block clear of the column for its whole life.
//!
//! Buffers with gaps are stacked at their full size, which their pieces never exceed, so the
//! column is valid whatever their windows. With fixed buffers the column would have to step
//! around them: the pass is then the online pass.

use super::fill::fill;
use super::online::{plain_fill, Budget, Spans};
use crate::bounds::LoadProfile;
use crate::model::{align_up, Offset, Problem};
use crate::sort::refine;

/// Holes kept open under aligned buffers for later ones; past this many, a new hole is left
/// empty, which bounds the cost of looking for one at this many per buffer.
const HOLES: usize = 256;

/// Offsets for every buffer below `limit`, or `None` if the pass found none there or `stop`
/// said to give up. With fixed buffers the pass gives way to the plain fill (the online
/// pass), as the peaks pass does when it cannot pay.
pub(crate) fn peak_stack(
    problem: &Problem,
    profile: Option<&LoadProfile>,
    limit: Offset,
    stop: &mut dyn FnMut() -> bool,
) -> Option<Vec<Offset>> {
    let spans = Spans::of(problem);
    if problem.buffers.iter().any(|b| b.offset.is_some()) {
        return plain_fill(problem, &spans, limit, stop);
    }
    let (peak, _) = profile.map_or_else(|| LoadProfile::of(problem).peak(), LoadProfile::peak);
    // `starts` is by start, larger first, then index; refined by later end first, then by
    // start again, the order is (start, later end, larger, index).
    let mut column: Vec<u32> = spans
        .starts
        .iter()
        .copied()
        .filter(|&b| spans.span[b as usize].is_some_and(|s| s.lower <= peak && peak < s.upper))
        .collect();
    let key = |f: fn(&crate::model::Lifespan) -> i64| -> Vec<i64> {
        spans.span.iter().map(|s| s.as_ref().map_or(0, f)).collect()
    };
    refine(&key(|s| -s.upper), &mut column);
    refine(&key(|s| s.lower), &mut column);
    // Buffers whose size is a multiple of the column's largest alignment keep every offset
    // above them aligned: they go first. The others go on top, most aligned first and larger
    // first among those, so that the holes the aligned ones leave are the right size for
    // the ones after them.
    let buffers = &problem.buffers;
    let widest = column
        .iter()
        .map(|&b| buffers[b as usize].alignment)
        .max()
        .unwrap_or(1);
    let regular = |b: u32| buffers[b as usize].size % widest == 0;
    let mut rest: Vec<u32> = column.iter().copied().filter(|&b| !regular(b)).collect();
    column.retain(|&b| regular(b));
    let field =
        |f: fn(&crate::model::Buffer) -> i64| -> Vec<i64> { buffers.iter().map(f).collect() };
    refine(&field(|b| -b.size), &mut rest);
    refine(&field(|b| -b.alignment), &mut rest);
    column.append(&mut rest);
    let mut placed: Vec<Option<Offset>> = vec![None; problem.buffers.len()];
    let (mut top, mut holes): (Offset, Vec<(Offset, Offset)>) = (0, Vec::new());
    for b in column {
        let buffer = &problem.buffers[b as usize];
        let (size, alignment) = (buffer.size, buffer.alignment);
        let spot = holes.iter().enumerate().find_map(|(i, &(lo, hi))| {
            let at = align_up(lo, alignment);
            (at + size <= hi).then_some((i, lo, at, hi))
        });
        let at = match spot {
            Some((i, lo, at, hi)) => {
                // The hole's parts below and above the buffer stay open, in offset order.
                let parts = [(lo, at), (at + size, hi)];
                holes.splice(i..=i, parts.into_iter().filter(|&(lo, hi)| lo < hi));
                at
            }
            None => {
                let at = align_up(top, alignment);
                if at > top && holes.len() < HOLES {
                    holes.push((top, at));
                }
                top = at + size;
                at
            }
        };
        if at + size > limit {
            return None;
        }
        placed[b as usize] = Some(at);
    }
    let mut budget = Budget::new(u64::MAX, stop);
    Some(fill(problem, &spans, &placed, limit, None, &mut budget)?.offsets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Buffer, Solution};
    use crate::validate::validate;

    #[test]
    fn the_column_at_the_peak_is_stacked_by_start_and_the_rest_filled_around_it() {
        // The load peaks at time 4 (a, b, c, d live: 10). The column stacks a (start 0),
        // c (start 2, ends 8), b (start 2, ends 6), then d (start 4); e and f go around it.
        let problem = Problem::new(
            vec![
                Buffer::new("a", 0, 9, 4),
                Buffer::new("b", 2, 6, 2),
                Buffer::new("c", 2, 8, 3),
                Buffer::new("d", 4, 5, 1),
                Buffer::new("e", 0, 2, 5),
                Buffer::new("f", 6, 9, 2),
            ],
            100,
        );
        let offsets = peak_stack(&problem, None, 100, &mut || false).unwrap();
        validate(&problem, &Solution::from_offsets(&problem, offsets.clone())).unwrap();
        assert_eq!(&offsets[..4], [0, 7, 4, 9]);
        // At the peak the column is 10 high, the load.
        assert_eq!(crate::model::height_of(&problem, &offsets), 10);
    }

    #[test]
    fn an_alignment_hole_is_left_to_a_later_smaller_buffer() {
        // All live at 0; d's size is a multiple of the largest alignment (4): it goes first.
        // Then the most aligned: a (3 bytes) at 4, b (aligned to 4) at 8 leaving 7..8 open,
        // and c (1 byte) takes the hole: a column of 10 with no byte free.
        let problem = Problem::new(
            vec![
                Buffer::new("a", 0, 4, 3).with_alignment(4),
                Buffer::new("b", 0, 3, 2).with_alignment(4),
                Buffer::new("c", 0, 2, 1),
                Buffer::new("d", 0, 2, 4),
            ],
            100,
        );
        let offsets = peak_stack(&problem, None, 100, &mut || false).unwrap();
        validate(&problem, &Solution::from_offsets(&problem, offsets.clone())).unwrap();
        assert_eq!(offsets, [4, 8, 7, 0]);
        assert_eq!(peak_stack(&problem, None, 9, &mut || false), None);
    }

    #[test]
    fn with_fixed_buffers_the_pass_is_the_online_pass() {
        let problem = Problem::new(
            vec![
                Buffer::new("a", 0, 4, 3),
                Buffer::new("b", 1, 4, 2),
                Buffer::new("f", 0, 4, 3).with_offset(3),
            ],
            100,
        );
        let online = super::super::online::online_best_fit(&problem, 100, &mut || false);
        assert_eq!(peak_stack(&problem, None, 100, &mut || false), online);
        assert_eq!(online, Some(vec![0, 6, 3]));
    }
}
