/**
 * Who is calling, and whether a `Principal`/`NotPrincipal` element names them
 * (policy-evaluation.md §2.4, §5.1; ids-and-arns.md §2).
 */

import { arnColons } from './arn.js';
import type { PrincipalElement } from './ast.js';

export type PrincipalKind =
  | 'User'
  | 'Root'
  | 'RoleSession'
  | 'FederatedUser'
  | 'Service'
  | 'Anonymous'
  | 'IdentityProvider'
  /** An ARN that is no caller form (e.g. a group ARN): nothing can allow it. */
  | 'Unknown';

export interface RequestPrincipal {
  readonly kind: PrincipalKind;
  /** The principal as given in the request. */
  readonly value: string;
  readonly account?: string;
  /** Role sessions: the role ARN (with path when the request supplies it). */
  readonly roleArn?: string;
  /** Federated users: the IAM user that called GetFederationToken. */
  readonly federatingUserArn?: string;
  /** Unique ID of the IAM user or role behind the caller, for principals stored as IDs (§1.4). */
  readonly uniqueId?: string;
  /** Service principal name or identity provider. */
  readonly name?: string;
}

export interface PrincipalRequestFields {
  readonly principal: string;
  readonly principalRoleArn?: string;
  readonly federatingUserArn?: string;
  readonly principalId?: string;
}

export function describePrincipal(request: PrincipalRequestFields): RequestPrincipal {
  const value = String(request.principal);
  if (value === 'anonymous') return principal('Anonymous', value);
  if (value.startsWith('federated:')) return principal('IdentityProvider', value, undefined, undefined, undefined, undefined, value.slice('federated:'.length));
  if (!value.startsWith('arn:')) return principal('Service', value, undefined, undefined, undefined, undefined, value);
  // arn:partition:service:region:account:resource — find the colons without allocating.
  const c1 = value.indexOf(':', 4);
  const c2 = c1 < 0 ? -1 : value.indexOf(':', c1 + 1);
  const c3 = c2 < 0 ? -1 : value.indexOf(':', c2 + 1);
  const c4 = c3 < 0 ? -1 : value.indexOf(':', c3 + 1);
  if (c4 < 0) return principal('Unknown', value);
  const account = value.slice(c3 + 1, c4);
  const resourceStart = c4 + 1;
  const uniqueId = request.principalId;
  if (value.startsWith('iam', c1 + 1) && c2 === c1 + 4) {
    if (value.length === resourceStart + 4 && value.endsWith('root')) return principal('Root', value, account);
    if (value.startsWith('user/', resourceStart)) return principal('User', value, account, undefined, undefined, uniqueId);
    // A role ARN as the caller (policy simulation for a role): evaluate as a session of it.
    if (value.startsWith('role/', resourceStart)) return principal('RoleSession', value, account, value, undefined, uniqueId);
  } else if (value.startsWith('sts', c1 + 1) && c2 === c1 + 4) {
    if (value.startsWith('assumed-role/', resourceStart)) {
      const nameStart = resourceStart + 'assumed-role/'.length;
      const slash = value.indexOf('/', nameStart);
      if (slash < 0) return principal('Unknown', value, account);
      // Session ARNs omit the role path (ids-and-arns.md §2); the request may give the full role ARN.
      const roleArn = request.principalRoleArn ?? `arn:${value.slice(4, c1)}:iam::${account}:role/${value.slice(nameStart, slash)}`;
      return principal('RoleSession', value, account, roleArn, undefined, uniqueId);
    }
    if (value.startsWith('federated-user/', resourceStart)) return principal('FederatedUser', value, account, undefined, request.federatingUserArn, uniqueId);
  }
  return principal('Unknown', value, account);
}

/** One object shape for every principal (keeps property access monomorphic on the hot path). */
function principal(
  kind: PrincipalKind,
  value: string,
  account?: string,
  roleArn?: string,
  federatingUserArn?: string,
  uniqueId?: string,
  name?: string,
): RequestPrincipal {
  return { kind, value, account, roleArn, federatingUserArn, uniqueId, name };
}

/** Principals to which identity policies, boundaries and SCPs apply (§5.2 step 1). */
export function isIamPrincipal(kind: PrincipalKind): boolean {
  return kind === 'User' || kind === 'Root' || kind === 'RoleSession' || kind === 'FederatedUser' || kind === 'Unknown';
}

/**
 * How a matching `Principal` entry names the caller (§2.4). Bit flags so a policy's Allow
 * statements can be summarised in one number.
 */
export const MatchClass = {
  None: 0,
  /** The exact caller: user ARN, session ARN, federated-user ARN, service, provider, root via account. */
  Direct: 1,
  Wildcard: 2,
  /** The role behind a role session. */
  Role: 4,
  /** The IAM user behind a federated-user session. */
  Federator: 8,
  /** The caller's account (delegation to the account's IAM policies). */
  Account: 16,
} as const;
export type MatchClassBits = number;

export function matchClassName(bits: MatchClassBits): 'Direct' | 'Wildcard' | 'Role' | 'Federator' | 'Account' | 'None' {
  if (bits & MatchClass.Direct) return 'Direct';
  if (bits & MatchClass.Wildcard) return 'Wildcard';
  if (bits & MatchClass.Role) return 'Role';
  if (bits & MatchClass.Federator) return 'Federator';
  if (bits & MatchClass.Account) return 'Account';
  return 'None';
}

