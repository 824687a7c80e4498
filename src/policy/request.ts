/**
 * The authorization request and the facts derived from it once per evaluation: lower-cased action,
 * split resource, parsed principal, case-insensitive context (policy-evaluation.md §0, §5.1).
 */

import { RequestResource, arnColons } from './arn.js';
import type { ContextReader } from './conditions.js';
import { describePrincipal, type RequestPrincipal } from './principal.js';

export interface AuthorizationRequest {
  /** Caller ARN | `"anonymous"` | service principal (`ec2.amazonaws.com`) | `"federated:<provider>"`. */
  readonly principal: string;
  /** `service:Action`, e.g. `iam:CreateRole`. */
  readonly action: string;
  /** ARN, or `"*"` for actions without resource-level permissions. */
  readonly resource: string;
  /** Default: the resource ARN's account field if non-empty, else the principal's account. */
  readonly resourceAccount?: string;
  /** Sessions only: the full role ARN (with path). Default `arn:<p>:iam::<acct>:role/<name>`. */
  readonly principalRoleArn?: string;
  /** Federated users: the IAM user that called GetFederationToken. */
  readonly federatingUserArn?: string;
  /**
   * Unique ID (`AIDA…`/`AROA…`) of the IAM user or role behind the caller, so principals that IAM
   * stored as unique IDs in trust policies match (§1.4). Optional.
   */
  readonly principalId?: string;
  /** Complete and authoritative; keys compare case-insensitively; arrays are multivalued keys. */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * Actions that make a role ARN's resource policy its trust policy (§5.1 `isTrust`); also the
 * actions a trust policy may name (§1.3 ²). Lower-cased.
 */
export const TRUST_ACTIONS: ReadonlySet<string> = new Set([
  'sts:assumerole',
  'sts:assumerolewithsaml',
  'sts:assumerolewithwebidentity',
  'sts:tagsession',
  'sts:setsourceidentity',
  'sts:setcontext',
]);

export function isRoleArn(resource: string): boolean {
  const colons = arnColons(resource);
  return colons !== undefined && resource.slice(colons[1]! + 1, colons[2]) === 'iam' && resource.startsWith('role/', colons[4]! + 1);
}

export function isTrustRequest(request: Pick<AuthorizationRequest, 'action' | 'resource'>): boolean {
  return TRUST_ACTIONS.has(String(request.action).toLowerCase()) && isRoleArn(String(request.resource));
}

export class RequestFacts implements ContextReader {
  readonly request: AuthorizationRequest;
  readonly actionLower: string;
  /** The action's service prefix, lower-cased (`""` if the action has no `:`). */
  readonly service: string;
  readonly resource: RequestResource;
  private principalFacts: RequestPrincipal | undefined;
  private contextKeys: string[] | undefined;

  constructor(request: AuthorizationRequest) {
    this.request = request;
    this.actionLower = String(request.action).toLowerCase();
    const colon = this.actionLower.indexOf(':');
    this.service = colon < 0 ? '' : this.actionLower.slice(0, colon);
    this.resource = new RequestResource(String(request.resource));
  }

  get principal(): RequestPrincipal {
    return (this.principalFacts ??= describePrincipal(this.request));
  }

  get isTrust(): boolean {
    return TRUST_ACTIONS.has(this.actionLower) && isRoleArn(this.resource.value);
  }

  get resourceAccount(): string | undefined {
    const given = this.request.resourceAccount;
    if (given !== undefined) return given;
    const colons = this.resource.colons;
    const fromArn = colons ? this.resource.value.slice(colons[3]! + 1, colons[4]) : '';
    return fromArn ? fromArn : this.principal.account;
  }

  get sameAccount(): boolean {
    const account = this.principal.account;
    return account !== undefined && account === this.resourceAccount;
  }

  /** Single-valued lookup for `${…}`: multivalued keys cannot be used as variables (§4, §9 U23). */
  variable(lookupKey: string): string | undefined {
    const value = this.get(lookupKey);
    return typeof value === 'string' ? value : undefined;
  }

  /**
   * Context lookup by lower-cased key, without copying the context: a linear scan in insertion
   * order, so the first of two keys differing only by case wins (§9 U14). Requests carry a few
   * dozen keys at most and a decision reads only the keys of the statements that matched.
   */
  get(lookupKey: string): string | readonly string[] | undefined {
    let keys = this.contextKeys;
    if (keys === undefined) keys = this.contextKeys = Object.keys(this.request.context ?? {});
    const context = this.request.context as Record<string, unknown>;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key.length === lookupKey.length && equalsLowerCase(key, lookupKey)) {
        const value = context[key];
        if (value !== undefined && value !== null) return normalizeValue(value);
      }
    }
    return undefined;
  }
}

/** `a.toLowerCase() === lower` without allocating for ASCII text. */
function equalsLowerCase(a: string, lower: string): boolean {
  for (let i = 0; i < a.length; i++) {
    let c = a.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    else if (c > 0x7f) return a.toLowerCase() === lower;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Context values are strings or string arrays; other JSON scalars are read as their text. */
function normalizeValue(value: unknown): string | readonly string[] {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? (value as string[]) : value.map((v) => String(v));
  return String(value);
}
