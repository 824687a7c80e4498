/**
 * Issue #4 point 8: every STS member limit at the bound (accepted, credentials issued) and just
 * past it (ValidationError 400 in AWS's format, sts-api.md §13: `1 validation error detected:
 * Value '<v>' at '<member>' failed to satisfy constraint: <phrase>`, and no credentials). One
 * table drives it; test/sts/ has the behavioural STS tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_POLICY, startFixture, type Fixture } from './fixture.js';
import { STS_VERSION, dig, formBody, inspect, signedQuery, type Verdict } from './harness.js';

type Pairs = Array<[string, string]>;

/**
 * One limit. `length`: `param` set to `char` repeated n times; `value`: `param` = n; `count`: a
 * list of n items built by `list`. `ok` sizes are accepted (or answer `okCode`, an error the
 * action gives after validation); `bad` sizes fail with `phrase`.
 */
interface Limit {
  readonly action: 'AssumeRole' | 'GetFederationToken' | 'GetSessionToken' | 'DecodeAuthorizationMessage' | 'GetAccessKeyInfo';
  readonly param: string;
  readonly member: string;
  readonly kind: 'length' | 'value' | 'count';
  readonly ok: readonly number[];
  readonly bad: ReadonlyArray<readonly [number, 'min' | 'max']>;
  readonly bound: { readonly min?: number; readonly max?: number };
  readonly char?: string;
  readonly okCode?: string;
  /** Extra members a size needs (e.g. the tag a transitive key names). */
  readonly with?: (n: number) => Pairs;
}

const LIMITS: readonly Limit[] = [
  { action: 'AssumeRole', param: 'RoleSessionName', member: 'roleSessionName', kind: 'length', ok: [2, 64], bad: [[1, 'min'], [65, 'max']], bound: { min: 2, max: 64 }, char: 's' },
  { action: 'AssumeRole', param: 'ExternalId', member: 'externalId', kind: 'length', ok: [2, 1224], bad: [[1, 'min'], [1225, 'max']], bound: { min: 2, max: 1224 }, char: 'e' },
  { action: 'AssumeRole', param: 'SourceIdentity', member: 'sourceIdentity', kind: 'length', ok: [2, 64], bad: [[1, 'min'], [65, 'max']], bound: { min: 2, max: 64 }, char: 'i' },
  { action: 'AssumeRole', param: 'Tags.member.1.Key', member: 'tags.1.member.key', kind: 'length', ok: [1, 128], bad: [[129, 'max']], bound: { max: 128 }, char: 'k', with: () => [['Tags.member.1.Value', 'v']] },
  { action: 'AssumeRole', param: 'Tags.member.1.Value', member: 'tags.1.member.value', kind: 'length', ok: [0, 256], bad: [[257, 'max']], bound: { max: 256 }, char: 'v', with: () => [['Tags.member.1.Key', 'k']] },
  {
    action: 'AssumeRole',
    param: 'TransitiveTagKeys.member.1',
    member: 'transitiveTagKeys.1.member',
    kind: 'length',
    ok: [1, 128],
    bad: [[129, 'max']],
    bound: { max: 128 },
    char: 't',
    with: (n) => [['Tags.member.1.Key', 't'.repeat(Math.min(n, 128))], ['Tags.member.1.Value', 'v']],
  },
  { action: 'AssumeRole', param: 'Policy', member: 'policy', kind: 'length', ok: [2048], bad: [[2049, 'max']], bound: { max: 2048 } },
  { action: 'AssumeRole', param: 'DurationSeconds', member: 'durationSeconds', kind: 'value', ok: [900, 43200], bad: [[899, 'min'], [43201, 'max']], bound: { min: 900, max: 43200 } },
  { action: 'AssumeRole', param: 'Tags', member: 'tags', kind: 'count', ok: [50], bad: [[51, 'max']], bound: { max: 50 } },
  { action: 'AssumeRole', param: 'TransitiveTagKeys', member: 'transitiveTagKeys', kind: 'count', ok: [50], bad: [[51, 'max']], bound: { max: 50 }, with: (n) => tagList(Math.min(n, 50)) },
  { action: 'AssumeRole', param: 'PolicyArns', member: 'policyArns', kind: 'count', ok: [10], bad: [[11, 'max']], bound: { max: 10 } },
  { action: 'GetFederationToken', param: 'Name', member: 'name', kind: 'length', ok: [2, 32], bad: [[1, 'min'], [33, 'max']], bound: { min: 2, max: 32 }, char: 'n' },
  { action: 'GetFederationToken', param: 'Policy', member: 'policy', kind: 'length', ok: [2048], bad: [[2049, 'max']], bound: { max: 2048 } },
  { action: 'GetFederationToken', param: 'DurationSeconds', member: 'durationSeconds', kind: 'value', ok: [900, 129600], bad: [[899, 'min'], [129601, 'max']], bound: { min: 900, max: 129600 } },
  { action: 'GetFederationToken', param: 'Tags', member: 'tags', kind: 'count', ok: [50], bad: [[51, 'max']], bound: { max: 50 } },
  { action: 'GetFederationToken', param: 'PolicyArns', member: 'policyArns', kind: 'count', ok: [10], bad: [[11, 'max']], bound: { max: 10 } },
  { action: 'GetSessionToken', param: 'DurationSeconds', member: 'durationSeconds', kind: 'value', ok: [900, 129600], bad: [[899, 'min'], [129601, 'max']], bound: { min: 900, max: 129600 } },
  {
    action: 'DecodeAuthorizationMessage',
    param: 'EncodedMessage',
    member: 'encodedMessage',
    kind: 'length',
    ok: [1, 10240],
    bad: [[10241, 'max']],
    bound: { min: 1, max: 10240 },
    char: 'A',
    okCode: 'InvalidAuthorizationMessageException',
  },
  { action: 'GetAccessKeyInfo', param: 'AccessKeyId', member: 'accessKeyId', kind: 'length', ok: [16, 128], bad: [[15, 'min'], [129, 'max']], bound: { min: 16, max: 128 }, char: 'A', okCode: 'InvalidParameterValue' },
];

