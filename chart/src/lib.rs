//! The layout chart, shared by the web app (`www/`) and the embeddable viewer (`view/`):
//!
//! - [`layout`]: a solved problem as the chart draws it (rectangles, load profile, colours).
//! - [`prepare`]: building a [`layout::Layout`] a slice at a time.
//! - [`slices`]: the slice clock and the resumable sort long work on the page runs on.
//! - [`chart`]: viewport, scene, colours, axes, drawing, and the chart widget with its
//!   interaction (hover, zoom, pan, selection, keyboard); with feature `yew`, the Yew
//!   component around it.
//! - [`dom`]: elements, listeners and timers for views built without a framework.
//! - [`math`]: logarithms and powers, from JavaScript's `Math` in the browser.
//! - [`teach`]: a recorded search replayed (trace, cursor, words, one step drawn), for the
//!   app's Learn view and the viewer's `<bufpack-replay>`.
//!
//! It draws what it is given (a layout, or a search already recorded): no solver search, no workers, no files (ARCHITECTURE.md).

pub mod chart;
pub mod dom;
pub mod layout;
pub mod math;
pub mod prepare;
pub mod slices;
pub mod teach;
