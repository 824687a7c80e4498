/** `Principal` / `NotPrincipal` rules per policy kind (policy-evaluation.md §1.3, §1.4). */

import type { PolicyKind, PrincipalType } from './ast.js';
import { policyErrors } from './errors.js';
import { pathKey, type JsonNode, type JsonObject } from './json.js';
import { UNIQUE_ID } from './principal.js';
import { stop, stringsOf, type RawStatement } from './validation.js';

export function checkPrincipals(statements: readonly RawStatement[], kind: PolicyKind): void {
  for (const s of statements) {
    const principal = s.fields.get('Principal');
    const notPrincipal = s.fields.get('NotPrincipal');
    const either = principal ?? notPrincipal;
    switch (kind) {
      case 'identity':
      case 'boundary':
      case 'session':
      case 'scp':
        if (either) stop(policyErrors.principalNotAllowed(either.path));
        break;
      case 'trust':
        if (notPrincipal) stop(policyErrors.prohibitedField('NotPrincipal', notPrincipal.path));
        if (!principal) stop(policyErrors.missingPrincipal(s.path));
        checkPrincipalValues(principal!.value, principal!.path, kind);
        break;
      case 'resource': {
        if (!either) stop(policyErrors.missingPrincipal(s.path));
        const effect = s.fields.get('Effect')!.value;
        // NotPrincipal is supported only with Deny (current docs); message UNVERIFIED.
        if (notPrincipal && effect.kind === 'string' && effect.value.toLowerCase() === 'allow') stop(policyErrors.syntax(notPrincipal.path));
        checkPrincipalValues(either!.value, either!.path, kind);
        break;
      }
      case 'rcp':
        if (notPrincipal) stop(policyErrors.syntax(notPrincipal.path));
        if (!principal) stop(policyErrors.missingPrincipal(s.path));
        // RCPs name every principal with "*" (§1.3, §9 U4).
        if (!(principal!.value.kind === 'string' && principal!.value.value === '*')) stop(policyErrors.syntax(principal!.path));
        break;
    }
  }
}

const ACCOUNT_ID = /^\d{12}$/;
const PRINCIPAL_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):(iam|sts)::(\d{12}):(.+)$/;

function checkPrincipalValues(value: JsonNode, path: string, kind: PolicyKind): void {
  if (value.kind === 'string') {
    if (value.value !== '*') stop(policyErrors.invalidPrincipal(undefined, undefined, path));
    return;
  }
  for (const member of (value as JsonObject).members) {
    const type = member.key as PrincipalType;
    for (const [v, p] of stringsOf(member.value, path + pathKey(member.key))) {
      if (!isValidPrincipalValue(type, v, kind)) stop(policyErrors.invalidPrincipal(type, v, p));
    }
  }
}

/** §1.4: no partial wildcards; only the whole value `"*"` is a wildcard. */
function isValidPrincipalValue(type: PrincipalType, v: string, kind: PolicyKind): boolean {
  switch (type) {
    case 'AWS': {
      if (v === '*' || ACCOUNT_ID.test(v) || UNIQUE_ID.test(v)) return true;
      const m = PRINCIPAL_ARN.exec(v);
      if (!m || /[*?]/.test(v)) return false;
      const service = m[2]!;
      const resource = m[4]!;
      if (service === 'iam') return resource === 'root' || /^(user|role)\/./.test(resource);
      return /^assumed-role\/[^/]+\/./.test(resource) || /^federated-user\/./.test(resource);
    }
    case 'Service':
      return v.length > 0 && !/[*?\s]/.test(v);
    case 'Federated':
      if (v.length === 0 || /[*?\s]/.test(v)) return false;
      return !v.startsWith('arn:') || /^arn:[^:]+:iam::\d{12}:(oidc-provider|saml-provider)\/./.test(v);
    case 'CanonicalUser':
      // S3 only; not accepted in trust policies (§9 U8).
      return kind !== 'trust' && /^[0-9a-f]{64}$/.test(v);
  }
}

