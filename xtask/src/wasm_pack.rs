//! wasm-pack, for those who build with it: `cargo xtask test` checks that `wasm-pack build`
//! and `wasm-pack test --headless --chrome` work on web/ when wasm-pack is installed. It is
//! not a requirement (building it takes minutes); `cargo xtask pack` is the release path.
//!
//! Always `--mode no-install`: wasm-pack would otherwise download wasm-bindgen, wasm-opt and
//! chromedriver from outside the package registries. It then takes wasm-bindgen and
//! chromedriver from PATH, so set-up's copies go first on the PATH it is given; wasm-opt is
//! off in web/Cargo.toml (`[package.metadata.wasm-pack.profile.*]`), since only npm's
//! binaryen may optimise this output.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::pack::run_command;
use crate::setup::{probe, TestTools};

/// wasm-pack on PATH, or where `cargo install` puts it.
pub(crate) fn find(root: &Path) -> Option<PathBuf> {
    probe::on_path("wasm-pack").or_else(|| {
        [
            probe::cargo_home().map(|home| home.join("bin/wasm-pack")),
            Some(root.join("target/tools/bin/wasm-pack")),
        ]
        .into_iter()
        .flatten()
        .find(|file| probe::is_executable(file))
    })
}

/// `wasm-pack build` and `wasm-pack test --headless --chrome` of web/, offline.
pub(crate) fn check(root: &Path, wasm_pack: &Path, tools: &TestTools) -> Result<(), String> {
    let path = path_with(&[
        dir_of(&tools.build.wasm_bindgen),
        dir_of(&tools.chromedriver),
    ])?;
    let out = root.join("target/wasm-pack/pkg");
    run_command(
        tools
            .export(&mut Command::new(wasm_pack))
            .current_dir(root)
            .env("PATH", &path)
            .args(["build", "web", "--mode", "no-install", "--target", "web"])
            .arg("--out-dir")
            .arg(&out),
    )?;
    for file in ["bufpack_web_bg.wasm", "bufpack_web.js", "package.json"] {
        if !out.join(file).is_file() {
            return Err(format!(
                "wasm-pack build succeeded but {} is missing",
                out.join(file).display()
            ));
        }
    }
    // --release: the same build the wasm-bindgen tests above compiled, so little is rebuilt.
    run_command(
        tools
            .export(&mut Command::new(wasm_pack))
            .current_dir(root)
            .env("PATH", &path)
            .args([
                "test",
                "--headless",
                "--chrome",
                "--release",
                "--mode",
                "no-install",
            ])
            .arg("--chromedriver")
            .arg(&tools.chromedriver)
            .arg("web"),
    )
}

fn dir_of(file: &Path) -> PathBuf {
    file.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// `dirs` in front of this process's PATH.
fn path_with(dirs: &[PathBuf]) -> Result<OsString, String> {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let all = dirs.iter().cloned().chain(std::env::split_paths(&rest));
    std::env::join_paths(all).map_err(|e| format!("cannot build PATH for wasm-pack: {e}"))
}
