import type Database from 'better-sqlite3';
import type { LookupAttributeKey } from './audit-store.js';
import type { LookupResource } from './lookup-fields.js';
import { lookupKeys, type KeyedFields } from './lookup-keys.js';

/**
 * The audit database's schema (version 2) and every SQL statement run on it, shared by the
 * store (reads, inline writes, migration) and the writer thread (which gets the write
 * statements through workerData, so the SQL has one source).
 *
 * Version 2 keeps each record's write to a few small-integer B-tree inserts: audit_events is
 * append-only on its rowid `seq` with one integer index (event_time, for the retention sweep);
 * every lookup — LookupEvents' attributes, EventId, and trace's by-key searches — goes through
 * audit_lookup, keyed by a 53-bit hash (lookup-keys.ts) and verified against the event's own
 * columns by the query that reads it. Version 1 indexed text: a UNIQUE event_id, two partial
 * indexes on access keys and a lookup table keyed by (account, region, attribute, value, time,
 * event ID) — each record cost ~10–20 text-keyed B-tree inserts.
 */
export const SCHEMA_VERSION = 2;

/** audit_events' columns as the writer inserts them, in WriterRow's order. */
const EVENT_COLUMNS = [
  'event_id',
  'event_time',
  'account_id',
  'region',
  'event_name',
  'event_source',
  'read_only',
  'username',
  'access_key_id',
  'issued_access_key_id',
  'resources',
  'lookup_keys',
  'record',
] as const;

/** One audit_events row, as the main thread computes it and the writer binds it (no per-row parsing there). */
export type WriterRow = readonly [
  eventId: string,
  eventTime: number,
  accountId: string,
  region: string,
  eventName: string,
  eventSource: string,
  readOnly: 0 | 1,
  username: string | null,
  accessKeyId: string | null,
  issuedAccessKeyId: string | null,
  /** JSON array of LookupResource. */
  resources: string,
  /** The record's audit_lookup keys, EventId key first. */
  lookupKeys: Float64Array,
  /** The CloudTrail record, compact JSON. */
  record: string,
];

/** Positions in WriterRow the writer reads besides binding the whole row. */
export const ROW = { eventId: 0, eventTime: 1, lookupKeys: 11 } as const;

function eventsTable(name: string): string {
  return `CREATE TABLE ${name} (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,
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
  -- This record's audit_lookup keys (Float64Array bytes), so the sweep can delete its entries.
  lookup_keys BLOB NOT NULL,
  record TEXT NOT NULL
);`;
}

const TIME_INDEX = 'CREATE INDEX audit_events_time ON audit_events (event_time);';

// One entry per (record, key): every lookup is one range scan of this clustered key, newest
// first, stopping after the page's rows; its cost does not grow with the records it skips.
const LOOKUP_TABLE = `CREATE TABLE audit_lookup (
  key INTEGER NOT NULL,
  event_time INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (key, event_time, seq)
) WITHOUT ROWID;`;

/** The write statements: the writer thread's, and the store's in inline mode. */
export const WRITE_SQL = {
  insertEvent: `INSERT INTO audit_events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`,
  insertLookup: 'INSERT INTO audit_lookup (key, event_time, seq) VALUES (?, ?, ?)',
  /** Appending a record whose event ID is stored already is a no-op (the key may collide: compare the ID). */
  findDuplicate: 'SELECT 1 FROM audit_lookup l JOIN audit_events e ON e.seq = l.seq WHERE l.key = ? AND e.event_id = ? LIMIT 1',
  selectOld: 'SELECT seq, event_time, lookup_keys FROM audit_events WHERE event_time < ? ORDER BY event_time LIMIT ?',
  deleteEvent: 'DELETE FROM audit_events WHERE seq = ?',
  deleteLookup: 'DELETE FROM audit_lookup WHERE key = ? AND event_time = ? AND seq = ?',
} as const;

/** What reads return: every column but lookup_keys. */
export interface StoredRow {
  readonly seq: number;
  readonly event_id: string;
  readonly event_time: number;
  readonly account_id: string;
  readonly region: string;
  readonly event_name: string;
  readonly event_source: string;
  readonly read_only: number;
  readonly username: string | null;
  readonly access_key_id: string | null;
  readonly resources: string;
  readonly record: string;
}

const STORED = 'e.seq, e.event_id, e.event_time, e.account_id, e.region, e.event_name, e.event_source, e.read_only, e.username, e.access_key_id, e.resources, e.record';
const FROM_LOOKUP = 'FROM audit_lookup l JOIN audit_events e ON e.seq = l.seq';

/** The check that makes a hash match a real one, per lookup attribute (`*`: no attribute). */
const MATCHES: Readonly<Record<'*' | LookupAttributeKey, string>> = {
  '*': '1',
  EventId: 'e.event_id = @value',
  EventName: 'e.event_name = @value',
  ReadOnly: "e.read_only = (@value = 'true')",
  Username: 'e.username = @value',
  ResourceType: "EXISTS (SELECT 1 FROM json_each(e.resources) WHERE value ->> 'ResourceType' = @value)",
  ResourceName: "EXISTS (SELECT 1 FROM json_each(e.resources) WHERE value ->> 'ResourceName' = @value)",
  EventSource: 'e.event_source = @value',
  AccessKeyId: 'e.access_key_id = @value',
};

