import { explain, type AuthorizationRequest, type Explanation, type PolicySet } from '../policy/index.js';
import { AwsError } from '../protocol/errors.js';
import type { KeyRing } from '../tokens/key-ring.js';
import { MAX_ENCODED_LENGTH, sealAuthorizationMessage } from '../tokens/authorization-message.js';

/**
 * The decoded form follows AWS's DecodeAuthorizationMessage example (sts-api.md §8.3):
 * allowed / explicitDeny / matchedStatements / failures / context, plus `explanation`, the
 * policy engine's account of which layer lacked an Allow or which statement denied.
 */
export function authorizationMessage(request: AuthorizationRequest, explanation: Explanation, principalId: string): Record<string, unknown> {
  const decision = explanation.decision;
  const conditions = Object.entries(request.context).map(([key, value]) => ({
    item: { key, values: { items: (typeof value === 'string' ? [value] : [...value]).map((v) => ({ value: v })) } },
  }));
  return {
    allowed: decision.outcome === 'Allow',
    explicitDeny: decision.outcome === 'ExplicitDeny',
    matchedStatements: {
      items: decision.matched.map((m) => ({
        statementId: m.sid ?? '',
        effect: m.effect === 'Allow' ? 'ALLOW' : 'DENY',
        policy: m.policy.id,
        layer: m.layer,
        index: m.index,
      })),
    },
    failures: { items: explanation.failedConditions.map((f) => ({ policy: f.policy.id, statementIndex: f.statementIndex, key: f.key, operator: f.operator, values: f.values, requestValue: f.requestValue ?? null, missing: f.missing })) },
    context: {
      principal: { id: principalId, arn: request.principal },
      action: request.action,
      resource: request.resource,
      conditions: { items: conditions },
    },
    explanation: {
      summary: explanation.summary,
      missingLayer: decision.missingLayer ?? null,
      layers: explanation.layers.map((l) => ({
        layer: l.layer,
        ...(l.level !== undefined ? { level: l.level } : {}),
        applicable: l.applicable,
        allows: l.allows,
        denies: l.denies,
        policies: l.policies.map((p) => ({
          policy: p.policy.id,
          statements: p.statements.map((s) => ({ index: s.index, sid: s.sid ?? null, effect: s.effect, applies: s.applies, reason: s.reason })),
        })),
      })),
    },
  };
}

/**
 * AccessDenied with AWS's text, carrying the sealed explanation the way AWS services that encode
 * denials do ("Encoded authorization failure message: …"). If the full trace would exceed
 * the 10,240-character limit of DecodeAuthorizationMessage, the per-statement detail is dropped.
 */
export function deniedWithMessage(message: string, request: AuthorizationRequest, policies: PolicySet, principalId: string, ring: KeyRing): AwsError {
  const explanation = explain(request, policies);
  const payload = authorizationMessage(request, explanation, principalId);
  let encoded = sealAuthorizationMessage(payload, ring);
  if (encoded.length > MAX_ENCODED_LENGTH) {
    const explained = payload.explanation as Record<string, unknown>;
    encoded = sealAuthorizationMessage({ ...payload, explanation: { summary: explained.summary, missingLayer: explained.missingLayer } }, ring);
  }
  return new AwsError('AccessDenied', `${message} Encoded authorization failure message: ${encoded}`, { encodedMessage: encoded });
}
