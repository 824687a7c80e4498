import type { WriterRow } from './sqlite-audit-schema.js';

/**
 * The audit store's writer thread, as source text: it is started with `new Worker(source,
 * { eval: true })` so that it runs the same way from compiled JavaScript and from the
 * TypeScript sources under test. It only binds rows the main thread computed (WriterRow: every
 * column, the lookup keys included) to the statements of sqlite-audit-schema.ts (workerData.sql),
 * in one transaction per drained queue: group commit again on this side, while the main thread
 * keeps serving requests during the commit's I/O. InlineWriter does the same on the calling
 * thread; keep the two in step.
 *
 * Messages in:  { type: 'append', id, rows: WriterRow[] } | { type: 'sweep', id, before, batch } | { type: 'close' }
 * Messages out: { id, ok: true, value? } | { id, ok: false, message }; { type: 'commit' } after each transaction.
 */
export const WRITER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlitePath);
const { sql, row: ROW } = workerData;
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = ' + workerData.synchronous);
const insertEvent = db.prepare(sql.insertEvent);
const insertLookup = db.prepare(sql.insertLookup);
const findDuplicate = db.prepare(sql.findDuplicate).pluck();
const selectOld = db.prepare(sql.selectOld);
const deleteEvent = db.prepare(sql.deleteEvent);
const deleteLookup = db.prepare(sql.deleteLookup);

function appendRow(row) {
  const keys = row[ROW.lookupKeys];
  // keys[0] is the EventId key: a record whose event ID is stored already is not stored again.
  if (findDuplicate.get(keys[0], row[ROW.eventId]) !== undefined) return;
  const seq = insertEvent.run(row).lastInsertRowid;
  const time = row[ROW.eventTime];
  for (let i = 0; i < keys.length; i++) insertLookup.run(keys[i], time, seq);
}

const appendAll = db.transaction((messages) => {
  for (const message of messages) for (const row of message.rows) appendRow(row);
});

const sweepBatch = db.transaction((before, limit) => {
  const rows = selectOld.all(before, limit);
  for (const row of rows) {
    const blob = row.lookup_keys;
    const keys = new Float64Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
    for (let i = 0; i < keys.length; i++) deleteLookup.run(keys[i], row.event_time, row.seq);
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

/** A message to the writer thread. */
export type WriterMessage =
  | { readonly type: 'append'; readonly id: number; readonly rows: readonly WriterRow[] }
  | { readonly type: 'sweep'; readonly id: number; readonly before: number; readonly batch: number }
  | { readonly type: 'close' };
