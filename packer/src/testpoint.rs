//! Named points inside writing operations where a test can make the process
//! pause (to be killed there) or fail. Crash-safety tests drive the real
//! binary through `PROMETEU_TESTPOINT=<name>=pause|fail`; library tests build
//! `TestPoints` directly. With no test point set, `hit` is a string compare.

/// The environment variable the command line reads test points from.
pub const ENV: &str = "PROMETEU_TESTPOINT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Print `testpoint <name>: paused` on stderr and sleep until killed.
    Pause,
    /// Return an injected I/O error from `hit`.
    Fail,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestPoints {
    armed: Option<(String, Action)>,
}

impl TestPoints {
    pub fn none() -> TestPoints {
        TestPoints::default()
    }

    pub fn new(name: &str, action: Action) -> TestPoints {
        TestPoints { armed: Some((name.to_owned(), action)) }
    }

    /// Reads `PROMETEU_TESTPOINT`; a malformed value arms nothing.
    pub fn from_env() -> TestPoints {
        let Ok(value) = std::env::var(ENV) else { return TestPoints::none() };
        let Some((name, action)) = value.rsplit_once('=') else { return TestPoints::none() };
        match action {
            "pause" => TestPoints::new(name, Action::Pause),
            "fail" => TestPoints::new(name, Action::Fail),
            _ => TestPoints::none(),
        }
    }

    /// Marks that execution reached `name`.
    pub fn hit(&self, name: &str) -> std::io::Result<()> {
        match &self.armed {
            Some((armed, Action::Pause)) if armed == name => {
                eprintln!("testpoint {name}: paused");
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(3600));
                }
            }
            Some((armed, Action::Fail)) if armed == name => {
                Err(std::io::Error::other(format!("injected failure at test point `{name}`")))
            }
            _ => Ok(()),
        }
    }
}
