//! The organization's apply lock as it lives in the organization: an unattached policy with a
//! reserved name whose description records who holds it, since when, for which run, and until
//! when its lease runs. This file says what that policy looks like and how to read it back;
//! taking, renewing and releasing it is the applier's business ([`crate::apply::lock`]).
//!
//! Why a policy: orgchard keeps no state file, so the lock must live where every orgchard that
//! manages the organization looks. Organizations keeps policy names unique per type, so
//! CreatePolicy with the reserved name succeeds for exactly one caller and answers
//! DuplicatePolicyException to every other (AWS Organizations API Reference, CreatePolicy,
//! "Errors": DuplicatePolicyException "A policy with the same name already exists", read
//! 2026-12-06): an atomic test-and-set, with no new AWS service to grant.
//!
//! Why a service control policy: every organization with all features (which orgchard's
//! policies need) may create SCPs whether or not the SCP type is enabled on its root; only
//! attaching needs it enabled (PolicyTypeNotEnabledException: "You can't attach policies of the
//! specified type ... until you enable that type in the root", same reference and date), and
//! the lock is never attached. moto and the embedded emulator accept SCPs too. Its document
//! is FullAWSAccess's own, so that even a lock attached by hand would deny nothing.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::api::PolicySummary;

/// The reserved name of the lock policy.
pub const LOCK_POLICY_NAME: &str = "orgchard-apply-lock";

/// The policy type the lock is created as (see the module documentation for why).
pub const LOCK_POLICY_TYPE: &str = crate::vocab::SCP;

/// How long a lock stays valid without being renewed: a crashed apply's lock expires after
/// this. A running apply renews it every [`RENEW_EVERY`].
pub const LEASE: Duration = Duration::from_secs(3600);

/// How often a running apply renews its lease.
pub const RENEW_EVERY: Duration = Duration::from_secs(600);

/// The description's first words: what marks a policy with the reserved name as a lock.
const MARK: &str = "orgchard apply lock:";

/// CreatePolicy's Description is at most 512 characters (AWS Organizations API Reference,
/// CreatePolicy, read 2026-12-06).
const MAX_DESCRIPTION: usize = 512;

/// Who holds the lock, since when, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockRecord {
    /// The ARN of the caller that took it.
    pub holder: String,
    /// Seconds since the Unix epoch, wall clock.
    pub since: u64,
    /// When the lease runs out unless renewed, seconds since the Unix epoch.
    pub expires: u64,
    /// The apply run's id.
    pub run: String,
}

/// A lock found in the organization: its policy id and what it records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundLock {
    pub policy_id: String,
    pub record: LockRecord,
}

impl LockRecord {
    /// A record for a lock taken now by `holder` for run `run`.
    pub fn new(holder: &str, run: &str, now: SystemTime) -> LockRecord {
        let since = unix(now);
        LockRecord {
            holder: holder.to_string(),
            since,
            expires: since + LEASE.as_secs(),
            run: run.to_string(),
        }
    }

    /// The same lock with its lease renewed from `now`.
    pub fn renewed(&self, now: SystemTime) -> LockRecord {
        LockRecord {
            expires: unix(now) + LEASE.as_secs(),
            ..self.clone()
        }
    }

    /// The policy description that records it (at most 512 characters: an unusually long
    /// holder ARN is shortened).
    pub fn description(&self) -> String {
        let tail = format!(
            " since={} expires={} run={}",
            rfc3339(self.since),
            rfc3339(self.expires),
            self.run
        );
        let room = MAX_DESCRIPTION - MARK.len() - " holder=".len() - tail.len();
        let holder: String = self.holder.chars().take(room).collect();
        format!("{MARK} holder={holder}{tail}")
    }

    /// Reads a description written by [`Self::description`]; None when it is not a lock's.
    pub fn parse(description: &str) -> Option<LockRecord> {
        let rest = description.strip_prefix(MARK)?;
        let (mut holder, mut since, mut expires, mut run) = (None, None, None, None);
        for word in rest.split_whitespace() {
            let (key, value) = word.split_once('=')?;
            match key {
                "holder" => holder = Some(value.to_string()),
                "since" => since = Some(parse_rfc3339(value)?),
                "expires" => expires = Some(parse_rfc3339(value)?),
                "run" => run = Some(value.to_string()),
                _ => {}
            }
        }
        Some(LockRecord {
            holder: holder?,
            since: since?,
            expires: expires?,
            run: run?,
        })
    }

    /// Whether the lease has run out at `now`.
    pub fn expired(&self, now: SystemTime) -> bool {
        unix(now) >= self.expires
    }

    /// How long it has been held at `now`.
    pub fn age(&self, now: SystemTime) -> Duration {
        Duration::from_secs(unix(now).saturating_sub(self.since))
    }

