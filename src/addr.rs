//! Addresses name every resource block of a configuration, in one canonical form that reads
//! like HCL (`module.sandbox.organizational_unit.env["prod"]`). Plans, diagnostics, the
//! ownership tag `orgchard:address` and `--target` are all keyed by them, so they are small,
//! immutable values that parse back from the text they print.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The kinds of resource a configuration can declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// The organization itself (`organization` block): policy types, service access.
    Organization,
    /// The organization root (`root` block).
    Root,
    OrganizationalUnit,
    Account,
    Policy,
    DelegatedAdministrator,
    Role,
}

impl ResourceKind {
    /// Every kind, in the order plans list them.
    pub const ALL: [ResourceKind; 7] = [
        ResourceKind::Organization,
        ResourceKind::Root,
        ResourceKind::OrganizationalUnit,
        ResourceKind::Account,
        ResourceKind::Policy,
        ResourceKind::DelegatedAdministrator,
        ResourceKind::Role,
    ];

    /// The block type that declares this kind in HCL.
    pub fn block_type(self) -> &'static str {
        match self {
            ResourceKind::Organization => "organization",
            ResourceKind::Root => "root",
            ResourceKind::OrganizationalUnit => "organizational_unit",
            ResourceKind::Account => "account",
            ResourceKind::Policy => "policy",
            ResourceKind::DelegatedAdministrator => "delegated_administrator",
            ResourceKind::Role => "role",
        }
    }

    pub fn from_block_type(s: &str) -> Option<Self> {
        ResourceKind::ALL.into_iter().find(|k| k.block_type() == s)
    }

    /// `organization` and `root` are singletons: they have no label and live only in the
    /// root module.
    pub fn is_singleton(self) -> bool {
        matches!(self, ResourceKind::Organization | ResourceKind::Root)
    }
}

/// The key of one instance of a block or module that uses `for_each`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InstanceKey(pub String);

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // HCL string literal: quotes and backslashes escaped, so the form parses back.
        f.write_str("[\"")?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                c => write!(f, "{c}")?,
            }
        }
        f.write_str("\"]")
    }
}

/// One `module.NAME[KEY]` step of a module path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ModuleStep {
    pub name: String,
    pub key: Option<InstanceKey>,
}

/// The path of a module instance from the root module; empty for the root module.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ModulePath(pub Vec<ModuleStep>);

impl ModulePath {
    pub fn root() -> Self {
        ModulePath(Vec::new())
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn child(&self, name: &str, key: Option<InstanceKey>) -> Self {
        let mut steps = self.0.clone();
        steps.push(ModuleStep {
            name: name.to_string(),
            key,
        });
        ModulePath(steps)
    }
}

impl fmt::Display for ModulePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "module.{}", step.name)?;
            if let Some(key) = &step.key {
                write!(f, "{key}")?;
            }
        }
        Ok(())
    }
}

/// The address of one resource instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Address {
    pub module: ModulePath,
    pub kind: ResourceKind,
    /// The block label; empty for the singletons `organization` and `root`.
    pub name: String,
    pub key: Option<InstanceKey>,
}

impl Address {
    pub fn new(kind: ResourceKind, name: impl Into<String>) -> Self {
        Address {
            module: ModulePath::root(),
            kind,
            name: name.into(),
            key: None,
        }
    }

    pub fn root() -> Self {
        Address::new(ResourceKind::Root, "")
    }

    pub fn organization() -> Self {
        Address::new(ResourceKind::Organization, "")
    }

    pub fn in_module(mut self, module: ModulePath) -> Self {
        self.module = module;
        self
    }

    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(InstanceKey(key.into()));
        self
    }

    /// The address without its instance key: the block that declared it.
    pub fn config_address(&self) -> Address {
        Address {
            key: None,
            ..self.clone()
        }
    }

    /// True when `self` is `other` or an instance of it (`role.x` contains `role.x["a"]`),
    /// or `self` is a module path prefix of `other`: what `--target` selects.
    pub fn contains(&self, other: &Address) -> bool {
        self.module == other.module
            && self.kind == other.kind
            && self.name == other.name
            && (self.key.is_none() || self.key == other.key)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.module.is_root() {
            write!(f, "{}.", self.module)?;
        }
        f.write_str(self.kind.block_type())?;
        if !self.kind.is_singleton() {
            write!(f, ".{}", self.name)?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}")?;
        }
        Ok(())
    }
}

