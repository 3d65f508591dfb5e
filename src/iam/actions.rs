//! The action tables of the Service Authorization Reference for the services orgchard calls
//! (Organizations, IAM, STS), compiled into the binary from `data/iam-actions` and parsed once
//! on first use. Linting, the operation table and the RCP rule all read them from here, so
//! that no action name, resource type or ARN template is ever retyped by hand.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

/// One service's part of the reference.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceData {
    pub service: String,
    pub service_name: String,
    /// Whether resource control policies apply to this service's resources.
    pub rcp_supported: bool,
    /// Keyed by lower-cased action name.
    pub actions: HashMap<String, ActionData>,
    /// Keyed by resource type name.
    pub resource_types: HashMap<String, ResourceTypeData>,
    /// Keyed by lower-cased condition key.
    pub condition_keys: HashMap<String, ConditionKeyData>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionData {
    /// The action name in AWS's spelling, e.g. `AttachPolicy`.
    pub name: String,
    pub access_level: String,
    pub resource_types: Vec<ActionResourceType>,
    pub condition_keys: Vec<String>,
    pub dependent_actions: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionResourceType {
    pub name: String,
    pub required: bool,
}

#[derive(Debug, Deserialize)]
pub struct ResourceTypeData {
    pub key: String,
    /// ARN template with `${Partition}`, `${Account}`, … placeholders.
    pub arn: String,
    #[serde(default, rename = "conditionKeys")]
    pub condition_keys: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct ConditionKeyData {
    pub key: String,
    #[serde(rename = "type")]
    pub r#type: String,
}

fn load(name: &str, text: &str) -> ServiceData {
    // The files are part of the source tree and checked by the tests below; a parse failure
    // is a build defect, not a runtime condition.
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("data/iam-actions/{name}.json is not valid: {e}"))
}

static SERVICES: LazyLock<Vec<ServiceData>> = LazyLock::new(|| {
    vec![
        load(
            "organizations",
            include_str!("../../data/iam-actions/organizations.json"),
        ),
        load("iam", include_str!("../../data/iam-actions/iam.json")),
        load("sts", include_str!("../../data/iam-actions/sts.json")),
    ]
});

/// The services the tables cover.
pub fn services() -> &'static [ServiceData] {
    &SERVICES
}

/// The service's data, by prefix (case-insensitive), if the tables cover it.
pub fn service(prefix: &str) -> Option<&'static ServiceData> {
    SERVICES
        .iter()
        .find(|s| s.service.eq_ignore_ascii_case(prefix))
}

/// The action's data, for `service:Action` (case-insensitive). `None` for services the tables
/// do not cover as well as for unknown actions; see [`is_covered_service`].
pub fn action(action: &str) -> Option<&'static ActionData> {
    let (prefix, name) = action.split_once(':')?;
    service(prefix)?.actions.get(&name.to_ascii_lowercase())
}

/// Whether the tables cover this service prefix.
pub fn is_covered_service(prefix: &str) -> bool {
    service(prefix).is_some()
}

/// The ARN template of a resource type of a service.
pub fn arn_template(prefix: &str, resource_type: &str) -> Option<&'static str> {
    service(prefix)?
        .resource_types
        .get(resource_type)
        .map(|r| r.arn.as_str())
}

/// Whether RCPs apply to resources of the service of this action.
pub fn rcp_supported(action: &str) -> bool {
    action
        .split_once(':')
        .and_then(|(p, _)| service(p))
        .is_some_and(|s| s.rcp_supported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load_and_know_core_actions() {
        assert_eq!(services().len(), 3);
        assert_eq!(
            action("organizations:attachpolicy").unwrap().name,
            "AttachPolicy"
        );
        assert_eq!(action("STS:AssumeRole").unwrap().name, "AssumeRole");
        assert!(action("organizations:NoSuchThing").is_none());
        assert!(action("s3:GetObject").is_none());
        assert!(rcp_supported("sts:AssumeRole"));
        assert!(!rcp_supported("organizations:AttachPolicy"));
        assert!(
            arn_template("iam", "role")
                .unwrap()
                .contains("role/${RoleNameWithPath}")
        );
    }
}
