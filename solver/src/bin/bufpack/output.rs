//! Where the packing goes (a CSV, or a planned model): a file, replaced whole or not at all,
//! or stdout.
//!
//! A file is written to a temporary file beside it (the same directory, so the rename stays on
//! one file system), flushed to disk, then renamed over it: a failed write (disk full, a
//! file-size limit) or a killed process leaves the old file as it was, never a truncated one.
//! The temporary file is created before the input is read, so an output that cannot be
//! written fails the run at once instead of after the search; it is removed whenever the run
//! ends without writing (as when a model's plan saves nothing: the old file stays as it was). (Only a second Ctrl-C, which kills, can leave it behind.)
//!
//! A link is followed: the file it names is replaced, and the link stays. What cannot be
//! replaced is written in place, as before: a device (`/dev/null`), a FIFO, a dangling link,
//! a writable file in a directory that takes no new files.
//!
//! ```text
//!  open:   dir/.out.csv.bufpack-PID.tmp created (fails now if dir/ is missing or read-only)
//!  write:  bytes ──► .tmp ──► fsync ──► rename(.tmp, out.csv) ──► fsync(dir)
//!  drop:   .tmp removed unless renamed
//! ```

use std::fmt::Display;
use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};

/// The output of a run, checked and ready before the search.
pub(crate) enum Output {
    /// The standard output.
    Stdout,
    /// A regular file, new or replaced, through a temporary file.
    File(Pending),
    /// Something that is not a regular file (a device such as `/dev/null`, a FIFO) or a
    /// dangling link: written in place, never replaced.
    InPlace(String),
}

/// A temporary file beside the target, removed on drop unless it was renamed over it.
pub(crate) struct Pending {
    /// The path as the user gave it, for messages.
    shown: String,
    /// The file to replace: the path, or the file it links to (the link stays a link).
    target: PathBuf,
    /// The temporary file, and its handle until written.
    temp: PathBuf,
    file: Option<File>,
    renamed: bool,
}

impl Output {
    /// Checks that `path` can be written (`None` is stdout) and, for a regular file, creates
    /// the temporary file beside it. Fails with "cannot write PATH: why".
    pub(crate) fn open(path: Option<&str>) -> Result<Output, String> {
        let Some(shown) = path else {
            return Ok(Output::Stdout);
        };
        let fail = |why: &dyn Display| format!("cannot write {shown}: {why}");
        if shown.ends_with(std::path::is_separator) {
            return Err(fail(&"it names a directory, not a file"));
        }
        let path = Path::new(shown);
        let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let target = if is_link {
            match fs::canonicalize(path) {
                Ok(real) => real,
                // A dangling link: writing through it creates the file it names.
                Err(_) => return Ok(Output::InPlace(shown.to_string())),
            }
        } else {
            path.to_path_buf()
        };
        let exists = match fs::metadata(&target) {
            Ok(meta) if meta.is_dir() => return Err(fail(&"it is a directory")),
            Ok(meta) if !meta.is_file() => return Ok(Output::InPlace(shown.to_string())),
            // Whoever could not overwrite the file before still cannot (the rename would
            // only need the directory's permission). Opening without truncating changes
            // nothing.
            Ok(_) => {
                drop(
                    OpenOptions::new()
                        .write(true)
                        .open(&target)
                        .map_err(|e| fail(&e))?,
                );
                true
            }
            Err(e) if e.kind() == ErrorKind::NotFound => false,
            Err(e) => return Err(fail(&e)),
        };
        match create_temp(&target) {
            Ok((temp, file)) => Ok(Output::File(Pending {
                shown: shown.to_string(),
                target,
                temp,
                file: Some(file),
                renamed: false,
            })),
            // A writable file in a directory that takes no new files: overwritten in place,
            // as before, since it cannot be replaced.
            Err(e) if exists && e.kind() == ErrorKind::PermissionDenied => {
                Ok(Output::InPlace(shown.to_string()))
            }
            Err(e) => Err(fail(&e)),
        }
    }

    /// Writes `bytes` in full, or fails with "cannot write PATH: why" (the old file kept).
    pub(crate) fn write(self, bytes: &[u8]) -> Result<(), String> {
        match self {
            Output::Stdout => {
                let mut stdout = io::stdout().lock();
                stdout
                    .write_all(bytes)
                    .and_then(|()| stdout.flush())
                    .map_err(|e| format!("cannot write <stdout>: {e}"))
            }
            Output::InPlace(path) => {
                fs::write(&path, bytes).map_err(|e| format!("cannot write {path}: {e}"))
            }
            Output::File(mut pending) => pending
                .replace(bytes)
                .map_err(|e| format!("cannot write {}: {e}", pending.shown)),
        }
    }
}

impl Pending {
    /// Writes the temporary file, makes it durable, and renames it over the target.
    fn replace(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut file = self
            .file
            .take()
            .ok_or_else(|| io::Error::other("already written"))?;
        file.write_all(bytes)?;
        // The new file takes the old one's permissions, as an overwrite would have kept them.
        if let Ok(old) = fs::metadata(&self.target) {
            file.set_permissions(old.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&self.temp, &self.target)?;
        self.renamed = true;
        // Makes the rename itself durable; some systems cannot sync a directory, which
        // loses nothing written.
        let dir = parent(&self.target);
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.renamed {
            drop(self.file.take());
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// The directory holding `path` (`.` for a bare file name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Creates `.NAME.bufpack-PID.tmp` beside `target`, never reusing an existing file.
fn create_temp(target: &Path) -> io::Result<(PathBuf, File)> {
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::other("it is not a file name"))?
        .to_string_lossy();
    let pid = std::process::id();
    let dir = parent(target);
    let mut attempt = 0;
    loop {
        let suffix = match attempt {
            0 => String::new(),
            n => format!("-{n}"),
        };
        let temp = dir.join(format!(".{name}.bufpack-{pid}{suffix}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            // Left by an earlier run that had this process id and was killed.
            Err(e) if e.kind() == ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}
