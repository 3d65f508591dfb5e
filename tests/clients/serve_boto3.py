"""boto3 against `orgchard emulator serve`: each protocol (Organizations on awsJson1_1, IAM and
STS on the query protocol, Account on restJson1) and AWS's rules through the wire, asserting
AWS's error codes and, for Organizations, the Reason of ConstraintViolationException.

Run by tests/serve_clients.rs with the endpoint and the management caller's keys in the
environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); THROTTLED_ENDPOINT
names a second server whose state throttles every call.
"""

import json
import os
import sys
import time
import unittest

import boto3
import botocore.config
import botocore.exceptions

REGION = "us-east-1"
TRUST_MANAGEMENT = None  # set in setUpModule


def client(service, endpoint=None, retries=3, **keys):
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=endpoint or os.environ["AWS_ENDPOINT_URL"],
        config=botocore.config.Config(retries={"max_attempts": retries, "mode": "standard"}),
        **keys,
    )


def error_of(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except botocore.exceptions.ClientError as e:
        return e.response
    raise AssertionError(f"{call.__name__} succeeded; an AWS error was expected")


org = client("organizations")
iam = client("iam")
sts = client("sts")
account_api = client("account")


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def wait_for_account(request_id):
    for _ in range(600):
        s = org.describe_create_account_status(CreateAccountRequestId=request_id)[
            "CreateAccountStatus"
        ]
        if s["State"] == "SUCCEEDED":
            return s["AccountId"]
        if s["State"] == "FAILED":
            raise AssertionError(s)
        time.sleep(0.05)
    raise AssertionError("account creation did not finish")


class Wire(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = org.list_roots()["Roots"][0]["Id"]
        cls.management = sts.get_caller_identity()["Account"]
        if not any(
            t["Type"] == "SERVICE_CONTROL_POLICY" and t["Status"] == "ENABLED"
            for t in org.list_roots()["Roots"][0]["PolicyTypes"]
        ):
            org.enable_policy_type(RootId=cls.root, PolicyType="SERVICE_CONTROL_POLICY")
        created = org.create_account(Email="member@example.com", AccountName="Member")
        cls.member = wait_for_account(created["CreateAccountStatus"]["Id"])

    # --- Organizations (awsJson1_1) -------------------------------------------------------

    def test_detaching_the_last_scp_is_refused(self):
        ou = org.create_organizational_unit(ParentId=self.root, Name="LastScp")[
            "OrganizationalUnit"
        ]["Id"]
        e = error_of(org.detach_policy, PolicyId="p-FullAWSAccess", TargetId=ou)
        self.assertEqual(e["Error"]["Code"], "ConstraintViolationException")
        self.assertEqual(e["Reason"], "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
        self.assertEqual(e["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_a_sixth_level_ou_is_refused(self):
        parent = self.root
        for level in range(5):
            parent = org.create_organizational_unit(ParentId=parent, Name=f"Level{level + 1}")[
                "OrganizationalUnit"
            ]["Id"]
        e = error_of(org.create_organizational_unit, ParentId=parent, Name="Level6")
        self.assertEqual(e["Error"]["Code"], "ConstraintViolationException")
        self.assertEqual(e["Reason"], "OU_DEPTH_LIMIT_EXCEEDED")

    def test_deleting_a_non_empty_ou_is_refused(self):
        ou = org.create_organizational_unit(ParentId=self.root, Name="Parent")[
            "OrganizationalUnit"
        ]["Id"]
        org.create_organizational_unit(ParentId=ou, Name="Child")
        e = error_of(org.delete_organizational_unit, OrganizationalUnitId=ou)
        self.assertEqual(e["Error"]["Code"], "OrganizationalUnitNotEmptyException")

    def test_attaching_a_policy_of_a_disabled_type_is_refused(self):
        # A policy of a type the root has not enabled may exist, but not be attached.
        policy = org.create_policy(
            Name="Tags",
            Description="",
            Type="TAG_POLICY",
            Content=json.dumps({"tags": {"team": {"tag_key": {"@@assign": "Team"}}}}),
        )["Policy"]["PolicySummary"]["Id"]
        e = error_of(org.attach_policy, PolicyId=policy, TargetId=self.root)
        self.assertEqual(e["Error"]["Code"], "PolicyTypeNotEnabledException")

    def test_a_duplicate_policy_name_is_refused(self):
        content = doc({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"})
        org.create_policy(
            Name="NoBucketDeletes", Description="", Type="SERVICE_CONTROL_POLICY", Content=content
        )
        e = error_of(
            org.create_policy,
            Name="NoBucketDeletes",
            Description="",
            Type="SERVICE_CONTROL_POLICY",
            Content=content,
        )
        self.assertEqual(e["Error"]["Code"], "DuplicatePolicyException")

    def test_an_oversized_document_is_refused(self):
        # An SCP is at most 10,240 characters (AWS's quotas page, since 2026-05-15).
        actions = [f"s3:Action{i:05d}" for i in range(800)]
        content = doc({"Effect": "Deny", "Action": actions, "Resource": "*"})
        self.assertGreater(len(content), 10240)
        e = error_of(
            org.create_policy,
            Name="Huge",
            Description="",
            Type="SERVICE_CONTROL_POLICY",
            Content=content,
        )
        self.assertEqual(e["Error"]["Code"], "ConstraintViolationException")
        self.assertEqual(e["Reason"], "POLICY_CONTENT_LIMIT_EXCEEDED")

    def test_a_duplicate_ou_name_and_unknown_ids_are_refused(self):
        org.create_organizational_unit(ParentId=self.root, Name="Twice")
        e = error_of(org.create_organizational_unit, ParentId=self.root, Name="Twice")
        self.assertEqual(e["Error"]["Code"], "DuplicateOrganizationalUnitException")
        e = error_of(org.create_organizational_unit, ParentId="ou-zzzz-zzzzzzzz", Name="X")
        self.assertEqual(e["Error"]["Code"], "ParentNotFoundException")
        e = error_of(org.describe_account, AccountId="999999999999")
        self.assertEqual(e["Error"]["Code"], "AccountNotFoundException")

    def test_pages_are_followed_by_the_paginator(self):
        parent = org.create_organizational_unit(ParentId=self.root, Name="Paged")[
            "OrganizationalUnit"
        ]["Id"]
        for i in range(5):
            org.create_organizational_unit(ParentId=parent, Name=f"Page{i}")
        pages = list(
            org.get_paginator("list_organizational_units_for_parent").paginate(
                ParentId=parent, PaginationConfig={"PageSize": 2}
            )
        )
        self.assertEqual(len(pages), 3)
        names = sorted(u["Name"] for p in pages for u in p["OrganizationalUnits"])
        self.assertEqual(names, [f"Page{i}" for i in range(5)])

    # --- STS and IAM (query) --------------------------------------------------------------

    def member_session(self):
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{self.member}:role/OrganizationAccountAccessRole",
            RoleSessionName="boto3",
        )["Credentials"]
        keys = dict(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        return client("iam", **keys), client("sts", **keys)

    def test_assume_role_denied_by_the_trust_policy(self):
        iam.create_role(
            RoleName="TrustsNobody",
            AssumeRolePolicyDocument=doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ),
        )
        e = error_of(
            sts.assume_role,
            RoleArn=f"arn:aws:iam::{self.management}:role/TrustsNobody",
            RoleSessionName="denied",
        )
        self.assertEqual(e["Error"]["Code"], "AccessDenied")
        self.assertEqual(e["ResponseMetadata"]["HTTPStatusCode"], 403)

    def test_an_scp_denies_a_member_account_call(self):
        member_iam, member_sts = self.member_session()
        self.assertEqual(member_sts.get_caller_identity()["Account"], self.member)
        policy = org.create_policy(
            Name="NoTagging",
            Description="",
            Type="SERVICE_CONTROL_POLICY",
            Content=doc({"Effect": "Deny", "Action": "iam:TagRole", "Resource": "*"}),
        )["Policy"]["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=policy, TargetId=self.member)
        try:
            e = error_of(
                member_iam.tag_role,
                RoleName="OrganizationAccountAccessRole",
                Tags=[{"Key": "k", "Value": "v"}],
            )
            self.assertEqual(e["Error"]["Code"], "AccessDenied")
            self.assertIn("service control policy", e["Error"]["Message"])
            # Reads the SCP does not deny still pass, inside the member account.
            roles = member_iam.list_roles()["Roles"]
            self.assertIn("OrganizationAccountAccessRole", [r["RoleName"] for r in roles])
        finally:
            org.detach_policy(PolicyId=policy, TargetId=self.member)

    def session(self, role_arn, name):
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=name)["Credentials"]
        keys = dict(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        return {s: client(s, **keys) for s in ("organizations", "iam", "sts")}

    def test_a_session_of_any_role_acts_as_that_role(self):
        trust = doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{self.management}:root"},
                "Action": "sts:AssumeRole",
            }
        )
        # A role of the management account that may only read the organization.
        iam.create_role(RoleName="OrgAuditor", AssumeRolePolicyDocument=trust)
        iam.put_role_policy(
            RoleName="OrgAuditor",
            PolicyName="read",
            PolicyDocument=doc(
                {"Effect": "Allow", "Action": "organizations:ListRoots", "Resource": "*"}
            ),
        )
        auditor = self.session(f"arn:aws:iam::{self.management}:role/OrgAuditor", "auditor")
        me = auditor["sts"].get_caller_identity()
        self.assertEqual(
            me["Arn"], f"arn:aws:sts::{self.management}:assumed-role/OrgAuditor/auditor"
        )
        self.assertEqual(auditor["organizations"].list_roots()["Roots"][0]["Id"], self.root)
        e = error_of(
            auditor["organizations"].create_organizational_unit, ParentId=self.root, Name="No"
        )
        self.assertEqual(e["Error"]["Code"], "AccessDeniedException")
        self.assertIn("assumed-role/OrgAuditor/auditor", e["Error"]["Message"])

        # A role of the member account, made there through the member-access role.
        member_iam, _ = self.member_session()
        member_iam.create_role(RoleName="Reader", AssumeRolePolicyDocument=trust)
        member_iam.put_role_policy(
            RoleName="Reader",
            PolicyName="read",
            PolicyDocument=doc({"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}),
        )
        reader = self.session(f"arn:aws:iam::{self.member}:role/Reader", "reader")
        roles = reader["iam"].list_roles()["Roles"]
        self.assertIn("Reader", [r["RoleName"] for r in roles])
        e = error_of(reader["iam"].create_role, RoleName="Nope", AssumeRolePolicyDocument=trust)
        self.assertEqual(e["Error"]["Code"], "AccessDenied")
        self.assertEqual(e["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertIn("no identity-based policy allows", e["Error"]["Message"])

        # An SCP denying what the role allows, named in the denial by its ARN.
        policy = org.create_policy(
            Name="NoListing",
            Description="",
            Type="SERVICE_CONTROL_POLICY",
            Content=doc({"Effect": "Deny", "Action": "iam:ListRoles", "Resource": "*"}),
        )["Policy"]["PolicySummary"]
        org.attach_policy(PolicyId=policy["Id"], TargetId=self.member)
        try:
            e = error_of(reader["iam"].list_roles)
            self.assertEqual(e["Error"]["Code"], "AccessDenied")
            self.assertTrue(
                e["Error"]["Message"].endswith(
                    f"with an explicit deny in a service control policy: {policy['Arn']}"
                ),
                e["Error"]["Message"],
            )
        finally:
            org.detach_policy(PolicyId=policy["Id"], TargetId=self.member)

    def test_iam_errors_and_shapes(self):
        trust = doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{self.management}:root"},
                "Action": "sts:AssumeRole",
            }
        )
        role = iam.create_role(
            RoleName="Shapes", AssumeRolePolicyDocument=trust, Tags=[{"Key": "a", "Value": "1"}]
        )["Role"]
        # botocore decodes the URL-encoded document into a dict, as from AWS.
        self.assertEqual(role["AssumeRolePolicyDocument"]["Statement"][0]["Action"], "sts:AssumeRole")
        self.assertEqual(iam.list_role_tags(RoleName="Shapes")["Tags"], [{"Key": "a", "Value": "1"}])
        e = error_of(iam.create_role, RoleName="Shapes", AssumeRolePolicyDocument=trust)
        self.assertEqual(e["Error"]["Code"], "EntityAlreadyExists")
        e = error_of(iam.get_role, RoleName="NoSuchRole")
        self.assertEqual(e["Error"]["Code"], "NoSuchEntity")
        self.assertEqual(e["ResponseMetadata"]["HTTPStatusCode"], 404)
        e = error_of(
            iam.put_role_policy, RoleName="Shapes", PolicyName="bad", PolicyDocument="{not json"
        )
        self.assertEqual(e["Error"]["Code"], "MalformedPolicyDocument")
        iam.put_role_policy(
            RoleName="Shapes",
            PolicyName="ok",
            PolicyDocument=doc({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}),
        )
        got = iam.get_role_policy(RoleName="Shapes", PolicyName="ok")
        self.assertEqual(got["PolicyDocument"]["Statement"][0]["Action"], "s3:ListBucket")
        e = error_of(iam.delete_role, RoleName="Shapes")
        self.assertEqual(e["Error"]["Code"], "DeleteConflict")

    # --- Account (restJson1) --------------------------------------------------------------

    def test_put_account_name(self):
        account_api.put_account_name(AccountId=self.member, AccountName="Renamed")
        got = org.describe_account(AccountId=self.member)["Account"]
        self.assertEqual(got["Name"], "Renamed")

    # --- Throttling -----------------------------------------------------------------------

    def test_throttling_is_answered_as_aws_does(self):
        endpoint = os.environ.get("THROTTLED_ENDPOINT")
        if not endpoint:
            self.skipTest("THROTTLED_ENDPOINT not set")
        e = error_of(client("organizations", endpoint, retries=1).list_roots)
        self.assertEqual(e["Error"]["Code"], "TooManyRequestsException")
        self.assertEqual(e["ResponseMetadata"]["HTTPStatusCode"], 400)
        e = error_of(client("iam", endpoint, retries=1).list_roles)
        self.assertEqual(e["Error"]["Code"], "Throttling")


class VerifiedSignatures(unittest.TestCase):
    """A server started with --verify-signatures (VERIFIED_ENDPOINT, its management keys in
    VERIFIED_ACCESS_KEY_ID and VERIFIED_SECRET_ACCESS_KEY): the right secret passes, and a
    wrong one, or a key the emulator did not issue, is refused with each protocol's code."""

    def setUp(self):
        self.endpoint = os.environ.get("VERIFIED_ENDPOINT")
        if not self.endpoint:
            self.skipTest("VERIFIED_ENDPOINT not set")
        self.key = os.environ["VERIFIED_ACCESS_KEY_ID"]
        self.secret = os.environ["VERIFIED_SECRET_ACCESS_KEY"]

    def clients(self, key, secret, token=None):
        keys = dict(
            aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token
        )
        return {
            s: client(s, self.endpoint, retries=1, **keys)
            for s in ("organizations", "iam", "sts", "account")
        }

    def assert_refused(self, call, code, status, **kwargs):
        e = error_of(call, **kwargs)
        self.assertEqual(e["Error"]["Code"], code, e)
        self.assertEqual(e["ResponseMetadata"]["HTTPStatusCode"], status, e)

    def test_the_right_secret_passes(self):
        c = self.clients(self.key, self.secret)
        self.assertTrue(c["organizations"].list_roots()["Roots"][0]["Id"].startswith("r-"))
        self.assertIn(":user/", c["sts"].get_caller_identity()["Arn"])
        c["iam"].list_roles()

    def test_a_wrong_secret_is_refused(self):
        c = self.clients(self.key, "wrong" + self.secret[5:])
        self.assert_refused(c["organizations"].list_roots, "InvalidSignatureException", 400)
        self.assert_refused(c["iam"].list_roles, "SignatureDoesNotMatch", 403)
        self.assert_refused(c["sts"].get_caller_identity, "SignatureDoesNotMatch", 403)
        self.assert_refused(
            c["account"].put_account_name,
            "InvalidSignatureException",
            403,
            AccountName="x",
        )

    def test_a_key_the_emulator_did_not_issue_is_refused(self):
        c = self.clients("AKIAIOSFODNN7EXAMPLE", "dummy")
        self.assert_refused(c["organizations"].list_roots, "UnrecognizedClientException", 400)
        self.assert_refused(c["iam"].list_roles, "InvalidClientTokenId", 403)

    def test_temporary_keys_sign_with_their_secret_and_token(self):
        c = self.clients(self.key, self.secret)
        management = c["sts"].get_caller_identity()["Account"]
        trust = doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{management}:root"},
                "Action": "sts:AssumeRole",
            }
        )
        c["iam"].create_role(RoleName="Signed", AssumeRolePolicyDocument=trust)
        creds = c["sts"].assume_role(
            RoleArn=f"arn:aws:iam::{management}:role/Signed", RoleSessionName="signer"
        )["Credentials"]
        session = self.clients(
            creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
        )
        self.assertTrue(
            session["sts"].get_caller_identity()["Arn"].endswith("assumed-role/Signed/signer")
        )
        wrong = self.clients(creds["AccessKeyId"], self.secret, creds["SessionToken"])
        self.assert_refused(wrong["sts"].get_caller_identity, "SignatureDoesNotMatch", 403)
        tokenless = self.clients(creds["AccessKeyId"], creds["SecretAccessKey"])
        self.assert_refused(tokenless["sts"].get_caller_identity, "InvalidClientTokenId", 403)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
