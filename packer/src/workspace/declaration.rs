//! `<root>/asset.json`: parsing with line/column on syntax errors, unknown
//! keys refused with the accepted list, and every rule of `docs/reference/asset-json.md` that
//! concerns the declaration alone (family content checks live in the family).

use std::collections::BTreeMap;

use prometeu_pa::PRELOAD_SLOTS;
use prometeu_shape::json_type as describe;
use serde_json::{Map, Value};

use crate::support::diag::AssetRef;
use crate::support::diag::{Code, Diagnostic, any_blocking};
use crate::workspace::family::{Family, SHEET_ROLE};
use crate::workspace::paths::check_relative;
use crate::workspace::schema::{ArtifactJson, AssetJson, LoopJson, OutputJson, PreloadJson};

/// An `asset.json` larger than this is refused unread (local limit: real
/// declarations are a few KiB).
pub const MAX_DECLARATION_BYTES: u64 = 1024 * 1024;

pub const DECLARATION_SCHEMA_VERSION: u64 = 1;

/// Accepted keys of each object, from the types of `workspace::schema`
/// (local decision: `artifacts`, `preload.slot`, `loop`, `$schema`).
/// The top-level key naming the JSON Schema an editor checks the file against.
pub const SCHEMA_KEY: &str = "$schema";

pub fn top_level_keys() -> &'static [&'static str] {
    prometeu_shape::field_names::<AssetJson>()
}
pub fn output_keys() -> &'static [&'static str] {
    prometeu_shape::field_names::<OutputJson>()
}
pub fn preload_keys() -> &'static [&'static str] {
    prometeu_shape::field_names::<PreloadJson>()
}
/// `loop` only for families that accept loop points.
pub fn artifact_keys() -> &'static [&'static str] {
    prometeu_shape::field_names::<ArtifactJson>()
}
pub fn loop_keys() -> &'static [&'static str] {
    prometeu_shape::field_names::<LoopJson>()
}

/// `name`: 1..=64 characters of `A-Z a-z 0-9 _ - .`.
pub const NAME_MAX_CHARS: usize = 64;
/// The only `output.codec` the runtime accepts (fixed).
pub const SUPPORTED_CODEC: &str = prometeu_pa::CODEC_NONE;

/// A parsed `asset.json` that broke no blocking declaration rule (family content checks come later).
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    /// The asset's stable identity, non-empty; must equal the registry entry's `asset_uuid`.
    pub asset_uuid: String,
    /// The runtime `asset_name`: 1–64 characters of `A-Z a-z 0-9 _ - .`; unique in the active pack set.
    pub name: String,
    /// The declared `type`, which decides the format, the main role and the family checks.
    pub family: Family,
    /// Role → root-relative paths, in declared order.
    pub inputs: Inputs,
    /// The selected artifacts sorted by `index` (explicit, or derived from the
    /// main role when `artifacts` is absent). Indices are exactly `0..n`.
    pub artifacts: Vec<Artifact>,
    /// The `output` object: format, codec and the metadata sources.
    pub output: Output,
    /// The `preload` object: whether and where the runtime loads the asset at start.
    pub preload: Preload,
}

/// `inputs`: role → list of root-relative paths, sorted by role. A few
/// roles per asset, so a sorted list: a map's node costs some 500 bytes per
/// asset for as long as the snapshot lives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inputs(Vec<(String, Vec<String>)>);

impl Inputs {
    /// The paths of `role`.
    pub fn get(&self, role: &str) -> Option<&Vec<String>> {
        self.position(role).ok().map(|i| &self.0[i].1)
    }

    /// Whether `role` is declared.
    pub fn contains_key(&self, role: &str) -> bool {
        self.position(role).is_ok()
    }

    /// Every role and its paths, by role.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Vec<String>)> {
        self.0.iter().map(|(role, paths)| (role, paths))
    }

    /// Every role's paths, by role.
    pub fn values(&self) -> impl Iterator<Item = &Vec<String>> {
        self.0.iter().map(|(_, paths)| paths)
    }

    /// Sets the paths of `role`.
    pub fn insert(&mut self, role: String, paths: Vec<String>) {
        match self.position(&role) {
            Ok(i) => self.0[i].1 = paths,
            Err(i) => self.0.insert(i, (role, paths)),
        }
    }

    /// The paths of `role`, to change them.
    pub fn get_mut(&mut self, role: &str) -> Option<&mut Vec<String>> {
        self.position(role).ok().map(|i| &mut self.0[i].1)
    }

    /// Takes `role` out, with its paths.
    pub fn remove(&mut self, role: &str) -> Option<Vec<String>> {
        self.position(role).ok().map(|i| self.0.remove(i).1)
    }

    fn position(&self, role: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(r, _)| r.as_str().cmp(role))
    }
}

impl std::ops::Index<&str> for Inputs {
    type Output = Vec<String>;

    /// The paths of `role`; panics when it is not declared, as a map's index does.
    fn index(&self, role: &str) -> &Vec<String> {
        self.get(role).unwrap_or_else(|| panic!("no input role `{role}`"))
    }
}

