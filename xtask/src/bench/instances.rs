//! Finding the benchmark files: `<name>.<capacity>.csv` (the challenging set) or any
//! `*.csv` (e.g. the suite of `cargo xtask gen --suite DIR`).

use std::path::{Path, PathBuf};

/// One benchmark file.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Instance {
    pub(crate) name: String,
    pub(crate) path: PathBuf,
    /// From the file name, when it has one (`A.1048576.csv`).
    pub(crate) capacity: Option<u64>,
}

/// `A.1048576.csv` -> (`A`, 1048576).
pub(crate) fn parse_instance_name(file_name: &str) -> Option<(String, u64)> {
    let stem = file_name.strip_suffix(".csv")?;
    let (name, capacity) = stem.rsplit_once('.')?;
    if name.is_empty() {
        return None;
    }
    Some((name.to_string(), capacity.parse().ok()?))
}

/// The instance name and capacity of any `*.csv` file: `A.1048576.csv` -> (`A`,
/// Some(1048576)), `cnn-1000.csv` -> (`cnn-1000`, None).
pub(crate) fn instance_name(file_name: &str) -> Option<(String, Option<u64>)> {
    if let Some((name, capacity)) = parse_instance_name(file_name) {
        return Some((name, Some(capacity)));
    }
    let stem = file_name.strip_suffix(".csv")?;
    (!stem.is_empty()).then(|| (stem.to_string(), None))
}

/// The number of data lines of a CSV (non-blank lines after the header).
pub(crate) fn count_buffers(csv: &str) -> usize {
    let mut lines = csv.lines().filter(|line| !line.trim().is_empty());
    let Some(first) = lines.next() else {
        return 0;
    };
    let is_header = !first.trim_start().starts_with(|c: char| c.is_ascii_digit());
    lines.count() + usize::from(!is_header)
}

/// All `*.csv` files in `dir`, sorted by name.
pub(crate) fn discover(dir: &Path) -> Result<Vec<Instance>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some((name, capacity)) = instance_name(&file_name) else {
            continue;
        };
        if entry.path().is_file() {
            found.push(Instance {
                name,
                path: entry.path(),
                capacity,
            });
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// Keeps the `wanted` instances, in the order given.
pub(crate) fn select(all: Vec<Instance>, wanted: &[String]) -> Result<Vec<Instance>, String> {
    wanted
        .iter()
        .map(|name| {
            all.iter()
                .find(|i| i.name.eq_ignore_ascii_case(name))
                .cloned()
                .ok_or_else(|| {
                    let names: Vec<&str> = all.iter().map(|i| i.name.as_str()).collect();
                    format!("no instance `{name}` (found: {})", names.join(","))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_names_and_buffers() {
        assert_eq!(
            parse_instance_name("A.1048576.csv"),
            Some(("A".to_string(), 1_048_576))
        );
        assert_eq!(
            parse_instance_name("input.12.csv"),
            Some(("input".to_string(), 12))
        );
        assert_eq!(parse_instance_name("A.csv"), None);
        assert_eq!(parse_instance_name(".12.csv"), None);
        assert_eq!(parse_instance_name("A.1048576.txt"), None);
        assert_eq!(
            count_buffers("id,lower,upper,size\n0,0,1,2\n1,1,2,3\n\n"),
            2
        );
        assert_eq!(count_buffers("0,0,1,2\n1,1,2,3\n"), 2);
        assert_eq!(count_buffers("id,lower,upper,size\n"), 0);
        assert_eq!(count_buffers(""), 0);
    }

    #[test]
    fn any_csv_names() {
        assert_eq!(
            instance_name("A.1048576.csv"),
            Some(("A".to_string(), Some(1_048_576)))
        );
        assert_eq!(
            instance_name("cnn-1000.csv"),
            Some(("cnn-1000".to_string(), None))
        );
        assert_eq!(
            instance_name("v1.2.x.csv"),
            Some(("v1.2.x".to_string(), None))
        );
        assert_eq!(instance_name(".12.csv"), Some((".12".to_string(), None)));
        assert_eq!(instance_name(".csv"), None);
        assert_eq!(instance_name("notes.md"), None);
    }

    #[test]
    fn discovers_and_selects() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-discover-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub.csv")).unwrap();
        for name in ["training-1000.csv", "B.64.csv", "cnn-1000.csv", "README.md"] {
            std::fs::write(dir.join(name), "id,lower,upper,size\n").unwrap();
        }
        let all = discover(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        let all = all.unwrap();
        let names: Vec<(&str, Option<u64>)> =
            all.iter().map(|i| (i.name.as_str(), i.capacity)).collect();
        assert_eq!(
            names,
            [("B", Some(64)), ("cnn-1000", None), ("training-1000", None)]
        );
        let wanted = ["Training-1000".to_string(), "b".to_string()];
        let picked = select(all.clone(), &wanted).unwrap();
        assert_eq!(picked[0].name, "training-1000");
        assert_eq!(picked[1].name, "B");
        let err = select(all, &["K".to_string()]).unwrap_err();
        assert_eq!(err, "no instance `K` (found: B,cnn-1000,training-1000)");
        assert!(discover(Path::new("/no/such/dir")).is_err());
    }
}
