//! Numbers in messages, written as JavaScript writes them (`1.5`, `NaN`, `Infinity`).
//!
//! Through JavaScript's own formatting, not Rust's: Rust's code for floats (18 KB of the
//! solver's module) served only these few messages.

// The models module writes whole numbers only.
#![cfg_attr(not(any(feature = "solver", feature = "trace")), allow(dead_code))]

/// `number` as JavaScript's `String(number)` writes it.
pub(crate) fn js_number(number: f64) -> String {
    String::from(
        js_sys::Number::from(number)
            .to_string_with_radix(10)
            .unwrap_or_default(),
    )
}

/// `number` with `digits` digits after the point, as JavaScript's `toFixed` writes it.
pub(crate) fn js_fixed(number: f64, digits: u8) -> String {
    String::from(
        js_sys::Number::from(number)
            .to_fixed(digits)
            .unwrap_or_default(),
    )
}