/** Members each action needs besides the one under test. */
function required(action: Limit['action']): Pairs {
  switch (action) {
    case 'AssumeRole':
      return [['RoleArn', f.roleArn], ['RoleSessionName', 'bounds']];
    case 'GetFederationToken':
      return [['Name', 'bounds']];
    default:
      return [];
  }
}

function tagList(n: number): Pairs {
  return Array.from({ length: n }, (_, i) => [[`Tags.member.${i + 1}.Key`, `k${i}`], [`Tags.member.${i + 1}.Value`, `v${i}`]] as Pairs).flat();
}

/** A valid session policy of exactly `n` characters (whitespace counts toward the 2,048). */
function policyOfLength(n: number): string {
  return SESSION_POLICY + ' '.repeat(n - SESSION_POLICY.length);
}

function list(limit: Limit, n: number): Pairs {
  switch (limit.param) {
    case 'Tags':
      return tagList(n);
    case 'TransitiveTagKeys':
      return Array.from({ length: n }, (_, i) => [`TransitiveTagKeys.member.${i + 1}`, `k${i}`] as [string, string]);
    default:
      // 11 customer policies exist in the fixture account (fuzz-policy-0 … -10).
      return f.policyArns.slice(0, n).map((arn, i) => [`PolicyArns.member.${i + 1}.arn`, arn] as [string, string]);
  }
}

/** The member value of size n, and the request members carrying it. */
function request(limit: Limit, n: number): { value: string; members: Pairs } {
  const base = required(limit.action).filter(([k]) => k !== limit.param);
  const extra = limit.with?.(n) ?? [];
  if (limit.kind === 'count') return { value: '', members: [...base, ...extra, ...list(limit, n)] };
  const value = limit.kind === 'value' ? String(n) : limit.param === 'Policy' ? policyOfLength(n) : limit.char!.repeat(n);
  return { value, members: [...base, ...extra, [limit.param, value]] };
}

let f: Fixture;

beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f?.close();
});

async function send(action: string, members: Pairs): Promise<Verdict & { body: string }> {
  const creds = action === 'DecodeAuthorizationMessage' || action === 'GetAccessKeyInfo' ? f.root : f.admin;
  const res = await f.wire.send(await signedQuery(f.wire, 'sts', creds, formBody([['Action', action], ['Version', STS_VERSION], ...members])));
  return { ...inspect(res, 'query'), body: res.body };
}

const ISSUING = new Set(['AssumeRole', 'GetFederationToken', 'GetSessionToken']);

const atBound = LIMITS.flatMap((l) => l.ok.map((n) => [`${l.action} ${l.param} = ${n}${l.kind === 'length' ? ' characters' : l.kind === 'count' ? ' items' : ''}`, l, n] as const));
const pastBound = LIMITS.flatMap((l) => l.bad.map(([n, side]) => [`${l.action} ${l.param} = ${n}${l.kind === 'length' ? ' characters' : l.kind === 'count' ? ' items' : ''}`, l, n, side] as const));

