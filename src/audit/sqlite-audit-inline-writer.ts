import type Database from 'better-sqlite3';
import { ROW, storedKeys, WRITE_SQL, type WriterRow } from './sqlite-audit-schema.js';

/** The writer thread's work (WRITER_SOURCE) on the calling thread, for `:memory:` and `writer: 'inline'`. */
export class InlineWriter {
  readonly #append: Database.Transaction<(rows: readonly WriterRow[]) => void>;
  readonly #sweepBatch: Database.Transaction<(before: number, limit: number) => number>;

  constructor(db: Database.Database) {
    const insertEvent = db.prepare(WRITE_SQL.insertEvent);
    const insertLookup = db.prepare(WRITE_SQL.insertLookup);
    const findDuplicate = db.prepare(WRITE_SQL.findDuplicate).pluck();
    const selectOld = db.prepare(WRITE_SQL.selectOld);
    const deleteEvent = db.prepare(WRITE_SQL.deleteEvent);
    const deleteLookup = db.prepare(WRITE_SQL.deleteLookup);
    this.#append = db.transaction((rows: readonly WriterRow[]) => {
      for (const row of rows) {
        const keys = row[ROW.lookupKeys];
        if (findDuplicate.get(keys[0], row[ROW.eventId]) !== undefined) continue;
        const seq = insertEvent.run(row).lastInsertRowid;
        for (const key of keys) insertLookup.run(key, row[ROW.eventTime], seq);
      }
    });
    this.#sweepBatch = db.transaction((before: number, limit: number) => {
      const rows = selectOld.all(before, limit) as Array<{ seq: number; event_time: number; lookup_keys: Buffer }>;
      for (const row of rows) {
        for (const key of storedKeys(row.lookup_keys)) deleteLookup.run(key, row.event_time, row.seq);
        deleteEvent.run(row.seq);
      }
      return rows.length;
    });
  }

  append(rows: readonly WriterRow[]): void {
    this.#append.immediate(rows);
  }

  /** Deletes records older than `before` (epoch seconds), `batch` per transaction; returns how many. */
  sweep(before: number, batch: number): number {
    let total = 0;
    for (;;) {
      const n = this.#sweepBatch.immediate(before, batch);
      total += n;
      if (n < batch) return total;
    }
  }
}
