//! A description of the machine and toolchain, printed above benchmark results.

use std::path::Path;
use std::process::Command;

/// Runs `program args` and returns its trimmed stdout, or `None` if it could
/// not be run, failed, or printed nothing.
pub(crate) fn command_output(program: &str, args: &[&str], dir: Option<&Path>) -> Option<String> {
    let mut command = Command::new(program);
    command.args(args);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let output = command.output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// The CPU model from the text of `/proc/cpuinfo` (x86 `model name`, or the
/// `Hardware`/`cpu model` lines some other architectures use instead).
pub(crate) fn cpu_model(cpuinfo: &str) -> Option<String> {
    ["model name", "hardware", "cpu model", "processor"]
        .iter()
        .find_map(|key| {
            cpuinfo.lines().find_map(|line| {
                let (name, value) = line.split_once(':')?;
                let value = value.trim();
                let is_key = name.trim().eq_ignore_ascii_case(key);
                // On x86 `processor` is just an index; skip bare numbers.
                (is_key && !value.is_empty() && value.parse::<u64>().is_err())
                    .then(|| value.to_string())
            })
        })
}

/// `key: value` lines describing this machine, for a Markdown bullet list.
/// Items that cannot be determined are left out.
pub(crate) fn describe(root: &Path) -> Vec<(String, String)> {
    let mut items = Vec::new();
    if let Some(date) = command_output("date", &["-u", "+%F"], None) {
        items.push(("date (UTC)".to_string(), date));
    }
    let commit = command_output("git", &["rev-parse", "--short", "HEAD"], Some(root));
    if let Some(commit) = commit {
        let dirty = command_output(
            "git",
            &["status", "--porcelain", "--untracked-files=no"],
            Some(root),
        )
        .is_some();
        let suffix = if dirty { " (uncommitted changes)" } else { "" };
        items.push(("commit".to_string(), format!("{commit}{suffix}")));
    }
    let cpus = command_output("nproc", &[], None).or_else(|| {
        std::thread::available_parallelism()
            .ok()
            .map(|n| n.to_string())
    });
    if let Some(cpus) = cpus {
        items.push(("nproc".to_string(), cpus));
    }
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    if let Some(model) = cpu_model(&cpuinfo) {
        items.push(("cpu".to_string(), model));
    }
    if let Some(rustc) = command_output("rustc", &["--version"], Some(root)) {
        items.push(("rustc".to_string(), rustc));
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_model_x86() {
        let info = "processor\t: 0\nvendor_id\t: GenuineIntel\n\
                    model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n\
                    processor\t: 1\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n";
        assert_eq!(
            cpu_model(info).as_deref(),
            Some("Intel(R) Xeon(R) CPU @ 2.20GHz")
        );
    }

    #[test]
    fn cpu_model_other() {
        assert_eq!(
            cpu_model("processor : 0\nHardware : BCM2835\n").as_deref(),
            Some("BCM2835")
        );
        assert_eq!(cpu_model("processor : 0\n"), None);
        assert_eq!(cpu_model(""), None);
    }
}
