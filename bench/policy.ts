/**
 * `npm run bench:policy` — decisions per second of the policy engine on three workloads, the same
 * inputs through @cloud-copilot/iam-simulate (devDependency, for comparison only), and the cold
 * path (parse + compile + one evaluation).
 *
 *   (a) one small identity policy
 *   (b) a realistic role: 34 statements with conditions, policy variables and NotAction
 *   (c) 10 identity policies × 10 statements + a permissions boundary + a session policy
 */

import { runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { evaluate, parsePolicy, type AuthorizationRequest, type CompiledPolicy, type PolicyKind, type PolicySet } from '../src/policy/index.js';

const A = '111122223333';

type Doc = { Version: string; Statement: Record<string, unknown>[] };

// ---------------------------------------------------------------------------------------------
// Workloads

const small: Doc = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/*'] }],
};

const services = ['dynamodb', 'sqs', 'sns', 'kms', 'logs', 'lambda', 'ecr', 'ssm', 'secretsmanager', 'cloudwatch'];
const realisticRole: Doc = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'DenyInsecureTransport', Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    {
      Sid: 'DenyWithoutMfa',
      Effect: 'Deny',
      NotAction: ['iam:GetUser', 'iam:ListMFADevices', 'sts:GetSessionToken', 'iam:ChangePassword'],
      Resource: '*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    },
    {
      Sid: 'DenyOutsideRegions',
      Effect: 'Deny',
      NotAction: ['iam:*', 'sts:*', 'organizations:*', 'support:*', 'cloudfront:*', 'route53:*'],
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
    },
    { Sid: 'DenyBillingBuckets', Effect: 'Deny', Action: 's3:*', Resource: ['arn:aws:s3:::billing-*', 'arn:aws:s3:::billing-*/*'] },
    ...services.flatMap((svc, i) => [
      {
        Sid: `Read${i}`,
        Effect: 'Allow',
        Action: [`${svc}:Get*`, `${svc}:List*`, `${svc}:Describe*`],
        Resource: `arn:aws:${svc}:*:${A}:*`,
        Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } },
      },
      {
        Sid: `Write${i}`,
        Effect: 'Allow',
        Action: [`${svc}:Put*`, `${svc}:Update*`, `${svc}:Create*`],
        Resource: `arn:aws:${svc}:us-east-1:${A}:table/app-\${aws:PrincipalTag/team}-*`,
        Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' }, IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] } },
      },
    ]),
    {
      Sid: 'HomeList',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::home-bucket',
      Condition: { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/*'] } },
    },
    { Sid: 'HomeObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::home-bucket/home/${aws:username}/*' },
    { Sid: 'SharedRead', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared-*/public/*' },
    {
      Sid: 'TaggedEc2',
      Effect: 'Allow',
      Action: ['ec2:StartInstances', 'ec2:StopInstances', 'ec2:RebootInstances'],
      Resource: `arn:aws:ec2:*:${A}:instance/*`,
      Condition: { StringEquals: { 'aws:ResourceTag/Owner': '${aws:username}' } },
    },
    { Sid: 'Describe', Effect: 'Allow', Action: ['ec2:Describe*', 'cloudwatch:GetMetricData', 'tag:GetResources'], Resource: '*' },
    {
      Sid: 'PassAppRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: `arn:aws:iam::${A}:role/app/*`,
      Condition: { StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'] } },
    },
    { Sid: 'OwnKeys', Effect: 'Allow', Action: ['iam:*AccessKey*', 'iam:GetUser', 'iam:ChangePassword'], Resource: `arn:aws:iam::${A}:user/\${aws:username}` },
    {
      Sid: 'TagOnCreate',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: '*',
      Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env', 'Owner'] }, StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
    },
    {
      Sid: 'Window',
      Effect: 'Allow',
      Action: 'ssm:StartSession',
      Resource: '*',
      Condition: { DateGreaterThan: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' }, DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
    },
    {
      Sid: 'QueuesFromTopics',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: `arn:aws:sqs:*:${A}:*`,
      Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:sns:*:${A}:*` } },
    },
    { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `arn:aws:logs:*:${A}:log-group:/app/*` },
  ],
};

const requestB: AuthorizationRequest[] = [
  {
    principal: `arn:aws:sts::${A}:assumed-role/dev/alice`,
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::home-bucket/home/alice/notes.txt',
    resourceAccount: A,
    context: {
      'aws:SecureTransport': 'true',
      'aws:MultiFactorAuthPresent': 'true',
      'aws:RequestedRegion': 'us-east-1',
      'aws:username': 'alice',
      'aws:PrincipalTag/team': 'blue',
      'aws:SourceIp': '10.1.2.3',
      'aws:CurrentTime': '2025-06-01T12:00:00Z',
      'aws:PrincipalAccount': A,
    },
  },
  {
    principal: `arn:aws:sts::${A}:assumed-role/dev/alice`,
    action: 'dynamodb:PutItem',
    resource: `arn:aws:dynamodb:us-east-1:${A}:table/app-blue-orders`,
    resourceAccount: A,
    context: {
      'aws:SecureTransport': 'true',
      'aws:MultiFactorAuthPresent': 'true',
      'aws:RequestedRegion': 'us-east-1',
      'aws:username': 'alice',
      'aws:PrincipalTag/team': 'blue',
      'aws:SourceIp': '10.1.2.3',
    },
  },
  {
    principal: `arn:aws:sts::${A}:assumed-role/dev/alice`,
    action: 'kms:Decrypt',
    resource: `arn:aws:kms:us-east-1:${A}:key/1234`,
    resourceAccount: A,
    context: { 'aws:SecureTransport': 'true', 'aws:MultiFactorAuthPresent': 'true', 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalTag/team': 'blue' },
  },
];

const manyIdentity: Doc[] = Array.from({ length: 10 }, (_, p) => ({
  Version: '2012-10-17',
  Statement: Array.from({ length: 10 }, (_, s) => ({
    Sid: `P${p}S${s}`,
    Effect: s === 9 ? 'Deny' : 'Allow',
    Action: [`${services[(p + s) % services.length]}:${s % 2 ? 'Get' : 'Put'}*`, `${services[(p * 3 + s) % services.length]}:List*`],
    Resource: `arn:aws:${services[(p + s) % services.length]}:us-east-1:${A}:res-${p}-${s}/*`,
    ...(s % 3 === 0 ? { Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } } : {}),
  })),
}));
manyIdentity[9]!.Statement[8] = { Sid: 'Target', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data-lake/*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } };
const boundary: Doc = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['s3:*', 'dynamodb:*', 'sqs:*', 'sns:*', 'logs:*'], Resource: '*' },
    { Effect: 'Deny', Action: 'iam:*', Resource: '*' },
  ],
};
const sessionPolicy: Doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::data-lake/*' }] };
const requestC: AuthorizationRequest = {
  principal: `arn:aws:sts::${A}:assumed-role/analyst/bob`,
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::data-lake/2024/01/part-0001.parquet',
  resourceAccount: A,
  context: { 'aws:PrincipalTag/team': 'blue', 'aws:RequestedRegion': 'us-east-1' },
};
const requestA: AuthorizationRequest = {
  principal: `arn:aws:iam::${A}:user/alice`,
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::reports/2024/q1.csv',
  resourceAccount: A,
  context: {},
};

// ---------------------------------------------------------------------------------------------
// Harness

function compile(doc: Doc, kind: PolicyKind, id: string): CompiledPolicy {
  const r = parsePolicy(JSON.stringify(doc), kind, { label: { id } });
  if (!r.ok) throw new Error(`${id}: ${r.error.message} at ${r.error.path}`);
  return r.policy;
}

/** Runs `fn` repeatedly for about `ms` milliseconds; returns nanoseconds per call. */
function measure(fn: (i: number) => unknown, ms: number): number {
  for (let i = 0; i < 2000; i++) fn(i); // warm up
  let calls = 0;
  let batch = 1000;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  let now = start;
  let sink = 0;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) if (fn(calls + i)) sink++;
    calls += batch;
    now = process.hrtime.bigint();
    if (calls > 100_000) batch = 10_000;
  }
  if (sink < 0) console.log(sink);
  return Number(now - start) / calls;
}

