//! [`Problem::check`](super::Problem::check)'s checks on the buffers, one buffer at a time.
//!
//! Kept incremental so that a reader can check each buffer right after it builds it, while
//! the buffer (and its id) are still in the cache: at a million buffers the checks as a
//! second pass over them cost as much again as the parse (the 112 MB of buffers and their
//! ids read back from memory), and the CSV reader's check was then repeated by the
//! minimisation's own.

use super::{Buffer, Lifespan, ProblemError, ProblemErrorKind, Time, MAX_MAGNITUDE};

/// The buffer checks over buffers added in order: the first malformed buffer, and the ids
/// hashed so far for the duplicate check at the end.
pub(crate) struct Checks {
    /// The per-run key of [`id_hash`].
    key: u64,
    /// (32-bit hash of the id, index) of every buffer added before the first malformed one.
    /// (i64, i64) pairs share the crate's one instantiation of the sort (see crate::sort).
    keyed: Vec<(i64, i64)>,
    /// The index of the next buffer added.
    next: usize,
    /// The first malformed buffer, and what is wrong with it.
    malformed: Option<(usize, ProblemErrorKind)>,
}

impl Checks {
    /// No buffers yet; `expected` of them to come (a hint for the memory to reserve).
    pub(crate) fn new(expected: usize) -> Checks {
        use std::hash::BuildHasher;
        Checks {
            // Drawn from std's random keys, new for each check.
            key: std::collections::hash_map::RandomState::new().hash_one(0x6275_6670_u64),
            keyed: Vec::with_capacity(expected),
            next: 0,
            malformed: None,
        }
    }

    /// Checks the next buffer. After a malformed one nothing more can fail first, so later
    /// buffers are only counted.
    pub(crate) fn add(&mut self, buffer: &Buffer) {
        let index = self.next;
        self.next += 1;
        if self.malformed.is_some() {
            return;
        }
        match check_buffer(buffer) {
            Ok(()) => {
                let hash = id_hash(self.key, buffer.id.as_bytes());
                self.keyed.push((i64::from(hash), index as i64));
            }
            Err(kind) => self.malformed = Some((index, kind)),
        }
    }

    /// The first failure in buffer order, whichever kind it is, over `buffers` (the ones
    /// added, in the same order).
    pub(crate) fn finish(self, buffers: &[Buffer]) -> Result<(), ProblemError> {
        debug_assert_eq!(self.next, buffers.len());
        // A duplicate is found among the buffers before the first malformed one only, so
        // it comes first whenever there is one.
        let failure = match first_duplicate(self.keyed, buffers) {
            Some((first, again)) => Some((again, ProblemErrorKind::DuplicateId(first))),
            None => self.malformed,
        };
        match failure {
            None => Ok(()),
            Some((index, kind)) => Err(ProblemError {
                buffer: Some(index),
                id: buffers[index].id.clone(),
                kind,
            }),
        }
    }
}

/// The first buffer (in order) whose id an earlier buffer has, and that earlier buffer's
/// index, `(first, again)`, among the buffers `keyed` holds the hashes of.
///
/// Not a hash map of ids: at a million buffers its inserts were one cache miss each and
/// took a third of a second. Instead the (hash, index) pairs are sorted, and only buffers
/// whose hashes are equal compare their ids. 32 bits of the hash: the radix sort then takes
/// four passes, not eight, and at a million ids only a hundred or so pairs share a hash by
/// chance. Which duplicate is reported does not depend on the hash values.
fn first_duplicate(mut keyed: Vec<(i64, i64)>, buffers: &[Buffer]) -> Option<(usize, usize)> {
    // By hash; equal hashes keep their indices in order (a radix sort, stable).
    crate::sort::sort_pairs(&mut keyed);
    let mut found: Option<(usize, usize)> = None;
    for group in keyed.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
        // Indices ascend within a group: the first equal id before `again` is the first.
        for (position, &(_, again)) in group.iter().enumerate().skip(1) {
            let again = again as usize;
            if found.is_some_and(|(_, best)| best <= again) {
                break;
            }
            let id = &buffers[again].id;
            if let Some(&(_, first)) = group[..position]
                .iter()
                .find(|&&(_, earlier)| buffers[earlier as usize].id == *id)
            {
                found = Some((first as usize, again));
                break;
            }
        }
    }
    found
}

/// 32 bits of a hash of `id` under `key`: a multiply and a shift per eight bytes, a few
/// times faster than std's SipHash on short ids (a tenth of the check at a million ids).
/// The key is secret and new for every check, so ids written ahead of time cannot aim at
/// equal hashes (which would cost comparisons, never a wrong answer).
fn id_hash(key: u64, id: &[u8]) -> u32 {
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |hash: u64, word: u64| {
        let hash = (hash ^ word).wrapping_mul(MULTIPLIER);
        hash ^ (hash >> 29)
    };
    let mut hash = key ^ id.len() as u64;
    let mut words = id.chunks_exact(8);
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        hash = mix(hash, u64::from_le_bytes(bytes));
    }
    let rest = words.remainder();
    let mut last = [0u8; 8];
    last[..rest.len()].copy_from_slice(rest);
    hash = mix(hash, u64::from_le_bytes(last));
    (hash.wrapping_mul(MULTIPLIER) >> 32) as u32
}

