//! Debian/Ubuntu packages through apt-get: as root directly, else through `sudo -n` (never a
//! password prompt in the middle of a build). Where neither works, the caller says which
//! command to run by hand.

use std::process::{Command, Stdio};

use super::probe;
use crate::pack::run_command;

/// How apt-get can be run here, if at all.
pub(crate) enum Apt {
    /// The command prefix: `[]` as root, `["sudo", "-n"]` otherwise.
    Usable(Vec<&'static str>),
    /// Why not, in words.
    Unusable(String),
}

pub(crate) fn apt() -> Apt {
    if probe::on_path("apt-get").is_none() {
        return Apt::Unusable("apt-get is not on PATH (not a Debian-like system)".into());
    }
    if is_root() {
        return Apt::Usable(Vec::new());
    }
    let sudo = probe::on_path("sudo").is_some_and(|sudo| {
        Command::new(sudo)
            .args(["-n", "true"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if sudo {
        Apt::Usable(vec!["sudo", "-n"])
    } else {
        Apt::Unusable("apt-get needs root, and `sudo -n` is not allowed here".into())
    }
}

/// `apt-get update`, then `apt-get install -y packages` (the package lists of a new machine
/// are empty or old, so an install without the update can fail to find anything).
pub(crate) fn install(prefix: &[&str], packages: &[&str]) -> Result<(), String> {
    let apt_get = |args: &[&str]| {
        let mut words: Vec<&str> = prefix.to_vec();
        words.push("apt-get");
        words.extend_from_slice(args);
        let mut command = Command::new(words[0]);
        command
            .args(&words[1..])
            .env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    run_command(&mut apt_get(&["update", "-q"]))?;
    let mut args = vec!["install", "-y", "-q"];
    args.extend_from_slice(packages);
    run_command(&mut apt_get(&args))
}

fn is_root() -> bool {
    probe::first_line(std::path::Path::new("id"), &["-u"]).is_some_and(|uid| uid == "0")
}
