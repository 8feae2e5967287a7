fn main() -> std::process::ExitCode {
    prometeu_xtask::main()
}