impl From<BTreeMap<String, Vec<String>>> for Inputs {
    fn from(map: BTreeMap<String, Vec<String>>) -> Inputs {
        Inputs(map.into_iter().collect())
    }
}

impl From<&Inputs> for BTreeMap<String, Vec<String>> {
    fn from(inputs: &Inputs) -> BTreeMap<String, Vec<String>> {
        inputs.0.iter().cloned().collect()
    }
}

/// One selected input of the main role, with its place in the bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Position in the bank (glyph sheet cell, sound payload order); across artifacts exactly `0..n`.
    pub index: u32,
    /// One of the main role's inputs.
    pub input: String,
    /// The artifact's `loop`; only families that accept loop points (sound banks) allow one.
    pub loop_points: Option<LoopPoints>,
}

/// Loop points in frames; `start < end <= frames` is a family check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LoopPoints {
    /// First frame of the loop, inclusive.
    pub start: u64,
    /// End of the loop in frames, exclusive; above `start` and at most the sample's frame count.
    pub end: u64,
}

/// The declaration's `output` object.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// Must be the family's format (`GLYPH/indexed_v1`, `SOUNDS/pcm16le_v1`), else `output_format_mismatch`.
    pub format: String,
    /// Must be `SUPPORTED_CODEC` (`NONE`), else `codec_unsupported`; becomes the header's `codec`.
    pub codec: String,
    /// `output.metadata` (empty when absent).
    pub metadata: JsonObject,
    /// Copied to metadata key `codec` when present; free-form but integers only.
    pub codec_configuration: Option<JsonObject>,
    /// Copied to metadata key `pipeline` when present; a glyph bank reads its `palettes`.
    pub pipeline: Option<JsonObject>,
}

/// A free-form object of `asset.json`, held as its compact JSON text: one
/// allocation per object however many keys, where a JSON tree costs a few
/// hundred bytes per node for as long as the snapshot lives. Readers parse
/// it when they need its keys (a few times per asset, each a small object).
#[derive(Clone, PartialEq, Eq)]
pub struct JsonObject(Box<str>);

impl Default for JsonObject {
    /// `{}`, as an absent `output.metadata` reads.
    fn default() -> JsonObject {
        JsonObject("{}".into())
    }
}

impl JsonObject {
    /// The compact text of `map`.
    pub fn from_map(map: &Map<String, Value>) -> JsonObject {
        JsonObject(serde_json::to_string(map).expect("a JSON map serializes").into_boxed_str())
    }

    /// The object's keys and values.
    pub fn to_map(&self) -> Map<String, Value> {
        match serde_json::from_str(&self.0) {
            Ok(Value::Object(map)) => map,
            _ => unreachable!("a JsonObject is always the text of an object"),
        }
    }

    /// The value of one key.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.to_map().remove(key)
    }

    /// Whether the object has no key.
    pub fn is_empty(&self) -> bool {
        &*self.0 == "{}"
    }
}

impl std::fmt::Debug for JsonObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The declaration's `preload` object (keys local).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preload {
    /// Whether the runtime loads the asset at start, i.e. whether it is in the header's `preload` list.
    pub enabled: bool,
    /// Present and in `0..PRELOAD_SLOTS` whenever `enabled`.
    pub slot: Option<u32>,
}

/// What a snapshot keeps of a parsed declaration for as long as it lives:
/// the fields its listings and the checks across assets read. A packing
/// snapshot parses the whole declaration again, where it is used, from the
/// `asset.json` it froze (`Snapshot::declaration`), so a pack of many
/// assets never holds every declaration parsed; a runtime snapshot keeps
/// it whole besides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// The declaration's `name`.
    pub name: Box<str>,
    /// The declared `type`.
    pub family: Family,
    /// Where `Declaration::main_role` is in the family's `main_roles` (see `main_role`).
    main_role: u8,
    /// The declaration's `preload` object.
    pub preload: Preload,
}

impl From<&Declaration> for Declared {
    fn from(d: &Declaration) -> Declared {
        let role = d.main_role();
        let at = d.family.main_roles().iter().position(|r| *r == role).expect("the main role is one of the family's");
        let main_role = u8::try_from(at).expect("a family has a handful of main roles");
        Declared { name: d.name.as_str().into(), family: d.family, main_role, preload: d.preload }
    }
}

impl Declared {
    /// `Declaration::main_role`: held as its place in the family's roles,
    /// a byte instead of a text's address and length in every asset.
    pub fn main_role(&self) -> &'static str {
        self.family.main_roles()[usize::from(self.main_role)]
    }
}

impl Preload {
    /// The slot the asset preloads into; `None` when it is not preloaded.
    pub fn enabled_slot(&self) -> Option<u32> {
        self.slot.filter(|_| self.enabled)
    }
}

