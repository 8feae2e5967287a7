//! An entry's metadata, held as its canonical JSON text.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::canonical::{self, FloatAt};

/// One asset's converged metadata: a JSON object of integers, strings,
/// booleans, arrays and objects, held as its canonical text, which is what
/// the header writes. One allocation per asset, however many keys; the
/// pack carries it from the gate to the header without a JSON tree, and
/// entries with the same metadata can share one text (`SharedMetadata`).
/// It can never hold a float: `from_map` refuses one.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Metadata(Arc<str>);

impl Metadata {
    /// `{}`.
    pub fn empty() -> Metadata {
        Metadata("{}".into())
    }

    /// The canonical text of `map`; fails with the JSON pointer of the first float.
    pub fn from_map(map: &Map<String, Value>) -> Result<Metadata, FloatAt> {
        let bytes = canonical::object_to_vec(map)?;
        let text = std::str::from_utf8(&bytes).expect("canonical JSON is UTF-8");
        // Copied at its exact length rather than shrunk in place, which an
        // allocator may do by keeping the whole grown block: a pack holds
        // one of these per asset until its header is written.
        Ok(Metadata(Arc::from(text)))
    }

    /// The canonical JSON text (`{"tile_size":16,…}`), as the header holds it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The metadata as a JSON object, for readers of its keys (previews, usage).
    pub fn to_map(&self) -> Map<String, Value> {
        match serde_json::from_str(&self.0) {
            Ok(Value::Object(map)) => map,
            _ => unreachable!("metadata is always the canonical text of an object"),
        }
    }
}

/// The metadata texts of many entries, each text held once: banks cut the
/// same way or sounds of one format converge to the same metadata, and a
/// pack holds every entry's until its header is written (14 MiB at 100 000
/// assets, held once per distinct text instead). Safe to share between threads.
#[derive(Debug, Default)]
pub struct SharedMetadata(Mutex<HashSet<Arc<str>>>);

impl SharedMetadata {
    /// An empty set.
    pub fn new() -> SharedMetadata {
        SharedMetadata::default()
    }

    /// `metadata`, as the text an earlier equal one holds when there was one.
    pub fn share(&self, metadata: Metadata) -> Metadata {
        let mut held = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match held.get(&metadata.0) {
            Some(text) => Metadata(Arc::clone(text)),
            None => {
                held.insert(Arc::clone(&metadata.0));
                metadata
            }
        }
    }
}

impl Default for Metadata {
    fn default() -> Metadata {
        Metadata::empty()
    }
}

impl std::fmt::Debug for Metadata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Metadata {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Metadata {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Metadata, D::Error> {
        let map = Map::<String, Value>::deserialize(deserializer)?;
        Metadata::from_map(&map)
            .map_err(|at| serde::de::Error::custom(format!("metadata holds a floating-point number at `{}`", at.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn held_as_canonical_text_and_read_back() {
        let map = json!({"width": 256, "codec": {}, "a": [3, 1]}).as_object().unwrap().clone();
        let metadata = Metadata::from_map(&map).unwrap();
        assert_eq!(metadata.as_str(), r#"{"a":[3,1],"codec":{},"width":256}"#);
        assert_eq!(metadata.to_map(), map);
        assert_eq!(serde_json::to_string(&metadata).unwrap(), metadata.as_str());
    }

    #[test]
    fn equal_texts_are_held_once() {
        let shared = SharedMetadata::new();
        let of = |value: serde_json::Value| Metadata::from_map(value.as_object().unwrap()).unwrap();
        let first = shared.share(of(json!({"tile_size": 16})));
        let again = shared.share(of(json!({"tile_size": 16})));
        let other = shared.share(of(json!({"tile_size": 8})));
        assert!(Arc::ptr_eq(&first.0, &again.0));
        assert!(!Arc::ptr_eq(&first.0, &other.0));
        assert_eq!((again.as_str(), other.as_str()), (r#"{"tile_size":16}"#, r#"{"tile_size":8}"#));
    }

    #[test]
    fn a_float_is_refused_with_its_place() {
        let map = json!({"a": {"gain": 0.5}}).as_object().unwrap().clone();
        assert_eq!(Metadata::from_map(&map), Err(FloatAt("/a/gain".into())));
        assert!(serde_json::from_str::<Metadata>(r#"{"gain":0.5}"#).is_err());
    }
}
