import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LookupQuery } from '../../src/audit/audit-store.js';
import { buildEvents } from '../../src/audit/event.js';
import { SqliteAuditStore } from '../../src/audit/sqlite-audit-store.js';
import type { AuditInput, CloudTrailEvent } from '../../src/audit/types.js';
import { A, B, IAM, ISSUED_SECRET, ISSUED_TOKEN, STS, alice, assumeRoleResult, base, bob, deployerSession, failed, ok, query } from './fixtures.js';

const T0 = Date.parse('2026-03-02T14:00:00Z');

function at(seconds: number, input: Partial<AuditInput> & Pick<AuditInput, 'service' | 'action'>): CloudTrailEvent[] {
  return buildEvents(base({ eventTime: new Date(T0 + seconds * 1000), ...input }));
}

function assumeRole(seconds: number, key: string, sessionName = 'alice'): CloudTrailEvent[] {
  return at(seconds, {
    service: STS,
    action: 'AssumeRole',
    request: { query: query({ RoleArn: `arn:aws:iam::${A}:role/deployer`, RoleSessionName: sessionName }) },
    outcome: ok(assumeRoleResult({ accessKeyId: key, sessionName })),
  });
}

describe('SqliteAuditStore', () => {
  let dir: string;
  let store: SqliteAuditStore;
  const file = () => path.join(dir, 'audit.db');
  const scope = (over: Partial<LookupQuery> = {}): LookupQuery => ({ accountId: A, region: 'us-east-1', startTime: 0, endTime: T0 / 1000 + 10_000, limit: 50, ...over });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'open-sts-audit-'));
    store = new SqliteAuditStore(file());
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function seed(): Promise<CloudTrailEvent[]> {
    const events = [
      ...at(1, { service: STS, action: 'GetCallerIdentity' }),
      ...assumeRole(2, 'ASIAWD3EXAMPLETMP001'),
      ...at(3, { service: IAM, action: 'CreateRole', caller: deployerSession(), request: { query: query({ RoleName: 'lambda-exec', AssumeRolePolicyDocument: '{}' }) }, outcome: ok({ Role: { RoleName: 'lambda-exec' } }) }),
      ...at(4, { service: IAM, action: 'GetRole', request: { query: query({ RoleName: 'ghost' }) }, outcome: failed('NoSuchEntity', 'The role with name ghost cannot be found.') }),
      ...at(5, { service: STS, action: 'GetCallerIdentity', region: 'eu-west-1' }),
      ...at(6, { service: STS, action: 'GetCallerIdentity', caller: bob() }),
    ];
    await store.append(events);
    return events;
  }

  it('returns the account’s events of the request region, newest first, with LookupEvents fields', async () => {
    const events = await seed();
    const page = await store.lookup(scope());
    expect(page.events.map((e) => e.eventName)).toEqual(['GetRole', 'CreateRole', 'AssumeRole', 'GetCallerIdentity']);
    expect(page.hasMore).toBe(false);
    const assume = page.events[2]!;
    expect(assume).toMatchObject({ eventSource: 'sts.amazonaws.com', readOnly: true, username: 'alice', accessKeyId: 'AKIARZ7EXAMPLEKEY001', recipientAccountId: A, awsRegion: 'us-east-1' });
    expect(assume.eventTime).toBe(T0 / 1000 + 2);
    expect(assume.resources).toEqual([
      { ResourceType: 'AWS::IAM::AccessKey', ResourceName: 'ASIAWD3EXAMPLETMP001' },
      { ResourceType: 'AWS::STS::AssumedRole', ResourceName: 'alice' },
      { ResourceType: 'AWS::STS::AssumedRole', ResourceName: 'AROAWD3EXAMPLEDEPLOY1:alice' },
      { ResourceType: 'AWS::STS::AssumedRole', ResourceName: `arn:aws:sts::${A}:assumed-role/deployer/alice` },
      { ResourceType: 'AWS::IAM::Role', ResourceName: `arn:aws:iam::${A}:role/deployer` },
    ]);
    expect(JSON.parse(assume.json)).toEqual(events[1]);
    expect((await store.lookup(scope({ region: 'eu-west-1' }))).events).toHaveLength(1);
    expect((await store.lookup(scope({ accountId: B }))).events.map((e) => e.username)).toEqual(['bob']);
  });

  it('filters by each lookup attribute', async () => {
    const events = await seed();
    const names = async (key: NonNullable<LookupQuery['attribute']>['key'], value: string) =>
      (await store.lookup(scope({ attribute: { key, value } }))).events.map((e) => e.eventName);
    expect(await names('EventName', 'GetCallerIdentity')).toEqual(['GetCallerIdentity']);
    expect(await names('EventSource', 'iam.amazonaws.com')).toEqual(['GetRole', 'CreateRole']);
    expect(await names('ReadOnly', 'false')).toEqual(['CreateRole']);
    expect(await names('ReadOnly', 'true')).toEqual(['GetRole', 'AssumeRole', 'GetCallerIdentity']);
    expect(await names('Username', 'alice')).toEqual(['GetRole', 'CreateRole', 'AssumeRole', 'GetCallerIdentity']);
    expect(await names('AccessKeyId', 'ASIAWD3EXAMPLETMP001')).toEqual(['CreateRole']);
    expect(await names('ResourceName', 'ASIAWD3EXAMPLETMP001')).toEqual(['AssumeRole']);
    expect(await names('ResourceType', 'AWS::IAM::Role')).toEqual(['CreateRole', 'AssumeRole']);
    expect(await names('ResourceName', 'lambda-exec')).toEqual(['CreateRole']);
    expect(await names('EventId', events[1]!.eventID)).toEqual(['AssumeRole']);
    expect(await names('EventId', events[4]!.eventID)).toEqual([]); // other region
    expect(await names('EventName', 'assumerole')).toEqual([]); // case-sensitive
  });

  it('bounds are inclusive', async () => {
    await seed();
    const s = T0 / 1000;
    expect((await store.lookup(scope({ startTime: s + 2, endTime: s + 3 }))).events.map((e) => e.eventName)).toEqual(['CreateRole', 'AssumeRole']);
  });

  it('pages by keyset: ties in one second are ordered by eventID descending, and new records do not shift pages', async () => {
    const events: CloudTrailEvent[] = [];
    for (let i = 0; i < 7; i++) events.push(...at(i < 4 ? 10 : 11, { service: STS, action: 'GetCallerIdentity' }));
    await store.append(events);
    const expected = [...events].sort((x, y) => (x.eventTime === y.eventTime ? (x.eventID < y.eventID ? 1 : -1) : x.eventTime < y.eventTime ? 1 : -1)).map((e) => e.eventID);
    const seen: string[] = [];
    let page = await store.lookup(scope({ limit: 3 }));
    seen.push(...page.events.map((e) => e.eventId));
    expect(page.hasMore).toBe(true);
    // Written between pages: newer than everything, must not appear on later pages nor shift them.
    await store.append(at(12, { service: STS, action: 'GetCallerIdentity' }));
    while (page.hasMore) {
      const last = page.events[page.events.length - 1]!;
      page = await store.lookup(scope({ limit: 3, after: { eventTime: last.eventTime, eventId: last.eventId } }));
      seen.push(...page.events.map((e) => e.eventId));
    }
    expect(seen).toEqual(expected);
  });

  it('group commit: appends of one tick share one transaction', async () => {
    const before = store.commits;
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.append(at(i, { service: STS, action: 'GetCallerIdentity' }))));
    expect(store.commits - before).toBe(1);
    expect((await store.lookup(scope({ limit: 50 }))).hasMore).toBe(true);
    await store.append(at(200, { service: STS, action: 'GetCallerIdentity' }));
    expect(store.commits - before).toBe(2);
  });

  it('a failed commit rejects every append of the batch and stores none of it', async () => {
    // A trigger makes the writer's transaction fail on one record of the batch.
    const db = new Database(file());
    db.exec("CREATE TRIGGER boom BEFORE INSERT ON audit_events WHEN NEW.event_name = 'Boom' BEGIN SELECT RAISE(ABORT, 'boom'); END");
    db.close();
    const good = at(1, { service: STS, action: 'GetCallerIdentity' });
    const bad = at(2, { service: STS, action: 'Boom' });
    const results = await Promise.allSettled([store.append(good), store.append(bad)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/boom/);
    expect((await store.lookup(scope())).events).toHaveLength(0);
    // The writer survives a failed transaction.
    await store.append(good);
    expect((await store.lookup(scope())).events).toHaveLength(1);
  });

  it('refuses a record with an invalid eventTime before it reaches the writer', async () => {
    const good = at(1, { service: STS, action: 'GetCallerIdentity' });
    const bad = [{ ...good[0]!, eventTime: 'not a time' }] as unknown as CloudTrailEvent[];
    await expect(store.append(bad)).rejects.toThrow(/invalid eventTime/);
  });

  it('a writer that cannot open the database fails the appends instead of losing them silently', async () => {
    const other = await mkdtemp(path.join(tmpdir(), 'open-sts-audit-'));
    const orphan = new SqliteAuditStore(path.join(other, 'audit.db'));
    await rm(other, { recursive: true, force: true }); // the writer thread starts on first append and cannot open the file
    await expect(orphan.append(at(1, { service: STS, action: 'GetCallerIdentity' }))).rejects.toThrow();
    await expect(orphan.append(at(2, { service: STS, action: 'GetCallerIdentity' }))).rejects.toThrow();
    await orphan.close();
  });

  it('rejects appends after close', async () => {
    await store.close();
    await expect(store.append(at(1, { service: STS, action: 'GetCallerIdentity' }))).rejects.toThrow(/closed/);
    store = new SqliteAuditStore(file());
  });

  it('keeps records across reopen; appending the same event twice stores it once', async () => {
    const events = await seed();
    await store.close();
    store = new SqliteAuditStore(file());
    await store.append(events.slice(0, 1));
    expect((await store.lookup(scope())).events).toHaveLength(4);
  });

  it('deleteOlderThan removes records and their lookup keys', async () => {
    await seed();
    expect(await store.deleteOlderThan(new Date(T0 + 3000))).toBe(2);
    expect((await store.lookup(scope())).events.map((e) => e.eventName)).toEqual(['GetRole', 'CreateRole']);
    expect((await store.lookup(scope({ attribute: { key: 'ResourceName', value: 'ASIAWD3EXAMPLETMP001' } }))).events).toEqual([]);
    const db = new Database(file(), { readonly: true });
    const remaining = db.prepare("SELECT COUNT(*) AS n FROM audit_lookup WHERE event_time < ?").get(T0 / 1000 + 3) as { n: number };
    db.close();
    expect(remaining.n).toBe(0);
  });

  it('finds the call that issued a key and the first calls signed with it', async () => {
    await seed();
    const issuing = await store.findIssuingEvents('ASIAWD3EXAMPLETMP001');
    expect(issuing.map((e) => e.eventName)).toEqual(['AssumeRole']);
    const signed = await store.findSignedBy('ASIAWD3EXAMPLETMP001', 5);
    expect(signed.map((e) => e.eventName)).toEqual(['CreateRole']);
  });

  it('never stores a secret key or session token', async () => {
    await seed();
    await store.close();
    const raw = (await import('node:fs')).readFileSync(file());
    const wal = (await import('node:fs')).existsSync(file() + '-wal') ? (await import('node:fs')).readFileSync(file() + '-wal') : Buffer.alloc(0);
    for (const bytes of [raw, wal]) {
      expect(bytes.includes(ISSUED_SECRET)).toBe(false);
      expect(bytes.includes(ISSUED_TOKEN)).toBe(false);
    }
    store = new SqliteAuditStore(file());
  });

  it('answers lookups and traces from indexes, without scanning tables', async () => {
    await seed();
    const db = new Database(file(), { readonly: true });
    const plan = (sql: string, ...params: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    const lookup = plan(
      `SELECT e.* FROM audit_lookup l JOIN audit_events e ON e.event_id = l.event_id
       WHERE l.account_id = ? AND l.region = ? AND l.attr = ? AND l.value = ? AND l.event_time BETWEEN ? AND ? AND (l.event_time < ? OR (l.event_time = ? AND l.event_id < ?))
       ORDER BY l.event_time DESC, l.event_id DESC LIMIT ?`,
      A, 'us-east-1', '*', '', 0, 1e10, 1e10, 1e10, 'z', 10,
    );
    const issuing = plan('SELECT * FROM audit_events WHERE issued_access_key_id = ? ORDER BY seq', 'ASIA');
    const signed = plan('SELECT * FROM audit_events WHERE access_key_id = ? ORDER BY event_time, seq LIMIT ?', 'ASIA', 1);
    const sweep = plan('SELECT * FROM audit_events WHERE event_time < ? ORDER BY event_time LIMIT ?', 1, 1000);
    db.close();
    for (const p of [lookup, issuing, signed, sweep]) {
      expect(p).not.toMatch(/SCAN (audit_events|audit_lookup|e|l)\b/);
      expect(p).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
    }
  });
});

describe('SqliteAuditStore with an invalid record', () => {
  it('a record carrying the secret is never produced by buildEvents (sanity for the integration search)', () => {
    const text = JSON.stringify(
      buildEvents(base({ service: STS, action: 'AssumeRole', caller: alice(), request: { query: query({ RoleArn: `arn:aws:iam::${A}:role/x`, RoleSessionName: 's' }) }, outcome: ok(assumeRoleResult()) })),
    );
    expect(text).not.toContain(ISSUED_SECRET);
  });
});
