//! Finding the project: the first directory, walking up, that holds `cartridge.toml`.

use camino::{Utf8Path, Utf8PathBuf};

use crate::CARTRIDGE_FILE;
use crate::error::ConfigError;

/// Walks up from `start` (itself included) to the first directory holding
/// `cartridge.toml` and returns it, absolute. A relative `start` is taken
/// from the current directory.
///
/// # Errors
/// No directory up to the filesystem root holds `cartridge.toml`; the error's
/// `file` and message name the directory the search started from.
pub fn find_project(start: &Utf8Path) -> Result<Utf8PathBuf, ConfigError> {
    let start = absolute(start)?;
    start
        .ancestors()
        .find(|dir| dir.join(CARTRIDGE_FILE).is_file())
        .map(Utf8Path::to_path_buf)
        .ok_or_else(|| not_found(&start))
}

fn absolute(start: &Utf8Path) -> Result<Utf8PathBuf, ConfigError> {
    let path = std::path::absolute(start).map_err(|e| {
        ConfigError::in_file(start.as_str(), None, format!("cannot make {start} absolute to search for a project: {e}"))
    })?;
    Utf8PathBuf::from_path_buf(path).map_err(|path| {
        ConfigError::in_file(
            start.as_str(),
            None,
            format!("{} is not valid UTF-8; run from a directory whose path is UTF-8", path.display()),
        )
    })
}

fn not_found(start: &Utf8Path) -> ConfigError {
    ConfigError::in_file(
        start.as_str(),
        None,
        format!(
            "no {CARTRIDGE_FILE} in {start} or any directory above it; \
             run inside a project directory"
        ),
    )
}
