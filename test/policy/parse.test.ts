import { describe, expect, it } from 'vitest';
import { parsePolicy, type PolicyKind } from '../../src/policy/index.js';

const doc = (statement: Record<string, unknown> | Record<string, unknown>[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ Version: '2012-10-17', ...extra, Statement: statement });

function error(document: string, kind: PolicyKind, managed = false): { message: string; path: string } | 'ok' {
  const r = parsePolicy(document, kind, { managed });
  return r.ok ? 'ok' : { message: r.error.message, path: r.error.path };
}

const allowS3 = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
const trust = (extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole', ...extra });

describe('grammar per policy kind (policy-evaluation.md §1.3)', () => {
  it('identity, boundary and session policies must not name a principal', () => {
    for (const kind of ['identity', 'boundary', 'session'] as const) {
      expect(error(doc({ ...allowS3, Principal: '*' }), kind)).toEqual({
        message: 'Policy document should not specify a principal.',
        path: '$.Statement.Principal',
      });
      expect(error(doc([allowS3, { ...allowS3, Effect: 'Deny', NotPrincipal: { AWS: '*' } }]), kind)).toMatchObject({
        path: '$.Statement[1].NotPrincipal',
      });
    }
  });

  it('identity, boundary and session statements need Resource or NotResource', () => {
    expect(error(doc({ Effect: 'Allow', Action: 's3:*' }), 'session')).toEqual({ message: 'Policy statement must contain resources.', path: '$.Statement' });
    expect(error(doc({ Effect: 'Allow', Action: 's3:*', NotResource: [] }), 'boundary')).toMatchObject({ path: '$.Statement.NotResource' });
  });

  it('trust policies: Principal required, NotPrincipal and Resource prohibited, STS actions only', () => {
    expect(error(doc(trust()), 'trust')).toBe('ok');
    expect(error(doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'trust')).toMatchObject({ message: 'Missing required field Principal' });
    expect(error(doc({ ...trust(), Principal: undefined, NotPrincipal: { AWS: '*' }, Effect: 'Deny' }), 'trust')).toEqual({
      message: 'Has prohibited field NotPrincipal',
      path: '$.Statement.NotPrincipal',
    });
    expect(error(doc(trust({ Resource: 'arn:aws:s3:::b' })), 'trust')).toEqual({ message: 'Has prohibited field Resource', path: '$.Statement.Resource' });
    expect(error(doc(trust({ Action: ['sts:AssumeRole', 'sts:GetCallerIdentity'] })), 'trust')).toEqual({
      message: 'AssumeRole policy may only specify STS AssumeRole actions.',
      path: '$.Statement.Action[1]',
    });
    for (const action of ['*', 'sts:*', 'sts:AssumeRole*', 'STS:TagSession', 'sts:SetSourceIdentity', 'sts:SetContext', 'sts:AssumeRoleWithSAML'])
      expect(error(doc(trust({ Action: action })), 'trust'), action).toBe('ok');
    expect(error('{"Version": "2012-10-17", "Statement": [}', 'trust')).toMatchObject({ message: 'This policy contains invalid Json' });
    expect(error('{"Version": "2012-10-17", "Statement": [}', 'identity')).toMatchObject({ message: 'Syntax errors in policy.' });
  });

  it('trust policy principals: no partial wildcards, no canonical users, known forms only', () => {
    const principal = (p: unknown) => error(doc(trust({ Principal: p })), 'trust');
    for (const ok of [
      '*',
      { AWS: '*' },
      { AWS: '111122223333' },
      { AWS: ['arn:aws:iam::111122223333:user/path/alice', 'arn:aws:iam::111122223333:role/r'] },
      { AWS: 'arn:aws:sts::111122223333:assumed-role/r/s' },
      { AWS: 'arn:aws:sts::111122223333:federated-user/bob' },
      { AWS: 'AROADBQP57FF2AEXAMPLE' },
      { Service: ['ec2.amazonaws.com', 'lambda.amazonaws.com'] },
      { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' },
      { Federated: 'cognito-identity.amazonaws.com' },
    ])
      expect(principal(ok), JSON.stringify(ok)).toBe('ok');
    expect(principal({ AWS: 'arn:aws:iam::111122223333:user/*' })).toEqual({
      message: 'Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:user/*"',
      path: '$.Statement.Principal.AWS',
    });
    expect(principal('arn:aws:iam::111122223333:root')).toMatchObject({ message: 'Invalid principal in policy' });
    expect(principal({ CanonicalUser: 'a'.repeat(64) })).toMatchObject({ message: 'Invalid principal in policy: "CanonicalUser":"' + 'a'.repeat(64) + '"' });
    expect(principal({ Service: '*' })).toMatchObject({ message: 'Invalid principal in policy: "Service":"*"' });
    expect(principal({ Group: 'x' })).toMatchObject({ message: 'Syntax errors in policy.', path: '$.Statement.Principal.Group' });
    expect(principal({})).toMatchObject({ message: 'Syntax errors in policy.' });
  });

  it('resource policies: a principal is required; NotPrincipal only with Deny', () => {
    expect(error(doc({ ...allowS3, Principal: { AWS: '444455556666' } }), 'resource')).toBe('ok');
    expect(error(doc({ ...allowS3, Principal: '*' }, {}), 'resource')).toBe('ok');
    expect(error(doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }), 'resource')).toBe('ok');
    expect(error(doc(allowS3), 'resource')).toMatchObject({ message: 'Missing required field Principal' });
    expect(error(doc({ ...allowS3, NotPrincipal: { AWS: '444455556666' } }), 'resource')).toEqual({
      message: 'Syntax errors in policy.',
      path: '$.Statement.NotPrincipal',
    });
    expect(error(doc({ ...allowS3, Effect: 'Deny', NotPrincipal: { AWS: '444455556666' } }), 'resource')).toBe('ok');
  });

  it('SCPs: no principal; Resource optional; permissive current grammar (§9 U6, U35)', () => {
    expect(error(doc({ Effect: 'Allow', Action: '*', Resource: '*' }), 'scp')).toBe('ok');
    expect(error(doc({ Effect: 'Deny', NotAction: ['iam:*'], Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }), 'scp')).toBe('ok');
    expect(error(doc({ Effect: 'Deny', Action: '*', Resource: '*', Principal: '*' }), 'scp')).toMatchObject({
      message: 'Policy document should not specify a principal.',
    });
  });

  it('RCPs: Principal "*", Deny only (besides RCPFullAWSAccess), no NotAction, no Action "*", Version 2012-10-17 (§9 U4)', () => {
    const full = { Sid: 'RCPFullAWSAccess', Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' };
    const deny = { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } } };
    expect(error(doc([full, deny]), 'rcp')).toBe('ok');
    expect(error(doc({ ...deny, Principal: { AWS: '111122223333' } }), 'rcp')).toMatchObject({ path: '$.Statement.Principal' });
    expect(error(doc({ ...deny, Effect: 'Allow' }), 'rcp')).toMatchObject({ path: '$.Statement.Effect' });
    expect(error(doc({ ...deny, Action: '*' }), 'rcp')).toMatchObject({ path: '$.Statement.Action' });
    expect(error(doc({ ...deny, Action: undefined, NotAction: 's3:GetObject' }), 'rcp')).toMatchObject({ path: '$.Statement.NotAction' });
    expect(error(JSON.stringify({ Statement: [deny] }), 'rcp')).toMatchObject({ message: 'Policy document must be version 2012-10-17 or greater.' });
    expect(error(doc({ ...deny, Principal: undefined }), 'rcp')).toMatchObject({ message: 'Missing required field Principal' });
  });
});

