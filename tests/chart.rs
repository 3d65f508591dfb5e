//! `orgchard chart` through the binary: snapshots of the examples' charts in each format,
//! and each format checked by parsing it (the SVG as XML that names every OU and account, the
//! DOT with a DOT parser, the Mermaid's node ids and labels for hostile names); the plan
//! overlay against the embedded emulator; and the SVG as a person sees it, in a headless
//! browser when one is installed.

use std::path::{Path, PathBuf};

mod binary;

use binary::{run as orgchard, text};
use orgchard::config::{self, VarInputs};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

fn chart(dir: &Path, format: &str) -> String {
    let out = orgchard(&["chart", dir.to_str().unwrap(), "--format", format]);
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// The names of every OU and account the configuration declares.
fn names(dir: &Path) -> Vec<String> {
    let d = config::load(dir, &VarInputs::default()).unwrap();
    d.organizational_units
        .iter()
        .map(|o| o.name.clone())
        .chain(d.accounts.iter().map(|a| a.name.clone()))
        .collect()
}

#[test]
fn snapshots_of_the_examples_in_each_format() {
    for ex in ["quickstart", "landing-zone"] {
        for format in ["mermaid", "dot", "svg"] {
            insta::assert_snapshot!(
                format!("{}_{format}", ex.replace('-', "_")),
                chart(&example(ex), format)
            );
        }
    }
}

/// Every `<text>` of the SVG, in order.
fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not XML: {e}\n{svg}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

#[test]
fn the_svg_is_well_formed_xml_that_names_every_ou_and_account() {
    for ex in ["quickstart", "landing-zone"] {
        let dir = example(ex);
        let texts = svg_texts(&chart(&dir, "svg"));
        for name in names(&dir) {
            assert!(
                texts.contains(&name),
                "{ex}: {name:?} is not in the SVG: {texts:?}"
            );
        }
    }
}

#[test]
fn the_dot_parses() {
    for ex in ["quickstart", "landing-zone"] {
        let dot = chart(&example(ex), "dot");
        graphviz_rust::parse(&dot).unwrap_or_else(|e| panic!("{ex}: {e}\n{dot}"));
    }
}

const HOSTILE: &[&str] = &[
    "Quote \\\" in it",
    "Ünïcødé — 日本語",
    "[brackets] (parens) {braces}",
    "hash # and semi ; end",
    "pipe | arrow --> end",
    "back\\\\slash `tick` \\\\N",
    "<b>html</b> & amp",
    "%% comment",
];

/// A configuration whose OUs and accounts have names that break naive quoting.
fn hostile_config() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut hcl = String::from(
        "policy \"p\" {\n  type = \"SERVICE_CONTROL_POLICY\"\n  name = \"Deny [x] \\\"y\\\" #z;\"\n  content = jsonencode({Version = \"2012-10-17\", Statement = [{Effect = \"Deny\", Action = \"s3:*\", Resource = \"*\"}]})\n}\n",
    );
    for (i, name) in HOSTILE.iter().enumerate() {
        // AWS accepts only printable ASCII in account names.
        let account = if name.is_ascii() { name } else { "Not ASCII" };
        hcl.push_str(&format!(
            "organizational_unit \"ou{i}\" {{\n  name = \"{name}\"\n  policies = [aws_policy.FullAWSAccess, policy.p]\n}}\n\naccount \"a{i}\" {{\n  name = \"{account}\"\n  email = \"a{i}@example.com\"\n  parent = organizational_unit.ou{i}\n}}\n"
        ));
    }
    std::fs::write(dir.path().join("main.hcl"), hcl).unwrap();
    dir
}

