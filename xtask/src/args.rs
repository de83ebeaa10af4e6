//! A small command-line parser shared by the xtask commands (std only).
//!
//! Each command declares which long options take a value and which are bare
//! flags; the parser then walks the arguments once, left to right, so an
//! option's value is never mistaken for an option even when it starts with
//! `--` (e.g. `--extra-args "--threads 4"`). Both `--name value` and
//! `--name=value` are accepted; a repeated option keeps its last value.

use std::collections::BTreeMap;
use std::str::FromStr;

/// The parsed arguments of one command.
#[derive(Debug, Default)]
pub(crate) struct Args {
    values: BTreeMap<String, String>,
    flags: Vec<String>,
    /// Arguments that are not options, in order (everything after `--` too).
    pub(crate) positional: Vec<String>,
}

impl Args {
    /// Parses `argv` (without the command name). `valued` and `flags` list the
    /// accepted option names without their leading `--`. `-h` is an alias of
    /// `--help` when `help` is among `flags`.
    pub(crate) fn parse<I, S>(argv: I, valued: &[&str], flags: &[&str]) -> Result<Args, String>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut args = Args::default();
        let mut iter = argv.into_iter().map(Into::into);
        while let Some(arg) = iter.next() {
            if arg == "--" {
                args.positional.extend(iter.by_ref());
                break;
            }
            if arg == "-h" && flags.contains(&"help") {
                args.flags.push("help".to_string());
                continue;
            }
            let Some(body) = arg.strip_prefix("--") else {
                if arg.starts_with('-') && arg.len() > 1 {
                    return Err(format!(
                        "unknown option `{arg}` (options are spelt `--name`)"
                    ));
                }
                args.positional.push(arg);
                continue;
            };
            let (name, inline) = match body.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (body, None),
            };
            if valued.contains(&name) {
                let value = match inline {
                    Some(value) => value,
                    None => iter
                        .next()
                        .ok_or_else(|| format!("option `--{name}` needs a value"))?,
                };
                args.values.insert(name.to_string(), value);
            } else if flags.contains(&name) {
                if inline.is_some() {
                    return Err(format!("option `--{name}` takes no value"));
                }
                args.flags.push(name.to_string());
            } else {
                return Err(format!("unknown option `--{name}`"));
            }
        }
        Ok(args)
    }

    /// The raw value of `--name`, if given.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Whether the bare flag `--name` was given.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    /// The value of `--name` parsed as `T`, or `default` when absent.
    pub(crate) fn parsed_or<T: FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.value(name) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse()
                .map_err(|_| format!("option `--{name}`: cannot parse `{raw}`")),
        }
    }

    /// Fails if any positional argument was given (for commands taking none).
    pub(crate) fn no_positional(&self) -> Result<(), String> {
        match self.positional.first() {
            None => Ok(()),
            Some(arg) => Err(format!("unexpected argument `{arg}`")),
        }
    }
}

/// Splits a comma-separated list, trimming items and dropping empty ones.
pub(crate) fn split_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

/// Parses a comma-separated list of `T`, naming `option` in errors.
pub(crate) fn parse_list<T: FromStr>(option: &str, raw: &str) -> Result<Vec<T>, String> {
    let items = split_list(raw);
    if items.is_empty() {
        return Err(format!("option `--{option}`: empty list"));
    }
    items
        .iter()
        .map(|item| {
            item.parse()
                .map_err(|_| format!("option `--{option}`: cannot parse `{item}`"))
        })
        .collect()
}

/// Splits a command line into words like a POSIX shell would, for the simple
/// cases: whitespace separates words; single quotes keep everything literal;
/// double quotes keep whitespace and honour `\"` and `\\`; outside quotes a
/// backslash escapes the next character. No variables, globs or `$(...)`.
pub(crate) fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("unterminated ' in `{line}`")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(format!("unterminated \" in `{line}`")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(format!("unterminated \" in `{line}`")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err(format!("trailing backslash in `{line}`")),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(argv: &[&str]) -> Result<Args, String> {
        Args::parse(
            argv.iter().copied(),
            &["timeout", "threads", "extra-args"],
            &["help", "verbose"],
        )
    }

    #[test]
    fn both_value_spellings() {
        let args = parse(&["--timeout", "10", "--threads=1,2"]).unwrap();
        assert_eq!(args.value("timeout"), Some("10"));
        assert_eq!(args.value("threads"), Some("1,2"));
        assert_eq!(args.value("extra-args"), None);
    }

    #[test]
    fn value_may_look_like_an_option() {
        let args = parse(&["--extra-args", "--timeout=5s --threads 4", "--verbose"]).unwrap();
        assert_eq!(args.value("extra-args"), Some("--timeout=5s --threads 4"));
        assert_eq!(args.value("timeout"), None);
        assert!(args.flag("verbose"));
        // An `=` inside an inline value is kept.
        let args = parse(&["--extra-args=--a=b"]).unwrap();
        assert_eq!(args.value("extra-args"), Some("--a=b"));
    }

    #[test]
    fn last_value_wins_and_flags() {
        let args = parse(&["--timeout=1", "--timeout", "2", "-h"]).unwrap();
        assert_eq!(args.value("timeout"), Some("2"));
        assert!(args.flag("help"));
        assert!(!args.flag("verbose"));
    }

    #[test]
    fn errors() {
        assert!(parse(&["--nope"])
            .unwrap_err()
            .contains("unknown option `--nope`"));
        assert!(parse(&["--timeout"]).unwrap_err().contains("needs a value"));
        assert!(parse(&["--verbose=yes"])
            .unwrap_err()
            .contains("takes no value"));
        assert!(parse(&["-x"]).unwrap_err().contains("unknown option `-x`"));
    }

    #[test]
    fn positionals_and_double_dash() {
        let args = parse(&["a", "--verbose", "--", "--timeout", "b"]).unwrap();
        assert_eq!(args.positional, ["a", "--timeout", "b"]);
        assert_eq!(args.value("timeout"), None);
        assert!(args.no_positional().is_err());
        assert!(parse(&["--verbose"]).unwrap().no_positional().is_ok());
    }

    #[test]
    fn parsed_values() {
        let args = parse(&["--timeout", " 7 "]).unwrap();
        assert_eq!(args.parsed_or("timeout", 60u32), Ok(7));
        assert_eq!(args.parsed_or("threads", 3u32), Ok(3));
        let args = parse(&["--timeout", "x"]).unwrap();
        assert!(args.parsed_or("timeout", 60u32).is_err());
    }

    #[test]
    fn lists() {
        assert_eq!(split_list(" A, C,,K ,"), ["A", "C", "K"]);
        assert_eq!(parse_list::<usize>("threads", "1, 2,8"), Ok(vec![1, 2, 8]));
        assert!(parse_list::<usize>("threads", "1,two").is_err());
        assert!(parse_list::<usize>("threads", " , ").is_err());
    }

    #[test]
    fn words() {
        assert_eq!(split_words("").unwrap(), Vec::<String>::new());
        assert_eq!(
            split_words("  --a=1   --b 'x y' \"p \\\"q\\\"\" c\\ d ''").unwrap(),
            ["--a=1", "--b", "x y", "p \"q\"", "c d", ""]
        );
        assert!(split_words("'open").is_err());
        assert!(split_words("\"open").is_err());
        assert!(split_words("end\\").is_err());
    }
}