/// The outcome of parsing one `asset.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// `Some` exactly when no blocking diagnostic was found.
    pub declaration: Option<Declaration>,
    /// Also readable when the declaration as a whole is not, so the registry
    /// uuid can still be compared.
    pub asset_uuid: Option<String>,
    /// Every finding of the declaration rules, tagged with the asset and the `asset.json` path.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses `bytes` as the `asset.json` of `asset`; `file` is its project-relative path.
pub fn parse(bytes: &[u8], asset: AssetRef<'_>, file: &str) -> Parsed {
    parse_with(bytes, asset, file, Scan::DuplicateKeys)
}

/// The declaration `parse` gives for `bytes` it has already accepted
/// (`Snapshot::declaration`): the scan for duplicate keys, which can only
/// refuse them, is not run again.
pub(crate) fn parse_accepted(bytes: &[u8], asset: AssetRef<'_>, file: &str) -> Option<Declaration> {
    parse_with(bytes, asset, file, Scan::Accepted).declaration
}

/// Whether `parse_with` scans the text for duplicate keys, which a JSON value does not show.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scan {
    DuplicateKeys,
    /// The text was parsed with the scan before and passed it.
    Accepted,
}

fn parse_with(bytes: &[u8], asset: AssetRef<'_>, file: &str, scan: Scan) -> Parsed {
    let bytes = prometeu_shape::without_bom(bytes);
    let mut cx =
        Checker { asset, file, source: bytes, positions: None, suggested: Vec::new(), diagnostics: Vec::new() };
    let value = match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => value,
        Err(error) => {
            cx.block_at(Code::DeclarationInvalidJson, json_error_message(file, &error), &error);
            return cx.finish(None, None);
        }
    };
    if let Some(duplicate) = (scan == Scan::DuplicateKeys).then(|| prometeu_shape::duplicate_key(bytes)).flatten() {
        cx.push(
            Diagnostic::blocking(Code::DeclarationInvalidJson, duplicate.message(file))
                .at(duplicate.line, duplicate.column),
        );
        return cx.finish(None, None);
    }
    let Value::Object(top) = &value else {
        cx.block(
            Code::DeclarationInvalidValue,
            format!(
                "asset.json must hold a JSON object, found {}; write the asset's keys inside `{{ … }}`",
                describe(&value)
            ),
        );
        return cx.finish(None, None);
    };
    // Read before any rule runs, so the registry can compare uuids even when
    // the rest of the declaration is broken.
    let asset_uuid = top.get("asset_uuid").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    let declaration = read_declaration(&mut cx, top);
    // A check of this code, not of the file: every declaration the tests
    // parse (debug assertions on) holds the rules and the schema type
    // together, and release builds skip the second reading.
    if cfg!(debug_assertions) && declaration.is_some() && !any_blocking(&cx.diagnostics) {
        typed_cross_check(&mut cx, &value);
    }
    cx.finish(declaration, asset_uuid)
}

/// A declaration these rules accept must also read as `AssetJson`, the type
/// its published schema comes from; a refusal here means the two drifted.
fn typed_cross_check(cx: &mut Checker<'_>, value: &Value) {
    // Deserialized from the borrowed tree: no copy of the declaration.
    if let Err(error) = <AssetJson as serde::Deserialize>::deserialize(value) {
        cx.block(
            Code::DeclarationInvalidValue,
            format!("asset.json does not match the asset.json schema ({error}); correct it to the documented shape"),
        );
    }
}

/// The human text of a JSON syntax error, without serde_json's position
/// suffix (the position travels in the diagnostic's `line`/`column`).
pub(crate) fn json_error_message(what: &str, error: &serde_json::Error) -> String {
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let reason = full.strip_suffix(&suffix).unwrap_or(&full);
    format!(
        "{what} is not valid JSON ({reason}) at line {}, column {}; fix the syntax there",
        error.line(),
        error.column()
    )
}

/// Every rule that concerns the declaration alone. Each reader returns `None`
/// only after reporting a blocking diagnostic, so `Parsed::declaration` can be
/// decided from the diagnostics alone.
fn read_declaration(cx: &mut Checker<'_>, top: &Map<String, Value>) -> Option<Declaration> {
    // A different schema has different rules: report that alone rather than
    // a flood of findings that would not apply to it. (Reporting it is
    // blocking, so returning `None` keeps the reader contract.)
    if !schema_supported(cx, top) {
        return None;
    }
    cx.unknown_keys(top, top_level_keys(), "at the top level of asset.json", "");
    // `$schema` is for editors; it only has to be a string.
    if let Some(value) = top.get(SCHEMA_KEY) {
        cx.string(value, SCHEMA_KEY);
    }
    let asset_uuid = read_uuid(cx, top);
    let name = read_name(cx, top);
    let family = read_family(cx, top);
    let inputs = read_inputs(cx, top, family);
    let main_inputs = family.zip(inputs.as_ref()).and_then(|(f, inputs)| {
        let role = main_role_in(f, inputs);
        inputs.get(role).map(|paths| (paths.as_slice(), role))
    });
    let artifacts = read_artifacts(cx, top, family, main_inputs);
    let output = read_output(cx, top, family);
    let preload = read_preload(cx, top);
    // `build` is free-form and never reaches the runtime: any JSON value.
    Some(Declaration {
        asset_uuid: asset_uuid?,
        name: name?,
        family: family?,
        inputs: inputs?,
        artifacts: artifacts?,
        output: output?,
        preload: preload?,
    })
}

