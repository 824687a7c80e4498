import { describe, expect, it } from 'vitest';
import { accessDeniedMessage, evaluate, explain, parsePolicy, type AuthorizationRequest, type CompiledPolicy, type PolicyKind, type PolicySet } from '../../src/policy/index.js';

const A = '111122223333';
const bob = `arn:aws:iam::${A}:user/bob`;
function policy(kind: PolicyKind, statements: Record<string, unknown>[], id: string = kind): CompiledPolicy {
  const r = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), kind, { label: { id } });
  if (!r.ok) throw new Error(r.error.message);
  return r.policy;
}
const allowAll = { Effect: 'Allow', Action: '*', Resource: '*' };
const denyAll = { Effect: 'Deny', Action: '*', Resource: '*' };
const message = (request: AuthorizationRequest, policies: PolicySet) => accessDeniedMessage(request, evaluate(request, policies));
const createRole: AuthorizationRequest = { principal: bob, action: 'iam:CreateRole', resource: `arn:aws:iam::${A}:role/x`, context: {} };

// Wordings: IAM User Guide, "Troubleshoot access denied error messages" (examples per policy type).
describe('AccessDenied messages', () => {
  it('implicit deny in each layer', () => {
    expect(message(createRole, {})).toBe(
      'User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::111122223333:role/x because no identity-based policy allows the iam:CreateRole action',
    );
    const id = [policy('identity', [allowAll])];
    expect(message(createRole, { identity: id, boundary: [policy('boundary', [{ ...allowAll, Action: 's3:*' }])] })).toMatch(
      / on resource: arn:aws:iam::111122223333:role\/x because no permissions boundary allows the iam:CreateRole action$/,
    );
    const role = `arn:aws:sts::${A}:assumed-role/HR/s`;
    expect(message({ ...createRole, principal: role }, { identity: id, session: [policy('session', [{ ...allowAll, Action: 's3:*' }])] })).toBe(
      `User: ${role} is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::111122223333:role/x because no session policy allows the iam:CreateRole action`,
    );
    expect(message(createRole, { identity: id, scp: [[policy('scp', [{ ...allowAll, Action: 's3:*' }])]] })).toMatch(/because no service control policy allows the iam:CreateRole action$/);
    const secret = { principal: bob, action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:us-east-1:444455556666:secret:x', context: {} };
    expect(message(secret, { identity: id })).toMatch(/because no resource-based policy allows the secretsmanager:GetSecretValue action$/);
  });

  it('explicit deny in each layer, with the denying policy ARN when it has one', () => {
    const cases: [PolicySet, string][] = [
      [{ identity: [policy('identity', [denyAll])] }, 'with an explicit deny in an identity-based policy'],
      [{ identity: [policy('identity', [denyAll], 'arn:aws:iam::111122223333:policy/NoIam')] }, 'with an explicit deny in an identity-based policy: arn:aws:iam::111122223333:policy/NoIam'],
      [{ resource: [policy('resource', [{ ...denyAll, Principal: '*' }])] }, 'with an explicit deny in a resource-based policy'],
      [{ boundary: [policy('boundary', [denyAll])] }, 'with an explicit deny in a permissions boundary'],
      [{ scp: [[policy('scp', [denyAll])]] }, 'with an explicit deny in a service control policy'],
      [{ rcp: [[policy('rcp', [{ Effect: 'Deny', Principal: '*', Action: 'iam:*', Resource: '*' }])]] }, 'with an explicit deny in a resource control policy'],
    ];
    for (const [policies, tail] of cases) {
      expect(message(createRole, policies)).toBe(`User: ${bob} is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::111122223333:role/x ${tail}`);
    }
    const role = `arn:aws:sts::${A}:assumed-role/HR/s`;
    expect(message({ ...createRole, principal: role }, { session: [policy('session', [denyAll])] })).toMatch(/with an explicit deny in a session policy$/);
  });

  it('role trust policies', () => {
    const assume: AuthorizationRequest = { principal: bob, action: 'sts:AssumeRole', resource: `arn:aws:iam::${A}:role/r`, context: {} };
    expect(message(assume, { resource: [policy('trust', [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/alice' }, Action: 'sts:AssumeRole' }])] })).toBe(
      `User: ${bob} is not authorized to perform: sts:AssumeRole because no role trust policy allows the sts:AssumeRole action`,
    );
    expect(message(assume, { resource: [policy('trust', [{ Effect: 'Deny', Principal: { AWS: bob }, Action: 'sts:AssumeRole' }])] })).toBe(
      `User: ${bob} is not authorized to perform: sts:AssumeRole with an explicit deny in the role trust policy`,
    );
    expect(message({ ...assume, principal: `arn:aws:iam::${A}:root` }, { resource: [policy('trust', [{ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }])] })).toBe(
      'Roles may not be assumed by root accounts.',
    );
    expect(
      message(
        { principal: 'federated:accounts.google.com', action: 'sts:AssumeRoleWithWebIdentity', resource: `arn:aws:iam::${A}:role/r`, context: {} },
        { resource: [policy('trust', [{ Effect: 'Allow', Principal: { Federated: 'www.amazon.com' }, Action: 'sts:AssumeRoleWithWebIdentity' }])] },
      ),
    ).toBe('Not authorized to perform sts:AssumeRoleWithWebIdentity');
  });

  it('uses "User:" for every kind of principal and is empty for allowed requests', () => {
    for (const principal of [`arn:aws:iam::${A}:root`, `arn:aws:sts::${A}:federated-user/f`, 'anonymous', 's3.amazonaws.com']) {
      expect(message({ ...createRole, principal }, { scp: [[policy('scp', [denyAll])]], resource: [policy('resource', [{ ...denyAll, Principal: '*' }])] })).toMatch(
        new RegExp(`^User: ${principal.replace(/[.*]/g, '\\$&')} is not authorized to perform: iam:CreateRole`),
      );
    }
    expect(message(createRole, { identity: [policy('identity', [allowAll])] })).toBe('');
  });
});

describe('explain', () => {
  const id = [
    policy('identity', [
      { Sid: 'Home', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b', Condition: { StringLike: { 's3:prefix': 'home/${aws:username}/*' } } },
      { Sid: 'Mfa', Effect: 'Deny', Action: '*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
      { Sid: 'Other', Effect: 'Allow', Action: 'ec2:*', Resource: '*' },
    ]),
  ];
  const request: AuthorizationRequest = { principal: bob, action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': 'home/alice/x', 'aws:MultiFactorAuthPresent': 'true' } };

  it('lists failed conditions with key, operator, values and the request value (or missing)', () => {
    const e = explain(request, { identity: id });
    expect(e.decision).toEqual(evaluate(request, { identity: id }));
    expect(e.decision).toMatchObject({ outcome: 'ImplicitDeny', missingLayer: 'identity' });
    expect(e.failedConditions).toEqual([
      expect.objectContaining({ sid: 'Home', operator: 'StringLike', key: 's3:prefix', values: ['home/${aws:username}/*'], requestValue: 'home/alice/x', missing: false, result: false }),
      expect.objectContaining({ sid: 'Mfa', effect: 'Deny', operator: 'BoolIfExists', key: 'aws:MultiFactorAuthPresent', requestValue: 'true' }),
    ]);
    expect(e.missingContextKeys).toEqual(['aws:username']);
    expect(e.message).toMatch(/because no identity-based policy allows the s3:ListBucket action$/);
    expect(e.summary).toBe('no identity-based policy allows s3:ListBucket');
  });

  it('says why each statement did or did not apply, as plain JSON', () => {
    const e = explain({ ...request, context: { 's3:prefix': 'home/bob/x', 'aws:username': 'bob' } }, { identity: id });
    expect(e.decision.outcome).toBe('ExplicitDeny');
    const statements = e.layers.find((l) => l.layer === 'identity')!.policies[0]!.statements;
    expect(statements.map((s) => [s.sid, s.applies, s.reason])).toEqual([
      ['Home', true, 'applies'],
      ['Mfa', true, 'applies'],
      ['Other', false, 'Action does not match s3:ListBucket'],
    ]);
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
    expect(e.summary).toBe('explicitly denied by identity policy identity statement 1 (Sid Mfa)');
  });
});
