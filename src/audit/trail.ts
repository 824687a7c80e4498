import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../clock.js';
import { AwsError } from '../protocol/errors.js';
import type { AuditStore } from './audit-store.js';
import { buildEvents } from './event.js';
import { JsonLinesSink, LogFileSink, type AuditSink } from './sinks.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';
import type { AuditInput, CloudTrailEvent } from './types.js';

/** The subset of a pino logger the trail uses. */
export interface AuditLogger {
  error(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface AuditTrailOptions {
  readonly store: AuditStore;
  readonly clock: Clock;
  readonly partition?: string;
  readonly includeSessionToken?: boolean;
  readonly sinks?: readonly AuditSink[];
  readonly logger?: AuditLogger;
  /** Stored records older than this many days are deleted (LookupEvents keeps 90); 0 keeps them. */
  readonly retentionDays?: number;
  /** How often the retention sweep runs (default hourly); 0 = only when `sweep()` is called. */
  readonly sweepIntervalMs?: number;
}

export interface AuditStats {
  readonly recorded: number;
  readonly storeFailures: number;
  readonly sinkFailures: number;
}

const DAY_MS = 86_400_000;
const silent: AuditLogger = { error: () => {}, warn: () => {} };

/** Thrown by `record` when the records could not be stored; the call must then fail (issue #6). */
export class AuditWriteError extends Error {
  constructor(cause: unknown) {
    super('the audit record could not be stored', { cause });
    this.name = 'AuditWriteError';
  }
}

/**
 * The audit stage of the request path (DESIGN.md: … execute → audit → encode).
 *
 * Audit-before-respond: `record` resolves only once the call's records are stored, and
 * rejects with AuditWriteError when they cannot be — the pipeline then answers a 5xx
 * (`auditFailureError`) instead of the action's result. This supersedes cloudtrail.md R5
 * ("audit never changes the answer", written after the response): issue #6 requires that
 * no call is answered unrecorded. Only the optional sinks (files, stdout) keep R5's rule —
 * their failures are logged and counted, never turned into API errors.
 */
export class AuditTrail {
  readonly store: AuditStore;
  readonly retentionDays: number;
  readonly #clock: Clock;
  readonly #partition: string;
  readonly #includeSessionToken: boolean;
  readonly #sinks: readonly AuditSink[];
  readonly #logger: AuditLogger;
  readonly #timer: NodeJS.Timeout | undefined;
  #recorded = 0;
  #storeFailures = 0;
  #sinkFailures = 0;
  #closed = false;

  constructor(options: AuditTrailOptions) {
    this.store = options.store;
    this.#clock = options.clock;
    this.#partition = options.partition ?? 'aws';
    this.#includeSessionToken = options.includeSessionToken ?? false;
    this.#sinks = options.sinks ?? [];
    this.#logger = options.logger ?? silent;
    this.retentionDays = options.retentionDays ?? 90;
    const interval = options.sweepIntervalMs ?? 3_600_000;
    if (this.retentionDays > 0 && interval > 0) {
      this.#timer = setInterval(() => void this.#sweepLogged(), interval);
      this.#timer.unref();
    }
  }

  get stats(): AuditStats {
    return { recorded: this.#recorded, storeFailures: this.#storeFailures, sinkFailures: this.#sinkFailures };
  }

  /** Builds the call's records and stores them; throws AuditWriteError if they are not stored. */
  async record(input: AuditInput): Promise<void> {
    const events = buildEvents(input, { partition: this.#partition, includeSessionToken: this.#includeSessionToken });
    if (events.length === 0) return;
    try {
      await this.store.append(events);
    } catch (error) {
      this.#storeFailures++;
      // What was done and by whom stays in the server log even though the record is lost;
      // the record itself is not logged (it may hold a session token by operator choice).
      this.#logger.error(
        {
          err: error instanceof Error ? { message: error.message } : String(error),
          requestId: input.requestId,
          eventName: input.action,
          eventSource: input.service.eventSource,
          principal: events[0]?.userIdentity.arn ?? events[0]?.userIdentity.principalId,
          accessKeyId: events[0]?.userIdentity.accessKeyId,
          eventIds: events.map((e) => e.eventID),
        },
        'audit record not stored; the call fails',
      );
      throw new AuditWriteError(error);
    }
    this.#recorded += events.length;
    this.#fanOut(events);
  }

  #fanOut(events: readonly CloudTrailEvent[]): void {
    for (const sink of this.#sinks) {
      try {
        sink.write(events);
      } catch (error) {
        this.#sinkFailed(sink, error);
      }
    }
  }

  #sinkFailed(sink: AuditSink, error: unknown): void {
    this.reportSinkFailure(sink.name, error);
  }

  /** Counts and logs a sink failure that happened outside `record` (e.g. a timed file rotation). */
  reportSinkFailure(sink: string, error: unknown): void {
    this.#sinkFailures++;
    this.#logger.warn({ sink, err: error instanceof Error ? { message: error.message } : String(error) }, 'audit sink failed');
  }

  /** Deletes stored records older than the retention period; returns how many. */
  async sweep(): Promise<number> {
    if (this.retentionDays <= 0) return 0;
    return this.store.deleteOlderThan(new Date(this.#clock.now().getTime() - this.retentionDays * DAY_MS));
  }

  async #sweepLogged(): Promise<void> {
    try {
      await this.sweep();
    } catch (error) {
      this.#logger.warn({ err: error instanceof Error ? { message: error.message } : String(error) }, 'audit retention sweep failed');
    }
  }

  /** Writes pending log files now. */
  async flush(): Promise<void> {
    await Promise.all(this.#sinks.map((sink) => sink.flush().catch((error: unknown) => this.#sinkFailed(sink, error))));
  }

  /** Stops the sweep, writes pending files, closes the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await Promise.all(this.#sinks.map((sink) => sink.close().catch((error: unknown) => this.#sinkFailed(sink, error))));
    await this.store.close();
  }
}

/**
 * The 5xx a call answers when its record could not be stored: each service's own server
 * fault — IAM `ServiceFailure` (500), Organizations `ServiceException` (500), otherwise
 * `ServiceUnavailable` (503), which SDKs retry.
 */
export function auditFailureError(signingName: string): AwsError {
  switch (signingName) {
    case 'iam':
      return new AwsError('ServiceFailure', 'The request processing has failed because of an unknown error, exception or failure.');
    case 'organizations':
      return new AwsError('ServiceException', "AWS Organizations can't complete your request because of an internal service error. Try again later.");
    default:
      return new AwsError('ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
  }
}

export interface OpenAuditTrailOptions {
  /** The store lives in `<dataDir>/audit.db`. */
  readonly dataDir: string;
  readonly clock: Clock;
  readonly logger?: AuditLogger;
  readonly partition?: string;
  /** OPEN_STS_AUDIT_DIR: write CloudTrail log files under this directory. */
  readonly logDir?: string;
  /** OPEN_STS_AUDIT_FLUSH_SECONDS (default 300). */
  readonly flushSeconds?: number;
  /** OPEN_STS_AUDIT_STDOUT: also write each record as a JSON line to stdout. */
  readonly stdout?: boolean;
  /** OPEN_STS_AUDIT_RETENTION_DAYS (default 90; 0 = keep). */
  readonly retentionDays?: number;
  /** OPEN_STS_AUDIT_SESSION_TOKEN=include. */
  readonly includeSessionToken?: boolean;
  /** OPEN_STS_AUDIT_SYNC (default full). */
  readonly synchronous?: 'full' | 'normal';
  /** Use this store instead of `<dataDir>/audit.db` (tests). */
  readonly store?: AuditStore;
}

/** The configured trail: its SQLite store and sinks; sweeps once at start. */
export async function openAuditTrail(options: OpenAuditTrailOptions): Promise<AuditTrail> {
  let store = options.store;
  if (!store) {
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
    store = new SqliteAuditStore(path.join(options.dataDir, 'audit.db'), options.synchronous ? { synchronous: options.synchronous } : {});
  }
  const logger = options.logger ?? silent;
  const sinks: AuditSink[] = [];
  let trail: AuditTrail | undefined;
  if (options.logDir) {
    await mkdir(options.logDir, { recursive: true, mode: 0o750 });
    sinks.push(
      new LogFileSink({
        dir: options.logDir,
        clock: options.clock,
        ...(options.flushSeconds !== undefined ? { flushSeconds: options.flushSeconds } : {}),
        onError: (error) => trail?.reportSinkFailure('files', error),
      }),
    );
  }
  if (options.stdout) sinks.push(new JsonLinesSink());
  trail = new AuditTrail({
    store,
    clock: options.clock,
    sinks,
    logger,
    ...(options.partition !== undefined ? { partition: options.partition } : {}),
    ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
    ...(options.includeSessionToken !== undefined ? { includeSessionToken: options.includeSessionToken } : {}),
  });
  await trail.sweep();
  return trail;
}
