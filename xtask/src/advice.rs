//! How the command line spells what the libraries advise: an `Advice`
//! becomes the `cargo xtask …` command a user can paste.

use prometeu_packer::{Advice, shell_word};

/// The command that carries out `advice`, shell-quoted.
pub(crate) fn command(advice: &Advice) -> String {
    let operation = match advice {
        Advice::Register { root } => format!("assets register {}", shell_word(root)),
        Advice::Include { root } => format!("assets include {}", shell_word(root)),
        Advice::Forget { root } => format!("assets forget {}", shell_word(root)),
        Advice::Move { from, to } => format!("assets move {} {}", shell_word(from), shell_word(to)),
        Advice::ListAssets => "assets list".to_owned(),
    };
    format!("cargo xtask {operation}")
}

/// One `help:` line per piece of advice, to print under a finding.
pub(crate) fn help_lines(advice: &[Advice]) -> impl Iterator<Item = String> + '_ {
    advice.iter().map(|a| format!("  help: run `{}`", command(a)))
}

/// A finding's text followed by its help lines.
pub(crate) fn with_help(text: &str, advice: &[Advice]) -> String {
    std::iter::once(text.to_owned()).chain(help_lines(advice)).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_ready_to_paste() {
        let moved = Advice::Move { from: "hero".into(), to: "my hero".into() };
        assert_eq!(command(&moved), "cargo xtask assets move hero 'my hero'");
        assert_eq!(command(&Advice::ListAssets), "cargo xtask assets list");
        assert_eq!(
            with_help("error", &[Advice::Forget { root: "gone".into() }]),
            "error\n  help: run `cargo xtask assets forget gone`"
        );
    }
}
