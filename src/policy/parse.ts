/**
 * Policy text → validated, typed AST (policy-evaluation.md §1), reporting the first problem the way
 * IAM does: the exact `MalformedPolicyDocument` message plus the JSON path of the element.
 *
 * Check order (§1.6): 1 syntax → kind-specific principal rules → 2 version (managed policies) →
 * 3 legacy parsing (Effect case, Date values, then per statement the short-ARN rule, skipped once a
 * resource-format error was seen) → 4 Sid uniqueness (→ Sid characters, §9 U32) → 5 actions present
 * → 6 resources present → 7 first resource-format error → 8 action prefixes → trust-policy action
 * list and prohibited fields → RCP rules.
 */

import type { PolicyKind, PolicyStatement, PolicyVersion } from './ast.js';
import { checkActionPrefix, checkRcpRules, checkTrustRules } from './action-rules.js';
import { buildStatement } from './build-ast.js';
import { policyErrors, type PolicyError } from './errors.js';
import { parseJson } from './json.js';
import { checkPrincipals } from './principal-rules.js';
import { checkLegacyDates, checkResources } from './resource-rules.js';
import { checkSyntax } from './syntax.js';
import { Stop, isEmptyArray, stop, stringsOf } from './validation.js';

export interface PolicyDocumentAst {
  readonly version: PolicyVersion;
  /** False when the document has no `Version` (evaluated as 2008-10-17, §1.2). */
  readonly versionSpecified: boolean;
  readonly id?: string;
  readonly statements: readonly PolicyStatement[];
}

export type DocumentParseResult = { readonly ok: true; readonly document: PolicyDocumentAst } | { readonly ok: false; readonly error: PolicyError };

export interface DocumentParseOptions {
  /** CreatePolicy / CreatePolicyVersion: `Version` must be 2012-10-17 (§1.2). */
  readonly managed?: boolean;
}

export function parseDocument(text: string, kind: PolicyKind, options: DocumentParseOptions = {}): DocumentParseResult {
  try {
    return { ok: true, document: validate(text, kind, options) };
  } catch (e) {
    if (e instanceof Stop) return { ok: false, error: e.error };
    // Defensive: any unexpected failure is a malformed document, never an exception for the caller.
    return { ok: false, error: policyErrors.syntax('$') };
  }
}

function validate(text: string, kind: PolicyKind, options: DocumentParseOptions): PolicyDocumentAst {
  const parsed = parseJson(text);
  if (!parsed.ok) {
    // Trust policies that are not JSON get their own text (recorded); duplicates are syntax errors (§9 U3).
    if (kind === 'trust' && parsed.error.problem === 'invalid-json') stop(policyErrors.invalidJson(parsed.error.path));
    stop(policyErrors.syntax(parsed.error.path));
  }
  checkCharacters(text);
  const root = parsed.ok ? parsed.value : stop(policyErrors.syntax('$'));
  const { statements, version, versionSpecified, id } = checkSyntax(root);
  checkPrincipals(statements, kind);

  // 2. Version (managed policies; RCPs must use 2012-10-17, §1.2).
  if ((options.managed || kind === 'rcp') && version !== '2012-10-17') {
    stop(policyErrors.versionRequired(versionSpecified ? '$.Version' : '$'));
  }

  // 3. Legacy parsing: Effect case and Date values in all statements first.
  for (const s of statements) {
    const effect = s.fields.get('Effect')!;
    if (effect.value.kind === 'string' && effect.value.value !== 'Allow' && effect.value.value !== 'Deny') stop(policyErrors.legacyParsing(effect.path));
    checkLegacyDates(s);
  }
  const resourceError = checkResources(statements);

  // 4. Sid uniqueness (non-empty Sids; case-sensitive, §9 U9), then Sid characters (§9 U32).
  const sids = new Set<string>();
  for (const s of statements) {
    const sid = s.fields.get('Sid');
    if (sid && sid.value.kind === 'string' && sid.value.value !== '') {
      if (sids.has(sid.value.value)) stop(policyErrors.duplicateSid(sid.path));
      sids.add(sid.value.value);
    }
  }
  if (kind === 'identity' || kind === 'boundary' || kind === 'session' || kind === 'trust') {
    for (const s of statements) {
      const sid = s.fields.get('Sid');
      if (sid && sid.value.kind === 'string' && !/^[0-9A-Za-z]*$/.test(sid.value.value)) stop(policyErrors.sidNotAlphanumeric(sid.path));
    }
  }

  // 5. Actions present.
  for (const s of statements) {
    const action = s.fields.get('Action') ?? s.fields.get('NotAction');
    if (!action || isEmptyArray(action.value)) stop(policyErrors.missingActions(action?.path ?? s.path));
  }
  // 6. Resources present (identity-based kinds; present-but-empty lists everywhere).
  for (const s of statements) {
    const resource = s.fields.get('Resource') ?? s.fields.get('NotResource');
    const required = kind === 'identity' || kind === 'boundary' || kind === 'session';
    if ((required && !resource) || (resource && isEmptyArray(resource.value))) stop(policyErrors.missingResources(resource?.path ?? s.path));
  }
  // 7. First resource-format error.
  if (resourceError) stop(resourceError);
  // 8. Action prefixes: all Action lists, then all NotAction lists.
  for (const key of ['Action', 'NotAction']) {
    for (const s of statements) {
      const field = s.fields.get(key);
      if (field) for (const [value, path] of stringsOf(field.value, field.path)) checkActionPrefix(value, path);
    }
  }

  if (kind === 'trust') checkTrustRules(statements);
  if (kind === 'rcp') checkRcpRules(statements);

  return Object.freeze({
    version,
    versionSpecified,
    ...(id !== undefined ? { id } : {}),
    statements: Object.freeze(statements.map(buildStatement)),
  });
}

/** Policy documents may contain only TAB, LF, CR and U+0020–U+00FF (IAM quotas page). */
function checkCharacters(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) stop(policyErrors.syntax('$'));
  }
}

