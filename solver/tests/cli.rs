//! End-to-end tests of the `bufpack` command line: exit codes, output, stderr summary.
//! Writing the output safely is tested in `cli/output.rs`, stopping (signals, the time
//! limit) in `cli/stop.rs`, TensorFlow Lite models in `cli/model.rs`.

// A test's root reads modules from its own directory, not from `cli/`.
#[path = "cli/model.rs"]
mod model;
#[cfg(unix)]
#[path = "cli/output.rs"]
mod output;
#[cfg(unix)]
#[path = "cli/stop.rs"]
mod stop;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use bufpack::{read_buffers, read_problem, validate, Solution};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/examples/input.12.csv"
);
const CHALLENGE_A: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/challenging/A.1048576.csv"
);
/// Neither minimised nor decided at capacity 1,000,000 in any time a test can wait.
#[cfg_attr(not(unix), allow(dead_code))]
const CHALLENGE_D: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/challenging/D.1048576.csv"
);
const BUFPACK: &str = env!("CARGO_BIN_EXE_bufpack");

/// What a run of the tool left behind.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `bufpack args`, feeding `stdin` when given (else an empty, closed stdin).
fn bufpack(args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(BUFPACK)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the bufpack binary runs");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(text.as_bytes())
            .expect("stdin takes the input");
    }
    let output = child.wait_with_output().expect("bufpack finishes");
    Run {
        code: output.status.code().expect("bufpack exits, not killed"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// A path under the temp dir that no other test (or test run) uses.
fn temp_path(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "bufpack-cli-{}-{unique}-{name}",
        std::process::id()
    ))
}

/// A temp file holding `text`, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn with(name: &str, text: &str) -> TempFile {
        let path = temp_path(name);
        std::fs::write(&path, text).expect("temp dir is writable");
        TempFile(path)
    }

    fn empty(name: &str) -> TempFile {
        TempFile(temp_path(name))
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("temp paths are UTF-8")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A fresh directory under the temp dir, removed with its contents when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = temp_path(name);
        std::fs::create_dir(&path).expect("temp dir is writable");
        TempDir(path)
    }

    /// The path of `name` inside, as a string.
    fn join(&self, name: &str) -> String {
        self.0
            .join(name)
            .to_str()
            .expect("temp paths are UTF-8")
            .to_string()
    }

    /// The names of the files inside, sorted.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .expect("the temp dir reads")
            .map(|entry| entry.expect("entries read").file_name())
            .map(|name| name.to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn example_text() -> String {
    std::fs::read_to_string(EXAMPLE).expect("the example fixture exists")
}

/// Checks that `output` is a valid packing of the example at `capacity`: header ending in
/// `offset`, rows in input order, offsets that validate against the original problem.
fn assert_valid_packing(output: &str, capacity: i64) {
    assert_valid_packing_of(&example_text(), output, capacity);
}

/// Like [`assert_valid_packing`], for the input `input`.
fn assert_valid_packing_of(input: &str, output: &str, capacity: i64) {
    let header = output.lines().next().expect("output has a header");
    assert!(header.ends_with(",offset"), "header: {header}");
    let problem = read_problem(input, capacity).expect("the input reads");
    // The offset column makes every buffer fixed, at the offset the tool chose.
    let placed = read_buffers(output).expect("the output reads back");
    let ids: Vec<&str> = placed.iter().map(|b| b.id.as_str()).collect();
    let input_ids: Vec<&str> = problem.buffers.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, input_ids, "rows in input order");
    let offsets: Vec<i64> = placed
        .iter()
        .map(|b| b.offset.expect("every row has an offset"))
        .collect();
    let solution = Solution::from_offsets(&problem, offsets);
    assert_eq!(validate(&problem, &solution), Ok(()));
    assert!(solution.height <= capacity);
}

