/**
 * The slow path: a full, JSON-serializable trace of an evaluation, for denials, simulation APIs
 * and the CLI. The decision itself always comes from `evaluate`, so the two never disagree; this
 * pass re-walks every statement and records why each did or did not apply.
 */

import type { Effect, PolicyLabel, SourcePosition } from './ast.js';
import { compiledStatements, type CompiledPolicy, type CompiledStatement } from './compile.js';
import type { CompiledClause } from './conditions.js';
import { evaluate, type Decision, type Layer, type PolicySet } from './evaluate.js';
import { LAYER_NAMES, accessDeniedMessage } from './messages.js';
import { isIamPrincipal, matchClassName, type PrincipalKind } from './principal.js';
import { RequestFacts, type AuthorizationRequest } from './request.js';

export interface ConditionExplanation {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
  readonly result: boolean;
  /** The request's value; absent when `missing`. */
  readonly requestValue?: string | readonly string[];
  readonly missing: boolean;
}

export interface StatementExplanation {
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly start: SourcePosition;
  readonly end: SourcePosition;
  readonly applies: boolean;
  readonly actionMatches: boolean;
  /** `attached`: the statement has no Resource and applies to the resource it is attached to. */
  readonly resourceMatches: boolean | 'attached';
  /** Resource-layer statements: how the Principal names the caller, or whether NotPrincipal excludes it. */
  readonly principal?: 'Direct' | 'Wildcard' | 'Role' | 'Federator' | 'Account' | 'None' | 'Excluded' | 'NotExcluded';
  readonly conditions: readonly ConditionExplanation[];
  /** Operators IAM accepted with empty blocks; they make Allow statements inapplicable. */
  readonly unknownOperators: readonly string[];
  readonly reason: string;
}

export interface PolicyExplanation {
  readonly policy: PolicyLabel;
  readonly statements: readonly StatementExplanation[];
}

export interface LayerExplanation {
  readonly layer: Layer;
  /** Organization level (0 = root) for `scp`/`rcp`. */
  readonly level?: number;
  /** False when the layer does not apply to this caller (e.g. identity policies of an anonymous caller). */
  readonly applicable: boolean;
  readonly allows: boolean;
  readonly denies: boolean;
  readonly policies: readonly PolicyExplanation[];
}

export interface FailedCondition extends ConditionExplanation {
  readonly policy: PolicyLabel;
  readonly layer: Layer;
  readonly statementIndex: number;
  readonly sid?: string;
  readonly effect: Effect;
}

export interface Explanation {
  readonly decision: Decision;
  /** One line naming the deciding statement or the layer without an Allow. */
  readonly summary: string;
  /** AWS AccessDenied text; `''` when allowed. */
  readonly message: string;
  readonly principal: { readonly kind: PrincipalKind; readonly value: string; readonly account?: string };
  readonly resourceAccount?: string;
  readonly sameAccount: boolean;
  readonly roleTrust: boolean;
  readonly layers: readonly LayerExplanation[];
  /** Conditions that evaluated false in statements whose action, resource and principal matched. */
  readonly failedConditions: readonly FailedCondition[];
  /**
   * Condition and variable keys read by statements whose action, resource and principal matched,
   * that the request context lacks (IAM SimulatePrincipalPolicy `MissingContextValues`).
   */
  readonly missingContextKeys: readonly string[];
}

export function explain(request: AuthorizationRequest, policies: PolicySet): Explanation {
  const decision = evaluate(request, policies);
  let facts: RequestFacts;
  try {
    facts = new RequestFacts(request);
    void facts.principal;
  } catch {
    return {
      decision,
      summary: `${decision.outcome}: the request could not be read`,
      message: '',
      principal: { kind: 'Unknown', value: '' },
      sameAccount: false,
      roleTrust: false,
      layers: [],
      failedConditions: [],
      missingContextKeys: [],
    };
  }
  const principal = facts.principal;
  const iam = isIamPrincipal(principal.kind);
  const isSession = principal.kind === 'RoleSession' || principal.kind === 'FederatedUser';
  const hasBoundary = iam && (policies.boundary?.length ?? 0) > 0;
  const failed: FailedCondition[] = [];
  const missing = new Map<string, string>();

  const layer = (name: Layer, list: readonly CompiledPolicy[], applicable: boolean, level?: number): LayerExplanation => {
    const explained = list.map((policy) => ({
      policy: policy.label,
      statements: compiledStatements(policy).map((cs) => explainStatement(cs, facts, name, hasBoundary, failed, missing)),
    }));
    const all = explained.flatMap((p) => p.statements);
    return {
      layer: name,
      ...(level !== undefined ? { level } : {}),
      applicable,
      allows: applicable && all.some((s) => s.applies && s.effect === 'Allow'),
      denies: applicable && all.some((s) => s.applies && s.effect === 'Deny'),
      policies: explained,
    };
  };

  const layers: LayerExplanation[] = [
    ...(policies.rcp ?? []).map((level, i) => layer('rcp', level, true, i)),
    ...(policies.scp ?? []).map((level, i) => layer('scp', level, iam, i)),
    layer('resource', policies.resource ?? [], true),
    layer('identity', policies.identity ?? [], iam),
    layer('boundary', policies.boundary ?? [], iam),
    layer('session', policies.session ?? [], isSession),
  ];

  const message = accessDeniedMessage(request, decision);
  return {
    decision,
    summary: summarize(request, decision),
    message,
    principal: { kind: principal.kind, value: principal.value, ...(principal.account !== undefined ? { account: principal.account } : {}) },
    ...(facts.resourceAccount !== undefined ? { resourceAccount: facts.resourceAccount } : {}),
    sameAccount: facts.sameAccount,
    roleTrust: facts.isTrust,
    layers,
    failedConditions: failed,
    missingContextKeys: [...missing.values()],
  };
}

