//! `plan --markdown` and `show --markdown` through the binary against the embedded emulator:
//! the examples' comments as snapshots, a plan with deletions and a policy edit, names that
//! try to break out of the Markdown, and a 5,000-account plan that must fit in one GitHub
//! comment.

use std::path::Path;

mod binary;

use binary::{copy_dir, lossy, repo_path, run as orgchard, text};

/// GitHub's limit on a comment's body, in characters.
const GITHUB_COMMENT_LIMIT: usize = 65_536;

struct Org {
    dir: tempfile::TempDir,
    backend: String,
}

fn org() -> Org {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let out = orgchard(&[
        "emulator",
        "init",
        state.to_str().unwrap(),
        "--rate-limits",
        "off",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    Org {
        backend: format!("emulator:{}", state.display()),
        dir,
    }
}

/// `plan DIR --markdown`: its standard output, after checking it succeeded.
fn markdown(dir: &Path, o: &Org, extra: &[&str]) -> String {
    let mut args = vec![
        "plan",
        dir.to_str().unwrap(),
        "--backend",
        &o.backend,
        "--markdown",
        "--markdown-id",
        "test",
    ];
    args.extend_from_slice(extra);
    let out = orgchard(&args);
    assert!(out.status.success(), "{}", text(&out));
    lossy(&out.stdout)
}

fn apply(dir: &Path, o: &Org) {
    let out = orgchard(&[
        "apply",
        dir.to_str().unwrap(),
        "--backend",
        &o.backend,
        "--auto-approve",
    ]);
    assert!(out.status.success(), "{}", text(&out));
}

/// Live ids differ from run to run; the snapshots show their shape.
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"\bo-[a-z0-9]{10}\b", "o-ORGID");
    s.add_filter(r"\bou-[a-z0-9]{4,32}-[a-z0-9]{8,32}\b", "ou-ID");
    s.add_filter(r"\br-[a-z0-9]{4,32}\b", "r-ROOT");
    s.add_filter(r"\bp-[a-z0-9]{8,128}\b", "p-ID");
    s.add_filter(r"\b\d{12}\b", "ACCOUNTID");
    s.add_filter(r"emulator state \S+ does", "emulator state STATE does");
    s
}

