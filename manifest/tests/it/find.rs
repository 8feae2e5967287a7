//! `find_project`: walking up to the first directory holding `cartridge.toml`.

use crate::common::{Metadata, Project};
use prometeu_manifest::{CARTRIDGE_FILE, find_project};

#[test]
fn finds_the_start_directory_itself() {
    let project = Project::with_cartridge("");
    assert_eq!(find_project(&project.path).unwrap(), project.path);
}

#[test]
fn walks_up_to_the_nearest_project() {
    let project = Project::with_cartridge("");
    project.write("src/deep/er/main.pbs", "");
    assert_eq!(find_project(&project.path.join("src/deep/er")).unwrap(), project.path);
}

#[test]
fn the_nearest_of_nested_projects_wins() {
    let outer = Project::with_cartridge("");
    outer.write("games/inner/cartridge.toml", "");
    outer.write("games/inner/src/x.pbs", "");
    let inner = outer.path.join("games/inner");
    assert_eq!(find_project(&inner.join("src")).unwrap(), inner);
}

#[test]
fn a_directory_named_cartridge_toml_does_not_count() {
    let outer = Project::with_cartridge("");
    fs_err::create_dir_all(outer.path.join("sub").join(CARTRIDGE_FILE)).unwrap();
    assert_eq!(find_project(&outer.path.join("sub")).unwrap(), outer.path);
}

#[test]
fn no_project_names_the_start_directory() {
    let dir = Project::new();
    let start = dir.path.join("a/b");
    fs_err::create_dir_all(&start).unwrap();
    // A cartridge.toml in an ancestor of the temp dir would be found instead;
    // the check only means something when there is none.
    if start.ancestors().any(|d| d.join(CARTRIDGE_FILE).is_file()) {
        return;
    }
    let e = find_project(&start).unwrap_err();
    assert_eq!(e.file, start.as_str());
    assert_eq!((e.line, e.column, e.key.as_deref()), (None, None, None));
    assert!(e.message.contains(&format!("no cartridge.toml in {start} or any directory above it")), "{e}");
    assert!(e.message.contains("run inside a project directory"), "{e}");
}
