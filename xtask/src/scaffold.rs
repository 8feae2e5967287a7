//! `cargo xtask new`: a game project that is a cargo-xtask workspace of its
//! own, shaped like `templates/starter` (whose files it reuses): the
//! `xtask` alias and crate, the metadata, an empty asset workspace, the
//! pre-commit hook and the CI workflow.
//!
//! The project appears whole or not at all: it is written into a hidden
//! sibling directory and renamed into place as the last step.

use camino::{Utf8Component, Utf8Path, Utf8PathBuf};
use fs_err as fs;

use crate::git::{GitError, git};

/// Files taken as they are from the starter, so the starter and a new game
/// can never drift apart: (path in the project, contents, executable).
const FROM_STARTER: &[(&str, &[u8], bool)] = &[
    ("Cargo.toml", include_bytes!("../../templates/starter/Cargo.toml"), false),
    // The starter's tested dependency versions; cargo adjusts it for `--git`.
    ("Cargo.lock", include_bytes!("../../templates/starter/Cargo.lock"), false),
    ("xtask/src/main.rs", include_bytes!("../../templates/starter/xtask/src/main.rs"), false),
    (".gitignore", include_bytes!("../../templates/starter/.gitignore"), false),
    (".githooks/pre-commit", include_bytes!("../../templates/starter/.githooks/pre-commit"), true),
    (
        ".github/workflows/play-prep.yml",
        include_bytes!("../../templates/starter/.github/workflows/play-prep.yml"),
        false,
    ),
    ("dist/program.pbx", include_bytes!("../../templates/starter/dist/program.pbx"), false),
];

/// The game's cargo configuration: the starter's `cargo xtask` alias, and
/// with a tool from a checkout the target directory (`ToolSource::cargo_config`).
const CARGO_CONFIG: &str = ".cargo/config.toml";
const STARTER_CARGO_CONFIG: &str = include_str!("../../templates/starter/.cargo/config.toml");

/// The starter's target directory, relative to the checkout (local): a game
/// that takes the tool from a checkout builds into it, so the tool the
/// README's first command compiled is not compiled again.
pub(crate) const STARTER_TARGET_DIR: &str = "templates/starter/target";

/// Where the game's xtask crate gets this tool from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ToolSource {
    /// A checkout on this machine (its root directory).
    Path(Utf8PathBuf),
    /// A git repository, optionally pinned to a revision.
    Git { url: String, rev: Option<String> },
}

impl ToolSource {
    /// The checkout this binary was compiled from.
    pub(crate) fn this_checkout() -> ToolSource {
        let xtask_crate = Utf8Path::new(env!("CARGO_MANIFEST_DIR"));
        ToolSource::Path(xtask_crate.parent().expect("the xtask crate sits in the checkout").to_owned())
    }

    /// The dependency line of `xtask/Cargo.toml` for a project in `project`.
    fn dependency(&self, project: &Utf8Path) -> String {
        match self {
            ToolSource::Path(checkout) => {
                let path = relative_path(&project.join("xtask"), &checkout.join("xtask"));
                format!("prometeu-xtask = {{ path = {} }}", toml_string(path.as_str()))
            }
            ToolSource::Git { url, rev: Some(rev) } => {
                format!("prometeu-xtask = {{ git = {}, rev = {} }}", toml_string(url), toml_string(rev))
            }
            ToolSource::Git { url, rev: None } => format!("prometeu-xtask = {{ git = {} }}", toml_string(url)),
        }
    }

    /// The game's `.cargo/config.toml`: the starter's, byte for byte, and
    /// with a checkout on this machine the starter's target directory too.
    /// Both workspaces have the same lock file, profile and path to the
    /// tool, so cargo reuses every compiled crate of the tool and builds
    /// only the game's few-line `xtask` crate. A tool from git is compiled
    /// from its own source: nothing to share.
    fn cargo_config(&self, project: &Utf8Path) -> String {
        let ToolSource::Path(checkout) = self else { return STARTER_CARGO_CONFIG.to_owned() };
        let starter = checkout.join(STARTER_TARGET_DIR);
        if !starter.parent().is_some_and(|dir| dir.join("Cargo.toml").is_file()) {
            return STARTER_CARGO_CONFIG.to_owned();
        }
        let target = relative_path(project, &starter);
        format!(
            "{STARTER_CARGO_CONFIG}\n\
             # Written by `cargo xtask new`: the tool is a checkout on this machine, so\n\
             # the game builds into that checkout's starter target directory, where the\n\
             # tool is already compiled. Remove these two lines with the path dependency\n\
             # (when the game pins the tool with `--git`).\n\
             [build]\n\
             target-dir = {}\n",
            toml_string(target.as_str())
        )
    }
}

