/**
 * Random policies and requests for the differential test against @cloud-copilot/iam-simulate.
 * The grammar is constrained to what both engines model: identity policies, a permissions
 * boundary, one SCP level and a resource policy; real actions with resource ARNs of the right
 * type; typed condition values drawn from small pools so conditions sometimes hold.
 */

import fc from 'fast-check';

export const A = '111122223333';
export const B = '444455556666';

export interface GeneratedCase {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly context: Record<string, string | string[]>;
  readonly identity: Record<string, unknown>[];
  readonly boundary?: Record<string, unknown>;
  readonly scp?: Record<string, unknown>;
  readonly resourcePolicy?: Record<string, unknown>;
}

const TARGETS = [
  { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/home/alice/a.txt', account: A },
  { action: 's3:ListBucket', resource: 'arn:aws:s3:::bucket', account: A },
  { action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:us-east-1:${A}:table/Thread`, account: A },
  { action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${A}:queue1`, account: A },
  { action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${B}:queue2`, account: B },
  { action: 'ec2:DescribeInstances', resource: '*', account: A },
] as const;

const PRINCIPALS = [`arn:aws:iam::${A}:user/alice`, `arn:aws:sts::${A}:assumed-role/app/s1`, `arn:aws:iam::${B}:user/bob`];

const ACTIONS = ['*', 's3:*', 's3:GetObject', 's3:Get*', 's3:List*', 'dynamodb:*', 'dynamodb:Get?tem', 'ec2:Describe*', 'sqs:SendMessage', 'sqs:*', 'iam:GetUser'];
const RESOURCES = [
  '*',
  'arn:aws:s3:::bucket/*',
  'arn:aws:s3:::bucket',
  'arn:aws:s3:::*',
  'arn:aws:s3:::bucket/home/${aws:username}/*',
  'arn:aws:dynamodb:*:*:table/Thread',
  'arn:aws:dynamodb:us-east-1:*:table/*',
  `arn:aws:sqs:us-east-1:${A}:*`,
  'arn:aws:sqs:*:*:queue?',
];

/** Context keys with their type and a pool of values. */
const KEYS: readonly { key: string; type: 'String' | 'Bool' | 'Ip' | 'Date' | 'Numeric' | 'Arn' | 'Multi'; pool: readonly string[] }[] = [
  { key: 'aws:username', type: 'String', pool: ['alice', 'bob', 'Alice'] },
  { key: 'aws:PrincipalTag/team', type: 'String', pool: ['blue', 'red', 'Blue'] },
  { key: 'aws:RequestedRegion', type: 'String', pool: ['us-east-1', 'eu-west-1'] },
  { key: 'aws:SecureTransport', type: 'Bool', pool: ['true', 'false'] },
  { key: 'aws:MultiFactorAuthPresent', type: 'Bool', pool: ['true', 'false'] },
  { key: 'aws:SourceIp', type: 'Ip', pool: ['10.1.2.3', '192.168.0.1', '2001:db8::1'] },
  { key: 'aws:CurrentTime', type: 'Date', pool: ['2020-01-01T00:00:00Z', '2024-06-01T12:00:00Z'] },
  { key: 'aws:MultiFactorAuthAge', type: 'Numeric', pool: ['60', '3600', '7200'] },
  { key: 'aws:PrincipalArn', type: 'Arn', pool: [`arn:aws:iam::${A}:user/alice`, `arn:aws:iam::${A}:role/app`] },
  { key: 'aws:TagKeys', type: 'Multi', pool: ['team', 'env', 'owner'] },
];

const POLICY_VALUES: Readonly<Record<string, readonly string[]>> = {
  String: ['alice', 'blue', 'us-east-1', 'a*', '${aws:username}', 'bl?e'],
  Bool: ['true', 'false'],
  Ip: ['10.0.0.0/8', '192.168.0.1', '2001:db8::/32'],
  Date: ['2022-01-01T00:00:00Z', '2024-06-01T12:00:00Z'],
  Numeric: ['3600', '100'],
  Arn: [`arn:aws:iam::${A}:user/*`, `arn:aws:iam::${A}:role/app`, 'arn:aws:iam::*:role/*'],
  Multi: ['team', 'env', 'x'],
};

const OPERATORS: Readonly<Record<string, readonly string[]>> = {
  String: ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'StringEqualsIgnoreCase', 'StringEqualsIfExists', 'StringNotEqualsIfExists', 'Null'],
  Bool: ['Bool', 'BoolIfExists', 'Null'],
  Ip: ['IpAddress', 'NotIpAddress', 'IpAddressIfExists'],
  Date: ['DateGreaterThan', 'DateLessThan', 'DateEquals', 'DateNotEquals'],
  Numeric: ['NumericLessThan', 'NumericGreaterThanEquals', 'NumericNotEquals', 'NumericLessThanIfExists'],
  Arn: ['ArnLike', 'ArnNotLike', 'ArnEquals'],
  Multi: ['ForAnyValue:StringEquals', 'ForAllValues:StringEquals', 'ForAnyValue:StringNotEquals', 'ForAllValues:StringLike', 'ForAnyValue:StringEqualsIfExists'],
};

const condition = fc
  .record({ key: fc.constantFrom(...KEYS), opIndex: fc.nat(), values: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }) })
  .map(({ key, opIndex, values }) => {
    const ops = OPERATORS[key.type]!;
    const operator = ops[opIndex % ops.length]!;
    const pool = operator === 'Null' ? ['true', 'false'] : POLICY_VALUES[key.type]!;
    const chosen = [...new Set(values.map((v) => pool[v % pool.length]!))];
    return { [operator]: { [key.key]: chosen.length === 1 ? chosen[0]! : chosen } };
  });

const statement = (withPrincipal: boolean) =>
  fc
    .record({
      effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
      notAction: fc.boolean(),
      actions: fc.uniqueArray(fc.constantFrom(...ACTIONS), { minLength: 1, maxLength: 2 }),
      notResource: fc.boolean(),
      resources: fc.uniqueArray(fc.constantFrom(...RESOURCES), { minLength: 1, maxLength: 2 }),
      condition: fc.option(condition, { freq: 2 }),
      principal: fc.constantFrom<unknown>('*', { AWS: A }, { AWS: `arn:aws:iam::${A}:root` }, { AWS: PRINCIPALS[0] }, { AWS: `arn:aws:iam::${A}:role/app` }, { AWS: PRINCIPALS[1] }, { AWS: B }),
    })
    .map((s) => ({
      Effect: s.effect,
      ...(withPrincipal ? { Principal: s.principal } : {}),
      [s.notAction && s.actions[0] !== '*' ? 'NotAction' : 'Action']: s.actions,
      [s.notResource && s.resources[0] !== '*' ? 'NotResource' : 'Resource']: s.resources,
      ...(s.condition ? { Condition: s.condition } : {}),
    }));

const policy = (withPrincipal: boolean) =>
  fc.array(statement(withPrincipal), { minLength: 1, maxLength: 3 }).map((Statement) => ({ Version: '2012-10-17', Statement }));

const context = fc
  .subarray([...KEYS], { minLength: 0 })
  .chain((keys) =>
    fc.tuple(...keys.map((k) => (k.type === 'Multi' ? fc.subarray([...k.pool]) : fc.constantFrom(...k.pool)).map((v) => [k.key, v] as const))),
  )
  .map((entries) => Object.fromEntries(entries) as Record<string, string | string[]>);

export const generatedCase: fc.Arbitrary<GeneratedCase> = fc
  .record({
    principal: fc.constantFrom(...PRINCIPALS),
    target: fc.constantFrom(...TARGETS),
    context,
    identity: fc.array(policy(false), { minLength: 1, maxLength: 2 }),
    boundary: fc.option(policy(false), { freq: 3 }),
    scp: fc.option(policy(false), { freq: 4 }),
    resourcePolicy: fc.option(policy(true), { freq: 3 }),
  })
  .map((g) => ({
    principal: g.principal,
    action: g.target.action,
    resource: g.target.resource,
    resourceAccount: g.target.account,
    context: g.context,
    identity: g.identity,
    ...(g.boundary ? { boundary: g.boundary } : {}),
    ...(g.scp ? { scp: g.scp } : {}),
    // Resource policies only for resources that have them in this model (S3, SQS).
    ...(g.resourcePolicy && g.target.resource !== '*' && !g.target.action.startsWith('dynamodb') ? { resourcePolicy: g.resourcePolicy } : {}),
  }));
