import {
  accessDeniedMessage,
  evaluate,
  parsePolicy,
  type AuthorizationRequest,
  type CompiledPolicy,
  type Decision,
  type ParseResult,
  type PolicyKind,
  type PolicyLabel,
  type PolicySet,
} from '../policy/index.js';
import type { Caller } from '../auth/principal.js';
import { AwsError } from '../protocol/errors.js';
import type { Store } from '../store/store.js';
import type { PolicyDocumentRef, PrincipalPolicies, Tag } from '../store/types.js';
import { awsManagedPolicyDocument } from './iam/aws-managed-policies.js';
import type { AuthorizationQuery, ContextValue, RequestFacts } from './action.js';
import { globalContext } from './request-context.js';
import { deniedWithMessage } from './authorization-message.js';
import type { KeyRing } from '../tokens/key-ring.js';
import { LruCache } from '../lru-cache.js';

interface CompiledPrincipal {
  readonly generation: number;
  readonly identity: readonly CompiledPolicy[];
  readonly boundary: readonly CompiledPolicy[];
  readonly tags: readonly Tag[];
}

/** What the authorizer knows of a caller once its policies are loaded. */
export interface CallerPolicies {
  readonly policies: PolicySet;
  readonly tags: readonly Tag[];
}

const MAX_CACHED = 10_000;
/**
 * A compiled document takes ~30 bytes of heap per byte of text (a 0.9 KB trust policy with seven
 * conditions: 27 KB, measured). The count bound alone would let 10,000 large documents take
 * gigabytes; the estimated weight caps the parsed-document cache at 256 MB.
 */
const COMPILED_BYTES_PER_CHAR = 32;
const MAX_COMPILED_BYTES = 256 * 1024 * 1024;

