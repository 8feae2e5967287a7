//! `report` (and `play-prep --report`): one self-contained
//! `build/report.html` describing the last pack — asset table, sheets and
//! palettes, waveforms with a play control, the last gate's warnings and
//! the budgets. Every image and sound is inlined as a `data:` URI; the page
//! has no script and loads nothing from anywhere.

use std::fmt::Write as _;

use base64::Engine as _;
use camino::{Utf8Path, Utf8PathBuf};
use prometeu_manifest::Budget;
use prometeu_packer::{BUILD_DIR, LaneGuard, PALETTES_PER_BANK, PackUsage, SLOTS_PER_BANK_TYPE, SheetView, Unpacked};
use prometeu_play_prep::{BudgetReport, check_budget, log_path};
use serde_json::{Value, json};

use super::preview::{Decoded, decode_pack};
use crate::reporter::Reporter;
use crate::shared::{Cli, Exit, Stop};

/// How many times the report magnifies sheets, nearest neighbour (local):
/// an 8×8 tile becomes 16×16 on the page, a 256-pixel sheet 512.
pub(crate) const REPORT_SCALE: u32 = 2;

/// The report's file name under `build/` (local).
pub(crate) const REPORT_FILE: &str = "report.html";

pub(crate) fn run(cli: &Cli, project: &Utf8Path, out: &mut Reporter) -> Result<Exit, Stop> {
    let options = crate::shared::run_options(None, out);
    let lane = crate::shared::take_lane(cli, project, &options.cancel, out)?;
    let budget = prometeu_manifest::load(project).map(|m| m.budget).unwrap_or_default();
    let (path, budgets) = write_report(&lane, &budget)?;
    for check in budgets.exceeded() {
        say_exceeded(out, check, budgets.enforce);
    }
    out.data(path.as_str());
    out.note(&format!("wrote {path}"));
    out.result(Some("report"), &json!({"status": "success", "report": path, "budget": budgets}));
    Ok(Exit::Success)
}

/// A limit over budget: a warning, or an error when enforced.
pub(crate) fn say_exceeded(out: &Reporter, check: &prometeu_play_prep::BudgetCheck, enforce: bool) {
    if enforce {
        out.error(&format!("{} (enforced)", check.describe()));
    } else {
        out.note(&format!("warning: {}", check.describe()));
    }
}

/// Writes the report of the pack in `build/` (temporary file, then rename).
pub(crate) fn write_report(lane: &LaneGuard, budget: &Budget) -> Result<(Utf8PathBuf, BudgetReport), Stop> {
    let project = lane.project();
    let (inspection, decoded) = decode_pack(project)?;
    let usage = prometeu_packer::usage(&inspection.header, inspection.file_len);
    let budgets = check_budget(&usage, budget);
    let warnings = last_gate_warnings(project);
    let html = page(project, &decoded, &usage, &budgets, &warnings).map_err(Stop::failed)?;
    let path = lane.build_dir().join(REPORT_FILE);
    let temporary = lane.build_dir().join(format!(".{REPORT_FILE}.{}", std::process::id()));
    fs_err::write(&temporary, html)
        .and_then(|()| fs_err::rename(&temporary, &path))
        .map_err(|e| Stop::failed(format!("cannot write {path}: {e}")))?;
    Ok((path, budgets))
}

/// Warnings on the `pack-validation` channel of the newest kept log of a pack.
fn last_gate_warnings(project: &Utf8Path) -> Vec<String> {
    let logs = ["play-prep", "pack"].map(|command| log_path(project, command));
    let newest = logs.iter().filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p))).max_by_key(|(t, _)| *t);
    let Some((_, path)) = newest else { return Vec::new() };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|l| l["channel"] == "pack-validation" && l["severity"] == "WARN")
        .filter_map(|l| l["message"].as_str().map(str::to_owned))
        .collect()
}

fn page(
    project: &Utf8Path,
    decoded: &[Decoded],
    usage: &PackUsage,
    budgets: &BudgetReport,
    warnings: &[String],
) -> Result<String, String> {
    let mut html = String::new();
    html.push_str(HEAD);
    let _ = writeln!(
        html,
        "<h1>Build report</h1>\n<p>{BUILD_DIR}/assets.pa: {} bytes, {} assets</p>",
        usage.assets_pa_bytes,
        decoded.len()
    );
    budget_section(&mut html, usage, budgets);
    asset_table(&mut html, decoded, usage);
    warning_section(&mut html, warnings);
    for d in decoded {
        bank_section(&mut html, project, d)?;
    }
    html.push_str("</body>\n</html>\n");
    Ok(html)
}

