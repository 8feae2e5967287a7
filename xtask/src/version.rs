//! What `--version` prints: the crate version and the commit it was built from.

/// `0.1.0 (commit 0123456789ab)`; `unknown` when built outside a git checkout.
pub(crate) const LONG: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("PROMETEU_COMMIT"), ")");
