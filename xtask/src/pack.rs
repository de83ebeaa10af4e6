//! `cargo xtask pack`: builds the npm package `bufpack` from `web/` and writes
//! `target/npm/bufpack-<version>.tgz`.
//!
//! The pipeline works offline on a machine that has only package registries (see
//! ARCHITECTURE.md, "The npm package"): `cargo build` of `bufpack-web` for wasm32 with the
//! `wasm` profile, `wasm-bindgen --target web` (the CLI must be the exact version in
//! Cargo.lock), `wasm-opt -O3` from npm's binaryen (other builds of wasm-opt corrupt today's
//! rustc output), the hand-written JavaScript of `web/npm/`, then `npm pack`. The set-up
//! module finds or installs both tools and hands them over by absolute path.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::args::Args;
use crate::setup::{self, BuildTools};

pub(crate) const SUMMARY: &str = "build the npm package into target/npm/bufpack-<version>.tgz";

pub(crate) const USAGE: &str = "\
cargo xtask pack [--allocator talc|dlmalloc] [--out DIR] [--no-opt]

Builds the npm package `bufpack`: the solver in WebAssembly (web/), its JavaScript API
and Worker API (web/npm/), TypeScript declarations, README and LICENSE. Leaves the
unpacked package in target/npm/package/ and the tarball in target/npm/.

Installs what it lacks first (see cargo xtask setup): the wasm32-unknown-unknown target,
wasm-bindgen-cli of the version in Cargo.lock, node_modules (for wasm-opt). Needs node 18+.

Options:
  --allocator NAME  the .wasm's global allocator: talc (default) or dlmalloc (Rust's own)
  --out DIR         where to put package/ and the tarball (default target/npm)
  --no-opt          skip wasm-opt (to measure what it saves)
";

/// The files of `web/npm/` that go into the package as they are (bar the version).
const SOURCES: &[&str] = &[
    "api.js",
    "checks.js",
    "core.js",
    "errors.js",
    "index.d.ts",
    "index.js",
    "models.js",
    "node.js",
    "platform.js",
    "trace.js",
    "view.d.ts",
    "view.js",
    "worker-main.js",
    "worker-node.js",
    "worker.js",
    "workers.js",
    "package.json",
    "README.md",
];

pub(crate) fn run(root: &Path, argv: Vec<String>) -> Result<(), String> {
    let args = Args::parse(argv, &["allocator", "out"], &["help", "no-opt"])?;
    if args.flag("help") {
        println!("{USAGE}");
        return Ok(());
    }
    let allocator = args.value("allocator").unwrap_or("talc");
    let out = args
        .value("out")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/npm"));
    let tools = setup::for_build(root)?;
    let package = build(
        root,
        &tools,
        allocator,
        &out.join("package"),
        !args.flag("no-opt"),
    )?;
    let tarball = npm_pack(&package, &out)?;
    println!("{}", tarball.display());
    Ok(())
}

/// Builds the unpacked package into `dir` and returns it. Also used by `bench --wasm`.
/// `tools` come from set-up: the wasm-bindgen CLI of Cargo.lock's version and npm's wasm-opt.
pub(crate) fn build(
    root: &Path,
    tools: &BuildTools,
    allocator: &str,
    dir: &Path,
    optimise: bool,
) -> Result<PathBuf, String> {
    let allocator_feature = match allocator {
        "talc" => "talc,",
        "dlmalloc" => "",
        other => {
            return Err(format!(
                "--allocator: expected talc or dlmalloc, found {other:?}"
            ))
        }
    };
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| format!("cannot empty {}: {e}", dir.display()))?;
    }
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // Three modules from the one crate, built one after the other (the same output file):
    // the solver, and two the package loads on first use, which a page solving CSV never
    // needs: the search recorder (web/npm/trace.js; a second copy of the search engine,
    // which cost the solver's module 15 KB gzipped) and the TensorFlow Lite Micro model
    // support (web/npm/models.js, which would cost it about 37 KB).
    let mut modules = Vec::new();
    for (feature, out_name) in [
        ("solver", "bufpack_wasm"),
        ("trace", "bufpack_trace_wasm"),
        ("models", "bufpack_models_wasm"),
    ] {
        let wasm = build_module(
            root,
            tools,
            &format!("{allocator_feature}{feature}"),
            out_name,
            dir,
            optimise,
        )?;
        modules.push(wasm);
    }

    build_viewer(root, tools, dir, optimise)?;

    let version = workspace_version(root)?;
    for name in SOURCES {
        let from = root.join("web/npm").join(name);
        let text = fs::read_to_string(&from)
            .map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let text = text.replace("__VERSION__", &version);
        fs::write(dir.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))?;
    }
    fs::copy(root.join("LICENSE"), dir.join("LICENSE"))
        .map_err(|e| format!("cannot copy LICENSE: {e}"))?;
    for wasm in modules {
        let size = fs::metadata(&wasm).map_err(|e| e.to_string())?.len();
        eprintln!("pack: {} is {size} bytes ({allocator})", wasm.display());
    }
    Ok(dir.to_path_buf())
}

