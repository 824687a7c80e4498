/**
 * Nothing half-done (DESIGN.md; issue #3 point 10, issue #4 point 8): a write that fails —
 * however late its check — leaves the store exactly as it was, compared through
 * GetAccountAuthorizationDetails, ListRoles, ListPolicies, ListUsers and ListAccessKeys; a
 * failed AssumeRole or GetFederationToken answers no credentials at all.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY_POLICY, SESSION_POLICY, startFixture, trustPolicy, type Fixture } from './fixture.js';
import { IAM_VERSION, STS_VERSION, describeRequest, dig, formBody, fuzzRuns, inspect, signedQuery, type Verdict } from './harness.js';
import { mutate, mutation } from './query-corpus.js';

let f: Fixture;

type Pairs = Array<[string, string]>;

async function call(service: 'sts' | 'iam', signer: 'root' | 'admin', action: string, members: Pairs): Promise<Verdict & { body: string }> {
  const body = formBody([['Action', action], ['Version', service === 'sts' ? STS_VERSION : IAM_VERSION], ...members]);
  const res = await f.wire.send(await signedQuery(f.wire, service, signer === 'root' ? f.root : f.admin, body));
  return { ...inspect(res, 'query'), body: res.body };
}

async function ok(action: string, members: Pairs): Promise<Verdict> {
  const v = await call('iam', 'root', action, members);
  if (v.status !== 200) throw new Error(`setup ${action}: ${v.status} ${v.code} ${v.message}`);
  return v;
}

/** Every page of a listing, request IDs removed. */
async function pages(action: string, members: Pairs): Promise<string> {
  const out: string[] = [];
  let marker: string | undefined;
  do {
    const v = await call('iam', 'root', action, [...members, ['MaxItems', '100'], ...(marker ? ([['Marker', marker]] as Pairs) : [])]);
    if (v.status !== 200) throw new Error(`${action}: ${v.status} ${v.code}`);
    out.push(v.body.replace(/<RequestId>[^<]*<\/RequestId>/, ''));
    const result = dig(v.parsed, [`${action}Response`, `${action}Result`]) as Record<string, unknown>;
    marker = result['IsTruncated'] === 'true' ? String(result['Marker']) : undefined;
  } while (marker);
  return out.join('\n');
}

/** The account's IAM state as the API shows it. */
async function snapshot(): Promise<string> {
  const users = await pages('ListUsers', []);
  const keys: string[] = [];
  for (const [, name] of users.matchAll(/<UserName>([^<]*)<\/UserName>/g)) keys.push(await pages('ListAccessKeys', [['UserName', name!]]));
  return [
    await pages('GetAccountAuthorizationDetails', []),
    await pages('ListRoles', []),
    await pages('ListPolicies', [['Scope', 'Local']]),
    users,
    ...keys,
    await pages('ListAccessKeys', []),
  ].join('\n');
}

/** A valid identity policy of about `size` characters (IAM counts no whitespace). */
function policyOfSize(size: number): string {
  const base = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'S', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
  return base.replace('"Sid":"S"', `"Sid":"S${'a'.repeat(Math.max(0, size - base.length))}"`);
}

/** A trust policy whose size is over the 2,048 quota. */
function bigTrust(accountId: string): string {
  const doc = JSON.parse(trustPolicy(accountId)) as { Statement: Array<Record<string, unknown>> };
  doc.Statement[0]!['Sid'] = `T${'b'.repeat(2100)}`;
  return JSON.stringify(doc);
}

/** `length` characters that deflate does not shrink (tag-safe base64 of hashes). */
function noise(seed: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`${seed}/${i}`).digest('base64');
  return out.slice(0, length);
}

const tags = (n: number, prefix = 'k', at = 1): Pairs => Array.from({ length: n }, (_, i) => [[`Tags.member.${i + at}.Key`, `${prefix}${i}`], [`Tags.member.${i + at}.Value`, `v${i}`]] as Pairs).flat();

