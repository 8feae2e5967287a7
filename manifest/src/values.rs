//! The values of cartridge metadata and their rules: what the
//! `cartridge.toml` reader checks key by key and the loader checks again on
//! the defaults it takes from `prometeu.json`.

use std::time::Duration;

use prometeu_shape::PathRule;

/// Known capability names (local list; the runtime confirms `gfx`, `input` and
/// an asset capability). Other names are kept, with a warning.
pub const KNOWN_CAPABILITIES: &[&str] = &["gfx", "input", "audio", "asset", "fs", "log", "system"];
/// The capability a program needs to load its assets.
pub const ASSET_CAPABILITY: &str = "asset";
/// `title`: at most this many characters after trimming (local).
pub const TITLE_MAX_CHARS: usize = 64;

/// `app_mode` (fixed values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppMode {
    /// `"Game"`: the default when `cartridge.toml` has no `app_mode`.
    #[default]
    Game,
    /// `"System"`: only when written explicitly. What it changes at run time is up to the console runtime;
    /// this project checks the spelling and passes it on to `manifest.json`.
    System,
}

impl AppMode {
    /// Every mode, in the order messages list them: the only values `app_mode` accepts, matched exactly
    /// (case included) against [`AppMode::as_str`].
    pub const ALL: &[AppMode] = &[AppMode::Game, AppMode::System];

    /// The spelling in `cartridge.toml` and `manifest.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            AppMode::Game => "Game",
            AppMode::System => "System",
        }
    }

    /// Exact, case-sensitive; the error says what to write instead.
    pub(crate) fn parse(raw: &str) -> Result<AppMode, String> {
        if let Some(mode) = AppMode::ALL.iter().find(|m| m.as_str() == raw) {
            return Ok(*mode);
        }
        let accepted = AppMode::ALL.iter().map(|m| format!("\"{}\"", m.as_str())).collect::<Vec<_>>().join(" or ");
        match AppMode::ALL.iter().find(|m| m.as_str().eq_ignore_ascii_case(raw.trim())) {
            Some(mode) => Err(format!("is \"{raw}\"; write \"{}\" (spelling and case matter)", mode.as_str())),
            None => Err(format!("is \"{raw}\"; write {accepted}")),
        }
    }
}

/// How the build step obtains the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compiler {
    /// Run the compiler: an argv list, never passed through a shell, with
    /// placeholders (`cartridge::PLACEHOLDERS`) still unexpanded.
    Command {
        /// The program, then its arguments, exactly as listed in `[compiler].command`: never empty, and the
        /// program name is not blank. A name containing `/` is taken from the project directory, a bare
        /// name is looked up on `PATH`.
        argv: Vec<String>,
        /// `[compiler].timeout_secs`: whole seconds in 1..=[`crate::MAX_COMPILER_TIMEOUT_SECS`], or
        /// [`crate::DEFAULT_COMPILER_TIMEOUT_SECS`] when absent. A compiler still running after it is killed.
        timeout: Duration,
    },
    /// Copy a program compiled elsewhere; a project-relative `/` path.
    Prebuilt {
        /// `[compiler].prebuilt` as written, e.g. `dist/program.pbx`: non-empty, not absolute, `/`
        /// separators, no `..`, `.` or empty component. That it names a non-empty file inside the project
        /// and outside `build/` is checked when the build step copies it.
        path: String,
    },
}

/// Trims `raw` and checks the title rules; the error completes "`title` …".
pub(crate) fn check_title(raw: &str) -> Result<String, String> {
    let title = raw.trim();
    let chars = title.chars().count();
    if let Some(c) = title.chars().find(|c| c.is_control()) {
        return Err(format!("contains the control character U+{:04X}; remove it", u32::from(c)));
    }
    match chars {
        0 => Err(format!("is empty; write a title of 1 to {TITLE_MAX_CHARS} characters")),
        n if n > TITLE_MAX_CHARS => Err(format!("has {n} characters; shorten it to at most {TITLE_MAX_CHARS}")),
        _ => Ok(title.to_owned()),
    }
}

/// Checks that `raw` is a semver version; the error completes "`app_version` …".
pub(crate) fn check_version(raw: &str) -> Result<(), String> {
    semver::Version::parse(raw)
        .map(drop)
        .map_err(|e| format!("\"{raw}\" is not a semver version ({e}); write MAJOR.MINOR.PATCH, e.g. \"1.0.0\""))
}

/// The path rules for `[compiler].prebuilt` (the same as for every path in
/// the asset workspace); the error completes "`compiler.prebuilt` "…" …".
pub(crate) fn check_prebuilt_path(path: &str) -> Result<(), String> {
    const DO: &str = "write a path relative to the project directory with `/` separators, e.g. \"dist/program.pbx\"";
    let checked = if path.trim().is_empty() { Err(PathRule::Empty) } else { prometeu_shape::check_relative(path) };
    checked.map_err(|rule| {
        let why = match rule {
            PathRule::Empty => "is empty",
            PathRule::Backslash => "uses `\\`",
            PathRule::Absolute => "is absolute",
            PathRule::ParentComponent => "contains `..`, which could leave the project",
            PathRule::NotNormal => "has a `.` or empty component",
        };
        format!("{why}; {DO}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_is_trimmed_and_bounded() {
        assert_eq!(check_title("  Starter \n"), Ok("Starter".into()));
        assert_eq!(check_title(&"é".repeat(64)), Ok("é".repeat(64)));
        assert!(check_title(&"é".repeat(65)).unwrap_err().contains("has 65 characters"));
        assert!(check_title(" \t ").unwrap_err().contains("is empty"));
        assert!(check_title("a\u{7}b").unwrap_err().contains("U+0007"));
    }

    #[test]
    fn prebuilt_path_rules() {
        assert!(check_prebuilt_path("dist/program.pbx").is_ok());
        assert!(check_prebuilt_path("").unwrap_err().contains("is empty"));
        assert!(check_prebuilt_path("/abs/p.pbx").unwrap_err().contains("is absolute"));
        assert!(check_prebuilt_path("C:/p.pbx").unwrap_err().contains("is absolute"));
        assert!(check_prebuilt_path("dist\\p.pbx").unwrap_err().contains("`\\`"));
        assert!(check_prebuilt_path("../p.pbx").unwrap_err().contains("`..`"));
        assert!(check_prebuilt_path("a/../../p.pbx").unwrap_err().contains("`..`"));
        assert!(check_prebuilt_path("a..b/p.pbx").is_ok());
    }

    #[test]
    fn app_mode_is_exact() {
        assert_eq!(AppMode::parse("System"), Ok(AppMode::System));
        assert!(AppMode::parse("game").unwrap_err().contains("write \"Game\""));
        assert!(AppMode::parse("Arcade").unwrap_err().contains("\"Game\" or \"System\""));
    }
}
