//! `orgchard fmt`: the canonical layout on fixture pairs, idempotence on every fixture, example
//! and module, meaning preserved on generated inputs, and the command's exit codes and file
//! handling through the binary.

use std::fs;
use std::path::{Path, PathBuf};

use orgchard::config::fmt::format_source;
use proptest::prelude::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(repo().join("tests/data/fmt"))
        .expect("fixture directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Every `*.hcl` file of the shipped examples and modules.
fn shipped_hcl_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for top in ["examples", "modules"] {
        for dir in fs::read_dir(repo().join(top)).expect("directory") {
            let dir = dir.expect("entry").path();
            if !dir.is_dir() {
                continue;
            }
            for f in fs::read_dir(&dir).expect("directory") {
                let f = f.expect("entry").path();
                if f.extension().is_some_and(|e| e == "hcl") {
                    files.push(f);
                }
            }
        }
    }
    files.sort();
    files
}

fn fmt(src: &str, what: &Path) -> String {
    format_source(src).unwrap_or_else(|e| panic!("{}: {e}", what.display()))
}

fn body(src: &str) -> hcl::Body {
    hcl::from_str::<hcl::Body>(src).unwrap_or_else(|e| panic!("does not parse: {e}\n{src}"))
}

#[test]
fn fixtures_format_to_their_expected_output() {
    let dirs = fixture_dirs();
    assert!(dirs.len() >= 8, "fixtures missing: {dirs:?}");
    for dir in dirs {
        let input = fs::read_to_string(dir.join("input.hcl")).expect("input.hcl");
        let expected = fs::read_to_string(dir.join("expected.hcl")).expect("expected.hcl");
        let got = fmt(&input, &dir);
        assert_eq!(got, expected, "fixture {}", dir.display());
        assert_eq!(
            body(&input),
            body(&got),
            "fixture {} changed meaning",
            dir.display()
        );
    }
}

#[test]
fn formatting_is_idempotent_on_fixtures_examples_and_modules() {
    let mut files: Vec<PathBuf> = fixture_dirs()
        .into_iter()
        .flat_map(|d| [d.join("input.hcl"), d.join("expected.hcl")])
        .collect();
    files.extend(shipped_hcl_files());
    for file in files {
        let once = fmt(&fs::read_to_string(&file).expect("read"), &file);
        let twice = fmt(&once, &file);
        assert_eq!(once, twice, "{} is not stable", file.display());
    }
}

#[test]
fn shipped_examples_and_modules_are_formatted() {
    let files = shipped_hcl_files();
    assert!(files.len() >= 15, "examples or modules missing: {files:?}");
    for file in files {
        let src = fs::read_to_string(&file).expect("read");
        assert_eq!(fmt(&src, &file), src, "{} is not formatted", file.display());
    }
}

// ----- generated inputs: formatting never changes what a file means -----

fn ident() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,8}"
}

/// Whitespace that may sit between tokens inside brackets, sometimes with a comment.
fn gap() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("\n\n    ".to_string()),
        Just(" # note\n".to_string()),
        Just(" /* c */ ".to_string()),
    ]
}

/// Whitespace between the operands of an operator, which may not break the line.
fn inline_gap() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(" ".to_string()),
        Just("   ".to_string()),
        Just(" /* c */ ".to_string()),
    ]
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,6}".prop_map(|s| format!("\"{s}\"")),
        (0u32..1000).prop_map(|n| n.to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
        ident().prop_map(|i| format!("var.{i}")),
        (ident(), ident()).prop_map(|(a, b)| format!("account.{a}[\"{b}\"].id")),
        ident().prop_map(|i| format!("\"${{var.{i}}}-x\"")),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (
                prop::collection::vec((gap(), inner.clone()), 0..4),
                gap(),
                any::<bool>()
            )
                .prop_map(|(items, end, comma)| {
                    let parts: Vec<String> = items.iter().map(|(g, e)| format!("{g}{e}")).collect();
                    let tail = if comma && !parts.is_empty() { "," } else { "" };
                    format!("[{}{tail}{end}]", parts.join(","))
                }),
            (
                prop::collection::vec((gap(), ident(), inner.clone()), 0..4),
                gap()
            )
                .prop_map(|(items, end)| {
                    let mut seen = std::collections::HashSet::new();
                    let parts: Vec<String> = items
                        .iter()
                        .filter(|(_, k, _)| seen.insert(k.clone()))
                        .map(|(g, k, e)| format!("{g}{k} = {e}"))
                        .collect();
                    // Items on one line need commas; after a newline they are optional.
                    format!("{{{}{end}}}", parts.join(",\n"))
                }),
            (
                ident(),
                prop::collection::vec((gap(), inner.clone()), 0..3),
                gap()
            )
                .prop_map(|(f, args, end)| {
                    let parts: Vec<String> = args.iter().map(|(g, e)| format!("{g}{e}")).collect();
                    format!("{f}({}{end})", parts.join(","))
                }),
            (inner.clone(), inline_gap(), inline_gap(), inner.clone())
                .prop_map(|(a, g, h, b)| format!("{a}{g}=={h}{b}")),
            (inner.clone(), inner.clone(), inner).prop_map(|(c, a, b)| format!("{c} ?{a}:{b}")),
        ]
    })
}