/// What `new` made, for the command to report.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Created {
    pub(crate) dir: Utf8PathBuf,
    pub(crate) name: String,
    /// Whether `new` ran `git init` and installed the hook.
    pub(crate) git_initialised: bool,
}

/// Creates the game project `dir`, which must not exist or be empty.
pub(crate) fn create(dir: &Utf8Path, tool: &ToolSource, init_git: bool) -> Result<Created, String> {
    let dir = absolute(dir)?;
    let name = dir.file_name().ok_or_else(|| format!("{dir} names no directory"))?.to_owned();
    let parent = dir.parent().ok_or_else(|| format!("{dir} has no parent directory"))?;
    refuse_occupied(&dir)?;
    fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    let parent = parent.canonicalize_utf8().map_err(|e| format!("{parent}: {e}"))?;
    let dir = parent.join(&name);
    let inside_repository = init_git && inside_git_work_tree(&parent);
    let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
    let written = write_project(&staging, &dir, &name, tool)
        .and_then(|()| if init_git && !inside_repository { git_init(&staging) } else { Ok(false) });
    let git_initialised = match written {
        Ok(done) => done,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    // An empty directory given as the target is replaced by the new one.
    if dir.is_dir() {
        fs::remove_dir(&dir).map_err(|e| e.to_string())?;
    }
    fs::rename(&staging, &dir).map_err(|e| {
        let _ = fs::remove_dir_all(&staging);
        e.to_string()
    })?;
    Ok(Created { dir, name, git_initialised })
}

fn absolute(dir: &Utf8Path) -> Result<Utf8PathBuf, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let cwd = Utf8PathBuf::try_from(cwd).map_err(|e| format!("the current directory is not UTF-8: {e}"))?;
    Ok(normalise(&cwd.join(dir)))
}

/// `a/b/../c` → `a/c`, without touching the file system (the target may not exist).
fn normalise(path: &Utf8Path) -> Utf8PathBuf {
    let mut out = Utf8PathBuf::new();
    for component in path.components() {
        match component {
            Utf8Component::ParentDir => {
                out.pop();
            }
            Utf8Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn refuse_occupied(dir: &Utf8Path) -> Result<(), String> {
    match fs::read_dir(dir).map(|mut entries| entries.next().is_some()) {
        Ok(true) => Err(format!("{dir} already exists and is not empty; choose a new directory")),
        Ok(false) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) if dir.exists() => Err(format!("{dir} exists and is not a directory we can use: {e}")),
        Err(e) => Err(e.to_string()),
    }
}

fn write_project(staging: &Utf8Path, dir: &Utf8Path, name: &str, tool: &ToolSource) -> Result<(), String> {
    let io = |e: std::io::Error| format!("cannot write the new project: {e}");
    for (path, bytes, executable) in FROM_STARTER {
        write(staging, path, bytes, *executable).map_err(io)?;
    }
    let registry = prometeu_packer::registry_bytes(&prometeu_packer::Registry::empty()).map_err(io)?;
    let generated: [(&str, String); 6] = [
        (CARGO_CONFIG, tool.cargo_config(dir)),
        ("xtask/Cargo.toml", xtask_manifest(&tool.dependency(dir))),
        ("cartridge.toml", cartridge(name)),
        ("prometeu.json", prometeu_json(name)),
        ("src/main.pbs", MAIN_PBS.replace("{name}", name)),
        ("README.md", readme(name)),
    ];
    for (path, text) in generated {
        write(staging, path, text.as_bytes(), false).map_err(io)?;
    }
    write(staging, prometeu_packer::REGISTRY_PATH, &registry, false).map_err(io)
}

fn write(root: &Utf8Path, path: &str, bytes: &[u8], executable: bool) -> std::io::Result<()> {
    let path = root.join(path);
    fs::create_dir_all(path.parent().expect("files sit in a directory"))?;
    fs::write(&path, bytes)?;
    if executable {
        crate::platform::set_executable(path.as_std_path())?;
    }
    Ok(())
}

fn xtask_manifest(dependency: &str) -> String {
    format!(
        "[package]\nname = \"xtask\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n# The Prometeu Play preparation; `main` hands it the command line.\n{dependency}\n"
    )
}

fn cartridge(name: &str) -> String {
    format!(
        "# Cartridge metadata (keys: see the Prometeu project reference).\n\
         app_id = {app_id}\n\
         title = {title}\n\
         app_version = \"0.1.0\"\n\
         app_mode = \"Game\"\n\
         capabilities = [\"gfx\", \"input\", \"audio\", \"asset\"]\n\
         \n\
         [compiler]\n\
         # A placeholder program until the PBS compiler is installed: then replace\n\
         # `prebuilt` with the compiler's command line (run directly, no shell):\n\
         # command = [\"pbsc\", \"build\", \"{{project}}\", \"--out\", \"{{output}}\"]\n\
         prebuilt = \"dist/program.pbx\"\n",
        app_id = random_app_id(),
        title = toml_string(&title_for(name)),
    )
}

/// A title the manifest accepts: the directory name, or a stand-in when
/// the name breaks the title rules.
fn title_for(name: &str) -> String {
    let trimmed = name.trim();
    let ok = !trimmed.is_empty()
        && trimmed.chars().count() <= prometeu_manifest::TITLE_MAX_CHARS
        && !trimmed.chars().any(char::is_control);
    if ok { trimmed.to_owned() } else { "My Game".to_owned() }
}

/// Two games made with `new` should not share an `app_id` by accident.
fn random_app_id() -> u32 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u32::from_le_bytes(bytes).max(1),
        Err(_) => std::process::id().max(1),
    }
}

