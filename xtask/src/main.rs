//! Project automation, run as `cargo xtask <command>` (std and the workspace's own crates
//! only: `bufpack`, and `bufpack-tests` for its instance generators).
//!
//! `main` only dispatches: each command lives in its own module with a
//! `run(root, args) -> Result<(), String>` entry point, a `SUMMARY` line and a
//! `USAGE` text. Errors are printed as `xtask: ...` and exit with status 1.

mod args;
mod bench;
mod dist;
mod doctor;
mod gen;
mod machine;
mod pack;
mod setup;
mod table;
mod test;
mod test_setup;
mod wasm_pack;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

type Entry = fn(&Path, Vec<String>) -> Result<(), String>;

/// name, one-line summary, usage text, entry point.
const COMMANDS: &[(&str, &str, &str, Entry)] = &[
    ("bench", bench::SUMMARY, bench::USAGE, bench::run),
    ("dist", dist::SUMMARY, dist::USAGE, dist::run),
    ("doctor", doctor::SUMMARY, doctor::USAGE, doctor::run),
    ("serve", dist::SERVE_SUMMARY, dist::SERVE_USAGE, dist::serve),
    ("gen", gen::SUMMARY, gen::USAGE, gen::run),
    ("pack", pack::SUMMARY, pack::USAGE, pack::run),
    ("setup", setup::SUMMARY, setup::USAGE, setup::run),
    ("test", test::SUMMARY, test::USAGE, test::run),
    (
        "test-setup",
        test_setup::SUMMARY,
        test_setup::USAGE,
        test_setup::run,
    ),
];

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(argv) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this package's directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

fn dispatch(mut argv: Vec<String>) -> Result<(), String> {
    if argv.is_empty() {
        print!("{}", help());
        return Err("no command given".to_string());
    }
    let command = argv.remove(0);
    match command.as_str() {
        "help" | "-h" | "--help" => match argv.first() {
            None => {
                print!("{}", help());
                Ok(())
            }
            Some(topic) => {
                let (_, _, usage, _) = find(topic)?;
                println!("{usage}");
                Ok(())
            }
        },
        name => {
            let (_, _, _, entry) = find(name)?;
            entry(&workspace_root(), argv)
        }
    }
}

fn find(name: &str) -> Result<&'static (&'static str, &'static str, &'static str, Entry), String> {
    if let Some(command) = COMMANDS.iter().find(|(n, ..)| *n == name) {
        return Ok(command);
    }
    Err(format!("unknown command `{name}`; see `cargo xtask help`"))
}

fn help() -> String {
    let mut text = String::from("Usage: cargo xtask <command> [options]\n\nCommands:\n");
    for (name, summary, ..) in COMMANDS {
        text.push_str(&format!("  {name:<10} {summary}\n"));
    }
    text.push_str(&format!(
        "  {:<10} this overview; `help <command>` for details\n",
        "help"
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatch_errors() {
        assert!(dispatch(Vec::new()).is_err());
        let err = dispatch(vec!["frob".to_string()]).unwrap_err();
        assert!(err.contains("unknown command `frob`"), "{err}");
        let err = dispatch(vec!["help".to_string(), "frob".to_string()]).unwrap_err();
        assert!(err.contains("unknown command"), "{err}");
        assert!(dispatch(vec!["help".to_string(), "bench".to_string()]).is_ok());
        assert!(dispatch(vec!["help".to_string(), "gen".to_string()]).is_ok());
    }

    #[test]
    fn help_lists_commands() {
        let text = help();
        assert!(text.contains("  bench "), "{text}");
        assert!(text.contains("  gen "), "{text}");
        assert!(text.contains("  pack "), "{text}");
        assert!(text.contains("  test "), "{text}");
        assert!(text.contains("  dist "), "{text}");
        assert!(text.contains("  serve "), "{text}");
    }

    #[test]
    fn root_has_the_workspace_manifest() {
        assert!(workspace_root().join("Cargo.toml").is_file());
        assert!(workspace_root().join("xtask").is_dir());
    }
}
