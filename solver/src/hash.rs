//! The crate's one hash table type, keyed by pairs of `u32`, with a fast hash.
//!
//! Two places hash: the exact search's sweep (distances between pairs of items) and the
//! free blocks of the start-order sweep (offsets, split into their two halves). Sharing one
//! key type and one hasher keeps one copy of the table's code in the WebAssembly module.
//! The keys are the solver's own indices and offsets, so there is no denial-of-service
//! concern, and a multiply is much faster than the standard SipHash at a million buffers.
//! Nothing iterates a table in an order that can show in a result.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::model::Offset;

/// `(u32, u32) -> Offset` with [`PairHasher`].
pub(crate) type PairMap = HashMap<(u32, u32), Offset, BuildHasherDefault<PairHasher>>;

/// One multiplication per word, the well-mixed high bits rotated down (keys are often
/// multiples of a power of two).
#[derive(Default)]
pub(crate) struct PairHasher(u64);

impl Hasher for PairHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u32(u32::from(byte));
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.0 = (self.0 ^ u64::from(value)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn finish(&self) -> u64 {
        self.0.rotate_left(32)
    }
}
