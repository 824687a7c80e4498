/**
 * Valid Query requests (the seeds) and the mutations applied to them: dropped, duplicated and
 * renamed members, wrong types and sizes, control characters, broken percent-escapes, list
 * index gaps, wrong Version, unknown Action, wrong Content-Type, GET instead of POST.
 */
import fc from 'fast-check';
import { IDENTITY_POLICY, SESSION_POLICY, trustPolicy, type Fixture } from './fixture.js';
import { IAM_VERSION, STS_VERSION, shortly, type Token } from './harness.js';

export interface QueryCase {
  readonly name: string;
  readonly service: 'sts' | 'iam';
  /** Root, or the administrator user (AssumeRole refuses the root; GetFederationToken is richer). */
  readonly signer: 'root' | 'admin';
  readonly pairs: ReadonlyArray<readonly [string, string]>;
}

export function queryCorpus(f: Fixture): QueryCase[] {
  const sts = (name: string, signer: 'root' | 'admin', members: Array<[string, string]>): QueryCase => ({
    name,
    service: 'sts',
    signer,
    pairs: [['Action', name], ['Version', STS_VERSION], ...members],
  });
  const iam = (name: string, members: Array<[string, string]>, label = name): QueryCase => ({
    name: label,
    service: 'iam',
    signer: 'root',
    pairs: [['Action', name], ['Version', IAM_VERSION], ...members],
  });
  const [p0, p1, p2] = f.policyArns as [string, string, string];
  return [
    sts('AssumeRole', 'admin', [
      ['RoleArn', f.roleArn],
      ['RoleSessionName', 'fuzz-session'],
      ['PolicyArns.member.1.arn', p0],
      ['PolicyArns.member.2.arn', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
      ['Policy', SESSION_POLICY],
      ['DurationSeconds', '3600'],
      ['Tags.member.1.Key', 'team'],
      ['Tags.member.1.Value', 'platform'],
      ['Tags.member.2.Key', 'cost-center'],
      ['Tags.member.2.Value', '12345'],
      ['TransitiveTagKeys.member.1', 'team'],
      ['ExternalId', 'build-42'],
      ['SourceIdentity', 'alice'],
    ]),
    {
      ...sts('AssumeRole', 'admin', [
        ['RoleArn', f.roleArn],
        ['RoleSessionName', 'fuzz-mfa'],
        ['SerialNumber', `arn:aws:iam::${f.accountId}:mfa/fuzz-device`],
        ['TokenCode', '123456'],
      ]),
      name: 'AssumeRole+MFA',
    },
    sts('GetSessionToken', 'root', [['DurationSeconds', '900']]),
    sts('GetFederationToken', 'admin', [
      ['Name', 'fuzz-federated'],
      ['Policy', SESSION_POLICY],
      ['PolicyArns.member.1.arn', p0],
      ['DurationSeconds', '3600'],
      ['Tags.member.1.Key', 'team'],
      ['Tags.member.1.Value', 'platform'],
    ]),
    sts('GetCallerIdentity', 'root', []),
    sts('DecodeAuthorizationMessage', 'root', [['EncodedMessage', f.encodedMessage]]),
    sts('GetAccessKeyInfo', 'root', [['AccessKeyId', f.admin.accessKeyId]]),
    iam('CreateRole', [
      ['RoleName', 'fz-role'],
      ['AssumeRolePolicyDocument', trustPolicy(f.accountId)],
      ['Path', '/fuzz/'],
      ['Description', 'a role made by the fuzzer'],
      ['MaxSessionDuration', '7200'],
      ['PermissionsBoundary', p0],
      ['Tags.member.1.Key', 'team'],
      ['Tags.member.1.Value', 'fuzz'],
    ]),
    iam('PutRolePolicy', [
      ['RoleName', f.roleName],
      ['PolicyName', 'fuzz-inline'],
      ['PolicyDocument', IDENTITY_POLICY],
    ]),
    iam('CreatePolicy', [
      ['PolicyName', 'fz-policy'],
      ['Path', '/fuzz/'],
      ['PolicyDocument', IDENTITY_POLICY],
      ['Description', 'made by the fuzzer'],
      ['Tags.member.1.Key', 'team'],
      ['Tags.member.1.Value', 'fuzz'],
    ]),
    iam('CreatePolicyVersion', [
      ['PolicyArn', p1],
      ['PolicyDocument', IDENTITY_POLICY],
      ['SetAsDefault', 'true'],
    ]),
    iam('TagRole', [
      ['RoleName', 'fuzz-other'],
      ['Tags.member.1.Key', 'k1'],
      ['Tags.member.1.Value', 'v1'],
      ['Tags.member.2.Key', 'k2'],
      ['Tags.member.2.Value', ''],
    ]),
    iam('UntagRole', [
      ['RoleName', 'fuzz-other'],
      ['TagKeys.member.1', 'k1'],
    ]),
    iam('CreateUser', [
      ['UserName', 'fz-user'],
      ['Path', '/fuzz/'],
      ['PermissionsBoundary', p0],
      ['Tags.member.1.Key', 'team'],
      ['Tags.member.1.Value', 'fuzz'],
    ]),
    iam('CreateAccessKey', [['UserName', 'fuzz-nobody']]),
    iam('AttachRolePolicy', [
      ['RoleName', 'fuzz-other'],
      ['PolicyArn', p2],
    ]),
    iam('ListRoles', [
      ['PathPrefix', '/'],
      ['Marker', f.listRolesMarker],
      ['MaxItems', '2'],
    ]),
    iam('ListPolicies', [
      ['Scope', 'Local'],
      ['OnlyAttached', 'false'],
      ['MaxItems', '10'],
    ]),
    iam('GetAccountAuthorizationDetails', [
      ['Filter.member.1', 'Role'],
      ['Filter.member.2', 'LocalManagedPolicy'],
      ['MaxItems', '5'],
    ]),
    iam('SimulateCustomPolicy', [
      ['PolicyInputList.member.1', IDENTITY_POLICY],
      ['ActionNames.member.1', 's3:GetObject'],
      ['ResourceArns.member.1', 'arn:aws:s3:::bucket/key'],
      ['ContextEntries.member.1.ContextKeyName', 'aws:MultiFactorAuthPresent'],
      ['ContextEntries.member.1.ContextKeyValues.member.1', 'true'],
      ['ContextEntries.member.1.ContextKeyType', 'boolean'],
    ]),
  ];
}

// ── bad values

const LIMITS = [1, 2, 3, 5, 6, 9, 15, 16, 19, 20, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 512, 513, 1000, 1001, 1224, 1225, 2047, 2048, 2049, 6144, 6145, 10240, 10241, 131072, 131073];

/** Fixed strings that break parsers: numbers of every wrong kind, markup, control characters, odd Unicode. */
const NASTY = [
  '', ' ', 'abc', '12abc', '1.5', '1e3', '0x10', '-1', '0', '-0', '+5', ' 1', '1 ', '00900',
  '99999999999999999999', '9007199254740993', '1e400', '-99999999999999', 'NaN', 'Infinity',
  'true', 'false', 'TRUE', 'null', 'undefined', '[]', '{}', '{"Version":"2012-10-17"}', '{"Statement":[]}', '[1,2',
  '<x>', '</ErrorResponse>', ']]>', '<![CDATA[', '&amp;', '&', '"\'', '\\', '${x}', '%s%n',
  '\u0000', 'a\u0000b', '\u0001\u0002\u0003', '\u0008', '\u000b\u000c', '\u001f', '\u007f', '\u0085', '\u00a0', '\u00ff',
  '\ufeff', '\ufffe', '\uffff', '\ud83d\ude00', 'é', 'Ω', '\u202e', '\u2028', 'a\r\nb', '\r', '\t',
  'arn:aws:iam::123456789012:role/x', 'arn:aws:iam::aws:policy/AdministratorAccess', 'arn:', ':::::', 'arn:aws:iam:::', '*', '/', '//', '/../', 'aws:x',
];

const statement = (extra: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...extra }] });