/// What is wrong with `buffer` on its own, if anything.
pub(crate) fn check_buffer(buffer: &Buffer) -> Result<(), ProblemErrorKind> {
    use ProblemErrorKind::*;
    let numbers = [
        buffer.lifespan.lower,
        buffer.lifespan.upper,
        buffer.size,
        buffer.alignment,
    ];
    let gap_numbers = buffer.gaps.iter().flat_map(|gap| {
        let window = gap.window.map_or([0, 0], |w| [w.lower, w.upper]);
        [gap.lifespan.lower, gap.lifespan.upper, window[0], window[1]]
    });
    let fixed = buffer.offset.into_iter().chain(buffer.hint);
    if let Some(v) = numbers
        .into_iter()
        .chain(gap_numbers)
        .chain(fixed)
        .find(|v| v.unsigned_abs() > MAX_MAGNITUDE as u64)
    {
        return Err(TooLarge(v));
    }
    if buffer.lifespan.lower > buffer.lifespan.upper {
        return Err(ReversedLifespan(buffer.lifespan));
    }
    if buffer.size < 0 {
        return Err(NegativeSize(buffer.size));
    }
    if buffer.alignment < 1 {
        return Err(BadAlignment(buffer.alignment));
    }
    for gap in &buffer.gaps {
        let g = gap.lifespan;
        if g.lower > g.upper || g.lower < buffer.lifespan.lower || g.upper > buffer.lifespan.upper {
            return Err(GapOutsideLifespan(g));
        }
        if let Some(w) = gap.window {
            if w.lower < 0 || w.lower > w.upper || w.upper > buffer.size {
                return Err(BadWindow(w));
            }
        }
    }
    // As (lower, upper) pairs, which sort like the lifespans, with the crate's shared
    // (i64, i64) sort (see crate::sort).
    let mut gaps: Vec<(Time, Time)> = buffer
        .gaps
        .iter()
        .map(|g| (g.lifespan.lower, g.lifespan.upper))
        .collect();
    gaps.sort_unstable();
    let lifespan = |(lower, upper)| Lifespan::new(lower, upper);
    if let Some(pair) = gaps
        .windows(2)
        .find(|pair| lifespan(pair[0]).overlaps(&lifespan(pair[1])))
    {
        return Err(OverlappingGaps(lifespan(pair[0]), lifespan(pair[1])));
    }
    if let Some(offset) = buffer.offset {
        if offset < 0 || offset % buffer.alignment != 0 {
            return Err(BadFixedOffset(offset));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first duplicate among `buffers`, through [`Checks`].
    fn first_duplicate_id(buffers: &[Buffer]) -> Option<(usize, usize)> {
        let mut checks = Checks::new(buffers.len());
        buffers.iter().for_each(|buffer| checks.add(buffer));
        first_duplicate(checks.keyed, buffers)
    }

    #[test]
    fn the_first_duplicate_id_is_the_one_a_scan_in_order_finds() {
        // Against the obvious scan with a map, over ids drawn from small alphabets so that
        // duplicates (pairs, triples, several at once) are common; long ids too, which
        // differ only past their first eight bytes.
        let mut rng = crate::test_rng::XorShift(0x2545_f491_4f6c_dd1d);
        let mut next = |bound: u64| rng.below(bound);
        for case in 0..2_000 {
            let len = next(12) as usize;
            let alphabet = 1 + next(if case % 2 == 0 { 6 } else { 40 });
            let prefix = ["", "activation/", "a_name_longer_than_sixteen/"][case % 3];
            let ids: Vec<String> = (0..len)
                .map(|_| format!("{prefix}{}", next(alphabet)))
                .collect();
            let buffers: Vec<Buffer> = ids
                .iter()
                .map(|id| Buffer::new(id.clone(), 0, 1, 1))
                .collect();
            let mut seen = std::collections::HashMap::new();
            let expected = ids
                .iter()
                .enumerate()
                .find_map(|(again, id)| seen.insert(id, again).map(|first| (first, again)));
            assert_eq!(first_duplicate_id(&buffers), expected, "{ids:?}");
        }
    }

    #[test]
    fn ids_that_differ_in_any_byte_or_in_length_hash_apart_under_a_key() {
        // Not a proof of anything: a guard against a hash that drops bytes (the tail, a
        // word's high bytes) or ignores the length (trailing zero bytes).
        let key = 0x0123_4567_89ab_cdef;
        let base = b"tensor/0123456789abcdefXYZ".to_vec();
        let hash = id_hash(key, &base);
        for at in 0..base.len() {
            let mut other = base.clone();
            other[at] ^= 1;
            assert_ne!(id_hash(key, &other), hash, "byte {at}");
        }
        assert_ne!(id_hash(key, b"a"), id_hash(key, b"a\0"));
        assert_ne!(id_hash(key, b""), id_hash(key, b"\0"));
        assert_ne!(id_hash(key, &base), id_hash(key ^ 1, &base));
    }
}
