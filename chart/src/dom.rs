//! Small DOM helpers for views built without a UI framework (the chart widget, the
//! embeddable viewer): elements with a class and text, listeners removed when their owner is
//! dropped, and a one-shot timer cancelled the same way.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, EventTarget};

/// A new `<tag class="class">` holding `text` (no text when empty).
pub fn element(document: &Document, tag: &str, class: &str, text: &str) -> Element {
    let element = document
        .create_element(tag)
        .expect("a valid tag name creates an element");
    if !class.is_empty() {
        element.set_class_name(class);
    }
    if !text.is_empty() {
        element.set_text_content(Some(text));
    }
    element
}

/// Sets each `(name, value)` attribute of `element`.
pub fn attributes(element: &Element, attributes: &[(&str, &str)]) {
    for (name, value) in attributes {
        let _ = element.set_attribute(name, value);
    }
}

/// Event listeners added through it, each removed again when it is dropped (or
/// [`Listeners::clear`]ed), so nothing listens after its view is gone.
#[derive(Default)]
pub struct Listeners(Vec<Listener>);

/// What a listener was added to, for which events, and the handler.
type Listener = (EventTarget, &'static str, Closure<dyn FnMut(Event)>);

impl Listeners {
    /// Calls `handler` with each `kind` event on `target`.
    pub fn add(
        &mut self,
        target: &EventTarget,
        kind: &'static str,
        handler: impl FnMut(Event) + 'static,
    ) {
        let closure = Closure::<dyn FnMut(Event)>::new(handler);
        let _ = target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
        self.0.push((target.clone(), kind, closure));
    }

    /// Removes every listener added so far.
    pub fn clear(&mut self) {
        for (target, kind, closure) in self.0.drain(..) {
            let _ =
                target.remove_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
        }
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        self.clear();
    }
}

/// A call `delay` milliseconds from now (`setTimeout`), cancelled if dropped before it runs.
/// The replays' play button steps with it.
pub struct Timeout {
    id: i32,
    _closure: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Runs `call` after `delay` milliseconds. `None` without a window.
    pub fn new(delay: i32, call: impl FnOnce() + 'static) -> Option<Timeout> {
        let closure = Closure::once(call);
        let id = web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                closure.as_ref().unchecked_ref(),
                delay,
            )
            .ok()?;
        Some(Timeout {
            id,
            _closure: closure,
        })
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_timeout_with_handle(self.id);
        }
    }
}