/** Well-formed values that are wrong a level deeper: policies with grammar errors, ARNs of nothing, plausible names. */
const PLAUSIBLE = [
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*' }] }),
  JSON.stringify({ Version: '2012-10-17', Statement: [] }),
  JSON.stringify({ Version: '2008-10-17', Statement: { Effect: 'Deny', Action: '*', Resource: '*' } }),
  JSON.stringify({ Version: '2099-01-01', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
  JSON.stringify({ Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] }),
  statement({ Principal: '*' }),
  statement({ Principal: { AWS: 'arn:aws:iam::123456789012:user/nobody' } }),
  statement({ NotPrincipal: { AWS: '*' } }),
  statement({ Condition: { NoSuchOperator: { 'aws:x': 'y' } } }),
  statement({ Condition: { StringEquals: { 'aws:PrincipalTag/${aws:username}': ['a', 'b'] } } }),
  statement({ Condition: { DateGreaterThan: { 'aws:CurrentTime': 'not a date' } } }),
  statement({ Condition: { IpAddress: { 'aws:SourceIp': '300.1.1.1/99' } } }),
  statement({ Resource: 'arn:aws:s3:::${aws:unclosed' }),
  statement({ Sid: 'has spaces and ünïcode' }),
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}]}',
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: Array.from({ length: 400 }, (_, i) => `s3:Action${i}`), Resource: '*' }] }),
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `{"Version":"2012-10-17","Statement":${'['.repeat(100)}${']'.repeat(100)}}`,
  'arn:aws:iam::123456789012:role/nobody',
  'arn:aws:iam::123456789012:policy/nobody',
  'arn:aws:iam::aws:policy/NoSuchPolicy',
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
  'arn:aws-cn:iam::123456789012:role/x',
  'arn:aws:iam::12345678901:role/short-account',
  'arn:aws:s3:::bucket',
  'arn:aws:sts::123456789012:assumed-role/r/s',
  'fuzz-target', 'fuzz-other', 'fuzz-admin', 'Fuzz-Target', 'fuzz-policy-0',
  '/a/', '/a//', 'a/', '/a', '/\u0021/', 'v1', 'v6', 'v0', 'v1.a', '2', '1000', '1001', '43200', '43201', '3599',
];

