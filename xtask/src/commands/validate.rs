//! `validate`: every check of the pack and of `cartridge.toml`, read-only;
//! the pre-commit gate (`--staged`: what the git index holds).

use camino::Utf8Path;
use prometeu_packer::{Diagnostic, Validation};
use serde_json::json;

use crate::reporter::Reporter;
use crate::shared::{Exit, Stop, Threads, config_json};

pub(crate) fn run(project: &Utf8Path, args: &ValidateArgs, out: &mut Reporter) -> Result<Exit, Stop> {
    let staged = if args.staged { Some(crate::staged::export(project)?) } else { None };
    let checked = staged.as_ref().map_or(project, |tree| tree.project());
    if !checked.join(prometeu_manifest::CARTRIDGE_FILE).is_file() {
        let file = prometeu_manifest::CARTRIDGE_FILE;
        return Err(Stop::usage(format!("{file} is not staged; add it with `git add {file}`")));
    }
    let config = check_config(checked, out);
    let (validation, usage) = prometeu_packer::validate_with_usage(checked, args.threads.count());
    let budget = config.budget.as_ref().map(|b| prometeu_play_prep::check_budget(&usage, b));
    if let Some(report) = &budget {
        for check in report.exceeded() {
            super::report::say_exceeded(out, check, report.enforce);
        }
    }
    let over_enforced = budget.as_ref().is_some_and(|b| b.blocked);
    let findings = findings(&validation);
    out.diagnostics(&findings);
    let blocked = findings.iter().filter(|d| d.is_blocking()).count();
    let what = if args.staged { "the staged files" } else { "the project" };
    match (&config.error, validation.passed) {
        (None, true) => out.note(&format!(
            "validation of {what} passed ({})",
            prometeu_packer::counted(validation.warnings.len(), "warning")
        )),
        (None, false) => out.error(&format!(
            "validation of {what} failed: {}",
            prometeu_packer::counted(blocked, "blocking diagnostic")
        )),
        (Some(_), _) => out.error(&format!(
            "validation of {what} failed: the project configuration is invalid (see above); {blocked} blocking asset diagnostics"
        )),
    }
    let status = if validation.passed && config.error.is_none() && !over_enforced { "success" } else { "failed" };
    let result = json!({
        "status": status,
        "staged": args.staged,
        "config": {"error": config.error.as_ref().map(config_json), "warnings": config.warnings},
        "validation": validation,
        "budget": budget,
        "usage": usage,
    });
    out.result(Some("validate"), &result);
    Ok(match (&config.error, validation.passed) {
        (Some(_), _) => Exit::Usage,
        (None, true) if !over_enforced => Exit::Success,
        (None, _) => Exit::Failed,
    })
}

/// What loading `cartridge.toml` (and `prometeu.json`) found.
struct ConfigCheck {
    error: Option<prometeu_manifest::ConfigError>,
    warnings: Vec<String>,
    /// `[budget]`, when the configuration loaded.
    budget: Option<prometeu_manifest::Budget>,
}

fn check_config(project: &Utf8Path, out: &Reporter) -> ConfigCheck {
    match prometeu_manifest::load(project) {
        Ok(meta) => {
            for warning in &meta.warnings {
                out.note(&format!("warning: {}: {warning}", prometeu_manifest::CARTRIDGE_FILE));
            }
            ConfigCheck { error: None, warnings: meta.warnings, budget: Some(meta.budget) }
        }
        Err(error) => {
            out.config_error(&error);
            ConfigCheck { error: Some(error), warnings: Vec::new(), budget: None }
        }
    }
}

/// Every finding, blocking ones first, as the gate orders them.
fn findings(validation: &Validation) -> Vec<Diagnostic> {
    let blocking = validation.workspace.iter().chain(validation.assets.iter().flat_map(|a| &a.diagnostics));
    blocking.chain(&validation.warnings).cloned().collect()
}

#[derive(Debug, clap::Args)]
pub(crate) struct ValidateArgs {
    #[command(flatten)]
    pub(crate) threads: Threads,
    /// Check what is staged in git (the index), not the working tree; what a commit would record.
    #[arg(long)]
    pub(crate) staged: bool,
}