/// Whether the rest can be checked: a missing or mistyped version is
/// reported and assumed current; a different version stops here.
fn schema_supported(cx: &mut Checker<'_>, top: &Map<String, Value>) -> bool {
    let Some(value) = cx.required(top, "", "schema_version") else {
        return true;
    };
    match value.as_u64() {
        Some(DECLARATION_SCHEMA_VERSION) => true,
        _ if is_integer(value) => {
            cx.block(
                Code::DeclarationSchemaVersion,
                format!(
                    "`schema_version` {value} is not supported; this packer reads schema_version \
                     {DECLARATION_SCHEMA_VERSION}, so write that or use a packer that knows version {value}"
                ),
            );
            false
        }
        _ => {
            cx.wrong_type("schema_version", &format!("the integer {DECLARATION_SCHEMA_VERSION}"), value);
            true
        }
    }
}

fn read_uuid(cx: &mut Checker<'_>, top: &Map<String, Value>) -> Option<String> {
    let uuid = cx.required_str(top, "", "asset_uuid")?;
    if uuid.is_empty() {
        cx.block(
            Code::DeclarationInvalidValue,
            "`asset_uuid` is empty; give the asset a stable unique id (for example a random UUID) and never change it"
                .to_owned(),
        );
        return None;
    }
    Some(uuid.to_owned())
}

fn read_name(cx: &mut Checker<'_>, top: &Map<String, Value>) -> Option<String> {
    let name = cx.required_str(top, "", "name")?;
    match name_problem(name) {
        None => Some(name.to_owned()),
        Some(problem) => {
            cx.block(
                Code::AssetNameInvalid,
                format!(
                    "asset name `{name}` {problem}; use 1 to {NAME_MAX_CHARS} characters of \
                     A-Z, a-z, 0-9, `_`, `-` and `.`"
                ),
            );
            None
        }
    }
}