/** Raw (already-encoded) tokens, many of them invalid percent-encoding or invalid UTF-8. */
const RAW = ['%', '%G1', '%2', '%%', '%E0%A4%A', '%FF', '%C3%28', '%ED%A0%80', '%F4%90%80%80', '%C0%AF', '%00', '+', '%2B', 'a+b', '%EF%BF%BE', '%F0%9F%98', '=', '&&', '%26%3D'];

export const badValue: fc.Arbitrary<Token> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PLAUSIBLE) },
  { weight: 3, arbitrary: fc.constantFrom(...RAW).map((raw) => ({ raw })) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...LIMITS), fc.constantFrom('a', '1', 'é', '😀', '{', ' ')).map(([n, c]) => c.repeat(n)) },
  { weight: 2, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String) },
  { weight: 8, arbitrary: fc.constantFrom(...NASTY) },
);

/** Mostly the bad values above; now and then a megabyte, under the 1 MiB body limit once encoded or just over it. */
export const badValueOrHuge: fc.Arbitrary<Token> = fc.oneof(
  { weight: 60, arbitrary: badValue },
  { weight: 1, arbitrary: fc.constantFrom(1_000_000, 1_048_577).map((n) => shortly({ raw: 'm'.repeat(n) }, `{raw: 'm' × ${n}}`)) },
);

export type Mutation =
  | { readonly kind: 'drop'; readonly at: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly value: Token }
  | { readonly kind: 'rename'; readonly at: number; readonly how: 'lower' | 'upper' | 'suffix' | 'prefix' | 'member' | 'unmember' | 'space' }
  | { readonly kind: 'value'; readonly at: number; readonly value: Token }
  | { readonly kind: 'add'; readonly key: Token; readonly value: Token }
  | { readonly kind: 'index'; readonly at: number; readonly index: string }
  | { readonly kind: 'version'; readonly value: string | null }
  | { readonly kind: 'action'; readonly value: string | null };