describe('STS limits at the bound', () => {
  it.each(atBound)('%s is accepted', async (_name, limit, n) => {
    const { value, members } = request(limit, n);
    const started = Date.now();
    const verdict = await send(limit.action, members);
    expect(verdict.problems).toEqual([]);
    if (limit.okCode) {
      expect([verdict.code, verdict.message]).not.toContain('ValidationError');
      expect(verdict.code).toBe(limit.okCode);
      return;
    }
    expect([verdict.status, verdict.code, verdict.message]).toEqual([200, undefined, undefined]);
    const result = dig(verdict.parsed, [`${limit.action}Response`, `${limit.action}Result`]) as Record<string, unknown>;
    expect(dig(result, ['Credentials', 'AccessKeyId'])).toMatch(/^ASIA/);
    if (limit.param === 'RoleSessionName') expect(dig(result, ['AssumedRoleUser', 'Arn'])).toBe(`arn:aws:sts::${f.accountId}:assumed-role/fuzz-target/${value}`);
    if (limit.param === 'SourceIdentity') expect(result['SourceIdentity']).toBe(value);
    if (limit.param === 'Name') expect(dig(result, ['FederatedUser', 'Arn'])).toBe(`arn:aws:sts::${f.accountId}:federated-user/${value}`);
    if (limit.param === 'DurationSeconds') {
      const expires = Date.parse(String(dig(result, ['Credentials', 'Expiration'])));
      expect(Math.abs(expires - (started + n * 1000))).toBeLessThan(5000);
    }
  });
});

describe('STS limits just past the bound', () => {
  it.each(pastBound)('%s is a ValidationError', async (_name, limit, n, side) => {
    const { value, members } = request(limit, n);
    const verdict = await send(limit.action, members);
    expect([verdict.status, verdict.code, verdict.problems]).toEqual([400, 'ValidationError', []]);
    const phrase =
      limit.kind === 'value'
        ? `Member must have value ${side === 'min' ? 'greater' : 'less'} than or equal to ${side === 'min' ? limit.bound.min : limit.bound.max}`
        : `Member must have length ${side === 'min' ? 'greater' : 'less'} than or equal to ${side === 'min' ? limit.bound.min : limit.bound.max}`;
    if (limit.kind === 'count') {
      // How AWS prints a list value in the message is not recorded; the member and phrase are.
      expect(verdict.message).toMatch(new RegExp(`^1 validation error detected: Value '.*' at '${limit.member}' failed to satisfy constraint: ${phrase}$`, 's'));
    } else {
      expect(verdict.message).toBe(`1 validation error detected: Value '${value}' at '${limit.member}' failed to satisfy constraint: ${phrase}`);
    }
    if (ISSUING.has(limit.action)) expect(verdict.body).not.toMatch(/<Credentials>|<SessionToken>|ASIA[A-Z0-9]{16}/);
  });

  it('reports every violated member of one request, separated by "; "', async () => {
    const verdict = await send('AssumeRole', [
      ['RoleArn', f.roleArn],
      ['RoleSessionName', 's'],
      ['ExternalId', 'e'.repeat(1225)],
      ['DurationSeconds', '43201'],
    ]);
    expect(verdict.code).toBe('ValidationError');
    const head = '3 validation errors detected: ';
    expect(verdict.message?.startsWith(head)).toBe(true);
    // AWS's order of the parts is unspecified (sts-api.md §13).
    expect(verdict.message!.slice(head.length).split('; ').sort()).toEqual(
      [
        "Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
        `Value '${'e'.repeat(1225)}' at 'externalId' failed to satisfy constraint: Member must have length less than or equal to 1224`,
        "Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
      ].sort(),
    );
  });

  it.each([
    ['RoleSessionName', 'has space', 'roleSessionName', '[\\w+=,.@-]*'],
    ['ExternalId', 'a b', 'externalId', '[\\w+=,.@:\\/-]*'],
    ['SourceIdentity', 'aws:x', 'sourceIdentity', '[\\w+=,.@-]*'],
  ])('%s %j breaks the pattern', async (param, value, member, pattern) => {
    const members: Pairs = [['RoleArn', f.roleArn], ['RoleSessionName', 'bounds']];
    const verdict = await send('AssumeRole', [...members.filter(([k]) => k !== param), [param, value]]);
    expect([verdict.status, verdict.code, verdict.message]).toEqual([
      400,
      'ValidationError',
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`,
    ]);
  });
});
