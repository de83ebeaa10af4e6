//! The Rust side: the wasm32 target every build needs, and the rustfmt and clippy
//! components CI's lint checks need, both through rustup.

use std::process::Command;

use super::probe;
use super::Log;
use crate::pack::run_command;

pub(crate) const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The components `cargo xtask test` makes sure of, for `.ci/run`'s fmt and clippy checks.
pub(crate) const LINT_COMPONENTS: &[&str] = &["rustfmt", "clippy"];

/// `rustup target list --installed` includes the wasm32 target; `None` when rustup cannot
/// answer (not installed: Rust from a distribution's packages).
pub(crate) fn has_wasm_target() -> Option<bool> {
    let listed = rustup_lines(&["target", "list", "--installed"])?;
    Some(listed.iter().any(|t| t == WASM_TARGET))
}

/// Which of `components` rustup has installed (listed as `rustfmt-x86_64-...`).
pub(crate) fn missing_components(components: &[&'static str]) -> Option<Vec<&'static str>> {
    let listed = rustup_lines(&["component", "list", "--installed"])?;
    Some(
        components
            .iter()
            .copied()
            .filter(|c| !listed.iter().any(|l| l.starts_with(&format!("{c}-"))))
            .collect(),
    )
}

pub(crate) fn ensure_wasm_target(log: &mut Log) -> Result<(), String> {
    match has_wasm_target() {
        Some(true) => Ok(()),
        Some(false) => {
            log.installing(&format!(
                "adding the {WASM_TARGET} target with rustup (the solver, the npm package and the \
                 web app are compiled to WebAssembly)"
            ));
            run_command(Command::new("rustup").args(["target", "add", WASM_TARGET]))
        }
        None => Err(no_rustup(&format!("the {WASM_TARGET} target"))),
    }
}

pub(crate) fn ensure_lint_components(log: &mut Log) -> Result<(), String> {
    let missing = missing_components(LINT_COMPONENTS)
        .ok_or_else(|| no_rustup("the rustfmt and clippy components"))?;
    if missing.is_empty() {
        return Ok(());
    }
    log.installing(&format!(
        "adding the rustup component(s) {} (CI checks formatting and lints with them)",
        missing.join(", ")
    ));
    run_command(
        Command::new("rustup")
            .args(["component", "add"])
            .args(&missing),
    )
}

fn no_rustup(what: &str) -> String {
    format!(
        "rustup is not on PATH, so {what} cannot be checked or added: install Rust with rustup \
         (https://rustup.rs), or add it to your toolchain by hand"
    )
}

/// The lines rustup prints for `args`, or `None` when rustup cannot be run.
fn rustup_lines(args: &[&str]) -> Option<Vec<String>> {
    let rustup = probe::on_path("rustup")?;
    let output = Command::new(rustup).args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    Some(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|l| l.trim().to_string())
            .collect(),
    )
}
