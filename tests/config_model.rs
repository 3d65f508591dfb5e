//! Snapshot tests of the evaluated model: the shipped examples and the valid fixtures under
//! `tests/data/valid/`. A change in how the language evaluates shows up as a snapshot diff.

use std::path::Path;

use orgchard::config::{self, VarInputs};

fn load(dir: &Path) -> orgchard::model::Desired {
    match config::load(dir, &VarInputs::default()) {
        Ok(d) => d,
        Err(diags) => panic!(
            "{} should be valid:\n{}",
            dir.display(),
            diags.render(false)
        ),
    }
}

#[test]
fn quickstart_example() {
    let d = load(Path::new("examples/quickstart"));
    insta::assert_json_snapshot!("quickstart", d);
}

#[test]
fn landing_zone_example() {
    let d = load(Path::new("examples/landing-zone"));
    insta::assert_json_snapshot!("landing_zone", d);
}

#[test]
fn valid_fixtures() {
    let mut dirs: Vec<_> = std::fs::read_dir("tests/data/valid")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let d = load(&dir);
        insta::assert_json_snapshot!(format!("valid_{name}"), d);
    }
}
