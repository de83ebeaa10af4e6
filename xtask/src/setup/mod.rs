//! Set-up: what `serve`, `dist`, `pack` and `test` need, installed when it is missing, so
//! that a fresh machine with rustup, node 18+ with npm, and python3 needs nothing else
//! (Chromium comes through apt-get where it can).
//!
//! Each step checks first and does nothing when the tool is there; when it installs, it
//! says what and why before it starts. A run that installs nothing prints one line.
//! Every tool is handed back by absolute path, so nothing depends on PATH afterwards.
//! `cargo xtask doctor` reports on the same tools with the same probes, changing nothing.

pub(crate) mod apt;
pub(crate) mod chromium;
pub(crate) mod node;
pub(crate) mod probe;
pub(crate) mod python;
pub(crate) mod rust;
pub(crate) mod wasm_bindgen;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::args::Args;

pub(crate) const SUMMARY: &str = "install what the build (or, with --test, the tests) needs";

pub(crate) const USAGE: &str = "\
cargo xtask setup [--test]

Installs what is missing, as `cargo xtask serve`, `dist` and `pack` do before they build:
the wasm32-unknown-unknown target (rustup), the wasm-bindgen CLI of Cargo.lock's version
(cargo install into target/tools, unless PATH or $CARGO_HOME/bin has it), and node_modules
(npm ci when missing or older than package-lock.json). Needs node 18+ with npm.

With --test, also what `cargo xtask test` installs: the rustfmt and clippy components,
Chromium and ChromeDriver (apt-get, as root or through sudo -n) and the Python virtual
environment target/venv (python3 3.9+). `cargo xtask doctor` shows the state of each.
";

pub(crate) fn run(root: &Path, argv: Vec<String>) -> Result<(), String> {
    let args = Args::parse(argv, &[], &["help", "test"])?;
    if args.flag("help") {
        println!("{USAGE}");
        return Ok(());
    }
    args.no_positional()?;
    if args.flag("test") {
        let tools = for_tests(root)?;
        println!(
            "wasm-bindgen: {}\nvenv: {}",
            tools.build.wasm_bindgen.display(),
            tools.venv.display()
        );
    } else {
        let tools = for_build(root)?;
        println!("wasm-bindgen: {}", tools.wasm_bindgen.display());
    }
    Ok(())
}

/// The tools a build of the package or the app runs, by absolute path.
#[derive(Clone, Debug)]
pub(crate) struct BuildTools {
    pub(crate) wasm_bindgen: PathBuf,
    pub(crate) test_runner: PathBuf,
    pub(crate) wasm_opt: PathBuf,
}

/// What the tests need beyond the build.
#[derive(Clone, Debug)]
pub(crate) struct TestTools {
    pub(crate) build: BuildTools,
    pub(crate) chromium: PathBuf,
    pub(crate) chromedriver: PathBuf,
    pub(crate) venv: PathBuf,
}

impl TestTools {
    /// Tells a test process where the browser and the venv are (the JavaScript tests read
    /// CHROMIUM, wasm-bindgen's runner CHROMEDRIVER, Python-side tests BUFPACK_VENV).
    pub(crate) fn export<'c>(&self, command: &'c mut Command) -> &'c mut Command {
        command
            .env("CHROMIUM", &self.chromium)
            .env("CHROMEDRIVER", &self.chromedriver)
            .env("BUFPACK_VENV", &self.venv)
    }
}

/// Makes sure of what `serve`, `dist` and `pack` need.
pub(crate) fn for_build(root: &Path) -> Result<BuildTools, String> {
    let mut log = Log::new();
    let tools = build_steps(root, &mut log)?;
    log.finish();
    Ok(tools)
}

/// Makes sure of what `cargo xtask test` needs: the build's tools and the tests' own.
pub(crate) fn for_tests(root: &Path) -> Result<TestTools, String> {
    let mut log = Log::new();
    // The checks that fail fast come first, so a missing prerequisite is reported before
    // minutes of installing.
    python::check_if_venv_missing(root)?;
    chromium::check_installable()?;
    rust::ensure_lint_components(&mut log)?;
    let build = build_steps(root, &mut log)?;
    let browser = chromium::ensure(&mut log)?;
    let venv = python::ensure(root, &mut log)?;
    log.finish();
    Ok(TestTools {
        build,
        chromium: browser.chromium,
        chromedriver: browser.chromedriver,
        venv,
    })
}

fn build_steps(root: &Path, log: &mut Log) -> Result<BuildTools, String> {
    node::check()?;
    rust::ensure_wasm_target(log)?;
    let cli = wasm_bindgen::ensure(root, log)?;
    let wasm_opt = node::ensure_modules(root, log)?;
    Ok(BuildTools {
        wasm_bindgen: cli.wasm_bindgen,
        test_runner: cli.test_runner,
        wasm_opt,
    })
}

/// What set-up says: a line before each install, and one line at the end.
pub(crate) struct Log {
    started: Instant,
    installed: usize,
}

impl Log {
    fn new() -> Log {
        Log {
            started: Instant::now(),
            installed: 0,
        }
    }

    /// Announces an install, with its reason, before it starts.
    pub(crate) fn installing(&mut self, what: &str) {
        self.installed += 1;
        println!("setup: {what} ...");
    }

    fn finish(self) {
        let seconds = self.started.elapsed().as_secs_f64();
        if self.installed == 0 {
            println!("setup: all tools in place ({seconds:.1} s; `cargo xtask doctor` lists them)");
        } else {
            println!(
                "setup: {} step(s) done in {}",
                self.installed,
                minutes_seconds(seconds)
            );
        }
    }
}

/// `75.2` -> `1 min 15 s`.
pub(crate) fn minutes_seconds(seconds: f64) -> String {
    let whole = seconds.round() as u64;
    match whole / 60 {
        0 => format!("{seconds:.1} s"),
        minutes => format!("{minutes} min {} s", whole % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(minutes_seconds(0.34), "0.3 s");
        assert_eq!(minutes_seconds(75.2), "1 min 15 s");
        assert_eq!(minutes_seconds(600.0), "10 min 0 s");
    }
}
