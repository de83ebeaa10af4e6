//! The signals the CLI handles, so that a stop never loses work and an exit says why.
//!
//! - SIGINT (Ctrl-C) and SIGTERM ask the search to stop: the run then writes the best packing
//!   found, reports "stopped by signal", and exits with 128 + the signal's number (130, 143),
//!   as a shell reports a process killed by it. A second one kills at once, as if unhandled.
//! - SIGXFSZ (a file-size limit, `ulimit -f`, reached) is caught and dropped, so that the write
//!   fails with EFBIG and is reported, the old output kept, instead of the process dying with
//!   a half-written file.
//!
//! The handlers only set atomics (signal-hook's `flag`); the search polls them through the
//! run's monitor. Elsewhere than Unix nothing is installed and Ctrl-C kills as before.

/// A signal that asked the run to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(unix), allow(dead_code))]
pub(crate) struct Signal {
    number: i32,
    name: &'static str,
}

impl Signal {
    /// `SIGINT`, `SIGTERM`.
    pub(crate) fn name(self) -> &'static str {
        self.name
    }

    /// The shell's status for a process killed by this signal: 128 + its number.
    pub(crate) fn exit_status(self) -> u8 {
        u8::try_from(128 + self.number).unwrap_or(u8::MAX)
    }
}

#[cfg(unix)]
mod unix {
    use std::io;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use signal_hook::consts::{SIGINT, SIGTERM, SIGXFSZ};
    use signal_hook::flag;

    use super::Signal;

    /// Set by the first SIGINT or SIGTERM; arms the default action for the next one.
    static ASKED: AtomicBool = AtomicBool::new(false);
    /// The number of the last SIGINT or SIGTERM received, 0 before any.
    static WHICH: AtomicUsize = AtomicUsize::new(0);
    /// Set by SIGXFSZ; nothing reads it, the failed write says it all.
    static FILE_TOO_LARGE: AtomicBool = AtomicBool::new(false);

    pub(crate) fn install() -> io::Result<()> {
        for signal in [SIGINT, SIGTERM] {
            // Registered first, so that it sees `ASKED` as the previous signal left it: the
            // first signal only sets the flags, the second one kills.
            flag::register_conditional_default(signal, &ASKED)?;
            flag::register_usize(signal, &WHICH, signal as usize)?;
            flag::register(signal, &ASKED)?;
        }
        flag::register(SIGXFSZ, &FILE_TOO_LARGE)?;
        Ok(())
    }

    pub(crate) fn received() -> Option<Signal> {
        let number = i32::try_from(WHICH.load(Ordering::Relaxed)).ok()?;
        let name = signal_hook::low_level::signal_name(number)?;
        Some(Signal { number, name })
    }
}

#[cfg(unix)]
pub(crate) use unix::{install, received};

/// Installs the handlers; without them the run still works, as before.
#[cfg(not(unix))]
pub(crate) fn install() -> std::io::Result<()> {
    Ok(())
}

/// The signal that asked the run to stop, if one did.
#[cfg(not(unix))]
pub(crate) fn received() -> Option<Signal> {
    None
}
