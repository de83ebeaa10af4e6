//! Turns a Rust panic into a JavaScript exception that says what went wrong; and two hooks
//! for the package's own tests (a deliberate panic, the memory size).
//!
//! The package is built with `panic = "abort"`, so a panic would otherwise end in an opaque
//! `RuntimeError: unreachable`. The hook throws a JavaScript `Error` whose message starts
//! with [`PANIC_PREFIX`] instead; the JavaScript wrapper recognises it, reports it as a
//! `BufpackError` with code `"internal"`, and resets the instance (the abandoned Rust
//! frames left its stack pointer and panic count behind).

use wasm_bindgen::prelude::wasm_bindgen;

/// What the thrown message starts with; `js/core.js` matches on it.
pub(crate) const PANIC_PREFIX: &str = "bufpack panicked: ";

/// Installs the hook; wasm-bindgen runs this when the instance starts (and again after a
/// reset, which makes a fresh instance).
#[wasm_bindgen(start)]
#[allow(unreachable_pub)] // exported to JavaScript, not to Rust
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        wasm_bindgen::throw_str(&format!("{PANIC_PREFIX}{info}"));
    }));
}

/// Panics on purpose, so that tests can check the path above end to end. Not part of the
/// package's documented API.
#[wasm_bindgen(js_name = "__panicForTests")]
#[allow(unreachable_pub)] // exported to JavaScript, not to Rust
pub fn panic_for_tests(message: &str) {
    panic!("{message}");
}

/// The size of the instance's linear memory in bytes, so tests can check that a long run
/// of solves does not grow it. Not part of the package's documented API.
#[wasm_bindgen(js_name = "__memoryBytes")]
#[allow(unreachable_pub)] // exported to JavaScript, not to Rust
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return (core::arch::wasm32::memory_size(0) * 65536) as f64;
    #[cfg(not(target_arch = "wasm32"))]
    return 0.0;
}