const HEAD: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; media-src data:; style-src 'unsafe-inline'">
<title>Prometeu build report</title>
<style>
body { font-family: sans-serif; margin: 2em; background: #fafafa; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; }
th { background: #e8e8f0; }
td.num { text-align: right; }
tr.over td { background: #fff1c2; }
tr.over.blocking td { background: #ffd0d0; }
img.pixels { image-rendering: pixelated; border: 1px solid #888; }
img.sheet { background-color: #fff; background-image: linear-gradient(45deg, #ccc 25%, transparent 25%, transparent 75%, #ccc 75%), linear-gradient(45deg, #ccc 25%, transparent 25%, transparent 75%, #ccc 75%); background-size: 16px 16px; background-position: 0 0, 8px 8px; }
section { margin: 2em 0; }
</style>
</head>
<body>
"#;

fn budget_section(html: &mut String, usage: &PackUsage, budgets: &BudgetReport) {
    html.push_str("<section id=\"budgets\">\n<h2>Budgets</h2>\n<table>\n<tr><th>what</th><th>used</th><th>of</th><th>status</th></tr>\n");
    let row = |html: &mut String, what: &str, used: String, of: String| {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td class=\"num\">{used}</td><td class=\"num\">{of}</td><td>ok</td></tr>",
            escape(what)
        );
    };
    for bank in &usage.banks {
        let name = &bank.asset_name;
        if let Some((used, capacity)) = bank.cells {
            row(html, &format!("{name}: glyph cells"), used.to_string(), capacity.to_string());
        }
        if let Some(palettes) = bank.palettes {
            row(html, &format!("{name}: palettes authored"), palettes.to_string(), PALETTES_PER_BANK.to_string());
        }
        if let Some(seconds) = bank.seconds {
            row(html, &format!("{name}: sound seconds"), format!("{seconds:.3}"), "—".into());
            row(html, &format!("{name}: sound bytes"), bank.bytes.to_string(), "—".into());
        }
    }
    for (bank_type, used) in &usage.preload_slots {
        row(html, &format!("preload slots {bank_type}"), used.to_string(), SLOTS_PER_BANK_TYPE.to_string());
    }
    for check in &budgets.checks {
        let (class, status) = match (check.exceeded, budgets.enforce) {
            (false, _) => ("", "ok"),
            (true, false) => ("over", "warning: over budget"),
            (true, true) => ("over blocking", "blocking: over budget (enforce = true)"),
        };
        let used = if check.used.fract() == 0.0 { format!("{:.0}", check.used) } else { format!("{:.3}", check.used) };
        let _ = writeln!(
            html,
            "<tr class=\"{class}\" data-budget=\"{}\"><td>budget.{}</td><td class=\"num\">{used}</td><td class=\"num\">{}</td><td class=\"status\">{status}</td></tr>",
            check.key, check.key, check.limit
        );
    }
    html.push_str("</table>\n</section>\n");
}

fn asset_table(html: &mut String, decoded: &[Decoded], usage: &PackUsage) {
    html.push_str("<section id=\"assets\">\n<h2>Assets</h2>\n<table>\n<tr><th>id</th><th>name</th><th>family</th><th>bytes</th><th>share</th><th>preload slot</th></tr>\n");
    for d in decoded {
        let entry = &d.entry;
        let share = 100.0 * entry.size as f64 / usage.assets_pa_bytes.max(1) as f64;
        let slot = usage.banks.iter().find(|b| b.asset_id == entry.asset_id).and_then(|b| b.preload_slot);
        let _ = writeln!(
            html,
            "<tr class=\"asset\"><td class=\"num\">{}</td><td class=\"name\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{share:.1}%</td><td>{}</td></tr>",
            entry.asset_id,
            escape(&entry.asset_name),
            escape(d.family.as_deref().unwrap_or(&entry.bank_type)),
            entry.size,
            slot.map_or_else(|| "—".to_owned(), |s| s.to_string()),
        );
    }
    html.push_str("</table>\n</section>\n");
}

fn warning_section(html: &mut String, warnings: &[String]) {
    html.push_str("<section id=\"warnings\">\n<h2>Warnings of the last gate</h2>\n");
    if warnings.is_empty() {
        html.push_str("<p>none</p>\n");
    } else {
        html.push_str("<ul>\n");
        for w in warnings {
            let _ = writeln!(html, "<li>{}</li>", escape(w));
        }
        html.push_str("</ul>\n");
    }
    html.push_str("</section>\n");
}

fn bank_section(html: &mut String, project: &Utf8Path, d: &Decoded) -> Result<(), String> {
    let name = escape(&d.entry.asset_name);
    let _ = writeln!(html, "<section class=\"bank\">\n<h2>{name}</h2>");
    match &d.unpacked {
        Unpacked::Glyph(sheet) => {
            let view = SheetView {
                palettes: sheet.authored.clone(),
                grid: false,
                scale: REPORT_SCALE,
                layout: super::preview::artist_layout(project, d),
            };
            let png = prometeu_packer::sheet_png(sheet, &view)?;
            let palettes: Vec<String> = sheet.authored.iter().map(usize::to_string).collect();
            let _ = writeln!(
                html,
                "<p>sheet through palettes {} (left to right), each with its 16 colours below</p>\n<img class=\"pixels sheet\" alt=\"{name} sheet\" src=\"{}\">",
                palettes.join(", "),
                data_uri("image/png", &png)
            );
        }
        Unpacked::Sound(samples) => {
            for s in samples {
                let _ = writeln!(
                    html,
                    "<h3>sample {} — {} Hz, {} frames, {:.3} s</h3>\n<img alt=\"{name} sample {} waveform\" src=\"{}\"><br>\n<audio controls src=\"{}\"></audio>",
                    s.index,
                    s.sample_rate,
                    s.frames.len(),
                    s.seconds(),
                    s.index,
                    data_uri("image/png", &prometeu_packer::waveform_png(s)),
                    data_uri("audio/wav", &prometeu_packer::sample_wav(s)),
                );
            }
        }
    }
    html.push_str("</section>\n");
    Ok(())
}

fn data_uri(mime: &str, bytes: &[u8]) -> String {
    format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