beforeAll(async () => {
  f = await startFixture();
  // A policy with its 5 versions, a role near its inline quota, near its tag quota, with 10
  // policies attached, a user near its inline quota and one with 2 access keys.
  const full = dig((await ok('CreatePolicy', [['PolicyName', 'pw-full'], ['PolicyDocument', IDENTITY_POLICY]])).parsed, ['CreatePolicyResponse', 'CreatePolicyResult', 'Policy', 'Arn']) as string;
  for (let i = 0; i < 4; i++) await ok('CreatePolicyVersion', [['PolicyArn', full], ['PolicyDocument', IDENTITY_POLICY]]);
  await ok('CreateRole', [['RoleName', 'pw-role'], ['AssumeRolePolicyDocument', trustPolicy(f.accountId)], ...tags(45)]);
  await ok('PutRolePolicy', [['RoleName', 'pw-role'], ['PolicyName', 'big'], ['PolicyDocument', policyOfSize(9000)]]);
  await ok('PutRolePolicy', [['RoleName', 'pw-role'], ['PolicyName', 'small'], ['PolicyDocument', policyOfSize(500)]]);
  for (const arn of f.policyArns.slice(0, 10)) await ok('AttachRolePolicy', [['RoleName', 'pw-role'], ['PolicyArn', arn]]);
  await ok('CreateUser', [['UserName', 'pw-user']]);
  await ok('PutUserPolicy', [['UserName', 'pw-user'], ['PolicyName', 'p'], ['PolicyDocument', policyOfSize(1500)]]);
  await ok('CreateAccessKey', [['UserName', 'pw-user']]);
  await ok('CreateAccessKey', [['UserName', 'pw-user']]);
  fullPolicyArn = full;
});
afterAll(async () => {
  await f?.close();
});

let fullPolicyArn = '';

interface FailingWrite {
  readonly name: string;
  readonly service: 'sts' | 'iam';
  readonly signer: 'root' | 'admin';
  readonly action: string;
  readonly members: () => Pairs;
  readonly code: string;
}

const iam = (name: string, action: string, code: string, members: () => Pairs): FailingWrite => ({ name, service: 'iam', signer: 'root', action, members, code });
const sts = (name: string, action: string, code: string, members: () => Pairs): FailingWrite => ({ name, service: 'sts', signer: 'admin', action, members, code });

const newRole = (extra: Pairs, trust?: string): Pairs => [['RoleName', 'pw-new-role'], ['AssumeRolePolicyDocument', trust ?? trustPolicy(f.accountId)], ...extra];
const newPolicy = (extra: Pairs, document = IDENTITY_POLICY): Pairs => [['PolicyName', 'pw-new-policy'], ['PolicyDocument', document], ...extra];
const assume = (extra: Pairs, roleArn?: string): Pairs => [['RoleArn', roleArn ?? f.roleArn], ['RoleSessionName', 'pw-session'], ...extra];

