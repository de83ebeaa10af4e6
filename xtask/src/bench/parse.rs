//! Reading what the solvers print on stderr: `Name: value` lines, found leniently, and
//! how a decision run ended.

/// The text after the first `:` of the first line that starts (after leading
/// whitespace) with `word`, compared case-insensitively, trimmed.
pub(crate) fn field<'a>(stderr: &'a str, word: &str) -> Option<&'a str> {
    stderr.lines().find_map(|line| {
        let line = line.trim_start();
        let head = line.get(..word.len())?;
        if !head.eq_ignore_ascii_case(word) {
            return None;
        }
        let (_, rest) = line.split_once(':')?;
        Some(rest.trim())
    })
}

/// The number at the start of `text` (`0.412 s` -> 0.412, `1,234` -> 1234).
pub(crate) fn leading_number(text: &str) -> Option<f64> {
    let text = text.trim_start();
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(text.len());
    let digits: String = text[..end].chars().filter(|&c| c != ',').collect();
    digits.parse().ok()
}

/// `Backtracks: N` from stderr.
pub(crate) fn parse_backtracks(stderr: &str) -> Option<u64> {
    let value = leading_number(field(stderr, "backtracks")?)?;
    (value >= 0.0 && value.fract() == 0.0).then_some(value as u64)
}

/// The solver's own elapsed time in seconds: an `Elapsed: N` line, an
/// `Elapsed time Ns` line (MiniMalloc's current `main.cc`), or else a bare
/// number at the very start of stderr (its older `main.cc` printed just
/// `std::fixed << setprecision(3)` seconds, without a label).
pub(crate) fn parse_elapsed(stderr: &str) -> Option<f64> {
    if let Some(value) = field(stderr, "elapsed") {
        return leading_number(value);
    }
    let labelled = stderr.lines().find_map(|line| {
        let line = line.trim_start();
        let head = line.get(..ELAPSED_TIME.len())?;
        head.eq_ignore_ascii_case(ELAPSED_TIME)
            .then(|| &line[ELAPSED_TIME.len()..])
    });
    if let Some(rest) = labelled {
        return leading_number(rest);
    }
    let first = stderr.split_whitespace().next()?;
    let first = first.strip_suffix('s').unwrap_or(first);
    let value: f64 = first.parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value)
}

const ELAPSED_TIME: &str = "elapsed time";

/// How one run ended.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Outcome {
    Solved,
    Infeasible,
    TimedOut,
    /// Outlived its limit by far and was killed by the bench.
    Killed,
    /// Crashed, rejected its input, or could not be started.
    Error(String),
}

impl Outcome {
    pub(crate) fn label(&self) -> String {
        match self {
            Outcome::Solved => "solved".to_string(),
            Outcome::Infeasible => "infeasible".to_string(),
            Outcome::TimedOut => "timeout".to_string(),
            Outcome::Killed => "killed".to_string(),
            Outcome::Error(why) => format!("error: {why}"),
        }
    }

    /// Whether the run hit the time limit (its time counts as the limit).
    pub(crate) fn timed_out(&self) -> bool {
        matches!(self, Outcome::TimedOut | Outcome::Killed)
    }
}

/// How MiniMalloc says why it exited 1: its `main.cc` prints the solver's Abseil
/// status (`NOT_FOUND: ...` when nothing fits, `DEADLINE_EXCEEDED: ...` at the time
/// limit), and Abseil's flag parser prints `ERROR: ...` for a bad command line.
pub(crate) fn parse_status(stderr: &str) -> Option<Outcome> {
    stderr.lines().map(str::trim).find_map(|line| {
        if line.starts_with("NOT_FOUND") {
            Some(Outcome::Infeasible)
        } else if line.starts_with("DEADLINE_EXCEEDED") {
            Some(Outcome::TimedOut)
        } else if line.starts_with("ERROR:")
            || ABSL_ERRORS.iter().any(|code| line.starts_with(code))
        {
            Some(Outcome::Error(line.to_string()))
        } else {
            None
        }
    })
}

/// Abseil's status codes other than the two that mean an answer.
const ABSL_ERRORS: [&str; 12] = [
    "CANCELLED:",
    "UNKNOWN:",
    "INVALID_ARGUMENT:",
    "ALREADY_EXISTS:",
    "PERMISSION_DENIED:",
    "RESOURCE_EXHAUSTED:",
    "FAILED_PRECONDITION:",
    "ABORTED:",
    "OUT_OF_RANGE:",
    "UNIMPLEMENTED:",
    "INTERNAL:",
    "UNAVAILABLE:",
];

/// The outcome named on a `Result:` line, if any.
pub(crate) fn parse_result(stderr: &str) -> Option<Outcome> {
    let value = field(stderr, "result")?.to_ascii_lowercase();
    if value.starts_with("solved") {
        Some(Outcome::Solved)
    } else if value.starts_with("infeasible") {
        Some(Outcome::Infeasible)
    } else if value.starts_with("timed out") || value.starts_with("timeout") {
        Some(Outcome::TimedOut)
    } else {
        None
    }
}