/// Why `name` is not a valid runtime `asset_name`, if it is not.
fn name_problem(name: &str) -> Option<String> {
    let count = name.chars().count();
    if count == 0 {
        return Some("is empty".to_owned());
    }
    if count > NAME_MAX_CHARS {
        return Some(format!("is {count} characters long"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    name.chars().find(|&c| !allowed(c)).map(|c| format!("contains {c:?}"))
}

fn read_family(cx: &mut Checker<'_>, top: &Map<String, Value>) -> Option<Family> {
    let name = cx.required_str(top, "", "type")?;
    let family = Family::from_type_name(name);
    if family.is_none() {
        cx.block(Code::AssetTypeUnknown, format!("asset type `{name}` is unknown; use one of: {}", known_type_names()));
    }
    family
}

fn known_type_names() -> String {
    Family::ALL.iter().map(|f| f.type_name()).collect::<Vec<_>>().join(", ")
}

/// `inputs`: role → list of root-relative paths. Roles that cannot be read
/// as a list of strings are left out of the map (and reported).
fn read_inputs(cx: &mut Checker<'_>, top: &Map<String, Value>, family: Option<Family>) -> Option<Inputs> {
    let roles = cx.required_object(top, "", "inputs")?;
    // Sized to the roles: inserting into an empty list reserves room for
    // four, held by every declaration a runtime snapshot keeps parsed.
    let mut inputs = Inputs(Vec::with_capacity(roles.len()));
    for (role, value) in roles {
        if let Some(paths) = read_role(cx, role, value) {
            inputs.insert(role.clone(), paths);
        }
    }
    if let Some(family) = family {
        check_main_roles(cx, roles, &inputs, family);
    }
    Some(inputs)
}

/// Exactly one of the family's main roles, and a sheet of exactly one image.
fn check_main_roles(cx: &mut Checker<'_>, roles: &Map<String, Value>, inputs: &Inputs, family: Family) {
    let main_roles = family.main_roles();
    let present: Vec<&str> = main_roles.iter().copied().filter(|role| roles.contains_key(*role)).collect();
    let type_name = family.type_name();
    match present.as_slice() {
        [] => {
            let main = family.main_role();
            // A misspelt role (`tile`, `sample`) is the usual cause: name it.
            let hint = roles
                .keys()
                .find_map(|written| prometeu_shape::did_you_mean(written, main_roles).map(|meant| (written, meant)))
                .map(|(written, meant)| format!("`{written}` is not a role of a {type_name}: did you mean `{meant}`? "))
                .unwrap_or_default();
            let others: Vec<String> = main_roles[1..].iter().map(|role| format!("`{role}`")).collect();
            let or_others = if others.is_empty() { String::new() } else { format!(" (or {})", others.join(", ")) };
            cx.block(
                Code::MainRoleMissing,
                format!(
                    "`inputs` has no `{main}` role{or_others}, which a {type_name} takes its artifacts from; \
                     {hint}add `\"{main}\": [ … ]`"
                ),
            );
        }
        [_] => {}
        several => cx.block(
            Code::SheetInvalid,
            format!(
                "`inputs` declares both {}; a {type_name} takes its artifacts from one of them, so keep one",
                several.iter().map(|role| format!("`{role}`")).collect::<Vec<_>>().join(" and ")
            ),
        ),
    }
    if let Some(sheet) = inputs.get(SHEET_ROLE)
        && sheet.len() != 1
    {
        cx.block(
            Code::SheetInvalid,
            format!(
                "`inputs.{SHEET_ROLE}` lists {} images; a sheet is exactly one image whose cells are the tiles, \
                 so list one (or use `inputs.tiles` for one image per tile)",
                sheet.len()
            ),
        );
    }
}

/// The main role a declaration uses: the first of the family's main roles
/// that `inputs` holds (the family's first when none does).
pub(crate) fn main_role_in(family: Family, inputs: &Inputs) -> &'static str {
    family.main_roles().iter().copied().find(|role| inputs.contains_key(role)).unwrap_or(family.main_role())
}

impl Declaration {
    /// The role whose inputs are the artifacts (`tiles`, `sheet`, `samples`).
    pub fn main_role(&self) -> &'static str {
        main_role_in(self.family, &self.inputs)
    }

    /// Whether the artifacts are the cells of one `inputs.sheet` image.
    pub fn is_sheet(&self) -> bool {
        self.main_role() == SHEET_ROLE
    }
}

fn read_role(cx: &mut Checker<'_>, role: &str, value: &Value) -> Option<Vec<String>> {
    let at = format!("inputs.{role}");
    if let Value::String(single) = value {
        cx.block(
            Code::DeclarationInvalidValue,
            format!(
                "`{at}` is a bare string; a single input is still a list, so write `[{}]`",
                Value::from(single.as_str())
            ),
        );
        return None;
    }
    let items = cx.array(value, &at)?;
    let mut paths = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_at = format!("{at}[{i}]");
        if let Some(path) = cx.string(item, &item_at) {
            if let Err(rule) = check_relative(path) {
                cx.block(Code::InputPathInvalid, format!("input path `{path}` (`{item_at}`) {}", rule.explain()));
            }
            paths.push(path.to_owned());
        }
    }
    // A role with an unreadable entry is left out as a whole, so artifacts
    // are not reported as unknown just because a neighbour was mistyped.
    (paths.len() == items.len()).then_some(paths)
}