function simulation(request: AuthorizationRequest, identity: Doc[], extra: { boundary?: Doc; session?: Doc } = {}): Simulation {
  return {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount ?? A },
      contextVariables: request.context as Record<string, string | string[]>,
    },
    identityPolicies: identity.map((policy, i) => ({ name: `p${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(extra.boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: extra.boundary }] } : {}),
    ...(extra.session ? { sessionPolicy: extra.session } : {}),
  };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const seconds = Number(process.env['BENCH_MS'] ?? 1500);

interface Workload {
  name: string;
  requests: AuthorizationRequest[];
  policies: PolicySet;
  simulations: Simulation[];
  docs: { doc: Doc; kind: PolicyKind }[];
}

const workloads: Workload[] = [
  {
    name: '(a) one small policy',
    requests: [requestA],
    policies: { identity: [compile(small, 'identity', 'small')] },
    simulations: [simulation(requestA, [small])],
    docs: [{ doc: small, kind: 'identity' }],
  },
  {
    name: `(b) realistic role, ${realisticRole.Statement.length} statements`,
    requests: requestB,
    policies: { identity: [compile(realisticRole, 'identity', 'role')] },
    simulations: requestB.map((r) => simulation(r, [realisticRole])),
    docs: [{ doc: realisticRole, kind: 'identity' }],
  },
  {
    name: '(c) 10×10 identity + boundary + session',
    requests: [requestC],
    policies: {
      identity: manyIdentity.map((d, i) => compile(d, 'identity', `p${i}`)),
      boundary: [compile(boundary, 'boundary', 'boundary')],
      session: [compile(sessionPolicy, 'session', 'session')],
    },
    // iam-simulate's synchronous entry point ignores session policies; the boundary is included.
    simulations: [simulation(requestC, manyIdentity, { boundary, session: sessionPolicy })],
    docs: [...manyIdentity.map((doc) => ({ doc, kind: 'identity' as PolicyKind })), { doc: boundary, kind: 'boundary' }, { doc: sessionPolicy, kind: 'session' }],
  },
];

console.log(`policy engine benchmark (node ${process.version}, ${seconds} ms per measurement, one core)\n`);
const rows: string[][] = [['workload', 'decision', 'open-sts dec/s', 'ns/dec', 'iam-simulate dec/s', 'ns/dec', 'ratio', 'cold path µs']];
for (const w of workloads) {
  const decisions = w.requests.map((r) => evaluate(r, w.policies).outcome);
  const simulated = w.simulations.map((s) => runUnsafeSimulation(s, {}));
  const n = w.requests.length;
  const ours = measure((i) => evaluate(w.requests[i % n]!, w.policies).outcome === 'Allow', seconds);
  const theirs = measure((i) => runUnsafeSimulation(w.simulations[i % n]!, {}) === 'Allowed', Math.min(seconds, 1000));
  const cold = measure((i) => {
    const compiled = w.docs.map(({ doc, kind }) => compile(doc, kind, `cold${i}`));
    const identity = compiled.filter((p) => p.kind === 'identity');
    const b = compiled.filter((p) => p.kind === 'boundary');
    const s = compiled.filter((p) => p.kind === 'session');
    return evaluate(w.requests[0]!, { identity, boundary: b, session: s }).outcome;
  }, Math.min(seconds, 1000));
  rows.push([
    w.name,
    `${decisions.join('/')} (sim: ${simulated.join('/')})`,
    fmt(1e9 / ours),
    fmt(ours),
    fmt(1e9 / theirs),
    fmt(theirs),
    `${(theirs / ours).toFixed(0)}×`,
    (cold / 1000).toFixed(1),
  ]);
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((cell, c) => (c === 0 || c === 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
console.log('\ntargets: (a) ≥ 1,000,000 dec/s; (b) ≥ 200,000 dec/s and ≥ 100× iam-simulate');
console.log('iam-simulate runs through runUnsafeSimulation (its synchronous entry point), which loads the policy');
console.log('documents on every call and ignores session policies, so (c) compares without the session policy on its side.');