fn prometeu_json(name: &str) -> String {
    let value = serde_json::json!({
        "name": name,
        "version": "0.1.0",
        "entry": "src/main.pbs",
        "source_dirs": ["src"],
        "dependencies": {}
    });
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
    text.push('\n');
    text
}

const MAIN_PBS: &str = "// {name}: the game's entry point (prometeu.json `entry`).\n\n\
import gfx;\nimport input;\n\nfn update() {\n}\n\nfn draw() {\n    gfx.clear(0);\n}\n";

fn readme(name: &str) -> String {
    README.replace("{name}", name)
}

const README: &str = include_str!("scaffold/README.md");

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// `to` relative to `from` when both are absolute (`../../tool/xtask`).
fn relative_path(from: &Utf8Path, to: &Utf8Path) -> Utf8PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common <= 1 {
        // Nothing shared but the root: an absolute path reads better.
        return to.iter().collect();
    }
    let ups = std::iter::repeat_n(Utf8Component::ParentDir, from.len() - common);
    ups.chain(to[common..].iter().copied()).collect()
}

fn inside_git_work_tree(dir: &Utf8Path) -> bool {
    git(dir, &["rev-parse", "--is-inside-work-tree"], None).is_ok()
}

/// `git init` plus the hook, as `cargo new` initialises a repository; false
/// when git is not installed.
fn git_init(dir: &Utf8Path) -> Result<bool, String> {
    match git(dir, &["init", "--quiet"], None) {
        Err(GitError::Missing) => return Ok(false),
        Err(e) => return Err(e.to_string()),
        Ok(_) => {}
    }
    git(dir, &["config", "core.hooksPath", ".githooks"], None).map_err(|e| format!("cannot install the hook: {e}"))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_to_the_common_ancestor() {
        let rel = relative_path(Utf8Path::new("/work/games/my-game/xtask"), Utf8Path::new("/work/tool/xtask"));
        assert_eq!(rel, "../../../tool/xtask");
        let abs = relative_path(Utf8Path::new("/home/a/game/xtask"), Utf8Path::new("/opt/tool/xtask"));
        assert_eq!(abs, "/opt/tool/xtask");
    }

    #[test]
    fn dependency_lines_are_valid_toml() {
        let git = ToolSource::Git { url: "https://example.org/prometeu.git".into(), rev: Some("abc123".into()) };
        let line = git.dependency(Utf8Path::new("/g"));
        let parsed: toml::Table = toml::from_str(&line).unwrap();
        assert_eq!(parsed["prometeu-xtask"]["rev"].as_str(), Some("abc123"));
    }

    #[test]
    fn titles_fall_back_when_the_name_breaks_the_rules() {
        assert_eq!(title_for("my-game"), "my-game");
        assert_eq!(title_for(&"x".repeat(65)), "My Game");
    }
}
