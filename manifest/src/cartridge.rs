//! `cartridge.toml` (local format): parsing with spans, so every error and
//! warning points at the line and column it is about.
//!
//! The document is walked by hand rather than deserialized into a struct:
//! that is what lets each message name the key, show where it is, and list
//! what is accepted, in this crate's words rather than a generic serde text.

use std::collections::BTreeSet;
use std::ops::Range;
use std::time::Duration;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::CARTRIDGE_FILE;
use crate::error::ConfigError;
use crate::play::{Budget, DEFAULT_RUN_COMMAND, budget_keys, run_keys};
use crate::values::{self, AppMode, Compiler, KNOWN_CAPABILITIES};

/// Accepted top-level keys (local): the fields of `CartridgeToml`, in the order the documentation lists them.
pub fn top_level_keys() -> &'static [&'static str] {
    prometeu_shape::field_names::<crate::schema::CartridgeToml>()
}
/// Accepted keys of the `[compiler]` section (local): the fields of `CompilerToml`.
pub fn compiler_keys() -> &'static [&'static str] {
    prometeu_shape::field_names::<crate::schema::CompilerToml>()
}
/// `[compiler].timeout_secs` when absent (local).
pub const DEFAULT_COMPILER_TIMEOUT_SECS: u64 = 600;
/// Upper bound for `timeout_secs` (local): a day is far beyond any real build,
/// so a larger number is a typo, and deadlines stay far from clock overflow.
pub const MAX_COMPILER_TIMEOUT_SECS: u64 = 86_400;
/// A placeholder of `[compiler].command` (local): the token replaced inside
/// an argument, and the environment variable that carries the same value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placeholder {
    /// As written in an argument: `{project}`.
    pub token: &'static str,
    /// Set in the compiler's environment: `PROMETEU_PROJECT_DIR`.
    pub env_var: &'static str,
}

/// Every placeholder, in this order: the project directory, the file the
/// compiler must write, the project's `build/` directory.
pub const PLACEHOLDERS: [Placeholder; 3] = [
    Placeholder { token: "{project}", env_var: "PROMETEU_PROJECT_DIR" },
    Placeholder { token: "{output}", env_var: "PROMETEU_OUTPUT" },
    Placeholder { token: "{build_dir}", env_var: "PROMETEU_BUILD_DIR" },
];

/// The two ways to write `[compiler]`, shown whenever it is missing or incomplete.
const COMPILER_FORMS: &str = "either `[compiler]` with \
    `command = [\"pbsc\", \"build\", \"{project}\", \"--out\", \"{output}\"]` (run the compiler) \
    or `[compiler]` with `prebuilt = \"dist/program.pbx\"` (use a program compiled elsewhere)";

/// What `cartridge.toml` says, checked; defaults not applied yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cartridge {
    pub app_id: u32,
    /// Trimmed and checked.
    pub title: Option<String>,
    /// Checked to be a semver version; kept as written.
    pub app_version: Option<String>,
    pub app_mode: AppMode,
    /// Deduplicated and sorted.
    pub capabilities: Vec<String>,
    pub compiler: Compiler,
    pub run_command: Vec<String>,
    pub budget: Budget,
    pub warnings: Vec<String>,
}

/// Parses and checks the text of `cartridge.toml`.
pub(crate) fn parse(text: &str) -> Result<Cartridge, ConfigError> {
    let doc = Doc { text };
    let root = DeTable::parse(text).map_err(|e| doc.syntax_error(&e))?;
    let table = root.get_ref();
    doc.reject_unknown_keys(table, top_level_keys(), "")?;
    let mut warnings = Vec::new();
    Ok(Cartridge {
        app_id: doc.app_id(table)?,
        title: doc.title(table)?,
        app_version: doc.app_version(table)?,
        app_mode: doc.app_mode(table)?,
        capabilities: doc.capabilities(table, &mut warnings)?,
        compiler: doc.compiler(table, &mut warnings)?,
        run_command: doc.run(table)?,
        budget: doc.budget(table)?,
        warnings,
    })
}

