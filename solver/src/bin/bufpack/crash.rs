//! What a panic (a bug in bufpack) looks like to the user: one clear message on stderr and a
//! documented exit status, not Rust's `thread 'main' panicked at ...` and status 101.
//!
//! The packing is written only after the search, whole or not at all, so a panic leaves an
//! existing output file as it was. `RUST_BACKTRACE` still shows the backtrace as usual.

use std::any::Any;
use std::panic::{self, Location, UnwindSafe};

use crate::run::{say, Exit};

/// The environment variable that makes the search panic at its first stop check, so that
/// the command-line tests can watch this path (there is no input known to reach a panic).
pub(crate) const PANIC_FOR_TESTS: &str = "BUFPACK_PANIC_FOR_TESTS";

/// Replaces the standard panic message with [`message`] (and keeps its backtrace).
pub(crate) fn install() {
    let standard = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        say(&message(info.payload(), info.location()));
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            standard(info);
        }
    }));
}

/// Runs `run`, turning a panic on this thread into [`Exit::Internal`] (the hook has said
/// what happened).
pub(crate) fn catch(run: impl FnOnce() -> Exit + UnwindSafe) -> Exit {
    panic::catch_unwind(run).unwrap_or(Exit::Internal)
}

/// "bufpack: internal error: MESSAGE (at FILE:LINE)", and what to do about it. A panic on a
/// helper thread names the thread: a minimisation goes on without it.
fn message(payload: &(dyn Any + Send), location: Option<&Location>) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message");
    let place = location
        .map(|l| format!(" (at {}:{})", l.file(), l.line()))
        .unwrap_or_default();
    let thread = std::thread::current();
    let on = match thread.name() {
        Some("main") | None => String::new(),
        Some(name) => format!(" on thread {name}"),
    };
    format!(
        "bufpack: internal error{on}: {what}{place}\n\
         This is a bug in bufpack. Please report it with the input and the flags that \
         reached it.\n"
    )
}
