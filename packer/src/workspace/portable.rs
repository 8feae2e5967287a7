//! Names that break another system's checkout: the paths a build reads must
//! be spelled so that a Windows or macOS checkout holds exactly the same
//! files as a Linux one. Checked on every system (the idea of git's
//! `core.protectNTFS`), so a Linux CI refuses what a Windows teammate could
//! not check out, and a project does not change silently on a case-blind
//! file system.
//!
//! The rules look only at names, never at contents: `validate`, `summary` and
//! the pack gate get them from the one discovery walk.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::support::diag::{AssetRef, Code, Diagnostic};

/// The longest path Windows opens without long-path support (`MAX_PATH`),
/// in UTF-16 units, counted here from the project root (local; the project's
/// own location adds to it, so this is a floor, not a guarantee).
pub const WINDOWS_MAX_PATH: usize = 260;

/// Device names Windows reserves in every directory, whatever the extension
/// and the case (`aux.png`, `Con.tar.gz`); `COM`/`LPT` take a digit 1–9 or
/// a superscript 1–3.
const RESERVED_NAMES: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];
const RESERVED_NUMBERED: [&str; 2] = ["COM", "LPT"];

/// The end of every naming finding's advice: a renamed file or directory is
/// also respelled where the project names it.
const RENAME_EVERYWHERE: &str = ", and respell it where `asset.json` or the registry names it";

/// Characters no Windows file name may hold (besides U+0000–U+001F).
const FORBIDDEN_CHARACTERS: &[char] = &['<', '>', ':', '"', '\\', '|', '?', '*'];

/// A path the build depends on, or one that could take its place on a
/// case-blind file system.
#[derive(Debug, Clone, Copy)]
pub struct NamedPath<'a> {
    /// Project-relative, `/`-separated (`assets/hero/tiles/a.png`).
    pub path: &'a str,
    /// The asset whose root holds it.
    pub asset: AssetRef<'a>,
    /// The build reads it (a declaration or a selected input of an active
    /// asset); other files only take part as case twins of such a path.
    pub read: bool,
}

/// Every portability finding over `paths`: names that cannot exist on
/// Windows and paths too long for it (each read path), and case twins (a read
/// path and any other path that differ only by case), in the order given.
pub fn check(paths: &[NamedPath<'_>]) -> Vec<Diagnostic> {
    let mut found: Vec<Diagnostic> = paths.iter().filter(|p| p.read).flat_map(names).collect();
    let exactly = |spelling: &str| paths.iter().filter(|p| p.path == spelling).map(|p| (p.asset, p.read)).collect();
    found.extend(case_twins(paths.iter().copied(), exactly));
    found
}

/// The names findings of a path the build reads: one per rule it breaks,
/// naming its first offending component.
pub fn names(named: &NamedPath<'_>) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let path = named.path;
    let finding = |code: Code, why: String| {
        Diagnostic::blocking(code, format!("{path} {why}")).asset(named.asset.asset_id, named.asset.root).file(path)
    };
    let components = || path.split('/');
    if let Some(name) = components().find(|c| reserved(c)) {
        found.push(finding(
            Code::PathReservedName,
            format!(
                "has the component `{name}`, a device name Windows reserves whatever the extension or case, \
                 so the file cannot be checked out there; rename it (for example `{}`)\
                 {RENAME_EVERYWHERE}",
                unreserved(name)
            ),
        ));
    }
    if let Some((name, bad)) = components().find_map(|c| forbidden_character(c).map(|bad| (c, bad))) {
        found.push(finding(
            Code::PathCharacterInvalid,
            format!(
                "has {} in `{name}`, which no Windows file name may hold (`< > : \" \\ | ? *` and control \
                 characters), so the file cannot be checked out there; rename it without it\
                 {RENAME_EVERYWHERE}",
                describe_character(bad)
            ),
        ));
    }
    if let Some(name) = components().find(|c| c.ends_with(['.', ' '])) {
        found.push(finding(
            Code::PathTrailingDotOrSpace,
            format!(
                "has the component `{name}`, which ends in a dot or a space; Windows drops those, so the \
                 checkout would name the file differently; rename it without them\
                 {RENAME_EVERYWHERE}"
            ),
        ));
    }
    // A path has no more UTF-16 units than UTF-8 bytes: most need no count.
    if path.len() > WINDOWS_MAX_PATH
        && let length = path.encode_utf16().count()
        && length > WINDOWS_MAX_PATH
    {
        found.push(
            Diagnostic::warning(
                Code::PathTooLong,
                format!(
                    "{path} is {length} characters long from the project root, more than the {WINDOWS_MAX_PATH} \
                     Windows opens without long-path support; shorten its directory or file names"
                ),
            )
            .asset(named.asset.asset_id, named.asset.root)
            .file(path),
        );
    }
    found
}

/// `aux`, `Con.png`, `com1.tar.gz`, `LPT³`: the part before the first dot,
/// trailing spaces dropped as Windows drops them, is a reserved device name.
fn reserved(component: &str) -> bool {
    let stem = component.split('.').next().unwrap_or_default().trim_end_matches(' ');
    if RESERVED_NAMES.iter().any(|name| stem.eq_ignore_ascii_case(name)) {
        return true;
    }
    // `COM`/`LPT` are ASCII: a stem that starts with them splits after three bytes.
    let Some((prefix, rest)) = stem.split_at_checked(3) else { return false };
    let mut rest = rest.chars();
    let digit = rest.next();
    let numbered = RESERVED_NUMBERED.iter().any(|name| prefix.eq_ignore_ascii_case(name));
    numbered && rest.next().is_none() && matches!(digit, Some('1'..='9' | '¹' | '²' | '³'))
}

/// `aux_.png` for `aux.png`: the stem lengthened, the extensions kept.
fn unreserved(component: &str) -> String {
    match component.split_once('.') {
        Some((stem, rest)) => format!("{}_.{rest}", stem.trim_end_matches(' ')),
        None => format!("{}_", component.trim_end_matches(' ')),
    }
}

fn forbidden_character(component: &str) -> Option<char> {
    // Every forbidden character is ASCII, and no byte of a non-ASCII
    // character is: a byte scan finds the same first one.
    let forbidden = |b: &u8| *b < 0x20 || (b.is_ascii() && FORBIDDEN_CHARACTERS.contains(&char::from(*b)));
    component.bytes().find(forbidden).map(char::from)
}

fn describe_character(c: char) -> String {
    if c.is_control() { format!("the control character U+{:04X}", u32::from(c)) } else { format!("`{c}`") }
}

/// A path as a case-blind file system compares it: each character replaced
/// by its Unicode lowercase mapping (`char::to_lowercase`, full mapping, so
/// `Ä`/`ä` and `Σ`/`σ` are twins, not only ASCII). It does not fold `ß` to
/// `ss` (neither does NTFS) nor unify Unicode normalization forms (which
/// macOS does): such pairs are not reported. A path folding leaves as it is
/// (lowercase ASCII, as most are) is borrowed.
pub fn fold_case(path: &str) -> Cow<'_, str> {
    if is_folded(path) {
        return Cow::Borrowed(path);
    }
    Cow::Owned(path.chars().flat_map(char::to_lowercase).collect())
}

