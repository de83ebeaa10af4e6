//! Integer columns as `bytes`: little-endian `i64`s, eight bytes each.
//!
//! numpy turns an array into such bytes with one copy (`ascontiguousarray(a, "<i8").tobytes()`)
//! and reads them back without one (`frombuffer(b, "<i8")`), so a column of a million values
//! crosses in about a millisecond. (PyO3's `PyBuffer` would avoid even that copy, but the
//! buffer protocol is in the stable ABI only from Python 3.11, and the wheel is abi3 for 3.9.)

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors;

/// The values of a column of `len` values, or an `InvalidInputError` naming `name`.
pub(crate) fn read(bytes: &[u8], name: &str, len: usize) -> PyResult<Vec<i64>> {
    if bytes.len() != len * 8 {
        return Err(errors::invalid(
            name,
            format!(
                "{name}: expected {len} values ({} bytes), found {} bytes",
                len * 8,
                bytes.len()
            ),
        ));
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|chunk| {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            i64::from_le_bytes(word)
        })
        .collect())
}

/// The values of a column whose length the bytes decide.
pub(crate) fn read_any(bytes: &[u8], name: &str) -> PyResult<Vec<i64>> {
    read(bytes, name, bytes.len() / 8)
}

/// `values` as bytes for numpy's `frombuffer`.
pub(crate) fn write<'py>(py: Python<'py>, values: &[i64]) -> PyResult<Bound<'py, PyBytes>> {
    PyBytes::new_with(py, values.len() * 8, |out| {
        for (chunk, value) in out.chunks_exact_mut(8).zip(values) {
            chunk.copy_from_slice(&value.to_le_bytes());
        }
        Ok(())
    })
}
