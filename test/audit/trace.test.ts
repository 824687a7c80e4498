import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEvents } from '../../src/audit/event.js';
import { SqliteAuditStore } from '../../src/audit/sqlite-audit-store.js';
import { traceAccessKey } from '../../src/audit/trace.js';
import type { AuditInput, CloudTrailEvent } from '../../src/audit/types.js';
import type { Caller } from '../../src/auth/principal.js';
import { runTraceCommand } from '../../src/cli/trace-command.js';
import { A, B, IAM, ISSUED_SECRET, ISSUED_TOKEN, STS, alice, base, bob, notes, ok, query, session } from './fixtures.js';

const T0 = Date.parse('2026-03-02T14:00:00Z');

function assumed(role: string, name: string, key: string, parent: Caller, extra: { sourceIdentity?: string; mfa?: boolean; tags?: Array<{ Key: string; Value: string }>; transitive?: string[]; account?: string } = {}): Caller {
  const account = extra.account ?? A;
  return {
    type: 'AssumedRole',
    accountId: account,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${name}`,
    userId: `AROA${role.toUpperCase().padEnd(17, 'X').slice(0, 17)}:${name}`,
    accessKeyId: key,
    roleArn: `arn:aws:iam::${account}:role/${role}`,
    roleName: role,
    roleId: `AROA${role.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
    session: session({
      accessKeyId: key,
      sessionName: name,
      sourceIdentity: extra.sourceIdentity,
      parentAccessKeyId: parent.accessKeyId,
      sessionTags: extra.tags ?? [],
      transitiveTagKeys: extra.transitive ?? [],
      chained: parent.session !== undefined,
      ...(extra.mfa ? { mfaAuthenticatedAt: new Date(T0) } : {}),
    }),
  };
}

/** The AssumeRole call by `by` that created `created`, as the STS action would report it. */
function assumeRoleCall(seconds: number, by: Caller, created: Caller, params: Record<string, string> = {}, alsoRecordIn: string[] = []): AuditInput {
  return base({
    service: STS,
    action: 'AssumeRole',
    eventTime: new Date(T0 + seconds * 1000),
    caller: by,
    request: { query: query({ Action: 'AssumeRole', RoleArn: created.roleArn!, RoleSessionName: created.session!.sessionName!, ...params }) },
    outcome: ok({
      Credentials: { AccessKeyId: created.accessKeyId, SecretAccessKey: ISSUED_SECRET, SessionToken: ISSUED_TOKEN, Expiration: new Date(T0 + (seconds + 3600) * 1000) },
      AssumedRoleUser: { AssumedRoleId: created.userId, Arn: created.arn },
      SourceIdentity: created.session!.sourceIdentity,
    }),
    notes: notes({ alsoRecordIn, issuedSession: { accessKeyId: created.accessKeyId, parentAccessKeyId: by.accessKeyId } }),
  });
}

function callWith(seconds: number, caller: Caller): AuditInput {
  return base({ service: IAM, action: 'ListRoles', eventTime: new Date(T0 + seconds * 1000), caller, request: { query: query({ Action: 'ListRoles' }) }, outcome: ok({ Roles: [] }) });
}

describe('traceAccessKey', () => {
  let dir: string;
  let store: SqliteAuditStore;
  const record = async (...inputs: AuditInput[]) => {
    const events: CloudTrailEvent[] = inputs.flatMap((i) => buildEvents(i));
    await store.append(events);
    return events;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'open-sts-trace-'));
    store = new SqliteAuditStore(path.join(dir, 'audit.db'));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('follows a chained session back to the IAM user, with each AssumeRole event ID', async () => {
    const user = alice();
    const deployer = assumed('deployer', 'alice', 'ASIADEPLOYEREXAMPLE1', user, { sourceIdentity: 'alice', mfa: true, tags: [{ Key: 'team', Value: 'payments' }, { Key: 'ticket', Value: 'CHG-1' }], transitive: ['team'] });
    const auditor = assumed('auditor', 'alice-2', 'ASIAAUDITOREXAMPLE02', deployer, { sourceIdentity: 'alice', tags: [{ Key: 'team', Value: 'payments' }], transitive: ['team'] });
    const [first] = await record(
      assumeRoleCall(1, user, deployer, {
        SourceIdentity: 'alice',
        SerialNumber: `arn:aws:iam::${A}:mfa/alice`,
        TokenCode: '123456',
        'Tags.member.1.Key': 'team',
        'Tags.member.1.Value': 'payments',
        'Tags.member.2.Key': 'ticket',
        'Tags.member.2.Value': 'CHG-1',
        'TransitiveTagKeys.member.1': 'team',
      }),
      callWith(2, deployer),
    );
    const [second] = await record(assumeRoleCall(3, deployer, auditor), callWith(4, auditor));

    const trace = await traceAccessKey(store, 'ASIAAUDITOREXAMPLE02');
    expect(trace.gap).toBeUndefined();
    expect(trace.chain.map((s) => s.accessKeyId)).toEqual(['ASIAAUDITOREXAMPLE02', 'ASIADEPLOYEREXAMPLE1']);
    const [outer, inner] = trace.chain as [(typeof trace.chain)[number], (typeof trace.chain)[number]];
    expect(outer).toMatchObject({
      kind: 'AssumedRole',
      accountId: A,
      arn: `arn:aws:sts::${A}:assumed-role/auditor/alice-2`,
      roleArn: `arn:aws:iam::${A}:role/auditor`,
      sessionName: 'alice-2',
      sourceIdentity: 'alice',
      tags: [{ key: 'team', value: 'payments', transitive: true, inherited: true }],
      issuedAt: '2026-03-02T14:00:03Z',
      mfaAuthenticated: false,
      issuedBy: { eventName: 'AssumeRole', eventId: second!.eventID },
      calledBy: { type: 'AssumedRole', accessKeyId: 'ASIADEPLOYEREXAMPLE1' },
    });
    expect(inner).toMatchObject({
      sessionName: 'alice',
      sourceIdentity: 'alice',
      tags: [
        { key: 'team', value: 'payments', transitive: true, inherited: false },
        { key: 'ticket', value: 'CHG-1', transitive: false, inherited: false },
      ],
      mfaAuthenticated: true,
      expiration: 'Mar 2, 2026, 3:00:01 PM',
      issuedBy: { eventId: first!.eventID },
      calledBy: { type: 'IAMUser', accessKeyId: 'AKIARZ7EXAMPLEKEY001', arn: `arn:aws:iam::${A}:user/alice` },
    });
    expect(trace.origin).toMatchObject({ type: 'IAMUser', userName: 'alice', accessKeyId: 'AKIARZ7EXAMPLEKEY001', accountId: A });
  });

  it('uses the caller’s copy of a cross-account AssumeRole and reaches root through GetSessionToken credentials', async () => {
    const rootKey = { type: 'Root' as const, accountId: B, arn: `arn:aws:iam::${B}:root`, userId: B, accessKeyId: 'AKIAROOTBEXAMPLE0001' };
    const claims = session({ issuer: 'GetSessionToken', sessionName: undefined, accessKeyId: 'ASIAROOTSESSIONEXAM1' });
    const rootSession: Caller = { ...rootKey, accessKeyId: claims.accessKeyId, session: claims };
    const crossed = assumed('deployer', 'ops', 'ASIACROSSEXAMPLE0003', rootSession, { account: A });
    await record(
      base({
        service: STS,
        action: 'GetSessionToken',
        eventTime: new Date(T0),
        caller: rootKey,
        request: { query: query({ Action: 'GetSessionToken' }) },
        outcome: ok({ Credentials: { AccessKeyId: claims.accessKeyId, SecretAccessKey: ISSUED_SECRET, SessionToken: ISSUED_TOKEN, Expiration: new Date(T0 + 3600_000) } }),
      }),
    );
    const copies = await record(assumeRoleCall(1, rootSession, crossed, {}, [A]));
    expect(copies.map((c) => c.recipientAccountId)).toEqual([B, A]);
    const trace = await traceAccessKey(store, 'ASIACROSSEXAMPLE0003');
    expect(trace.chain.map((s) => [s.kind, s.accessKeyId, s.issuedBy.eventId])).toEqual([
      ['AssumedRole', 'ASIACROSSEXAMPLE0003', copies[0]!.eventID],
      ['SessionToken', 'ASIAROOTSESSIONEXAM1', expect.any(String)],
    ]);
    expect(trace.chain[0]!.issuedBy.sharedEventId).toBe(copies[0]!.sharedEventID);
    expect(trace.chain[1]).toMatchObject({ arn: `arn:aws:iam::${B}:root`, mfaAuthenticated: false });
    expect(trace.origin).toMatchObject({ type: 'Root', accountId: B, accessKeyId: 'AKIAROOTBEXAMPLE0001' });
    // Seen from the role owner's account only: its copy names the caller but not the key, so the chain ends there.
    const fromA = await traceAccessKey(store, 'ASIACROSSEXAMPLE0003', { visibleAccounts: new Set([A]) });
    expect(fromA.chain.map((s) => s.issuedBy.eventId)).toEqual([copies[1]!.eventID]);
    expect(fromA.chain[0]!.calledBy).toMatchObject({ type: 'AWSAccount', accountId: B, accessKeyId: undefined });
    expect(fromA.origin).toBeUndefined();
    expect(fromA.gap).toMatch(new RegExp(`came from account ${B}, whose records are not visible`));
  });

  it('ends at the federated identity of an AssumeRoleWithWebIdentity', async () => {
    const provider = `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`;
    const ci = assumed('ci-deploy', 'gha-1', 'ASIAWEBIDEXAMPLE0004', alice());
    await record(
      base({
        service: STS,
        action: 'AssumeRoleWithWebIdentity',
        caller: undefined,
        request: { query: query({ RoleArn: ci.roleArn!, RoleSessionName: 'gha-1', WebIdentityToken: 'eyJ.x.y' }) },
        outcome: ok({ Credentials: { AccessKeyId: ci.accessKeyId, SecretAccessKey: ISSUED_SECRET, SessionToken: ISSUED_TOKEN, Expiration: new Date(T0) }, AssumedRoleUser: { AssumedRoleId: ci.userId, Arn: ci.arn } }),
        notes: notes({ federatedIdentity: { type: 'WebIdentityUser', principalId: `${provider}:sts.amazonaws.com:repo:o/a`, userName: 'repo:o/a', identityProvider: provider, accountId: A } }),
      }),
    );
    const trace = await traceAccessKey(store, ci.accessKeyId);
    expect(trace.chain).toHaveLength(1);
    expect(trace.origin).toMatchObject({ type: 'WebIdentityUser', userName: 'repo:o/a', identityProvider: provider, accessKeyId: undefined });
  });

  it('reports a gap when the issuing record is gone, and a long-term key as its own origin', async () => {
    const user = alice();
    const deployer = assumed('deployer', 'alice', 'ASIADEPLOYEREXAMPLE1', user);
    await record(assumeRoleCall(1, user, deployer), callWith(2, user));
    await store.deleteOlderThan(new Date(T0 + 2000));
    const gone = await traceAccessKey(store, deployer.accessKeyId);
    expect(gone.chain).toEqual([]);
    expect(gone.origin).toBeUndefined();
    expect(gone.gap).toMatch(/no record of the call that issued ASIADEPLOYEREXAMPLE1/);
    const longTerm = await traceAccessKey(store, user.accessKeyId);
    expect(longTerm).toMatchObject({ chain: [], gap: undefined, origin: { type: 'IAMUser', arn: `arn:aws:iam::${A}:user/alice` } });
  });

  it('open-sts trace prints the chain, or JSON; exit 0 at an origin, 1 at a gap, 2 on bad usage', async () => {
    const user = bob();
    const s1 = assumed('deployer', 'bob', 'ASIABOBEXAMPLE000005', user, { account: B, sourceIdentity: 'bob' });
    const [issued] = await record(assumeRoleCall(1, user, s1, { SourceIdentity: 'bob' }));
    const lines: string[] = [];
    expect(await runTraceCommand([s1.accessKeyId], (l) => lines.push(l), { store })).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('ASIABOBEXAMPLE000005  role session arn:aws:sts::444455556666:assumed-role/deployer/bob');
    expect(text).toContain('source identity bob');
    expect(text).toContain(`AssumeRole  event ${issued!.eventID}`);
    expect(text).toMatch(/← AKIAKQ4EXAMPLEKEY002 {2}IAM user arn:aws:iam::444455556666:user\/bob {2}\(origin\)/);
    expect(text).not.toContain(ISSUED_SECRET);

    const json: string[] = [];
    expect(await runTraceCommand(['--json', s1.accessKeyId], (l) => json.push(l), { store })).toBe(0);
    expect(JSON.parse(json.join('\n'))).toMatchObject({ accessKeyId: s1.accessKeyId, origin: { type: 'IAMUser' } });

    const gap: string[] = [];
    expect(await runTraceCommand(['ASIAUNKNOWNEXAMPLE99'], (l) => gap.push(l), { store })).toBe(1);
    expect(gap.join('\n')).toContain('no record of the call that issued ASIAUNKNOWNEXAMPLE99');
    expect(await runTraceCommand([], () => {}, { store })).toBe(2);
    expect(await runTraceCommand(['not-a-key'], () => {}, { store })).toBe(2);
    expect(await runTraceCommand(['--bogus', s1.accessKeyId], () => {}, { store })).toBe(2);
  });

  it('open-sts trace reads <data dir>/audit.db', async () => {
    const user = alice();
    const s1 = assumed('deployer', 'alice', 'ASIADEPLOYEREXAMPLE1', user);
    await record(assumeRoleCall(1, user, s1));
    const lines: string[] = [];
    expect(await runTraceCommand([s1.accessKeyId, '--data-dir', dir], (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toContain('ASIADEPLOYEREXAMPLE1');
    expect(await runTraceCommand([s1.accessKeyId], () => {}, { env: { OPEN_STS_DATA_DIR: path.join(dir, 'missing') } })).toBe(2);
  });
});
