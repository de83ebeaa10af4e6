//! `bufpack`: the command-line solver, a drop-in replacement for MiniMalloc's.
//!
//! `bufpack --capacity=N --input=in.csv --output=out.csv [--timeout=10s] [flags]`, or
//! `bufpack --minimize --input=model.tflite --output=planned.tflite` to plan a TensorFlow
//! Lite Micro model's tensor arena; see `bufpack --help`. Exit status: 0 solved, 1 no packing
//! (infeasible, undecided or timed out), 2 bad input, usage or output, 70 an internal error (a
//! bug, see `crash.rs`), 130/143 stopped by SIGINT/SIGTERM.

// A binary's root reads modules from its own directory, not from `bufpack/`.
#[path = "bufpack/args.rs"]
mod args;
#[path = "bufpack/crash.rs"]
mod crash;
#[path = "bufpack/duration.rs"]
mod duration;
#[path = "bufpack/flags.rs"]
mod flags;
#[path = "bufpack/help.rs"]
mod help;
#[path = "bufpack/model.rs"]
mod model;
#[path = "bufpack/output.rs"]
mod output;
#[path = "bufpack/run.rs"]
mod run;
#[path = "bufpack/signals.rs"]
mod signals;
#[path = "bufpack/values.rs"]
mod values;

use std::io::Write;
use std::process::ExitCode;

use args::Command;
use run::{say, Exit};

fn main() -> ExitCode {
    crash::install();
    // First, so that a Ctrl-C at any point after this stops the run cleanly.
    if let Err(error) = signals::install() {
        say(&format!(
            "bufpack: warning: cannot handle signals ({error}): Ctrl-C will lose the search\n"
        ));
    }
    let exit = match std::env::args_os()
        .skip(1)
        .map(|arg| {
            arg.into_string()
                .map_err(|arg| args::UsageError(format!("argument {arg:?} is not valid UTF-8")))
        })
        .collect::<Result<Vec<String>, _>>()
        .and_then(args::parse)
    {
        Ok(Command::Run(options)) => crash::catch(|| run::run(&options)),
        Ok(Command::Help) => print(&help::usage()),
        Ok(Command::Version) => print(&format!("bufpack {}\n", env!("CARGO_PKG_VERSION"))),
        Err(error) => {
            say(&format!(
                "bufpack: {error}\nTry 'bufpack --help' for the list of flags.\n"
            ));
            Exit::Usage
        }
    };
    ExitCode::from(exit.status())
}

/// Prints to stdout; a stdout that cannot take it (its reader gone) is an error, as for the
/// packing. (`bufpack --help | head -1` is fine: the text fits the pipe before `head` goes.)
fn print(text: &str) -> Exit {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Exit::Success,
        Err(error) => {
            say(&format!("bufpack: cannot write <stdout>: {error}\n"));
            Exit::Usage
        }
    }
}
