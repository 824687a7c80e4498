import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { LOOKUP_ATTRIBUTE_KEYS, type AuditStore, type LookupAttributeKey, type LookupCursor, type LookupPage, type LookupQuery, type StoredEvent } from './audit-store.js';
import { eventJson } from './event.js';
import { lookupFields, type LookupResource } from './lookup-fields.js';
import { globalKey, queryKey, type KeyedFields } from './lookup-keys.js';
import { InlineWriter } from './sqlite-audit-inline-writer.js';
import { lookupSql, prepareSchema, ROW, TRACE_SQL, WRITE_SQL, writerRow, type StoredRow, type WriterRow } from './sqlite-audit-schema.js';
import { WRITER_SOURCE, type WriterMessage } from './sqlite-audit-writer.js';
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

interface Waiter {
  readonly resolve: (value: number | undefined) => void;
  readonly reject: (error: unknown) => void;
}

type Reply = { readonly type: 'commit' } | { readonly id: number; readonly ok: true; readonly value?: number } | { readonly id: number; readonly ok: false; readonly message: string };

const RETENTION_BATCH = 1000;

/**
 * The audit store on better-sqlite3, in its own file (`<data dir>/audit.db`), apart from the
 * main store. Group commit: appends of one tick go to the writer in one message, and the
 * writer commits everything queued in one transaction, so audit-before-respond costs one
 * commit per batch of requests — and, on the writer thread, no event-loop time. The schema,
 * its integer-keyed lookup index and every statement are in sqlite-audit-schema.ts.
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
  /** One statement per lookup attribute (`*`: none): each checks its own column against the hash match. */
  readonly #pages: ReadonlyMap<'*' | LookupAttributeKey, Database.Statement>;
  readonly #issuing: Database.Statement;
  readonly #signedBy: Database.Statement;
  #inlineWriter: InlineWriter | undefined;

  constructor(file: string, options: SqliteAuditStoreOptions = {}) {
    this.#file = file;
    this.#synchronous = options.synchronous === 'normal' ? 'NORMAL' : 'FULL';
    this.#inline = file === ':memory:' || options.writer === 'inline';
    this.#db = new Database(file);
    if (file !== ':memory:') this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.pragma(`synchronous = ${this.#synchronous}`);
    prepareSchema(this.#db, file);
    this.#pages = new Map((['*', ...LOOKUP_ATTRIBUTE_KEYS] as const).map((attribute) => [attribute, this.#db.prepare(lookupSql(attribute))]));
    this.#issuing = this.#db.prepare(TRACE_SQL.issuing);
    this.#signedBy = this.#db.prepare(TRACE_SQL.signedBy);
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
      this.#post(worker, { type: 'append', id, rows });
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
    this.#inlineWriter ??= new InlineWriter(this.#db);
    this.#inlineWriter.append(rows);
  }

  #post(worker: Worker, message: WriterMessage): void {
    worker.postMessage(message);
  }

  /** The writer thread, started on first use and again after it died. */
  #writer(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: { file: this.#file, synchronous: this.#synchronous, sqlitePath: createRequire(import.meta.url).resolve('better-sqlite3'), sql: WRITE_SQL, row: ROW },
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
    const { accountId, region, attribute, startTime, endTime, limit, after } = query;
    // Strictly before the cursor, or before anything after endTime (seq starts at 1).
    const before = earlier(after, { eventTime: Math.floor(endTime) + 1, seq: 0 });
    const statement = this.#pages.get(attribute ? attribute.key : '*')!;
    const rows = statement.all({
      key: queryKey(accountId, region, attribute),
      value: attribute?.value,
      accountId,
      region,
      startTime,
      beforeTime: before.eventTime,
      beforeSeq: before.seq,
      limit: limit + 1,
    }) as StoredRow[];
    if (rows.length <= limit) return { events: rows.map(toStored), hasMore: false };
    const page = rows.slice(0, limit);
    const last = page[page.length - 1]!;
    return { events: page.map(toStored), hasMore: true, next: { eventTime: last.event_time, seq: last.seq } };
  }

  async findIssuingEvents(accessKeyId: string): Promise<readonly StoredEvent[]> {
    return (this.#issuing.all(globalKey('IssuedKey', accessKeyId), accessKeyId) as StoredRow[]).map(toStored);
  }

  async findSignedBy(accessKeyId: string, limit: number): Promise<readonly StoredEvent[]> {
    return (this.#signedBy.all(globalKey('SignedBy', accessKeyId), accessKeyId, limit) as StoredRow[]).map(toStored);
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    if (this.#closed) throw new Error('the audit store is closed');
    const before = Math.floor(cutoff.getTime() / 1000);
    if (this.#inline) return this.#sweepInline(before);
    const id = this.#nextId++;
    return new Promise<number>((resolve, reject) => {
      const worker = this.#writer();
      this.#track(id, [{ resolve: (value) => resolve(value ?? 0), reject }]);
      this.#post(worker, { type: 'sweep', id, before, batch: RETENTION_BATCH });
    });
  }

  #sweepInline(before: number): number {
    this.#inlineWriter ??= new InlineWriter(this.#db);
    return this.#inlineWriter.sweep(before, RETENTION_BATCH);
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
      this.#post(worker, { type: 'close' });
      await exited;
    }
    this.#db.close();
  }
}

/** All columns of one record, computed here so the writer thread only binds them. */
function toRow(event: CloudTrailEvent): WriterRow {
  const fields = lookupFields(event);
  const eventTime = Math.floor(Date.parse(event.eventTime) / 1000);
  if (!Number.isFinite(eventTime)) throw new Error(`audit record ${event.eventID} has an invalid eventTime`);
  const keyed: KeyedFields = {
    eventId: event.eventID,
    accountId: event.recipientAccountId,
    region: event.awsRegion,
    eventName: event.eventName,
    eventSource: event.eventSource,
    readOnly: event.readOnly,
    username: fields.username,
    accessKeyId: fields.accessKeyId,
    issuedAccessKeyId: fields.issuedAccessKeyId,
    resources: fields.resources,
  };
  return writerRow(keyed, eventTime, eventJson(event));
}

/** The earlier of two positions in LookupEvents order (time, then seq). */
function earlier(a: LookupCursor | undefined, b: LookupCursor): LookupCursor {
  if (!a) return b;
  return a.eventTime < b.eventTime || (a.eventTime === b.eventTime && a.seq < b.seq) ? a : b;
}

function toStored(row: StoredRow): StoredEvent {
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
