/**
 * The workloads: each is a source of signed requests against the bench account. Pools are
 * signed just before a workload runs (signatures are valid for 15 minutes) with distinct
 * session names, targets and dates, so the server sees different requests, not one replayed.
 */
import { formBody, signQuery, type BenchRequest, type SigningCredentials } from './sigv4.js';
import { appPolicy, assumeRoleParams, EXTERNAL_ID, REGION, seedExternalId, SEED_PATH, type BenchAccount } from './setup.js';
import { withAgent, type RequestSource } from './sources.js';

export interface Workload {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  source(account: BenchAccount, host: string, poolSize: number): RequestSource;
}

function pool(count: number, make: (i: number, date: Date) => BenchRequest): RequestSource {
  const base = Date.now();
  const requests: BenchRequest[] = [];
  // Spread the signing dates over the last minute so signatures differ even for equal bodies.
  for (let i = 0; i < count; i++) requests.push(withAgent(make(i, new Date(base - (i % 60_000)))));
  return { kind: 'pool', requests };
}

const sts = (host: string, credentials: SigningCredentials, params: Record<string, string | number>, date: Date) =>
  signQuery(host, 'sts', REGION, credentials, formBody(params), date);
const iam = (host: string, credentials: SigningCredentials, params: Record<string, string | number>, date: Date) =>
  signQuery(host, 'iam', REGION, credentials, formBody(params), date);

const GET_CALLER_IDENTITY = { Action: 'GetCallerIdentity', Version: '2011-06-15' };

export const MAIN_WORKLOADS: readonly Workload[] = [
  {
    id: 'gci-key',
    title: 'GetCallerIdentity, long-term key',
    description: "GetCallerIdentity signed with an IAM user's access key (AKIA): store lookup of the key, cached secret, SigV4 verification.",
    source: (a, host, n) => pool(n, (_, date) => sts(host, a.caller, GET_CALLER_IDENTITY, date)),
  },
  {
    id: 'gci-session',
    title: 'GetCallerIdentity, session token',
    description: 'GetCallerIdentity signed with role-session credentials (ASIA + a ~1 KB sealed token carrying a session policy and tags): token opened with AES-256-GCM, no store lookup.',
    source: (a, host, n) => pool(n, (_, date) => sts(host, a.session, GET_CALLER_IDENTITY, date)),
  },
  {
    id: 'assume-role',
    title: 'AssumeRole (trust conditions, session policy, tags)',
    description:
      'bench-caller assumes /bench/app-deployer with ExternalId, SourceIdentity, a session policy, two session tags (one transitive): three trust-policy decisions (AssumeRole, TagSession, SetSourceIdentity) over 7 conditions, identity-policy checks, a sealed token issued, RoleLastUsed written.',
    source: (a, host, n) => pool(n, (i, date) => sts(host, a.caller, assumeRoleParams(a.roleArn, `bench-${i}`, EXTERNAL_ID, a.accountId), date)),
  },
  {
    id: 'assume-role-chain',
    title: 'AssumeRole, role chain',
    description: 'An app-deployer session (session token, transitive tag) assumes /bench/chain-target: the caller is authenticated from its token, its session policy applies, the chain is capped at one hour.',
    source: (a, host, n) =>
      pool(n, (i, date) => sts(host, a.session, { Action: 'AssumeRole', Version: '2011-06-15', RoleArn: a.chainRoleArn, RoleSessionName: `chain-${i}`, DurationSeconds: 900 }, date)),
  },
  {
    id: 'iam-read',
    title: 'IAM GetRole by a role session',
    description: "An app-deployer session reads the role /bench/app-deployer: role lookup with tags, authorization through the role's inline, managed and AWS managed policies and the session policy.",
    source: (a, host, n) => pool(n, (_, date) => iam(host, a.session, { Action: 'GetRole', Version: '2010-05-08', RoleName: 'app-deployer' }, date)),
  },
  {
    id: 'iam-write',
    title: 'IAM CreatePolicy + DeletePolicy',
    description: 'bench-admin (AdministratorAccess) creates a customer managed policy with a 4-statement document and deletes it; each connection alternates the pair with a fresh name, signed in the load generator.',
    source: (a, host) => ({ kind: 'policy-pairs', host, region: REGION, accountId: a.accountId, credentials: a.admin, document: appPolicy(a.accountId) }),
  },
];

/** Store-size scaling: the same AssumeRole and GetRole, aimed at roles drawn uniformly from the seeded ones. */
export const SCALE_WORKLOADS: readonly Workload[] = [
  {
    id: 'assume-role',
    title: 'AssumeRole, random role',
    description: 'As the AssumeRole workload, on a seeded role drawn at random (each has its own trust policy document).',
    source: (a, host, n) =>
      pool(n, (i, date) => {
        const k = Math.floor(Math.random() * a.seeded.length);
        return sts(host, a.caller, assumeRoleParams(`arn:aws:iam::${a.accountId}:role${SEED_PATH}${a.seeded[k]!}`, `bench-${i}`, seedExternalId(k), a.accountId), date);
      }),
  },
  {
    id: 'iam-read',
    title: 'GetRole, random role',
    description: 'As the IAM read workload, on a seeded role drawn at random.',
    source: (a, host, n) =>
      pool(n, (_, date) => iam(host, a.session, { Action: 'GetRole', Version: '2010-05-08', RoleName: a.seeded[Math.floor(Math.random() * a.seeded.length)]! }, date)),
  },
];
