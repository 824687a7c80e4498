/**
 * The authorizer's fast path (policy-evaluation.md §5): compiled policies + request → decision and
 * the statements that decided it. Never throws; anything it cannot evaluate denies. The detailed
 * trace (every statement, every failed condition) is `explain`'s job.
 */

import { statementsForService, type CompiledPolicy, type CompiledStatement } from './compile.js';
import type { Decision, HardRule, Layer, MatchedStatement } from './decision.js';
import { MatchClass, isIamPrincipal, type MatchClassBits } from './principal.js';
import { RequestFacts, type AuthorizationRequest } from './request.js';

export type { Decision, HardRule, Layer, MatchedStatement, Outcome } from './decision.js';

/** Compiled policies in force for one request; omitted layers are empty. */
export interface PolicySet {
  readonly identity?: readonly CompiledPolicy[];
  /** Resource-based policies of the resource; for role trust requests, the role's trust policy. */
  readonly resource?: readonly CompiledPolicy[];
  readonly boundary?: readonly CompiledPolicy[];
  readonly session?: readonly CompiledPolicy[];
  /** Organization levels root → OU … → account; every level must allow. */
  readonly scp?: readonly (readonly CompiledPolicy[])[];
  readonly rcp?: readonly (readonly CompiledPolicy[])[];
}

const NO_POLICIES: readonly CompiledPolicy[] = [];
const NO_LEVELS: readonly (readonly CompiledPolicy[])[] = [];

export function evaluate(request: AuthorizationRequest, policies: PolicySet): Decision {
  try {
    return decide(new RequestFacts(request), policies);
  } catch {
    // Malformed request objects (wrong types from untyped callers) fail closed.
    return { outcome: 'ImplicitDeny', matched: [], missingLayer: 'identity' };
  }
}

/**
 * Does the statement apply? Returns the principal match-class bits (§2.4) or 0. Statements outside
 * the resource layer, and NotPrincipal statements that do not exclude the caller, return Wildcard.
 */
function statementApplies(cs: CompiledStatement, facts: RequestFacts, resourceLayer: boolean, hasBoundary: boolean): MatchClassBits {
  if (!cs.action.applies(facts.actionLower)) return 0;
  if (cs.resource !== undefined && !cs.resource.applies(facts.resource, facts)) return 0;
  // Unknown operators (accepted only with empty blocks) fail closed: they never allow.
  if (cs.allow && cs.unknownOperators.length > 0) return 0;
  let bits: MatchClassBits = MatchClass.Wildcard;
  if (resourceLayer && cs.principal !== undefined) {
    if (cs.notPrincipal) {
      // A principal whose entity has a permissions boundary is never excluded by NotPrincipal (§2.4).
      if (!hasBoundary && cs.principal.listsWholeChain(facts.principal)) return 0;
    } else {
      bits = cs.principal.classify(facts.principal);
      if (bits === 0) return 0;
    }
  }
  const clauses = cs.clauses;
  for (let i = 0; i < clauses.length; i++) if (!clauses[i]!.evaluate(facts)) return 0;
  return bits;
}

/**
 * The first applicable Deny of a layer, else its first applicable Allow, else undefined. Allow
 * statements are skipped once one allowed: only a Deny can change the layer's answer.
 */
function scanLayer(policies: readonly CompiledPolicy[], facts: RequestFacts): CompiledStatement | undefined {
  let allow: CompiledStatement | undefined;
  for (let p = 0; p < policies.length; p++) {
    const statements = statementsForService(policies[p]!, facts.service);
    for (let s = 0; s < statements.length; s++) {
      const cs = statements[s]!;
      if (cs.allow && allow !== undefined) continue;
      if (statementApplies(cs, facts, false, false) === 0) continue;
      if (!cs.allow) return cs;
      allow = cs;
    }
  }
  return allow;
}

