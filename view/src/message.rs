//! The two messages a view shows in place of its chart: a status while it waits, and an
//! alert when it cannot show what it was given. Both elements share them, so screen readers
//! hear the same roles and pages can style `.bp-message` once.

use web_sys::{Document, Element};

use bufpack_chart::dom::element;

/// Shows `text` in `frame` as a polite status and marks the frame busy.
pub(crate) fn status(document: &Document, frame: &Element, text: &str) {
    let _ = frame.set_attribute("aria-busy", "true");
    let status = element(document, "div", "bp-message", text);
    let _ = status.set_attribute("role", "status");
    let _ = frame.append_child(&status);
}

/// Shows an alert in `frame`: `title` in bold, then `detail` (the reader's message, with its
/// location).
pub(crate) fn alert(document: &Document, frame: &Element, title: &str, detail: &str) {
    let alert = element(document, "div", "bp-message bp-error", "");
    let _ = alert.set_attribute("role", "alert");
    let _ = alert.append_child(&element(document, "strong", "", title));
    let _ = alert.append_child(&element(document, "div", "bp-detail", detail));
    let _ = frame.append_child(&alert);
}