/**
 * One LookupEvents page: newest first, strictly before (@beforeTime, @beforeSeq) — the cursor,
 * or just past the end of the time range — and from @startTime on. The row-value bound lets
 * SQLite start the scan right at the cursor.
 */
export function lookupSql(attribute: '*' | LookupAttributeKey): string {
  return `SELECT ${STORED} ${FROM_LOOKUP}
WHERE l.key = @key AND l.event_time >= @startTime AND (l.event_time, l.seq) < (@beforeTime, @beforeSeq)
  AND e.account_id = @accountId AND e.region = @region AND ${MATCHES[attribute]}
ORDER BY l.event_time DESC, l.seq DESC LIMIT @limit`;
}

export const TRACE_SQL = {
  /** ? = globalKey('IssuedKey', id), id. */
  issuing: `SELECT ${STORED} ${FROM_LOOKUP} WHERE l.key = ? AND e.issued_access_key_id = ? ORDER BY l.event_time, l.seq`,
  /** ? = globalKey('SignedBy', id), id, limit. */
  signedBy: `SELECT ${STORED} ${FROM_LOOKUP} WHERE l.key = ? AND e.access_key_id = ? ORDER BY l.event_time, l.seq LIMIT ?`,
} as const;

/** The row of one record: its columns, its lookup keys and its JSON. */
export function writerRow(fields: KeyedFields, eventTime: number, record: string): WriterRow {
  return [
    fields.eventId,
    eventTime,
    fields.accountId,
    fields.region,
    fields.eventName,
    fields.eventSource,
    fields.readOnly ? 1 : 0,
    fields.username ?? null,
    fields.accessKeyId ?? null,
    fields.issuedAccessKeyId ?? null,
    JSON.stringify(fields.resources),
    lookupKeys(fields),
    record,
  ];
}

/** The keys stored in a lookup_keys BLOB (written from a Float64Array in this machine's byte order). */
export function storedKeys(blob: Buffer): Float64Array {
  return new Float64Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

/** How long an opener waits for another process's upgrade (~70 µs per record on a 2-CPU VM). */
const UPGRADE_WAIT_MS = 10 * 60_000;

/**
 * Creates the schema in a new database, or upgrades a version-1 one in place, in one write
 * transaction (so concurrent openers — cluster workers — do it once, and a failure leaves the
 * file as it was).
 */
export function prepareSchema(db: Database.Database, file: string): void {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  if (current() === SCHEMA_VERSION) return;
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma(`busy_timeout = ${UPGRADE_WAIT_MS}`);
  try {
    db.transaction(() => {
      const version = current();
      if (version > SCHEMA_VERSION) throw new Error(`audit database ${file} has schema version ${version}, newer than this open-sts (${SCHEMA_VERSION})`);
      if (version === SCHEMA_VERSION) return;
      if (version === 1) migrateFromV1(db);
      else db.exec(eventsTable('audit_events') + TIME_INDEX + LOOKUP_TABLE);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

/**
 * v1 → v2: the same columns (lookup_keys now holds hash keys), copied with their seq into a
 * table without v1's text indexes; audit_lookup is rebuilt from the columns.
 */
function migrateFromV1(db: Database.Database): void {
  db.exec('DROP TABLE audit_lookup;' + LOOKUP_TABLE + eventsTable('audit_events_v2'));
  const select = db.prepare('SELECT * FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 1000');
  const insertEvent = db.prepare(`INSERT INTO audit_events_v2 (seq, ${EVENT_COLUMNS.join(', ')}) VALUES (?, ${EVENT_COLUMNS.map(() => '?').join(', ')})`);
  const insertLookup = db.prepare(WRITE_SQL.insertLookup);
  for (let last = 0; ; ) {
    const rows = select.all(last) as V1Row[];
    if (rows.length === 0) break;
    for (const row of rows) {
      const v2 = writerRow(v1Fields(row), row.event_time, row.record);
      insertEvent.run(row.seq, ...v2);
      for (const key of v2[ROW.lookupKeys]) insertLookup.run(key, row.event_time, row.seq);
    }
    last = rows[rows.length - 1]!.seq;
  }
  db.exec('DROP TABLE audit_events; ALTER TABLE audit_events_v2 RENAME TO audit_events;' + TIME_INDEX);
}

/** A version-1 row as the upgrade reads it: the columns reads return, plus the issued key. */
interface V1Row extends StoredRow {
  readonly issued_access_key_id: string | null;
}

function v1Fields(row: V1Row): KeyedFields {
  return {
    eventId: row.event_id,
    accountId: row.account_id,
    region: row.region,
    eventName: row.event_name,
    eventSource: row.event_source,
    readOnly: row.read_only === 1,
    username: row.username ?? undefined,
    accessKeyId: row.access_key_id ?? undefined,
    issuedAccessKeyId: row.issued_access_key_id ?? undefined,
    resources: JSON.parse(row.resources) as LookupResource[],
  };
}
