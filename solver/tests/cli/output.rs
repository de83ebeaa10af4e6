//! Writing the output: all or nothing, checked before the search starts, and a stdout that
//! cannot take the packing is an error, not a silent loss.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::process::{Command, Output, Stdio};

use super::*;

/// What an output file held before a run.
const OLD: &str = "id,lower,upper,size,offset\nkeep,0,1,1,0\n";

fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_failed_write_keeps_the_old_output_and_leaves_no_temporary_file() {
    let dir = TempDir::new("full");
    let out = dir.join("out.csv");
    std::fs::write(&out, OLD).expect("temp dir is writable");
    let args = [
        "--minimize",
        "--timeout=0",
        &format!("--input={CHALLENGE_A}"),
        &format!("--output={out}"),
    ];
    // A file-size limit of one block: A's packing (about 4 KB) cannot be written.
    let output = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 1 && exec \"$0\" \"$@\"")
        .arg(BUFPACK)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("sh runs");
    let stderr = stderr_of(&output);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{:?}: {stderr}",
        output.status
    );
    assert!(
        stderr.contains(&format!("\nbufpack: cannot write {out}: ")),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&out).expect("out.csv is there"),
        OLD
    );
    assert_eq!(dir.names(), ["out.csv"]);

    // Without the limit the packing replaces the old file whole, keeping its permissions.
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let run = bufpack(&args, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let height: i64 = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("Height: "))
        .and_then(|h| h.parse().ok())
        .expect("a Height line");
    let input = std::fs::read_to_string(CHALLENGE_A).expect("A reads");
    let written = std::fs::read_to_string(&out).expect("out.csv is there");
    assert_valid_packing_of(&input, &written, height);
    let mode = std::fs::metadata(&out)
        .expect("out.csv")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
    assert_eq!(dir.names(), ["out.csv"]);
}

#[test]
fn an_unwritable_output_fails_before_the_search() {
    let dir = TempDir::new("unwritable");
    let missing = dir.join("missing/out.csv");
    let directory = dir.join("sub");
    std::fs::create_dir(&directory).expect("temp dir is writable");
    for out in [&missing, &directory] {
        // D is not solved in 3 s: the check must come before the search, not after it.
        let run = bufpack(
            &[
                "--minimize",
                "--timeout=3s",
                "--input",
                CHALLENGE_D,
                &format!("--output={out}"),
            ],
            None,
        );
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr
                .starts_with(&format!("bufpack: cannot write {out}: ")),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("Nodes:"), "{}", run.stderr);
    }
    assert_eq!(dir.names(), ["sub"]);
    assert_eq!(std::fs::read_dir(&directory).expect("sub reads").count(), 0);
}

#[test]
fn runs_without_a_packing_leave_no_file_behind() {
    let dir = TempDir::new("nothing");
    let out = dir.join("out.csv");
    let run = bufpack(
        &["--capacity=11", "--input", EXAMPLE, "--output", &out],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let run = bufpack(
        &["--capacity=12", "--output", &out],
        Some("id,lower,upper,size\nb1,0,3,x\n"),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(dir.names(), Vec::<String>::new());
}

#[test]
fn special_files_and_links_are_written_through() {
    // A device is written to, never replaced.
    let run = bufpack(
        &["--capacity=12", "--input", EXAMPLE, "--output=/dev/null"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let null = std::fs::metadata("/dev/null").expect("/dev/null exists");
    assert!(null.file_type().is_char_device());
    // A link stays a link; the file it points to gets the packing.
    let dir = TempDir::new("link");
    let (target, link) = (dir.join("target.csv"), dir.join("link.csv"));
    std::fs::write(&target, OLD).expect("temp dir is writable");
    std::os::unix::fs::symlink("target.csv", &link).expect("symlink");
    let run = bufpack(
        &["--capacity=12", "--input", EXAMPLE, "--output", &link],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    assert_valid_packing(&std::fs::read_to_string(&target).expect("target"), 12);
    assert_eq!(dir.names(), ["link.csv", "target.csv"]);
}

/// Runs `bufpack args` with a stdout whose reader is gone; returns its exit code and stderr.
///
/// The pipe is made by `sh`, out of reach of the other tests' children (one forked while this
/// process held a read end would keep the pipe open for a moment). Its reader closes its end
/// and says "closed" on stderr, and so does `sh` once it has closed its own copy; only then
/// does the test send the line that `bufpack` waits for. (The line comes through fd 3: a
/// background job's stdin is /dev/null.)
fn with_stdout_gone(args: &[&str]) -> (Option<i32>, String) {
    let script = "exec 3<&0
        { read go <&3; \"$0\" \"$@\"; echo \"exit $?\" >&2; } | { exec <&-; echo closed >&2; } &
        echo closed >&2
        wait";
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(BUFPACK)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr is piped"));
    for _ in 0..2 {
        let mut line = String::new();
        stderr.read_line(&mut line).expect("sh writes to stderr");
        assert_eq!(line, "closed\n");
    }
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin.write_all(b"go\n").expect("sh reads its line");
    drop(stdin);
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).expect("stderr is UTF-8");
    child.wait().expect("sh finishes");
    let code = rest
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("exit "))
        .and_then(|code| code.parse().ok());
    (code, rest)
}

#[test]
fn a_broken_stdout_is_an_error() {
    for args in [
        &["--capacity=12", "--input", EXAMPLE][..],
        &["--minimize", "--input", EXAMPLE],
        &["--help"],
        &["--version"],
    ] {
        let (code, stderr) = with_stdout_gone(args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("bufpack: cannot write <stdout>: "),
            "{args:?}: {stderr}"
        );
    }
}
