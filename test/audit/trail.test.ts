import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditStore } from '../../src/audit/audit-store.js';
import { buildEvents } from '../../src/audit/event.js';
import { JsonLinesSink, LogFileSink, logFileKey, type AuditSink } from '../../src/audit/sinks.js';
import { SqliteAuditStore } from '../../src/audit/sqlite-audit-store.js';
import { AuditTrail, AuditWriteError, auditFailureError, openAuditTrail } from '../../src/audit/trail.js';
import type { CloudTrailEvent } from '../../src/audit/types.js';
import { ManualClock } from '../../src/clock.js';
import { A, B, IAM, STS, assumeRoleResult, base, bob, ok, query } from './fixtures.js';

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

function records(bytes: Buffer): CloudTrailEvent[] {
  const body = JSON.parse(gunzipSync(bytes).toString('utf8')) as { Records: CloudTrailEvent[] };
  expect(Object.keys(body)).toEqual(['Records']);
  return body.Records;
}

describe('logFileKey (cloudtrail.md §5.1)', () => {
  it('names files as a trail delivers them', () => {
    expect(logFileKey(A, 'us-east-1', new Date('2026-03-02T14:10:59Z'), 'Q7pLm2Xc9vTb4RsK')).toBe(
      path.join('AWSLogs', A, 'CloudTrail', 'us-east-1', '2026', '03', '02', `${A}_CloudTrail_us-east-1_20260302T1410Z_Q7pLm2Xc9vTb4RsK.json.gz`),
    );
  });
});

describe('LogFileSink', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'open-sts-trail-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one gzip {"Records":[…]} file per account and region per rotation, named by delivery time', async () => {
    const clock = new ManualClock(new Date('2026-03-02T14:05:30Z'));
    const sink = new LogFileSink({ dir, clock, flushSeconds: 0 });
    const own = buildOwnAndCrossAccount();
    sink.write(own);
    sink.write([{ ...own[0]!, awsRegion: 'eu-west-1', eventID: 'e-eu' }]);
    clock.set(new Date('2026-03-02T14:10:07Z'));
    await sink.flush();
    const written = await files(dir);
    expect(written).toHaveLength(3);
    const pattern = (acct: string, region: string) =>
      new RegExp(`^AWSLogs/${acct}/CloudTrail/${region}/2026/03/02/${acct}_CloudTrail_${region}_20260302T1410Z_[A-Za-z0-9]{16}\\.json\\.gz$`);
    expect(written.filter((f) => pattern(B, 'us-east-1').test(f))).toHaveLength(1);
    expect(written.filter((f) => pattern(A, 'us-east-1').test(f))).toHaveLength(1);
    expect(written.filter((f) => pattern(B, 'eu-west-1').test(f))).toHaveLength(1);
    const bFile = written.find((f) => pattern(B, 'us-east-1').test(f))!;
    expect(records(await readFile(path.join(dir, bFile)))).toEqual([own[0]]);
    // Nothing pending: the next rotation writes nothing.
    await sink.flush();
    expect(await files(dir)).toHaveLength(3);
    await sink.close();
  });

  it('rotates by time and writes early at the record limit; leaves no .tmp behind', async () => {
    const clock = new ManualClock(new Date('2026-03-02T23:59:00Z'));
    const sink = new LogFileSink({ dir, clock, flushSeconds: 0, maxRecords: 3 });
    const [event] = buildOwnAndCrossAccount();
    sink.write([event!]);
    await sink.flush();
    clock.set(new Date('2026-03-03T00:04:00Z'));
    sink.write([event!, event!, event!]); // reaches the limit: written without waiting for the timer
    await sink.flush(); // waits for the write the limit started
    const written = await files(dir);
    expect(written).toHaveLength(2);
    expect(written.some((f) => f.includes('/2026/03/02/') && f.includes('_20260302T2359Z_'))).toBe(true);
    expect(written.some((f) => f.includes('/2026/03/03/') && f.includes('_20260303T0004Z_'))).toBe(true);
    expect(written.every((f) => !f.endsWith('.tmp'))).toBe(true);
    await sink.close();
  });

  it('rotates on its timer', async () => {
    const sink = new LogFileSink({ dir, clock: new ManualClock(), flushSeconds: 0.05 });
    sink.write(buildOwnAndCrossAccount().slice(0, 1));
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await files(dir)).toHaveLength(1);
    await sink.close();
  });
});

/** A cross-account AssumeRole: bob's copy in B, the role owner's copy in A. */
function buildOwnAndCrossAccount(): CloudTrailEvent[] {
  return buildEvents(
    base({
      service: STS,
      action: 'AssumeRole',
      caller: bob(),
      request: { query: query({ RoleArn: `arn:aws:iam::${A}:role/deployer`, RoleSessionName: 'bob-ci' }) },
      outcome: ok(assumeRoleResult({ sessionName: 'bob-ci' })),
    }),
  );
}

