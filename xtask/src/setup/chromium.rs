//! Chromium and ChromeDriver for the browser tests (wasm-bindgen tests, the package in
//! Chromium, the app end to end): Debian's packages `chromium` and `chromium-driver`.
//! Found as the tests find them: `$CHROMIUM` / `$CHROMEDRIVER`, else /usr/bin, else PATH.

use std::path::PathBuf;

use super::apt::{self, Apt};
use super::{probe, Log};

pub(crate) const PACKAGES: &[&str] = &["chromium", "chromium-driver"];

#[derive(Clone, Debug)]
pub(crate) struct Browser {
    pub(crate) chromium: PathBuf,
    pub(crate) chromedriver: PathBuf,
}

pub(crate) fn chromium() -> Option<PathBuf> {
    probe::env_default_or_path("CHROMIUM", "/usr/bin/chromium", "chromium")
}

pub(crate) fn chromedriver() -> Option<PathBuf> {
    probe::env_default_or_path("CHROMEDRIVER", "/usr/bin/chromedriver", "chromedriver")
}

/// What to type where set-up cannot install them itself.
pub(crate) fn manual_fix() -> String {
    format!(
        "run `sudo apt-get install {}` (Debian; on Ubuntu the same packages come as snaps), \
         or set CHROMIUM and CHROMEDRIVER to a Chromium and its matching ChromeDriver",
        PACKAGES.join(" ")
    )
}

/// Fails at once when Chromium is missing and apt-get cannot be used (before minutes of
/// other installs).
pub(crate) fn check_installable() -> Result<(), String> {
    if chromium().is_some() && chromedriver().is_some() {
        return Ok(());
    }
    match apt::apt() {
        Apt::Usable(_) => Ok(()),
        Apt::Unusable(why) => Err(cannot_install(&why)),
    }
}

fn cannot_install(why: &str) -> String {
    format!(
        "Chromium or ChromeDriver is missing and cannot be installed here ({why}): {}; \
         `cargo xtask test --native-only` runs the Rust tests without them",
        manual_fix()
    )
}

pub(crate) fn ensure(log: &mut Log) -> Result<Browser, String> {
    if let (Some(chromium), Some(chromedriver)) = (chromium(), chromedriver()) {
        return Ok(Browser {
            chromium,
            chromedriver,
        });
    }
    match apt::apt() {
        Apt::Usable(prefix) => {
            log.installing(&format!(
                "installing {} with apt-get (the browser tests run in headless Chromium)",
                PACKAGES.join(" and ")
            ));
            apt::install(&prefix, PACKAGES)?;
        }
        Apt::Unusable(why) => return Err(cannot_install(&why)),
    }
    match (chromium(), chromedriver()) {
        (Some(chromium), Some(chromedriver)) => Ok(Browser {
            chromium,
            chromedriver,
        }),
        _ => Err(format!(
            "apt-get installed {} but /usr/bin/chromium or /usr/bin/chromedriver is still \
             missing: {}",
            PACKAGES.join(" "),
            manual_fix()
        )),
    }
}