type Value<'i> = Spanned<DeValue<'i>>;

/// The text being read, for turning spans into locations.
struct Doc<'t> {
    text: &'t str,
}

impl Doc<'_> {
    fn error(&self, span: Range<usize>, key: Option<&str>, message: impl Into<String>) -> ConfigError {
        ConfigError::spanning(CARTRIDGE_FILE, self.text, span, key, message)
    }

    fn warning(&self, span: Range<usize>, message: &str) -> String {
        let (line, column) = crate::error::line_column(self.text, span.start);
        format!("{CARTRIDGE_FILE}:{line}:{column}: {message}")
    }

    fn syntax_error(&self, e: &toml::de::Error) -> ConfigError {
        let what = e.message().trim().replace('\n', "; ");
        let Some(span) = e.span() else {
            return ConfigError::in_file(CARTRIDGE_FILE, None, format!("invalid TOML: {what}; fix the syntax"));
        };
        // The offending text makes messages like "duplicate key" say which one.
        let near = match self.text.get(span.clone()) {
            Some(s) if !s.trim().is_empty() && !s.contains('\n') && s.chars().count() <= 40 => format!(" at `{s}`"),
            _ => String::new(),
        };
        self.error(span, None, format!("invalid TOML: {what}{near}; fix the syntax"))
    }

    /// Refuses the first unknown key (in document order) of `table`.
    /// `section` is `""` at the top level, else the section name.
    fn reject_unknown_keys(&self, table: &DeTable<'_>, accepted: &[&str], section: &str) -> Result<(), ConfigError> {
        let unknown = table.keys().filter(|k| !accepted.contains(&k.get_ref().as_ref())).min_by_key(|k| k.span().start);
        let Some(key) = unknown else { return Ok(()) };
        let name = key.get_ref().as_ref();
        let place = if section.is_empty() { String::new() } else { format!("in [{section}]") };
        let unknown =
            prometeu_shape::UnknownKey { key: name, suggestion: prometeu_shape::did_you_mean(name, accepted) };
        Err(self.error(key.span(), Some(&dotted(section, name)), unknown.message(&place, accepted)))
    }

    fn app_id(&self, table: &DeTable<'_>) -> Result<u32, ConfigError> {
        let Some(value) = table.get("app_id") else {
            return Err(ConfigError::in_file(
                CARTRIDGE_FILE,
                Some("app_id"),
                format!(
                    "missing required key `app_id`; add `app_id = 1001` (any integer 0..={}) to {CARTRIDGE_FILE}",
                    u32::MAX
                ),
            ));
        };
        let n = self.integer(value, "app_id", "app_id = 1001")?;
        u32::try_from(n).map_err(|_| {
            self.error(
                value.span(),
                Some("app_id"),
                format!("`app_id` is {n}, outside 0..={}; choose an id in that range", u32::MAX),
            )
        })
    }

    fn title(&self, table: &DeTable<'_>) -> Result<Option<String>, ConfigError> {
        let Some(value) = table.get("title") else { return Ok(None) };
        let raw = self.string(value, "title", "title = \"Starter\"")?;
        values::check_title(raw)
            .map(Some)
            .map_err(|why| self.error(value.span(), Some("title"), format!("`title` {why}")))
    }

    fn app_version(&self, table: &DeTable<'_>) -> Result<Option<String>, ConfigError> {
        let Some(value) = table.get("app_version") else { return Ok(None) };
        let raw = self.string(value, "app_version", "app_version = \"0.1.0\"")?;
        values::check_version(raw)
            .map(|()| Some(raw.to_owned()))
            .map_err(|why| self.error(value.span(), Some("app_version"), format!("`app_version` {why}")))
    }

    fn app_mode(&self, table: &DeTable<'_>) -> Result<AppMode, ConfigError> {
        let Some(value) = table.get("app_mode") else { return Ok(AppMode::default()) };
        let raw = self.string(value, "app_mode", "app_mode = \"Game\"")?;
        AppMode::parse(raw).map_err(|why| self.error(value.span(), Some("app_mode"), format!("`app_mode` {why}")))
    }

    fn capabilities(&self, table: &DeTable<'_>, warnings: &mut Vec<String>) -> Result<Vec<String>, ConfigError> {
        let Some(value) = table.get("capabilities") else { return Ok(Vec::new()) };
        let items = self.array(value, "capabilities", "capabilities = [\"gfx\", \"input\"]")?;
        let mut names = BTreeSet::new();
        for item in items {
            let name = self.string(item, "capabilities", "capabilities = [\"gfx\", \"input\"]")?;
            if names.insert(name.to_owned()) && !KNOWN_CAPABILITIES.contains(&name) {
                warnings.push(self.warning(item.span(), &unknown_capability(name)));
            }
        }
        Ok(names.into_iter().collect())
    }

    fn compiler(&self, table: &DeTable<'_>, warnings: &mut Vec<String>) -> Result<Compiler, ConfigError> {
        let Some((key, value)) = table.get_key_value("compiler") else {
            return Err(ConfigError::in_file(
                CARTRIDGE_FILE,
                Some("compiler"),
                format!("missing `[compiler]` section; add {COMPILER_FORMS}"),
            ));
        };
        let DeValue::Table(section) = value.get_ref() else {
            let found = value.get_ref().type_str();
            return Err(self.error(
                value.span(),
                Some("compiler"),
                format!("`compiler` must be a section, found {found}; add {COMPILER_FORMS}"),
            ));
        };
        self.reject_unknown_keys(section, compiler_keys(), "compiler")?;
        match (section.get("command"), section.get("prebuilt")) {
            (Some(command), None) => self.command(command, section.get("timeout_secs"), warnings),
            (None, Some(prebuilt)) => self.prebuilt(prebuilt, section.get("timeout_secs")),
            (Some(_), Some(prebuilt)) => Err(self.error(
                prebuilt.span(),
                Some("compiler.prebuilt"),
                "`compiler.command` and `compiler.prebuilt` are both set; keep exactly one: \
                 `command` runs the compiler, `prebuilt` uses a program compiled elsewhere",
            )),
            (None, None) => Err(self.error(
                key.span(),
                Some("compiler"),
                format!("[compiler] needs exactly one of `command` or `prebuilt`; write {COMPILER_FORMS}"),
            )),
        }
    }

    fn command(
        &self,
        command: &Value<'_>,
        timeout: Option<&Value<'_>>,
        warnings: &mut Vec<String>,
    ) -> Result<Compiler, ConfigError> {
        const KEY: &str = "compiler.command";
        const EXAMPLE: &str = "command = [\"pbsc\", \"build\", \"{project}\", \"--out\", \"{output}\"]";
        let items = self.array(command, KEY, EXAMPLE)?;
        let mut argv = Vec::with_capacity(items.len());
        for item in items {
            let arg = self.string(item, KEY, EXAMPLE)?;
            for placeholder in unknown_placeholders(arg) {
                warnings.push(self.warning(item.span(), &unknown_placeholder(&placeholder)));
            }
            argv.push(arg.to_owned());
        }
        match argv.first() {
            None => Err(self.error(
                command.span(),
                Some(KEY),
                format!("`{KEY}` is empty; list the program and its arguments, e.g. `{EXAMPLE}`"),
            )),
            Some(program) if program.trim().is_empty() => Err(self.error(
                command.span(),
                Some(KEY),
                format!(
                    "`{KEY}` starts with an empty program name; put the compiler's name or path first, e.g. `{EXAMPLE}`"
                ),
            )),
            Some(_) => Ok(Compiler::Command { argv, timeout: self.timeout(timeout)? }),
        }
    }

    fn timeout(&self, value: Option<&Value<'_>>) -> Result<Duration, ConfigError> {
        const KEY: &str = "compiler.timeout_secs";
        let Some(value) = value else { return Ok(Duration::from_secs(DEFAULT_COMPILER_TIMEOUT_SECS)) };
        let n = self.integer(value, KEY, "timeout_secs = 600")?;
        match u64::try_from(n) {
            Ok(secs) if (1..=MAX_COMPILER_TIMEOUT_SECS).contains(&secs) => Ok(Duration::from_secs(secs)),
            _ => Err(self.error(
                value.span(),
                Some(KEY),
                format!(
                    "`{KEY}` is {n}; write a number of seconds in 1..={MAX_COMPILER_TIMEOUT_SECS}, \
                     or remove it for the default {DEFAULT_COMPILER_TIMEOUT_SECS}"
                ),
            )),
        }
    }

    fn prebuilt(&self, prebuilt: &Value<'_>, timeout: Option<&Value<'_>>) -> Result<Compiler, ConfigError> {
        const KEY: &str = "compiler.prebuilt";
        if let Some(timeout) = timeout {
            return Err(self.error(
                timeout.span(),
                Some("compiler.timeout_secs"),
                "`compiler.timeout_secs` applies only to `command`; remove it, or run the compiler with `command`",
            ));
        }
        let path = self.string(prebuilt, KEY, "prebuilt = \"dist/program.pbx\"")?;
        values::check_prebuilt_path(path)
            .map(|()| Compiler::Prebuilt { path: path.to_owned() })
            .map_err(|why| self.error(prebuilt.span(), Some(KEY), format!("`{KEY}` \"{path}\" {why}")))
    }

    /// `[run]`: the runtime's argv, or the default.
    fn run(&self, table: &DeTable<'_>) -> Result<Vec<String>, ConfigError> {
        const EXAMPLE: &str = "command = [\"prometeu\", \"run\", \"build\"]";
        let default = || DEFAULT_RUN_COMMAND.iter().map(|s| (*s).to_owned()).collect();
        let Some(section) = self.section(table, "run", EXAMPLE)? else { return Ok(default()) };
        self.reject_unknown_keys(section, run_keys(), "run")?;
        let Some(command) = section.get("command") else { return Ok(default()) };
        let items = self.array(command, "run.command", EXAMPLE)?;
        let argv: Vec<String> = items
            .iter()
            .map(|item| self.string(item, "run.command", EXAMPLE).map(str::to_owned))
            .collect::<Result<_, _>>()?;
        match argv.first() {
            Some(program) if !program.trim().is_empty() => Ok(argv),
            _ => Err(self.error(
                command.span(),
                Some("run.command"),
                format!("`run.command` needs a program name first; write it like `{EXAMPLE}`"),
            )),
        }
    }

    /// `[budget]`: optional limits, each a non-negative integer, and `enforce`.
    fn budget(&self, table: &DeTable<'_>) -> Result<Budget, ConfigError> {
        let Some(section) = self.section(table, "budget", "assets_pa_bytes = 1048576")? else {
            return Ok(Budget::default());
        };
        self.reject_unknown_keys(section, budget_keys(), "budget")?;
        let limit = |key: &str| -> Result<Option<u64>, ConfigError> {
            let Some(value) = section.get(key) else { return Ok(None) };
            let dotted = format!("budget.{key}");
            let n = self.integer(value, &dotted, &format!("{key} = 1000"))?;
            u64::try_from(n).map(Some).map_err(|_| {
                self.error(value.span(), Some(&dotted), format!("`{dotted}` is {n}; write a limit of 0 or more"))
            })
        };
        let enforce = match section.get("enforce") {
            None => false,
            Some(value) => match value.get_ref() {
                DeValue::Boolean(b) => *b,
                other => {
                    return Err(self.wrong_type(
                        value.span(),
                        "budget.enforce",
                        "true or false",
                        other,
                        "enforce = true",
                    ));
                }
            },
        };
        Ok(Budget {
            assets_pa_bytes: limit("assets_pa_bytes")?,
            sound_bytes: limit("sound_bytes")?,
            sound_seconds: limit("sound_seconds")?,
            glyph_banks: limit("glyph_banks")?,
            sound_banks: limit("sound_banks")?,
            enforce,
        })
    }

    /// An optional section: `None` when absent, an error when it is not a table.
    fn section<'a, 'i>(
        &self,
        table: &'a DeTable<'i>,
        name: &str,
        example: &str,
    ) -> Result<Option<&'a DeTable<'i>>, ConfigError> {
        let Some(value) = table.get(name) else { return Ok(None) };
        match value.get_ref() {
            DeValue::Table(section) => Ok(Some(section)),
            other => Err(self.wrong_type(value.span(), name, "a section", other, &format!("[{name}] {example}"))),
        }
    }

    fn string<'v>(&self, value: &'v Value<'_>, key: &str, example: &str) -> Result<&'v str, ConfigError> {
        match value.get_ref() {
            DeValue::String(s) => Ok(s.as_ref()),
            other => Err(self.wrong_type(value.span(), key, "a string", other, example)),
        }
    }

    fn integer(&self, value: &Value<'_>, key: &str, example: &str) -> Result<i128, ConfigError> {
        match value.get_ref() {
            // Larger than i128 cannot be in any accepted range either.
            DeValue::Integer(n) => Ok(i128::from_str_radix(n.as_str(), n.radix()).unwrap_or(i128::MAX)),
            other => Err(self.wrong_type(value.span(), key, "an integer", other, example)),
        }
    }

    fn array<'v, 'i>(&self, value: &'v Value<'i>, key: &str, example: &str) -> Result<&'v [Value<'i>], ConfigError> {
        match value.get_ref() {
            DeValue::Array(items) => Ok(items),
            other => Err(self.wrong_type(value.span(), key, "a list", other, example)),
        }
    }

    fn wrong_type(
        &self,
        span: Range<usize>,
        key: &str,
        expected: &str,
        found: &DeValue<'_>,
        example: &str,
    ) -> ConfigError {
        let found = found.type_str();
        self.error(span, Some(key), format!("`{key}` must be {expected}, found {found}; write it like `{example}`"))
    }
}

