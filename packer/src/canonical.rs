//! Canonical JSON (upstream rules, `assets-pa.md`): UTF-8, no whitespace,
//! keys sorted by byte order, integers only, minimal escaping, no newline.
//!
//! serde_json's default `Map` is a `BTreeMap<String, _>`, whose order is byte
//! order, and its compact writer escapes exactly `"`, `\` and controls. So the
//! canonical form is `serde_json::to_vec` of a `Value`, provided no float is
//! inside — which is checked here rather than trusted.

use serde_json::Value;

/// Where a float sits inside a value, as a JSON pointer (`/metadata/gain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FloatAt(pub String);

/// Serializes `value` canonically; fails on the first floating-point number.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, FloatAt> {
    if let Some(at) = find_float(value, String::new()) {
        return Err(FloatAt(at));
    }
    Ok(serde_json::to_vec(value).expect("a Value always serializes"))
}

/// The JSON pointer of the first float in `value`, in key order.
pub fn find_float(value: &Value, at: String) -> Option<String> {
    match value {
        Value::Number(n) if !(n.is_i64() || n.is_u64()) => Some(if at.is_empty() { "/".into() } else { at }),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| find_float(v, format!("{at}/{i}"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| find_float(v, format!("{at}/{k}"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorted_compact_minimal_escapes() {
        let v = json!({"b": 1, "a": {"z": [3, 1], "é": "ü\n\"\\\u{1}"}, "B": true});
        let out = String::from_utf8(to_vec(&v).unwrap()).unwrap();
        assert_eq!(out, r#"{"B":true,"a":{"z":[3,1],"é":"ü\n\"\\\u0001"},"b":1}"#);
    }

    #[test]
    fn floats_are_refused_with_their_place() {
        let v = json!({"a": {"gain": 0.5}});
        assert_eq!(to_vec(&v), Err(FloatAt("/a/gain".into())));
        assert!(to_vec(&json!({"a": -5, "b": u64::MAX})).is_ok());
    }
}
