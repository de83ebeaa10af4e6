//! `cargo xtask doctor`: what the README's two commands need, what this machine has, and
//! what to do about each gap. It only looks (the set-up module's probes); it changes nothing.

use std::path::Path;

use crate::args::Args;
use crate::setup::apt::{self, Apt};
use crate::setup::{chromium, node, probe, python, rust, wasm_bindgen};
use crate::table::{Align, Table};
use crate::wasm_pack;

pub(crate) const SUMMARY: &str = "list the tools the build and tests need, and what is missing";

pub(crate) const USAGE: &str = "\
cargo xtask doctor

Lists each tool `cargo xtask serve` and `cargo xtask test` use: its version or `missing`,
and what to do. Tools those commands install themselves are marked `installs itself`.
Exits non-zero when something they cannot install is missing (Rust, node 18+ with npm,
python3 3.9+, or Chromium where apt-get cannot be used).
";

/// One tool's state.
enum State {
    /// Present: its version, and where when it matters.
    Found(String),
    /// Missing or out of date, and `cargo xtask serve`/`test` will install it.
    Installs(String),
    /// Missing, and only you can install it.
    Missing(String),
    /// Missing, and nothing needs it.
    Optional(String),
}

struct Row {
    tool: &'static str,
    state: State,
    todo: String,
}

impl Row {
    fn new(tool: &'static str, state: State, todo: impl Into<String>) -> Row {
        Row {
            tool,
            state,
            todo: todo.into(),
        }
    }
}

