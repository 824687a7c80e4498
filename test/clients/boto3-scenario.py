"""One AssumeRole scenario through boto3, driven by test/clients/boto3.test.ts.

Reads {endpoint, roleArn, roleName, user, other} as JSON on stdin (credentials as
{accessKeyId, secretAccessKey}) and prints what botocore parsed, as JSON, on stdout.
"""

import json
import sys

import boto3
import botocore
from botocore.exceptions import ClientError

cfg = json.load(sys.stdin)


def client(creds, service):
    session = boto3.session.Session(
        aws_access_key_id=creds["accessKeyId"],
        aws_secret_access_key=creds["secretAccessKey"],
        aws_session_token=creds.get("sessionToken"),
        region_name="us-east-1",
    )
    return session.client(service, endpoint_url=cfg["endpoint"])


def without_metadata(response):
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def error_of(e):
    return {
        "class": type(e).__name__,
        "code": e.response["Error"]["Code"],
        "message": e.response["Error"]["Message"],
        "type": e.response["Error"].get("Type"),
        "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
        "requestId": e.response["ResponseMetadata"].get("RequestId"),
    }


out = {"botocore": botocore.__version__}
user_sts = client(cfg["user"], "sts")
out["callerUser"] = without_metadata(user_sts.get_caller_identity())

assumed = user_sts.assume_role(
    RoleArn=cfg["roleArn"],
    RoleSessionName="boto3-session",
    DurationSeconds=900,
    Tags=[{"Key": "team", "Value": "python"}],
)
creds = assumed["Credentials"]
out["assumed"] = {
    "keys": sorted(without_metadata(assumed).keys()),
    "AssumedRoleUser": assumed["AssumedRoleUser"],
    "PackedPolicySize": assumed.get("PackedPolicySize"),
    "AccessKeyId": creds["AccessKeyId"],
    "expirationType": type(creds["Expiration"]).__name__,
    "expirationUtcOffset": creds["Expiration"].utcoffset().total_seconds(),
    "requestId": assumed["ResponseMetadata"]["RequestId"],
}
session_creds = {
    "accessKeyId": creds["AccessKeyId"],
    "secretAccessKey": creds["SecretAccessKey"],
    "sessionToken": creds["SessionToken"],
}
out["callerSession"] = without_metadata(client(session_creds, "sts").get_caller_identity())

iam = client(session_creds, "iam")
role = iam.get_role(RoleName=cfg["roleName"])["Role"]
out["role"] = {
    "RoleName": role["RoleName"],
    "Arn": role["Arn"],
    "documentType": type(role["AssumeRolePolicyDocument"]).__name__,
    "document": role["AssumeRolePolicyDocument"],
    "createDateType": type(role["CreateDate"]).__name__,
    "MaxSessionDuration": role["MaxSessionDuration"],
    "RoleLastUsed": role.get("RoleLastUsed"),
}

try:
    iam.get_role(RoleName="no-such-role")
    out["missing"] = None
except iam.exceptions.NoSuchEntityException as e:
    out["missing"] = error_of(e)

try:
    client(cfg["other"], "sts").assume_role(RoleArn=cfg["roleArn"], RoleSessionName="denied")
    out["denied"] = None
except ClientError as e:
    out["denied"] = error_of(e)

try:
    user_sts.assume_role(RoleArn=cfg["roleArn"], RoleSessionName="x" * 65)
    out["invalid"] = None
except ClientError as e:
    out["invalid"] = error_of(e)
except botocore.exceptions.ParamValidationError as e:
    out["invalid"] = {"class": type(e).__name__, "message": str(e)}

print(json.dumps(out, default=str))
