//! The best of a peaks pass's rounds, part by part (see [`BestByPart`]).

use std::ops::Range;

use super::super::online::Spans;
use crate::model::Offset;

/// The lowest packing of each part of a problem over a peaks pass's rounds.
///
/// The movable buffers fall into *parts* that share no time (two buffers whose spans meet
/// are in the same part). Packings of the parts from different rounds, with the fixed
/// buffers where they are in all of them, never clash, so together they are a packing no
/// higher than any round's. Keeping the lowest round overall instead threw away a part packed
/// lower in another round. On a single trace there is one part and this is the lowest
/// round; a nested pass's problem (the hot set of the pass one level up) falls into dozens,
/// in stretches of time far apart, and each round's growth changes a few of them.
pub(super) struct BestByPart {
    /// Each part as a range of `Spans::starts` (parts are runs of it, since it is in start
    /// order), in time order.
    parts: Vec<Range<usize>>,
    /// Each part's height in the best packing, and that packing (`None` before the first).
    heights: Vec<Offset>,
    offsets: Option<Vec<Offset>>,
    /// The height of the fixed buffers (and the buffers without a span), the same in every
    /// round.
    rest: Offset,
}

impl BestByPart {
    pub(super) fn new(spans: &Spans) -> BestByPart {
        let mut parts: Vec<Range<usize>> = Vec::new();
        let mut hull_upper = None;
        for (at, &b) in spans.starts.iter().enumerate() {
            let span = spans.span[b as usize].expect("buffers in `starts` have a span");
            match (parts.last_mut(), hull_upper) {
                (Some(part), Some(upper)) if span.lower < upper => {
                    part.end = at + 1;
                    hull_upper = Some(span.upper.max(upper));
                }
                _ => {
                    parts.push(at..at + 1);
                    hull_upper = Some(span.upper);
                }
            }
        }
        BestByPart {
            parts,
            heights: Vec::new(),
            offsets: None,
            rest: 0,
        }
    }

    /// Takes in a round's complete packing `offsets` (one per buffer): each part's packing
    /// where it is lower than in the best so far (all of it, the first time).
    pub(super) fn offer(&mut self, spans: &Spans, offsets: Vec<Offset>) {
        let top = |b: u32| offsets[b as usize] + spans.sizes[b as usize];
        let heights = self.parts.iter().map(|part| {
            spans.starts[part.clone()]
                .iter()
                .map(|&b| top(b))
                .max()
                .unwrap_or(0)
        });
        let Some(best_offsets) = &mut self.offsets else {
            self.heights = heights.collect();
            // Whatever is in no part: the fixed buffers and those that occupy no memory, the
            // buffers without a movable span.
            self.rest = (spans.movable().enumerate())
                .filter(|(_, span)| span.is_none())
                .map(|(b, _)| offsets[b] + spans.sizes[b])
                .max()
                .unwrap_or(0);
            self.offsets = Some(offsets);
            return;
        };
        for ((part, best), height) in self.parts.iter().zip(&mut self.heights).zip(heights) {
            if height < *best {
                *best = height;
                for &b in &spans.starts[part.clone()] {
                    best_offsets[b as usize] = offsets[b as usize];
                }
            }
        }
    }

    /// The best packing's height, once there is one.
    pub(super) fn height(&self) -> Option<Offset> {
        self.offsets.as_ref()?;
        Some(self.heights.iter().copied().fold(self.rest, Offset::max))
    }

    /// The best packing, if a round offered one.
    pub(super) fn into_offsets(self) -> Option<Vec<Offset>> {
        self.offsets
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Buffer, Problem, Solution};
    use crate::validate::validate;

    #[test]
    fn each_part_keeps_its_lowest_packing_of_any_round() {
        // Three parts in time (0..10, 20..30, 40..50), a fixed buffer across the first two,
        // and a buffer that occupies nothing.
        let problem = Problem::new(
            vec![
                Buffer::new("a", 0, 5, 4),
                Buffer::new("b", 3, 10, 4),
                Buffer::new("c", 20, 25, 6),
                Buffer::new("d", 22, 30, 2),
                Buffer::new("e", 40, 50, 3),
                Buffer::new("f", 45, 48, 5),
                Buffer::new("fixed", 5, 25, 1).with_offset(8),
                Buffer::new("nothing", 0, 50, 0),
            ],
            100,
        );
        let spans = Spans::of(&problem);
        let mut best = BestByPart::new(&spans);
        assert_eq!(best.parts.len(), 3);
        assert_eq!(best.height(), None);
        // Three rounds, each part lowest in a different one (the first part as low in the
        // third round as in the first: the first is kept).
        let rounds: [[Offset; 8]; 3] = [
            [0, 4, 0, 13, 0, 10, 8, 0],
            [8, 0, 0, 6, 0, 6, 8, 0],
            [0, 4, 13, 0, 0, 3, 8, 0],
        ];
        let mut heights = Vec::new();
        for offsets in rounds {
            let solution = Solution::from_offsets(&problem, offsets.to_vec());
            validate(&problem, &solution).unwrap();
            heights.push(solution.height);
            best.offer(&spans, offsets.to_vec());
        }
        assert_eq!(heights, [15, 12, 19]);
        // Every part at 8, the fixed buffer at 9: below the lowest round.
        assert_eq!(best.height(), Some(9));
        let offsets = best.into_offsets().unwrap();
        assert_eq!(offsets, [0, 4, 0, 6, 0, 3, 8, 0]);
        validate(&problem, &Solution::from_offsets(&problem, offsets)).unwrap();
    }
}