/// The comment without its fenced code blocks, where Markdown reads nothing as a tag; fails
/// when a fence is left open.
fn outside_fences(md: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in md.lines() {
        let ticks: String = line.chars().take_while(|c| *c == '`').collect();
        if ticks.len() >= 3 {
            match &fence {
                Some(f) if ticks.len() >= f.len() && line.trim_end() == ticks => fence = None,
                None => fence = Some(ticks),
                _ => {}
            }
            continue;
        }
        if fence.is_none() {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(fence.is_none(), "a fence left open: {md}");
    out
}

/// Every `<details>` closes, on a line of its own, and nothing else is a tag a name could
/// have written.
fn assert_well_formed(md: &str) {
    assert!(md.len() <= GITHUB_COMMENT_LIMIT, "{} bytes", md.len());
    let md = &outside_fences(md);
    let opened = md.matches("<details>").count();
    let closed = md.matches("</details>").count();
    assert_eq!(opened, closed, "{md}");
    assert_eq!(
        md.lines().filter(|l| *l == "</details>").count(),
        closed,
        "a </details> inside a line: {md}"
    );
    assert!(!md.contains("<script"), "{md}");
}

#[test]
fn quickstart_renders_counts_details_and_precheck() {
    let o = org();
    let md = markdown(&repo_path("examples/quickstart"), &o, &[]);
    assert!(
        md.starts_with("<!-- orgchard-plan: test -->\n"),
        "the marker is the first line: {md}"
    );
    assert!(
        md.contains("**7** to create, **2** to update, **0** to move, **0** to delete"),
        "{md}"
    );
    assert!(md.contains("<details><summary>"), "{md}");
    assert!(md.contains("### Pre-check"), "{md}");
    assert!(
        !md.contains("Deletes"),
        "a plan without deletions carries no deletion warning"
    );
    assert_well_formed(&md);
    settings().bind(|| insta::assert_snapshot!("quickstart", md));
}

#[test]
fn deletions_and_policy_edits_are_warned_and_diffed() {
    let o = org();
    let work = o.dir.path().join("config");
    copy_dir(&repo_path("examples/quickstart"), &work);
    apply(&work, &o);

    // Drop the DenyRootUser SCP, rename an OU, tighten the other SCP, and close an account.
    std::fs::write(
        work.join("ous.hcl"),
        r#"organizational_unit "security" {
  name     = "Security Tooling"
  policies = [aws_policy.FullAWSAccess]
  tags     = { tier = "security" }
}

organizational_unit "workloads" {
  name     = "Workloads"
  policies = [aws_policy.FullAWSAccess]
  tags     = { tier = "workloads" }
}
"#,
    )
    .unwrap();
    let policies = std::fs::read_to_string(work.join("policies.hcl")).unwrap();
    let start = policies.find("policy \"deny_root_user\"").unwrap();
    let policies = policies[..start].replace(
        "Action   = \"organizations:LeaveOrganization\"",
        "Action   = [\"organizations:LeaveOrganization\", \"account:CloseAccount\"]",
    );
    std::fs::write(work.join("policies.hcl"), policies).unwrap();
    // Close the production account.
    let main = std::fs::read_to_string(work.join("main.hcl")).unwrap();
    std::fs::write(
        work.join("main.hcl"),
        main.replace(
            "enabled_policy_types = [\"SERVICE_CONTROL_POLICY\"]",
            "enabled_policy_types = [\"SERVICE_CONTROL_POLICY\"]\n  account_removal      = \"close\"",
        ),
    )
    .unwrap();
    let accounts = std::fs::read_to_string(work.join("accounts.hcl")).unwrap();
    let start = accounts.find("account \"prod\"").unwrap();
    std::fs::write(work.join("accounts.hcl"), &accounts[..start]).unwrap();
    std::fs::remove_file(work.join("outputs.hcl")).unwrap();

    let md = markdown(&work, &o, &[]);
    assert!(md.contains("> [!WARNING]"), "{md}");
    assert!(
        md.contains(
            "**Deletes 2 resources**: <code>account.prod</code>, <code>policy.deny\\_root\\_user</code>"
        ),
        "{md}"
    );
    assert!(md.contains("**Closes 1 account**"), "{md}");
    assert!(md.contains("**2** to delete"), "{md}");
    // The policy document is a unified diff, not the whole document twice.
    assert!(md.contains("@@ "), "{md}");
    assert!(md.contains("+        \"account:CloseAccount\""), "{md}");
    assert_well_formed(&md);
    settings().bind(|| insta::assert_snapshot!("quickstart_changed", md));

    // The saved plan renders the same changes; its pre-check is not saved with it.
    let planfile = o.dir.path().join("changed.plan");
    let out = orgchard(&[
        "plan",
        work.to_str().unwrap(),
        "--backend",
        &o.backend,
        "--out",
        planfile.to_str().unwrap(),
        "--markdown",
        "--markdown-id",
        "test",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        !lossy(&out.stdout).contains("Saved the plan"),
        "the comment is all that --markdown prints"
    );
    let shown = orgchard(&["show", planfile.to_str().unwrap(), "--markdown"]);
    assert!(shown.status.success(), "{}", text(&shown));
    let shown = lossy(&shown.stdout);
    assert!(
        shown.starts_with(&format!(
            "<!-- orgchard-plan: {} -->",
            planfile.display().to_string().replace('-', "_")
        )),
        "{shown}"
    );
    assert!(shown.contains("**Deletes 2 resources**"), "{shown}");
    assert!(
        shown.contains("a saved plan does not keep the pre-check's result"),
        "{shown}"
    );
}

#[test]
fn landing_zone_renders_under_the_limit() {
    let o = org();
    let md = markdown(&repo_path("examples/landing-zone"), &o, &[]);
    assert!(md.contains("to create"), "{md}");
    assert_well_formed(&md);
    settings().bind(|| insta::assert_snapshot!("landing_zone", md));
}

#[test]
fn names_cannot_break_out_of_the_markdown() {
    let o = org();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.hcl"),
        r#"organizational_unit "evil" {
  for_each = toset(["</details>", "a`b|c", "<script>alert(1)</script>", "*@team* [x](y)"])
  name     = each.key
}
"#,
    )
    .unwrap();
    let md = markdown(dir.path(), &o, &[]);
    assert_well_formed(&md);
    assert!(md.contains("**4** to create"), "{md}");
    // Outside fenced code, every backtick and pipe a name brought is escaped.
    for line in outside_fences(&md).lines() {
        // A `<summary>` line is HTML, where neither means anything.
        if line.starts_with("<details>") {
            continue;
        }
        for (i, c) in line.char_indices() {
            if c == '`' || c == '|' {
                assert!(line[..i].ends_with('\\'), "unescaped {c:?} in {line:?}");
            }
        }
    }
    assert!(md.contains("&lt;/details&gt;"), "{md}");
    assert!(md.contains("&lt;script&gt;"), "{md}");
}

