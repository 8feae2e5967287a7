//! Real projects in temporary directories.

#![allow(dead_code)]

use camino::{Utf8Path, Utf8PathBuf};

use prometeu_manifest::{CARTRIDGE_FILE, ConfigError, PROJECT_JSON_FILE, ProjectMeta};

/// The `[compiler]` section most tests do not care about.
pub const PREBUILT: &str = "[compiler]\nprebuilt = \"dist/program.pbx\"\n";

pub struct Project {
    _dir: tempfile::TempDir,
    pub root: Utf8PathBuf,
}

impl Project {
    pub fn new() -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = Utf8Path::from_path(dir.path()).expect("UTF-8 temp dir").to_path_buf();
        Project { _dir: dir, root }
    }

    /// A project holding only `cartridge.toml`.
    pub fn with_cartridge(text: &str) -> Project {
        let project = Project::new();
        project.write(CARTRIDGE_FILE, text);
        project
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent).expect("create dirs");
        }
        fs_err::write(path, text).expect("write file");
    }

    pub fn prometeu_json(&self, text: &str) {
        self.write(PROJECT_JSON_FILE, text);
    }

    pub fn load(&self) -> Result<ProjectMeta, ConfigError> {
        prometeu_manifest::load(&self.root)
    }

    pub fn load_err(&self) -> ConfigError {
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