/// Builds `bufpack-web` with `features` (and no others), runs wasm-bindgen into `dir` as
/// `<out_name>.js` and `<out_name>_bg.wasm`, and wasm-opt over it; returns the `.wasm`.
fn build_module(
    root: &Path,
    tools: &BuildTools,
    features: &str,
    out_name: &str,
    dir: &Path,
    optimise: bool,
) -> Result<PathBuf, String> {
    let mut cargo = Command::new(env_or("CARGO", "cargo"));
    cargo.current_dir(root).args([
        "build",
        "-p",
        "bufpack-web",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm",
        "--no-default-features",
        "--features",
        features,
    ]);
    run_command(&mut cargo)?;
    let built = target_dir(root).join("wasm32-unknown-unknown/wasm/bufpack_web.wasm");
    run_command(
        Command::new(&tools.wasm_bindgen)
            .args(["--target", "web", "--out-name", out_name, "--no-typescript"])
            // After a panic the JavaScript wrapper starts a fresh instance (web/npm/core.js).
            .arg("--experimental-reset-state-function")
            .arg("--out-dir")
            .arg(dir)
            .arg(&built),
    )?;
    let wasm = dir.join(format!("{out_name}_bg.wasm"));
    if optimise {
        // The features are read from the module's target_features section. -O3, not -Oz:
        // the same size here, and the search under -Oz was up to 1.4x slower.
        run_command(
            Command::new(&tools.wasm_opt)
                .arg("-O3")
                .arg(&wasm)
                .arg("-o")
                .arg(&wasm),
        )?;
    }
    Ok(wasm)
}

/// The viewer of `bufpack/view` (`view/`): its own .wasm and glue, `bufpack_view*`, built
/// at profile `view` (the app's, at opt-level "z": sized for someone else's page) and
/// `wasm-opt -Oz`.
fn build_viewer(root: &Path, tools: &BuildTools, dir: &Path, optimise: bool) -> Result<(), String> {
    run_command(
        Command::new(env_or("CARGO", "cargo"))
            .current_dir(root)
            .args([
                "build",
                "-p",
                "bufpack-view",
                "--lib",
                "--target",
                "wasm32-unknown-unknown",
                "--profile",
                "view",
            ]),
    )?;
    let built = target_dir(root).join("wasm32-unknown-unknown/view/bufpack_view.wasm");
    run_command(
        Command::new(&tools.wasm_bindgen)
            .args([
                "--target",
                "web",
                "--out-name",
                "bufpack_view",
                "--no-typescript",
            ])
            .arg("--out-dir")
            .arg(dir)
            .arg(&built),
    )?;
    let wasm = dir.join("bufpack_view_bg.wasm");
    if optimise {
        run_command(
            Command::new(&tools.wasm_opt)
                .arg("-Oz")
                .arg(&wasm)
                .arg("-o")
                .arg(&wasm),
        )?;
    }
    let size = fs::metadata(&wasm).map_err(|e| e.to_string())?.len();
    eprintln!("pack: {} is {size} bytes (the viewer)", wasm.display());
    Ok(())
}

pub(crate) fn npm_pack(package: &Path, out: &Path) -> Result<PathBuf, String> {
    let listing = command_output_in(
        package,
        "npm",
        &[
            "pack",
            "--json",
            "--pack-destination",
            &out.display().to_string(),
        ],
    )?;
    // `npm pack --json` prints [{ "filename": "bufpack-0.1.0.tgz", ... }].
    let name = listing
        .split("\"filename\":")
        .nth(1)
        .and_then(|rest| rest.split('"').nth(1))
        .ok_or_else(|| format!("cannot find the tarball's name in npm's output:\n{listing}"))?;
    Ok(out.join(name))
}

/// `version` from `[workspace.package]` in the root Cargo.toml.
pub(crate) fn workspace_version(root: &Path) -> Result<String, String> {
    let manifest = fs::read_to_string(root.join("Cargo.toml"))
        .map_err(|e| format!("cannot read Cargo.toml: {e}"))?;
    manifest
        .split("[workspace.package]")
        .nth(1)
        .and_then(|section| section.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_string())
        .ok_or_else(|| "no version in [workspace.package] of Cargo.toml".into())
}

/// Where cargo puts build outputs: `$CARGO_TARGET_DIR` (relative to the root) or `target/`.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

pub(crate) fn run_command(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let status = command
        .status()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if !status.success() {
        return Err(format!("{shown} failed ({status})"));
    }
    Ok(())
}

fn command_output_in(dir: &Path, program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run `{program}`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
