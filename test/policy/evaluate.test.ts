import { describe, expect, it } from 'vitest';
import { evaluate, parsePolicy, type AuthorizationRequest, type CompiledPolicy, type PolicyKind } from '../../src/policy/index.js';

const A = '111122223333';
const B = '444455556666';

function policy(kind: PolicyKind, statements: Record<string, unknown>[], id: string = kind, version = '2012-10-17'): CompiledPolicy {
  const r = parsePolicy(JSON.stringify({ Version: version, Statement: statements }), kind, { label: { id } });
  if (!r.ok) throw new Error(`${r.error.message} at ${r.error.path}`);
  return r.policy;
}
const allow = (action: string, resource = '*', extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Action: action, Resource: resource, ...extra });
const deny = (action: string, resource = '*', extra: Record<string, unknown> = {}) => ({ Effect: 'Deny', Action: action, Resource: resource, ...extra });
const req = (principal: string, action: string, resource: string, extra: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  principal,
  action,
  resource,
  context: {},
  ...extra,
});
const alice = `arn:aws:iam::${A}:user/alice`;
const session = `arn:aws:sts::${A}:assumed-role/app/s1`;

describe('Action / NotAction (§2.2)', () => {
  it('matches case-insensitively with * and ? anywhere, also in the service part (§9 U11)', () => {
    const id = [policy('identity', [allow('IAM:get?ser'), allow('*:List*')])];
    expect(evaluate(req(alice, 'iam:GetUser', '*'), { identity: id }).outcome).toBe('Allow');
    expect(evaluate(req(alice, 's3:ListBucket', '*'), { identity: id }).outcome).toBe('Allow');
    expect(evaluate(req(alice, 'iam:GetUsers', '*'), { identity: id }).outcome).toBe('ImplicitDeny');
  });
  it('Allow + NotAction grants every other action of every service', () => {
    const id = [policy('identity', [{ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' }])];
    expect(evaluate(req(alice, 'kms:Decrypt', `arn:aws:kms:us-east-1:${A}:key/x`), { identity: id }).outcome).toBe('Allow');
    expect(evaluate(req(alice, 'IAM:CreateUser', '*'), { identity: id }).outcome).toBe('ImplicitDeny');
  });
});

describe('Resource / NotResource (§2.3)', () => {
  const check = (pattern: string, resource: string, version = '2012-10-17', context: Record<string, string> = {}) =>
    evaluate(req(alice, 's3:GetObject', resource, { context, resourceAccount: A }), { identity: [policy('identity', [allow('s3:GetObject', pattern)], 'p', version)] }).outcome === 'Allow';
  it('six fields, globbed case-sensitively; * in the last field crosses : and /', () => {
    expect(check('arn:aws:s3:::b/*', 'arn:aws:s3:::b/x:y/z')).toBe(true);
    expect(check('arn:aws:s3:::B/*', 'arn:aws:s3:::b/x')).toBe(false);
    expect(check('arn:aws:ec2:*:*:instance/*', 'arn:aws:ec2:us-east-1:1:instance/i-1')).toBe(true);
    expect(check('arn:aws:ec2:*:1:instance/*', 'arn:aws:ec2:us-east-1:2:instance/i-1')).toBe(false);
    expect(check('arn:aws:ec2:us-*:*:*', 'arn:aws:ec2:us-east-1:1:instance/i-1')).toBe(true);
    expect(check('arn:aws:ec2:u?-east-1:*:*', 'arn:aws:ec2:us-east-1:1:x')).toBe(true);
    expect(check('arn:aws:s3:::b', 'arn:aws:s3:::b/k')).toBe(false);
  });
  it('a pattern with fewer than six fields matches only through a trailing * (§2.3 step 5)', () => {
    expect(check('arn:aws:sqs:*', 'arn:aws:sqs:us-east-1:1:q')).toBe(true);
    expect(check('arn:aws:*', 'arn:aws:ec2:us-east-1:1:x')).toBe(true);
    expect(check('arn:aws:sqs:us-east-1', 'arn:aws:sqs:us-east-1:1:q')).toBe(false);
  });
  it('"*" requests (no resource-level permissions) match only Resource "*" (case M07)', () => {
    expect(check('arn:aws:s3:::*', '*')).toBe(false);
    expect(check('*', '*')).toBe(true);
  });
  it('variables only after the fifth colon; missing values match nothing, also under NotResource (§4, §9 U22)', () => {
    expect(check('arn:aws:s3:::b/${aws:username}/*', 'arn:aws:s3:::b/bob/x', '2012-10-17', { 'aws:username': 'bob' })).toBe(true);
    expect(check('arn:aws:s3:::b/${aws:username}/*', 'arn:aws:s3:::b/bob/x', '2008-10-17', { 'aws:username': 'bob' })).toBe(false);
    expect(check('arn:aws:s3:::b/${aws:username}/*', 'arn:aws:s3:::b//x')).toBe(false);
    expect(check('arn:aws:sqs:us-east-1:${aws:PrincipalAccount}:q', `arn:aws:sqs:us-east-1:${A}:q`, '2012-10-17', { 'aws:PrincipalAccount': A })).toBe(false);
    const notRes = [policy('identity', [allow('s3:*'), { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::home/${aws:username}/*' }])];
    expect(evaluate(req(alice, 's3:GetObject', 'arn:aws:s3:::home/alice/x', { context: { 'aws:username': 'alice' } }), { identity: notRes }).outcome).toBe('Allow');
    expect(evaluate(req(alice, 's3:GetObject', 'arn:aws:s3:::home/alice/x'), { identity: notRes }).outcome).toBe('ExplicitDeny');
  });
});

describe('decision logic (§5.2)', () => {
  it('reports the deciding statements with policy label, layer, index, Sid and position', () => {
    const id = [policy('identity', [allow('s3:*'), { ...deny('s3:DeleteBucket'), Sid: 'NoDelete' }], 'arn:aws:iam::111122223333:policy/p')];
    const denied = evaluate(req(alice, 's3:DeleteBucket', 'arn:aws:s3:::b'), { identity: id });
    expect(denied).toEqual({
      outcome: 'ExplicitDeny',
      matched: [
        {
          policy: { id: 'arn:aws:iam::111122223333:policy/p' },
          layer: 'identity',
          index: 1,
          sid: 'NoDelete',
          effect: 'Deny',
          start: expect.objectContaining({ line: 1 }),
          end: expect.objectContaining({ line: 1 }),
        },
      ],
    });
    const allowed = evaluate(req(alice, 's3:GetObject', 'arn:aws:s3:::b/k'), { identity: id, boundary: [policy('boundary', [allow('*')])] });
    expect(allowed.outcome).toBe('Allow');
    expect(allowed.matched.map((m) => [m.layer, m.index])).toEqual([
      ['identity', 0],
      ['boundary', 0],
    ]);
  });

  it('names the layer without an Allow for implicit denies', () => {
    const id = [policy('identity', [allow('s3:*')])];
    const cases: [Parameters<typeof evaluate>[1], string, string][] = [
      [{}, alice, 'identity'],
      [{ identity: id, boundary: [policy('boundary', [allow('ec2:*')])] }, alice, 'boundary'],
      [{ identity: id, session: [policy('session', [allow('ec2:*')])] }, session, 'session'],
      [{ identity: id, scp: [[policy('scp', [allow('*')])], [policy('scp', [allow('ec2:*')])]] }, alice, 'scp'],
      [{ identity: id, rcp: [[policy('rcp', [{ Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*' }])]] }, alice, 'rcp'],
    ];
    for (const [policies, principal, layer] of cases) {
      expect(evaluate(req(principal, 's3:GetObject', 'arn:aws:s3:::b/k', { resourceAccount: A }), policies), layer).toMatchObject({ outcome: 'ImplicitDeny', missingLayer: layer });
    }
    expect(evaluate(req(`arn:aws:iam::${B}:user/u`, 's3:GetObject', 'arn:aws:s3:::b/k', { resourceAccount: A }), { identity: id })).toMatchObject({
      missingLayer: 'resource',
    });
  });

  it('session policies apply only to sessions; several are ORed (§9 U24)', () => {
    const id = [policy('identity', [allow('*')])];
    const sessions = [policy('session', [allow('s3:GetObject')]), policy('session', [allow('s3:PutObject')])];
    expect(evaluate(req(session, 's3:PutObject', 'arn:aws:s3:::b/k'), { identity: id, session: sessions }).outcome).toBe('Allow');
    expect(evaluate(req(session, 's3:DeleteObject', 'arn:aws:s3:::b/k'), { identity: id, session: sessions }).outcome).toBe('ImplicitDeny');
    expect(evaluate(req(alice, 's3:DeleteObject', 'arn:aws:s3:::b/k'), { identity: id, session: sessions }).outcome).toBe('Allow');
  });

  it('SCPs do not apply to service principals, anonymous or IdP callers; RCPs apply to all', () => {
    const rp = [policy('resource', [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }])];
    const scp = [[policy('scp', [deny('*')])]];
    const rcp = [[policy('rcp', [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }])]];
    expect(evaluate(req('anonymous', 's3:GetObject', 'arn:aws:s3:::b/k', { resourceAccount: A }), { resource: rp, scp }).outcome).toBe('Allow');
    expect(evaluate(req('anonymous', 's3:GetObject', 'arn:aws:s3:::b/k', { resourceAccount: A }), { resource: rp, rcp }).outcome).toBe('ExplicitDeny');
    expect(evaluate(req(`arn:aws:iam::${A}:root`, 's3:GetObject', 'arn:aws:s3:::b/k', { resourceAccount: A }), { scp }).outcome).toBe('ExplicitDeny');
  });

  it('the root user is allowed in its own account and needs a resource policy elsewhere (§5.2 step 6)', () => {
    const root = `arn:aws:iam::${A}:root`;
    expect(evaluate(req(root, 'iam:CreateUser', `arn:aws:iam::${A}:user/x`), {}).outcome).toBe('Allow');
    expect(evaluate(req(root, 's3:GetObject', 'arn:aws:s3:::b/k', { resourceAccount: B }), {}).outcome).toBe('ImplicitDeny');
    const rp = [policy('resource', [{ Effect: 'Allow', Principal: { AWS: A }, Action: 's3:GetObject', Resource: '*' }])];
    expect(evaluate(req(root, 's3:GetObject', 'arn:aws:s3:::b/k', { resourceAccount: B }), { resource: rp }).outcome).toBe('Allow');
  });

  it('principals stored as unique IDs match by ID (§1.4)', () => {
    const trust = [policy('trust', [{ Effect: 'Allow', Principal: { AWS: 'AIDAJQABLZS4A3QDU576Q' }, Action: 'sts:AssumeRole' }])];
    const request = req(alice, 'sts:AssumeRole', `arn:aws:iam::${A}:role/r`);
    expect(evaluate({ ...request, principalId: 'AIDAJQABLZS4A3QDU576Q' }, { resource: trust }).outcome).toBe('Allow');
    expect(evaluate({ ...request, principalId: 'AIDAOTHEROTHEROTHER11' }, { resource: trust }).outcome).toBe('ImplicitDeny');
  });

  it('a role ARN in Principal matches sessions of that role, using principalRoleArn for pathed roles', () => {
    const rp = [policy('resource', [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/team/app` }, Action: 's3:GetObject', Resource: '*' }])];
    const r = req(session, 's3:GetObject', 'arn:aws:s3:::b/k', { resourceAccount: A });
    expect(evaluate(r, { resource: rp }).outcome).toBe('ImplicitDeny');
    expect(evaluate({ ...r, principalRoleArn: `arn:aws:iam::${A}:role/team/app` }, { resource: rp }).outcome).toBe('Allow');
  });
});

describe('NotPrincipal with Deny (§2.4)', () => {
  const rp = (list: string[]) => [
    policy('resource', [
      { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' },
      { Effect: 'Deny', NotPrincipal: { AWS: list }, Action: 's3:*', Resource: '*' },
    ]),
  ];
  const r = req(session, 's3:GetObject', 'arn:aws:s3:::b/k', { resourceAccount: A });
  it('excludes a role session only if account, role and session are all listed (§9 U12)', () => {
    const all = [`arn:aws:iam::${A}:root`, `arn:aws:iam::${A}:role/app`, session];
    expect(evaluate(r, { resource: rp(all) }).outcome).toBe('Allow');
    expect(evaluate(r, { resource: rp(all.slice(0, 2)) }).outcome).toBe('ExplicitDeny');
    expect(evaluate(r, { resource: rp(all.slice(1)) }).outcome).toBe('ExplicitDeny');
  });
  it('never excludes a principal that has a permissions boundary', () => {
    const all = [A, `arn:aws:iam::${A}:role/app`, session];
    expect(evaluate(r, { resource: rp(all), boundary: [policy('boundary', [allow('*')])] }).outcome).toBe('ExplicitDeny');
  });
});

describe('fail closed', () => {
  it('an unknown operator (accepted with an empty block) never allows and still denies', () => {
    const unknownAllow = [policy('identity', [allow('*', '*', { Condition: { StringEqualsMaybe: {} } })])];
    expect(evaluate(req(alice, 's3:GetObject', '*'), { identity: unknownAllow }).outcome).toBe('ImplicitDeny');
    const unknownDeny = [policy('identity', [allow('*'), deny('*', '*', { Condition: { Whatever: {} } })])];
    expect(evaluate(req(alice, 's3:GetObject', '*'), { identity: unknownDeny }).outcome).toBe('ExplicitDeny');
  });
  it('a caller ARN that is no principal form (a group) is denied', () => {
    const id = [policy('identity', [allow('*')])];
    expect(evaluate(req(`arn:aws:iam::${A}:group/admins`, 's3:GetObject', '*'), { identity: id })).toMatchObject({
      outcome: 'ImplicitDeny',
      hardRule: 'UnknownPrincipal',
    });
  });
  it('an explicit deny still wins for such callers', () => {
    expect(evaluate(req(`arn:aws:iam::${A}:group/admins`, 's3:GetObject', '*'), { identity: [policy('identity', [deny('*')])] }).outcome).toBe('ExplicitDeny');
  });
});

describe('role trust (§5.6)', () => {
  const role = `arn:aws:iam::${A}:role/target`;
  const trust = (principal: unknown, action: string | string[] = 'sts:AssumeRole', extra: Record<string, unknown> = {}) => [
    policy('trust', [{ Effect: 'Allow', Principal: principal, Action: action, ...extra }]),
  ];
  it('a session of a role named in the trust policy may re-assume without identity permission', () => {
    expect(evaluate(req(session, 'sts:AssumeRole', role), { resource: trust({ AWS: `arn:aws:iam::${A}:role/app` }) }).outcome).toBe('Allow');
  });
  it('TagSession and SetSourceIdentity are authorized separately', () => {
    const t = trust({ AWS: alice }, ['sts:AssumeRole', 'sts:TagSession']);
    expect(evaluate(req(alice, 'sts:TagSession', role), { resource: t }).outcome).toBe('Allow');
    expect(evaluate(req(alice, 'sts:SetSourceIdentity', role), { resource: t })).toMatchObject({ outcome: 'ImplicitDeny', missingLayer: 'trust' });
  });
  it('SAML and web-identity callers need only the trust policy', () => {
    const provider = `arn:aws:iam::${A}:saml-provider/corp`;
    const t = trust({ Federated: provider }, 'sts:AssumeRoleWithSAML', { Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } });
    const r = req(`federated:${provider}`, 'sts:AssumeRoleWithSAML', role, { context: { 'saml:aud': 'https://signin.aws.amazon.com/saml' } });
    expect(evaluate(r, { resource: t }).outcome).toBe('Allow');
    expect(evaluate({ ...r, context: {} }, { resource: t })).toMatchObject({ outcome: 'ImplicitDeny', missingLayer: 'trust' });
  });
  it('federated users cannot assume roles; the caller session policy still limits (§9 U25)', () => {
    const fed = `arn:aws:sts::${A}:federated-user/bob`;
    expect(evaluate(req(fed, 'sts:AssumeRole', role), { resource: trust('*') })).toMatchObject({ hardRule: 'FederatedUserCannotAssumeRole' });
    const t = trust({ AWS: session });
    expect(evaluate(req(session, 'sts:AssumeRole', role), { resource: t, session: [policy('session', [allow('s3:*')])] })).toMatchObject({
      outcome: 'ImplicitDeny',
      missingLayer: 'session',
    });
  });
});
