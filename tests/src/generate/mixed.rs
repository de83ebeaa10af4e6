//! Several subgraphs one after another, as a compiler sees a program that calls several
//! models or stages in turn.

use bufpack::{Buffer, Problem, Time, MAX_MAGNITUDE};

use super::trace::padded;
use super::{inference_cnn, training, transformer, Rng};

/// Several traces of the other families, one after another in time, with about `buffers`
/// tensors in all.
///
/// Two to five segments, each drawn from [`inference_cnn`], [`training`] or [`transformer`]
/// with an equal share of `buffers`, shifted to start where the previous one ended; ids get a
/// `sN.` prefix. A few buffers (results handed from one segment to a later one) live across
/// segment boundaries. Each segment may overshoot its share by 20 and there are at most 9
/// handoffs: `buffers` to `buffers + 109` tensors.
pub fn mixed(rng: &mut Rng, buffers: usize) -> Problem {
    let segments = rng.range(2, 5) as usize;
    let mut all = Vec::with_capacity(buffers + 16);
    // Each segment's [start, end) in the concatenated time line.
    let mut spans: Vec<(Time, Time)> = Vec::with_capacity(segments);
    let mut start = 0;
    for segment in 0..segments {
        let share = buffers / segments + usize::from(segment < buffers % segments);
        let part = match rng.range(0, 2) {
            0 => inference_cnn(rng, share),
            1 => training(rng, share),
            _ => transformer(rng, share),
        };
        let end = start
            + part
                .buffers
                .iter()
                .map(|b| b.lifespan.upper)
                .max()
                .unwrap_or(0);
        for mut buffer in part.buffers {
            buffer.id = format!("s{segment}.{}", buffer.id);
            buffer.lifespan.lower += start;
            buffer.lifespan.upper += start;
            all.push(buffer);
        }
        spans.push((start, end));
        start = end;
    }

    for handoff in 0..rng.range(1, 2 * segments as i64) {
        let from = rng.index(segments - 1);
        let to = from + 1 + rng.index(segments - 1 - from);
        let lower = rng.range(spans[from].0, spans[from].1 - 1);
        let upper = rng.range(spans[to].0 + 1, spans[to].1);
        let bytes = padded(rng.range(1, 1 << 16), 64);
        all.push(Buffer::new(
            format!("handoff.{handoff}"),
            lower,
            upper,
            bytes,
        ));
    }
    Problem::new(all, MAX_MAGNITUDE)
}
