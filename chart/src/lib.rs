//! The layout chart, shared by the web app (`www/`) and the embeddable viewer (`view/`):
//!
//! - [`layout`]: a solved problem as the chart draws it (rectangles, load profile, colours).
//! - [`prepare`]: building a [`layout::Layout`] a slice at a time.
//! - [`slices`]: the slice clock and the resumable sort long work on the page runs on.
//! - [`chart`]: viewport, scene, colours, axes, drawing, and the Yew component with its
//!   interaction (hover, zoom, pan, selection, keyboard).
//! - [`teach`]: a recorded search replayed (trace, cursor, words, one step drawn), for the
//!   app's Learn view and the viewer's `<bufpack-replay>`.
//!
//! It draws what it is given (a layout, or a search already recorded): no solver search, no workers, no files (ARCHITECTURE.md).

pub mod chart;
pub mod layout;
pub mod prepare;
pub mod slices;
pub mod teach;
