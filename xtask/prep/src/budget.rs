//! Budgets: what the last pack uses against `[budget]` of `cartridge.toml`.
//! A limit exceeded is a warning, or blocks the preparation when the user
//! sets `enforce = true` (then `build/manifest.json` is withdrawn, so the
//! runtime is never handed a build over budget).

use camino::Utf8Path;
use prometeu_manifest::Budget;
use prometeu_packer::{ASSETS_PA, BUILD_DIR, PackUsage, pa};
use serde::Serialize;

/// One limit of `[budget]` and what the pack uses of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetCheck {
    /// The `[budget]` key.
    pub key: &'static str,
    /// What the pack uses (seconds may be fractional).
    pub used: f64,
    /// The limit.
    pub limit: u64,
    /// `used > limit`.
    pub exceeded: bool,
}

impl BudgetCheck {
    /// One sentence for a person.
    pub fn describe(&self) -> String {
        let unit = if self.key.ends_with("_bytes") {
            " bytes"
        } else if self.key.ends_with("_seconds") {
            " s"
        } else {
            ""
        };
        let over = if self.exceeded { "over budget" } else { "within budget" };
        format!("budget.{}: {}{unit} used of {}{unit} ({over})", self.key, trim(self.used), self.limit)
    }
}

fn trim(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value:.3}") }
}

/// What the budgets say about a pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetReport {
    /// Every set limit, checked.
    pub checks: Vec<BudgetCheck>,
    /// `[budget].enforce`.
    pub enforce: bool,
    /// Some limit is exceeded and `enforce` is set.
    pub blocked: bool,
}

impl BudgetReport {
    /// The checks over their limit.
    pub fn exceeded(&self) -> impl Iterator<Item = &BudgetCheck> {
        self.checks.iter().filter(|c| c.exceeded)
    }
}

/// Checks `usage` against `budget`.
pub fn check_budget(usage: &PackUsage, budget: &Budget) -> BudgetReport {
    let checks: Vec<BudgetCheck> = budget
        .limits()
        .into_iter()
        .map(|(key, limit)| {
            let used = match key {
                "assets_pa_bytes" => usage.assets_pa_bytes as f64,
                "sound_bytes" => usage.sound_bytes() as f64,
                "sound_seconds" => usage.sound_seconds(),
                "glyph_banks" => usage.bank_count(prometeu_packer::pa::GLYPH_BANK_TYPE) as f64,
                _ => usage.bank_count(pa::SOUND_BANK_TYPE) as f64,
            };
            BudgetCheck { key, used, limit, exceeded: used > limit as f64 }
        })
        .collect();
    let blocked = budget.enforce && checks.iter().any(|c| c.exceeded);
    BudgetReport { checks, enforce: budget.enforce, blocked }
}

/// Measures `build/assets.pa` of `project` (verified first).
pub fn measure_pack(project: &Utf8Path) -> Result<PackUsage, String> {
    let path = project.join(BUILD_DIR).join(ASSETS_PA);
    let inspection = prometeu_packer::pa::verify_file(&path).map_err(|violations| {
        let list: Vec<String> = violations.into_iter().map(|v| v.0).collect();
        format!("{BUILD_DIR}/{ASSETS_PA} is not a valid pack: {}", list.join("; "))
    })?;
    Ok(prometeu_packer::usage(&inspection.header, inspection.file_len))
}

/// After a successful preparation: checks the budgets and, when they block,
/// withdraws `build/manifest.json`. `Ok(None)` when no budget is set.
pub fn enforce_budget(lane: &prometeu_packer::LaneGuard, budget: &Budget) -> Result<Option<BudgetReport>, String> {
    if budget.limits().is_empty() {
        return Ok(None);
    }
    let report = check_budget(&measure_pack(lane.project())?, budget);
    if report.blocked {
        crate::steps::manifest::withdraw(lane).map_err(|e| format!("cannot withdraw the manifest: {e}"))?;
    }
    Ok(Some(report))
}