#[test]
fn hostile_names_are_escaped_in_every_format() {
    let dir = hostile_config();
    let wanted = names(dir.path());
    assert_eq!(wanted.len(), 2 * HOSTILE.len());

    // SVG: well-formed, every name intact.
    let texts = svg_texts(&chart(dir.path(), "svg"));
    for name in &wanted {
        assert!(texts.contains(name), "{name:?} not in {texts:?}");
    }

    // DOT: parses, and every label reads back as the name.
    let dot = chart(dir.path(), "dot");
    let graph = graphviz_rust::parse(&dot).unwrap_or_else(|e| panic!("{e}\n{dot}"));
    let printed = format!("{graph:?}");
    assert!(printed.contains("日本語"), "{printed}");

    // Mermaid: generated ids, labels quoted with nothing unescaped inside.
    let mermaid = chart(dir.path(), "mermaid");
    let mut labels = 0;
    for line in mermaid.lines().skip(1).map(str::trim) {
        if line.starts_with("classDef") || line.starts_with("class ") {
            continue;
        }
        let id: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(
            id.len() > 1 && id.starts_with('n') && id[1..].bytes().all(|b| b.is_ascii_digit()),
            "not a generated id: {line}"
        );
        if let (Some(a), Some(b)) = (line.find('"'), line.rfind('"')) {
            labels += 1;
            let label = line[a + 1..b].replace("<br/>", "");
            for bad in [
                '"', '[', ']', '(', ')', '{', '}', '|', '<', '>', '`', '\\', '%', ';',
            ] {
                // `;` only ends an entity code (`#34;`).
                if bad == ';' {
                    let stray = label
                        .split(';')
                        .take(label.matches(';').count())
                        .any(|part| {
                            !part.rsplit('#').next().is_some_and(|code| {
                                code.bytes().all(|b| b.is_ascii_digit()) && !code.is_empty()
                            })
                        });
                    assert!(!stray, "stray ';' in {line}");
                } else {
                    assert!(!label.contains(bad), "{bad:?} unescaped in {line}");
                }
            }
        } else {
            assert!(line.contains(" --> ") || line.contains(" -.-> "), "{line}");
        }
    }
    assert_eq!(labels, 1 + wanted.len());
    assert!(mermaid.contains("Ünïcødé — 日本語"));
}