/// Lowercase ASCII: what folding case leaves as it is, without a look at any character's mapping.
pub(crate) fn is_folded(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase())
}

/// One finding per group of paths that fold to the same spelling, when the
/// group holds a path the build reads: on a case-blind checkout only one of
/// them exists, and which one is up to the checkout.
///
/// Two different paths fold to one spelling only when at least one of them
/// is not already folded (lowercase ASCII), and those are few: only they are
/// asked for (`paths`, of which the folded are passed over). The folded
/// path that may meet them is looked up by its spelling: `exactly` gives
/// every asset that holds a path spelled so, with whether the build reads
/// it there. So the paths of a project are never gathered to find its
/// twins, and a project with no unfolded path costs nothing more.
pub fn case_twins<'a>(
    paths: impl Iterator<Item = NamedPath<'a>>,
    mut exactly: impl FnMut(&str) -> Vec<(AssetRef<'a>, bool)>,
) -> Vec<Diagnostic> {
    let mut by_spelling: HashMap<String, Vec<Twin<'a>>> = HashMap::new();
    for named in paths.filter(|named| !is_folded(named.path)) {
        let twin = Twin { path: Cow::Borrowed(named.path), asset: named.asset, read: named.read };
        by_spelling.entry(fold_case(named.path).into_owned()).or_default().push(twin);
    }
    for (spelling, group) in &mut by_spelling {
        if is_folded(spelling) {
            let held = exactly(spelling).into_iter();
            group.extend(held.map(|(asset, read)| Twin { path: Cow::Owned(spelling.clone()), asset, read }));
        }
    }
    // Reported in the order of their folded spelling.
    let mut groups: Vec<(String, Vec<Twin<'_>>)> =
        by_spelling.into_iter().filter(|(_, group)| group.len() > 1).collect();
    groups.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
    let mut found = Vec::new();
    for (_, mut group) in groups {
        group.sort_by(|a, b| (&a.path, !a.read).cmp(&(&b.path, !b.read)));
        group.dedup_by(|later, kept| later.path == kept.path);
        let Some(first) = group.iter().find(|twin| twin.read) else { continue };
        if group.len() < 2 {
            continue;
        }
        let listed: Vec<String> = group.iter().map(|twin| format!("`{}`", twin.path)).collect();
        let message = format!(
            "{} differ only by case; a Windows or macOS checkout holds just one of them, so the asset would \
             change silently there; rename all but one so no two spell the same name in another case",
            listed.join(" and ")
        );
        found.push(
            Diagnostic::blocking(Code::PathCaseTwin, message)
                .asset(first.asset.asset_id, first.asset.root)
                .file(&*first.path),
        );
    }
    found
}

/// One path of a group that folds to one spelling.
struct Twin<'a> {
    path: Cow<'a, str>,
    asset: AssetRef<'a>,
    read: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str) -> NamedPath<'_> {
        NamedPath { path, asset: AssetRef { asset_id: 1, root: "hero" }, read: true }
    }

    fn codes(paths: &[NamedPath<'_>]) -> Vec<Code> {
        check(paths).iter().map(|d| d.code).collect()
    }

    #[test]
    fn reserved_names_with_any_extension_and_case() {
        for name in ["aux", "AUX.png", "Con.tar.gz", "nul ", "com1.wav", "LPT9", "lpt³.png", "prn .txt"] {
            assert!(reserved(name), "{name}");
        }
        for name in ["auxiliary.png", "com0", "com10", "lpt", "xcon", "con_.png", "a.aux"] {
            assert!(!reserved(name), "{name}");
        }
    }

    #[test]
    fn each_rule_names_the_path() {
        assert_eq!(codes(&[read("assets/hero/tiles/aux.png")]), [Code::PathReservedName]);
        assert_eq!(codes(&[read("assets/hero/tiles/a:b.png")]), [Code::PathCharacterInvalid]);
        assert_eq!(codes(&[read("assets/hero/tiles/a\u{7}.png")]), [Code::PathCharacterInvalid]);
        assert_eq!(codes(&[read("assets/hero./a.png")]), [Code::PathTrailingDotOrSpace]);
        assert_eq!(codes(&[read("assets/hero/a.png ")]), [Code::PathTrailingDotOrSpace]);
        let long = format!("assets/hero/{}.png", "x".repeat(WINDOWS_MAX_PATH));
        assert_eq!(codes(&[read(&long)]), [Code::PathTooLong]);
        let exact = format!("assets/hero/{}.png", "x".repeat(WINDOWS_MAX_PATH - "assets/hero/.png".len()));
        assert_eq!(codes(&[read(&exact)]), [], "{WINDOWS_MAX_PATH} characters is still fine");
        assert_eq!(codes(&[read("assets/hero/tiles/fine-name_1.png")]), []);
        let d = &check(&[read("assets/hero/tiles/aux.png")])[0];
        assert_eq!(d.file.as_deref(), Some("assets/hero/tiles/aux.png"));
        assert!(d.message.starts_with("assets/hero/tiles/aux.png has the component `aux.png`"), "{}", d.message);
        assert!(d.message.contains("for example `aux_.png`"), "{}", d.message);
    }

    #[test]
    fn case_twins_fold_beyond_ascii_and_need_a_read_path() {
        let twins = check(&[read("assets/hero/tiles/rgba.png"), read("assets/hero/tiles/RGBA.png")]);
        assert_eq!(twins.len(), 1);
        assert!(twins[0].message.contains("`assets/hero/tiles/RGBA.png` and `assets/hero/tiles/rgba.png`"));
        assert_eq!(codes(&[read("assets/hero/Ärger.png"), read("assets/hero/ärger.png")]), [Code::PathCaseTwin]);
        assert_eq!(codes(&[read("assets/hero/ΣΑ.png"), read("assets/hero/σα.png")]), [Code::PathCaseTwin]);
        // The Kelvin sign folds to an ASCII `k`: a folded path meets an unfolded one.
        assert_eq!(codes(&[read("assets/hero/k.png"), read("assets/hero/\u{212A}.png")]), [Code::PathCaseTwin]);
        assert_eq!(codes(&[read("assets/hero/a.png"), read("assets/hero/b.png"), read("assets/hero/a.png")]), []);
        let unread = |path| NamedPath { read: false, ..read(path) };
        assert_eq!(codes(&[unread("assets/hero/notes.txt"), unread("assets/hero/NOTES.txt")]), []);
        assert_eq!(codes(&[read("assets/hero/a.png"), unread("assets/hero/A.png")]), [Code::PathCaseTwin]);
        assert_eq!(codes(&[read("assets/hero/a.png"), read("assets/hero/a.png")]), [], "one file seen twice");
        let groups = check(&[
            read("assets/hero/b.png"),
            read("assets/hero/A.png"),
            unread("assets/hero/B.PNG"),
            read("assets/hero/a.png"),
            unread("assets/hero/a.PNG"),
        ]);
        let messages: Vec<&str> = groups.iter().map(|d| d.message.split(" differ").next().unwrap()).collect();
        assert_eq!(
            messages,
            [
                "`assets/hero/A.png` and `assets/hero/a.PNG` and `assets/hero/a.png`",
                "`assets/hero/B.PNG` and `assets/hero/b.png`"
            ],
            "groups in the order of their folded spelling, each path once"
        );
        assert_eq!(groups[1].file.as_deref(), Some("assets/hero/b.png"), "filed with its first read path");
        let names = check(&[read("assets/hero/b:c.png"), read("assets/hero/Ä\u{1}.png")]);
        assert!(names[0].message.contains("`:` in `b:c.png`"), "{}", names[0].message);
        assert!(names[1].message.contains("U+0001"), "{}", names[1].message);
    }
}
