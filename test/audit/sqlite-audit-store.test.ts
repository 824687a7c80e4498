import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOOKUP_ATTRIBUTE_KEYS, type LookupQuery } from '../../src/audit/audit-store.js';
import { buildEvents } from '../../src/audit/event.js';
import { globalKey, queryKey } from '../../src/audit/lookup-keys.js';
import { lookupSql, SCHEMA_VERSION, TRACE_SQL, WRITE_SQL } from '../../src/audit/sqlite-audit-schema.js';
import { SqliteAuditStore, type SqliteAuditStoreOptions } from '../../src/audit/sqlite-audit-store.js';
import type { AuditInput, CloudTrailEvent } from '../../src/audit/types.js';
import { A, B, IAM, ISSUED_SECRET, ISSUED_TOKEN, STS, alice, assumeRoleResult, base, bob, deployerSession, failed, ok, query } from './fixtures.js';
import { writeV1AuditDb } from './v1-audit-db.js';

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

const scope = (over: Partial<LookupQuery> = {}): LookupQuery => ({ accountId: A, region: 'us-east-1', startTime: 0, endTime: T0 / 1000 + 10_000, limit: 50, ...over });

/** Six records of account A and B, two regions, every lookup attribute represented. */
function seedEvents(): CloudTrailEvent[] {
  return [
    ...at(1, { service: STS, action: 'GetCallerIdentity' }),
    ...assumeRole(2, 'ASIAWD3EXAMPLETMP001'),
    ...at(3, { service: IAM, action: 'CreateRole', caller: deployerSession(), request: { query: query({ RoleName: 'lambda-exec', AssumeRolePolicyDocument: '{}' }) }, outcome: ok({ Role: { RoleName: 'lambda-exec' } }) }),
    ...at(4, { service: IAM, action: 'GetRole', request: { query: query({ RoleName: 'ghost' }) }, outcome: failed('NoSuchEntity', 'The role with name ghost cannot be found.') }),
    ...at(5, { service: STS, action: 'GetCallerIdentity', region: 'eu-west-1' }),
    ...at(6, { service: STS, action: 'GetCallerIdentity', caller: bob() }),
  ];
}

/** What the seeded records answer to each lookup, as event names, newest first. */
async function expectSeededLookups(store: SqliteAuditStore, events: readonly CloudTrailEvent[]): Promise<void> {
  const names = async (key: NonNullable<LookupQuery['attribute']>['key'], value: string) => (await store.lookup(scope({ attribute: { key, value } }))).events.map((e) => e.eventName);
  expect((await store.lookup(scope())).events.map((e) => e.eventName)).toEqual(['GetRole', 'CreateRole', 'AssumeRole', 'GetCallerIdentity']);
  expect((await store.lookup(scope({ region: 'eu-west-1' }))).events).toHaveLength(1);
  expect((await store.lookup(scope({ accountId: B }))).events.map((e) => e.username)).toEqual(['bob']);
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
  expect((await store.findIssuingEvents('ASIAWD3EXAMPLETMP001')).map((e) => e.eventName)).toEqual(['AssumeRole']);
  expect((await store.findSignedBy('ASIAWD3EXAMPLETMP001', 5)).map((e) => e.eventName)).toEqual(['CreateRole']);
}

const WRITERS: ReadonlyArray<readonly [string, SqliteAuditStoreOptions]> = [
  ['thread', {}],
  ['inline', { writer: 'inline' }],
];