#[test]
fn dot_renders_with_graphviz_when_installed() {
    let Ok(status) = std::process::Command::new("dot").arg("-V").output() else {
        eprintln!("SKIPPED: Graphviz `dot` is not installed (Debian package graphviz)");
        return;
    };
    assert!(status.status.success());
    for dir in [
        example("landing-zone"),
        hostile_config().path().to_path_buf(),
    ] {
        let dot = chart(&dir, "dot");
        let mut child = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(dot.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "dot rejected the chart: {}\n{dot}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_plan_is_overlaid_on_the_live_organization() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(example("quickstart")).unwrap() {
        let entry = entry.unwrap();
        let to = dir.path().join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir(&to).unwrap();
            for f in std::fs::read_dir(entry.path()).unwrap() {
                let f = f.unwrap();
                std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
            }
        } else {
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    let d = dir.path().to_str().unwrap();
    let out = orgchard(&["apply", d, "--auto-approve"]);
    assert!(out.status.success(), "{}", text(&out));
    // Move Production to Security, drop DenyRootUser from Workloads, add a Sandbox OU.
    let accounts = std::fs::read_to_string(dir.path().join("accounts.hcl")).unwrap();
    let accounts = accounts.replacen(
        "name   = \"Production\"\n  email  = \"aws+prod@example.com\"\n  parent = organizational_unit.workloads",
        "name   = \"Production\"\n  email  = \"aws+prod@example.com\"\n  parent = organizational_unit.security",
        1,
    );
    std::fs::write(dir.path().join("accounts.hcl"), accounts).unwrap();
    let ous = std::fs::read_to_string(dir.path().join("ous.hcl")).unwrap();
    let ous = ous.replace(
        "policies = [aws_policy.FullAWSAccess, policy.deny_root_user]",
        "policies = [aws_policy.FullAWSAccess]",
    ) + "\norganizational_unit \"sandbox\" {\n  name = \"Sandbox\"\n}\n";
    std::fs::write(dir.path().join("ous.hcl"), ous).unwrap();

    let out = orgchard(&["chart", d, "--plan", "--format", "mermaid"]);
    let m = text(&out);
    assert!(out.status.success(), "{m}");
    assert!(m.contains("\"+ Sandbox"), "created OU not marked: {m}");
    assert!(m.contains("\"→ Production<br/>moved from Workloads"), "{m}");
    let workloads = m
        .lines()
        .find(|l| l.contains("\"~ Workloads<br/>"))
        .expect(&m);
    assert!(
        workloads.ends_with("<br/>SCP: -DenyRootUser, FullAWSAccess\"]"),
        "{m}"
    );
    assert!(m.contains("classDef created"), "{m}");

    // Only what changes, for a pull-request comment.
    let out = orgchard(&["chart", d, "--plan", "--changed-only"]);
    let m = text(&out);
    assert!(out.status.success(), "{m}");
    assert!(m.contains("\"+ Sandbox"), "{m}");
    assert!(m.contains("\"→ Production<br/>"), "{m}");
    assert!(!m.contains("Log Archive"), "unchanged account drawn: {m}");
    assert!(m.contains("[[\"1 unchanged\"]]"), "{m}");

    // The same from a saved plan file.
    let planfile = dir.path().join("plan.out");
    let out = orgchard(&["plan", d, "--out", planfile.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let out = orgchard(&["chart", planfile.to_str().unwrap(), "--format", "svg"]);
    assert!(out.status.success(), "{}", text(&out));
    let texts = svg_texts(&String::from_utf8(out.stdout).unwrap());
    assert!(texts.iter().any(|t| t == "+ Sandbox"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "→ Production"), "{texts:?}");

    // explain with a plan says what changes for the account.
    let out = orgchard(&["explain", "Development", "--dir", d, "--plan"]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("What the plan changes for this account:"), "{t}");
    assert!(t.contains("- ["), "{t}");

    // The root user of Development was denied by DenyRootUser at Workloads; the plan detaches it.
    let out = orgchard(&[
        "explain",
        "account.dev",
        "ec2:RunInstances",
        "--dir",
        d,
        "--plan",
        "--principal",
        "arn:aws:iam::111111111111:root",
    ]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("The plan changes the decision: explicitly denied before, allowed after."),
        "{t}"
    );
}

/// Where Debian's Chromium is, if installed.
fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

#[test]
fn the_svg_renders_in_a_browser() {
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED: no Chromium installed (Debian package chromium; scripts/test installs it where it can)"
        );
        return;
    };
    let svg = chart(&example("landing-zone"), "svg");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let root = doc.root_element();
    let width: u32 = root.attribute("width").unwrap().parse().unwrap();
    let height: u32 = root.attribute("height").unwrap().parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chart.svg");
    std::fs::write(&file, &svg).unwrap();
    let shot = dir.path().join("chart.png");
    let profile = dir.path().join("profile");
    let (w, h) = (width.min(4000), height.min(4000));
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("--window-size={w},{h}"))
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap();
    assert!(
        shot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(
        (info.width, info.height),
        (w, h),
        "the screenshot has the window's size"
    );
    let bytes = &buf[..info.buffer_size()];
    let channels = info.color_type.samples();
    let pixels = bytes.chunks(channels);
    let total = (info.width * info.height) as usize;
    let dark = pixels
        .clone()
        .filter(|p| p[..3].iter().map(|&c| c as u32).sum::<u32>() < 3 * 128)
        .count();
    let white = pixels.filter(|p| p[..3].iter().all(|&c| c > 245)).count();
    // A blank or failed page is one colour; the chart is mostly white background with dark
    // text and boxes.
    assert!(
        white > total / 2,
        "background not white: {white} of {total}"
    );
    assert!(
        dark > total / 500,
        "hardly anything drawn: {dark} dark pixels of {total}"
    );
}
