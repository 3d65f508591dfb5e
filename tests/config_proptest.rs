//! The loader never panics: valid configurations, mutated by byte flips, deletions,
//! insertions and token swaps, are loaded; any outcome but a panic is fine.

use std::path::{Path, PathBuf};

use orgchard::config::{self, VarInputs};
use proptest::prelude::*;

const FIXTURES: &[&str] = &[
    "tests/data/valid/unknowns",
    "tests/data/valid/functions",
    "tests/data/valid/modules_for_each",
    "examples/quickstart",
];

mod binary;

use binary::copy_dir;

fn hcl_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "hcl"))
        .collect();
    files.sort();
    files
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, byte: u8 },
    Delete { at: usize, len: usize },
    Insert { at: usize, text: &'static str },
    SwapTokens { a: usize, b: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (
            any::<usize>(),
            prop::sample::select(vec![
                "{",
                "}",
                "[",
                "]",
                "(",
                ")",
                "\"",
                "${",
                "%{",
                "=",
                ",",
                "\n",
                ".",
                "[\"k\"]",
                "local.a",
                "var.x",
                "each.key",
                "account.a",
                "module.m.x",
                "null",
                "-1",
                "1e999",
                "<<EOT\n",
                "for x in",
                "?",
                ":",
                "...",
                "*",
                "toset(",
                "\u{0}",
                "é",
            ])
        )
            .prop_map(|(at, text)| Mutation::Insert { at, text }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapTokens { a, b }),
    ]
}

fn apply(mut bytes: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let n = bytes.len().max(1);
    match m {
        Mutation::Flip { at, byte } => {
            if !bytes.is_empty() {
                bytes[at % n] = *byte;
            }
        }
        Mutation::Delete { at, len } => {
            let start = at % n;
            let end = (start + len).min(bytes.len());
            bytes.drain(start.min(end)..end);
        }
        Mutation::Insert { at, text } => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, text.bytes());
        }
        Mutation::SwapTokens { a, b } => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mut tokens: Vec<&str> = text.split(' ').collect();
            let len = tokens.len();
            if len > 1 {
                tokens.swap(a % len, b % len);
            }
            bytes = tokens.join(" ").into_bytes();
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn mutated_configurations_never_panic(
        fixture in prop::sample::select(FIXTURES),
        file_pick in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("conf");
        copy_dir(Path::new(fixture), &dir);
        let files = hcl_files(&dir);
        let target = &files[file_pick % files.len()];
        let mut bytes = std::fs::read(target).unwrap();
        for m in &mutations {
            bytes = apply(bytes, m);
        }
        std::fs::write(target, &bytes).unwrap();
        // Any result is acceptable; rendering the diagnostics must not panic either.
        if let Err(diags) = config::load(&dir, &VarInputs::default()) {
            let _ = diags.render(false);
            prop_assert!(diags.has_errors());
        }
    }
}
