import type { Caller } from '../../auth/principal.js';
import { AwsError } from '../../protocol/errors.js';
import type { QueryInput, StringRule } from '../../protocol/query.js';
import type { XmlObject, XmlValue } from '../../protocol/xml.js';
import { isStoreError, type StoreFailure } from '../../store/errors.js';
import type { ActionContext, ContextValue } from '../action.js';
import type { Tag } from '../../store/types.js';

// ── member rules from the IAM model (ids-and-arns.md §3; query-protocol.md §5)

const NAME = { test: /^[\w+=,.@-]+$/, text: '[\\w+=,.@-]+' };

export const RULES = {
  userName: { required: true, min: 1, max: 64, pattern: NAME },
  existingUserName: { required: true, min: 1, max: 128, pattern: NAME },
  roleName: { required: true, min: 1, max: 64, pattern: NAME },
  groupName: { required: true, min: 1, max: 128, pattern: NAME },
  policyName: { required: true, min: 1, max: 128, pattern: NAME },
  policyDocument: { required: true, min: 1, max: 131072, pattern: { test: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/, text: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' } },
  arn: { required: true, min: 20, max: 2048 },
  pathPrefix: { min: 1, max: 512, pattern: { test: /^\u002F[\u0021-\u007F]*$/, text: '\\u002F[\\u0021-\\u007F]*' } },
  policyPathPrefix: { min: 1, max: 512, pattern: { test: /^((\/[A-Za-z0-9.,+@=_-]+)*)\/$/, text: '((/[A-Za-z0-9\\.,\\+@=_-]+)*)/' } },
  marker: { min: 1, max: 320, pattern: { test: /^[\u0020-\u00FF]+$/, text: '[\\u0020-\\u00FF]+' } },
  roleDescription: { max: 1000, pattern: { test: /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/, text: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*' } },
  policyDescription: { max: 1000 },
  accessKeyId: { required: true, min: 16, max: 128, pattern: { test: /^[\w]+$/, text: '[\\w]+' } },
  versionId: { required: true, pattern: { test: /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/, text: 'v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?' } },
} as const satisfies Record<string, StringRule>;

const PATH_PATTERN = /^(\u002F|\u002F[\u0021-\u007E]+\u002F)$/;
const POLICY_PATH_PATTERN = /^((\/[A-Za-z0-9.,+@=_-]+)*)\/$/;
const INVALID_PATH = 'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.';

/**
 * `Path` of users, groups and roles: a length violation is an ordinary validation error, a
 * malformed path a ValidationError of its own wording (ids-and-arns.md §3).
 */
export function readPath(input: QueryInput, name = 'Path'): string | undefined {
  return input.string(name, { min: 1, max: 512 });
}

/** The path check AWS makes after the member constraints. */
export function checkPath(value: string | undefined, policy = false): string {
  if (value === undefined) return '/';
  if (!(policy ? POLICY_PATH_PATTERN : PATH_PATTERN).test(value)) throw new AwsError('ValidationError', INVALID_PATH);
  return value;
}

export function readMaxItems(input: QueryInput): number | undefined {
  return input.integer('MaxItems', { min: 1, max: 1000 });
}

export function readMarker(input: QueryInput): string | undefined {
  return input.string('Marker', RULES.marker);
}

/** An enum member: `Member must satisfy enum value set` (query-protocol.md §5, set not listed). */
export function readEnum<T extends string>(input: QueryInput, name: string, values: readonly T[], required = false): T | undefined {
  const value = input.string(name, required ? { required: true } : {});
  if (value !== undefined && !(values as readonly string[]).includes(value)) {
    input.violation(name[0]!.toLowerCase() + name.slice(1), 'Member must satisfy enum value set', value);
    return undefined;
  }
  return value as T | undefined;
}

// ── callers and ARNs

export interface IamCaller {
  readonly caller: Caller;
  readonly accountId: string;
  readonly partition: string;
}

export function iamCaller(ctx: ActionContext): IamCaller {
  const caller = ctx.requireCaller();
  return { caller, accountId: caller.accountId, partition: ctx.config.partition };
}

export function entityArn(who: IamCaller, type: 'user' | 'group' | 'role' | 'policy', path: string, name: string): string {
  return `arn:${who.partition}:iam::${who.accountId}:${type}${path}${name}`;
}

const NON_USER = 'Must specify userName when calling with non-User credentials';

/**
 * The user an action without `UserName` acts on: the signing IAM user, or the account root.
 * Role and federated sessions must name a user (query-protocol.md §6.1).
 */
export function implicitUser(caller: Caller): { readonly kind: 'root' } | { readonly kind: 'user'; readonly name: string } {
  if (caller.type === 'Root') return { kind: 'root' };
  if (caller.type === 'IAMUser' && caller.userName !== undefined) return { kind: 'user', name: caller.userName };
  throw new AwsError('ValidationError', NON_USER);
}

// ── pagination (query-protocol.md §5: Marker only when IsTruncated)

const MARKER_PREFIX = 'ostsm1:';

export interface Page<T> {
  readonly items: readonly T[];
  readonly isTruncated: boolean;
  readonly marker?: string;
}

/**
 * Pages a list by `key` (unique per item; the page order is the keys' string order, whatever
 * collation the store sorted by). The marker carries the last key returned, so a page boundary
 * survives deletions between calls.
 */
export function paginate<T>(unsorted: readonly T[], key: (item: T) => string, marker: string | undefined, maxItems: number | undefined): Page<T> {
  const items = unsorted
    .map((item) => ({ item, k: key(item) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((e) => e.item);
  let start = 0;
  if (marker !== undefined) {
    const last = decodeMarker(marker);
    start = items.findIndex((item) => key(item) > last);
    if (start < 0) start = items.length;
  }
  const limit = maxItems ?? 100;
  const page = items.slice(start, start + limit);
  const isTruncated = start + limit < items.length;
  return isTruncated ? { items: page, isTruncated, marker: encodeMarker(key(page[page.length - 1]!)) } : { items: page, isTruncated };
}

/**
 * The page `paginate` cuts from `total` items keyed by their zero-padded position, found without
 * building the items: SimulatePrincipalPolicy/SimulateCustomPolicy answer actions × resources
 * results, and only the page asked for is evaluated (a 60 KB request once meant 360,000
 * evaluations before slicing out one page).
 */
export function positionPage(total: number, marker: string | undefined, maxItems: number | undefined): { start: number; end: number; isTruncated: boolean; marker?: string } {
  let start = 0;
  if (marker !== undefined) {
    const last = decodeMarker(marker);
    start = /^\d{1,15}$/.test(last) ? Math.min(Number(last) + 1, total) : total;
  }
  const end = Math.min(start + (maxItems ?? 100), total);
  return end < total ? { start, end, isTruncated: true, marker: encodeMarker(String(end - 1).padStart(8, '0')) } : { start, end, isTruncated: false };
}

function encodeMarker(key: string): string {
  return Buffer.from(MARKER_PREFIX + key, 'utf8').toString('base64url');
}

function decodeMarker(marker: string): string {
  const text = /^[A-Za-z0-9_-]+$/.test(marker) ? Buffer.from(marker, 'base64url').toString('utf8') : '';
  if (!text.startsWith(MARKER_PREFIX)) throw new AwsError('ValidationError', 'Invalid Marker.');
  return text.slice(MARKER_PREFIX.length);
}

export function pageMembers(listName: string, page: Page<XmlValue>): XmlObject {
  return page.isTruncated ? { [listName]: page.items, IsTruncated: true, Marker: page.marker } : { [listName]: page.items, IsTruncated: false };
}

/** A sort key that orders names case-insensitively and stays unique. */
export function nameOrder(name: string): string {
  return `${name.toLowerCase()}\u0000${name}`;
}

// ── tags (query-protocol.md §5)

const TAG_KEY = { test: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, text: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' };
const TAG_VALUE = { test: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, text: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' };
export const MAX_TAGS = 50;

/** Reads `Tags.member.N.{Key,Value}` with AWS's member-path validation messages. */
export function readTags(input: QueryInput, required = false): Tag[] | undefined {
  const raw = input.structList('Tags', ['Key', 'Value'] as const);
  if (raw === undefined) {
    if (required) input.violation('tags', 'Member must not be null');
    return undefined;
  }
  if (raw.length > MAX_TAGS) input.violation('tags', `Member must have length less than or equal to ${MAX_TAGS}`);
  const tags: Tag[] = [];
  raw.forEach((item, i) => {
    const key = input.checkString('Key', `tags.${i + 1}.member.key`, item.Key, { required: true, min: 1, max: 128, pattern: TAG_KEY });
    const value = input.checkString('Value', `tags.${i + 1}.member.value`, item.Value, { required: true, min: 0, max: 256, pattern: TAG_VALUE });
    if (key !== undefined && value !== undefined) tags.push({ Key: key, Value: value });
  });
  return tags;
}

const UNTAG_KEY_CONSTRAINT =
  'Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, ' +
  'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+, Member must not be null]';

export function readTagKeys(input: QueryInput): string[] {
  const keys = input.list('TagKeys');
  if (keys === undefined) {
    input.violation('tagKeys', 'Member must not be null');
    return [];
  }
  if (keys.length > MAX_TAGS) input.violation('tagKeys', `Member must have length less than or equal to ${MAX_TAGS}`);
  else if (keys.some((k) => [...k].length > 128 || k.length === 0 || !TAG_KEY.test.test(k))) input.violation('tagKeys', UNTAG_KEY_CONSTRAINT);
  return keys;
}

/**
 * Duplicate keys in one request are InvalidInput. User and role keys compare case-insensitively
 * (with AWS's reminder in the message); managed-policy keys compare exactly.
 */
export function checkTagSemantics(tags: readonly Tag[] | undefined, caseInsensitive: boolean): void {
  if (!tags) return;
  const seen = new Set<string>();
  for (const tag of tags) {
    const key = caseInsensitive ? tag.Key.toLowerCase() : tag.Key;
    if (seen.has(key)) {
      throw new AwsError('InvalidInput', caseInsensitive ? 'Duplicate tag keys found. Please note that Tag keys are case insensitive.' : 'Duplicate tag keys found.');
    }
    seen.add(key);
  }
  for (const tag of tags) {
    // The `aws:` prefix is reserved for AWS (query-protocol.md §5); the exact wording is unrecorded.
    if (tag.Key.toLowerCase().startsWith('aws:')) throw new AwsError('InvalidInput', `Tag keys starting with 'aws:' are reserved for internal use.`);
  }
}

/** aws:RequestTag/* and aws:TagKeys for a request carrying tags. */
export function requestTagContext(tags: readonly Tag[] | undefined): Record<string, ContextValue> {
  if (!tags || tags.length === 0) return {};
  const context: Record<string, ContextValue> = { 'aws:TagKeys': tags.map((t) => t.Key) };
  for (const tag of tags) context[`aws:RequestTag/${tag.Key}`] = tag.Value;
  return context;
}

/** aws:ResourceTag/* (and iam:ResourceTag/* for users and roles) of an existing resource. */
export function resourceTagContext(tags: readonly Tag[] | undefined, iamKeys: boolean): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  for (const tag of tags ?? []) {
    context[`aws:ResourceTag/${tag.Key}`] = tag.Value;
    if (iamKeys) context[`iam:ResourceTag/${tag.Key}`] = tag.Value;
  }
  return context;
}

export function tagMembers(tags: readonly Tag[]): XmlObject[] {
  return tags.map((t) => ({ Key: t.Key, Value: t.Value }));
}

// ── store refusals as AWS errors (query-protocol.md §5.2; texts from the recordings)

export interface FailureWording {
  /** Attach*Policy and ListEntitiesForPolicy say "does not exist or is not attachable". */
  readonly missingPolicy?: 'not-found' | 'not-attachable';
}

export function awsErrorFor(failure: StoreFailure, wording: FailureWording = {}): AwsError {
  switch (failure.code) {
    case 'NoSuchEntity':
      switch (failure.entity) {
        case 'user':
        case 'group':
        case 'role':
          return new AwsError('NoSuchEntity', `The ${failure.entity} with name ${failure.name} cannot be found.`);
        case 'inline-policy':
          return new AwsError('NoSuchEntity', `The ${failure.owner} policy with name ${failure.name} cannot be found.`);
        case 'policy':
          return new AwsError(
            'NoSuchEntity',
            wording.missingPolicy === 'not-attachable' ? `Policy ${failure.arn} does not exist or is not attachable.` : `Policy ${failure.arn} was not found.`,
          );
        case 'attachment':
          return new AwsError('NoSuchEntity', `Policy ${failure.arn} was not found.`);
        case 'boundary':
          return new AwsError('NoSuchEntity', `Scope ARN: ${failure.arn} does not exist or is not attachable.`);
        case 'policy-version':
          return new AwsError('NoSuchEntity', `Policy ${failure.arn} version ${failure.versionId} does not exist or is not attachable.`);
        case 'access-key':
          return new AwsError('NoSuchEntity', `The Access Key with id ${failure.accessKeyId} cannot be found.`);
      }
      break;
    case 'EntityAlreadyExists':
      switch (failure.entity) {
        case 'policy':
          return new AwsError('EntityAlreadyExists', `A policy called ${failure.name} already exists. Duplicate names are not allowed.`);
        case 'mfa-device':
          return new AwsError('EntityAlreadyExists', 'MFA device already exists.');
        default:
          return new AwsError('EntityAlreadyExists', `${capitalize(failure.entity)} with name ${failure.name} already exists.`);
      }
    case 'DeleteConflict':
      return new AwsError('DeleteConflict', DELETE_CONFLICT[failure.reason]);
    case 'LimitExceeded':
      switch (failure.quota) {
        case 'PolicyVersions':
          return new AwsError('LimitExceeded', `A managed policy can have up to ${failure.limit} versions. Before you create a new version, you must delete an existing version.`);
        case 'InlinePolicySize':
          return new AwsError('LimitExceeded', `Maximum policy size of ${failure.limit} bytes exceeded for ${failure.owner?.kind ?? 'user'} ${failure.owner?.name ?? ''}`);
        case 'TagsPerResource':
          return new AwsError('LimitExceeded', 'The number of tags has reached the maximum limit.');
        default:
          return new AwsError('LimitExceeded', `Cannot exceed quota for ${failure.quota}: ${failure.limit}`);
      }
  }
  return new AwsError('ServiceFailure', 'An internal error occurred.');
}

const DELETE_CONFLICT: Record<Extract<StoreFailure, { code: 'DeleteConflict' }>['reason'], string> = {
  'access-keys': 'Cannot delete entity, must delete access keys first.',
  'mfa-devices': 'Cannot delete entity, must delete MFA device first.',
  'inline-policies': 'Cannot delete entity, must delete policies first.',
  'attached-policies': 'Cannot delete entity, must detach all policies first.',
  'group-memberships': 'Cannot delete entity, must remove users from group first.',
  'group-members': 'Cannot delete entity, must remove users from group first.',
  'policy-in-use': 'Cannot delete a policy attached to entities.',
  'policy-versions':
    "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
  'default-version': 'Cannot delete the default version of a policy.',
};

function capitalize(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}

/** Runs one store call, answering its refusals as AWS errors. */
export async function stored<T>(call: () => Promise<T>, wording?: FailureWording): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isStoreError(error)) throw awsErrorFor(error.failure, wording);
    throw error;
  }
}

export function noSuchEntity(kind: 'user' | 'group' | 'role', name: string): AwsError {
  return awsErrorFor({ code: 'NoSuchEntity', entity: kind, name });
}