/** What the resource layer says: its Deny, or its Allow statements by match class. */
interface ResourceScan {
  readonly deny: CompiledStatement | undefined;
  /** Union of the match classes of applicable Allow statements. */
  readonly classes: MatchClassBits;
  /** An Allow naming the caller directly or by `*` (§5.2 7a). */
  readonly direct: CompiledStatement | undefined;
  /** Any other applicable Allow (role, federating user, account). */
  readonly delegated: CompiledStatement | undefined;
}

const EMPTY_RESOURCE_SCAN: ResourceScan = { deny: undefined, classes: 0, direct: undefined, delegated: undefined };
const STRONG = MatchClass.Direct | MatchClass.Wildcard;

function scanResourceLayer(policies: readonly CompiledPolicy[], facts: RequestFacts, hasBoundary: boolean): ResourceScan {
  if (policies.length === 0) return EMPTY_RESOURCE_SCAN;
  let classes: MatchClassBits = 0;
  let direct: CompiledStatement | undefined;
  let delegated: CompiledStatement | undefined;
  for (let p = 0; p < policies.length; p++) {
    const statements = statementsForService(policies[p]!, facts.service);
    for (let s = 0; s < statements.length; s++) {
      const cs = statements[s]!;
      // Keep looking at Allow statements until a direct grant is found: it decides more (§5.2 7a).
      if (cs.allow && direct !== undefined) continue;
      const bits = statementApplies(cs, facts, true, hasBoundary);
      if (bits === 0) continue;
      if (!cs.allow) return { deny: cs, classes: 0, direct: undefined, delegated: undefined };
      classes |= bits;
      if (bits & STRONG) direct = cs;
      else delegated ??= cs;
    }
  }
  return { deny: undefined, classes, direct, delegated };
}

function explicitDeny(cs: CompiledStatement, layer: Layer): Decision {
  return { outcome: 'ExplicitDeny', matched: [cs.matchedAs[layer]] };
}

function implicitDeny(missingLayer: Layer | 'trust', hardRule?: HardRule): Decision {
  return hardRule ? { outcome: 'ImplicitDeny', matched: [], missingLayer, hardRule } : { outcome: 'ImplicitDeny', matched: [], missingLayer };
}

/** Allow, reporting the Allow statement each layer that had to allow used. */
function allowed(
  resource: CompiledStatement | undefined,
  identity: CompiledStatement | undefined,
  boundary: CompiledStatement | undefined,
  session: CompiledStatement | undefined,
): Decision {
  const matched: MatchedStatement[] = [];
  if (resource) matched.push(resource.matchedAs.resource);
  if (identity) matched.push(identity.matchedAs.identity);
  if (boundary) matched.push(boundary.matchedAs.boundary);
  if (session) matched.push(session.matchedAs.session);
  return { outcome: 'Allow', matched };
}

