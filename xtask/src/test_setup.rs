//! `cargo xtask test-setup`: the newcomer's first run, reproduced. A temporary `git clone`
//! of this repository's HEAD, an empty CARGO_HOME and a PATH whose only Rust programs are
//! cargo, rustc and rustup (symlinks in a folder of their own, ahead of the system's
//! folders, which hold node, npm, python3, git and the C linker as a fresh machine would);
//! RUSTUP_HOME stays, as the installed toolchain is the one thing a newcomer brings. Then:
//!
//! 1. `cargo xtask serve --port P` must install everything itself and answer on P with the
//!    page and both `.wasm` files; the time to the first answer is the first-run time.
//! 2. The same again must install nothing: exactly one `setup:` line.
//! 3. `cargo xtask setup --test` must make the venv, and a second one print one line.
//! 4. `cargo xtask doctor` must find nothing missing.
//!
//! It takes many minutes (wasm-bindgen-cli is compiled, every crate downloaded again), so
//! `.ci/run` does not run it; it is run by hand when set-up changes.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::args::Args;
use crate::pack::run_command;
use crate::setup::{minutes_seconds, probe};

pub(crate) const SUMMARY: &str =
    "prove the README's first run: a fresh clone, empty CARGO_HOME, bare PATH (slow)";

pub(crate) const USAGE: &str = "\
cargo xtask test-setup [--port N] [--dir DIR] [--keep] [--timeout-minutes M]

Clones HEAD (commit first: uncommitted changes are not in the clone) into a temporary
folder, then runs `cargo xtask serve` there with an empty CARGO_HOME and a PATH holding only
cargo, rustc and rustup besides the system folders, checks that the page and the .wasm files
are served, runs serve again (it must install nothing), then `setup --test` (the venv) and
`doctor`. Prints the first-run time. Takes 10 to 30 minutes on 2 cores.

Options:
  --port N             the port for serve [default: a free one]
  --dir DIR            the work folder (must not exist) [default: a new one under $TMPDIR]
  --keep               keep the work folder (the clone, its target/, CARGO_HOME, logs)
  --timeout-minutes M  give up on the first run after M minutes [default: 60]
";

/// The system folders a fresh machine's PATH holds besides Rust's.
const SYSTEM_PATH: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

pub(crate) fn run(root: &Path, argv: Vec<String>) -> Result<(), String> {
    let args = Args::parse(argv, &["port", "dir", "timeout-minutes"], &["help", "keep"])?;
    if args.flag("help") {
        println!("{USAGE}");
        return Ok(());
    }
    args.no_positional()?;
    let port = match args.value("port") {
        Some(_) => args.parsed_or("port", 0u16)?,
        None => free_port()?,
    };
    let timeout = Duration::from_secs(60 * args.parsed_or("timeout-minutes", 60u64)?);
    let work = match args.value("dir") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::temp_dir().join(format!("bufpack-test-setup-{}", std::process::id())),
    };
    if work.exists() {
        return Err(format!("{} exists: give a new folder", work.display()));
    }
    let fresh = Fresh::make(root, &work)?;
    let result = fresh.prove(port, timeout);
    if args.flag("keep") || result.is_err() {
        println!("test-setup: work folder kept: {}", work.display());
    } else {
        fs::remove_dir_all(&work).map_err(|e| format!("cannot remove {}: {e}", work.display()))?;
    }
    result
}

/// The clone and the bare environment it is run in.
struct Fresh {
    work: PathBuf,
    repo: PathBuf,
    env: Vec<(String, String)>,
}