fn indent() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("   ".to_string()),
        Just("\t".to_string())
    ]
}

fn attribute() -> impl Strategy<Value = (String, String)> {
    (
        ident(),
        expr(),
        indent(),
        prop_oneof![Just(""), Just(" # c"), Just("   ")],
    )
        .prop_map(|(k, v, ind, tail)| (k.clone(), format!("{ind}{k}  =  {v}{tail}\n")))
}

fn body_text(depth: u32) -> BoxedStrategy<String> {
    let attrs = prop::collection::vec(
        (
            attribute(),
            prop_oneof![Just(""), Just("\n"), Just("\n\n\n"), Just("# c\n")],
        ),
        0..4,
    );
    if depth == 0 {
        return attrs
            .prop_map(|a| {
                let mut seen = std::collections::HashSet::new();
                a.into_iter()
                    .filter(|((k, _), _)| seen.insert(k.clone()))
                    .map(|((_, line), sep)| format!("{sep}{line}"))
                    .collect()
            })
            .boxed();
    }
    (
        attrs,
        prop::collection::vec((ident(), body_text(depth - 1), indent()), 0..3),
    )
        .prop_map(|(a, blocks)| {
            let mut seen = std::collections::HashSet::new();
            let mut out: String = a
                .into_iter()
                .filter(|((k, _), _)| seen.insert(k.clone()))
                .map(|((_, line), sep)| format!("{sep}{line}"))
                .collect();
            for (name, inner, ind) in blocks {
                out.push_str(&format!("{ind}{name} \"label\"   {{\n{inner}{ind}}}\n"));
            }
            out
        })
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn formatting_preserves_meaning_and_is_stable(src in body_text(2)) {
        // Generated text is valid HCL by construction; skip the rare case it is not.
        prop_assume!(hcl::from_str::<hcl::Body>(&src).is_ok());
        let once = format_source(&src).map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
        prop_assert_eq!(body(&src), body(&once), "meaning changed:\n{}\n---\n{}", src, once);
        let twice = format_source(&once).map_err(|e| TestCaseError::fail(format!("{e}\n{once}")))?;
        prop_assert_eq!(&once, &twice, "not idempotent:\n{}", src);
        prop_assert!(!once.lines().any(|l| l.ends_with(' ') || l.ends_with('\t')), "trailing whitespace:\n{}", once);
        prop_assert!(!once.contains("\n\n\n"), "two blank lines:\n{}", once);
        for comment in ["# note", "/* c */", "# c"] {
            prop_assert_eq!(
                src.matches(comment).count(),
                once.matches(comment).count(),
                "comment {} lost or duplicated:\n{}\n---\n{}", comment, src, once
            );
        }
    }
}

// ----- the command -----

mod binary;

use binary::run_in;

const UGLY: &str = "account \"a\" {\nname=\"A\"\n    email = \"a@example.com\"\n}\n";
const PRETTY: &str = "account \"a\" {\n  name  = \"A\"\n  email = \"a@example.com\"\n}\n";

#[test]
fn check_exits_1_and_lists_files_that_would_change_without_touching_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("ugly.hcl"), UGLY).expect("write");
    fs::write(dir.path().join("pretty.hcl"), PRETTY).expect("write");
    fs::write(dir.path().join("notes.txt"), "x  =  1\n").expect("write");

    let out = run_in(dir.path(), &["fmt", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ugly.hcl\n");
    assert_eq!(
        fs::read_to_string(dir.path().join("ugly.hcl")).unwrap(),
        UGLY
    );

    let out = run_in(dir.path(), &["fmt"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ugly.hcl\n");
    assert_eq!(
        fs::read_to_string(dir.path().join("ugly.hcl")).unwrap(),
        PRETTY
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "x  =  1\n"
    );

    let out = run_in(dir.path(), &["fmt", "--check", "."]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty());
    // No temporary file is left behind.
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["notes.txt", "pretty.hcl", "ugly.hcl"]);
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = "ok = 1\nblock {\n  x = = 2\n}\n";
    fs::write(dir.path().join("broken.hcl"), broken).expect("write");
    fs::write(dir.path().join("ugly.hcl"), UGLY).expect("write");

    let out = run_in(dir.path(), &["fmt"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.hcl:3:"), "{stderr}");
    assert!(stderr.contains("3 |   x = = 2"), "{stderr}");
    assert_eq!(
        fs::read_to_string(dir.path().join("broken.hcl")).unwrap(),
        broken
    );
    // The other file is still formatted.
    assert_eq!(
        fs::read_to_string(dir.path().join("ugly.hcl")).unwrap(),
        PRETTY
    );
}

#[test]
fn check_passes_on_every_example_and_module() {
    for top in ["examples", "modules"] {
        for dir in fs::read_dir(repo().join(top)).expect("directory") {
            let dir = dir.expect("entry").path();
            let out = run_in(&repo(), &["fmt", "--check", dir.to_str().unwrap()]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}: {}{}",
                dir.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run_in(dir.path(), &["fmt", "does-not-exist"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does-not-exist"));
}