function decide(facts: RequestFacts, policies: PolicySet): Decision {
  const principal = facts.principal;
  const kind = principal.kind;
  const iam = isIamPrincipal(kind);
  const isSession = kind === 'RoleSession' || kind === 'FederatedUser';
  const boundaries = iam ? (policies.boundary ?? NO_POLICIES) : NO_POLICIES;
  const sessions = isSession ? (policies.session ?? NO_POLICIES) : NO_POLICIES;
  const hasBoundary = boundaries.length > 0;
  const hasSessionPolicy = sessions.length > 0;

  // 1. Explicit deny anywhere (§5.2 step 1), in enforcement order: RCP, SCP, resource, identity,
  //    boundary, session. While scanning, note whether some organization level lacks an Allow.
  let rcpGap = false;
  const rcpLevels = policies.rcp ?? NO_LEVELS;
  for (let i = 0; i < rcpLevels.length; i++) {
    const found = scanLayer(rcpLevels[i]!, facts);
    if (found === undefined) rcpGap = true;
    else if (!found.allow) return explicitDeny(found, 'rcp');
  }
  let scpGap = false;
  const scpLevels = iam ? (policies.scp ?? NO_LEVELS) : NO_LEVELS;
  for (let i = 0; i < scpLevels.length; i++) {
    const found = scanLayer(scpLevels[i]!, facts);
    if (found === undefined) scpGap = true;
    else if (!found.allow) return explicitDeny(found, 'scp');
  }
  const resource = scanResourceLayer(policies.resource ?? NO_POLICIES, facts, hasBoundary);
  if (resource.deny) return explicitDeny(resource.deny, 'resource');
  const identity = iam ? scanLayer(policies.identity ?? NO_POLICIES, facts) : undefined;
  if (identity && !identity.allow) return explicitDeny(identity, 'identity');
  const boundary = hasBoundary ? scanLayer(boundaries, facts) : undefined;
  if (boundary && !boundary.allow) return explicitDeny(boundary, 'boundary');
  const session = hasSessionPolicy ? scanLayer(sessions, facts) : undefined;
  if (session && !session.allow) return explicitDeny(session, 'session');

  // 2–3. Organization gates: every level must allow.
  if (rcpGap) return implicitDeny('rcp');
  if (scpGap) return implicitDeny('scp');

  const resourceAllow = resource.direct ?? resource.delegated;
  // 4. Callers without identity policies: only a resource policy can allow.
  if (kind === 'Service' || kind === 'Anonymous' || kind === 'IdentityProvider') {
    return resourceAllow ? allowed(resourceAllow, undefined, undefined, undefined) : implicitDeny(facts.isTrust ? 'trust' : 'resource');
  }
  if (kind === 'Unknown') return implicitDeny('identity', 'UnknownPrincipal');

  // Principal-side limits (§5.2 PSL): a boundary or session policy that does not allow; a
  // federated user without a session policy has no permissions.
  const pslGap: Layer | undefined =
    hasBoundary && boundary === undefined
      ? 'boundary'
      : hasSessionPolicy && session === undefined
        ? 'session'
        : kind === 'FederatedUser' && !hasSessionPolicy
          ? 'session'
          : undefined;
  const sameAccount = facts.sameAccount;

  // 5. Role trust (§5.6).
  if (facts.isTrust) {
    if (kind === 'Root') return implicitDeny('trust', 'RootCannotAssumeRole');
    if (kind === 'FederatedUser') return implicitDeny('trust', 'FederatedUserCannotAssumeRole');
    if (resourceAllow === undefined) return implicitDeny('trust');
    const trustNamesCaller = sameAccount && (resource.classes & (MatchClass.Direct | MatchClass.Role | MatchClass.Wildcard)) !== 0;
    if (!trustNamesCaller && identity === undefined) return implicitDeny('identity');
    // Unlike other resource policies, a direct trust grant is still limited by the caller's
    // boundary (docs, "Update a role trust policy"; case T08) and session policy (§9 U25).
    if (pslGap) return implicitDeny(pslGap);
    return allowed(resourceAllow, trustNamesCaller ? undefined : identity, boundary, session);
  }

  // 6. The root user: allowed in its own account; elsewhere only a resource policy can allow.
  if (kind === 'Root') {
    if (sameAccount) return allowed(resourceAllow, identity, undefined, undefined);
    return resourceAllow ? allowed(resourceAllow, undefined, undefined, undefined) : implicitDeny('resource');
  }

  if (sameAccount) {
    // 7a. A grant naming the exact caller (or "*") is not limited by implicit denies elsewhere.
    if (resource.direct) return allowed(resource.direct, undefined, undefined, undefined);
    // 7b. Identity side: identity policies, or a grant naming the role / federating user.
    const delegated = (resource.classes & (MatchClass.Role | MatchClass.Federator)) !== 0;
    if (identity === undefined && !delegated) return implicitDeny('identity');
    // 7c. Principal-side limits.
    if (pslGap) return implicitDeny(pslGap);
    return identity ? allowed(undefined, identity, boundary, session) : allowed(resource.delegated, undefined, boundary, session);
  }

  // 8. Cross-account: both the resource policy and the caller's own side must allow.
  if (resourceAllow === undefined) return implicitDeny('resource');
  if (identity === undefined) return implicitDeny('identity');
  if (pslGap) return implicitDeny(pslGap);
  return allowed(resourceAllow, identity, boundary, session);
}
