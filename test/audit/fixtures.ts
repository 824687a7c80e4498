import type { AuditInput } from '../../src/audit/types.js';
import type { Caller, SessionClaims } from '../../src/auth/principal.js';
import { AwsError } from '../../src/protocol/errors.js';
import type { XmlObject } from '../../src/protocol/xml.js';
import type { AuditNotes, JsonObject } from '../../src/services/action.js';

/** Accounts A and B of the specs (policy-evaluation.md). */
export const A = '111122223333';
export const B = '444455556666';

export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const ISSUED_SECRET = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
export const ISSUED_TOKEN = 'FwoGZXIvYXdzEXAMPLE-SESSION-TOKEN-0123456789abcdef';

export const STS = { signingName: 'sts', eventSource: 'sts.amazonaws.com' } as const;
export const IAM = { signingName: 'iam', eventSource: 'iam.amazonaws.com' } as const;
export const ORGANIZATIONS = { signingName: 'organizations', eventSource: 'organizations.amazonaws.com' } as const;
export const CLOUDTRAIL = { signingName: 'cloudtrail', eventSource: 'cloudtrail.amazonaws.com' } as const;

export function alice(): Caller {
  return {
    type: 'IAMUser',
    accountId: A,
    arn: `arn:aws:iam::${A}:user/alice`,
    userId: 'AIDARZ7EXAMPLEALICE01',
    accessKeyId: 'AKIARZ7EXAMPLEKEY001',
    userName: 'alice',
    userUniqueId: 'AIDARZ7EXAMPLEALICE01',
  };
}

export function bob(): Caller {
  return {
    type: 'IAMUser',
    accountId: B,
    arn: `arn:aws:iam::${B}:user/bob`,
    userId: 'AIDAKQ4EXAMPLEBOB0001',
    accessKeyId: 'AKIAKQ4EXAMPLEKEY002',
    userName: 'bob',
    userUniqueId: 'AIDAKQ4EXAMPLEBOB0001',
  };
}

export function root(account = A): Caller {
  return { type: 'Root', accountId: account, arn: `arn:aws:iam::${account}:root`, userId: account, accessKeyId: 'AKIAROOTEXAMPLEKEY01' };
}

export function session(overrides: Partial<SessionClaims> = {}): SessionClaims {
  return {
    accessKeyId: 'ASIAWD3EXAMPLETMP001',
    secretAccessKey: SECRET,
    issuedAt: new Date('2026-03-02T14:05:09Z'),
    expiresAt: new Date('2026-03-02T15:05:09Z'),
    issuer: 'AssumeRole',
    sessionName: 'alice',
    sessionTags: [],
    transitiveTagKeys: [],
    sessionPolicyArns: [],
    chained: false,
    ...overrides,
  };
}

/** The E1 session: alice as role `deployer`, source identity alice. */
export function deployerSession(overrides: Partial<SessionClaims> = {}): Caller {
  const claims = session({ sourceIdentity: 'alice', parentAccessKeyId: 'AKIARZ7EXAMPLEKEY001', ...overrides });
  return {
    type: 'AssumedRole',
    accountId: A,
    arn: `arn:aws:sts::${A}:assumed-role/deployer/${claims.sessionName}`,
    userId: `AROAWD3EXAMPLEDEPLOY1:${claims.sessionName}`,
    accessKeyId: claims.accessKeyId,
    roleArn: `arn:aws:iam::${A}:role/deployer`,
    roleName: 'deployer',
    roleId: 'AROAWD3EXAMPLEDEPLOY1',
    session: claims,
  };
}

export function notes(overrides: Partial<AuditNotes> = {}): AuditNotes {
  return { resources: [], alsoRecordIn: [], ...overrides };
}

export function query(entries: Record<string, string>): ReadonlyMap<string, string> {
  return new Map(Object.entries(entries));
}

export function base(overrides: Partial<AuditInput> & Pick<AuditInput, 'service' | 'action'>): AuditInput {
  return {
    requestId: '19cb462f-94d2-4048-ac03-3ff073cdc80a',
    eventTime: new Date('2026-03-02T14:05:09.431Z'),
    caller: alice(),
    sourceIp: '203.0.113.10',
    userAgent: 'aws-cli/2.27.4 md/command#sts.assume-role',
    region: 'us-east-1',
    request: { query: query({ Action: overrides.action, Version: '2011-06-15' }) },
    outcome: { ok: true, result: undefined },
    notes: notes(),
    ...overrides,
  };
}

export function ok(result: XmlObject | JsonObject | undefined): AuditInput['outcome'] {
  return { ok: true, result };
}

export function failed(code: ConstructorParameters<typeof AwsError>[0], message: string): AuditInput['outcome'] {
  return { ok: false, error: new AwsError(code, message) };
}

/** Deterministic event IDs: e1, e2, … formatted as UUIDs. */
export function sequentialIds(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

/** The AssumeRole result of E1, as the STS action returns it. */
export function assumeRoleResult(overrides: { accessKeyId?: string; sessionName?: string; sourceIdentity?: string; packed?: number } = {}): XmlObject {
  const name = overrides.sessionName ?? 'alice';
  return {
    Credentials: {
      AccessKeyId: overrides.accessKeyId ?? 'ASIAWD3EXAMPLETMP001',
      SecretAccessKey: ISSUED_SECRET,
      SessionToken: ISSUED_TOKEN,
      Expiration: new Date('2026-03-02T15:05:09Z'),
    },
    AssumedRoleUser: { AssumedRoleId: `AROAWD3EXAMPLEDEPLOY1:${name}`, Arn: `arn:aws:sts::${A}:assumed-role/deployer/${name}` },
    PackedPolicySize: overrides.packed,
    SourceIdentity: overrides.sourceIdentity,
  };
}
