//! `cargo xtask test`: every test there is, in the order a failure is cheapest to find.
//! The README's test command; `.ci/run` installs the tools and then runs this.

use std::path::Path;
use std::process::Command;

use crate::args::Args;
use crate::pack::{self, run_command};

pub(crate) const SUMMARY: &str =
    "run every test: Rust (native), the npm package in Node and Chromium, the app end to end";

pub(crate) const USAGE: &str = "\
cargo xtask test [--native-only]

Runs, stopping at the first failure:
  1. cargo test --workspace --release            solver, CLI, cross-crate tests
  2. cargo xtask pack                             builds the npm package (target/npm/)
  3. wasm-bindgen tests of web/ in headless Chromium (wasm-bindgen-test-runner, chromedriver)
  4. node --test web/test/                        the built package in Node, Chromium and a
                                                  consumer project (tarball install, TypeScript, Vite)
  5. cargo xtask dist; node --test tests/e2e/     the web app in Chromium (screenshots in
                                                  target/e2e/)

Needs what .ci/run installs: the wasm32 target, wasm-bindgen-cli of the version in
Cargo.lock, `npm ci` at the root, chromium and chromium-driver (/usr/bin/chromedriver,
or set CHROMEDRIVER).

Options:
  --native-only   step 1 only
";

pub(crate) fn run(root: &Path, argv: Vec<String>) -> Result<(), String> {
    let args = Args::parse(argv, &[], &["help", "native-only"])?;
    if args.flag("help") {
        println!("{USAGE}");
        return Ok(());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    step("cargo test --workspace --release");
    run_command(
        Command::new(&cargo)
            .current_dir(root)
            .args(["test", "--workspace", "--release"]),
    )?;
    if args.flag("native-only") {
        return Ok(());
    }

    step("cargo xtask pack");
    let package = pack::build(root, "talc", &root.join("target/npm/package"), true)?;
    pack::npm_pack(&package, &root.join("target/npm"))?;

    step("wasm-bindgen tests in headless Chromium");
    let chromedriver =
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    run_command(
        Command::new(&cargo)
            .current_dir(root)
            .env("CHROMEDRIVER", chromedriver)
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
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
        Command::new("node")
            .current_dir(root)
            .args(["--test", "web/test/"]),
    )?;

    step("cargo xtask dist, then the app end to end in Chromium");
    crate::dist::build(root, &root.join("dist"))?;
    run_command(
        Command::new("node")
            .current_dir(root)
            .args(["--test", "tests/e2e/"]),
    )?;
    println!("\nall tests passed");
    Ok(())
}

fn step(name: &str) {
    println!("\n==> {name}");
}
