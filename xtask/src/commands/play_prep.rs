//! `play-prep`: build → pack → manifest, then the budgets (and with
//! `--report`, build/report.html).

use camino::Utf8Path;
use prometeu_play_prep::{RunOptions, StepStatus, log_path};
use serde_json::{Value, json};

use crate::reporter::Reporter;
use crate::shared::{Cli, Exit, Stop, Threads, exit_for, load_meta, run_options, take_lane};

pub(crate) fn run(cli: &Cli, project: &Utf8Path, args: &PlayPrepArgs, out: &mut Reporter) -> Result<Exit, Stop> {
    let options = run_options(args.threads.count(), out);
    let prepared = prepare(cli, project, &options, args.report, out)?;
    out.result(Some("play-prep"), &prepared.result);
    Ok(prepared.exit)
}

/// One preparation's outcome.
pub(crate) struct Prepared {
    pub(crate) exit: Exit,
    /// The `play-prep` result object (with `budget` and `report` when they apply).
    pub(crate) result: Value,
    /// One line for a person: what happened.
    pub(crate) summary: String,
    /// `[run] command` as the run loaded it, for `play`.
    pub(crate) run_command: Vec<String>,
}

/// Takes the lane, prepares, checks the budgets; says how it went on stderr.
pub(crate) fn prepare(
    cli: &Cli,
    project: &Utf8Path,
    options: &RunOptions,
    report: bool,
    out: &mut Reporter,
) -> Result<Prepared, Stop> {
    let lane = take_lane(cli, project, &options.cancel, out)?;
    let meta = load_meta(&lane, "play-prep")?;
    let result = prometeu_play_prep::play_prep(&lane, &meta, options, out).result;
    if let Some(pack) = &result.steps.pack {
        out.annotate(&pack.diagnostics);
    }
    let log = log_path(project, "play-prep");
    let mut value = serde_json::to_value(&result).unwrap_or_else(|e| json!({"error": e.to_string()}));
    let mut ok = result.status == StepStatus::Success;
    let summary = match (result.failed_step, &result.error) {
        (None, _) => format!("play-prep succeeded in {} ms; build/ is ready (log: {log})", result.elapsed_ms),
        (Some(step), Some(why)) => format!("play-prep failed at the {} step: {why} (log: {log})", step.as_str()),
        (Some(step), None) => {
            let why = super::step_failure(&result.steps, step);
            format!("play-prep failed at the {} step: {why} (log: {log})", step.as_str())
        }
    };
    let mut summary = summary;
    if ok {
        match prometeu_play_prep::enforce_budget(&lane, &meta.budget) {
            Ok(Some(budgets)) => {
                for check in budgets.exceeded() {
                    super::report::say_exceeded(out, check, budgets.enforce);
                }
                if budgets.blocked {
                    ok = false;
                    summary =
                        "play-prep blocked: over budget with `enforce = true`; build/manifest.json withdrawn".into();
                    value["status"] = json!("blocked");
                    value["error"] = json!("over budget with enforce = true");
                }
                value["budget"] = serde_json::to_value(&budgets).unwrap_or_default();
            }
            Ok(None) => {}
            Err(why) => {
                ok = false;
                summary = format!("play-prep failed checking the budgets: {why}");
            }
        }
    }
    if ok && report {
        let (path, _) = super::report::write_report(&lane, &meta.budget)?;
        out.note(&format!("wrote {path}"));
        value["report"] = json!(path);
    }
    if ok {
        out.note(&summary)
    } else {
        out.error(&summary)
    }
    Ok(Prepared { exit: exit_for(ok, &options.cancel), result: value, summary, run_command: meta.run_command })
}

#[derive(Debug, clap::Args)]
pub(crate) struct PlayPrepArgs {
    #[command(flatten)]
    pub(crate) threads: Threads,
    /// After a successful preparation, also write build/report.html.
    #[arg(long)]
    pub(crate) report: bool,
}
