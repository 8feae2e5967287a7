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
    /// The directory the path is below, ending in `/` (`assets/hero/`), or
    /// empty: a root's paths are held below it, not each spelled whole.
    pub under: &'a str,
    /// Project-relative after `under`, `/`-separated (`tiles/a.png`, or
    /// `assets/hero/tiles/a.png` when `under` is empty).
    pub path: &'a str,
    /// The asset whose root holds it.
    pub asset: AssetRef<'a>,
    /// The build reads it (a declaration or a selected input of an active
    /// asset); other files only take part as case twins of such a path.
    pub read: bool,
}

impl<'a> NamedPath<'a> {
    /// The path whole, project-relative.
    fn whole(&self) -> Cow<'a, str> {
        if self.under.is_empty() { Cow::Borrowed(self.path) } else { Cow::Owned([self.under, self.path].concat()) }
    }

    /// Its components, `under`'s first.
    fn components(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.under.split_terminator('/').chain(self.path.split('/'))
    }

    /// Whether folding case leaves it as it is (see `fold_case`).
    fn is_folded(&self) -> bool {
        is_folded(self.under) && is_folded(self.path)
    }
}

/// Every portability finding over `paths`: names that cannot exist on
/// Windows and paths too long for it (each read path), and case twins (a read
/// path and any other path that differ only by case), in the order given.
pub fn check(paths: &[NamedPath<'_>]) -> Vec<Diagnostic> {
    check_groups(paths.len(), |i| std::iter::once(paths[i]))
}

/// `check` over the paths of `count` groups (each asset's files), which
/// `paths_of` gives group by group, the same each time it is asked: the
/// paths are never gathered into one list (at 450 000 files, a list of them
/// was the largest thing a pack's walk held besides the inputs).
///
/// The two halves run side by side, the names of the groups in parallel
/// (on the current rayon pool); findings keep the groups' order.
pub fn check_groups<'a, I>(count: usize, paths_of: impl Fn(usize) -> I + Sync) -> Vec<Diagnostic>
where
    I: Iterator<Item = NamedPath<'a>>,
{
    use rayon::prelude::*;
    let names = || {
        let read = |i| paths_of(i).filter(|p| p.read).flat_map(|p| name_findings(&p));
        (0..count).into_par_iter().flat_map_iter(read).collect::<Vec<_>>()
    };
    let (mut found, twins) = rayon::join(names, || case_twins(|| (0..count).flat_map(&paths_of)));
    found.extend(twins);
    found
}

/// One finding per rule a read path breaks, naming its first offending component.
fn name_findings(named: &NamedPath<'_>) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let finding = |code: Code, why: String| {
        let path = named.whole();
        Diagnostic::blocking(code, format!("{path} {why}")).asset(named.asset.asset_id, named.asset.root).file(&*path)
    };
    if let Some(name) = named.components().find(|c| reserved(c)) {
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
    if let Some((name, bad)) = named.components().find_map(|c| forbidden_character(c).map(|bad| (c, bad))) {
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
    if let Some(name) = named.components().find(|c| c.ends_with(['.', ' '])) {
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
    let path = (named.under.len() + named.path.len() > WINDOWS_MAX_PATH).then(|| named.whole());
    if let Some(path) = path
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
            .file(&*path),
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
fn is_folded(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase())
}

/// One finding per group of paths that fold to the same spelling, when the
/// group holds a path the build reads: on a case-blind checkout only one of
/// them exists, and which one is up to the checkout.
fn case_twins<'a, I>(paths: impl Fn() -> I) -> Vec<Diagnostic>
where
    I: Iterator<Item = NamedPath<'a>>,
{
    // Two different paths fold to one spelling only when at least one of
    // them is not already folded (lowercase ASCII). Those are few, so only
    // their spellings are indexed, and every folded path is looked up among
    // them: a project with none costs one look at each path's bytes.
    let mut by_spelling: HashMap<String, Vec<NamedPath<'a>>> = HashMap::new();
    for named in paths().filter(|named| !named.is_folded()) {
        by_spelling.entry(fold_case(&named.whole()).into_owned()).or_default().push(named);
    }
    if !by_spelling.is_empty() {
        // Spelled whole in one reused text, to be looked up.
        let mut whole = String::new();
        for named in paths().filter(NamedPath::is_folded) {
            whole.clear();
            whole.push_str(named.under);
            whole.push_str(named.path);
            if let Some(group) = by_spelling.get_mut(whole.as_str()) {
                group.push(named);
            }
        }
    }
    // Reported in the order of their folded spelling.
    let mut groups: Vec<(String, Vec<NamedPath<'_>>)> =
        by_spelling.into_iter().filter(|(_, group)| group.len() > 1).collect();
    groups.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
    let mut found = Vec::new();
    for (_, group) in groups {
        let mut group: Vec<(Cow<'_, str>, NamedPath<'_>)> = group.into_iter().map(|n| (n.whole(), n)).collect();
        group.sort_by(|(a, an), (b, bn)| (a, !an.read).cmp(&(b, !bn.read)));
        group.dedup_by(|(later, _), (kept, _)| later == kept);
        let Some((first_path, first_read)) = group.iter().find(|(_, n)| n.read) else { continue };
        if group.len() < 2 {
            continue;
        }
        let listed: Vec<String> = group.iter().map(|(path, _)| format!("`{path}`")).collect();
        let message = format!(
            "{} differ only by case; a Windows or macOS checkout holds just one of them, so the asset would \
             change silently there; rename all but one so no two spell the same name in another case",
            listed.join(" and ")
        );
        found.push(
            Diagnostic::blocking(Code::PathCaseTwin, message)
                .asset(first_read.asset.asset_id, first_read.asset.root)
                .file(&**first_path),
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str) -> NamedPath<'_> {
        NamedPath { under: "", path, asset: AssetRef { asset_id: 1, root: "hero" }, read: true }
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
