//! Layer 3, execution: the discovery walk and frozen snapshot, the gate,
//! the read-only operations, the pack, staging and promotion, the lane and
//! the registry mutations made under it. May import every layer below.

pub(crate) mod frozen;
pub(crate) mod gate;
pub(crate) mod kept;
pub(crate) mod lane;
pub(crate) mod mutate;
pub(crate) mod new_asset;
pub(crate) mod origin;
pub(crate) mod pack;
pub(crate) mod preview;
pub(crate) mod report;
pub(crate) mod show;
pub(crate) mod snapshot;
pub(crate) mod staging;
pub(crate) mod unpack;
pub(crate) mod usage;
