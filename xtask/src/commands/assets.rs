//! `assets list | register | include | exclude | forget | move`: the registry.

use camino::Utf8Path;
use prometeu_packer::{
    Code, LaneGuard, MaterializationConfig, MutationError, RegistryEntry, forget, move_root, normalize_root_arg,
    register, set_included, walk,
};
use prometeu_play_prep::Cancel;
use serde_json::json;

use crate::reporter::Reporter;
use crate::shared::{Cli, Exit, Stop, take_lane};

/// A registry mutation of one root.
type Mutation = Box<dyn Fn(&LaneGuard, &str) -> Result<RegistryEntry, MutationError>>;

pub(crate) fn run(cli: &Cli, project: &Utf8Path, command: &AssetsCommand, out: &mut Reporter) -> Result<Exit, Stop> {
    let arg = |root: &str| normalize_root_arg(root);
    let (root, mutate): (String, Mutation) = match command {
        AssetsCommand::List => return Ok(list_assets(project, out)),
        AssetsCommand::New(new) => return super::assets_new::run(cli, project, new, out),
        AssetsCommand::Show { root } => return super::assets_show::run(project, root, out),
        AssetsCommand::Register { root } => (arg(root), Box::new(register)),
        AssetsCommand::Include { root } => (arg(root), Box::new(|l, r| set_included(l, r, true))),
        AssetsCommand::Exclude { root } => (arg(root), Box::new(|l, r| set_included(l, r, false))),
        AssetsCommand::Forget { root } => (arg(root), Box::new(forget)),
        AssetsCommand::Move { from, to } => {
            let to = arg(to);
            (arg(from), Box::new(move |l, r| move_root(l, r, &to)))
        }
    };
    let lane = take_lane(cli, project, &Cancel::new(), out)?;
    match mutate(&lane, &root) {
        Ok(entry) => {
            out.note(&format!(
                "assets/{}: asset_id {}, included_in_build {}",
                entry.root, entry.asset_id, entry.included_in_build
            ));
            out.result(Some("assets"), &json!({"status": "success", "entry": entry}));
            Ok(Exit::Success)
        }
        Err(e) => {
            out.error(&crate::advice::with_help(&e.to_string(), &e.advice()));
            out.result(Some("assets"), &json!({"status": "failed", "error": e.to_string(), "advice": e.advice()}));
            Ok(Exit::Failed)
        }
    }
}

fn list_assets(project: &Utf8Path, out: &mut Reporter) -> Exit {
    let snapshot = walk(project, MaterializationConfig::runtime_checks());
    let assets: Vec<_> = snapshot
        .assets
        .iter()
        .map(|a| {
            json!({
                "asset_id": a.entry.asset_id,
                "asset_uuid": a.entry.asset_uuid,
                "asset_root": a.entry.root,
                "asset_name": a.name(),
                "family": a.declared.as_ref().map(|d| d.family.type_name()),
                "included_in_build": a.entry.included_in_build,
            })
        })
        .collect();
    out.data_lines(snapshot.assets.iter().map(|a| {
        let mark = if a.entry.included_in_build { "included" } else { "excluded" };
        format!("{:>5}  {:<24} {mark:<9} assets/{}", a.entry.asset_id, a.name().unwrap_or("?"), a.entry.root)
    }));
    out.diagnostics(&snapshot.workspace_diagnostics);
    // A registry that cannot be read lists nothing: that is a failure, not an empty list.
    let unreadable = snapshot.workspace_diagnostics.iter().any(|d| REGISTRY_UNREADABLE.contains(&d.code));
    if snapshot.assets.is_empty() && !unreadable {
        out.note(
            "no asset is registered; `cargo xtask assets new` creates one, `cargo xtask assets register` adds one",
        );
    }
    let status = if unreadable { "failed" } else { "success" };
    out.result(
        Some("assets"),
        &json!({"status": status, "assets": assets, "diagnostics": snapshot.workspace_diagnostics}),
    );
    if unreadable { Exit::Failed } else { Exit::Success }
}

/// The findings that mean the registry itself could not be read.
const REGISTRY_UNREADABLE: [Code; 4] =
    [Code::RegistryUnreadable, Code::RegistryInvalidJson, Code::RegistryMalformed, Code::RegistrySchemaVersion];

#[derive(Debug, clap::Subcommand)]
pub(crate) enum AssetsCommand {
    /// Every registered asset, included or not (one per line on stdout).
    List,
    /// Register a root under assets/ (it must hold an asset.json).
    Register { root: String },
    /// Include a registered asset in the build.
    Include { root: String },
    /// Exclude a registered asset from the build (it stays registered).
    Exclude { root: String },
    /// Unregister an asset; its id is never reused.
    Forget { root: String },
    /// Record that an asset's directory moved; it keeps its id and uuid.
    Move { from: String, to: String },
    /// Create an asset from its files: copy them, write asset.json, register it.
    #[command(subcommand)]
    New(crate::commands::assets_new::NewCommand),
    /// Print one asset as the packer sees it (inputs, artifacts, palettes, metadata, size).
    Show { root: String },
}