impl Fresh {
    fn make(root: &Path, work: &Path) -> Result<Fresh, String> {
        let repo = work.join("repo");
        let bin = work.join("bin");
        let cargo_home = work.join("cargo-home");
        for dir in [&bin, &cargo_home] {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        run_command(
            Command::new("git")
                .args(["clone", "--quiet", "--no-hardlinks"])
                .arg(root)
                .arg(&repo),
        )?;
        for program in ["cargo", "rustc", "rustup"] {
            let target = probe::on_path(program)
                .ok_or_else(|| format!("{program} is not on PATH, so it cannot be linked"))?;
            std::os::unix::fs::symlink(&target, bin.join(program))
                .map_err(|e| format!("cannot link {program}: {e}"))?;
        }
        let rustup_home = match std::env::var("RUSTUP_HOME") {
            Ok(home) => home,
            Err(_) => format!("{}/.rustup", std::env::var("HOME").unwrap_or_default()),
        };
        let mut path = vec![bin.display().to_string()];
        path.extend(SYSTEM_PATH.iter().map(|dir| dir.to_string()));
        let env = vec![
            ("PATH".to_string(), path.join(":")),
            ("CARGO_HOME".to_string(), cargo_home.display().to_string()),
            ("RUSTUP_HOME".to_string(), rustup_home),
        ];
        Ok(Fresh {
            work: work.to_path_buf(),
            repo,
            env,
        })
    }

    /// `cargo args` in the clone, in the bare environment: this process's environment less
    /// everything cargo and rustup set for it (CARGO, CARGO_TARGET_DIR, RUSTUP_TOOLCHAIN,
    /// the dynamic library path, ...), which a newcomer's shell would not have.
    fn cargo(&self, args: &[&str]) -> Command {
        let mut command = Command::new(self.work.join("bin/cargo"));
        command.current_dir(&self.repo).args(args);
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if name.starts_with("CARGO")
                || name.starts_with("RUSTUP")
                || name.starts_with("RUSTC")
                || name == "RUSTFLAGS"
                || name == "LD_LIBRARY_PATH"
                || name == "BUFPACK_VENV"
            {
                command.env_remove(name.as_ref());
            }
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    fn prove(&self, port: u16, timeout: Duration) -> Result<(), String> {
        let commit = probe::first_line(
            Path::new("git"),
            &[
                "-C",
                &self.repo.display().to_string(),
                "rev-parse",
                "--short",
                "HEAD",
            ],
        );
        println!(
            "test-setup: clone of {} in {}, CARGO_HOME and PATH bare, port {port}",
            commit.unwrap_or_default(),
            self.repo.display()
        );

        println!("\n==> first run: cargo xtask serve --port {port}");
        let first = self.serve_until_answered(port, timeout, "first")?;
        let installed_cli = self.repo.join("target/tools/bin/wasm-bindgen");
        if !probe::is_executable(&installed_cli) {
            return Err(format!(
                "the first run served the page, but {} is missing",
                installed_cli.display()
            ));
        }

        println!("\n==> second run: cargo xtask serve --port {port} (must install nothing)");
        let second = self.serve_until_answered(port, timeout, "second")?;
        one_setup_line(&second.lines, "the second serve")?;

        println!("\n==> cargo xtask setup --test (the venv), twice");
        let started = Instant::now();
        self.run_logged(&["xtask", "setup", "--test"], "setup-test")?;
        let venv_time = started.elapsed();
        if !probe::is_executable(&self.repo.join("target/venv/bin/python")) {
            return Err("cargo xtask setup --test did not make target/venv".into());
        }
        let again = self.run_logged(&["xtask", "setup", "--test"], "setup-test-again")?;
        one_setup_line(&again, "the second setup --test")?;

        println!("\n==> cargo xtask doctor");
        self.run_logged(&["xtask", "doctor"], "doctor")?;

        println!(
            "\ntest-setup: passed. First run from a clean clone to the page served: {}; \
             second run: {}; setup --test (venv, pip): {}",
            minutes_seconds(first.answered.as_secs_f64()),
            minutes_seconds(second.answered.as_secs_f64()),
            minutes_seconds(venv_time.as_secs_f64()),
        );
        Ok(())
    }

    /// Starts serve, waits until it answers, checks the page and the `.wasm`, stops it.
    fn serve_until_answered(
        &self,
        port: u16,
        timeout: Duration,
        name: &str,
    ) -> Result<Served, String> {
        let started = Instant::now();
        let mut command = self.cargo(&["xtask", "serve", "--port", &port.to_string()]);
        // Its own process group: cargo runs xtask as a child, and both must stop at the end.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut server = Logged::spawn(command, &self.work.join(format!("serve-{name}.log")))?;
        let result = loop {
            if let Some(status) = server.child.try_wait().map_err(|e| e.to_string())? {
                break Err(format!(
                    "cargo xtask serve exited ({status}) before answering:\n{}",
                    server.tail()
                ));
            }
            if started.elapsed() > timeout {
                break Err(format!(
                    "no answer on port {port} after {}:\n{}",
                    minutes_seconds(timeout.as_secs_f64()),
                    server.tail()
                ));
            }
            if get(port, "/").is_ok() {
                break Ok(started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(500));
        };
        let checked = result.and_then(|answered| check_site(port).map(|()| answered));
        server.stop();
        let answered = checked?;
        println!(
            "test-setup: {name} run answered after {}",
            minutes_seconds(answered.as_secs_f64())
        );
        Ok(Served {
            answered,
            lines: server.lines(),
        })
    }

    /// Runs `cargo args` to the end, logging; returns its lines.
    fn run_logged(&self, args: &[&str], name: &str) -> Result<Vec<String>, String> {
        let mut logged = Logged::spawn(self.cargo(args), &self.work.join(format!("{name}.log")))?;
        let status = logged.child.wait().map_err(|e| e.to_string())?;
        logged.join();
        if !status.success() {
            return Err(format!(
                "cargo {} failed ({status}):\n{}",
                args.join(" "),
                logged.tail()
            ));
        }
        Ok(logged.lines())
    }
}

struct Served {
    answered: Duration,
    lines: Vec<String>,
}

/// A child whose stdout and stderr are echoed (indented) and kept, and written to a log.
struct Logged {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Logged {
    fn spawn(mut command: Command, log: &Path) -> Result<Logged, String> {
        let file = fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let file = Arc::new(Mutex::new(file));
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {command:?}: {e}"))?;
        let lines = Arc::new(Mutex::new(Vec::new()));
        let mut readers = Vec::new();
        let stdout: Box<dyn Read + Send> = Box::new(child.stdout.take().expect("piped"));
        let stderr: Box<dyn Read + Send> = Box::new(child.stderr.take().expect("piped"));
        for stream in [stdout, stderr] {
            let (lines, file) = (Arc::clone(&lines), Arc::clone(&file));
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    println!("  | {line}");
                    if let Ok(mut file) = file.lock() {
                        let _ = writeln!(file, "{line}");
                    }
                    if let Ok(mut lines) = lines.lock() {
                        lines.push(line);
                    }
                }
            }));
        }
        Ok(Logged {
            child,
            lines,
            readers,
        })
    }

