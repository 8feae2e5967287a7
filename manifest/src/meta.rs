//! Project metadata: `cartridge.toml` with its defaults from `prometeu.json`,
//! checked by every rule of `docs/reference/project.md`.

use camino::Utf8Path;

use crate::cartridge::{self, Cartridge};
use crate::error::ConfigError;
use crate::project_json::{self, Field, ProjectJson};
use crate::values::{AppMode, Compiler, check_title, check_version};
use crate::{CARTRIDGE_FILE, PROJECT_JSON_FILE, files};

/// Everything the manifest and the build step need from the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectMeta {
    /// The cartridge's numeric id, 0 to `u32::MAX`: the required `app_id` of `cartridge.toml` (a local
    /// file), written unchanged as `app_id` in `manifest.json` (a key fixed by the console runtime).
    pub app_id: u32,
    /// Trimmed.
    pub title: String,
    /// A semver version, as written.
    pub app_version: String,
    /// `app_mode` of `cartridge.toml`, [`AppMode::Game`] when absent; written to `manifest.json` as
    /// [`AppMode::as_str`] spells it (the values are fixed by the console runtime).
    pub app_mode: AppMode,
    /// Deduplicated and sorted; unknown names kept as written.
    pub capabilities: Vec<String>,
    /// How the build step obtains `build/program.pbx`: the required `[compiler]` section. A local decision
    /// of this project; it never reaches `manifest.json`.
    pub compiler: Compiler,
    /// `[run].command`: how `play` starts the runtime (argv, no shell); the default when absent.
    pub run_command: Vec<String>,
    /// `[budget]`: size limits of the build; none by default.
    pub budget: crate::Budget,
    /// Findings that do not stop anything (unknown capability, …), each
    /// prefixed with `file:line:column:`.
    pub warnings: Vec<String>,
}

/// Reads `cartridge.toml` of `project`, with defaults from `prometeu.json`.
///
/// # Errors
/// The first problem found, in this order: `cartridge.toml` missing,
/// unreadable or invalid (syntax, unknown key, a value breaking its rule, a
/// missing `[compiler]`), then `prometeu.json` unreadable or invalid, then a
/// `title` or `app_version` with neither a value nor a usable default.
pub fn load(project: &Utf8Path) -> Result<ProjectMeta, ConfigError> {
    let text = files::read_text(project, CARTRIDGE_FILE)?.ok_or_else(|| no_cartridge(project))?;
    let cartridge = cartridge::parse(&text)?;
    let defaults = project_json::read(project)?;
    let title = match &cartridge.title {
        Some(title) => title.clone(),
        None => default_title(&defaults)?,
    };
    let app_version = match &cartridge.app_version {
        Some(version) => version.clone(),
        None => default_version(&defaults)?,
    };
    let Cartridge { app_id, app_mode, capabilities, compiler, run_command, budget, warnings, .. } = cartridge;
    Ok(ProjectMeta { app_id, title, app_version, app_mode, capabilities, compiler, run_command, budget, warnings })
}

fn no_cartridge(project: &Utf8Path) -> ConfigError {
    ConfigError::in_file(
        CARTRIDGE_FILE,
        None,
        format!("no {CARTRIDGE_FILE} in {project}; pass the project directory, or create {CARTRIDGE_FILE} there"),
    )
}

fn default_title(defaults: &ProjectJson) -> Result<String, ConfigError> {
    let name = usable_default(defaults, &defaults.name, "title", "name", "title = \"My Game\"")?;
    check_title(&name).map_err(|why| {
        let message = format!("`name` (the default `title`) {why}; fix it, or set `title` in {CARTRIDGE_FILE}");
        ConfigError::in_file(PROJECT_JSON_FILE, Some("name"), message)
    })
}

fn default_version(defaults: &ProjectJson) -> Result<String, ConfigError> {
    let version = usable_default(defaults, &defaults.version, "app_version", "version", "app_version = \"0.1.0\"")?;
    check_version(&version).map(|()| version).map_err(|why| {
        let message =
            format!("`version` (the default `app_version`) {why}; fix it, or set `app_version` in {CARTRIDGE_FILE}");
        ConfigError::in_file(PROJECT_JSON_FILE, Some("version"), message)
    })
}

/// The `prometeu.json` value standing in for cartridge key `key`, or an error
/// naming `key` and where to set it.
fn usable_default(
    defaults: &ProjectJson,
    field: &Field,
    key: &str,
    json_key: &str,
    example: &str,
) -> Result<String, ConfigError> {
    let why = match field {
        Field::Value(value) => return Ok(value.clone()),
        Field::NotString(found) => format!("{PROJECT_JSON_FILE} `{json_key}` is {found}, not a string"),
        Field::Absent if defaults.exists => format!("{PROJECT_JSON_FILE} has no `{json_key}`"),
        Field::Absent => format!("there is no {PROJECT_JSON_FILE} to take `{json_key}` from"),
    };
    let message =
        format!("missing `{key}`: {CARTRIDGE_FILE} does not set it and {why}; add `{example}` to {CARTRIDGE_FILE}");
    Err(ConfigError::in_file(CARTRIDGE_FILE, Some(key), message))
}
