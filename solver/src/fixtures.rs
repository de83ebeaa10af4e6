//! Tests only: problems the unit tests of more than one module share.

use crate::model::{Buffer, Offset};

/// Height of [`cut_rectangle`].
pub(crate) const RECTANGLE_HEIGHT: Offset = 1 << 20;

/// A rectangle `RECTANGLE_HEIGHT` high over times 0..1000 cut into 18 pieces (`cargo xtask
/// gen --family rect --buffers 18 --seed 13`): a packing at its height exists, and none of
/// the heuristic passes finds it (the skylines of every order included), where the exact
/// search does at once.
pub(crate) fn cut_rectangle() -> Vec<Buffer> {
    const PIECES: [(i64, i64, Offset); 18] = [
        (161, 162, 421746),
        (118, 161, 462698),
        (26, 118, 462698),
        (198, 305, 1048576),
        (96, 161, 118097),
        (161, 162, 224435),
        (305, 318, 342971),
        (22, 26, 1048576),
        (26, 120, 402395),
        (0, 22, 1048576),
        (26, 96, 118097),
        (162, 169, 646181),
        (318, 1000, 1048576),
        (120, 169, 402395),
        (169, 198, 389383),
        (305, 318, 705605),
        (26, 161, 65386),
        (169, 198, 659193),
    ];
    PIECES
        .iter()
        .enumerate()
        .map(|(i, &(lower, upper, size))| Buffer::new(format!("r{i}"), lower, upper, size))
        .collect()
}
