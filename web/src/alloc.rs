//! The global allocator of the `.wasm`, chosen by the `talc` feature (on by default).
//!
//! talc is smaller than Rust's default dlmalloc and as fast or faster on this package; the
//! measurements, and why not wee_alloc or lol_alloc, are in ARCHITECTURE.md ("Allocator").
//! Native builds (tests, clippy) keep the system allocator.

#[cfg(all(
    feature = "talc",
    target_family = "wasm",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
