import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { AuditStore, LookupAttributeKey, LookupPage, LookupQuery, StoredEvent } from './audit-store.js';
import { lookupFields, type LookupResource } from './lookup-fields.js';
import { WRITER_SOURCE, type WriterRow } from './sqlite-audit-writer.js';
import type { CloudTrailEvent } from './types.js';

export interface SqliteAuditStoreOptions {
  /**
   * `full` (default): every commit is fsynced, so an answered call's record survives a power
   * loss. `normal`: WAL without an fsync per commit — an OS crash (not a process crash) may
   * lose the last records.
   */
  readonly synchronous?: 'full' | 'normal';
  /**
   * `thread` (default for files): commits run on a writer thread with its own connection, so
   * their I/O never blocks the event loop. `inline`: on the calling thread (`:memory:`).
   */
  readonly writer?: 'thread' | 'inline';
}

type Row = {
  seq: number;
  event_id: string;
  event_time: number;
  account_id: string;
  region: string;
  event_name: string;
  event_source: string;
  read_only: number;
  username: string | null;
  access_key_id: string | null;
  resources: string;
  lookup_keys: string;
  record: string;
};

interface Waiter {
  readonly resolve: (value: number | undefined) => void;
  readonly reject: (error: unknown) => void;
}

type Reply = { readonly type: 'commit' } | { readonly id: number; readonly ok: true; readonly value?: number } | { readonly id: number; readonly ok: false; readonly message: string };

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_events (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  event_time INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  region TEXT NOT NULL,
  event_name TEXT NOT NULL,
  event_source TEXT NOT NULL,
  read_only INTEGER NOT NULL,
  username TEXT,
  access_key_id TEXT,
  issued_access_key_id TEXT,
  resources TEXT NOT NULL,
  lookup_keys TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_time ON audit_events (event_time);
CREATE INDEX IF NOT EXISTS audit_events_issued ON audit_events (issued_access_key_id) WHERE issued_access_key_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_events_signer ON audit_events (access_key_id, event_time) WHERE access_key_id IS NOT NULL;
-- One row per (event, LookupEvents attribute value), plus one '*' row for unfiltered lookups:
-- every lookup is one backward range scan of this clustered key, never a table scan.
CREATE TABLE IF NOT EXISTS audit_lookup (
  account_id TEXT NOT NULL,
  region TEXT NOT NULL,
  attr TEXT NOT NULL,
  value TEXT NOT NULL,
  event_time INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (account_id, region, attr, value, event_time, event_id)
) WITHOUT ROWID;
`;

const ALL = '*';
const RETENTION_BATCH = 1000;

/**
 * The audit store on better-sqlite3, in its own file (`<data dir>/audit.db`), apart from the
 * main store. Group commit: appends of one tick go to the writer in one message, and the
 * writer commits everything queued in one transaction, so audit-before-respond costs one
 * commit per batch of requests — and, on the writer thread, no event-loop time.
 */
export class SqliteAuditStore implements AuditStore {
  readonly #db: Database.Database;
  readonly #file: string;
  readonly #synchronous: 'FULL' | 'NORMAL';
  readonly #inline: boolean;
  #worker: Worker | undefined;
  #pendingRows: WriterRow[] = [];
  #pendingWaiters: Waiter[] = [];
  #scheduled = false;
  #nextId = 1;
  readonly #inFlight = new Map<number, Waiter[]>();
  #closed = false;
  #commits = 0;
  readonly #byEventId: Database.Statement;
  readonly #page: Database.Statement;
  readonly #pageAfter: Database.Statement;
  readonly #issuing: Database.Statement;
  readonly #signedBy: Database.Statement;
  #inlineWriter: ((rows: readonly WriterRow[]) => void) | undefined;

  constructor(file: string, options: SqliteAuditStoreOptions = {}) {
    this.#file = file;
    this.#synchronous = options.synchronous === 'normal' ? 'NORMAL' : 'FULL';
    this.#inline = file === ':memory:' || options.writer === 'inline';
    this.#db = new Database(file);
    if (file !== ':memory:') this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.pragma(`synchronous = ${this.#synchronous}`);
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw new Error(`audit database ${file} has schema version ${version}, newer than this open-sts (${SCHEMA_VERSION})`);
    if (version < SCHEMA_VERSION) {
      this.#db.exec(SCHEMA);
      this.#db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
    this.#byEventId = this.#db.prepare('SELECT * FROM audit_events WHERE event_id = ? AND account_id = ? AND region = ? AND event_time BETWEEN ? AND ?');
    const page = (cursor: string) =>
      this.#db.prepare(
        `SELECT e.* FROM audit_lookup l JOIN audit_events e ON e.event_id = l.event_id
         WHERE l.account_id = ? AND l.region = ? AND l.attr = ? AND l.value = ? AND l.event_time BETWEEN ? AND ? ${cursor}
         ORDER BY l.event_time DESC, l.event_id DESC LIMIT ?`,
      );
    this.#page = page('');
    this.#pageAfter = page('AND (l.event_time < ? OR (l.event_time = ? AND l.event_id < ?))');
    this.#issuing = this.#db.prepare('SELECT * FROM audit_events WHERE issued_access_key_id = ? ORDER BY seq');
    this.#signedBy = this.#db.prepare('SELECT * FROM audit_events WHERE access_key_id = ? ORDER BY event_time, seq LIMIT ?');
  }

  /** Transactions committed by append (group commit makes this less than the number of appends). */
  get commits(): number {
    return this.#commits;
  }

  append(events: readonly CloudTrailEvent[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the audit store is closed'));
    if (events.length === 0) return Promise.resolve();
    let rows: WriterRow[];
    try {
      rows = events.map(toRow);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      this.#pendingRows.push(...rows);
      this.#pendingWaiters.push({ resolve: () => resolve(), reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const rows = this.#pendingRows;
    const waiters = this.#pendingWaiters;
    this.#pendingRows = [];
    this.#pendingWaiters = [];
    if (waiters.length === 0) return;
    if (this.#inline) {
      try {
        this.#writeInline(rows);
        this.#commits++;
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
        return;
      }
      for (const waiter of waiters) waiter.resolve(undefined);
      return;
    }
    const id = this.#nextId++;
    try {
      const worker = this.#writer();
      this.#track(id, waiters);
      worker.postMessage({ type: 'append', id, rows });
    } catch (error) {
      this.#settle(id);
      for (const waiter of waiters) waiter.reject(error);
    }
  }

  #track(id: number, waiters: Waiter[]): void {
    if (this.#inFlight.size === 0) this.#worker?.ref();
    this.#inFlight.set(id, waiters);
  }

  #settle(id: number): Waiter[] | undefined {
    const waiters = this.#inFlight.get(id);
    this.#inFlight.delete(id);
    if (this.#inFlight.size === 0) this.#worker?.unref();
    return waiters;
  }

  #writeInline(rows: readonly WriterRow[]): void {
    if (!this.#inlineWriter) {
      const insertEvent = this.#db.prepare(
        `INSERT INTO audit_events (event_id, event_time, account_id, region, event_name, event_source, read_only, username, access_key_id, issued_access_key_id, resources, lookup_keys, record)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
      );
      const insertLookup = this.#db.prepare('INSERT INTO audit_lookup (account_id, region, attr, value, event_time, event_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
      this.#inlineWriter = this.#db.transaction((batch: readonly WriterRow[]) => {
        for (const r of batch) {
          const inserted = insertEvent.run(r.eventId, r.eventTime, r.accountId, r.region, r.eventName, r.eventSource, r.readOnly, r.username, r.accessKeyId, r.issuedAccessKeyId, r.resources, r.lookupKeys, r.record);
          if (inserted.changes === 0) continue;
          for (const [attr, value] of JSON.parse(r.lookupKeys) as Array<[string, string]>) insertLookup.run(r.accountId, r.region, attr, value, r.eventTime, r.eventId);
        }
      });
    }
    this.#inlineWriter(rows);
  }

  /** The writer thread, started on first use and again after it died. */
  #writer(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: { file: this.#file, synchronous: this.#synchronous, sqlitePath: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    worker.on('message', (reply: Reply) => {
      if ('type' in reply) {
        this.#commits++;
        return;
      }
      const waiters = this.#settle(reply.id);
      if (!waiters) return;
      for (const waiter of waiters) {
        if (reply.ok) waiter.resolve(reply.value);
        else waiter.reject(new Error(`audit store write failed: ${reply.message}`));
      }
    });
    const fail = (error: Error) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      for (const waiters of this.#inFlight.values()) for (const waiter of waiters) waiter.reject(error);
      this.#inFlight.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the audit writer thread exited (code ${code})`)));
    // Only an idle writer lets the process exit; one with work in flight keeps it alive (#track).
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  async lookup(query: LookupQuery): Promise<LookupPage> {
    const { accountId, region, startTime, endTime, limit, after } = query;
    if (query.attribute?.key === 'EventId') {
      const row = this.#byEventId.get(query.attribute.value, accountId, region, startTime, endTime) as Row | undefined;
      // One event at most: a cursor means it was on the previous page.
      return { events: row && !after ? [toStored(row)] : [], hasMore: false };
    }
    const attr = query.attribute ? query.attribute.key : ALL;
    const value = query.attribute ? query.attribute.value : '';
    const rows = (
      after
        ? this.#pageAfter.all(accountId, region, attr, value, startTime, endTime, after.eventTime, after.eventTime, after.eventId, limit + 1)
        : this.#page.all(accountId, region, attr, value, startTime, endTime, limit + 1)
    ) as Row[];
    return { events: rows.slice(0, limit).map(toStored), hasMore: rows.length > limit };
  }

  async findIssuingEvents(accessKeyId: string): Promise<readonly StoredEvent[]> {
    return (this.#issuing.all(accessKeyId) as Row[]).map(toStored);
  }

  async findSignedBy(accessKeyId: string, limit: number): Promise<readonly StoredEvent[]> {
    return (this.#signedBy.all(accessKeyId, limit) as Row[]).map(toStored);
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    if (this.#closed) throw new Error('the audit store is closed');
    const before = Math.floor(cutoff.getTime() / 1000);
    if (this.#inline) return this.#sweepInline(before);
    const id = this.#nextId++;
    return new Promise<number>((resolve, reject) => {
      const worker = this.#writer();
      this.#track(id, [{ resolve: (value) => resolve(value ?? 0), reject }]);
      worker.postMessage({ type: 'sweep', id, before, batch: RETENTION_BATCH });
    });
  }

  #sweepInline(before: number): number {
    const select = this.#db.prepare('SELECT * FROM audit_events WHERE event_time < ? ORDER BY event_time LIMIT ?');
    const deleteEvent = this.#db.prepare('DELETE FROM audit_events WHERE seq = ?');
    const deleteLookup = this.#db.prepare('DELETE FROM audit_lookup WHERE account_id = ? AND region = ? AND attr = ? AND value = ? AND event_time = ? AND event_id = ?');
    const batch = this.#db.transaction(() => {
      const rows = select.all(before, RETENTION_BATCH) as Row[];
      for (const row of rows) {
        for (const [attr, value] of JSON.parse(row.lookup_keys) as Array<[string, string]>) deleteLookup.run(row.account_id, row.region, attr, value, row.event_time, row.event_id);
        deleteEvent.run(row.seq);
      }
      return rows.length;
    });
    let total = 0;
    for (;;) {
      const n = batch.immediate();
      total += n;
      if (n < RETENTION_BATCH) return total;
    }
  }

  /** Commits what is pending, stops the writer thread, closes the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    const worker = this.#worker;
    if (worker) {
      // The writer handles messages in order: it commits every queued append and answers it
      // before it closes; whatever is still unanswered at exit is rejected by the exit handler.
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.ref();
      worker.postMessage({ type: 'close' });
      await exited;
    }
    this.#db.close();
  }
}

/** All columns of one record, computed here so the writer thread only executes SQL. */
function toRow(event: CloudTrailEvent): WriterRow {
  const fields = lookupFields(event);
  const eventTime = Math.floor(Date.parse(event.eventTime) / 1000);
  if (!Number.isFinite(eventTime)) throw new Error(`audit record ${event.eventID} has an invalid eventTime`);
  return {
    eventId: event.eventID,
    eventTime,
    accountId: event.recipientAccountId,
    region: event.awsRegion,
    eventName: event.eventName,
    eventSource: event.eventSource,
    readOnly: event.readOnly ? 1 : 0,
    username: fields.username ?? null,
    accessKeyId: fields.accessKeyId ?? null,
    issuedAccessKeyId: fields.issuedAccessKeyId ?? null,
    resources: JSON.stringify(fields.resources),
    lookupKeys: JSON.stringify(lookupKeys(event.eventName, event.eventSource, event.readOnly, fields.username, fields.accessKeyId, fields.resources)),
    record: JSON.stringify(event),
  };
}

/** The audit_lookup keys of one event (attribute, value), deduplicated. */
function lookupKeys(
  eventName: string,
  eventSource: string,
  readOnly: boolean,
  username: string | undefined,
  accessKeyId: string | undefined,
  resources: readonly LookupResource[],
): Array<readonly [string, string]> {
  const keys = new Map<string, readonly [string, string]>();
  const add = (attr: typeof ALL | Exclude<LookupAttributeKey, 'EventId'>, value: string) => keys.set(`${attr}\u0000${value}`, [attr, value]);
  add(ALL, '');
  add('EventName', eventName);
  add('EventSource', eventSource);
  add('ReadOnly', readOnly ? 'true' : 'false');
  if (username !== undefined) add('Username', username);
  if (accessKeyId !== undefined) add('AccessKeyId', accessKeyId);
  for (const resource of resources) {
    add('ResourceType', resource.ResourceType);
    add('ResourceName', resource.ResourceName);
  }
  return [...keys.values()];
}

function toStored(row: Row): StoredEvent {
  return {
    eventId: row.event_id,
    eventTime: row.event_time,
    eventName: row.event_name,
    eventSource: row.event_source,
    readOnly: row.read_only === 1,
    recipientAccountId: row.account_id,
    awsRegion: row.region,
    username: row.username ?? undefined,
    accessKeyId: row.access_key_id ?? undefined,
    resources: JSON.parse(row.resources) as LookupResource[],
    json: row.record,
  };
}
