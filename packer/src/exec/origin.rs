//! Which operation published each set of outputs in `build/`: a one-line
//! record promoted in the same commit as the outputs it describes, so it
//! is exactly as durable and crash-safe as they are (both or neither).
//! The manifest step run alone reads the two records to refuse a `build/`
//! whose program and pack come from an unfinished preparation.

use camino::Utf8Path;

use crate::exec::staging::Staging;
use crate::workspace::layout::{PACK_ORIGIN, PROGRAM_ORIGIN};

/// Who publishes an output set: one step of a preparation (`play-prep`,
/// both steps sharing the preparation's id) or a step run alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Part of the play-prep with this operation id.
    Preparation(String),
    /// The named step (`build`, `pack`) run alone as its own operation.
    Alone(&'static str),
}

impl Default for Origin {
    fn default() -> Origin {
        Origin::Alone("pack")
    }
}

const PREPARATION: &str = "play-prep";

impl Origin {
    /// The record's text: `play-prep <id>`, or the step's name alone (a
    /// step alone pairs with nothing, and the same inputs keep giving the
    /// same `build/`).
    fn record(&self) -> String {
        match self {
            Origin::Preparation(id) => format!("{PREPARATION} {id}\n"),
            Origin::Alone(step) => format!("{step}\n"),
        }
    }

    /// Stages the record `name` beside the outputs it describes; the caller
    /// promotes it with them.
    pub fn stage(&self, stage: &Staging, name: &str) -> std::io::Result<()> {
        stage.write(name, self.record().as_bytes())
    }
}

/// `Err` (a sentence) when `build/`'s program and pack cannot be committed
/// together: one of them was published by a preparation that did not
/// publish the other (it stopped or was killed in between). Outputs without
/// a record predate the records and are taken as published alone.
pub fn check_same_preparation(build_dir: &Utf8Path) -> Result<(), String> {
    let program = read(build_dir, PROGRAM_ORIGIN);
    let pack = read(build_dir, PACK_ORIGIN);
    let from_preparation = |r: &Option<String>| r.as_deref().is_some_and(|r| r.starts_with(PREPARATION));
    if (from_preparation(&program) || from_preparation(&pack)) && program != pack {
        let says = |r: &Option<String>| match r.as_deref().map(|r| r.split_once(' ')) {
            None => "an earlier operation".to_owned(),
            Some(Some((_, id))) => format!("the unfinished preparation {id}"),
            Some(None) => format!("`{}` run alone", r.as_deref().unwrap_or_default()),
        };
        return Err(format!(
            "build/ holds the outputs of an unfinished preparation: build/program.pbx comes from {} and \
             build/assets.pa from {}; run `play-prep` to prepare build/ again",
            says(&program),
            says(&pack)
        ));
    }
    Ok(())
}

/// The record's first line; `None` when absent or unreadable (a FIFO, too long).
fn read(build_dir: &Utf8Path, name: &str) -> Option<String> {
    let bytes = prometeu_shape::read_regular(build_dir.join(name).as_std_path(), 256).ok()?;
    String::from_utf8(bytes).ok().map(|text| text.trim().to_owned())
}
