/**
 * AWS `AccessDenied` message texts (IAM User Guide, "Troubleshoot access denied error messages"):
 *
 *   User: <principal> is not authorized to perform: <action> on resource: <resource> because no
 *   <policy type> allows the <action> action
 *   User: <principal> is not authorized to perform: <action> on resource: <resource> with an
 *   explicit deny in a <policy type>
 *
 * AWS writes `User:` for every kind of principal (the guide's examples include role and
 * assumed-role ARNs). Role trust messages carry no `on resource:` part (the guide's examples).
 */

import type { Decision, Layer } from './evaluate.js';
import { isTrustRequest, type AuthorizationRequest } from './request.js';

/** The layer named in "no … allows" (implicit denials), also used by explanations. */
export const LAYER_NAMES: Readonly<Record<Layer | 'trust', string>> = {
  identity: 'identity-based policy',
  resource: 'resource-based policy',
  boundary: 'permissions boundary',
  session: 'session policy',
  scp: 'service control policy',
  // UNVERIFIED: the guide shows only the explicit RCP form.
  rcp: 'resource control policy',
  trust: 'role trust policy',
};

const EXPLICIT: Readonly<Record<Layer, string>> = {
  identity: 'an identity-based policy',
  resource: 'a resource-based policy',
  boundary: 'a permissions boundary',
  // The guide's example reads "a sessions policy"; the general form and observed errors say "a session policy".
  session: 'a session policy',
  scp: 'a service control policy',
  rcp: 'a resource control policy',
};

/** The AWS AccessDenied message for a denied request; `''` for an allowed one. */
export function accessDeniedMessage(request: AuthorizationRequest, decision: Decision): string {
  if (decision.outcome === 'Allow') return '';
  const principal = String(request.principal);
  const action = String(request.action);
  const resource = String(request.resource);
  if (decision.hardRule === 'RootCannotAssumeRole') return 'Roles may not be assumed by root accounts.';
  // Web identity and SAML callers are not signed-in principals; STS answers with this short form
  // (observed for AssumeRoleWithWebIdentity; SAML UNVERIFIED).
  if (principal.startsWith('federated:')) return `Not authorized to perform ${action}`;
  const who = `User: ${principal} is not authorized to perform: ${action}`;
  const trust = isTrustRequest(request);
  if (decision.outcome === 'ExplicitDeny') {
    const deciding = decision.matched[0];
    const layer = deciding?.layer ?? 'identity';
    if (layer === 'resource' && trust) return `${who} with an explicit deny in the role trust policy`;
    // Newer AWS messages append the ARN of the denying policy when it has one (observed).
    const policyId = deciding?.policy.id;
    const suffix = policyId !== undefined && policyId.startsWith('arn:') ? `: ${policyId}` : '';
    return `${who} on resource: ${resource} with an explicit deny in ${EXPLICIT[layer]}${suffix}`;
  }
  const missing = decision.missingLayer ?? 'identity';
  if (missing === 'trust') return `${who} because no role trust policy allows the ${action} action`;
  return `${who} on resource: ${resource} because no ${LAYER_NAMES[missing]} allows the ${action} action`;
}
