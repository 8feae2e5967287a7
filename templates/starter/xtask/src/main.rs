//! `cargo xtask <command>`: the Prometeu Play preparation for this game.

fn main() -> std::process::ExitCode {
    prometeu_xtask::main()
}
