/**
 * The audit store's writer thread, as source text: it is started with `new Worker(source,
 * { eval: true })` so that it runs the same way from compiled JavaScript and from the
 * TypeScript sources under test. It only executes inserts and deletes prepared by the main
 * thread (which computes every column), in one transaction per drained queue: group commit
 * again on this side, while the main thread keeps serving requests during the commit's I/O.
 *
 * Messages in:  { type: 'append', id, rows: WriterRow[] } | { type: 'sweep', id, before, batch } | { type: 'close' }
 * Messages out: { id, ok: true, value? } | { id, ok: false, message }; { type: 'commit' } after each transaction.
 */
export const WRITER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlitePath);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = ' + workerData.synchronous);
const insertEvent = db.prepare(
  'INSERT INTO audit_events (event_id, event_time, account_id, region, event_name, event_source, read_only, username, access_key_id, issued_access_key_id, resources, lookup_keys, record) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING');
const insertLookup = db.prepare('INSERT INTO audit_lookup (account_id, region, attr, value, event_time, event_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
const selectOld = db.prepare('SELECT seq, event_id, event_time, account_id, region, lookup_keys FROM audit_events WHERE event_time < ? ORDER BY event_time LIMIT ?');
const deleteEvent = db.prepare('DELETE FROM audit_events WHERE seq = ?');
const deleteLookup = db.prepare('DELETE FROM audit_lookup WHERE account_id = ? AND region = ? AND attr = ? AND value = ? AND event_time = ? AND event_id = ?');

const appendAll = db.transaction((messages) => {
  for (const message of messages) {
    for (const row of message.rows) {
      const inserted = insertEvent.run(row.eventId, row.eventTime, row.accountId, row.region, row.eventName, row.eventSource, row.readOnly, row.username, row.accessKeyId, row.issuedAccessKeyId, row.resources, row.lookupKeys, row.record);
      if (inserted.changes === 0) continue;
      for (const [attr, value] of JSON.parse(row.lookupKeys)) insertLookup.run(row.accountId, row.region, attr, value, row.eventTime, row.eventId);
    }
  }
});

const sweepBatch = db.transaction((before, limit) => {
  const rows = selectOld.all(before, limit);
  for (const row of rows) {
    for (const [attr, value] of JSON.parse(row.lookup_keys)) deleteLookup.run(row.account_id, row.region, attr, value, row.event_time, row.event_id);
    deleteEvent.run(row.seq);
  }
  return rows.length;
});

let queue = [];
let scheduled = false;

function drain() {
  scheduled = false;
  const messages = queue;
  queue = [];
  if (messages.length === 0) return;
  try {
    appendAll.immediate(messages);
  } catch (error) {
    for (const message of messages) parentPort.postMessage({ id: message.id, ok: false, message: String(error && error.message || error) });
    return;
  }
  parentPort.postMessage({ type: 'commit' });
  for (const message of messages) parentPort.postMessage({ id: message.id, ok: true });
}

function sweep(message) {
  let total = 0;
  const step = () => {
    try {
      const n = sweepBatch.immediate(message.before, message.batch);
      total += n;
      if (n < message.batch) return parentPort.postMessage({ id: message.id, ok: true, value: total });
      setImmediate(step);
    } catch (error) {
      parentPort.postMessage({ id: message.id, ok: false, message: String(error && error.message || error) });
    }
  };
  step();
}

parentPort.on('message', (message) => {
  if (message.type === 'append') {
    queue.push(message);
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  } else if (message.type === 'sweep') {
    sweep(message);
  } else if (message.type === 'close') {
    drain();
    db.close();
    parentPort.close();
  }
});
`;

/** One audit_events row with its lookup keys, as the main thread computes it. */
export interface WriterRow {
  readonly eventId: string;
  readonly eventTime: number;
  readonly accountId: string;
  readonly region: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly readOnly: 0 | 1;
  readonly username: string | null;
  readonly accessKeyId: string | null;
  readonly issuedAccessKeyId: string | null;
  readonly resources: string;
  /** JSON array of [attr, value] pairs of audit_lookup. */
  readonly lookupKeys: string;
  readonly record: string;
}