describe.each(WRITERS)('SqliteAuditStore (%s writer)', (_mode, options) => {
  let dir: string;
  let store: SqliteAuditStore;
  const file = () => path.join(dir, 'audit.db');

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'open-sts-audit-'));
    store = new SqliteAuditStore(file(), options);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function seed(): Promise<CloudTrailEvent[]> {
    const events = seedEvents();
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
    await expectSeededLookups(store, events);
  });

  it('bounds are inclusive', async () => {
    await seed();
    const s = T0 / 1000;
    expect((await store.lookup(scope({ startTime: s + 2, endTime: s + 3 }))).events.map((e) => e.eventName)).toEqual(['CreateRole', 'AssumeRole']);
  });

  it('pages by keyset: ties in one second are ordered by insertion, latest first, and new records do not shift pages', async () => {
    const events: CloudTrailEvent[] = [];
    for (let i = 0; i < 7; i++) events.push(...at(i < 4 ? 10 : 11, { service: STS, action: 'GetCallerIdentity' }));
    await store.append(events);
    // Appended in this order: within one second, the later-appended event comes first.
    const position = new Map(events.map((e, i) => [e.eventID, i]));
    const expected = [...events].sort((x, y) => (x.eventTime === y.eventTime ? position.get(y.eventID)! - position.get(x.eventID)! : x.eventTime < y.eventTime ? 1 : -1)).map((e) => e.eventID);
    const seen: string[] = [];
    let page = await store.lookup(scope({ limit: 3 }));
    seen.push(...page.events.map((e) => e.eventId));
    expect(page.hasMore).toBe(true);
    // Written between pages: newer than everything, must not appear on later pages nor shift them.
    await store.append(at(12, { service: STS, action: 'GetCallerIdentity' }));
    while (page.hasMore) {
      expect(page.next).toEqual({ eventTime: page.events[page.events.length - 1]!.eventTime, seq: expect.any(Number) });
      page = await store.lookup(scope({ limit: 3, after: page.next }));
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

  it('rejects appends after close', async () => {
    await store.close();
    await expect(store.append(at(1, { service: STS, action: 'GetCallerIdentity' }))).rejects.toThrow(/closed/);
    store = new SqliteAuditStore(file(), options);
  });

  it('keeps records across reopen; appending the same event twice stores it once', async () => {
    const events = await seed();
    await store.close();
    store = new SqliteAuditStore(file(), options);
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
    store = new SqliteAuditStore(file(), options);
  });

  it('answers lookups and traces from indexes, without scanning tables', async () => {
    await seed();
    const db = new Database(file(), { readonly: true });
    const plan = (sql: string, ...params: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    const page = { key: 1, value: 'v', accountId: A, region: 'us-east-1', startTime: 0, beforeTime: 1e10, beforeSeq: 5, limit: 10 };
    const lookups = (['*', ...LOOKUP_ATTRIBUTE_KEYS] as const).map((attribute) => plan(lookupSql(attribute), page));
    const traces = [plan(TRACE_SQL.issuing, 1, 'ASIA'), plan(TRACE_SQL.signedBy, 1, 'ASIA', 1), plan(WRITE_SQL.findDuplicate, 1, 'id')];
    const sweep = plan(WRITE_SQL.selectOld, 1, 1000);
    db.close();
    for (const p of [...lookups, ...traces, sweep]) {
      expect(p).not.toMatch(/SCAN (audit_events|audit_lookup|e|l)\b/);
      expect(p).not.toMatch(/USE TEMP B-TREE/);
    }
    // A page starts at the cursor: the row-value bound is part of the index range, not a filter.
    for (const p of lookups) expect(p).toMatch(/SEARCH l USING PRIMARY KEY \(key=\? AND event_time>\? AND \(event_time,seq\)<\(\?,\?\)\) \| SEARCH e USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    for (const p of traces) expect(p).toMatch(/^SEARCH l USING PRIMARY KEY \(key=\?\) \| SEARCH e USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    expect(sweep).toMatch(/SEARCH audit_events USING INDEX audit_events_time \(event_time<\?\)/);
  });

  it('a hash collision never returns another event: every candidate is checked against the record', async () => {
    const events = await seed();
    const db = new Database(file());
    const seqOf = (eventId: string) => (db.prepare('SELECT seq, event_time AS time FROM audit_events WHERE event_id = ?').get(eventId) as { seq: number; time: number });
    // Entries that point at records they do not describe, as colliding keys would.
    const collide = (key: number, eventId: string) => {
      const { seq, time } = seqOf(eventId);
      db.prepare('INSERT OR IGNORE INTO audit_lookup (key, event_time, seq) VALUES (?, ?, ?)').run(key, time, seq);
    };
    const getRole = events[3]!.eventID; // IAM, account A, us-east-1, failed: no resources
    for (const key of LOOKUP_ATTRIBUTE_KEYS) collide(queryKey(A, 'us-east-1', { key, value: 'collides' }), getRole);
    collide(queryKey(B, 'us-east-1', undefined), getRole); // another account's unfiltered key
    collide(queryKey(A, 'eu-west-1', undefined), getRole); // another region's
    collide(globalKey('IssuedKey', 'ASIACOLLIDES'), getRole);
    collide(globalKey('SignedBy', 'ASIACOLLIDES'), getRole);
    db.close();
    for (const key of LOOKUP_ATTRIBUTE_KEYS) expect((await store.lookup(scope({ attribute: { key, value: 'collides' } }))).events).toEqual([]);
    expect((await store.lookup(scope({ accountId: B }))).events.map((e) => e.username)).toEqual(['bob']);
    expect((await store.lookup(scope({ region: 'eu-west-1' }))).events.map((e) => e.eventName)).toEqual(['GetCallerIdentity']);
    expect(await store.findIssuingEvents('ASIACOLLIDES')).toEqual([]);
    expect(await store.findSignedBy('ASIACOLLIDES', 5)).toEqual([]);
    await expectSeededLookups(store, events);
  });

  it('a new event whose EventId key collides with a stored event is stored, not taken for a duplicate', async () => {
    const events = await seed();
    const fresh = at(7, { service: STS, action: 'GetCallerIdentity' });
    const db = new Database(file());
    const stored = db.prepare('SELECT seq, event_time AS time FROM audit_events WHERE event_id = ?').get(events[0]!.eventID) as { seq: number; time: number };
    db.prepare('INSERT INTO audit_lookup (key, event_time, seq) VALUES (?, ?, ?)').run(globalKey('EventId', fresh[0]!.eventID), stored.time, stored.seq);
    db.close();
    await store.append(fresh);
    expect((await store.lookup(scope({ attribute: { key: 'EventId', value: fresh[0]!.eventID } }))).events.map((e) => e.eventId)).toEqual([fresh[0]!.eventID]);
    expect((await store.lookup(scope({ attribute: { key: 'EventName', value: 'GetCallerIdentity' } }))).events).toHaveLength(2);
  });

  it('pages stop at a page’s last match even when later entries do not match (limit + 1 verified rows)', async () => {
    const events: CloudTrailEvent[] = [];
    for (let i = 0; i < 5; i++) events.push(...at(20 + i, { service: STS, action: 'GetCallerIdentity' }));
    await store.append(events);
    const db = new Database(file());
    const getRole = events[0]!.eventID;
    const { seq } = db.prepare('SELECT seq FROM audit_events WHERE event_id = ?').get(getRole) as { seq: number };
    // A colliding entry between two real ones: skipped, and not counted toward the page.
    db.prepare('INSERT INTO audit_lookup (key, event_time, seq) VALUES (?, ?, ?)').run(queryKey(A, 'us-east-1', { key: 'EventName', value: 'Other' }), T0 / 1000 + 22, seq);
    db.close();
    const all = (await store.lookup(scope({ attribute: { key: 'EventName', value: 'GetCallerIdentity' } }))).events.map((e) => e.eventId);
    const seen: string[] = [];
    let page = await store.lookup(scope({ limit: 2, attribute: { key: 'EventName', value: 'GetCallerIdentity' } }));
    seen.push(...page.events.map((e) => e.eventId));
    while (page.next) {
      page = await store.lookup(scope({ limit: 2, attribute: { key: 'EventName', value: 'GetCallerIdentity' }, after: page.next }));
      seen.push(...page.events.map((e) => e.eventId));
    }
    expect(all).toEqual([...events].reverse().map((e) => e.eventID));
    expect(seen).toEqual(all);
    expect((await store.lookup(scope({ attribute: { key: 'EventName', value: 'Other' } }))).events).toEqual([]);
  });

  it(`creates schema version ${SCHEMA_VERSION} with integer-keyed indexes only`, async () => {
    await seed();
    const db = new Database(file(), { readonly: true });
    const version = db.pragma('user_version', { simple: true });
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    db.close();
    expect(version).toBe(SCHEMA_VERSION);
    expect(indexes).toEqual(['audit_events_time']);
  });
});

describe('SqliteAuditStore writer thread', () => {
  it('a writer that cannot open the database fails the appends instead of losing them silently', async () => {
    const other = await mkdtemp(path.join(tmpdir(), 'open-sts-audit-'));
    const orphan = new SqliteAuditStore(path.join(other, 'audit.db'));
    await rm(other, { recursive: true, force: true }); // the writer thread starts on first append and cannot open the file
    await expect(orphan.append(at(1, { service: STS, action: 'GetCallerIdentity' }))).rejects.toThrow();
    await expect(orphan.append(at(2, { service: STS, action: 'GetCallerIdentity' }))).rejects.toThrow();
    await orphan.close();
  });
});

describe('SqliteAuditStore in memory', () => {
  it('stores, looks up, pages and sweeps on the calling thread', async () => {
    const store = new SqliteAuditStore(':memory:');
    const events = seedEvents();
    await store.append(events);
    await expectSeededLookups(store, events);
    const first = await store.lookup(scope({ limit: 3 }));
    expect(first.next).toBeDefined();
    expect((await store.lookup(scope({ limit: 3, after: first.next }))).events.map((e) => e.eventName)).toEqual(['GetCallerIdentity']);
    expect(await store.deleteOlderThan(new Date(T0 + 3000))).toBe(2);
    expect((await store.lookup(scope())).events.map((e) => e.eventName)).toEqual(['GetRole', 'CreateRole']);
    await store.close();
  });
});

describe('SqliteAuditStore upgrading a version-1 audit.db', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'open-sts-audit-v1-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rebuilds the index in place at open: every record is found by every lookup, paged, traced, swept', async () => {
    const file = path.join(dir, 'audit.db');
    const events = seedEvents();
    const sameSecond: CloudTrailEvent[] = [];
    for (let i = 0; i < 4; i++) sameSecond.push(...at(10, { service: STS, action: 'GetSessionToken', region: 'ap-south-1' }));
    writeV1AuditDb(file, [...events, ...sameSecond]);

    const store = new SqliteAuditStore(file);
    try {
      await expectSeededLookups(store, events);
      // Ties keep their v1 insertion order: the seq of every row is kept.
      const tied = scope({ region: 'ap-south-1', attribute: { key: 'EventName', value: 'GetSessionToken' }, limit: 3 });
      const ties = await store.lookup(tied);
      const rest = await store.lookup({ ...tied, after: ties.next });
      expect([...ties.events, ...rest.events].map((e) => e.eventId)).toEqual([...sameSecond].reverse().map((e) => e.eventID));
      const assume = (await store.lookup(scope({ attribute: { key: 'EventId', value: events[1]!.eventID } }))).events[0]!;
      expect(JSON.parse(assume.json)).toEqual(events[1]);
      // A v1 record appended again is still a duplicate; new records go in beside the old ones.
      await store.append(events.slice(0, 1));
      await store.append(at(20, { service: STS, action: 'GetCallerIdentity' }));
      expect((await store.lookup(scope({ attribute: { key: 'EventName', value: 'GetCallerIdentity' } }))).events).toHaveLength(2);
      expect(await store.deleteOlderThan(new Date(T0 + 3000))).toBe(2);
      expect((await store.lookup(scope({ attribute: { key: 'ResourceName', value: 'ASIAWD3EXAMPLETMP001' } }))).events).toEqual([]);
    } finally {
      await store.close();
    }

    const db = new Database(file, { readonly: true });
    const version = db.pragma('user_version', { simple: true });
    const objects = (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    const lookupColumns = (db.prepare('PRAGMA table_info(audit_lookup)').all() as Array<{ name: string }>).map((r) => r.name);
    db.close();
    expect(version).toBe(SCHEMA_VERSION);
    expect(objects).toEqual(['audit_events', 'audit_events_time', 'audit_lookup']);
    expect(lookupColumns).toEqual(['key', 'event_time', 'seq']);
  });

  it('refuses a database newer than this version', async () => {
    const file = path.join(dir, 'audit.db');
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteAuditStore(file)).toThrow(/newer than this open-sts/);
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