    /// Ends the child's whole process group (cargo and the xtask it runs) by its id.
    fn stop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
        self.join();
    }

    fn join(&mut self) {
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn tail(&self) -> String {
        let lines = self.lines();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

/// A second run must say one `setup:` line and install nothing.
fn one_setup_line(lines: &[String], what: &str) -> Result<(), String> {
    let setup: Vec<&String> = lines.iter().filter(|l| l.starts_with("setup:")).collect();
    match setup.as_slice() {
        [line] if line.contains("all tools in place") => Ok(()),
        _ => Err(format!(
            "{what} should print one `setup: all tools in place` line, printed:\n{}",
            setup
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        )),
    }
}

/// The page, the app's `.wasm` and the package's `.wasm` are served as such.
fn check_site(port: u16) -> Result<(), String> {
    let page = String::from_utf8_lossy(&get(port, "/")?).to_lowercase();
    if !page.contains("<html") || !page.contains("bufpack") {
        return Err(format!(
            "GET / did not return the page: {}",
            &page[..page.len().min(200)]
        ));
    }
    for wasm in ["/app_bg.wasm", "/bufpack/bufpack_wasm_bg.wasm"] {
        let body = get(port, wasm)?;
        if !body.starts_with(b"\0asm") {
            return Err(format!("GET {wasm} did not return a WebAssembly module"));
        }
        println!(
            "test-setup: GET {wasm}: {} bytes of WebAssembly",
            body.len()
        );
    }
    Ok(())
}

/// The body of `GET path` on 127.0.0.1:port, if the answer is 200.
fn get(port: u16, path: &str) -> Result<Vec<u8>, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .map_err(|e| format!("GET {path}: {e}"))?;
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("GET {path}: no HTTP header in the answer"))?;
    let head = String::from_utf8_lossy(&answer[..split]);
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!(
            "GET {path}: {}",
            head.lines().next().unwrap_or_default()
        ));
    }
    Ok(answer[split + 4..].to_vec())
}

/// A port nobody listens on now (the OS picks it; there is a small race, acceptable here).
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}
