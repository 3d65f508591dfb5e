//! `orgchard emulator serve` on the wire: started on 127.0.0.1 and a port of its choosing,
//! spoken to in each AWS protocol with plain HTTP (no SDK in between, so the bytes are the
//! test's own), and stopped with SIGTERM, after which the state file holds every change.

use serde_json::json;

mod binary;
#[path = "support/serve.rs"]
mod serve;

use serve::{ServeProcess, xml};

#[test]
fn serve_speaks_each_protocol_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let init = binary::run(&["emulator", "init", state.to_str().unwrap()]);
    assert!(init.status.success());
    let init_text = String::from_utf8_lossy(&init.stdout).into_owned();
    let server = ServeProcess::start(&state, &["--time-scale", "60"]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.banner
    );
    // The keys `init` printed are the ones the server announces.
    assert!(
        init_text.contains(&format!("AWS_ACCESS_KEY_ID={}", server.access_key_id)),
        "{init_text}\n{}",
        server.banner
    );

    // Organizations, awsJson1_1.
    let roots = server.org("ListRoots", json!({}));
    let root = roots["Roots"][0]["Id"].as_str().unwrap().to_string();
    assert!(root.starts_with("r-"), "{roots}");
    let ou = server.org(
        "CreateOrganizationalUnit",
        json!({"ParentId": root, "Name": "Security", "Tags": [{"Key": "k", "Value": "v"}]}),
    );
    assert_eq!(ou["OrganizationalUnit"]["Name"], "Security");
    let ou_id = ou["OrganizationalUnit"]["Id"].as_str().unwrap().to_string();
    let tags = server.org("ListTagsForResource", json!({"ResourceId": ou_id}));
    assert_eq!(tags["Tags"], json!([{"Key": "k", "Value": "v"}]));

    // An AWS error with its Reason.
    let key = server.access_key_id.clone();
    let r = server.org_with(
        &key,
        "ListPolicies",
        json!({"Filter": "SERVICE_CONTROL_POLICY", "MaxResults": 0}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let e: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(e["__type"], "InvalidInputException", "{e}");
    assert!(e["Message"].is_string() && e["Reason"].is_string(), "{e}");

    // An operation no one serves: AWS's answer, in JSON, never HTML.
    let r = server.org_with(&key, "LaunchRocket", json!({}));
    assert_eq!(r.status, 400);
    assert!(r.body.contains("UnknownOperationException"), "{}", r.body);
    let r = server.http("GET", "/index.html", &[], "");
    assert_eq!(r.status, 404);
    assert!(
        r.headers.contains("UnknownOperationException"),
        "{}",
        r.headers
    );

    // Pagination: three OUs one page at a time.
    for name in ["A", "B"] {
        server.org(
            "CreateOrganizationalUnit",
            json!({"ParentId": root, "Name": name}),
        );
    }
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"ParentId": root, "MaxResults": 1});
        if let Some(t) = &token {
            body["NextToken"] = t.clone().into();
        }
        let page = server.org("ListOrganizationalUnitsForParent", body);
        let units = page["OrganizationalUnits"].as_array().unwrap();
        assert!(units.len() <= 1);
        names.extend(
            units
                .iter()
                .map(|u| u["Name"].as_str().unwrap().to_string()),
        );
        match page.get("NextToken").and_then(|t| t.as_str()) {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    names.sort();
    assert_eq!(names, ["A", "B", "Security"]);

    // STS and IAM: the query protocol.
    let me = server.query("sts", &key, &[("Action", "GetCallerIdentity")]);
    assert_eq!(me.status, 200, "{}", me.body);
    assert!(
        me.body
            .contains("https://sts.amazonaws.com/doc/2011-06-15/")
    );
    let account = xml(&me.body, "Account").remove(0);
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "sts:AssumeRole"}]})
    .to_string();
    let created = server.query(
        "iam",
        &key,
        &[
            ("Action", "CreateRole"),
            ("RoleName", "Auditor"),
            ("AssumeRolePolicyDocument", &trust),
            ("Tags.member.1.Key", "team"),
            ("Tags.member.1.Value", "security"),
        ],
    );
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(created.body.contains("<RoleName>Auditor</RoleName>"));
    let again = server.query(
        "iam",
        &key,
        &[
            ("Action", "CreateRole"),
            ("RoleName", "Auditor"),
            ("AssumeRolePolicyDocument", &trust),
        ],
    );
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(xml(&again.body, "Code"), ["EntityAlreadyExists"]);
    assert_eq!(xml(&again.body, "Type"), ["Sender"]);
    let missing = server.query(
        "iam",
        &key,
        &[("Action", "GetRole"), ("RoleName", "Nobody")],
    );
    assert_eq!(missing.status, 404);
    assert_eq!(xml(&missing.body, "Code"), ["NoSuchEntity"]);
    let bad = server.query("iam", &key, &[("Action", "CreateBucket")]);
    assert_eq!(bad.status, 400);
    assert_eq!(xml(&bad.body, "Code"), ["InvalidAction"]);

    // Account: restJson1.
    let r = server.http(
        "POST",
        "/putAccountName",
        &[
            ("Content-Type", "application/json".into()),
            ("Authorization", serve::authorization(&key, "account")),
        ],
        &json!({"AccountName": "Management"}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    // While it serves, other commands on the file say where.
    let busy = binary::run(&["emulator", "stats", state.to_str().unwrap()]);
    assert!(busy.status.success(), "stats reads a served state");
    let dir2 = tempfile::tempdir().unwrap();
    let other = binary::run_in(
        dir2.path(),
        &["emulator", "serve", state.to_str().unwrap(), "--port", "0"],
    );
    assert!(!other.status.success());
    let text = String::from_utf8_lossy(&other.stderr);
    assert!(text.contains(&server.url), "{text}");

    let url = server.url.clone();
    let status = server.stop();
    assert!(status.success(), "serve exits 0 on SIGTERM: {status:?}");
    // Everything the server accepted is in the state file, and the lock is free again.
    let out = binary::run(&["emulator", "export", state.to_str().unwrap()]);
    assert!(out.status.success());
    let saved: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ous: Vec<&str> = saved["ous"]
        .as_object()
        .unwrap()
        .values()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(ous.len(), 3, "{ous:?}");
    assert!(saved["iam"][&account]["roles"]["Auditor"].is_object());
    let _ = url;
}

#[test]
fn member_account_calls_act_as_the_member_access_role_under_scps() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    // Account creation takes AWS's minute or so of virtual time: a second here.
    let server = ServeProcess::start(&state, &["--time-scale", "600"]);
    let key = server.access_key_id.clone();
    let root = server.org("ListRoots", json!({}))["Roots"][0]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let created = server.org(
        "CreateAccount",
        json!({"Email": "dev@example.com", "AccountName": "Dev"}),
    );
    let request = created["CreateAccountStatus"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let account = loop {
        let s = server.org(
            "DescribeCreateAccountStatus",
            json!({"CreateAccountRequestId": request}),
        );
        match s["CreateAccountStatus"]["State"].as_str() {
            Some("SUCCEEDED") => {
                break s["CreateAccountStatus"]["AccountId"]
                    .as_str()
                    .unwrap()
                    .to_string();
            }
            Some("IN_PROGRESS") => std::thread::sleep(std::time::Duration::from_millis(100)),
            other => panic!("{other:?}: {s}"),
        }
    };
    server.org(
        "EnablePolicyType",
        json!({"RootId": root, "PolicyType": "SERVICE_CONTROL_POLICY"}),
    );
    let deny = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
        "Action": "iam:CreateRole", "Resource": "*"}]})
    .to_string();
    let policy = server.org(
        "CreatePolicy",
        json!({"Name": "NoRoles", "Description": "", "Type": "SERVICE_CONTROL_POLICY", "Content": deny}),
    );
    let policy_id = policy["Policy"]["PolicySummary"]["Id"].as_str().unwrap();
    server.org(
        "AttachPolicy",
        json!({"PolicyId": policy_id, "TargetId": account}),
    );

    let assumed = server.query(
        "sts",
        &key,
        &[
            ("Action", "AssumeRole"),
            (
                "RoleArn",
                &format!("arn:aws:iam::{account}:role/OrganizationAccountAccessRole"),
            ),
            ("RoleSessionName", "test"),
        ],
    );
    assert_eq!(assumed.status, 200, "{}", assumed.body);
    let member_key = xml(&assumed.body, "AccessKeyId").remove(0);
    assert!(member_key.starts_with("ASIA"));
    let me = server.query("sts", &member_key, &[("Action", "GetCallerIdentity")]);
    assert_eq!(xml(&me.body, "Account"), [account.as_str()], "{}", me.body);
    let denied = server.query(
        "iam",
        &member_key,
        &[
            ("Action", "CreateRole"),
            ("RoleName", "X"),
            (
                "AssumeRolePolicyDocument",
                "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
            ),
        ],
    );
    assert_eq!(denied.status, 403, "{}", denied.body);
    assert_eq!(xml(&denied.body, "Code"), ["AccessDenied"]);
    assert!(
        denied.body.contains("service control policy"),
        "{}",
        denied.body
    );
    // Listing the member account's roles is allowed, and finds the member-access role there.
    let roles = server.query("iam", &member_key, &[("Action", "ListRoles")]);
    assert_eq!(roles.status, 200, "{}", roles.body);
    assert!(roles.body.contains("OrganizationAccountAccessRole"));
    assert!(server.stop().success());
}

/// While a state is served, another orgchard command on it is refused and told where it is
/// served, and the state is free again once the server stops.
#[test]
fn another_command_on_a_served_state_says_where_it_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let server = ServeProcess::start(&state, &[]);
    let second = binary::run(&["emulator", "serve", state.to_str().unwrap(), "--port", "0"]);
    assert!(!second.status.success());
    let text = String::from_utf8_lossy(&second.stderr);
    assert!(
        text.contains(&format!("which serves it at {}", server.url))
            && text.contains(&format!("--endpoint-url {}", server.url)),
        "{text}"
    );
    assert!(server.stop().success());
    let again = ServeProcess::start(&state, &[]);
    assert!(again.stop().success());
}

/// A SIGTERM sent as soon as the endpoint is printed stops the server cleanly (the signal
/// handlers are installed before the banner, not when serving starts).
#[test]
fn a_stop_right_after_the_banner_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..5 {
        let server = ServeProcess::start(&dir.path().join("state.json"), &[]);
        assert!(server.stop().success());
    }
}
