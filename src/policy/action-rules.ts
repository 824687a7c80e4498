/** Action prefixes (§1.6 step 8), role trust policy rules (§1.3 ², ³) and RCP rules (§1.3, §9 U4). */

import { policyErrors } from './errors.js';
import { compileGlob } from './glob.js';
import { TRUST_ACTIONS } from './request.js';
import { stop, stringsOf, type RawStatement } from './validation.js';

export function checkActionPrefix(action: string, path: string): void {
  const parts = action.split(':');
  if (parts.length === 1 && parts[0] !== '*') stop(policyErrors.actionVendorMissing(path));
  if (parts.length > 2) stop(policyErrors.actionTooManyColons(path));
  const vendor = parts[0]!;
  if (vendor !== '*' && /[^a-zA-Z0-9.-]/.test(vendor)) stop(policyErrors.invalidVendor(vendor, path));
}

export function checkTrustRules(statements: readonly RawStatement[]): void {
  for (const s of statements) {
    for (const key of ['Action', 'NotAction']) {
      const field = s.fields.get(key);
      if (!field) continue;
      for (const [action, path] of stringsOf(field.value, field.path)) {
        if (!isTrustAction(action)) stop(policyErrors.trustPolicyActions(path));
      }
    }
  }
  for (const s of statements) {
    for (const key of ['Resource', 'NotResource']) {
      const field = s.fields.get(key);
      if (field) stop(policyErrors.prohibitedField(key, field.path));
    }
  }
}

/** `*`, `sts:*`, or a pattern naming at least one trust action (§1.3 ²; wildcards: §9 U5). */
function isTrustAction(action: string): boolean {
  const lower = action.toLowerCase();
  if (lower === '*' || lower === 'sts:*') return true;
  if (!/[*?]/.test(lower)) return TRUST_ACTIONS.has(lower);
  if (!lower.startsWith('sts:')) return false;
  const pattern = compileGlob(lower);
  return [...TRUST_ACTIONS].some((a) => pattern.matches(a));
}

export function checkRcpRules(statements: readonly RawStatement[]): void {
  for (const s of statements) {
    const effect = s.fields.get('Effect')!;
    const action = s.fields.get('Action');
    const notAction = s.fields.get('NotAction');
    if (notAction) stop(policyErrors.syntax(notAction.path));
    // Only the AWS-managed RCPFullAWSAccess statement allows; customer RCPs deny (§1.3, §9 U4).
    if (isFullAccessRcpStatement(s)) continue;
    if (effect.value.kind === 'string' && effect.value.value !== 'Deny') stop(policyErrors.syntax(effect.path));
    if (action) for (const [value, path] of stringsOf(action.value, action.path)) if (value === '*') stop(policyErrors.syntax(path));
  }
}

function isFullAccessRcpStatement(s: RawStatement): boolean {
  const is = (key: string, expected: string): boolean => {
    const f = s.fields.get(key);
    return f !== undefined && f.value.kind === 'string' && f.value.value === expected;
  };
  const allowed = new Set(['Sid', 'Effect', 'Principal', 'Action', 'Resource']);
  return is('Effect', 'Allow') && is('Principal', '*') && is('Action', '*') && is('Resource', '*') && [...s.fields.keys()].every((k) => allowed.has(k));
}