#[test]
fn example_at_capacity_12_is_solved_and_validates() {
    let out = TempFile::empty("solved.csv");
    let run = bufpack(
        &[
            "--capacity=12",
            &format!("--input={EXAMPLE}"),
            &format!("--output={}", out.path()),
            "--validate",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "", "the CSV goes to the file");
    let written = std::fs::read_to_string(&out.0).expect("the output file is written");
    assert_valid_packing(&written, 12);
    for line in [
        "Height: 12\n",
        "Capacity: 12\n",
        "Elapsed: ",
        "Nodes: ",
        "Backtracks: ",
        "Ordering: ",
        "Result: solved\n",
        "validated",
    ] {
        assert!(run.stderr.contains(line), "{line:?} in:\n{}", run.stderr);
    }
    assert!(run
        .stderr
        .lines()
        .any(|l| l.starts_with("Elapsed: ") && l.ends_with(" s")));
}

#[test]
fn example_at_capacity_11_is_infeasible() {
    let out = TempFile::empty("infeasible.csv");
    let run = bufpack(
        &["--capacity=11", "--input", EXAMPLE, "--output", out.path()],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("Result: infeasible"), "{}", run.stderr);
    assert!(!run.stderr.contains("Height:"), "{}", run.stderr);
    assert!(!out.0.exists(), "no output without a packing");
}

#[test]
fn zero_timeout_times_out() {
    let run = bufpack(
        &[
            "--capacity=1048576",
            &format!("--input={CHALLENGE_A}"),
            "--timeout=0",
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("Result: timed out"), "{}", run.stderr);
    assert_eq!(run.stdout, "", "no output without a packing");
}

#[test]
fn malformed_csv_is_reported_with_path_line_and_column() {
    let input = TempFile::with(
        "malformed.csv",
        "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4x\n",
    );
    let run = bufpack(
        &["--capacity=12", &format!("--input={}", input.path())],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let expected = format!(
        "bufpack: {}: line 3, column 8 (size): expected a non-negative integer, found \"4x\"",
        input.path()
    );
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn missing_input_file_is_named() {
    let missing = temp_path("does-not-exist.csv");
    let missing = missing.to_str().expect("temp paths are UTF-8");
    let run = bufpack(&["--capacity=12", &format!("--input={missing}")], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("bufpack: ") && run.stderr.contains(missing),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_2_with_a_hint() {
    for args in [
        &["--capacity=12", "--no_such_flag"][..],
        &["--capacity=12", "--preordering_heuristics="],
        &["--capacity=12", "--preordering_heuristics=WXT"],
        &["--input=x.csv"],
        &["--capacity=twelve"],
        &["--capacity=12", "--timeout=soon"],
        &["--capacity=12", "--threads=0"],
        &["--capacity"],
        &["--capacity=12", "stray"],
    ] {
        let run = bufpack(args, Some(""));
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("bufpack: "),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("--help"), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "");
    }
    let run = bufpack(&["--capacity=12", "--no_such_flag"], None);
    assert!(
        run.stderr.contains("unknown flag --no_such_flag"),
        "{}",
        run.stderr
    );
    let run = bufpack(&["--capacity=12", "--preordering_heuristics="], None);
    assert!(
        run.stderr
            .contains("empty key string in the preordering list"),
        "{}",
        run.stderr
    );
}

#[test]
fn help_and_version_exit_0() {
    let run = bufpack(&["--help"], None);
    assert_eq!(run.code, 0);
    for flag in [
        "--capacity=N",
        "--input=PATH",
        "--output=PATH",
        "--timeout=DURATION",
        "--[no]validate",
        "--threads=N",
        "--[no]canonical_only",
        "--[no]section_inference",
        "--[no]dynamic_ordering",
        "--[no]check_dominance",
        "--[no]unallocated_floor",
        "--[no]static_preordering",
        "--[no]dynamic_decomposition",
        "--[no]monotonic_floor",
        "--[no]hatless_pruning",
        "--[no]canonical_floor",
        "--[no]fill_holes",
        "--[no]ledges",
        "--[no]ordered_stacks",
        "--[no]limited_discrepancy",
        "--[no]flat_load",
        "--[no]release_floors",
        "--[no]aligned_stacks",
        "--[no]time_orderings",
        "--[no]handovers",
        "--[no]widen_windows",
        "--[no]peak_windows",
        "--[no]layers",
        "--[no]hot_parts",
        "--preordering_heuristics=LIST",
    ] {
        assert!(run.stdout.contains(flag), "{flag} in:\n{}", run.stdout);
    }
    assert_eq!(bufpack(&["-h"], None).stdout, run.stdout);
    let version = bufpack(&["--version"], None);
    assert_eq!(version.code, 0);
    assert_eq!(
        version.stdout,
        format!("bufpack {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn every_flag_form_solves_the_example() {
    let input = format!("--input={EXAMPLE}");
    for args in [
        &["--capacity", "12", &input][..],
        &["-capacity=12", &input],
        &["--capacity=12", &input, "--nocanonical_only"],
        &["--capacity=12", &input, "--canonical_only=false"],
        &["--capacity=12", &input, "--threads=2"],
        &["--capacity=12", "-input", EXAMPLE, "-validate=yes"],
        &[
            "--capacity=12",
            &input,
            "--timeout=10s",
            "--preordering_heuristics=TWA,Z",
        ],
        &[
            "--capacity=12",
            &input,
            "--nosection_inference",
            "--nodynamic_ordering",
            "--nocheck_dominance",
            "--nounallocated_floor",
            "--nostatic_preordering",
            "--nodynamic_decomposition",
            "--nomonotonic_floor",
            "--nohatless_pruning",
            "--canonical_only=0",
        ],
    ] {
        let run = bufpack(args, None);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("Result: solved"),
            "{args:?}: {}",
            run.stderr
        );
        assert_valid_packing(&run.stdout, 12);
    }
}

#[test]
fn stdin_in_stdout_out() {
    let run = bufpack(
        &["--capacity=12", "--input=-", "--output=-"],
        Some(&example_text()),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_valid_packing(&run.stdout, 12);
    // Omitted flags mean the same streams.
    let run = bufpack(&["--capacity=12"], Some(&example_text()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_valid_packing(&run.stdout, 12);
    // Errors in stdin are located like errors in files.
    let run = bufpack(
        &["--capacity=12"],
        Some("id,lower,upper,size\nb1,0,3,4\nb2,3,x,4\n"),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("<stdin>: line 3, column 6 (upper)"),
        "{}",
        run.stderr
    );
}

#[test]
fn minimize_finds_the_optimum_and_says_why_it_is_optimal() {
    let out = TempFile::empty("minimized.csv");
    let run = bufpack(
        &[
            "--minimize",
            &format!("--input={EXAMPLE}"),
            &format!("--output={}", out.path()),
            "--validate",
            "--threads=2",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = std::fs::read_to_string(&out.0).expect("the output file is written");
    assert_valid_packing(&written, 12);
    for line in [
        "Height: 12\n",
        "Lower bound: 12 (",
        "Load: 12\n",
        "Gap: 0.000%\n",
        "Found by: ",
        "Result: optimal\n",
        "Validation: validated\n",
    ] {
        assert!(run.stderr.contains(line), "{line:?} in:\n{}", run.stderr);
    }
    assert!(!run.stderr.contains("Capacity:"), "{}", run.stderr);
}

#[test]
fn minimize_under_a_capacity_below_the_load_is_infeasible() {
    let run = bufpack(&["--minimize", "--capacity=11", "--input", EXAMPLE], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Result: infeasible (at time 0 the live buffers need 12 units"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Height:"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn minimize_stopped_at_once_still_writes_a_packing_with_its_gap() {
    // The O(n log n) online pass always finishes, however short the limit.
    let run = bufpack(
        &[
            "--minimize",
            &format!("--input={CHALLENGE_A}"),
            "--timeout=0",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("Found by: heuristic online/best-fit"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Result: feasible, gap ")
            && run.stderr.contains("(stopped at the time limit of 0 s)"),
        "{}",
        run.stderr
    );
    let height: i64 = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("Height: "))
        .and_then(|h| h.parse().ok())
        .expect("a Height line");
    let input = std::fs::read_to_string(CHALLENGE_A).expect("A reads");
    assert_valid_packing_of(&input, &run.stdout, height);
}

#[test]
fn decision_without_capacity_points_to_minimize() {
    let run = bufpack(&["--input", EXAMPLE], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--minimize"), "{}", run.stderr);
}

#[test]
fn carriage_returns_alone_end_lines() {
    let input = "id,lower,upper,size\r\"b1\",0,3,4\rb2,3,9,4\r\rb3,0,9,4\r";
    let run = bufpack(&["--capacity=8"], Some(input));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_valid_packing_of(input, &run.stdout, 8);
    // Errors count a lone CR as a line break, like the reader's physical lines.
    let run = bufpack(
        &["--capacity=8"],
        Some("id,lower,upper,size\rb1,0,3,4\rb2,x,9,4\r"),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("<stdin>: line 3, column 4 (lower)"),
        "{}",
        run.stderr
    );
    // So does the position of a byte that is not UTF-8.
    let input = TempFile::empty("latin1.csv");
    std::fs::write(&input.0, b"id,lower,upper,size\rb\xe9,0,3,4\r").expect("temp dir is writable");
    let run = bufpack(&["--capacity=8", "--input", input.path()], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(": line 2, column 2: expected UTF-8 text, found the byte 0xE9"),
        "{}",
        run.stderr
    );
}

#[test]
fn threads_beyond_the_cores_are_clamped_and_said_once() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for mode in ["--minimize", "--capacity=12"] {
        let run = bufpack(&[mode, "--input", EXAMPLE, "--threads=1000"], None);
        assert_eq!(run.code, 0, "{mode}: {}", run.stderr);
        let notes: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("bufpack: --threads=1000: using "))
            .collect();
        assert_eq!(notes.len(), 1, "{mode}: {}", run.stderr);
        let used: usize = notes[0]["bufpack: --threads=1000: using ".len()..]
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a number of threads");
        assert!(used >= 1 && used <= cores, "{mode}: {}", notes[0]);
        assert_valid_packing(&run.stdout, 12);
    }
    // Nothing to say when the request is granted.
    let run = bufpack(&["--minimize", "--input", EXAMPLE, "--threads=1"], None);
    assert!(!run.stderr.contains("--threads"), "{}", run.stderr);
}

#[test]
fn a_value_flag_given_twice_is_a_usage_error() {
    for (args, flag, first, second) in [
        (
            &["--capacity=12", "--capacity=13"][..],
            "--capacity",
            "12",
            "13",
        ),
        (
            &["--capacity=12", "-capacity", "12"],
            "--capacity",
            "12",
            "12",
        ),
        (
            &["--minimize", "--timeout=1s", "--timeout=inf"],
            "--timeout",
            "1s",
            "inf",
        ),
        (
            &["--minimize", "--output=a.csv", "--output", "b.csv"],
            "--output",
            "a.csv",
            "b.csv",
        ),
    ] {
        // No input: the run must stop at the flags, before reading any.
        let run = bufpack(args, None);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        let line = run.stderr.lines().next().unwrap_or_default();
        assert!(
            line.starts_with(&format!("bufpack: {flag} "))
                && line.contains(&format!("{first:?}"))
                && line.contains(&format!("{second:?}")),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(run.stdout, "");
    }
}

#[test]
fn minimize_beyond_the_addressable_memory_says_so_without_a_capacity() {
    let huge = 1_u64 << 52;
    for (input, expected) in [
        (
            format!("id,lower,upper,size\na,0,3,{huge}\nb,0,3,{huge}\nc,1,3,{huge}\n"),
            format!(
                "Result: infeasible (at time 1 the live buffers need {} units, more than \
                 bufpack can address (2^53-1 = 9007199254740991))",
                3 * huge
            ),
        ),
        (
            "id,lower,upper,size,offset\na,0,3,10,9007199254740990\n".to_string(),
            "Result: infeasible (buffer \"a\" needs memory up to 9007199254741000, more than \
             bufpack can address (2^53-1 = 9007199254740991))"
                .to_string(),
        ),
    ] {
        let run = bufpack(&["--minimize"], Some(&input));
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stderr.contains(&expected), "{}", run.stderr);
        assert!(!run.stderr.contains("capacity"), "{}", run.stderr);
        assert!(
            !run.stderr.contains("Exact search: skipped"),
            "{}",
            run.stderr
        );
    }
    // With a capacity given, the capacity is the limit named.
    let run = bufpack(
        &["--minimize", "--capacity=8"],
        Some("id,lower,upper,size\na,0,3,9\n"),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("more than the capacity"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_panic_is_an_internal_error_that_leaves_the_output_alone() {
    let input = TempFile::with("panic-in.csv", &example_text());
    let output = TempFile::empty("panic-out.csv");
    // Panics in the search, and (the example is packed by the first heuristic, with no
    // search) once it returns.
    for mode in [&["--capacity=12"][..], &["--minimize", "--threads=2"]] {
        std::fs::write(output.path(), "kept\n").unwrap();
        let mut args: Vec<String> = mode.iter().map(|a| a.to_string()).collect();
        args.push(format!("--input={}", input.path()));
        args.push(format!("--output={}", output.path()));
        let run = Command::new(BUFPACK)
            .args(&args)
            .env("BUFPACK_PANIC_FOR_TESTS", "1")
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::null())
            .output()
            .expect("the bufpack binary runs");
        let stderr = String::from_utf8(run.stderr).unwrap();
        assert_eq!(run.status.code(), Some(70), "{mode:?}: {stderr}");
        assert!(
            stderr.starts_with("bufpack: internal error: a deliberate panic in the search ("),
            "{mode:?}: {stderr}"
        );
        assert!(stderr.contains("This is a bug in bufpack"), "{stderr}");
        // Rust's own message and backtrace only with RUST_BACKTRACE.
        assert!(!stderr.contains("panicked at"), "{stderr}");
        assert_eq!(std::fs::read_to_string(output.path()).unwrap(), "kept\n");
    }
}
