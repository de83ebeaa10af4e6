//! `cargo xtask dist`: the static site in `dist/`, and `cargo xtask serve`: the same, served.
//!
//! The site is the Yew app (`www/`, built with wasm-bindgen `--target web`), the npm
//! package in `dist/bufpack/` (built as `cargo xtask pack` builds it; the app solves through
//! its Worker API), `index.html`, `style.css` and the built-in examples. Everything is
//! relative, so `dist/` works from any path of any static server, offline once loaded.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use crate::args::Args;
use crate::pack::{self, run_command};
use crate::setup::{self, BuildTools};

pub(crate) const SUMMARY: &str = "build the web app into dist/";
pub(crate) const SERVE_SUMMARY: &str = "build dist/ and serve it on http://127.0.0.1:8080";

pub(crate) const USAGE: &str = "\
cargo xtask dist [--out DIR]

Builds the static site: the app (www/, profile `app`, wasm-bindgen --target web, wasm-opt),
the npm package under bufpack/ (as cargo xtask pack builds it), index.html, style.css and the
examples (tests/fixtures; the teaching ones in examples/teaching/), its JavaScript printed
without comments (xtask/minify.mjs; the npm package keeps them). Prints the gzipped sizes.
Installs what it lacks first, as cargo xtask pack does (see cargo xtask setup).

Options:
  --out DIR   where to build [default: dist]
";

pub(crate) const SERVE_USAGE: &str = "\
cargo xtask serve [--port N] [--no-build]

Installs what it lacks (see cargo xtask setup), builds dist/ (unless --no-build) and serves
it on http://127.0.0.1:PORT [default 8080] until interrupted. Any static server works as
well: the site is plain files.
";

pub(crate) fn run(root: &Path, argv: Vec<String>) -> Result<(), String> {
    let args = Args::parse(argv, &["out"], &["help"])?;
    if args.flag("help") {
        println!("{USAGE}");
        return Ok(());
    }
    let out = args
        .value("out")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("dist"));
    let tools = setup::for_build(root)?;
    build(root, &tools, &out)
}

pub(crate) fn serve(root: &Path, argv: Vec<String>) -> Result<(), String> {
    let args = Args::parse(argv, &["port"], &["help", "no-build"])?;
    if args.flag("help") {
        println!("{SERVE_USAGE}");
        return Ok(());
    }
    let port: u16 = args.parsed_or("port", 8080)?;
    let dist = root.join("dist");
    if !args.flag("no-build") {
        let tools = setup::for_build(root)?;
        build(root, &tools, &dist)?;
    }
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on port {port}: {e}"))?;
    println!(
        "serving {} on http://127.0.0.1:{port}/ (Ctrl+C stops)",
        dist.display()
    );
    for stream in listener.incoming().flatten() {
        let dist = dist.clone();
        std::thread::spawn(move || {
            let _ = answer(stream, &dist);
        });
    }
    Ok(())
}

/// Builds the site into `out` with the tools set-up found.
pub(crate) fn build(root: &Path, tools: &BuildTools, out: &Path) -> Result<(), String> {
    if out.exists() {
        fs::remove_dir_all(out).map_err(|e| format!("cannot empty {}: {e}", out.display()))?;
    }
    pack::build(root, tools, "talc", &out.join("bufpack"), true)?;

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run_command(Command::new(&cargo).current_dir(root).args([
        "build",
        "-p",
        "bufpack-www",
        "--bin",
        "bufpack-www",
        "--bin",
        "bufpack-learn",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "app",
    ]))?;
    // The app, and the Learn view's bundle the app loads when its tab is first opened.
    for (binary, name) in [("bufpack-www", "app"), ("bufpack-learn", "learn")] {
        run_command(
            Command::new(&tools.wasm_bindgen)
                .args([
                    "--target",
                    "web",
                    "--out-name",
                    name,
                    "--no-typescript",
                    "--out-dir",
                ])
                .arg(out)
                .arg(
                    pack::target_dir(root)
                        .join(format!("wasm32-unknown-unknown/app/{binary}.wasm")),
                ),
        )?;
        let wasm = out.join(format!("{name}_bg.wasm"));
        run_command(
            Command::new(&tools.wasm_opt)
                .arg("-Os")
                .arg(&wasm)
                .arg("-o")
                .arg(&wasm),
        )?;
    }

    copy(&root.join("index.html"), &out.join("index.html"))?;
    // The example page of `bufpack/view`, linked from the app's footer.
    copy(&root.join("view.html"), &out.join("view.html"))?;
    copy(&root.join("www/style.css"), &out.join("style.css"))?;
    let examples = out.join("examples");
    fs::create_dir_all(&examples).map_err(|e| e.to_string())?;
    copy(
        &root.join("tests/fixtures/examples/input.12.csv"),
        &examples.join("input.12.csv"),
    )?;
    copy(
        &root.join("tests/fixtures/examples/input.12.layout.csv"),
        &examples.join("input.12.layout.csv"),
    )?;
    copy_csvs(&root.join("tests/fixtures/challenging"), &examples)?;
    copy_csvs(
        &root.join("tests/fixtures/teaching"),
        &examples.join("teaching"),
    )?;
    // The site's JavaScript without its comments (a third of it); the npm package keeps them.
    run_command(
        Command::new("node")
            .arg(root.join("xtask/minify.mjs"))
            .arg(out),
    )?;
    report_sizes(out)
}