impl From<Address> for String {
    fn from(a: Address) -> String {
        a.to_string()
    }
}

impl TryFrom<String> for Address {
    type Error = AddressError;
    fn try_from(s: String) -> Result<Self, AddressError> {
        s.parse()
    }
}

/// Why a string is not an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid address {input:?}: {reason}; expected e.g. account.log_archive, organizational_unit.env[\"prod\"] or module.sandbox.policy.deny"
)]
pub struct AddressError {
    pub input: String,
    pub reason: String,
}

impl FromStr for Address {
    type Err = AddressError;

    fn from_str(input: &str) -> Result<Self, AddressError> {
        let err = |reason: &str| AddressError {
            input: input.to_string(),
            reason: reason.to_string(),
        };
        let mut p = Parser { s: input, pos: 0 };
        let mut module = ModulePath::root();
        loop {
            let word = p.ident().ok_or_else(|| err("expected a name"))?;
            if word == "module" {
                p.expect('.')
                    .ok_or_else(|| err("expected `.` after `module`"))?;
                let name = p.ident().ok_or_else(|| err("expected a module name"))?;
                let key = p.key().map_err(|r| err(&r))?;
                module = module.child(&name, key);
                p.expect('.')
                    .ok_or_else(|| err("expected `.` after the module name"))?;
                continue;
            }
            let kind = ResourceKind::from_block_type(&word).ok_or_else(|| {
                err("unknown resource type (accepted: organization, root, organizational_unit, account, policy, delegated_administrator, role)")
            })?;
            let name = if kind.is_singleton() {
                String::new()
            } else {
                p.expect('.')
                    .ok_or_else(|| err("expected `.` after the resource type"))?;
                p.ident().ok_or_else(|| err("expected a resource name"))?
            };
            let key = p.key().map_err(|r| err(&r))?;
            if p.pos != p.s.len() {
                return Err(err("unexpected text after the address"));
            }
            return Ok(Address {
                module,
                kind,
                name,
                key,
            });
        }
    }
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn ident(&mut self) -> Option<String> {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_alphanumeric() || c == '_' || (i > 0 && c == '-'))
                    || (i == 0 && c.is_ascii_digit())
            })
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        if len == 0 {
            return None;
        }
        let word = rest[..len].to_string();
        self.pos += len;
        Some(word)
    }

    fn expect(&mut self, c: char) -> Option<()> {
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            Some(())
        } else {
            None
        }
    }

    fn key(&mut self) -> Result<Option<InstanceKey>, String> {
        if !self.rest().starts_with("[\"") {
            return Ok(None);
        }
        self.pos += 2;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    self.expect(']').ok_or("expected `]` after the key")?;
                    return Ok(Some(InstanceKey(out)));
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, c)) => out.push(c),
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err("unterminated key string".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_and_parses_back() {
        for text in [
            "root",
            "organization",
            "account.log_archive",
            "organizational_unit.env[\"prod\"]",
            "module.sandbox.organizational_unit.main",
            "module.a[\"x\"].module.b.role.auditor[\"we \\\"ird\\\"\"]",
        ] {
            let addr: Address = text.parse().unwrap();
            assert_eq!(addr.to_string(), text);
        }
    }

    #[test]
    fn rejects_garbage_with_a_reason() {
        let e = "bucket.x".parse::<Address>().unwrap_err();
        assert!(e.reason.contains("unknown resource type"), "{e}");
        assert!("account".parse::<Address>().is_err());
        assert!("account.x[\"a\"".parse::<Address>().is_err());
        assert!("account.x extra".parse::<Address>().is_err());
    }

    #[test]
    fn contains_selects_instances() {
        let block: Address = "role.auditor".parse().unwrap();
        let inst: Address = "role.auditor[\"a\"]".parse().unwrap();
        assert!(block.contains(&inst));
        assert!(!inst.contains(&block));
    }
}