/// The selected artifacts, sorted by index: explicit, or derived from the
/// main role when `artifacts` is absent. `main_inputs` is `None` when the main
/// role could not be read (already reported).
fn read_artifacts(
    cx: &mut Checker<'_>,
    top: &Map<String, Value>,
    family: Option<Family>,
    main_inputs: Option<(&[String], &'static str)>,
) -> Option<Vec<Artifact>> {
    let artifacts = match top.get("artifacts") {
        None => derive_artifacts(main_inputs?.0),
        Some(value) => read_explicit_artifacts(cx, value, family, main_inputs)?,
    };
    if artifacts.is_empty() {
        cx.warn(
            Code::ArtifactsEmpty,
            "the asset selects no artifacts, so its bank will be empty; list inputs in its main role \
             or entries in `artifacts`, or exclude the asset from the build"
                .to_owned(),
        );
    }
    Some(artifacts)
}

/// Absent `artifacts`: every main-role input, `index` = its position.
fn derive_artifacts(main_inputs: &[String]) -> Vec<Artifact> {
    main_inputs
        .iter()
        .zip(0u32..)
        .map(|(input, index)| Artifact { index, input: input.clone(), loop_points: None })
        .collect()
}

fn read_explicit_artifacts(
    cx: &mut Checker<'_>,
    value: &Value,
    family: Option<Family>,
    main_inputs: Option<(&[String], &'static str)>,
) -> Option<Vec<Artifact>> {
    let items = cx.array(value, "artifacts")?;
    let mut artifacts = Vec::with_capacity(items.len());
    let mut all_read = true;
    for (i, item) in items.iter().enumerate() {
        match read_artifact(cx, &format!("artifacts[{i}]"), item, family, main_inputs) {
            Some(artifact) => artifacts.push(artifact),
            None => all_read = false,
        }
    }
    if !all_read {
        return None;
    }
    artifacts.sort_by_key(|a| a.index);
    check_contiguous(cx, &artifacts);
    Some(artifacts)
}

fn read_artifact(
    cx: &mut Checker<'_>,
    at: &str,
    value: &Value,
    family: Option<Family>,
    main_inputs: Option<(&[String], &'static str)>,
) -> Option<Artifact> {
    let fields = cx.object(value, at)?;
    // With an unknown family, whether `loop` is allowed cannot be told; the
    // unknown type is already blocking, so do not add noise about it.
    let loops_allowed = family.is_none_or(Family::accepts_loop_points);
    if loops_allowed {
        cx.unknown_keys(fields, artifact_keys(), &format!("in `{at}`"), at);
    } else {
        cx.unknown_keys_without_loop(fields, at, family);
    }
    let index = cx.required(fields, at, "index").and_then(|v| cx.index(v, &format!("{at}.index")));
    let input = cx.required_str(fields, at, "input");
    if let (Some(input), Some((main_inputs, role))) = (input, main_inputs)
        && !main_inputs.iter().any(|known| known == input)
    {
        cx.block(
            Code::ArtifactInputUnknown,
            format!(
                "`{at}.input` selects `{input}`, which is not one of the `inputs.{role}` paths; \
                 add it to `inputs.{role}` or fix the spelling"
            ),
        );
    }
    let loop_points = match fields.get("loop") {
        Some(value) if loops_allowed => Some(read_loop(cx, &format!("{at}.loop"), value)?),
        _ => None,
    };
    Some(Artifact { index: index?, input: input?.to_owned(), loop_points })
}

fn read_loop(cx: &mut Checker<'_>, at: &str, value: &Value) -> Option<LoopPoints> {
    let fields = cx.object(value, at)?;
    cx.unknown_keys(fields, loop_keys(), &format!("in `{at}`"), at);
    let start = cx.required(fields, at, "start").and_then(|v| cx.frames(v, &format!("{at}.start")));
    let end = cx.required(fields, at, "end").and_then(|v| cx.frames(v, &format!("{at}.end")));
    Some(LoopPoints { start: start?, end: end? })
}

/// Sorted indices must be exactly `0..n`: no repeats, no gaps.
fn check_contiguous(cx: &mut Checker<'_>, sorted: &[Artifact]) {
    if sorted.iter().zip(0u64..).all(|(a, expected)| u64::from(a.index) == expected) {
        return;
    }
    let mut repeated: Vec<u32> = sorted.windows(2).filter(|w| w[0].index == w[1].index).map(|w| w[0].index).collect();
    repeated.dedup();
    let n = u64::try_from(sorted.len()).unwrap_or(u64::MAX);
    let present: std::collections::BTreeSet<u64> = sorted.iter().map(|a| u64::from(a.index)).collect();
    let missing: Vec<u64> = (0..n).filter(|i| !present.contains(i)).collect();
    let mut found = String::new();
    if !repeated.is_empty() {
        found.push_str(&format!("; repeated: {}", list_some(&repeated)));
    }
    if !missing.is_empty() {
        found.push_str(&format!("; missing: {}", list_some(&missing)));
    }
    cx.block(
        Code::ArtifactIndicesNotContiguous,
        format!(
            "artifact indices must be exactly 0 to {} with no gaps or repeats{found}; renumber the artifacts",
            n.saturating_sub(1)
        ),
    );
}

/// A short comma-separated list; long ones are cut so messages stay one line.
fn list_some<T: std::fmt::Display>(items: &[T]) -> String {
    const SHOWN: usize = 8;
    let mut text = items.iter().take(SHOWN).map(ToString::to_string).collect::<Vec<_>>().join(", ");
    if items.len() > SHOWN {
        text.push_str(", …");
    }
    text
}

fn read_output(cx: &mut Checker<'_>, top: &Map<String, Value>, family: Option<Family>) -> Option<Output> {
    let fields = cx.required_object(top, "", "output")?;
    cx.unknown_keys(fields, output_keys(), "in `output`", "output");
    let format = cx.required_str(fields, "output", "format");
    if let (Some(format), Some(family)) = (format, family)
        && format != family.format()
    {
        cx.block(
            Code::OutputFormatMismatch,
            format!(
                "`output.format` is `{format}`, but a {} is always `{}`; write that",
                family.type_name(),
                family.format()
            ),
        );
    }
    let codec = cx.required_str(fields, "output", "codec");
    if let Some(codec) = codec
        && codec != SUPPORTED_CODEC
    {
        cx.block(
            Code::CodecUnsupported,
            format!("`output.codec` `{codec}` is not supported; the only codec is `{SUPPORTED_CODEC}`, so write that"),
        );
    }
    // The free-form parts: any content, but each must be an object.
    let metadata = cx.optional_object(fields, "output", "metadata");
    let codec_configuration = cx.optional_object(fields, "output", "codec_configuration");
    let pipeline = cx.optional_object(fields, "output", "pipeline");
    Some(Output {
        format: format?.to_owned(),
        codec: codec?.to_owned(),
        metadata: metadata?.unwrap_or_default(),
        codec_configuration: codec_configuration?,
        pipeline: pipeline?,
    })
}

fn read_preload(cx: &mut Checker<'_>, top: &Map<String, Value>) -> Option<Preload> {
    let fields = cx.required_object(top, "", "preload")?;
    cx.unknown_keys(fields, preload_keys(), "in `preload`", "preload");
    let enabled = cx.required(fields, "preload", "enabled").and_then(|v| cx.boolean(v, "preload.enabled"));
    // The slot is range-checked even when preloading is off, so turning it on
    // later cannot surface a stale mistake.
    let slot = match fields.get("slot") {
        None => Some(None),
        Some(value) => read_slot(cx, value).map(Some),
    };
    if enabled == Some(true) && matches!(slot, Some(None)) {
        cx.block(
            Code::PreloadSlotMissing,
            format!(
                "`preload.enabled` is true but `preload.slot` is missing; add a slot from 0 to {}",
                PRELOAD_SLOTS - 1
            ),
        );
        return None;
    }
    Some(Preload { enabled: enabled?, slot: slot? })
}

fn read_slot(cx: &mut Checker<'_>, value: &Value) -> Option<u32> {
    let slot = value.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|&n| n < PRELOAD_SLOTS);
    if slot.is_none() {
        let found = if is_integer(value) { value.to_string() } else { describe(value).to_owned() };
        cx.block(
            Code::PreloadSlotInvalid,
            format!(
                "`preload.slot` must be an integer from 0 to {}, found {found}; pick a slot in that range",
                PRELOAD_SLOTS - 1
            ),
        );
    }
    slot
}

/// Collects the findings of one declaration; every diagnostic it records
/// names the asset and the file.
struct Checker<'a> {
    asset: AssetRef<'a>,
    file: &'a str,
    /// The file's text, indexed into `positions` at the first finding that needs a place.
    source: &'a [u8],
    positions: Option<prometeu_shape::JsonPositions>,
    /// Keys an unknown key was taken to be a typo of (`preload` for `preloa`):
    /// their absence is that same typo, so it is not reported again.
    suggested: Vec<String>,
    diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn finish(self, declaration: Option<Declaration>, asset_uuid: Option<String>) -> Parsed {
        let declaration = declaration.filter(|_| !any_blocking(&self.diagnostics));
        Parsed { declaration, asset_uuid, diagnostics: self.diagnostics }
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic.asset(self.asset.asset_id, self.asset.root).file(self.file));
    }

    fn block(&mut self, code: Code, message: String) {
        self.push(Diagnostic::blocking(code, message));
    }

    /// A blocking finding at the key or element `path` (`output.metadata`,
    /// `artifacts[0].input`), with its line and column when the text has it.
    fn block_key(&mut self, code: Code, message: String, path: &str) {
        let source = self.source;
        let positions = self.positions.get_or_insert_with(|| prometeu_shape::JsonPositions::of(source));
        let diagnostic = Diagnostic::blocking(code, message);
        let diagnostic = match positions.get(path) {
            Some((line, column)) => diagnostic.at(line, column),
            None => diagnostic,
        };
        self.push(diagnostic);
    }

    fn block_at(&mut self, code: Code, message: String, error: &serde_json::Error) {
        self.push(Diagnostic::blocking(code, message).at(error.line(), error.column()));
    }

    fn warn(&mut self, code: Code, message: String) {
        self.push(Diagnostic::warning(code, message));
    }

    /// Reports every key of `fields` (the object at `parent`) that is not in `accepted`.
    fn unknown_keys(&mut self, fields: &Map<String, Value>, accepted: &[&str], place: &str, parent: &str) {
        for unknown in prometeu_shape::unknown_json_keys(fields, accepted) {
            self.note_suggestion(parent, unknown.suggestion);
            self.block_key(Code::DeclarationUnknownKey, unknown.message(place, accepted), &join(parent, unknown.key));
        }
    }

    fn note_suggestion(&mut self, parent: &str, suggestion: Option<&str>) {
        if let Some(key) = suggestion {
            self.suggested.push(join(parent, key));
        }
    }

    /// The artifact key check for a family that takes no loop points: `loop`
    /// is unknown there, with a message that says why.
    fn unknown_keys_without_loop(&mut self, fields: &Map<String, Value>, at: &str, family: Option<Family>) {
        let accepted: Vec<&str> = artifact_keys().iter().copied().filter(|k| *k != "loop").collect();
        for unknown in prometeu_shape::unknown_json_keys(fields, &accepted) {
            self.note_suggestion(at, unknown.suggestion);
            let message = if unknown.key == "loop" {
                let type_name = family.map_or("this asset type", Family::type_name);
                let takers: Vec<&str> =
                    Family::ALL.into_iter().filter(|f| f.accepts_loop_points()).map(Family::type_name).collect();
                format!(
                    "unknown key `loop` in `{at}`: a {type_name} takes no loop points (only {} does); \
                     remove it (accepted keys: {})",
                    takers.join(", "),
                    accepted.join(", ")
                )
            } else {
                unknown.message(&format!("in `{at}`"), &accepted)
            };
            self.block_key(Code::DeclarationUnknownKey, message, &join(at, unknown.key));
        }
    }

    /// `parent.key`, reporting it when absent.
    fn required<'v>(&mut self, fields: &'v Map<String, Value>, parent: &str, key: &str) -> Option<&'v Value> {
        let value = fields.get(key);
        let at = join(parent, key);
        if value.is_none() && !self.suggested.contains(&at) {
            let place = if parent.is_empty() { "asset.json".to_owned() } else { format!("`{parent}`") };
            // Placed at the object that lacks the key (the top level: no place).
            self.block_key(Code::DeclarationMissingKey, prometeu_shape::missing_key_message(&place, &at), parent);
        }
        value
    }

    fn required_str<'v>(&mut self, fields: &'v Map<String, Value>, parent: &str, key: &str) -> Option<&'v str> {
        let value = self.required(fields, parent, key)?;
        self.string(value, &join(parent, key))
    }

    fn required_object<'v>(
        &mut self,
        fields: &'v Map<String, Value>,
        parent: &str,
        key: &str,
    ) -> Option<&'v Map<String, Value>> {
        let value = self.required(fields, parent, key)?;
        self.object(value, &join(parent, key))
    }

    fn wrong_type(&mut self, at: &str, expected: &str, found: &Value) {
        self.block_key(Code::DeclarationInvalidValue, prometeu_shape::wrong_type_message(at, expected, found), at);
    }

    fn string<'v>(&mut self, value: &'v Value, at: &str) -> Option<&'v str> {
        let text = value.as_str();
        if text.is_none() {
            self.wrong_type(at, "a string", value);
        }
        text
    }

    fn boolean(&mut self, value: &Value, at: &str) -> Option<bool> {
        let flag = value.as_bool();
        if flag.is_none() {
            self.wrong_type(at, "true or false", value);
        }
        flag
    }

    fn array<'v>(&mut self, value: &'v Value, at: &str) -> Option<&'v Vec<Value>> {
        let items = value.as_array();
        if items.is_none() {
            self.wrong_type(at, "a list `[ … ]`", value);
        }
        items
    }

    fn object<'v>(&mut self, value: &'v Value, at: &str) -> Option<&'v Map<String, Value>> {
        let fields = value.as_object();
        if fields.is_none() {
            self.wrong_type(at, "an object `{ … }`", value);
        }
        fields
    }

    /// An optional free-form object: `Some(None)` when absent, `None` when
    /// present but not an object.
    fn optional_object(&mut self, fields: &Map<String, Value>, parent: &str, key: &str) -> Option<Option<JsonObject>> {
        match fields.get(key) {
            None => Some(None),
            Some(value) => self.object(value, &join(parent, key)).map(|m| Some(JsonObject::from_map(m))),
        }
    }

    /// An artifact index: a non-negative integer that fits the asset table.
    fn index(&mut self, value: &Value, at: &str) -> Option<u32> {
        let index = value.as_u64().and_then(|n| u32::try_from(n).ok());
        if index.is_none() {
            self.wrong_type(at, &format!("an integer from 0 to {}", u32::MAX), value);
        }
        index
    }

    /// A frame position: any non-negative integer.
    fn frames(&mut self, value: &Value, at: &str) -> Option<u64> {
        let frames = value.as_u64();
        if frames.is_none() {
            self.wrong_type(at, "a non-negative integer (frames)", value);
        }
        frames
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_owned() } else { format!("{parent}.{key}") }
}

