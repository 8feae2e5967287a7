//! Records the commit this crate was built from, for `--version`.

use std::process::Command;

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).current_dir(&dir).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=PROMETEU_COMMIT={commit}");
    // Rebuild when HEAD moves: HEAD itself, and the branch files. A path
    // that does not exist would make cargo rerun this script on every build.
    for path in ["HEAD", "refs/heads", "packed-refs"] {
        if let Some(file) = git(&["rev-parse", "--git-path", path]) {
            let file = std::path::Path::new(&dir).join(file);
            if file.exists() {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
    }
    // Outside a checkout (a packaged copy), nothing to watch but this script.
    println!("cargo:rerun-if-changed=build.rs");
}
