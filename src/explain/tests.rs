//! The conditions in words, one per shape of guardrail.

use super::*;

fn words(condition: &str) -> String {
    let json = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"*","Resource":"*","Condition":{condition}}}]}}"#
    );
    let p = Policy::parse(&json, PolicyKind::Scp).unwrap();
    describe_conditions(&p.statements[0].conditions)
}

#[test]
fn conditions_read_as_when_the_statement_applies() {
    assert_eq!(
        words(r#"{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}"#),
        "outside eu-west-1, eu-central-1"
    );
    assert_eq!(
        words(r#"{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/BreakGlass"}}"#),
        "unless aws:PrincipalArn is like arn:aws:iam::*:role/BreakGlass"
    );
    assert_eq!(
        words(r#"{"Bool":{"aws:SecureTransport":"false"}}"#),
        "when aws:SecureTransport is false"
    );
    assert_eq!(
        words(r#"{"Null":{"aws:RequestTag/owner":"true"}}"#),
        "when aws:RequestTag/owner is absent"
    );
    assert_eq!(
        words(
            r#"{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-1"},"ForAnyValue:StringLike":{"aws:TagKeys":"x*"}}"#
        ),
        "unless aws:PrincipalOrgID is o-1 (when present) and when aws:TagKeys is like x* (any value)"
    );
}
