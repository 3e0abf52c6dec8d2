//! Reading a configuration directory from disk and writing the starter configuration into one. The
//! parsing and validation itself is keepwarm-domain's.

use std::path::{Path, PathBuf};

use keepwarm_domain::config::{load_config, starter, Checked, ConfigError};

/// Largest configuration file read, in bytes.
const MAX_FILE: u64 = 4 * 1024 * 1024;

/// Reads every `.toml` file in `dir` and `dir/cadences/` and validates them. IO problems are reported
/// as configuration errors naming the file.
pub fn load_config_dir(dir: &Path) -> Result<Checked, Vec<ConfigError>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for (sub, path) in toml_files(dir, &mut errors) {
        let rel = if sub {
            format!("cadences/{}", file_name(&path))
        } else {
            file_name(&path)
        };
        match std::fs::metadata(&path) {
            Ok(m) if m.len() > MAX_FILE => errors.push(io_error(&rel, "larger than 4 MiB")),
            _ => match std::fs::read_to_string(&path) {
                Ok(text) => files.push((rel, text)),
                Err(e) => errors.push(io_error(&rel, &e.to_string())),
            },
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    load_config(&files)
}

/// The built-in starter configuration, validated.
pub fn load_starter() -> Result<Checked, Vec<ConfigError>> {
    load_config(&starter::files())
}

/// Writes the starter configuration into `dir` (created if missing). Refuses to overwrite an existing
/// file, so `init` never destroys someone's edits.
pub fn write_starter(dir: &Path) -> Result<Vec<PathBuf>, String> {
    for (rel, _) in starter::FILES {
        let path = dir.join(rel);
        if path.exists() {
            return Err(format!(
                "{} already exists; not overwriting",
                path.display()
            ));
        }
    }
    let mut written = Vec::new();
    for (rel, text) in starter::FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

fn toml_files(dir: &Path, errors: &mut Vec<ConfigError>) -> Vec<(bool, PathBuf)> {
    let mut out = Vec::new();
    for (sub, d) in [(false, dir.to_path_buf()), (true, dir.join("cadences"))] {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if sub && e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                errors.push(io_error(&d.display().to_string(), &e.to_string()));
                continue;
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        out.extend(paths.into_iter().map(|p| (sub, p)));
    }
    out
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn io_error(file: &str, message: &str) -> ConfigError {
    ConfigError {
        file: file.to_owned(),
        line: None,
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_written_by_init_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        write_starter(dir.path()).unwrap();
        let checked = load_config_dir(dir.path()).unwrap();
        assert_eq!(checked.config.cadences.len(), 7);
        assert!(write_starter(dir.path())
            .unwrap_err()
            .contains("already exists"));
    }

    #[test]
    fn a_missing_directory_is_a_clear_error() {
        let errors = load_config_dir(Path::new("/nonexistent/keepwarm")).unwrap_err();
        assert!(
            errors[0].to_string().starts_with("/nonexistent/keepwarm:"),
            "{}",
            errors[0]
        );
    }
}
