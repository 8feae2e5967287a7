//! The xtask binary on real projects: the shared fixtures plus the runner
//! that knows where cargo built the binary under test.

use std::process::Command;

pub use prometeu_test_support::{PACK_OUTPUTS, Project, Run, Watched, alive, starter, wav_i16};

/// The binary under test, built with its test points honoured.
pub const XTASK: &str = env!("CARGO_BIN_EXE_xtask");

/// Runs the binary under test on a project.
pub trait Xtask {
    /// `xtask <args> --project <dir>`, with no test point armed.
    fn xtask(&self, args: &[&str]) -> Command;
    /// Runs a command with `--message-format json`.
    fn run_json(&self, args: &[&str]) -> Run;
}

impl Xtask for Project {
    fn xtask(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(XTASK);
        cmd.args(args).arg("--project").arg(self.path.as_str()).env_remove(prometeu_packer::TESTPOINT_ENV);
        cmd
    }

    fn run_json(&self, args: &[&str]) -> Run {
        let mut all = args.to_vec();
        all.extend(["--message-format", "json"]);
        Run::from(self.xtask(&all).output().unwrap())
    }
}
