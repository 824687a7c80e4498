/** Security findings (Access Analyzer SECURITY_WARNINGs): over-broad grants and open trust. */

import type { PolicyKind, PolicyStatement } from '../ast.js';
import { parseJson, pathKey } from '../json.js';
import { finding, type Finding } from './finding.js';
import { patternCovers } from './patterns.js';

/** Conditions that tie a broad trust grant to a specific party (confused-deputy protections). */
const LIMITING_KEYS = new Set([
  'sts:externalid',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
  'aws:sourceowner',
]);

/**
 * Allow + NotPrincipal, found in the raw JSON: the parser rejects it in resource policies, and
 * the linter still wants to say why it is dangerous (docs: grants everyone not listed).
 */
export function notPrincipalFindings(document: string): Finding[] {
  const parsed = parseJson(document);
  if (!parsed.ok || parsed.value.kind !== 'object') return [];
  const statement = parsed.value.members.find((m) => m.key === 'Statement')?.value;
  const list = statement?.kind === 'array' ? statement.items.map((n, i) => [n, `$.Statement[${i}]`] as const) : statement ? [[statement, '$.Statement'] as const] : [];
  const out: Finding[] = [];
  for (const [node, path] of list) {
    if (node.kind !== 'object') continue;
    const effect = node.members.find((m) => m.key === 'Effect')?.value;
    const notPrincipal = node.members.find((m) => m.key === 'NotPrincipal');
    if (notPrincipal && effect?.kind === 'string' && effect.value.toLowerCase() === 'allow') {
      out.push(
        finding(
          'SECURITY_WARNING',
          'ALLOW_WITH_NOT_PRINCIPAL',
          'Allow with NotPrincipal grants access to every principal except those listed, including anonymous callers.',
          path + pathKey('NotPrincipal'),
          'List the allowed principals in Principal instead, or use NotPrincipal only with Deny.',
        ),
      );
    }
  }
  return out;
}

export interface SecurityOptions {
  /** The account that owns the policy; enables cross-account trust findings. */
  readonly accountId?: string;
}

export function securityFindings(statements: readonly PolicyStatement[], kind: PolicyKind, options: SecurityOptions): Finding[] {
  const out: Finding[] = [];
  for (const s of statements) {
    if (s.effect !== 'Allow') continue;
    const broadResource = s.resource === undefined || s.resource.values.some((r) => r === '*' || /^arn:[^:]*:\*/.test(r) || r === 'arn:*');
    if (s.action.negated && !s.resource?.negated && broadResource) {
      out.push(
        finding(
          'SECURITY_WARNING',
          'ALLOW_WITH_NOT_ACTION',
          `Allow with NotAction over ${s.resource ? 'a wildcard resource' : 'the resource'} grants every action of every service except those listed, including actions added in the future.`,
          s.action.path,
          'List the allowed actions in Action instead.',
        ),
      );
    }
    const broadAction = !s.action.negated && s.action.values.some((a) => a === '*' || /^[^:]+:\*$/.test(a));
    if (s.resource?.negated && broadAction) {
      out.push(
        finding(
          'SECURITY_WARNING',
          'ALLOW_WITH_NOT_RESOURCE',
          'Allow with NotResource and a wildcard action grants those actions on every resource except those listed.',
          s.resource.path,
          'List the allowed resources in Resource instead.',
        ),
      );
    }
    if (!s.action.negated && s.action.values.some((a) => patternCovers(a, 'iam:PassRole', true)) && s.resource?.values.includes('*') && !s.resource.negated) {
      out.push(
        finding(
          'SECURITY_WARNING',
          'PASS_ROLE_WITH_STAR_IN_RESOURCE',
          'iam:PassRole on "*" lets the principal pass any role, including more privileged ones, to a service.',
          s.resource.path,
          'Limit Resource to the role ARNs that may be passed, and add an iam:PassedToService condition.',
        ),
      );
    }
    if (kind === 'trust') out.push(...trustFindings(s, options));
  }
  return out;
}

function trustFindings(s: PolicyStatement, options: SecurityOptions): Finding[] {
  const principal = s.principal;
  if (!principal || principal.negated) return [];
  const keys = new Set(s.condition.flatMap((b) => (b.operator.known && b.operator.base !== 'Null' ? b.clauses.map((c) => c.key.toLowerCase()) : [])));
  const limited = [...keys].some((k) => LIMITING_KEYS.has(k));
  const out: Finding[] = [];
  const everyone = principal.wildcard || principal.entries.some((e) => e.type === 'AWS' && e.value === '*');
  if (everyone && !limited) {
    out.push(
      finding(
        'SECURITY_WARNING',
        'TRUST_POLICY_ALLOWS_ANY_PRINCIPAL',
        'The trust policy lets any AWS principal in any account assume the role.',
        principal.path,
        'Name the trusted accounts or roles, or require sts:ExternalId, aws:PrincipalOrgID or aws:SourceArn/aws:SourceAccount.',
      ),
    );
  }
  if (options.accountId !== undefined && !limited) {
    for (const e of principal.entries) {
      if (e.type !== 'AWS' || e.value === '*') continue;
      const account = /^\d{12}$/.test(e.value) ? e.value : /^arn:[^:]+:(iam|sts)::(\d{12}):/.exec(e.value)?.[2];
      if (account !== undefined && account !== options.accountId) {
        out.push(
          finding(
            'SECURITY_WARNING',
            'CROSS_ACCOUNT_TRUST_WITHOUT_CONDITION',
            `The trust policy lets account ${account} assume the role without sts:ExternalId, aws:PrincipalOrgID or a source condition.`,
            e.path,
            'Add a condition on sts:ExternalId (third parties) or aws:PrincipalOrgID (your organization).',
          ),
        );
      }
    }
  }
  for (const e of principal.entries) {
    if (e.type !== 'Federated' || !e.value.includes(':oidc-provider/')) continue;
    const host = e.value.slice(e.value.indexOf(':oidc-provider/') + ':oidc-provider/'.length).toLowerCase();
    if (![...keys].some((k) => k.startsWith(`${host}:aud`) || k.startsWith(`${host}:sub`))) {
      out.push(
        finding(
          'SECURITY_WARNING',
          'WEB_IDENTITY_TRUST_WITHOUT_AUDIENCE',
          `Any token issued by ${host} can assume the role: the statement has no ${host}:aud or ${host}:sub condition.`,
          e.path,
          `Add StringEquals on ${host}:aud (and ${host}:sub for shared issuers).`,
        ),
      );
    }
  }
  return out;
}
