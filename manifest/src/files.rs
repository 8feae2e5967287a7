//! Reading the project's own configuration files, never outside the project.

use camino::Utf8Path;

use crate::error::ConfigError;

/// The largest `cartridge.toml` or `prometeu.json` read (local): a real one
/// is a few hundred bytes; the limit keeps a hostile file from exhausting memory.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Reads `project/name` as UTF-8 text; `Ok(None)` when the file does not exist.
///
/// The project rule "never read outside the project directory" holds for
/// configuration too: a symlink that resolves elsewhere is refused before
/// anything is read.
pub(crate) fn read_text(project: &Utf8Path, name: &str) -> Result<Option<String>, ConfigError> {
    let path = project.join(name);
    let target = match path.canonicalize_utf8() {
        Ok(target) => target,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unreadable(name, &path, &e)),
    };
    ensure_inside(project, name, &target)?;
    let bytes = prometeu_shape::read_regular(target.as_std_path(), MAX_CONFIG_BYTES)
        .map_err(|e| unreadable(name, &path, &e))?;
    decode(name, bytes).map(Some)
}

fn unreadable(name: &str, path: &Utf8Path, e: &std::io::Error) -> ConfigError {
    ConfigError::in_file(name, None, format!("cannot read {path}: {e}; make it a readable file"))
}

fn ensure_inside(project: &Utf8Path, name: &str, target: &Utf8Path) -> Result<(), ConfigError> {
    let base = project.canonicalize_utf8().map_err(|e| unreadable(name, project, &e))?;
    if target.starts_with(&base) {
        Ok(())
    } else {
        Err(ConfigError::in_file(
            name,
            None,
            format!("{name} resolves to {target}, outside the project {base}; keep the file inside the project"),
        ))
    }
}

/// UTF-8 decoding whose error points at the first bad byte; a leading
/// byte-order mark is dropped first, so positions count from the text.
fn decode(name: &str, mut bytes: Vec<u8>) -> Result<String, ConfigError> {
    let mark = bytes.len() - prometeu_shape::without_bom(&bytes).len();
    bytes.drain(..mark);
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        ConfigError::at(name, &text, valid, None, format!("{name} is not valid UTF-8; save it as UTF-8"))
    })
}
