//! Layer 1, the asset workspace as it sits on disk: where things live
//! (`layout`), the path rules (`paths`), names that
//! break another system's checkout (`portable`), the family names (`family`), the
//! registry, the declarations, and the one walk of `assets/` (`tree`). Reads only; imports `support` and the
//! `assets.pa` format crate, nothing above.

pub(crate) mod declaration;
pub(crate) mod family;
pub(crate) mod layout;
pub(crate) mod paths;
pub(crate) mod portable;
pub(crate) mod registry;
pub(crate) mod schema;
pub(crate) mod tree;
