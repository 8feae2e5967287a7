//! `prometeu.json`, the compiler's project file (fixed): only the string
//! fields `name` and `version` are read, as defaults; everything else in it
//! belongs to the compiler and is ignored.

use camino::Utf8Path;
use serde_json::Value;

use crate::PROJECT_JSON_FILE;
use crate::error::ConfigError;
use crate::files;

/// One default-providing field of `prometeu.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Field {
    /// The file or the field is absent.
    Absent,
    /// Present with another JSON type (named); not usable as a default.
    NotString(&'static str),
    Value(String),
}

/// The defaults `prometeu.json` offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProjectJson {
    pub exists: bool,
    pub name: Field,
    pub version: Field,
}

/// Reads `prometeu.json` of `project`; an absent file offers no defaults.
pub(crate) fn read(project: &Utf8Path) -> Result<ProjectJson, ConfigError> {
    match files::read_text(project, PROJECT_JSON_FILE)? {
        Some(text) => parse(&text),
        None => Ok(ProjectJson { exists: false, name: Field::Absent, version: Field::Absent }),
    }
}

fn parse(text: &str) -> Result<ProjectJson, ConfigError> {
    let value: Value = serde_json::from_str(text).map_err(|e| syntax_error(&e))?;
    if let Some(duplicate) = prometeu_shape::duplicate_key(text.as_bytes()) {
        let error = ConfigError::in_file(PROJECT_JSON_FILE, Some(&duplicate.key), duplicate.message(PROJECT_JSON_FILE));
        return Err(ConfigError { line: Some(duplicate.line), column: Some(duplicate.column), ..error });
    }
    let Value::Object(object) = value else {
        return Err(ConfigError::in_file(
            PROJECT_JSON_FILE,
            None,
            format!("{PROJECT_JSON_FILE} must hold a JSON object (`{{ \"name\": …, \"version\": … }}`); fix the file"),
        ));
    };
    let field = |key: &str| match object.get(key) {
        None => Field::Absent,
        Some(Value::String(s)) => Field::Value(s.clone()),
        Some(other) => Field::NotString(prometeu_shape::json_type(other)),
    };
    Ok(ProjectJson { exists: true, name: field("name"), version: field("version") })
}

fn syntax_error(e: &serde_json::Error) -> ConfigError {
    let full = e.to_string();
    // serde_json appends the location, which ConfigError carries separately.
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let what = full.strip_suffix(&suffix).unwrap_or(&full);
    ConfigError {
        line: Some(e.line()),
        column: Some(e.column()),
        ..ConfigError::in_file(PROJECT_JSON_FILE, None, format!("invalid JSON: {what}; fix the syntax"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_string_name_and_version() {
        let json = parse(r#"{"name": "Starter", "version": 3, "deps": {"x": 1}}"#).unwrap();
        assert_eq!(json.name, Field::Value("Starter".into()));
        assert_eq!(json.version, Field::NotString("a non-negative integer"));
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = parse("{\n  \"name\": \"x\",\n}").unwrap_err();
        assert_eq!((e.file.as_str(), e.line, e.column), (PROJECT_JSON_FILE, Some(3), Some(1)));
        assert!(e.message.starts_with("invalid JSON: trailing comma"), "{}", e.message);
        assert!(!e.message.contains("at line"), "{}", e.message);
    }
}