function explainStatement(
  cs: CompiledStatement,
  facts: RequestFacts,
  layer: Layer,
  hasBoundary: boolean,
  failed: FailedCondition[],
  missing: Map<string, string>,
): StatementExplanation {
  const s = cs.statement;
  const actionMatches = cs.action.applies(facts.actionLower);
  const resourceMatches: boolean | 'attached' = cs.resource === undefined ? 'attached' : cs.resource.applies(facts.resource, facts);
  let principal: StatementExplanation['principal'];
  let principalOk = true;
  if (layer === 'resource' && cs.principal) {
    if (cs.notPrincipal) {
      const excluded = !hasBoundary && cs.principal.listsWholeChain(facts.principal);
      principal = excluded ? 'Excluded' : 'NotExcluded';
      principalOk = !excluded;
    } else {
      principal = matchClassName(cs.principal.classify(facts.principal));
      principalOk = principal !== 'None';
    }
  }
  const relevant = actionMatches && resourceMatches !== false && principalOk;
  const conditions = cs.clauses.map((clause) => explainClause(clause, facts));
  if (relevant) {
    for (const key of cs.contextKeys) {
      if (facts.get(key.toLowerCase()) === undefined && !missing.has(key.toLowerCase())) missing.set(key.toLowerCase(), key);
    }
    for (const c of conditions) {
      if (!c.result) {
        failed.push({ ...c, policy: cs.label, layer, statementIndex: s.index, ...(s.sid !== undefined ? { sid: s.sid } : {}), effect: s.effect });
      }
    }
  }
  const unknownBlocks = cs.allow && cs.unknownOperators.length > 0;
  const conditionsHold = conditions.every((c) => c.result);
  const applies = relevant && conditionsHold && !unknownBlocks;
  const reason = !actionMatches
    ? `${cs.action.negated ? 'NotAction lists' : 'Action does not match'} ${facts.request.action}`
    : resourceMatches === false
      ? `${cs.resource?.negated ? 'NotResource lists' : 'Resource does not match'} ${facts.resource.value}`
      : !principalOk
        ? principal === 'Excluded'
          ? 'NotPrincipal excludes the caller'
          : 'Principal does not name the caller'
        : !conditionsHold
          ? `condition not met: ${conditions
              .filter((c) => !c.result)
              .map(describeCondition)
              .join('; ')}`
          : unknownBlocks
            ? `unknown condition operator ${cs.unknownOperators.join(', ')} (fails closed)`
            : 'applies';
  return {
    index: s.index,
    ...(s.sid !== undefined ? { sid: s.sid } : {}),
    effect: s.effect,
    start: s.start,
    end: s.end,
    applies,
    actionMatches,
    resourceMatches,
    ...(principal !== undefined ? { principal } : {}),
    conditions,
    unknownOperators: cs.unknownOperators,
    reason,
  };
}

function explainClause(clause: CompiledClause, facts: RequestFacts): ConditionExplanation {
  const value = facts.get(clause.lookupKey);
  return {
    operator: clause.block.operator.name,
    key: clause.clause.key,
    values: clause.clause.values,
    result: clause.evaluate(facts),
    ...(value !== undefined ? { requestValue: value } : {}),
    missing: value === undefined,
  };
}

export function describeCondition(c: ConditionExplanation): string {
  const request = c.missing ? 'missing' : JSON.stringify(c.requestValue);
  return `${c.operator} ${c.key} ${JSON.stringify(c.values)} (request: ${request})`;
}

function summarize(request: AuthorizationRequest, decision: Decision): string {
  const statements = decision.matched.map(
    (m) => `${m.layer} policy ${m.policy.id} statement ${m.index}${m.sid ? ` (Sid ${m.sid})` : ''}`,
  );
  switch (decision.outcome) {
    case 'Allow':
      return statements.length ? `allowed by ${statements.join(', ')}` : 'allowed (root user in its own account)';
    case 'ExplicitDeny':
      return `explicitly denied by ${statements.join(', ')}`;
    case 'ImplicitDeny':
      if (decision.hardRule === 'RootCannotAssumeRole') return 'root users cannot assume roles';
      if (decision.hardRule === 'FederatedUserCannotAssumeRole') return 'federated-user credentials cannot assume roles';
      if (decision.hardRule === 'UnknownPrincipal') return `principal ${String(request.principal)} is not a caller this engine knows`;
      return `no ${LAYER_NAMES[decision.missingLayer ?? 'identity']} allows ${String(request.action)}`;
  }
}
