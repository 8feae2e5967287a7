//! Named points inside writing operations where a test can make the process
//! pause (to be killed there) or fail. Crash-safety tests drive the real
//! binary through `PROMETEU_TESTPOINT=<name>=pause|fail`; library tests build
//! `TestPoints` directly.
//!
//! Only builds made for tests honour them: without the `testpoints` cargo
//! feature (which only the test crates enable, as dev-dependencies)
//! `TestPoints` is empty and `hit` compiles to nothing, so a shipped tool
//! can never be made to hang.

use std::borrow::Cow;

/// The environment variable the command line reads test points from.
pub const ENV: &str = "PROMETEU_TESTPOINT";

/// Every point an operation can be stopped at, in the order a pack meets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestPoint {
    /// The pack's snapshot is frozen; nothing is staged yet.
    PackAfterSnapshot,
    /// An asset is about to be materialized for writing.
    PackMaterialize,
    /// Every output is staged and synced; the commit marker is not written.
    PackStaged,
    /// A promotion is about to write its commit marker.
    PromoteBeforeMarker,
    /// The commit marker is in place; nothing is renamed yet.
    PromoteAfterMarker,
    /// The named output has just been renamed into `build/`.
    PromoteRenamed(String),
    /// `assets new`: the asset's files are staged; no intent is recorded yet.
    NewStaged,
    /// `assets new`: the intent is recorded; the directory is not in place yet.
    NewIntent,
    /// `assets new`: the directory (or `asset.json`) is in place; the registry is unchanged.
    NewPlaced,
    /// `assets new`: the registry lists the asset; the intent is not removed yet.
    NewRegistered,
}

impl TestPoint {
    const RENAMED: &'static str = "promote.renamed.";

    /// The point's name in `PROMETEU_TESTPOINT` and in the pause message.
    pub fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            TestPoint::PackAfterSnapshot => "pack.after_snapshot",
            TestPoint::PackMaterialize => "pack.materialize",
            TestPoint::PackStaged => "pack.staged",
            TestPoint::PromoteBeforeMarker => "promote.before_marker",
            TestPoint::PromoteAfterMarker => "promote.after_marker",
            TestPoint::NewStaged => "new.staged",
            TestPoint::NewIntent => "new.intent",
            TestPoint::NewPlaced => "new.placed",
            TestPoint::NewRegistered => "new.registered",
            TestPoint::PromoteRenamed(file) => return Cow::Owned(format!("{}{file}", Self::RENAMED)),
        })
    }

    /// The point a name names, if any.
    pub fn parse(name: &str) -> Option<TestPoint> {
        if let Some(file) = name.strip_prefix(Self::RENAMED) {
            return Some(TestPoint::PromoteRenamed(file.to_owned()));
        }
        let fixed = [
            TestPoint::PackAfterSnapshot,
            TestPoint::PackMaterialize,
            TestPoint::PackStaged,
            TestPoint::PromoteBeforeMarker,
            TestPoint::PromoteAfterMarker,
            TestPoint::NewStaged,
            TestPoint::NewIntent,
            TestPoint::NewPlaced,
            TestPoint::NewRegistered,
        ];
        fixed.into_iter().find(|p| p.name() == name)
    }
}

/// What an armed point does when reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Print `testpoint <name>: paused` on stderr and sleep until killed.
    Pause,
    /// Return an injected I/O error from `hit`.
    Fail,
}

/// The armed test point of one operation, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestPoints {
    #[cfg(feature = "testpoints")]
    armed: Option<(TestPoint, Action)>,
}

impl TestPoints {
    /// No point armed.
    pub fn none() -> TestPoints {
        TestPoints::default()
    }

    /// Arms `point` (builds with the `testpoints` feature only).
    #[cfg(feature = "testpoints")]
    pub fn new(point: TestPoint, action: Action) -> TestPoints {
        TestPoints { armed: Some((point, action)) }
    }

    /// Reads `PROMETEU_TESTPOINT` in builds made for tests; a malformed
    /// value arms nothing. Elsewhere the variable is ignored.
    pub fn from_env() -> TestPoints {
        #[cfg(feature = "testpoints")]
        if let Some(armed) = std::env::var(ENV).ok().as_deref().and_then(parse_env) {
            return TestPoints { armed: Some(armed) };
        }
        TestPoints::none()
    }

    /// Marks that execution reached `point`.
    #[cfg_attr(not(feature = "testpoints"), allow(unused_variables))]
    pub fn hit(&self, point: TestPoint) -> std::io::Result<()> {
        #[cfg(feature = "testpoints")]
        match &self.armed {
            Some((armed, Action::Pause)) if *armed == point => {
                eprintln!("testpoint {}: paused", point.name());
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(3600));
                }
            }
            Some((armed, Action::Fail)) if *armed == point => {
                return Err(std::io::Error::other(format!("injected failure at test point `{}`", point.name())));
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(feature = "testpoints")]
fn parse_env(value: &str) -> Option<(TestPoint, Action)> {
    let (name, action) = value.rsplit_once('=')?;
    let action = match action {
        "pause" => Action::Pause,
        "fail" => Action::Fail,
        _ => return None,
    };
    Some((TestPoint::parse(name)?, action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for point in [TestPoint::PackStaged, TestPoint::PromoteRenamed("assets.pa".into())] {
            assert_eq!(TestPoint::parse(&point.name()), Some(point));
        }
        assert_eq!(TestPoint::parse("pack.nowhere"), None);
    }
}
