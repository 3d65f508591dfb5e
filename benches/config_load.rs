//! Loading and validating a large configuration: 5,000 accounts, 500 OUs, 300 policies and
//! 10,000 policy attachments, generated into a temporary directory. Also reports the peak heap
//! memory of one load, measured with a counting allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use orgchard::config::{self, VarInputs};

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const ACCOUNTS: usize = 5_000;
const OUS: usize = 500;
const POLICIES: usize = 300;

/// Writes the configuration: 20 top-level OUs with 24 children each (plus 20 more under the
/// first children), 300 SCPs, and accounts spread over the OUs, each attaching
/// FullAWSAccess and one of the SCPs (2 × 5,000 = 10,000 attachments).
fn generate(dir: &Path) {
    let mut org = String::new();
    org.push_str("organization {\n  feature_set = \"ALL\"\n  enabled_policy_types = [\"SERVICE_CONTROL_POLICY\"]\n}\n\n");
    org.push_str("root {\n  policies = [aws_policy.FullAWSAccess]\n}\n");
    std::fs::write(dir.join("main.hcl"), org).unwrap();

    let mut policies = String::new();
    for i in 0..POLICIES {
        writeln!(
            policies,
            "policy \"p{i}\" {{\n  type    = \"SERVICE_CONTROL_POLICY\"\n  name    = \"Guardrail{i}\"\n  content = jsonencode({{\n    Version   = \"2012-10-17\"\n    Statement = [{{ Effect = \"Deny\", Action = [\"s3:DeleteBucket\", \"ec2:TerminateInstances\"], Resource = \"*\", Condition = {{ StringNotEquals = {{ \"aws:RequestedRegion\" = [\"eu-west-1\"] }} }} }}]\n  }})\n  tags = {{ index = \"{i}\" }}\n}}\n"
        )
        .unwrap();
    }
    std::fs::write(dir.join("policies.hcl"), policies).unwrap();

    let mut ous = String::new();
    let top = 20;
    for i in 0..OUS {
        let parent = if i < top {
            "root".to_string()
        } else if i < top + top * 23 {
            format!("organizational_unit.ou{}", (i - top) % top)
        } else {
            format!("organizational_unit.ou{}", top + (i % top))
        };
        writeln!(
            ous,
            "organizational_unit \"ou{i}\" {{\n  name     = \"OU {i}\"\n  parent   = {parent}\n  policies = [aws_policy.FullAWSAccess, policy.p{}]\n  tags     = {{ team = \"t{}\" }}\n}}\n",
            i % POLICIES,
            i % 17
        )
        .unwrap();
    }
    std::fs::write(dir.join("ous.hcl"), ous).unwrap();

    let mut accounts = String::from("locals {\n  domain = \"example.com\"\n}\n\n");
    for i in 0..ACCOUNTS {
        writeln!(
            accounts,
            "account \"a{i}\" {{\n  name     = \"Account {i}\"\n  email    = \"aws+a{i}@${{local.domain}}\"\n  parent   = organizational_unit.ou{}\n  policies = [aws_policy.FullAWSAccess, policy.p{}]\n  tags     = {{ cost_center = \"cc{}\" }}\n}}\n",
            i % OUS,
            i % POLICIES,
            i % 50
        )
        .unwrap();
    }
    std::fs::write(dir.join("accounts.hcl"), accounts).unwrap();
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    generate(tmp.path());
    let vars = VarInputs::default();

    // One measured load for the peak heap figure.
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let desired = config::load(tmp.path(), &vars).expect("the generated configuration is valid");
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let attachments: usize = desired
        .accounts
        .iter()
        .filter_map(|a| a.policies.as_ref().map(Vec::len))
        .sum();
    assert_eq!(desired.accounts.len(), ACCOUNTS);
    assert_eq!(desired.organizational_units.len(), OUS);
    assert_eq!(desired.policies.len(), POLICIES);
    assert_eq!(attachments, 2 * ACCOUNTS);
    drop(desired);
    eprintln!(
        "config_load: peak heap during one load+validate: {:.1} MB",
        peak as f64 / 1_000_000.0
    );

    let mut group = c.benchmark_group("config");
    group.sample_size(10);
    group.bench_function("load_validate_5000_accounts", |b| {
        b.iter(|| config::load(tmp.path(), &vars).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
