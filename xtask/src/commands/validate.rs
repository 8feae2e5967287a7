//! `validate`: every pack check, read-only; the pre-commit gate.

use camino::Utf8Path;
use serde_json::json;

use crate::cli::{Exit, exit_for};
use crate::reporter::Reporter;

pub(crate) fn run(project: &Utf8Path, threads: Option<usize>, out: &mut Reporter) -> Exit {
    let validation = prometeu_packer::validate(project, threads);
    let blocking = validation.workspace.iter().chain(validation.assets.iter().flat_map(|a| &a.diagnostics));
    for d in blocking.chain(&validation.warnings) {
        out.note(&crate::advice::with_help(&d.to_string(), &d.advice));
    }
    let blocked = validation.workspace.len() + validation.assets.iter().map(|a| a.diagnostics.len()).sum::<usize>();
    if validation.passed {
        out.note(&format!("validation passed ({} warnings)", validation.warnings.len()));
    } else {
        out.note(&format!("validation failed: {blocked} blocking diagnostics"));
    }
    let status = if validation.passed { "success" } else { "failed" };
    out.result("validate", &json!({"status": status, "validation": validation}));
    exit_for(validation.passed)
}
