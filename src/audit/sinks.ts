import { randomInt } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Clock } from '../clock.js';
import { eventJson } from './event.js';
import type { CloudTrailEvent } from './types.js';

const gzip = promisify(gzipCallback);

/**
 * A copy of the records for outside consumers (SIEMs). Sinks never decide the answer: the
 * store is the record of truth, a sink failure is logged and counted by the trail.
 */
export interface AuditSink {
  readonly name: string;
  write(events: readonly CloudTrailEvent[]): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** One JSON record per line, e.g. to stdout for a log shipper. */
export class JsonLinesSink implements AuditSink {
  readonly name = 'stdout';
  readonly #write: (text: string) => void;

  constructor(write: (text: string) => void = (text) => void process.stdout.write(text)) {
    this.#write = write;
  }

  write(events: readonly CloudTrailEvent[]): void {
    let text = '';
    for (const event of events) text += eventJson(event) + '\n';
    this.#write(text);
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

export interface LogFileSinkOptions {
  readonly dir: string;
  readonly clock: Clock;
  /** Rotation: a file per account and region every this many seconds (AWS delivers about every 5 minutes). */
  readonly flushSeconds?: number;
  /** A file is also written as soon as this many records wait. */
  readonly maxRecords?: number;
  readonly onError?: (error: unknown) => void;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * CloudTrail log files in a directory laid out as a trail's S3 bucket (cloudtrail.md §5.1):
 * `AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 alnum>.json.gz`,
 * gzip of `{"Records":[…]}`, one file per account and region per rotation. Each file is
 * written to `.tmp`, fsynced and renamed, so a reader never sees a partial file.
 */
export class LogFileSink implements AuditSink {
  readonly name = 'files';
  readonly #dir: string;
  readonly #clock: Clock;
  readonly #maxRecords: number;
  readonly #onError: (error: unknown) => void;
  readonly #timer: NodeJS.Timeout | undefined;
  #buckets = new Map<string, CloudTrailEvent[]>();
  #count = 0;
  #writing: Promise<void> = Promise.resolve();

  constructor(options: LogFileSinkOptions) {
    this.#dir = options.dir;
    this.#clock = options.clock;
    this.#maxRecords = options.maxRecords ?? 10_000;
    this.#onError = options.onError ?? (() => {});
    const seconds = options.flushSeconds ?? 300;
    if (seconds > 0) {
      this.#timer = setInterval(() => void this.flush().catch(this.#onError), seconds * 1000);
      this.#timer.unref();
    }
  }

  write(events: readonly CloudTrailEvent[]): void {
    for (const event of events) {
      const key = `${event.recipientAccountId}\u0000${event.awsRegion}`;
      let bucket = this.#buckets.get(key);
      if (!bucket) {
        bucket = [];
        this.#buckets.set(key, bucket);
      }
      bucket.push(event);
      this.#count++;
    }
    if (this.#count >= this.#maxRecords) void this.flush().catch(this.#onError);
  }

  /** Writes every waiting record; files are written one flush at a time. */
  flush(): Promise<void> {
    const buckets = this.#buckets;
    this.#buckets = new Map();
    this.#count = 0;
    const run = this.#writing.then(() => this.#writeAll(buckets));
    this.#writing = run.catch(() => {});
    return run;
  }

  async #writeAll(buckets: Map<string, CloudTrailEvent[]>): Promise<void> {
    const at = this.#clock.now();
    const failures: unknown[] = [];
    for (const events of buckets.values()) {
      const first = events[0];
      if (!first) continue;
      try {
        await this.#writeFile(first.recipientAccountId, first.awsRegion, at, events);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }

  async #writeFile(accountId: string, region: string, at: Date, events: readonly CloudTrailEvent[]): Promise<void> {
    const target = path.join(this.#dir, logFileKey(accountId, region, at, uniqueString()));
    await mkdir(path.dirname(target), { recursive: true });
    const body = await gzip(Buffer.from(`{"Records":[${events.map(eventJson).join(',')}]}`));
    const temporary = `${target}.tmp`;
    const handle = await open(temporary, 'w', 0o640);
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, target);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.flush();
  }
}

/** The object key of a log file delivered at `at` (cloudtrail.md §5.1): delivery time, UTC, minute precision. */
export function logFileKey(accountId: string, region: string, at: Date, unique: string): string {
  const yyyy = String(at.getUTCFullYear());
  const mm = String(at.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(at.getUTCDate()).padStart(2, '0');
  const hh = String(at.getUTCHours()).padStart(2, '0');
  const mi = String(at.getUTCMinutes()).padStart(2, '0');
  const name = `${accountId}_CloudTrail_${region}_${yyyy}${mm}${dd}T${hh}${mi}Z_${unique}.json.gz`;
  return path.join('AWSLogs', accountId, 'CloudTrail', region, yyyy, mm, dd, name);
}

/** 16 characters of [A-Za-z0-9], as in every observed file name; only prevents collisions. */
function uniqueString(): string {
  let out = '';
  for (let i = 0; i < 16; i++) out += ALNUM[randomInt(0, ALNUM.length)];
  return out;
}
