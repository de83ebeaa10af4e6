//! `cargo xtask test`: every test there is, in the order a failure is cheapest to find.
//! The README's test command and what `.ci/run` runs. It installs what the tests lack first
//! (the set-up module), and hands every test process the tools' places in its environment.

use std::path::Path;
use std::process::Command;

use crate::args::Args;
use crate::pack::{self, run_command};
use crate::setup;
use crate::wasm_pack;

pub(crate) const SUMMARY: &str =
    "run every test: Rust (native), the npm package in Node and Chromium, Python, the app end to end";

pub(crate) const USAGE: &str = "\
cargo xtask test [--native-only]

Installs what is missing (see cargo xtask setup --test: the wasm32 target, rustfmt and
clippy, wasm-bindgen-cli of Cargo.lock's version, node_modules, Chromium and ChromeDriver
through apt-get, the Python venv target/venv), then runs, stopping at the first failure:
  1. cargo test --workspace --release            solver, CLI, cross-crate tests
  2. cargo xtask pack                             builds the npm package (target/npm/)
  3. wasm-bindgen tests of web/ in headless Chromium (wasm-bindgen-test-runner, chromedriver)
  4. node --test web/test/                        the built package in Node, Chromium and a
                                                  consumer project (tarball install, TypeScript, Vite)
  5. python3 python/run_tests.py                  the Python package, built by maturin into the
                                                  venv, under pytest (Dask included)
  6. cargo xtask dist; node --test tests/e2e/     the web app in Chromium (screenshots in
                                                  target/e2e/)
  7. wasm-pack build and test of web/             only when wasm-pack is installed
                                                  (--mode no-install: nothing downloaded)

Needs beforehand: rustup, node 18+ with npm, python3 3.9+, and apt-get as root or through
sudo -n for Chromium (or Chromium installed, or CHROMIUM and CHROMEDRIVER set). Test
processes get CHROMIUM, CHROMEDRIVER and BUFPACK_VENV (the venv's path).

Options:
  --native-only   step 1 only, with no set-up (needs nothing but Rust)
";

pub(crate) fn run(root: &Path, argv: Vec<String>) -> Result<(), String> {
    let args = Args::parse(argv, &[], &["help", "native-only"])?;
    if args.flag("help") {
        println!("{USAGE}");
        return Ok(());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let native = || {
        step("cargo test --workspace --release");
        let mut command = Command::new(&cargo);
        command
            .current_dir(root)
            .args(["test", "--workspace", "--release"]);
        command
    };
    if args.flag("native-only") {
        return run_command(&mut native());
    }
    let tools = setup::for_tests(root)?;
    run_command(tools.export(&mut native()))?;

    step("cargo xtask pack");
    let package = pack::build(
        root,
        &tools.build,
        "talc",
        &root.join("target/npm/package"),
        true,
    )?;
    pack::npm_pack(&package, &root.join("target/npm"))?;

    step("wasm-bindgen tests in headless Chromium");
    run_command(
        tools
            .export(&mut Command::new(&cargo))
            .current_dir(root)
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                &tools.build.test_runner,
            )
            // Never -q: the runner refuses --quiet.
            .args([
                "test",
                "--release",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "bufpack-web",
            ]),
    )?;

    step("node --test web/test/");
    run_command(
        tools
            .export(&mut Command::new("node"))
            .current_dir(root)
            .args(["--test", "web/test/"]),
    )?;

    step("python3 python/run_tests.py (the Python package under pytest)");
    run_command(
        tools
            .export(&mut Command::new("python3"))
            .current_dir(root)
            .arg("python/run_tests.py"),
    )?;

    step("cargo xtask dist, then the app end to end in Chromium");
    crate::dist::build(root, &tools.build, &root.join("dist"))?;
    run_command(
        tools
            .export(&mut Command::new("node"))
            .current_dir(root)
            .args(["--test", "tests/e2e/"]),
    )?;

    match wasm_pack::find(root) {
        Some(wasm_pack) => {
            step("wasm-pack build and wasm-pack test of web/ (--mode no-install)");
            wasm_pack::check(root, &wasm_pack, &tools)?;
        }
        None => step("wasm-pack: skipped, not installed (cargo install wasm-pack)"),
    }
    println!("\nall tests passed");
    Ok(())
}

fn step(name: &str) {
    println!("\n==> {name}");
}
