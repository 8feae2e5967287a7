//! What a user can do about a finding, as data. The packer says *what* to
//! do (forget this root, move that entry); each host says *how*: the command
//! line renders `cargo xtask assets forget hero`, an editor a button.

use serde::{Deserialize, Serialize};

/// One operation that would fix (or look into) a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "operation", rename_all = "snake_case")]
pub enum Advice {
    /// Register the root so it is packed.
    Register {
        /// The root, relative to `assets/`.
        root: String,
    },
    /// Put a registered root back in the build.
    Include {
        /// The root, relative to `assets/`.
        root: String,
    },
    /// Unregister a root; its id is never reused.
    Forget {
        /// The root, relative to `assets/`.
        root: String,
    },
    /// Record that an asset's directory moved, keeping its id and uuid.
    Move {
        /// The registered root.
        from: String,
        /// Where the directory is now.
        to: String,
    },
    /// Look at the registered roots.
    ListAssets,
}