const ROOT_AUTHORITY = compileStored(
  { id: 'account-root', name: 'account-root', kind: 'inline', document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' },
  'identity',
);

/**
 * Loads and compiles the caller's policies (cached per principal until the account's
 * authorization generation moves), builds the request context and asks the policy engine.
 */
export class Authorizer {
  readonly #store: Store;
  readonly #principals = new LruCache<string, CompiledPrincipal>({ maxEntries: MAX_CACHED });
  readonly #sessionPolicies = new LruCache<string, readonly CompiledPolicy[]>({ maxEntries: MAX_CACHED });
  readonly #documents = new LruCache<string, ParseResult>({
    maxEntries: MAX_CACHED,
    maxWeight: MAX_COMPILED_BYTES,
    weigh: (key) => key.length * COMPILED_BYTES_PER_CHAR,
  });
  #organizationId: string | undefined;

  readonly #ring: () => KeyRing;
  readonly #encodeDenials: boolean;

  constructor(store: Store, ring: () => KeyRing, options: { encodeDenials: boolean }) {
    this.#store = store;
    this.#ring = ring;
    this.#encodeDenials = options.encodeDenials;
  }

  async organizationId(): Promise<string | undefined> {
    if (this.#organizationId === undefined) this.#organizationId = (await this.#store.getOrganization())?.id;
    return this.#organizationId;
  }

  /** The policy set and principal tags that apply to the caller. */
  async callerPolicies(caller: Caller): Promise<CallerPolicies> {
    if (caller.type === 'Root') return { policies: {}, tags: [] };
    if (caller.type === 'FederatedUser' && caller.userUniqueId === undefined) {
      // GetFederationToken called by the account root: the root may do everything in its
      // account, so the session's permissions are exactly its session policies.
      return { policies: { identity: [ROOT_AUTHORITY], session: await this.#sessionPolicySet(caller) }, tags: [] };
    }
    const principal = await this.#principal(caller);
    const session = caller.session ? await this.#sessionPolicySet(caller) : [];
    const policies: PolicySet = {
      identity: principal?.identity ?? [],
      boundary: principal?.boundary ?? [],
      session,
    };
    return { policies, tags: principal?.tags ?? [] };
  }

  /** The engine's request for this caller and query, with the global condition keys. */
  async request(caller: Caller | undefined, facts: RequestFacts, query: AuthorizationQuery, tags: readonly Tag[]): Promise<AuthorizationRequest> {
    const context: Record<string, ContextValue> = globalContext(caller, facts, tags, await this.organizationId());
    if (query.context) Object.assign(context, query.context);
    const request: AuthorizationRequest = {
      principal: caller ? caller.arn : 'anonymous',
      action: query.action,
      resource: query.resource,
      context,
      ...(query.resourceAccount !== undefined ? { resourceAccount: query.resourceAccount } : {}),
      ...(caller?.roleArn !== undefined ? { principalRoleArn: caller.roleArn } : {}),
      ...(caller?.type === 'FederatedUser' && caller.userName !== undefined
        ? { federatingUserArn: `arn:${partitionOf(caller.arn)}:iam::${caller.accountId}:user/${caller.userName}` }
        : {}),
    };
    return request;
  }

  async decide(
    caller: Caller,
    facts: RequestFacts,
    query: AuthorizationQuery,
    extra?: PolicySet,
  ): Promise<{ request: AuthorizationRequest; decision: Decision; policies: PolicySet }> {
    const { policies, tags } = await this.callerPolicies(caller);
    const request = await this.request(caller, facts, query, tags);
    const all = extra ? { ...policies, ...extra } : policies;
    return { request, decision: evaluate(request, all), policies: all };
  }

  /** Parses a document once per (kind, text); the label of the first parse is kept. */
  compile(document: string, kind: PolicyKind, label: PolicyLabel): ParseResult {
    const key = `${kind}\u0000${document}`;
    const cached = this.#documents.get(key);
    if (cached) return cached;
    const parsed = parsePolicy(document, kind, { label });
    this.#documents.set(key, parsed);
    return parsed;
  }

  /** Throws AccessDenied with AWS's message unless the engine allows. */
  async authorize(caller: Caller, facts: RequestFacts, query: AuthorizationQuery): Promise<void> {
    const { policies, tags } = await this.callerPolicies(caller);
    const request = await this.request(caller, facts, query, tags);
    const decision = evaluate(request, policies);
    if (decision.outcome !== 'Allow') throw this.denial(accessDeniedMessage(request, decision), caller, request, policies);
  }

  /** AccessDenied with `message`, carrying the sealed explanation of the decision. */
  denial(message: string, caller: Caller, request: AuthorizationRequest, policies: PolicySet): AwsError {
    if (!this.#encodeDenials) return new AwsError('AccessDenied', message);
    return deniedWithMessage(message, request, policies, caller.userId, this.#ring());
  }

  async #principal(caller: Caller): Promise<CompiledPrincipal | undefined> {
    const entityId = caller.type === 'AssumedRole' ? caller.roleId : caller.userUniqueId;
    if (entityId === undefined) return undefined;
    const key = `${caller.accountId}/${entityId}`;
    const generation = await this.#store.getAuthzGeneration(caller.accountId);
    const cached = this.#principals.get(key);
    if (cached && cached.generation === generation) return cached;
    const loaded: PrincipalPolicies | undefined =
      caller.type === 'AssumedRole'
        ? await this.#store.getRolePolicies(caller.accountId, entityId)
        : await this.#store.getUserPolicies(caller.accountId, entityId);
    const compiled: CompiledPrincipal = {
      generation,
      identity: (loaded?.identity ?? []).map((ref) => compileStored(ref, 'identity')),
      boundary: loaded?.boundary ? [compileStored(loaded.boundary, 'boundary')] : [],
      tags: loaded?.tags ?? [],
    };
    this.#principals.set(key, compiled);
    return compiled;
  }

  async #sessionPolicySet(caller: Caller): Promise<readonly CompiledPolicy[]> {
    const session = caller.session!;
    if (session.sessionPolicy === undefined && session.sessionPolicyArns.length === 0) return [];
    const key = `${session.sessionPolicy ?? ''}\u0000${session.sessionPolicyArns.join('\u0000')}`;
    const cached = this.#sessionPolicies.get(key);
    if (cached) return cached;
    const policies: CompiledPolicy[] = [];
    if (session.sessionPolicy !== undefined) {
      policies.push(compileStored({ id: 'session-policy', name: 'session-policy', kind: 'inline', document: session.sessionPolicy }, 'session'));
    }
    for (const arn of session.sessionPolicyArns) {
      const ref = awsManagedPolicyDocument(arn) ?? (await this.#store.getManagedPolicyDocument(arn));
      // A session policy ARN that no longer resolves grants nothing; the session keeps the others.
      if (ref) policies.push(compileStored(ref, 'session'));
    }
    this.#sessionPolicies.set(key, policies);
    return policies;
  }
}

/**
 * Stored documents were validated when written. Should one fail to parse now (e.g. after an
 * engine upgrade), it must deny rather than be skipped: it becomes a policy that denies everything.
 */
function compileStored(ref: PolicyDocumentRef, kind: 'identity' | 'boundary' | 'session'): CompiledPolicy {
  const label = { id: ref.id, name: ref.name, layer: kind, ...(ref.versionId ? { version: ref.versionId } : {}) };
  const parsed = parsePolicy(ref.document, kind, { label });
  if (parsed.ok) return parsed.policy;
  const denyAll = parsePolicy('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}', kind, { label });
  if (!denyAll.ok) throw new Error('the deny-all policy must parse');
  return denyAll.policy;
}

function partitionOf(arn: string): string {
  return arn.split(':')[1] ?? 'aws';
}