/** An in-memory store whose append can be made to fail. */
function memoryStore(): AuditStore & { events: CloudTrailEvent[]; fail: boolean } {
  return {
    events: [],
    fail: false,
    async append(events) {
      if (this.fail) throw new Error('disk I/O error');
      this.events.push(...events);
    },
    async lookup() {
      return { events: [], hasMore: false };
    },
    async findIssuingEvents() {
      return [];
    },
    async findSignedBy() {
      return [];
    },
    async deleteOlderThan() {
      return 0;
    },
    async close() {},
  };
}

describe('AuditTrail', () => {
  const input = base({ service: STS, action: 'GetCallerIdentity', outcome: ok({ UserId: 'u', Account: A, Arn: 'a' }) });

  it('stores the records before it resolves, then fans out to the sinks', async () => {
    const store = memoryStore();
    const lines: string[] = [];
    const trail = new AuditTrail({ store, clock: new ManualClock(), sinks: [new JsonLinesSink((t) => lines.push(t))], sweepIntervalMs: 0 });
    await trail.record(input);
    expect(store.events).toHaveLength(1);
    expect(lines.join('')).toBe(JSON.stringify(store.events[0]) + '\n');
    expect(trail.stats).toEqual({ recorded: 1, storeFailures: 0, sinkFailures: 0 });
  });

  it('audit-before-respond: a store failure rejects with AuditWriteError, is logged without the record, and reaches no sink', async () => {
    const store = memoryStore();
    store.fail = true;
    const logged: Array<{ object: object; message: string }> = [];
    const lines: string[] = [];
    const trail = new AuditTrail({
      store,
      clock: new ManualClock(),
      sinks: [new JsonLinesSink((t) => lines.push(t))],
      logger: { error: (object, message) => logged.push({ object, message }), warn: () => {} },
      sweepIntervalMs: 0,
    });
    await expect(trail.record(input)).rejects.toBeInstanceOf(AuditWriteError);
    expect(lines).toEqual([]);
    expect(trail.stats.storeFailures).toBe(1);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.object).toMatchObject({ requestId: input.requestId, eventName: 'GetCallerIdentity', accessKeyId: 'AKIARZ7EXAMPLEKEY001' });
  });

  it('a sink failure never fails the call', async () => {
    const broken: AuditSink = { name: 'broken', write: () => { throw new Error('EPIPE'); }, flush: async () => {}, close: async () => {} };
    const trail = new AuditTrail({ store: memoryStore(), clock: new ManualClock(), sinks: [broken], sweepIntervalMs: 0 });
    await expect(trail.record(input)).resolves.toBeUndefined();
    expect(trail.stats.sinkFailures).toBe(1);
  });

  it('the 5xx of an unstored record is the service’s own server fault', () => {
    expect(auditFailureError('sts')).toMatchObject({ code: 'ServiceUnavailable', status: 503 });
    expect(auditFailureError('iam')).toMatchObject({ code: 'ServiceFailure', status: 500 });
    expect(auditFailureError('organizations')).toMatchObject({ code: 'ServiceException', status: 500 });
    expect(auditFailureError('cloudtrail')).toMatchObject({ code: 'ServiceUnavailable', status: 503 });
  });

  it('retention: the sweep deletes stored records older than the configured days (default 90)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'open-sts-trail-'));
    try {
      const clock = new ManualClock(new Date('2026-03-02T00:00:00Z'));
      const trail = await openAuditTrail({ dataDir: dir, clock });
      expect(trail.retentionDays).toBe(90);
      await trail.record({ ...input, eventTime: new Date('2025-11-01T00:00:00Z') }); // 121 days old
      await trail.record({ ...input, eventTime: new Date('2026-01-01T00:00:00Z') }); // 60 days old
      await trail.record(base({ service: IAM, action: 'ListRoles', eventTime: new Date('2025-12-01T00:00:00Z') })); // 91 days old
      expect(await trail.sweep()).toBe(2);
      const page = await trail.store.lookup({ accountId: A, region: 'us-east-1', startTime: 0, endTime: 2e9, limit: 50 });
      expect(page.events.map((e) => e.eventTime)).toEqual([Date.parse('2026-01-01T00:00:00Z') / 1000]);
      await trail.close();
      const kept = await openAuditTrail({ dataDir: dir, clock, retentionDays: 0 });
      expect(await kept.sweep()).toBe(0);
      await kept.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('openAuditTrail writes log files and JSON lines when configured, flushing files on close', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'open-sts-trail-'));
    try {
      const logDir = path.join(dir, 'trail');
      const trail = await openAuditTrail({ dataDir: dir, clock: new ManualClock(new Date('2026-03-02T14:00:00Z')), logDir, flushSeconds: 300 });
      await trail.record(input);
      expect(await files(logDir)).toEqual([]);
      await trail.close();
      const written = await files(logDir);
      expect(written).toHaveLength(1);
      expect(records(await readFile(path.join(logDir, written[0]!)))[0]!.eventName).toBe('GetCallerIdentity');
      expect(trail.store).toBeInstanceOf(SqliteAuditStore);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
