import type { CompiledPolicy } from '../../policy/index.js';
import type { Tag } from '../../store/types.js';
import type { ActionContext } from '../action.js';

/** A role as AssumeRole needs it: identity, limits, tags and the compiled trust policy. */
export interface AssumableRole {
  readonly accountId: string;
  readonly arn: string;
  readonly name: string;
  readonly roleId: string;
  readonly maxSessionDuration: number;
  readonly tags: readonly Tag[];
  readonly trustPolicy: CompiledPolicy;
}

export interface RoleArnParts {
  readonly partition: string;
  readonly accountId: string;
  readonly path: string;
  readonly name: string;
}

/**
 * RoleArn structure (sts-api.md §3.1): at least six `:`-separated fields with a non-empty
 * partition, service and resource, else `<RoleArn> is invalid`. Returns undefined for those;
 * an ARN that is well formed but names no IAM role yields parts that match no role.
 */
export function roleArnParts(arn: string): RoleArnParts | undefined {
  const fields = arn.split(':');
  if (fields.length < 6 || fields[0] !== 'arn') return undefined;
  const [, partition, service, , accountId] = fields;
  const resource = fields.slice(5).join(':');
  if (!partition || !service || !resource) return undefined;
  if (service !== 'iam' || !resource.startsWith('role/')) return { partition, accountId: accountId ?? '', path: '', name: '' };
  const slash = resource.lastIndexOf('/');
  return { partition, accountId: accountId ?? '', path: resource.slice(4, slash + 1), name: resource.slice(slash + 1) };
}

/**
 * The role the ARN names exactly (path included), or undefined. `caller` is the entity behind
 * the request (a user, or the role behind a session) with its current unique ID.
 */
export async function loadAssumableRole(ctx: ActionContext, target: RoleArnParts, caller: { readonly arn?: string; readonly id?: string }): Promise<AssumableRole | undefined> {
  if (!/^\d{12}$/.test(target.accountId) || target.name === '') return undefined;
  const role = await ctx.store.getRole(target.accountId, target.name);
  if (!role || role.path !== target.path) return undefined;
  const document = withStaleBinding(role.assumeRolePolicyDocument, role.trustPrincipalIds, caller);
  const parsed = ctx.compilePolicy(document, 'trust', { id: `${role.arn}/trust-policy`, layer: 'resource', name: 'trust-policy' });
  // A stored trust policy that no longer parses trusts nobody.
  if (!parsed.ok) return undefined;
  return {
    accountId: target.accountId,
    arn: role.arn,
    name: role.name,
    roleId: role.id,
    maxSessionDuration: role.maxSessionDuration,
    tags: role.tags,
    trustPolicy: parsed.policy,
  };
}

/**
 * IAM binds user and role ARNs in a trust policy to the unique ID they had when the policy was
 * saved; a principal deleted and recreated under the same name no longer matches, and AWS then
 * shows the old unique ID in the policy (sts-api.md §11.1). When the caller is such a
 * principal, its ARN in the document is replaced by the old ID, which matches nobody.
 */
function withStaleBinding(document: string, bindings: Readonly<Record<string, string>>, caller: { readonly arn?: string; readonly id?: string }): string {
  if (caller.arn === undefined || caller.id === undefined) return document;
  const boundId = bindings[caller.arn];
  if (boundId === undefined || boundId === caller.id) return document;
  const stale = caller.arn;
  const parsed = JSON.parse(document) as { Statement?: unknown };
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  for (const statement of statements) {
    const principal = (statement as { Principal?: { AWS?: string | string[] } } | undefined)?.Principal;
    if (!principal || typeof principal !== 'object' || principal.AWS === undefined) continue;
    principal.AWS = Array.isArray(principal.AWS) ? principal.AWS.map((v) => (v === stale ? boundId : v)) : principal.AWS === stale ? boundId : principal.AWS;
  }
  return JSON.stringify(parsed);
}