const ACCOUNT_ID = /^\d{12}$/;
/** Unique IDs of IAM users and roles as IAM stores them in trust policies (ids-and-arns.md §4). */
export const UNIQUE_ID = /^A[A-Z0-9]{3}[A-Z0-9]{12,124}$/;

/** A compiled `Principal`/`NotPrincipal` element. Matching is exact and case-sensitive (§1.5). */
export class PrincipalMatcher {
  readonly wildcard: boolean;
  private readonly accounts = new Set<string>();
  private readonly users = new Set<string>();
  private readonly roles = new Set<string>();
  private readonly sessions = new Set<string>();
  private readonly federatedUsers = new Set<string>();
  private readonly uniqueIds = new Set<string>();
  private readonly services = new Set<string>();
  private readonly providers = new Set<string>();

  constructor(element: PrincipalElement) {
    let wildcard = element.wildcard;
    for (const entry of element.entries) {
      const v = entry.value;
      switch (entry.type) {
        case 'AWS':
          if (v === '*') wildcard = true;
          else if (ACCOUNT_ID.test(v)) this.accounts.add(v);
          else if (UNIQUE_ID.test(v)) this.uniqueIds.add(v);
          else this.addAwsArn(v);
          break;
        case 'Service':
          this.services.add(v);
          break;
        case 'Federated':
          this.providers.add(v);
          break;
        case 'CanonicalUser':
          // S3 canonical users never name callers of this service.
          break;
      }
    }
    this.wildcard = wildcard;
  }

  private addAwsArn(arn: string): void {
    const colons = arnColons(arn);
    if (!colons) return;
    const service = arn.slice(colons[1]! + 1, colons[2]);
    const account = arn.slice(colons[3]! + 1, colons[4]);
    const resource = arn.slice(colons[4]! + 1);
    if (service === 'iam' && resource === 'root') this.accounts.add(account);
    else if (service === 'iam' && resource.startsWith('user/')) this.users.add(arn);
    else if (service === 'iam' && resource.startsWith('role/')) this.roles.add(arn);
    else if (service === 'sts' && resource.startsWith('assumed-role/')) this.sessions.add(arn);
    else if (service === 'sts' && resource.startsWith('federated-user/')) this.federatedUsers.add(arn);
  }

  /** Every way this element names the caller, as `MatchClass` bits (0 = not named). */
  classify(p: RequestPrincipal): MatchClassBits {
    let bits = this.wildcard ? MatchClass.Wildcard : 0;
    const inAccount = p.account !== undefined && this.accounts.has(p.account);
    const byId = p.uniqueId !== undefined && this.uniqueIds.has(p.uniqueId);
    switch (p.kind) {
      case 'Root':
        // An account principal names the root user directly (§9 U34).
        if (inAccount) bits |= MatchClass.Direct;
        break;
      case 'User':
        if (this.users.has(p.value) || byId) bits |= MatchClass.Direct;
        if (inAccount) bits |= MatchClass.Account;
        break;
      case 'RoleSession':
        if (this.sessions.has(p.value)) bits |= MatchClass.Direct;
        if ((p.roleArn !== undefined && this.roles.has(p.roleArn)) || byId) bits |= MatchClass.Role;
        if (inAccount) bits |= MatchClass.Account;
        break;
      case 'FederatedUser':
        if (this.federatedUsers.has(p.value)) bits |= MatchClass.Direct;
        if ((p.federatingUserArn !== undefined && this.users.has(p.federatingUserArn)) || byId) bits |= MatchClass.Federator;
        if (inAccount) bits |= MatchClass.Account;
        break;
      case 'Service':
        if (this.services.has(p.value)) bits |= MatchClass.Direct;
        break;
      case 'IdentityProvider':
        if (p.name !== undefined && this.providers.has(p.name)) bits |= MatchClass.Direct;
        break;
      case 'Anonymous':
      case 'Unknown':
        break;
    }
    return bits;
  }

  /**
   * `NotPrincipal` excludes the caller only if every element of its identity chain is listed
   * (§2.4, strict reading, §9 U12): user → account + user; role session → account + role +
   * session; federated user → account + federated user; root → account.
   */
  listsWholeChain(p: RequestPrincipal): boolean {
    if (this.wildcard) return true;
    const account = p.account !== undefined && this.accounts.has(p.account);
    const byId = p.uniqueId !== undefined && this.uniqueIds.has(p.uniqueId);
    switch (p.kind) {
      case 'Root':
        return account;
      case 'User':
        return account && (this.users.has(p.value) || byId);
      case 'RoleSession':
        return account && ((p.roleArn !== undefined && this.roles.has(p.roleArn)) || byId) && this.sessions.has(p.value);
      case 'FederatedUser':
        return account && this.federatedUsers.has(p.value);
      case 'Service':
        return this.services.has(p.value);
      case 'IdentityProvider':
        return p.name !== undefined && this.providers.has(p.name);
      case 'Anonymous':
      case 'Unknown':
        return false;
    }
  }
}
