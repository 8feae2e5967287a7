//! `new <dir>`: a game project with its own `cargo xtask`.

use camino::Utf8PathBuf;
use serde_json::json;

use crate::reporter::Reporter;
use crate::scaffold::{self, ToolSource};
use crate::shared::{Exit, Stop};

#[derive(Debug, clap::Args)]
pub(crate) struct NewArgs {
    /// The directory to create (it must not exist, or be empty); its name becomes the title.
    dir: Utf8PathBuf,
    /// Take the tool from this git repository instead of this checkout.
    #[arg(long, value_name = "URL", conflicts_with = "path")]
    git: Option<String>,
    /// With `--git`: pin this revision (a commit, tag or branch).
    #[arg(long, value_name = "REV", requires = "git")]
    rev: Option<String>,
    /// Take the tool from this checkout directory (default: the one this command was built from).
    #[arg(long, value_name = "DIR")]
    path: Option<Utf8PathBuf>,
    /// Do not run `git init` or install the pre-commit hook.
    #[arg(long)]
    no_git: bool,
}

pub(crate) fn run(args: &NewArgs, out: &mut Reporter) -> Result<Exit, Stop> {
    let tool = match (&args.git, &args.path) {
        (Some(url), _) => ToolSource::Git { url: url.clone(), rev: args.rev.clone() },
        (None, Some(path)) => {
            ToolSource::Path(path.canonicalize_utf8().map_err(|e| Stop::usage(format!("--path {path}: {e}")))?)
        }
        (None, None) => ToolSource::this_checkout(),
    };
    let created = scaffold::create(&args.dir, &tool, !args.no_git).map_err(Stop::failed)?;
    out.note(&format!("created the game project `{}` in {}", created.name, created.dir));
    if !created.git_initialised && !args.no_git {
        out.note("it is inside a git repository (or git is missing): install the hook with `git config core.hooksPath .githooks` from the game's repository root");
    }
    if let ToolSource::Path(checkout) = &tool {
        out.note(&path_dependency_note(checkout));
    }
    out.note(&format!("next:\n  cd {}\n  cargo xtask play-prep", args.dir));
    out.result(Some("new"), &json!({"status": "success", "project": created}));
    Ok(Exit::Success)
}

/// A path dependency builds only where the checkout sits at the same place
/// relative to the game: say so, and how to pin a repository instead.
fn path_dependency_note(checkout: &camino::Utf8Path) -> String {
    let remote = crate::git::git(checkout, &["remote", "get-url", "origin"], None)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(|url| url.trim().to_owned())
        .filter(|url| !url.is_empty());
    let pin = match remote {
        Some(url) => format!("`cargo xtask new DIR --git {url} --rev <commit>` (this checkout's remote)"),
        None => "`cargo xtask new DIR --git URL --rev <commit>` with the tool's repository".to_owned(),
    };
    format!(
        "the game depends on the tool by path ({checkout}): a teammate's clone builds only with the tool \
         checked out at the same place beside it; to share the game, pin a repository instead: {pin}"
    )
}