describe('Version (§1.2, §9 U1)', () => {
  const v2008 = JSON.stringify({ Version: '2008-10-17', Statement: allowS3 });
  const none = JSON.stringify({ Statement: allowS3 });
  it('managed policies require 2012-10-17; inline, trust and session policies accept 2008-10-17 or none', () => {
    expect(error(v2008, 'identity', true)).toEqual({ message: 'Policy document must be version 2012-10-17 or greater.', path: '$.Version' });
    expect(error(none, 'boundary', true)).toEqual({ message: 'Policy document must be version 2012-10-17 or greater.', path: '$' });
    expect(error(v2008, 'identity')).toBe('ok');
    expect(error(none, 'session')).toBe('ok');
    const r = parsePolicy(none, 'identity');
    expect(r.ok && [r.policy.version, r.policy.versionSpecified]).toEqual(['2008-10-17', false]);
  });
  it('any other Version is a syntax error', () => {
    expect(error(JSON.stringify({ Version: '2012-10-18', Statement: allowS3 }), 'identity')).toEqual({ message: 'Syntax errors in policy.', path: '$.Version' });
    expect(error(JSON.stringify({ Version: 20121017, Statement: allowS3 }), 'identity')).toMatchObject({ path: '$.Version' });
  });
});

describe('syntax (§1.1, §1.6)', () => {
  it('detects repeated keys (plain JSON.parse would keep the last one) (§9 U3)', () => {
    const text = '{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Effect": "Allow", "Action": "*", "Resource": "*"}}';
    expect(error(text, 'identity')).toEqual({ message: 'Syntax errors in policy.', path: '$.Statement.Effect' });
    const cond = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true","aws:SecureTransport":"false"}}}}';
    expect(error(cond, 'identity')).toMatchObject({ path: '$.Statement.Condition.Bool["aws:SecureTransport"]' });
  });

  it('points at the offending element', () => {
    expect(error(doc([allowS3, { ...allowS3, Condition: { StringEquals: { 'aws:username': { a: 1 } } } }]), 'identity')).toEqual({
      message: 'Syntax errors in policy.',
      path: '$.Statement[1].Condition.StringEquals["aws:username"]',
    });
    expect(error(doc({ ...allowS3, Condition: { StringEquals: { k: [1, null] } } }), 'identity')).toMatchObject({
      path: '$.Statement.Condition.StringEquals.k[1]',
    });
    expect(error(doc({ ...allowS3, Extra: 1 }), 'identity')).toMatchObject({ path: '$.Statement.Extra' });
    expect(error(doc({ ...allowS3, Action: ['s3:GetObject', 7] }), 'identity')).toMatchObject({ path: '$.Statement.Action[1]' });
    expect(error(doc({ ...allowS3, Condition: { StringEqualz: { a: 'b' } } }), 'identity')).toMatchObject({ path: '$.Statement.Condition.StringEqualz' });
  });

  it('accepts numbers and booleans as condition values, as canonical strings', () => {
    const r = parsePolicy(doc({ ...allowS3, Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': 3600.0 }, Bool: { 'aws:SecureTransport': true } } }), 'identity');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.policy.statements[0]!.condition.map((b) => b.clauses[0]!.values)).toEqual([['3600'], ['true']]);
  });

  it('checks operator names case-sensitively; Null takes no IfExists; malformed prefixes fail (§3.1, §9 U9)', () => {
    for (const op of ['stringequals', 'StringEqualsifexists', 'NullIfExists', 'ForAnyValue::StringEquals', 'ForAllValues:ForAnyValue:StringEquals', 'IfExistsStringEquals'])
      expect(error(doc({ ...allowS3, Condition: { [op]: { a: 'b' } } }), 'identity'), op).toMatchObject({ message: 'Syntax errors in policy.' });
    for (const op of ['ForAllValues:StringLikeIfExists', 'ForAnyValue:ArnNotLike', 'NumericGreaterThanEqualsIfExists', 'Null', 'BinaryEquals'])
      expect(error(doc({ ...allowS3, Condition: { [op]: { a: 'b' } } }), 'identity'), op).toBe('ok');
  });

  it('only TAB, LF, CR and U+0020–U+00FF may appear in the text', () => {
    expect(error(doc({ ...allowS3, Sid: 'caf\u00e9' }).replace('\\u00e9', 'é'), 'scp')).toBe('ok');
    expect(error(doc({ ...allowS3, Condition: { StringEquals: { k: '日本' } } }), 'identity')).toMatchObject({ message: 'Syntax errors in policy.' });
    // An escaped code point is plain ASCII text.
    expect(error(doc({ ...allowS3, Condition: { StringEquals: { k: 'x' } } }).replace('"x"', '"\\u65e5"'), 'identity')).toBe('ok');
  });

  it('Sids: unique when non-empty, alpha-numeric in IAM policies (§9 U32)', () => {
    expect(error(doc([{ ...allowS3, Sid: 'A' }, { ...allowS3, Sid: 'A' }]), 'identity')).toEqual({
      message: 'Statement IDs (SID) in a single policy must be unique.',
      path: '$.Statement[1].Sid',
    });
    expect(error(doc([{ ...allowS3, Sid: 'a' }, { ...allowS3, Sid: 'A' }]), 'identity')).toBe('ok');
    expect(error(doc({ ...allowS3, Sid: 'no spaces' }), 'identity')).toEqual({
      message: 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
      path: '$.Statement.Sid',
    });
    expect(error(doc({ ...allowS3, Principal: '*', Sid: 'bucket policy sid' }), 'resource')).toBe('ok');
  });
});

describe('the AST', () => {
  const text =
    '{"Version": "2012-10-17", "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}';
  it('reports statement positions as IAM SimulatePrincipalPolicy does (recorded: 1:41 to 1:113)', () => {
    // Recorded: localstack-pr13720 test_iam.snapshot.json › TestIAMIntegrations::test_simulate_principle_policy.
    const r = parsePolicy(text, 'identity');
    expect(r.ok && [r.policy.statements[0]!.start, r.policy.statements[0]!.end]).toEqual([
      { line: 1, column: 41 },
      { line: 1, column: 113 },
    ]);
  });

  it('is frozen and carries Sid, index, paths and values as written', () => {
    const r = parsePolicy(doc([allowS3, { Sid: 'Two', Effect: 'Deny', NotAction: ['iam:*'], NotResource: '*' }]), 'identity', { label: { id: 'p1' } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = r.policy.statements[1]!;
    expect(s).toMatchObject({ index: 1, sid: 'Two', effect: 'Deny', path: '$.Statement[1]' });
    expect(s.action).toEqual({ negated: true, values: ['iam:*'], path: '$.Statement[1].NotAction', valuePaths: ['$.Statement[1].NotAction[0]'] });
    expect(Object.isFrozen(r.policy)).toBe(true);
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.action.values)).toBe(true);
    expect(r.policy.label).toEqual({ id: 'p1' });
    expect(Object.keys(r.policy)).toEqual(['kind', 'label', 'version', 'versionSpecified', 'statements']);
  });
});
