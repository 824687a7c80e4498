import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { bootstrap, checkMasterKey, loadMasterKey, type FirstStart } from '../bootstrap.js';
import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { SecretBox } from '../crypto/secret-box.js';
import { iamService } from '../services/iam/index.js';
import { organizationsService } from '../services/organizations/index.js';
import { stsService } from '../services/sts/index.js';
import { openPostgresStore, openSqliteStore } from '../store/index.js';
import type { Store } from '../store/store.js';
import { App } from './app.js';
import { openAuditTrail, type AuditTrail } from '../audit/trail.js';
import type { AuditStore } from '../audit/audit-store.js';
import { createCloudTrailService } from '../services/cloudtrail/index.js';
import { listen, type HttpServer } from './http.js';
import { createMetrics } from './metrics.js';

const KEY_RING_REFRESH_MS = 60_000;

export interface RunningServer {
  readonly app: App;
  readonly http: HttpServer;
  readonly url: string;
  readonly firstStart: FirstStart | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Write `<data dir>/credentials` on first start (default true). */
  readonly writeCredentials?: boolean;
  /** Use this store instead of opening the configured one (tests). */
  readonly store?: Store;
  /** Use this audit store instead of `<data dir>/audit.db` (tests, and the benchmark's audit-cost row). */
  readonly auditStore?: AuditStore;
}

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'open-sts' },
    // Belt and braces: the code never logs secrets, and these paths are masked should one slip in.
    redact: { paths: ['secret', '*.secret', 'secretAccessKey', '*.secretAccessKey', 'sessionToken', '*.sessionToken', 'masterKey'], censor: '[redacted]' },
  });
}

export async function openConfiguredStore(config: Config): Promise<Store> {
  if (config.databaseUrl !== undefined) return openPostgresStore(config.databaseUrl, { partition: config.partition });
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  return openSqliteStore(path.join(config.dataDir, 'open-sts.db'), { partition: config.partition });
}

/** Opens the store, runs first-start bootstrap, and listens. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config);
  const store = options.store ?? (await openConfiguredStore(config));
  let app: App;
  let firstStart: FirstStart | undefined;
  let http: HttpServer;
  const metrics = createMetrics();
  let auditTrail: AuditTrail | undefined;
  try {
    await store.migrate();
    const secrets = new SecretBox(await loadMasterKey(config));
    await checkMasterKey(store, secrets);
    firstStart = await bootstrap(config, store, secrets, clock.now(), options.writeCredentials ?? true);
    auditTrail = await openAuditTrail({
      dataDir: config.dataDir,
      clock,
      logger,
      partition: config.partition,
      ...(config.auditDir ? { logDir: config.auditDir } : {}),
      flushSeconds: config.auditFlushSeconds,
      stdout: config.auditStdout,
      retentionDays: config.auditRetentionDays,
      includeSessionToken: config.auditSessionToken === 'include',
      synchronous: config.auditSync,
      ...(options.auditStore ? { store: options.auditStore } : {}),
    });
    app = await App.create({
      auditTrail,
      config,
      store,
      secrets,
      clock,
      logger,
      metrics,
      services: [stsService, iamService, organizationsService, createCloudTrailService(auditTrail.store, { retentionDays: config.auditRetentionDays, rateLimit: config.lookupRateLimit })],
    });
    http = await listen(app, metrics, config.host, config.port);
  } catch (error) {
    // A failed start (wrong master key, port taken…) must not leave a connection pool open.
    await auditTrail?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
  // Seal with the newest key soon after a rotation made elsewhere.
  const refresh = setInterval(() => void app.reloadKeyRing().catch((error: unknown) => logger.warn({ err: String(error) }, 'key ring reload failed')), KEY_RING_REFRESH_MS);
  refresh.unref();
  return {
    app,
    http,
    url: http.url,
    firstStart,
    close: async () => {
      clearInterval(refresh);
      await http.close();
      await auditTrail?.close();
      await store.close();
    },
  };
}
