//! The Python virtual environment at target/venv that Python-side tests use (exported to
//! them as `BUFPACK_VENV` by `cargo xtask test`). Made with the `python3` on PATH, 3.9 or
//! later; created, with pip upgraded, only when it is missing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::apt::{self, Apt};
use super::{probe, Log};
use crate::pack::run_command;

pub(crate) const VENV: &str = "target/venv";
pub(crate) const MIN_PYTHON: (u32, u32) = (3, 9);

/// `Python 3.11.2` from the python3 on PATH, or `None`.
pub(crate) fn python_version() -> Option<String> {
    probe::first_line(&probe::on_path("python3")?, &["--version"])
}

/// The venv's interpreter, when the venv exists and runs.
pub(crate) fn venv_python(root: &Path) -> Option<PathBuf> {
    let python = root.join(VENV).join("bin/python");
    probe::first_line(&python, &["--version"]).map(|_| python)
}

/// python3 on PATH at 3.9 or later, or an error saying what to install.
pub(crate) fn check() -> Result<(), String> {
    let install = "install Python 3.9 or later as `python3` (Debian/Ubuntu: apt-get install \
                   python3 python3-venv)";
    let version = python_version().ok_or_else(|| format!("python3 is not on PATH: {install}"))?;
    match probe::major_minor(&version) {
        Some(found) if found >= MIN_PYTHON => Ok(()),
        _ => Err(format!("{version} is too old: {install}")),
    }
}

/// Fails at once when the venv is missing and python3 cannot make it (before minutes of
/// other installs).
pub(crate) fn check_if_venv_missing(root: &Path) -> Result<(), String> {
    match venv_python(root) {
        Some(_) => Ok(()),
        None => check(),
    }
}

/// What the tests need inside the venv, by import name and pip requirement: the real TFLite
/// Micro interpreter, which runs the models crate's planned models (models/tests/tflm.rs).
/// The Python package's own test needs (maturin, numpy, pytest, dask) are installed by
/// python/run_tests.py, which a developer also runs alone.
const PACKAGES: &[(&str, &str, &str)] = &[(
    "tflite_micro",
    "tflite-micro",
    "the real TFLite Micro interpreter, which runs bufpack-planned models in models/tests",
)];

/// Creates target/venv if missing and installs the test packages it lacks; returns its
/// absolute path.
pub(crate) fn ensure(root: &Path, log: &mut Log) -> Result<PathBuf, String> {
    let venv = create_if_missing(root, log)?;
    let python = venv.join("bin/python");
    for (module, requirement, why) in PACKAGES {
        let present = Command::new(&python)
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|output| output.status.success());
        if !present {
            log.installing(&format!("pip install {requirement} into {VENV} ({why})"));
            run_command(Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                requirement,
            ]))?;
        }
    }
    Ok(venv)
}

/// Creates target/venv if missing; returns its absolute path.
fn create_if_missing(root: &Path, log: &mut Log) -> Result<PathBuf, String> {
    let venv = root.join(VENV);
    if venv_python(root).is_some() {
        return Ok(venv);
    }
    check()?;
    log.installing(&format!(
        "creating the Python virtual environment {VENV} with {} and upgrading its pip (for \
         the Python-side tests; exported to them as BUFPACK_VENV)",
        python_version().unwrap_or_default()
    ));
    if let Err(first) = create(&venv) {
        // Debian splits `venv`'s ensurepip into python3-venv.
        match apt::apt() {
            Apt::Usable(prefix) => {
                log.installing(&format!(
                    "installing python3-venv with apt-get (python3 -m venv failed: {first})"
                ));
                apt::install(&prefix, &["python3-venv"])?;
                create(&venv)?;
            }
            Apt::Unusable(why) => {
                return Err(format!(
                    "{first}\n  on Debian/Ubuntu run `sudo apt-get install python3-venv` \
                     ({why}), then try again"
                ))
            }
        }
    }
    let python = venv.join("bin/python");
    run_command(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--upgrade",
        "pip",
    ]))?;
    Ok(venv)
}

/// `python3 -m venv`, removing what a failed attempt leaves behind.
fn create(venv: &Path) -> Result<(), String> {
    let result = run_command(Command::new("python3").arg("-m").arg("venv").arg(venv));
    if result.is_err() {
        let _ = fs::remove_dir_all(venv);
    }
    result
}