fn is_integer(value: &Value) -> bool {
    value.is_u64() || value.is_i64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules() {
        assert_eq!(name_problem("hero_2.v-1"), None);
        assert_eq!(name_problem(&"n".repeat(NAME_MAX_CHARS)), None);
        assert_eq!(name_problem("").as_deref(), Some("is empty"));
        assert_eq!(name_problem(&"n".repeat(NAME_MAX_CHARS + 1)).as_deref(), Some("is 65 characters long"));
        assert_eq!(name_problem("a b").as_deref(), Some("contains ' '"));
        assert_eq!(name_problem("é").as_deref(), Some("contains 'é'"));
    }

    #[test]
    fn json_error_message_moves_the_position_out_of_the_reason() {
        let error = serde_json::from_slice::<Value>(b"{\n  x").unwrap_err();
        let message = json_error_message("asset.json", &error);
        assert_eq!(
            message,
            "asset.json is not valid JSON (key must be a string) at line 2, column 3; fix the syntax there"
        );
    }

    #[test]
    fn long_lists_are_cut() {
        assert_eq!(list_some(&[1, 2, 3]), "1, 2, 3");
        assert_eq!(list_some(&(0..20).collect::<Vec<_>>()), "0, 1, 2, 3, 4, 5, 6, 7, …");
    }

    #[test]
    fn loop_is_the_only_family_dependent_artifact_key() {
        // `unknown_keys_without_loop` removes exactly `loop` from the accepted list.
        assert!(artifact_keys().contains(&"loop"));
        assert!(!artifact_keys().iter().any(|k| *k != "loop" && loop_keys().contains(k)));
    }
}