const OTHER_ACTIONS = [
  '', 'assumerole', 'ASSUMEROLE', 'AssumeRole ', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'AssumeRoot', 'GetWebIdentityToken', 'ListRoles',
  'GetCallerIdentity', 'CreateRole', 'NoSuchAction', 'DescribeOrganization', '<Action>', 'Action', '__proto__', 'constructor', 'toString', 'a'.repeat(300),
];
const VERSIONS = ['', '2011-06-15', '2010-05-08', '2011-06-16', '2099-01-01', 'latest', '2011-6-15', ' 2011-06-15'];
const INDEXES = ['0', '-1', '01', '3', '7', '99999999999999999999', '4294967296', '9007199254740993', '1e3', '1.0', '1.5', 'abc', '', ' 1', '+1', 'member'];

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), value: badValue }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), how: fc.constantFrom('lower', 'upper', 'suffix', 'prefix', 'member', 'unmember', 'space') }),
  },
  { weight: 7, arbitrary: fc.record({ kind: fc.constant('value' as const), at: fc.nat(), value: badValueOrHuge }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      key: fc.oneof(
        fc.constantFrom('Extra', 'Tags.member.1.Key', 'Tags.member.51.Key', 'PolicyArns.member.1.arn', 'X-Amz-Date', 'Policy', 'DurationSeconds', 'Marker', 'MaxItems', 'Tags', 'Tags.member.', '.member.1'),
        fc.string({ maxLength: 20 }),
        fc.constantFrom(...RAW).map((raw) => ({ raw })),
      ),
      value: badValue,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('index' as const), at: fc.nat(), index: fc.constantFrom(...INDEXES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('version' as const), value: fc.option(fc.constantFrom(...VERSIONS), { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('action' as const), value: fc.option(fc.constantFrom(...OTHER_ACTIONS), { nil: null }) }) },
);

function rename(key: string, how: Extract<Mutation, { kind: 'rename' }>['how']): string {
  switch (how) {
    case 'lower':
      return key[0]!.toLowerCase() + key.slice(1);
    case 'upper':
      return key.toUpperCase();
    case 'suffix':
      return `${key}x`;
    case 'prefix':
      return `x${key}`;
    case 'member':
      return `${key}.member.1`;
    case 'unmember':
      return key.replace(/\.member\.\d+/, '');
    case 'space':
      return ` ${key}`;
  }
}

/** Applies mutations to a copy of the pairs; positions wrap around the current length. */
export function mutate(pairs: ReadonlyArray<readonly [string, string]>, mutations: readonly Mutation[]): Array<[Token, Token]> {
  const out: Array<[Token, Token]> = pairs.map(([k, v]) => [k, v]);
  // Positions skip Action and Version (they have mutations of their own) unless nothing else is left.
  const at = (n: number) => {
    const members = out.flatMap(([k], i) => (k === 'Action' || k === 'Version' ? [] : [i]));
    if (members.length > 0) return members[n % members.length]!;
    return out.length === 0 ? -1 : n % out.length;
  };
  for (const m of mutations) {
    switch (m.kind) {
      case 'drop': {
        const i = at(m.at);
        if (i >= 0) out.splice(i, 1);
        break;
      }
      case 'duplicate': {
        const i = at(m.at);
        if (i >= 0) out.splice(i + 1, 0, [out[i]![0], m.value]);
        break;
      }
      case 'rename': {
        const i = at(m.at);
        const key = i >= 0 ? out[i]![0] : undefined;
        if (typeof key === 'string' && key.length > 0) out[i] = [rename(key, m.how), out[i]![1]];
        break;
      }
      case 'value': {
        const i = at(m.at);
        if (i >= 0) out[i] = [out[i]![0], m.value];
        break;
      }
      case 'add':
        out.push([m.key, m.value]);
        break;
      case 'index': {
        // Prefer a list member; otherwise make the member look like a list.
        const listAt = out.findIndex(([k]) => typeof k === 'string' && /\.member\.\d+/.test(k));
        const i = listAt >= 0 ? (listAt + (m.at % 3)) % out.length : at(m.at);
        const key = i >= 0 ? out[i]![0] : undefined;
        if (typeof key === 'string') out[i] = [/\.member\.\d+/.test(key) ? key.replace(/\.member\.\d+/, `.member.${m.index}`) : `${key}.member.${m.index}`, out[i]![1]];
        break;
      }
      case 'version':
      case 'action': {
        const name = m.kind === 'version' ? 'Version' : 'Action';
        const i = out.findIndex(([k]) => k === name);
        if (m.value === null) {
          if (i >= 0) out.splice(i, 1);
        } else if (i >= 0) out[i] = [name, m.value];
        else out.unshift([name, m.value]);
        break;
      }
    }
  }
  return out;
}

export interface Envelope {
  readonly method: 'POST' | 'GET';
  /** null: no Content-Type header. */
  readonly contentType: string | null;
  /** Sign with the other Query service's scope. */
  readonly wrongService: boolean;
}

export const envelope: fc.Arbitrary<Envelope> = fc.record({
  method: fc.oneof({ weight: 6, arbitrary: fc.constant<'POST' | 'GET'>('POST') }, { weight: 1, arbitrary: fc.constant<'POST' | 'GET'>('GET') }),
  contentType: fc.oneof(
    { weight: 14, arbitrary: fc.constant<string | null>('application/x-www-form-urlencoded') },
    { weight: 4, arbitrary: fc.constantFrom<string | null>('application/x-www-form-urlencoded; charset=utf-8', 'APPLICATION/X-WWW-FORM-URLENCODED') },
    { weight: 2, arbitrary: fc.constantFrom<string | null>('text/plain', 'application/json', 'application/x-amz-json-1.1', 'multipart/form-data; boundary=xyz', '', null) },
  ),
  wrongService: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});