/// A configuration of `n` accounts in 10 OUs.
fn many_accounts(dir: &Path, n: usize) {
    let mut hcl = String::new();
    for t in 0..10 {
        hcl.push_str(&format!(
            "organizational_unit \"team{t}\" {{\n  name = \"Team {t}\"\n}}\n\n"
        ));
    }
    for i in 0..n {
        hcl.push_str(&format!(
            "account \"member{i:04}\" {{\n  name   = \"Member {i:04}\"\n  email  = \"aws+member-{i:04}@example.com\"\n  parent = organizational_unit.team{}\n  tags   = {{ team = \"{}\" }}\n}}\n\n",
            i % 10,
            i % 10
        ));
    }
    std::fs::write(dir.join("main.hcl"), hcl).unwrap();
}

#[test]
fn a_5000_account_plan_fits_in_one_comment_and_says_what_was_cut() {
    let o = org();
    let dir = tempfile::tempdir().unwrap();
    many_accounts(dir.path(), 5_000);
    let md = markdown(dir.path(), &o, &[]);
    println!(
        "5,000-account plan: {} bytes of Markdown, {} changes shown in detail",
        md.len(),
        md.matches("<details>").count()
    );
    assert_well_formed(&md);
    assert!(md.contains("**5010** to create"), "{}", &md[..2000]);
    assert!(md.contains("> [!NOTE]"), "{}", &md[..2000]);
    assert!(md.contains("too large for one comment"), "{}", &md[..2000]);
    // The head (counts, what was cut, warnings, pre-check) is what the snapshot pins; the
    // change blocks after it are the examples' shape many times over.
    let head = &md[..md.find("\n### Changes").expect("some changes shown")];
    settings().bind(|| insta::assert_snapshot!("five_thousand_accounts_head", head));
}

#[test]
fn what_was_made_outside_orgchard_has_a_section_of_its_own() {
    let o = org();
    let dir = o.dir.path().join("config");
    std::fs::create_dir_all(&dir).unwrap();
    let write = |hcl: &str| std::fs::write(dir.join("main.hcl"), hcl).unwrap();
    // Two OUs that lose their ownership tags: as if made by hand.
    write(
        "organizational_unit \"a\" {\n  name = \"Handmade\"\n}\norganizational_unit \"b\" {\n  name = \"Stray\"\n}\n",
    );
    apply(&dir, &o);
    write(
        "removed {\n  from = organizational_unit.a\n  lifecycle {\n    destroy = false\n  }\n}\nremoved {\n  from = organizational_unit.b\n  lifecycle {\n    destroy = false\n  }\n}\n",
    );
    apply(&dir, &o);
    write("organizational_unit \"handmade\" {\n  name = \"Handmade\"\n}\n");
    let md = markdown(&dir, &o, &[]);
    let section = &md[md.find("### Drift: made outside orgchard").expect(&md)..];
    let section = &section[..section.find("### Changes").unwrap_or(section.len())];
    assert!(
        section.contains("<code>organizational\\_unit.handmade</code>")
            && section.contains("this plan adopts it"),
        "{section}"
    );
    assert!(
        section.contains("1 unmanaged resource") && section.contains("<code>Stray</code>"),
        "{section}"
    );
    assert!(md.contains("**1** to adopt"), "{md}");
    assert_well_formed(&md);
}

#[test]
fn a_precheck_with_denials_is_a_warning_with_its_denials_listed() {
    let o = org();
    // The example pipeline's read-only role may plan but not apply.
    let reads = repo_path("examples/gitops/iam/plan-role-policy.json");
    let md = markdown(
        &repo_path("examples/quickstart"),
        &o,
        &["--as-policy", reads.to_str().unwrap()],
    );
    assert!(md.contains("> [!WARNING]"), "{md}");
    assert!(
        md.contains("**The pre-check did not pass**"),
        "the warning says so: {md}"
    );
    let precheck = &md[md.find("### Pre-check").unwrap()..md.find("### Changes").unwrap()];
    assert!(precheck.starts_with("### Pre-check\n\n❌ "), "{precheck}");
    assert!(
        precheck.contains("<code>organizations:CreateAccount</code>"),
        "each denial is listed with its action: {precheck}"
    );
    assert_well_formed(&md);
}

#[test]
fn markdown_and_json_are_exclusive_and_the_id_needs_markdown() {
    let ex = repo_path("examples/quickstart");
    let ex = ex.to_str().unwrap();
    for args in [
        vec!["plan", ex, "--markdown", "--json"],
        vec!["plan", ex, "--markdown-id", "x"],
        vec!["plan", ex, "--markdown", "--emit-policy"],
        vec!["show", "plan.json", "--markdown", "--json"],
    ] {
        let out = orgchard(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        assert!(
            text(&out).contains("cannot be used with") || text(&out).contains("required"),
            "{args:?}: {}",
            text(&out)
        );
    }
}
