import type { CloudTrailEvent } from './types.js';

/** What LookupEvents shows and filters on besides the record itself (cloudtrail.md §4.3–4.5). */
export interface LookupFields {
  readonly username: string | undefined;
  /** The signer's key, not keys minted by the call (§4.5). */
  readonly accessKeyId: string | undefined;
  readonly resources: readonly LookupResource[];
  /** The key the call issued (responseElements.credentials.accessKeyId), for tracing. */
  readonly issuedAccessKeyId: string | undefined;
}

export interface LookupResource {
  readonly ResourceType: string;
  readonly ResourceName: string;
}

/** Named IAM entities in requestParameters → LookupEvents resource types (§4.4, UNVERIFIED). */
const IAM_ENTITY_MEMBERS: ReadonlyArray<readonly [string, string]> = [
  ['userName', 'AWS::IAM::User'],
  ['roleName', 'AWS::IAM::Role'],
  ['groupName', 'AWS::IAM::Group'],
  ['instanceProfileName', 'AWS::IAM::InstanceProfile'],
  ['policyArn', 'AWS::IAM::Policy'],
  ['accessKeyId', 'AWS::IAM::AccessKey'],
];

export function lookupFields(event: CloudTrailEvent): LookupFields {
  return {
    username: usernameOf(event),
    accessKeyId: event.userIdentity.accessKeyId,
    resources: resourcesOf(event),
    issuedAccessKeyId: issuedKeyOf(event),
  };
}

/** §4.4: IAMUser → user name, Root → `root`, AssumedRole → session name, FederatedUser → its name. */
function usernameOf(event: CloudTrailEvent): string | undefined {
  const identity = event.userIdentity;
  switch (identity.type) {
    case 'IAMUser':
    case 'WebIdentityUser':
    case 'SAMLUser':
      return identity.userName;
    case 'Root':
      return 'root';
    case 'AssumedRole':
    case 'FederatedUser': {
      const colon = identity.principalId.indexOf(':');
      return colon < 0 ? undefined : identity.principalId.slice(colon + 1);
    }
    default:
      return undefined;
  }
}

function resourcesOf(event: CloudTrailEvent): LookupResource[] {
  if (event.errorCode !== undefined) return [];
  const out: LookupResource[] = [];
  const add = (type: string, name: unknown) => {
    if (typeof name === 'string' && name.length > 0) out.push({ ResourceType: type, ResourceName: name });
  };
  const response = event.responseElements ?? {};
  const request = event.requestParameters ?? {};
  if (event.eventSource === 'sts.amazonaws.com') {
    add('AWS::IAM::AccessKey', issuedKeyOf(event));
    const assumed = record(response['assumedRoleUser']);
    if (assumed) {
      const assumedRoleId = assumed['assumedRoleId'];
      if (typeof assumedRoleId === 'string') add('AWS::STS::AssumedRole', assumedRoleId.slice(assumedRoleId.indexOf(':') + 1));
      add('AWS::STS::AssumedRole', assumedRoleId);
      add('AWS::STS::AssumedRole', assumed['arn']);
    }
    const federated = record(response['federatedUser']);
    if (federated) add('AWS::STS::FederatedUser', federated['arn']);
    for (const resource of event.resources ?? []) add(resource.type, resource.ARN);
    return out;
  }
  if (event.eventSource === 'iam.amazonaws.com' && !event.readOnly) {
    for (const [member, type] of IAM_ENTITY_MEMBERS) add(type, request[member]);
    const accessKey = record(response['accessKey']);
    if (accessKey && request['accessKeyId'] === undefined) add('AWS::IAM::AccessKey', accessKey['accessKeyId']);
    return out;
  }
  for (const resource of event.resources ?? []) add(resource.type, resource.ARN);
  return out;
}

function issuedKeyOf(event: CloudTrailEvent): string | undefined {
  if (event.eventSource !== 'sts.amazonaws.com' || event.errorCode !== undefined) return undefined;
  const credentials = record(event.responseElements?.['credentials']);
  const key = credentials?.['accessKeyId'];
  return typeof key === 'string' ? key : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
