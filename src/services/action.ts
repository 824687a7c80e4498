import type { Caller } from '../auth/principal.js';
import type { AwsError } from '../protocol/errors.js';
import type { AuthorizationRequest, Decision, ParseResult, PolicyKind, PolicyLabel, PolicySet } from '../policy/index.js';
import type { Config } from '../config.js';
import type { QueryInput } from '../protocol/query.js';
import type { XmlObject } from '../protocol/xml.js';
import type { Store } from '../store/store.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Clock } from '../clock.js';
import type { KeyRing } from '../tokens/key-ring.js';

export type ContextValue = string | readonly string[];

/** One authorization question: may the caller do `action` on `resource`? */
export interface AuthorizationQuery {
  readonly action: string;
  readonly resource: string;
  /** Request- and resource-specific keys (aws:RequestTag/*, aws:TagKeys, aws:ResourceTag/*, iam:PolicyARN…). */
  readonly context?: Readonly<Record<string, ContextValue>>;
  readonly resourceAccount?: string;
}

/** The facts of the HTTP request that become global condition keys. */
export interface RequestFacts {
  readonly requestId: string;
  readonly receivedAt: Date;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly secureTransport: boolean;
  /** The region of the SigV4 credential scope (aws:RequestedRegion). */
  readonly region: string;
}

/**
 * What an action tells the audit stage beyond its input and output (cloudtrail.md §3): the
 * resources it touched, other accounts that receive a copy of the record, extra event data.
 * Handlers fill it in as they go; the audit stage reads it after the action ends.
 */
export interface AuditNotes {
  resources: Array<{ readonly ARN: string; readonly accountId: string; readonly type: string }>;
  /** Accounts besides the caller's that receive the record (cross-account AssumeRole), linked by sharedEventID. */
  alsoRecordIn: string[];
  additionalEventData?: Record<string, unknown>;
  /** Overrides of the derived requestParameters / responseElements (null = recorded as null). */
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  /** Facts about issued credentials, for tracing a key back to its origin. */
  issuedSession?: Record<string, unknown>;
  /**
   * Unsigned AssumeRoleWithWebIdentity/SAML: who called, once the token or assertion parsed
   * (cloudtrail.md §2.2 WebIdentityUser/SAMLUser); `accountId` = the role's account, which
   * receives the record. Without it (and without a caller) the call is not recorded (R1, R3).
   */
  federatedIdentity?: {
    readonly type: 'WebIdentityUser' | 'SAMLUser';
    readonly principalId: string;
    readonly userName: string;
    readonly identityProvider: string;
    readonly accountId: string;
  };
  /** Members added to the derived requestParameters: `sAMLAssertionID`, `principalTags`, `transitiveTagKeys` from a token (§3.3). */
  extraRequestParameters?: Record<string, unknown>;
}

/** What an action handler gets: no HTTP, just the caller, the store and the authorizer. */
export interface ActionContext {
  readonly request: RequestFacts;
  /** Undefined only for the unsigned STS federation actions. */
  readonly caller: Caller | undefined;
  readonly config: Config;
  readonly store: Store;
  readonly secrets: SecretBox;
  readonly clock: Clock;
  /** Throws AccessDenied (AWS text, from the policy engine's explanation) unless allowed. */
  authorize(query: AuthorizationQuery): Promise<void>;
  /** The engine's decision with extra policies (e.g. a role's trust policy as the resource policy); never throws a denial. */
  decide(query: AuthorizationQuery, extra: PolicySet): Promise<{ readonly request: AuthorizationRequest; readonly decision: Decision; readonly policies: PolicySet }>;
  /** AccessDenied with AWS's `message` and the encoded explanation of that decision. */
  denial(message: string, request: AuthorizationRequest, policies: PolicySet): AwsError;
  /** Parses and compiles a stored document once; later calls with the same text reuse it. */
  compilePolicy(document: string, kind: PolicyKind, label: PolicyLabel): ParseResult;
  /** The caller, asserting the request was signed. */
  requireCaller(): Caller;
  readonly audit: AuditNotes;
  /** The key ring that seals session tokens and authorization messages. */
  keyRing(): KeyRing;
  /** RoleLastUsed, written at most once a minute per role (AWS reports it coarsely too). */
  noteRoleUse(roleId: string, at: Date, region: string): void;
}

export interface QueryAction {
  readonly name: string;
  /** Unsigned actions (AssumeRoleWithWebIdentity/SAML) accept requests without SigV4. */
  readonly unsigned?: boolean;
  /** Members of `<Action>Result`; undefined for actions without an output shape. */
  run(input: QueryInput, ctx: ActionContext): Promise<XmlObject | undefined>;
}

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };
export type JsonObject = { readonly [key: string]: JsonValue | undefined };

export interface JsonAction {
  readonly name: string;
  run(input: JsonObject, ctx: ActionContext): Promise<JsonObject>;
}

export interface QueryService {
  readonly protocol: 'query';
  /** SigV4 signing name, which also selects the service. */
  readonly signingName: string;
  /** The CloudTrail eventSource, e.g. sts.amazonaws.com. */
  readonly eventSource: string;
  readonly version: string;
  readonly namespace: string;
  /** STS echoes offending values in validation messages, IAM does not. */
  readonly echoValidationValues: boolean;
  readonly actions: ReadonlyMap<string, QueryAction>;
}

export interface JsonService {
  readonly protocol: 'json';
  readonly signingName: string;
  readonly eventSource: string;
  readonly targetPrefix: string;
  readonly actions: ReadonlyMap<string, JsonAction>;
}

export type Service = QueryService | JsonService;

export function actionMap<A extends { readonly name: string }>(actions: readonly A[]): ReadonlyMap<string, A> {
  return new Map(actions.map((a) => [a.name, a]));
}
