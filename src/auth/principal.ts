import type { Tag } from '../store/types.js';

/** The kinds of caller a signed request can carry (cloudtrail.md §2.2, ids-and-arns.md §5–6). */
export type CallerType = 'Root' | 'IAMUser' | 'AssumedRole' | 'FederatedUser';

/** What a session token carries, sealed (issue 4): enough to authorize without a store lookup. */
export interface SessionClaims {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** The STS action that issued the session. */
  readonly issuer: 'AssumeRole' | 'AssumeRoleWithWebIdentity' | 'AssumeRoleWithSAML' | 'GetSessionToken' | 'GetFederationToken';
  readonly sessionName?: string;
  readonly sessionTags: readonly Tag[];
  /** Lower-cased keys of transitive tags. */
  readonly transitiveTagKeys: readonly string[];
  readonly sourceIdentity?: string;
  readonly mfaAuthenticatedAt?: Date;
  /** Inline session policy text and managed session policy ARNs. */
  readonly sessionPolicy?: string;
  readonly sessionPolicyArns: readonly string[];
  /** The access key that created this session (for tracing the chain). */
  readonly parentAccessKeyId?: string;
  /** True when a role session or GetSessionToken credentials called AssumeRole (the 1 h cap). */
  readonly chained: boolean;
}

export interface Caller {
  readonly type: CallerType;
  readonly accountId: string;
  /** The principal ARN: root, user, assumed-role session or federated-user ARN. */
  readonly arn: string;
  /** `aws:userid`: account ID (root), AIDA… (user), AROA…:session (role), account:name (federated). */
  readonly userId: string;
  readonly accessKeyId: string;
  /** IAM user name and unique ID (users, and the user behind GetSessionToken/GetFederationToken). */
  readonly userName?: string;
  readonly userUniqueId?: string;
  /** Role sessions: the role's ARN (with path), name and unique ID. */
  readonly roleArn?: string;
  readonly roleName?: string;
  readonly roleId?: string;
  /** Present for temporary credentials. */
  readonly session?: SessionClaims;
}

export function rootArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}