pub(crate) fn run(root: &Path, argv: Vec<String>) -> Result<(), String> {
    let args = Args::parse(argv, &[], &["help"])?;
    if args.flag("help") {
        println!("{USAGE}");
        return Ok(());
    }
    args.no_positional()?;
    let rows: Vec<Row> = [
        rust_rows(),
        wasm_rows(root),
        node_rows(root),
        test_rows(root),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut table = Table::new(vec![
        ("tool".into(), Align::Left),
        ("status".into(), Align::Left),
        ("found".into(), Align::Left),
        ("what to do".into(), Align::Left),
    ]);
    let mut missing = Vec::new();
    for row in &rows {
        let (status, found) = match &row.state {
            State::Found(found) => ("ok", found.as_str()),
            State::Installs(why) => ("installs itself", why.as_str()),
            State::Missing(why) => {
                missing.push(row.tool);
                ("MISSING", why.as_str())
            }
            State::Optional(why) => ("optional", why.as_str()),
        };
        let todo = match row.state {
            State::Found(_) => "",
            _ => row.todo.as_str(),
        };
        table.row(vec![
            row.tool.to_string(),
            status.to_string(),
            found.to_string(),
            todo.to_string(),
        ]);
    }
    print!("{}", table.render());
    if missing.is_empty() {
        println!("\ndoctor: nothing missing that `cargo xtask serve` and `cargo xtask test` cannot install");
        Ok(())
    } else {
        Err(format!(
            "missing, to install yourself: {} (see `what to do` above)",
            missing.join(", ")
        ))
    }
}

/// `Chromium 156.0.8078.114 built on Debian ...` -> `Chromium 156.0.8078.114`: the words up
/// to the first that starts with a digit.
fn short(line: &str) -> String {
    let mut words = Vec::new();
    for word in line.split_whitespace() {
        words.push(word);
        if word.starts_with(|c: char| c.is_ascii_digit()) {
            break;
        }
    }
    words.join(" ")
}

/// The short version `program --version` prints, if it runs.
fn version_of(file: &Path) -> Option<String> {
    probe::first_line(file, &["--version"]).map(|line| short(&line))
}

/// Present with its version, or missing for you to install.
fn needed(version: Option<String>, missing: &str) -> State {
    match version {
        Some(version) => State::Found(version),
        None => State::Missing(missing.to_string()),
    }
}

fn on_path(program: &str) -> Option<String> {
    version_of(&probe::on_path(program)?)
}

fn rust_rows() -> Vec<Row> {
    let rustup = "install Rust with rustup: https://rustup.rs";
    let mut rows = vec![
        Row::new("rustc", needed(on_path("rustc"), "missing"), rustup),
        Row::new("cargo", needed(on_path("cargo"), "missing"), rustup),
        Row::new("rustup", needed(on_path("rustup"), "missing"), rustup),
    ];
    let target = match rust::has_wasm_target() {
        Some(true) => State::Found("installed".into()),
        Some(false) => State::Installs("missing".into()),
        None => State::Missing("rustup cannot tell".into()),
    };
    rows.push(Row::new(
        "wasm32 target",
        target,
        format!(
            "cargo xtask serve runs `rustup target add {}`",
            rust::WASM_TARGET
        ),
    ));
    let lints = match rust::missing_components(rust::LINT_COMPONENTS) {
        Some(missing) if missing.is_empty() => State::Found("installed".into()),
        Some(missing) => State::Installs(format!("missing {}", missing.join(", "))),
        None => State::Missing("rustup cannot tell".into()),
    };
    rows.push(Row::new(
        "rustfmt, clippy",
        lints,
        "cargo xtask test runs `rustup component add rustfmt clippy`",
    ));
    rows
}

fn wasm_rows(root: &Path) -> Vec<Row> {
    let wanted = match wasm_bindgen::locked_version(root) {
        Ok(version) => version,
        Err(e) => return vec![Row::new("wasm-bindgen CLI", State::Missing(e), "")],
    };
    let state = match wasm_bindgen::find(root, &wanted) {
        Some(cli) => State::Found(format!("{wanted} at {}", cli.wasm_bindgen.display())),
        None => {
            let others: Vec<String> = wasm_bindgen::candidates(root)
                .iter()
                .filter_map(|b| wasm_bindgen::version_of(b))
                .collect();
            match others.is_empty() {
                true => State::Installs(format!("missing (Cargo.lock pins {wanted})")),
                false => State::Installs(format!(
                    "only {} (Cargo.lock pins {wanted})",
                    others.join(", ")
                )),
            }
        }
    };
    let todo = format!(
        "cargo xtask serve installs {wanted} into {}",
        wasm_bindgen::TOOLS_ROOT
    );
    let pack = match wasm_pack::find(root) {
        Some(found) => State::Found(version_of(&found).unwrap_or_else(|| "present".into())),
        None => State::Optional("missing".into()),
    };
    vec![
        Row::new("wasm-bindgen CLI", state, todo),
        Row::new(
            "wasm-pack",
            pack,
            "only for wasm-pack build/test (README): cargo install wasm-pack",
        ),
    ]
}

fn node_rows(root: &Path) -> Vec<Row> {
    let install = "install Node.js 18+ with npm (nodejs.org, or distribution packages if 18+)";
    let node_state = match node::node_version() {
        None => State::Missing("missing".into()),
        Some(version) => match probe::major_minor(&version) {
            Some((major, _)) if major >= node::MIN_NODE => State::Found(version),
            _ => State::Missing(format!("{version} is older than {}", node::MIN_NODE)),
        },
    };
    let modules = match node::modules(root) {
        node::Modules::Current => State::Found("installed".into()),
        node::Modules::Missing => State::Installs("missing".into()),
        node::Modules::Stale => State::Installs("older than package-lock.json".into()),
    };
    let wasm_opt = root.join(node::WASM_OPT);
    let wasm_opt_state = match version_of(&wasm_opt) {
        Some(version) => State::Found(format!("{version} ({})", node::WASM_OPT)),
        None => State::Installs("missing".into()),
    };
    vec![
        Row::new("node", node_state, install),
        Row::new("npm", needed(node::npm_version(), "missing"), install),
        Row::new(
            "node_modules",
            modules,
            "cargo xtask serve runs `npm ci --no-audit --no-fund`",
        ),
        Row::new(
            "wasm-opt",
            wasm_opt_state,
            "comes with node_modules (npm's binaryen; no other build)",
        ),
    ]
}

fn test_rows(root: &Path) -> Vec<Row> {
    let apt_state = |found: Option<String>| match (found, apt::apt()) {
        (Some(version), _) => State::Found(version),
        (None, Apt::Usable(_)) => State::Installs("missing".into()),
        (None, Apt::Unusable(why)) => State::Missing(format!("missing; {why}")),
    };
    let version = |file: Option<std::path::PathBuf>| {
        let file = file?;
        Some(format!("{} ({})", version_of(&file)?, file.display()))
    };
    let browser_todo = match apt::apt() {
        Apt::Usable(_) => format!(
            "cargo xtask test runs `apt-get install {}`",
            chromium::PACKAGES.join(" ")
        ),
        Apt::Unusable(_) => chromium::manual_fix(),
    };
    let python_state = match python::python_version() {
        None => State::Missing("missing".into()),
        Some(version) => match probe::major_minor(&version) {
            Some(found) if found >= python::MIN_PYTHON => State::Found(version),
            _ => State::Missing(format!("{version} is older than 3.9")),
        },
    };
    let venv = match python::venv_python(root) {
        Some(python) => State::Found(format!(
            "{} ({})",
            version_of(&python).unwrap_or_default(),
            python::VENV
        )),
        None => State::Installs("missing".into()),
    };
    vec![
        Row::new(
            "chromium",
            apt_state(version(chromium::chromium())),
            browser_todo.clone(),
        ),
        Row::new(
            "chromedriver",
            apt_state(version(chromium::chromedriver())),
            browser_todo,
        ),
        Row::new(
            "python3",
            python_state,
            "install Python 3.9+ as python3 (Debian/Ubuntu: python3 python3-venv)",
        ),
        Row::new(
            "venv",
            venv,
            format!("cargo xtask test runs `python3 -m venv {}`", python::VENV),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_versions() {
        assert_eq!(
            short("Chromium 156.0.8078.114 built on Debian GNU/Linux 12 (bookworm)"),
            "Chromium 156.0.8078.114"
        );
        assert_eq!(
            short("wasm-opt version 132 (version_132)"),
            "wasm-opt version 132"
        );
        assert_eq!(short("rustc 1.95.0 (59807616e 2026-04-14)"), "rustc 1.95.0");
        assert_eq!(short("v20.20.2"), "v20.20.2");
    }
}
