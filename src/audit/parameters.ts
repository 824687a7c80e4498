import type { QueryParams } from '../protocol/query.js';
import { elementTimeText } from './format.js';
import { isDroppedRequestMember, isDroppedResponseMember, isProtocolMember } from './redact.js';

/**
 * Request members and results in CloudTrail's naming (cloudtrail.md §6.1): member names with
 * the first letter lower-cased, Query lists (`X.member.N`) as arrays, maps (`X.entry.N.key`)
 * as objects, only what the client sent, numbers and booleans typed by the operation model.
 */

/** Members the STS/IAM/Organizations models type as integers (the Query wire carries text). */
const INTEGER_MEMBERS = new Set([
  'DurationSeconds',
  'MaxSessionDuration',
  'MaxItems',
  'MaxResults',
  'MinimumPasswordLength',
  'MaxPasswordAge',
  'PasswordReusePrevention',
]);

/** Members the models type as booleans. */
const BOOLEAN_MEMBERS = new Set([
  'PasswordResetRequired',
  'RequireSymbols',
  'RequireNumbers',
  'RequireUppercaseCharacters',
  'RequireLowercaseCharacters',
  'AllowUsersToChangePassword',
  'HardExpiry',
  'SetAsDefault',
  'OnlyAttached',
]);

/** List members, so that the empty-list form `Name=` is recorded as `[]`. */
const LIST_MEMBERS = new Set([
  'Tags',
  'TagKeys',
  'TransitiveTagKeys',
  'PolicyArns',
  'ClientIDList',
  'ThumbprintList',
  'ActionNames',
  'ResourceArns',
  'PolicyInputList',
  'PermissionsBoundaryPolicyInputList',
  'ContextEntries',
  'ContextKeyValues',
  'ProvidedContexts',
  'AddClientIDs',
  'RemoveClientIDs',
]);

/** No AWS shape nests this deep; deeper input (a client's malformed body) is not recorded member by member. */
export const MAX_DEPTH = 32;

/** Thrown when a value nests deeper than MAX_DEPTH; the caller records null instead. */
export class TooDeep extends Error {}

export function lowerFirst(name: string): string {
  return name.length === 0 ? name : name[0]!.toLowerCase() + name.slice(1);
}

interface Branch {
  readonly children: Map<string, Node>;
}
type Node = Branch | { readonly leaf: string };

/**
 * Query form members → requestParameters; `undefined` when the call carried no operation
 * members, `null` when a member path nests deeper than any operation's shape.
 */
export function queryRequestParameters(params: QueryParams): Record<string, unknown> | null | undefined {
  const root: Branch = { children: new Map() };
  let any = false;
  for (const [key, value] of params) {
    const path = key.split('.');
    if (path.length > 2 * MAX_DEPTH) return null;
    if (path.length === 1 && isProtocolMember(key)) continue;
    if (path.some((segment) => isDroppedRequestMember(segment))) continue;
    insert(root, path, value);
    any = true;
  }
  if (!any) return undefined;
  return branchToObject(root);
}

function insert(root: Branch, path: readonly string[], value: string): void {
  let node: Branch = root;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i]!;
    const next = node.children.get(segment);
    if (next && 'children' in next) {
      node = next;
    } else {
      // A structure's members win over a bare `Name=` sent for the same member.
      const created: Branch = { children: new Map() };
      node.children.set(segment, created);
      node = created;
    }
  }
  const last = path[path.length - 1]!;
  const existing = node.children.get(last);
  if (!existing || !('children' in existing)) node.children.set(last, { leaf: value });
}

function convertNode(name: string, node: Node): unknown {
  if ('leaf' in node) return typedLeaf(name, node.leaf);
  const member = node.children.get('member');
  if (member && 'children' in member && node.children.size === 1) {
    return indexed(member).map(([, item]) => convertNode('member', item));
  }
  const entry = node.children.get('entry');
  if (entry && 'children' in entry && node.children.size === 1) {
    const map: Record<string, unknown> = {};
    for (const [, item] of indexed(entry)) {
      if (!('children' in item)) continue;
      const k = item.children.get('key');
      const v = item.children.get('value');
      if (k && 'leaf' in k) map[k.leaf] = v && 'leaf' in v ? v.leaf : v ? convertNode('value', v) : null;
    }
    return map;
  }
  return branchToObject(node);
}

function branchToObject(node: Branch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, child] of node.children) out[lowerFirst(name)] = convertNode(name, child);
  return out;
}

/** `member.N` / `entry.N` children in index order; non-numeric indices are ignored. */
function indexed(node: Branch): Array<[number, Node]> {
  const items: Array<[number, Node]> = [];
  for (const [index, child] of node.children) {
    const n = Number(index);
    if (Number.isInteger(n) && n > 0) items.push([n, child]);
  }
  return items.sort((a, b) => a[0] - b[0]);
}

function typedLeaf(name: string, value: string): unknown {
  if (INTEGER_MEMBERS.has(name) && /^-?\d{1,15}$/.test(value)) return Number(value);
  if (BOOLEAN_MEMBERS.has(name) && (value === 'true' || value === 'false')) return value === 'true';
  if (LIST_MEMBERS.has(name) && value === '') return [];
  return value;
}

/**
 * JSON 1.1 input → requestParameters: the same naming rule, values as sent. `null` when the
 * input nests deeper than any operation's shape (it is then recorded like an oversized one).
 */
export function jsonRequestParameters(input: Readonly<Record<string, unknown>>): Record<string, unknown> | null | undefined {
  let out: Record<string, unknown>;
  try {
    out = camelize(input, (name) => isDroppedRequestMember(name), undefined) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TooDeep) return null;
    throw error;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * A result (XmlObject or JSON output) → responseElements. Timestamps take the service's
 * text form (cloudtrail.md §1.4); secrets are dropped (§6.2); `undefined` when nothing is left.
 */
export function responseElementsOf(
  result: Readonly<Record<string, unknown>>,
  options: { readonly timeStyle: 'sts' | 'iam'; readonly includeSessionToken: boolean },
): Record<string, unknown> | undefined {
  const out = camelize(result, (name) => isDroppedResponseMember(name, options.includeSessionToken), options.timeStyle) as Record<string, unknown>;
  return Object.keys(out).length === 0 ? undefined : out;
}

function camelize(value: unknown, dropped: (name: string) => boolean, timeStyle: 'sts' | 'iam' | undefined, depth = 0): unknown {
  if (value instanceof Date) return timeStyle ? elementTimeText(value, timeStyle) : value.getTime() / 1000;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) throw new TooDeep();
  if (Array.isArray(value)) return value.filter((item) => item !== undefined && item !== null).map((item) => camelize(item, dropped, timeStyle, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || item === null || dropped(key)) continue;
    out[lowerFirst(key)] = camelize(item, dropped, timeStyle, depth + 1);
  }
  return out;
}
