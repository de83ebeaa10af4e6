//! Node.js and the root's node_modules: node 18+ runs the package's tests, npm installs the
//! build tools package-lock.json pins (binaryen's wasm-opt, playwright-core, vite,
//! typescript, rolldown's printer for the site's JavaScript).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use super::{probe, Log};
use crate::pack::run_command;

/// The oldest Node.js major the package and its tests support.
pub(crate) const MIN_NODE: u32 = 18;

/// wasm-opt from npm's binaryen: other builds corrupt today's rustc output.
pub(crate) const WASM_OPT: &str = "node_modules/binaryen/bin/wasm-opt";

/// Where node_modules stands against package-lock.json.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Modules {
    Current,
    Missing,
    /// package-lock.json is newer than npm's record of the last install.
    Stale,
}

/// `node --version` (`v20.20.2`), or `None` when node is not on PATH.
pub(crate) fn node_version() -> Option<String> {
    probe::first_line(&probe::on_path("node")?, &["--version"])
}

pub(crate) fn npm_version() -> Option<String> {
    probe::first_line(&probe::on_path("npm")?, &["--version"])
}

/// Node 18+ and npm on PATH, or an error saying what to install.
pub(crate) fn check() -> Result<(), String> {
    let install = "install Node.js 18 or later with npm (https://nodejs.org, or your \
                   distribution's nodejs and npm packages if they are 18+)";
    let version = node_version().ok_or_else(|| format!("node is not on PATH: {install}"))?;
    match probe::major_minor(&version) {
        Some((major, _)) if major >= MIN_NODE => {}
        _ => return Err(format!("node {version} is too old: {install}")),
    }
    // Only looked for: `npm --version` takes a second.
    match probe::on_path("npm") {
        Some(_) => Ok(()),
        None => Err(format!("npm is not on PATH (node {version} is): {install}")),
    }
}

/// npm writes node_modules/.package-lock.json at the end of every install, so a lock file
/// newer than it (or no record at all) means node_modules does not hold what it pins.
pub(crate) fn modules(root: &Path) -> Modules {
    let modified = |path: PathBuf| fs::metadata(path).and_then(|m| m.modified()).ok();
    let Some(installed) = modified(root.join("node_modules/.package-lock.json")) else {
        return Modules::Missing;
    };
    let lock = modified(root.join("package-lock.json")).unwrap_or(SystemTime::UNIX_EPOCH);
    if lock > installed {
        Modules::Stale
    } else {
        Modules::Current
    }
}

/// Runs `npm ci` when node_modules is missing or stale; returns wasm-opt's absolute path.
/// Expects `check` to have passed.
pub(crate) fn ensure_modules(root: &Path, log: &mut Log) -> Result<PathBuf, String> {
    let why = match modules(root) {
        Modules::Current => None,
        Modules::Missing => Some("node_modules is missing"),
        Modules::Stale => Some("package-lock.json changed since the last install"),
    };
    if let Some(why) = why {
        log.installing(&format!(
            "running npm ci ({why}): wasm-opt from binaryen, playwright-core, vite, \
             typescript and rolldown at package-lock.json's versions"
        ));
        run_command(
            Command::new("npm")
                .current_dir(root)
                .args(["ci", "--no-audit", "--no-fund"]),
        )?;
    }
    let wasm_opt = root.join(WASM_OPT);
    if !probe::is_executable(&wasm_opt) {
        return Err(format!(
            "{} is missing although node_modules is installed: run `npm ci` at {}",
            wasm_opt.display(),
            root.display()
        ));
    }
    Ok(wasm_opt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_state_follows_the_record() {
        let dir = std::env::temp_dir().join(format!("xtask-node-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("node_modules")).unwrap();
        fs::write(dir.join("package-lock.json"), "{}").unwrap();
        assert_eq!(modules(&dir), Modules::Missing);

        let record = dir.join("node_modules/.package-lock.json");
        fs::write(&record, "{}").unwrap();
        let lock = fs::File::options()
            .write(true)
            .open(dir.join("package-lock.json"))
            .unwrap();
        let installed = fs::metadata(&record).unwrap().modified().unwrap();
        lock.set_modified(installed - std::time::Duration::from_secs(60))
            .unwrap();
        assert_eq!(modules(&dir), Modules::Current);
        lock.set_modified(installed + std::time::Duration::from_secs(60))
            .unwrap();
        assert_eq!(modules(&dir), Modules::Stale);
        fs::remove_dir_all(&dir).unwrap();
    }
}
