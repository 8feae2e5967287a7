//! `assets show <root>`: one asset as the packer sees it. The data goes to
//! stdout (human text or, with `--message-format json`, the result object).

use camino::Utf8Path;
use prometeu_packer::{AssetView, normalize_root_arg, show_asset};
use serde_json::json;

use crate::reporter::Reporter;
use crate::shared::{Exit, Stop};

pub(crate) fn run(project: &Utf8Path, root: &str, out: &mut Reporter) -> Result<Exit, Stop> {
    let root = normalize_root_arg(root);
    let Some(view) = show_asset(project, &root) else {
        let hint = match prometeu_packer::suggest_root(project, &root) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "`cargo xtask assets list` shows the registered ones".to_owned(),
        };
        return Err(Stop::failed(format!("`{root}` is not a registered root; {hint}")));
    };
    for line in human(&view).lines() {
        out.data(line);
    }
    out.diagnostics(&view.diagnostics);
    let blocked = prometeu_packer::any_blocking(&view.diagnostics);
    out.result(Some("assets"), &json!({"status": if blocked { "failed" } else { "success" }, "asset": view}));
    Ok(if blocked { Exit::Failed } else { Exit::Success })
}

fn human(view: &AssetView) -> String {
    let unknown = || "?".to_owned();
    let mut text = format!(
        "asset_id      {}\nasset_uuid    {}\nroot          assets/{}\nincluded      {}\nname          {}\ntype          {}\nformat        {}\n",
        view.asset_id,
        view.asset_uuid,
        view.asset_root,
        view.included_in_build,
        view.asset_name.clone().unwrap_or_else(unknown),
        view.family.unwrap_or("?"),
        view.format.clone().unwrap_or_else(unknown),
    );
    for (role, paths) in &view.inputs {
        let main = if Some(role.as_str()) == view.main_role { " (artifacts)" } else { "" };
        text.push_str(&format!("inputs.{role}{main}: {}\n", paths.join(", ")));
    }
    for artifact in &view.artifacts {
        let looped = artifact.loop_points().map(|l| format!("  loop {}..{}", l.start, l.end)).unwrap_or_default();
        text.push_str(&format!(
            "artifact {:>4}  {}  {} bytes{looped}\n",
            artifact.index,
            artifact.path(),
            artifact.size
        ));
    }
    if let Some(palettes) = view.palettes.as_ref().and_then(|p| p.as_array()) {
        for entry in palettes {
            let colors = entry
                .pointer("/palette/colors")
                .and_then(|c| c.as_array())
                .map(|c| c.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(" "));
            text.push_str(&format!("palette {:>2}    {}\n", entry["index"], colors.unwrap_or_default()));
        }
    }
    match view.preload_slot {
        Some(slot) => text.push_str(&format!("preload       slot {slot}\n")),
        None => text.push_str("preload       off\n"),
    }
    if let Some(metadata) = &view.metadata {
        text.push_str(&format!("metadata      {}\n", serde_json::Value::Object(metadata.clone())));
    }
    if let (Some(size), Some(decoded)) = (view.size, view.decoded_size) {
        text.push_str(&format!("size          {size} bytes in assets.pa, {decoded} bytes decoded\n"));
    }
    text
}