/// Classifies a finished run. `code` is the exit code (`None`: killed by a
/// signal); exit 1 means infeasible or timed out, told apart by the `Result:`
/// line (bufpack) or the status line (MiniMalloc) when there is one, else by
/// whether `elapsed` reached 95% of `timeout`.
pub(crate) fn classify(code: Option<i32>, stderr: &str, elapsed: f64, timeout: f64) -> Outcome {
    match code {
        Some(0) => Outcome::Solved,
        Some(1) => match parse_result(stderr).or_else(|| parse_status(stderr)) {
            Some(outcome @ (Outcome::Infeasible | Outcome::TimedOut | Outcome::Error(_))) => {
                outcome
            }
            _ if elapsed >= 0.95 * timeout => Outcome::TimedOut,
            _ => Outcome::Infeasible,
        },
        Some(2) => Outcome::Error("bad input (exit 2)".to_string()),
        Some(code) => Outcome::Error(format!("exit {code}")),
        None => Outcome::Error("killed by a signal".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUFPACK_STDERR: &str = "\
Height: 1048576
Elapsed: 0.412 s
Nodes: 10234
Backtracks: 9876
Result: solved (height 1048576 <= capacity 1048576)
";

    #[test]
    fn parses_bufpack_stderr() {
        assert_eq!(field(BUFPACK_STDERR, "height"), Some("1048576"));
        assert_eq!(parse_backtracks(BUFPACK_STDERR), Some(9876));
        assert_eq!(parse_elapsed(BUFPACK_STDERR), Some(0.412));
        assert_eq!(parse_result(BUFPACK_STDERR), Some(Outcome::Solved));
        let timed_out = "Backtracks: 5\nResult: timed out after 10 s\n";
        assert_eq!(parse_result(timed_out), Some(Outcome::TimedOut));
        let infeasible = "Result: infeasible (lower bound 2000000 > capacity)\n";
        assert_eq!(parse_result(infeasible), Some(Outcome::Infeasible));
        assert_eq!(parse_result("Result: ???\n"), None);
        assert_eq!(parse_backtracks("no such line\n"), None);
    }

    #[test]
    fn lenient_field_matching() {
        // Case-insensitive, leading whitespace, first line wins, prefix words.
        let text = "  BACKTRACKS : 1,234 (total)\nbacktracks: 7\n";
        assert_eq!(parse_backtracks(text), Some(1234));
        assert_eq!(field("Backtracks total: 3", "backtracks"), Some("3"));
        // A line without a colon does not match; nor does a too-short line.
        assert_eq!(field("Backtracks 3\nBack", "backtracks"), None);
        // Non-ASCII text before the word's length must not panic.
        assert_eq!(field("é\nÉlapsed: 1", "elapsed"), None);
        assert_eq!(parse_backtracks("Backtracks: 1.5"), None);
    }

    #[test]
    fn minimalloc_elapsed() {
        // Labelled, as newer builds or wrappers print it.
        assert_eq!(parse_elapsed("Elapsed time: 3.25 seconds\n"), Some(3.25));
        // Upstream main.cc: a bare fixed-point number, no newline.
        assert_eq!(parse_elapsed("0.037"), Some(0.037));
        assert_eq!(parse_elapsed("12.500\nPASS\n"), Some(12.5));
        // Current upstream main.cc.
        assert_eq!(parse_elapsed("Elapsed time 17.944s\n"), Some(17.944));
        assert_eq!(parse_elapsed("WARNING: something\n"), None);
        assert_eq!(parse_elapsed(""), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(leading_number(" 0.412 s"), Some(0.412));
        assert_eq!(leading_number("12,345 nodes"), Some(12345.0));
        assert_eq!(leading_number("n/a"), None);
    }

    #[test]
    fn classification() {
        assert_eq!(classify(Some(0), "", 1.0, 10.0), Outcome::Solved);
        let said = "Result: timed out\n";
        assert_eq!(classify(Some(1), said, 1.0, 10.0), Outcome::TimedOut);
        let said = "Result: infeasible\n";
        assert_eq!(classify(Some(1), said, 9.9, 10.0), Outcome::Infeasible);
        // No Result line (MiniMalloc): decided by the time taken.
        assert_eq!(classify(Some(1), "", 9.6, 10.0), Outcome::TimedOut);
        assert_eq!(classify(Some(1), "0.010", 0.01, 10.0), Outcome::Infeasible);
        // MiniMalloc's status line decides, whatever the time.
        let said = "Elapsed time 0.520s\nDEADLINE_EXCEEDED: Timeout\n";
        assert_eq!(classify(Some(1), said, 0.5, 10.0), Outcome::TimedOut);
        let said = "Elapsed time 9.900s\nNOT_FOUND: Could not find a solution\n";
        assert_eq!(classify(Some(1), said, 9.9, 10.0), Outcome::Infeasible);
        let said = "ERROR: Unknown command line flag 'bogus'\n";
        assert!(
            matches!(classify(Some(1), said, 0.0, 10.0), Outcome::Error(e) if e.contains("bogus"))
        );
        let said = "INVALID_ARGUMENT: bad row\n";
        assert!(
            matches!(classify(Some(1), said, 0.0, 10.0), Outcome::Error(e) if e.contains("bad row"))
        );
        assert!(
            matches!(classify(Some(2), "", 0.0, 10.0), Outcome::Error(e) if e.contains("bad input"))
        );
        assert!(matches!(classify(Some(101), "", 0.0, 10.0), Outcome::Error(e) if e == "exit 101"));
        assert!(matches!(classify(None, "", 0.0, 10.0), Outcome::Error(_)));
    }
}