/// Copies every `.csv` file of the folder `from` into `to`, creating `to`.
fn copy_csvs(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| e.to_string())?;
    let entries = fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|e| e == "csv") {
            copy(&path, &to.join(path.file_name().unwrap_or_default()))?;
        }
    }
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to)
        .map(drop)
        .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

/// The gzipped size of what a first visit downloads (examples excluded).
fn report_sizes(out: &Path) -> Result<(), String> {
    let gz = |path: &Path| -> Result<usize, String> {
        let output = Command::new("gzip")
            .args(["-9", "-c"])
            .arg(path)
            .output()
            .map_err(|e| e.to_string())?;
        Ok(output.stdout.len())
    };
    let app: Vec<PathBuf> = ["index.html", "style.css", "app.js", "app_bg.wasm"]
        .iter()
        .map(|f| out.join(f))
        .collect();
    let files: Vec<PathBuf> = fs::read_dir(out.join("bufpack"))
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "js" || e == "wasm"))
        .filter(|p| !is_viewer(p))
        .collect();
    // `bufpack/view`: loaded only by pages that embed a view, never by the app.
    let viewer: Vec<PathBuf> = ["view.js", "bufpack_view.js", "bufpack_view_bg.wasm"]
        .iter()
        .map(|f| out.join("bufpack").join(f))
        .collect();
    // Two modules of the package load on first use: the model support
    // (bufpack_models_wasm*) when a model is first read, the search recorder
    // (bufpack_trace_wasm*) on the first trace, which the Learn view makes.
    let named = |prefix: &'static str| {
        move |p: &PathBuf| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        }
    };
    let (models, package): (Vec<PathBuf>, Vec<PathBuf>) =
        files.into_iter().partition(named("bufpack_models_wasm"));
    let (recorder, package): (Vec<PathBuf>, Vec<PathBuf>) =
        package.into_iter().partition(named("bufpack_trace_wasm"));
    let learn: Vec<PathBuf> = ["learn.js", "learn_bg.wasm"]
        .iter()
        .map(|f| out.join(f))
        .collect();
    let sum = |files: &[PathBuf]| files.iter().map(|f| gz(f)).sum::<Result<usize, String>>();
    let (app, package, learn, models) = (sum(&app)?, sum(&package)?, sum(&learn)?, sum(&models)?);
    let (recorder, viewer) = (sum(&recorder)?, sum(&viewer)?);
    println!(
        "dist: {} — first visit: app {:.1} KB + solver and worker {:.1} KB = {:.1} KB gzipped; \
         on first use: the Learn view {:.1} KB more and its search recorder {:.1} KB, \
         TensorFlow Lite models {:.1} KB more; \
         the embeddable viewer (bufpack/view, not loaded by the app): {:.1} KB",
        out.display(),
        app as f64 / 1024.0,
        package as f64 / 1024.0,
        (app + package) as f64 / 1024.0,
        learn as f64 / 1024.0,
        recorder as f64 / 1024.0,
        models as f64 / 1024.0,
        viewer as f64 / 1024.0
    );
    if app + package > FIRST_VISIT_LIMIT {
        return Err(format!(
            "the app's first visit is {:.1} KB gzipped, over the {} KB budget",
            (app + package) as f64 / 1024.0,
            FIRST_VISIT_LIMIT / 1024
        ));
    }
    if viewer > VIEWER_LIMIT {
        return Err(format!(
            "the embeddable viewer (bufpack/view) is {:.1} KB gzipped, over its {} KB budget",
            viewer as f64 / 1024.0,
            VIEWER_LIMIT / 1024
        ));
    }
    Ok(())
}

/// What a first visit of the app may download, gzipped (ARCHITECTURE.md, `www/`).
const FIRST_VISIT_LIMIT: usize = 400 * 1024;

/// What a page embedding `bufpack/view` downloads for both elements, gzipped (issue 17's
/// goal; ARCHITECTURE.md, `view/`).
const VIEWER_LIMIT: usize = 150 * 1024;

/// The viewer's files in the package (`view.js`, `view.d.ts`, `bufpack_view*`).
fn is_viewer(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("view.") || n.starts_with("bufpack_view"))
}

/// Answers one HTTP request for a file under `dist` (GET and HEAD only).
fn answer(mut stream: TcpStream, dist: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let relative = Path::new(path.trim_start_matches('/'));
    let safe = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    let mut file = dist.join(relative);
    if file.is_dir() {
        file = file.join("index.html");
    }
    let body = if safe && (method == "GET" || method == "HEAD") {
        fs::read(&file).ok()
    } else {
        None
    };
    match body {
        Some(body) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
                mime(&file),
                body.len()
            );
            stream.write_all(head.as_bytes())?;
            if method == "GET" {
                stream.write_all(&body)?;
            }
        }
        None => stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?,
    }
    Ok(())
}

fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("csv") => "text/csv; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}
