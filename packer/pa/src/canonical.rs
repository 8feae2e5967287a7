//! Canonical JSON (fixed rules, `docs/reference/assets-pa.md`): UTF-8, no whitespace,
//! keys sorted by byte order, integers only, minimal escaping, no newline.
//!
//! serde_json's compact writer escapes exactly `"`, `\` and controls, so
//! scalars are written by it. Object keys are sorted here, explicitly: the
//! order of serde_json's `Map` depends on whether any crate in the build
//! enabled its `preserve_order` feature, which a game's own dependencies may
//! do. Floats are refused rather than trusted absent.

use serde_json::{Map, Value};

/// Where a float sits inside a value, as a JSON pointer (`/metadata/gain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FloatAt(pub String);

/// Serializes `value` canonically; fails on the first floating-point number.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, FloatAt> {
    if let Some(at) = find_float(value, String::new()) {
        return Err(FloatAt(at));
    }
    let mut out = Vec::new();
    write(value, &mut out);
    Ok(out)
}

/// `to_vec` of an object held as a map, without wrapping it in a `Value`.
pub(crate) fn object_to_vec(map: &Map<String, Value>) -> Result<Vec<u8>, FloatAt> {
    // The pointer is built only for a float that is there.
    if let Some((key, value)) = map.iter().find(|(_, value)| float_path(value, &mut Vec::new())) {
        return Err(FloatAt(find_float(value, format!("/{key}")).expect("the value holds a float")));
    }
    let mut out = Vec::new();
    write_object(map, &mut out);
    Ok(out)
}

pub(crate) fn write(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(map, out),
        scalar => serde_json::to_writer(&mut *out, scalar).expect("writing to memory cannot fail"),
    }
}

fn write_object(map: &Map<String, Value>, out: &mut Vec<u8>) {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    out.push(b'{');
    for (i, (key, item)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, key).expect("writing to memory cannot fail");
        out.push(b':');
        write(item, out);
    }
    out.push(b'}');
}

/// The JSON pointer of the first float in `value`, in key order, below `at`.
/// The pointer is built only on the way out of a hit: a header of 100k
/// entries without a float costs no allocation here.
pub fn find_float(value: &Value, at: String) -> Option<String> {
    let mut path = Vec::new();
    if !float_path(value, &mut path) {
        return None;
    }
    let mut pointer = at;
    for part in path.iter().rev() {
        pointer.push('/');
        pointer.push_str(part);
    }
    Some(if pointer.is_empty() { "/".into() } else { pointer })
}

/// Whether `value` holds a float; if so, `path` receives the steps to the
/// first one, innermost first.
fn float_path(value: &Value, path: &mut Vec<String>) -> bool {
    let found = match value {
        Value::Number(n) => return !(n.is_i64() || n.is_u64()),
        Value::Array(items) => items.iter().enumerate().find(|(_, v)| float_path(v, path)).map(|(i, _)| i.to_string()),
        Value::Object(map) => map.iter().find(|(_, v)| float_path(v, path)).map(|(k, _)| k.clone()),
        _ => None,
    };
    found.map(|step| path.push(step)).is_some()
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
