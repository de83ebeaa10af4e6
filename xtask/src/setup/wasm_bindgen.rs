//! The wasm-bindgen CLI (and its test runner), at exactly the version Cargo.lock pins: the
//! JavaScript glue it writes must match the `wasm-bindgen` crate compiled into the `.wasm`,
//! or the module fails at load time.
//!
//! A matching CLI is looked for on PATH, then in `$CARGO_HOME/bin` (where a plain
//! `cargo install` puts it, even when that folder is not on PATH), then in `target/tools/bin`
//! (where set-up installs it, so the project owns its copy). It is always run by absolute
//! path, so PATH never has to be changed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{probe, Log};
use crate::pack::run_command;

/// Where set-up installs the CLI, relative to the repository (`cargo install --root`).
pub(crate) const TOOLS_ROOT: &str = "target/tools";

/// A wasm-bindgen CLI of the right version, by absolute path.
#[derive(Clone, Debug)]
pub(crate) struct Cli {
    pub(crate) wasm_bindgen: PathBuf,
    pub(crate) test_runner: PathBuf,
}

/// The wasm-bindgen version Cargo.lock resolved (pinned with `=` in web/Cargo.toml).
pub(crate) fn locked_version(root: &Path) -> Result<String, String> {
    let path = root.join("Cargo.lock");
    let lock =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    version_in_lock(&lock).ok_or_else(|| format!("{} has no wasm-bindgen package", path.display()))
}

fn version_in_lock(lock: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            let version = lines.next()?.strip_prefix("version = \"")?;
            return Some(version.trim_end_matches('"').to_string());
        }
    }
    None
}

/// Every wasm-bindgen the machine has where set-up looks, in the order it looks.
pub(crate) fn candidates(root: &Path) -> Vec<PathBuf> {
    let mut found = probe::all_on_path("wasm-bindgen");
    let extra = [
        probe::cargo_home().map(|home| home.join("bin/wasm-bindgen")),
        Some(root.join(TOOLS_ROOT).join("bin/wasm-bindgen")),
    ];
    for file in extra.into_iter().flatten() {
        if probe::is_executable(&file) && !found.contains(&file) {
            found.push(file);
        }
    }
    found
}

/// The version a wasm-bindgen binary reports (`wasm-bindgen 0.2.130` -> `0.2.130`).
pub(crate) fn version_of(binary: &Path) -> Option<String> {
    let line = probe::first_line(binary, &["--version"])?;
    line.split_whitespace().nth(1).map(str::to_string)
}

/// The first candidate of version `wanted` with its test runner beside it.
pub(crate) fn find(root: &Path, wanted: &str) -> Option<Cli> {
    candidates(root).into_iter().find_map(|binary| {
        let runner = binary.with_file_name("wasm-bindgen-test-runner");
        let matches = version_of(&binary).as_deref() == Some(wanted);
        (matches && probe::is_executable(&runner)).then(|| Cli {
            wasm_bindgen: absolute(&binary),
            test_runner: absolute(&runner),
        })
    })
}

/// The CLI of Cargo.lock's version, installed into `target/tools` when none is found.
pub(crate) fn ensure(root: &Path, log: &mut Log) -> Result<Cli, String> {
    let wanted = locked_version(root)?;
    if let Some(cli) = find(root, &wanted) {
        return Ok(cli);
    }
    let others: Vec<String> = candidates(root)
        .iter()
        .filter_map(|b| Some(format!("{} at {}", version_of(b)?, b.display())))
        .collect();
    let seen = if others.is_empty() {
        String::new()
    } else {
        format!("; found only {}", others.join(", "))
    };
    let tools = root.join(TOOLS_ROOT);
    log.installing(&format!(
        "installing wasm-bindgen-cli {wanted} (Cargo.lock pins it; the JS glue must match{seen}) \
         into {TOOLS_ROOT} with cargo install: a few minutes, once"
    ));
    let mut install = Command::new(probe::cargo());
    install
        .current_dir(root)
        // cargo install would otherwise build in (and leave its files in) the shared
        // CARGO_TARGET_DIR; its own temporary folder is removed when it is done.
        .env_remove("CARGO_TARGET_DIR")
        .args(["install", "wasm-bindgen-cli", "--version", &wanted])
        // Not --locked: the CLI's own lock file pins a crate the index no longer serves.
        .args(["--no-default-features", "--force", "--root"])
        .arg(&tools);
    run_command(&mut install)?;
    // cargo install ends by asking for target/tools/bin on PATH; it need not be.
    println!("setup: xtask runs wasm-bindgen from {TOOLS_ROOT}/bin by full path: no change to PATH needed");
    find(root, &wanted).ok_or_else(|| {
        format!(
            "cargo install finished, but {} does not report wasm-bindgen {wanted}",
            tools.join("bin/wasm-bindgen").display()
        )
    })
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_locked_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen-shared\"\nversion = \"0.2.1\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(version_in_lock(lock).as_deref(), Some("0.2.130"));
        assert_eq!(version_in_lock("[[package]]\nname = \"serde\"\n"), None);
    }

    #[test]
    fn the_workspace_pins_one() {
        let root = crate::workspace_root();
        let version = locked_version(&root).unwrap();
        assert!(version.starts_with("0.2."), "{version}");
    }
}