fn dotted(section: &str, key: &str) -> String {
    if section.is_empty() { key.to_owned() } else { format!("{section}.{key}") }
}

fn unknown_capability(name: &str) -> String {
    format!(
        "unknown capability `{name}`, kept as written; known capabilities: {} (check the spelling if it is a typo)",
        KNOWN_CAPABILITIES.join(", ")
    )
}

fn unknown_placeholder(placeholder: &str) -> String {
    format!(
        "`{placeholder}` in `compiler.command` is not a placeholder and is passed as written; placeholders: {}",
        PLACEHOLDERS.map(|p| p.token).join(", ")
    )
}

/// `{word}` groups in `arg` that look like placeholders but are not one.
/// Only lowercase words count, so JSON or shell-like braces pass silently.
fn unknown_placeholders(arg: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = arg;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let word = &after[..close];
        let candidate = format!("{{{word}}}");
        let looks_like_one = !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if looks_like_one && !PLACEHOLDERS.iter().any(|p| p.token == candidate) {
            found.push(candidate);
        }
        rest = &after[close + 1..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_and_suggestion() {
        use prometeu_shape::did_you_mean;
        assert_eq!(did_you_mean("titel", top_level_keys()), Some("title"));
        assert_eq!(did_you_mean("timeout", compiler_keys()), Some("timeout_secs"));
        assert_eq!(did_you_mean("zzz", compiler_keys()), None);
        assert_eq!(did_you_mean("comand", compiler_keys()), Some("command"));
    }

    #[test]
    fn placeholders_are_recognised_inside_arguments() {
        assert!(unknown_placeholders("--out={output}").is_empty());
        assert!(unknown_placeholders("{project}/src:{build_dir}").is_empty());
        assert_eq!(unknown_placeholders("{outptu}"), vec!["{outptu}".to_owned()]);
        assert!(unknown_placeholders("{\"json\": 1}").is_empty());
        assert!(unknown_placeholders("{").is_empty());
        assert!(unknown_placeholders("{}").is_empty());
    }
}
