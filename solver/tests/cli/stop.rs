//! Stopping: Ctrl-C and SIGTERM stop the search and keep what it found, a second one kills;
//! the time limit counts from the start, reading the input included.

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Output, Stdio};
use std::thread::sleep;
use std::time::Duration;

use super::*;

/// Long enough for a freshly started `bufpack` to be searching (or reading its stdin).
const SETTLE: Duration = Duration::from_secs(1);

fn spawn(args: &[&str], stdin: Stdio) -> Child {
    Command::new(BUFPACK)
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the bufpack binary runs")
}

/// Sends `signal` (a name, as `kill -INT` takes it) to `child`.
fn send(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{signal}");
}

/// Runs `bufpack args`, sends `signal` once it is searching, and waits for it to end.
fn interrupted(args: &[&str], signal: &str) -> (Output, String) {
    let child = spawn(args, Stdio::null());
    sleep(SETTLE);
    send(&child, signal);
    let output = child.wait_with_output().expect("bufpack finishes");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stderr)
}

#[test]
fn ctrl_c_during_minimize_writes_the_best_packing_and_exits_130() {
    let dir = TempDir::new("sigint");
    let out = dir.join("out.csv");
    let (output, stderr) = interrupted(
        &[
            "--minimize",
            "--timeout=inf",
            "--threads=2",
            "--input",
            CHALLENGE_D,
            "--output",
            &out,
        ],
        "INT",
    );
    assert_eq!(
        output.status.code(),
        Some(130),
        "{:?}: {stderr}",
        output.status
    );
    let result = stderr
        .lines()
        .find(|l| l.starts_with("Result: "))
        .unwrap_or_default();
    assert!(
        result.starts_with("Result: feasible, gap ")
            && result.ends_with(" (stopped by signal SIGINT)"),
        "{stderr}"
    );
    let height: i64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("Height: "))
        .and_then(|h| h.parse().ok())
        .expect("a Height line");
    let input = std::fs::read_to_string(CHALLENGE_D).expect("D reads");
    let written = std::fs::read_to_string(&out).expect("the packing is written");
    assert_valid_packing_of(&input, &written, height);
    assert_eq!(dir.names(), ["out.csv"]);
}

#[test]
fn sigterm_during_a_decision_stops_it_writes_nothing_and_exits_143() {
    let dir = TempDir::new("sigterm");
    let out = dir.join("out.csv");
    let (output, stderr) = interrupted(
        &[
            "--capacity=1000000",
            "--timeout=inf",
            "--input",
            CHALLENGE_D,
            "--output",
            &out,
        ],
        "TERM",
    );
    assert_eq!(
        output.status.code(),
        Some(143),
        "{:?}: {stderr}",
        output.status
    );
    assert!(
        stderr.contains("\nResult: stopped by signal SIGTERM\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("Height:"), "{stderr}");
    assert_eq!(dir.names(), Vec::<String>::new());
}

#[test]
fn a_second_ctrl_c_kills_at_once() {
    // Stuck reading a stdin that never ends: the first Ctrl-C is noted, the second kills.
    let mut child = spawn(&["--minimize"], Stdio::piped());
    sleep(SETTLE);
    send(&child, "INT");
    sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().expect("the child is there").is_none(),
        "the first Ctrl-C only asks to stop"
    );
    send(&child, "INT");
    // Closed only now, so that a run the second Ctrl-C failed to kill ends instead of hanging.
    drop(child.stdin.take());
    let output = child.wait_with_output().expect("bufpack ends");
    assert_eq!(output.status.signal(), Some(2), "{:?}", output.status);
}

#[test]
fn the_time_limit_counts_reading_the_input() {
    // A is solved in about a second, well within the limit, once it has been read; but
    // reading it takes longer than the limit.
    let input = std::fs::read_to_string(CHALLENGE_A).expect("A reads");
    let (head, tail) = input.split_at(input.len() / 2);
    let mut child = spawn(&["--capacity=1048576", "--timeout=2s"], Stdio::piped());
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin.write_all(head.as_bytes()).expect("bufpack reads");
    sleep(Duration::from_millis(2500));
    stdin.write_all(tail.as_bytes()).expect("bufpack reads");
    drop(stdin);
    let output = child.wait_with_output().expect("bufpack finishes");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("\nResult: timed out after 2 s\n"),
        "{stderr}"
    );
    let elapsed: f64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("Elapsed: ")?.strip_suffix(" s"))
        .and_then(|s| s.parse().ok())
        .expect("an Elapsed line");
    // Counted from the start: more than the limit, not the second or so of solving.
    assert!(elapsed > 2.0, "{stderr}");
    assert!(output.stdout.is_empty());
}