const FAILING: readonly FailingWrite[] = [
  iam('CreateRole: trust policy not JSON', 'CreateRole', 'MalformedPolicyDocument', () => newRole([], '{"Version":')),
  iam('CreateRole: trust policy with Resource', 'CreateRole', 'MalformedPolicyDocument', () =>
    newRole([], JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Resource: '*' }] })),
  ),
  iam('CreateRole: trust policy naming a user that does not exist', 'CreateRole', 'MalformedPolicyDocument', () =>
    newRole([], JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${f.accountId}:user/nobody` }, Action: 'sts:AssumeRole' }] })),
  ),
  iam('CreateRole: trust policy over 2,048', 'CreateRole', 'LimitExceeded', () => newRole([], bigTrust(f.accountId))),
  iam('CreateRole: 51 tags', 'CreateRole', 'ValidationError', () => newRole(tags(51))),
  iam('CreateRole: tag keys equal but for case', 'CreateRole', 'InvalidInput', () => newRole([...tags(1, 'Team'), ...tags(1, 'team', 2)])),
  iam('CreateRole: aws: tag key', 'CreateRole', 'InvalidInput', () => newRole(tags(1, 'aws:x'))),
  iam('CreateRole: boundary that is not a policy ARN', 'CreateRole', 'InvalidInput', () => newRole([['PermissionsBoundary', f.roleArn]])),
  iam('CreateRole: boundary policy that does not exist', 'CreateRole', 'NoSuchEntity', () => newRole([['PermissionsBoundary', `arn:aws:iam::${f.accountId}:policy/nothing-here`]])),
  iam('CreateRole: MaxSessionDuration 43201', 'CreateRole', 'ValidationError', () => newRole([['MaxSessionDuration', '43201']])),
  iam('CreateRole: bad path', 'CreateRole', 'ValidationError', () => newRole([['Path', 'no-slashes']])),
  iam('CreateRole: name taken, other case', 'CreateRole', 'EntityAlreadyExists', () => [['RoleName', 'FUZZ-TARGET'], ['AssumeRolePolicyDocument', trustPolicy(f.accountId)], ...tags(3)]),
  iam('UpdateAssumeRolePolicy: identity grammar', 'UpdateAssumeRolePolicy', 'MalformedPolicyDocument', () => [['RoleName', 'pw-role'], ['PolicyDocument', IDENTITY_POLICY]]),
  iam('CreateUser: boundary policy that does not exist', 'CreateUser', 'NoSuchEntity', () => [['UserName', 'pw-new-user'], ['PermissionsBoundary', `arn:aws:iam::${f.accountId}:policy/none`]]),
  iam('CreateUser: tag keys equal but for case', 'CreateUser', 'InvalidInput', () => [['UserName', 'pw-new-user'], ...tags(1, 'A'), ...tags(1, 'a', 2)]),
  iam('CreateUser: name taken', 'CreateUser', 'EntityAlreadyExists', () => [['UserName', 'PW-USER'], ...tags(2)]),
  iam('CreatePolicy: not JSON', 'CreatePolicy', 'MalformedPolicyDocument', () => newPolicy([], '{')),
  iam('CreatePolicy: names a principal', 'CreatePolicy', 'MalformedPolicyDocument', () =>
    newPolicy([], JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] })),
  ),
  iam('CreatePolicy: unknown condition operator', 'CreatePolicy', 'MalformedPolicyDocument', () =>
    newPolicy([], JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEqualz: { 'aws:x': 'y' } } }] })),
  ),
  iam('CreatePolicy: over 6,144', 'CreatePolicy', 'LimitExceeded', () => newPolicy([], policyOfSize(6200))),
  iam('CreatePolicy: duplicate tag keys', 'CreatePolicy', 'InvalidInput', () => newPolicy([...tags(1, 'x'), ...tags(1, 'x', 2)])),
  iam('CreatePolicy: name taken', 'CreatePolicy', 'EntityAlreadyExists', () => [['PolicyName', 'pw-full'], ['PolicyDocument', IDENTITY_POLICY], ...tags(2)]),
  iam('CreatePolicyVersion: sixth version', 'CreatePolicyVersion', 'LimitExceeded', () => [['PolicyArn', fullPolicyArn], ['PolicyDocument', SESSION_POLICY]]),
  iam('CreatePolicyVersion: sixth version as default', 'CreatePolicyVersion', 'LimitExceeded', () => [['PolicyArn', fullPolicyArn], ['PolicyDocument', SESSION_POLICY], ['SetAsDefault', 'true']]),
  iam('CreatePolicyVersion: malformed document', 'CreatePolicyVersion', 'MalformedPolicyDocument', () => [['PolicyArn', f.policyArns[3]!], ['PolicyDocument', '[]'], ['SetAsDefault', 'true']]),
  iam('PutRolePolicy: aggregate over 10,240', 'PutRolePolicy', 'LimitExceeded', () => [['RoleName', 'pw-role'], ['PolicyName', 'extra'], ['PolicyDocument', policyOfSize(1000)]]),
  iam('PutRolePolicy: replacement over the aggregate', 'PutRolePolicy', 'LimitExceeded', () => [['RoleName', 'pw-role'], ['PolicyName', 'small'], ['PolicyDocument', policyOfSize(1500)]]),
  iam('PutRolePolicy: malformed', 'PutRolePolicy', 'MalformedPolicyDocument', () => [['RoleName', 'pw-role'], ['PolicyName', 'small'], ['PolicyDocument', '{"Statement":[]}']]),
  iam('PutRolePolicy: role does not exist', 'PutRolePolicy', 'NoSuchEntity', () => [['RoleName', 'pw-nothing'], ['PolicyName', 'p'], ['PolicyDocument', IDENTITY_POLICY]]),
  iam('PutUserPolicy: aggregate over 2,048', 'PutUserPolicy', 'LimitExceeded', () => [['UserName', 'pw-user'], ['PolicyName', 'q'], ['PolicyDocument', policyOfSize(600)]]),
  iam('TagRole: 51 tags', 'TagRole', 'ValidationError', () => [['RoleName', 'pw-role'], ...tags(51, 'n')]),
  iam('TagRole: 45 + 6 tags', 'TagRole', 'LimitExceeded', () => [['RoleName', 'pw-role'], ...tags(6, 'n')]),
  iam('TagRole: duplicate keys', 'TagRole', 'InvalidInput', () => [['RoleName', 'pw-role'], ...tags(1, 'N'), ...tags(1, 'n', 2)]),
  iam('AttachRolePolicy: eleventh policy', 'AttachRolePolicy', 'LimitExceeded', () => [['RoleName', 'pw-role'], ['PolicyArn', f.policyArns[10]!]]),
  iam('AttachRolePolicy: policy does not exist', 'AttachRolePolicy', 'NoSuchEntity', () => [['RoleName', 'fuzz-other'], ['PolicyArn', `arn:aws:iam::${f.accountId}:policy/none`]]),
  iam('AttachRolePolicy: not an ARN', 'AttachRolePolicy', 'ValidationError', () => [['RoleName', 'fuzz-other'], ['PolicyArn', 'fuzz-policy-0-not-an-arn']]),
  iam('CreateAccessKey: third key', 'CreateAccessKey', 'LimitExceeded', () => [['UserName', 'pw-user']]),
  sts('AssumeRole: session policy not JSON', 'AssumeRole', 'MalformedPolicyDocument', () => assume([['Policy', '{"Version":"2012-10-17","Statement":[']])),
  sts('AssumeRole: session policy with a principal', 'AssumeRole', 'MalformedPolicyDocument', () =>
    assume([['Policy', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] })]]),
  ),
  sts('AssumeRole: managed session policy that does not exist', 'AssumeRole', 'MalformedPolicyDocument', () => assume([['PolicyArns.member.1.arn', `arn:aws:iam::${f.accountId}:policy/none`]])),
  sts('AssumeRole: 51 tags', 'AssumeRole', 'ValidationError', () => assume(tags(51))),
  sts('AssumeRole: tag keys equal but for case', 'AssumeRole', 'InvalidParameterValue', () => assume([...tags(1, 'K'), ...tags(1, 'k', 2)])),
  sts('AssumeRole: transitive key not among the tags', 'AssumeRole', 'InvalidParameterValue', () => assume([...tags(1), ['TransitiveTagKeys.member.1', 'other']])),
  sts('AssumeRole: packed policy too large', 'AssumeRole', 'PackedPolicyTooLarge', () =>
    assume(Array.from({ length: 20 }, (_, i) => [[`Tags.member.${i + 1}.Key`, `k${i}-${noise(`key${i}`, 100)}`], [`Tags.member.${i + 1}.Value`, noise(`value${i}`, 256)]] as Pairs).flat()),
  ),
  sts('AssumeRole: duration over the role maximum', 'AssumeRole', 'ValidationError', () => assume([['DurationSeconds', '7200']], f.roleArn.replace('fuzz-target', 'fuzz-other'))),
  sts('AssumeRole: MFA device that does not exist', 'AssumeRole', 'AccessDenied', () => assume([['SerialNumber', `arn:aws:iam::${f.accountId}:mfa/none`], ['TokenCode', '123456']])),
  sts('GetFederationToken: session policy not JSON', 'GetFederationToken', 'MalformedPolicyDocument', () => [['Name', 'pw-fed'], ['Policy', '{']]),
  sts('GetFederationToken: 51 tags', 'GetFederationToken', 'ValidationError', () => [['Name', 'pw-fed'], ...tags(51)]),
];

describe('a failed write leaves the store as it was', () => {
  it('a successful write does change the snapshot (the comparison can fail)', async () => {
    const before = await snapshot();
    await ok('TagRole', [['RoleName', 'fuzz-other'], ['Tags.member.1.Key', 'probe'], ['Tags.member.1.Value', 'x']]);
    expect(await snapshot()).not.toBe(before);
    await ok('UntagRole', [['RoleName', 'fuzz-other'], ['TagKeys.member.1', 'probe']]);
    expect(await snapshot()).toBe(before);
  });

  it.each(FAILING.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = await snapshot();
    const verdict = await call(c.service, c.signer, c.action, c.members());
    expect([verdict.status >= 400 && verdict.status < 500, verdict.code, verdict.problems]).toEqual([true, c.code, []]);
    expect(verdict.body).not.toMatch(/<Credentials>|<SessionToken>|ASIA[A-Z0-9]{16}/);
    expect(await snapshot()).toBe(before);
  });

  it('mutated writes: every request that fails leaves the store as it was', async () => {
    const seeds: Array<{ action: string; pairs: Pairs }> = [
      { action: 'CreateRole', pairs: newRole([['Path', '/pw/'], ['Description', 'd'], ['MaxSessionDuration', '7200'], ['PermissionsBoundary', f.policyArns[0]!], ...tags(2)]) },
      { action: 'CreatePolicy', pairs: newPolicy([['Path', '/pw/'], ['Description', 'd'], ...tags(2)]) },
      { action: 'CreatePolicyVersion', pairs: [['PolicyArn', f.policyArns[4]!], ['PolicyDocument', SESSION_POLICY], ['SetAsDefault', 'true']] },
      { action: 'PutRolePolicy', pairs: [['RoleName', 'pw-role'], ['PolicyName', 'small'], ['PolicyDocument', policyOfSize(400)]] },
      { action: 'TagRole', pairs: [['RoleName', 'pw-role'], ...tags(3, 'm')] },
      { action: 'CreateUser', pairs: [['UserName', 'pw-new-user'], ['Path', '/pw/'], ...tags(2)] },
      { action: 'AttachRolePolicy', pairs: [['RoleName', 'fuzz-other'], ['PolicyArn', f.policyArns[5]!]] },
      { action: 'CreateAccessKey', pairs: [['UserName', 'fuzz-nobody']] },
    ];
    let before = await snapshot();
    let failed = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 2 }), async (which, mutations) => {
        const seed = seeds[which]!;
        const body = formBody(mutate([['Action', seed.action], ['Version', IAM_VERSION], ...seed.pairs], mutations));
        const req = await signedQuery(f.wire, 'iam', f.root, body);
        const verdict = inspect(await f.wire.send(req), 'query');
        if (verdict.problems.length > 0) throw new Error(`${verdict.problems.join('; ')}\n${describeRequest(req)}`);
        const after = await snapshot();
        if (verdict.status === 200) before = after;
        else {
          failed++;
          if (after !== before) throw new Error(`a failed ${seed.action} (${verdict.code}: ${verdict.message}) changed the store\n${describeRequest(req)}`);
        }
      }),
      fuzzRuns(0x5eed_0050, 150),
    );
    expect(failed).toBeGreaterThan(75);
  }, 120_000);
});
