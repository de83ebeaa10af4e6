//! Looking at the machine without changing it: where a program is, what version it says it
//! is. Shared by the set-up steps and by `cargo xtask doctor`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The first line a program prints for `args` (stdout, or stderr for programs that report
/// their version there), trimmed; `None` when it cannot be run or fails.
pub(crate) fn first_line(program: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = if output.stdout.is_empty() {
        &output.stderr
    } else {
        &output.stdout
    };
    let line = String::from_utf8_lossy(text)
        .lines()
        .next()?
        .trim()
        .to_string();
    (!line.is_empty()).then_some(line)
}

/// The first file called `name` in the directories of `$PATH`, as `which` finds it.
pub(crate) fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|file| is_executable(file))
}

/// Every file called `name` in the directories of `$PATH`, in order (a stale copy early on
/// PATH must not hide the right one later).
pub(crate) fn all_on_path(name: &str) -> Vec<PathBuf> {
    let Some(path) = std::env::var_os("PATH") else {
        return Vec::new();
    };
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .filter(|file| is_executable(file))
        .collect()
}

/// A program given by an environment variable (a path), else a fixed default path, else
/// `name` on PATH: how the browser tests find Chromium and ChromeDriver.
pub(crate) fn env_default_or_path(var: &str, default: &str, name: &str) -> Option<PathBuf> {
    if let Some(value) = std::env::var_os(var) {
        let file = PathBuf::from(value);
        return is_executable(&file).then_some(file);
    }
    let file = PathBuf::from(default);
    if is_executable(&file) {
        return Some(file);
    }
    on_path(name)
}

pub(crate) fn is_executable(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `$CARGO_HOME`, or `~/.cargo` as cargo defaults it.
pub(crate) fn cargo_home() -> Option<PathBuf> {
    match std::env::var_os("CARGO_HOME") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")),
    }
}

/// The cargo that runs this xtask (`$CARGO`, set by cargo for `cargo run`), else `cargo`.
pub(crate) fn cargo() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("cargo"))
}

/// The leading `major.minor` of the first version-like word of `text`, ignoring a `v`
/// prefix: `v20.20.2` -> (20, 20), `Python 3.11.2` -> (3, 11).
pub(crate) fn major_minor(text: &str) -> Option<(u32, u32)> {
    text.split_whitespace().find_map(|word| {
        let word = word.strip_prefix('v').unwrap_or(word);
        let mut parts = word.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts
            .next()?
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()?;
        Some((major, minor))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(major_minor("v20.20.2"), Some((20, 20)));
        assert_eq!(major_minor("Python 3.11.2"), Some((3, 11)));
        assert_eq!(major_minor("Python 3.9"), Some((3, 9)));
        assert_eq!(major_minor("wasm-bindgen 0.2.130"), Some((0, 2)));
        assert_eq!(major_minor("v18.0.0-pre"), Some((18, 0)));
        assert_eq!(major_minor("no version here"), None);
        assert_eq!(major_minor(""), None);
    }

    #[test]
    fn finds_sh_on_path() {
        let sh = on_path("sh").expect("sh on PATH");
        assert!(is_executable(&sh));
        assert!(all_on_path("sh").contains(&sh));
        assert_eq!(on_path("surely-no-such-program-here"), None);
    }
}
