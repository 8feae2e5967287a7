//! Real projects in temporary directories.

use prometeu_manifest::{CARTRIDGE_FILE, ConfigError, PROJECT_JSON_FILE, ProjectMeta};

/// The `[compiler]` section most tests do not care about.
pub const PREBUILT: &str = "[compiler]\nprebuilt = \"dist/program.pbx\"\n";

pub use prometeu_test_support::Project;

/// Project metadata on top of the shared fixture.
pub trait Metadata {
    /// A project holding only `cartridge.toml`.
    fn with_cartridge(text: &str) -> Project;
    /// Writes `prometeu.json`.
    fn prometeu_json(&self, text: &str);
    /// Loads the project's metadata.
    fn load(&self) -> Result<ProjectMeta, ConfigError>;
    /// Loads the project's metadata and expects an error.
    fn load_err(&self) -> ConfigError;
}

impl Metadata for Project {
    fn with_cartridge(text: &str) -> Project {
        let project = Project::new();
        project.write(CARTRIDGE_FILE, text);
        project
    }

    fn prometeu_json(&self, text: &str) {
        self.write(PROJECT_JSON_FILE, text);
    }

    fn load(&self) -> Result<ProjectMeta, ConfigError> {
        prometeu_manifest::load(&self.path)
    }

    fn load_err(&self) -> ConfigError {
        match self.load() {
            Ok(meta) => panic!("expected an error, loaded {meta:?}"),
            Err(e) => e,
        }
    }
}

/// Loads a `cartridge.toml` of `text` and expects an error.
pub fn cartridge_err(text: &str) -> ConfigError {
    Project::with_cartridge(text).load_err()
}

/// Asserts file, line, key, and that the message contains every fragment.
#[track_caller]
pub fn assert_error(e: &ConfigError, file: &str, line: Option<usize>, key: Option<&str>, fragments: &[&str]) {
    assert_eq!(e.file, file, "file of {e}");
    assert_eq!(e.line, line, "line of {e}");
    assert_eq!(e.key.as_deref(), key, "key of {e}");
    assert_eq!(e.line.is_some(), e.column.is_some(), "line and column go together: {e}");
    for fragment in fragments {
        assert!(e.message.contains(fragment), "message of {e:?} lacks {fragment:?}");
    }
}