    /// `arn:… since 2026-12-06T20:00:00Z (12 min ago, run 1a2b…, lease until …)`.
    pub fn summary(&self, now: SystemTime) -> String {
        format!(
            "{} since {} ({} ago; run {}; {})",
            self.holder,
            rfc3339(self.since),
            human(self.age(now)),
            self.run,
            if self.expired(now) {
                format!("its lease expired at {}", rfc3339(self.expires))
            } else {
                format!("lease until {}", rfc3339(self.expires))
            }
        )
    }
}

impl FoundLock {
    /// The lock a policy summary is, if it is one: the reserved name and type, customer
    /// managed, and a description orgchard wrote.
    pub fn from_summary(summary: &PolicySummary) -> Option<FoundLock> {
        if !is_lock_name(summary) {
            return None;
        }
        Some(FoundLock {
            policy_id: summary.id.clone(),
            record: LockRecord::parse(&summary.description)?,
        })
    }

    /// What `plan` warns about a lock it sees.
    pub fn warning(&self, now: SystemTime) -> String {
        let r = &self.record;
        if r.expired(now) {
            format!(
                "the organization's apply lock ({}) is held by {}; the next apply takes it over. If no apply is running, `orgchard unlock` removes it",
                self.policy_id,
                r.summary(now)
            )
        } else {
            format!(
                "the organization's apply lock ({}) is held by {}: an apply is running, or one crashed. An apply now would wait (--lock-timeout) or stop; if no apply is running, `orgchard unlock` removes it",
                self.policy_id,
                r.summary(now)
            )
        }
    }
}

/// Whether a policy has the lock's reserved name and type (whatever its description says).
pub fn is_lock_name(summary: &PolicySummary) -> bool {
    summary.name == LOCK_POLICY_NAME && summary.r#type == LOCK_POLICY_TYPE && !summary.aws_managed
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A Unix time as `2026-12-06T20:15:57Z`.
pub fn rfc3339(secs: u64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(secs as i64) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => secs.to_string(),
    }
}

fn parse_rfc3339(text: &str) -> Option<u64> {
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    u64::try_from(t.unix_timestamp()).ok()
}

/// `42 s`, `12 min`, `3 h 5 min`, `2 days`.
fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..172_800 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn a_record_reads_back_from_its_description() {
        let r = LockRecord::new(
            "arn:aws:sts::123456789012:assumed-role/pipeline/run-7",
            "8f3a",
            at(1_796_000_000),
        );
        let d = r.description();
        assert!(
            d.starts_with("orgchard apply lock: holder=arn:aws:sts::"),
            "{d}"
        );
        assert_eq!(LockRecord::parse(&d), Some(r.clone()));
        assert_eq!(r.expires - r.since, LEASE.as_secs());
        assert!(!r.expired(at(1_796_000_000 + 3599)));
        assert!(r.expired(at(1_796_000_000 + 3600)));
        let renewed = r.renewed(at(1_796_001_000));
        assert_eq!(renewed.since, r.since);
        assert_eq!(renewed.expires, 1_796_001_000 + 3600);
    }

    #[test]
    fn a_long_holder_is_shortened_to_fit_the_description() {
        let holder = format!("arn:aws:sts::1:assumed-role/{}", "x".repeat(600));
        let r = LockRecord::new(&holder, "run", at(0));
        let d = r.description();
        assert!(d.chars().count() <= MAX_DESCRIPTION, "{}", d.len());
        let back = LockRecord::parse(&d).unwrap();
        assert!(holder.starts_with(&back.holder));
        assert_eq!(back.run, "run");
    }

    #[test]
    fn only_orgchards_description_is_a_lock() {
        assert_eq!(LockRecord::parse("Members may not leave"), None);
        assert_eq!(LockRecord::parse("orgchard apply lock: holder=x"), None);
        let summary = |name: &str, description: &str| PolicySummary {
            id: "p-1".into(),
            arn: "arn".into(),
            name: name.into(),
            description: description.into(),
            r#type: LOCK_POLICY_TYPE.into(),
            aws_managed: false,
        };
        let d = LockRecord::new("arn:x", "r", at(10)).description();
        assert!(FoundLock::from_summary(&summary(LOCK_POLICY_NAME, &d)).is_some());
        assert!(FoundLock::from_summary(&summary("other", &d)).is_none());
        assert!(FoundLock::from_summary(&summary(LOCK_POLICY_NAME, "mine")).is_none());
    }

    #[test]
    fn the_summary_says_who_since_when_and_how_long_ago() {
        let r = LockRecord::new("arn:aws:iam::1:user/ci", "r1", at(1_796_000_000));
        let s = r.summary(at(1_796_000_000 + 750));
        assert!(s.contains("arn:aws:iam::1:user/ci since 2026-"), "{s}");
        assert!(s.contains("12 min ago"), "{s}");
        assert!(s.contains("lease until"), "{s}");
        let s = r.summary(at(1_796_000_000 + 7200));
        assert!(s.contains("lease expired"), "{s}");
    }
}
