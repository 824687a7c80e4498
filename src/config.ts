import path from 'node:path';

/** The user contract of DESIGN.md: every setting is a flag or an OPEN_STS_* variable. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly region: string;
  readonly partition: string;
  readonly accountId: string | undefined;
  readonly rootAccessKeyId: string | undefined;
  readonly rootSecretAccessKey: string | undefined;
  readonly masterKey: string | undefined;
  /** STS requests per second per account; 0 = unlimited. */
  readonly stsRateLimit: number;
  readonly logLevel: string;
  /** Largest accepted request body in bytes. */
  readonly maxBodyBytes: number;
  /** Audit trail (issue #6). */
  readonly auditDir: string | undefined;
  readonly auditFlushSeconds: number;
  readonly auditStdout: boolean;
  readonly auditRetentionDays: number;
  readonly auditSessionToken: 'omit' | 'include';
  readonly auditSync: 'full' | 'normal';
  readonly lookupRateLimit: number;
  /** Append "Encoded authorization failure message: …" to AccessDenied texts (decode with sts:DecodeAuthorizationMessage). */
  readonly encodeDenials: boolean;
}

export interface ConfigOption {
  readonly flag: string;
  readonly env: string;
  readonly key: keyof Config;
  readonly description: string;
  readonly parse: (raw: string) => Config[keyof Config];
}

const integer = (name: string) => (raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
};
const text = (raw: string): string => raw;
const flag = (name: string) => (raw: string): boolean => {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true or false, got ${JSON.stringify(raw)}`);
};

export const CONFIG_OPTIONS: readonly ConfigOption[] = [
  { flag: '--host', env: 'OPEN_STS_HOST', key: 'host', description: 'address to listen on (default 127.0.0.1)', parse: text },
  { flag: '--port', env: 'OPEN_STS_PORT', key: 'port', description: 'port to listen on (default 8777; 0 = any free port)', parse: integer('port') },
  { flag: '--data-dir', env: 'OPEN_STS_DATA_DIR', key: 'dataDir', description: 'directory of the embedded SQLite store, master key and credentials file (default ./data)', parse: text },
  { flag: '--database-url', env: 'OPEN_STS_DATABASE_URL', key: 'databaseUrl', description: 'postgres://… to use PostgreSQL instead of SQLite', parse: text },
  { flag: '--region', env: 'OPEN_STS_REGION', key: 'region', description: 'region reported in responses and events (default us-east-1)', parse: text },
  { flag: '--account-id', env: 'OPEN_STS_ACCOUNT_ID', key: 'accountId', description: 'management account ID on first start (default: generated)', parse: text },
  { flag: '--root-access-key-id', env: 'OPEN_STS_ROOT_ACCESS_KEY_ID', key: 'rootAccessKeyId', description: 'root access key ID on first start (default: generated)', parse: text },
  { flag: '--root-secret-access-key', env: 'OPEN_STS_ROOT_SECRET_ACCESS_KEY', key: 'rootSecretAccessKey', description: 'root secret access key on first start (default: generated)', parse: text },
  { flag: '--master-key', env: 'OPEN_STS_MASTER_KEY', key: 'masterKey', description: 'base64 of 32 bytes; default: generated into <data dir>/master.key', parse: text },
  { flag: '--sts-rate-limit', env: 'OPEN_STS_STS_RATE_LIMIT', key: 'stsRateLimit', description: 'STS requests per second per account (default 600; 0 = unlimited)', parse: integer('sts rate limit') },
  { flag: '--log-level', env: 'OPEN_STS_LOG_LEVEL', key: 'logLevel', description: 'pino log level (default info)', parse: text },
  {
    flag: '--encode-denials',
    env: 'OPEN_STS_ENCODE_DENIALS',
    key: 'encodeDenials',
    description: 'append an encoded authorization message to AccessDenied texts (default true)',
    parse: flag('encode denials'),
  },
  { flag: '--max-body-bytes', env: 'OPEN_STS_MAX_BODY_BYTES', key: 'maxBodyBytes', description: 'largest accepted request body (default 1048576)', parse: integer('max body bytes') },
  { flag: '--audit-dir', env: 'OPEN_STS_AUDIT_DIR', key: 'auditDir', description: 'also write CloudTrail log files (gzip) under this directory', parse: text },
  { flag: '--audit-flush-seconds', env: 'OPEN_STS_AUDIT_FLUSH_SECONDS', key: 'auditFlushSeconds', description: 'rotate audit log files every N seconds (default 300)', parse: integer('audit flush seconds') },
  { flag: '--audit-stdout', env: 'OPEN_STS_AUDIT_STDOUT', key: 'auditStdout', description: 'also write each audit record as a JSON line to stdout (default false)', parse: flag('audit stdout') },
  { flag: '--audit-retention-days', env: 'OPEN_STS_AUDIT_RETENTION_DAYS', key: 'auditRetentionDays', description: 'keep stored audit records N days (default 90; 0 = forever)', parse: integer('audit retention days') },
  { flag: '--audit-session-token', env: 'OPEN_STS_AUDIT_SESSION_TOKEN', key: 'auditSessionToken', description: 'omit (default) or include issued session tokens in audit records', parse: (raw) => { if (raw !== 'omit' && raw !== 'include') throw new Error('audit session token must be omit or include'); return raw; } },
  { flag: '--audit-sync', env: 'OPEN_STS_AUDIT_SYNC', key: 'auditSync', description: 'full (default: fsync each audit commit) or normal', parse: (raw) => { if (raw !== 'full' && raw !== 'normal') throw new Error('audit sync must be full or normal'); return raw; } },
  { flag: '--lookup-rate-limit', env: 'OPEN_STS_LOOKUP_RATE_LIMIT', key: 'lookupRateLimit', description: 'LookupEvents requests per second per account and region (default 2; 0 = unlimited)', parse: integer('lookup rate limit') },
];

export const DEFAULT_CONFIG: Config = {
  host: '127.0.0.1',
  port: 8777,
  dataDir: './data',
  databaseUrl: undefined,
  region: 'us-east-1',
  partition: 'aws',
  accountId: undefined,
  rootAccessKeyId: undefined,
  rootSecretAccessKey: undefined,
  masterKey: undefined,
  stsRateLimit: 600,
  logLevel: 'info',
  maxBodyBytes: 1024 * 1024,
  auditDir: undefined,
  auditFlushSeconds: 300,
  auditStdout: false,
  auditRetentionDays: 90,
  auditSessionToken: 'omit',
  auditSync: 'full',
  lookupRateLimit: 2,
  encodeDenials: true,
};

/** Flags override variables, which override defaults. Throws on an unknown flag or bad value. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv, overrides: Partial<Config> = {}): Config {
  const values: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const option of CONFIG_OPTIONS) {
    const raw = env[option.env];
    if (raw !== undefined && raw !== '') values[option.key] = option.parse(raw);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const option = CONFIG_OPTIONS.find((o) => o.flag === flag);
    if (!option) throw new Error(`unknown option ${flag}`);
    const raw = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (raw === undefined) throw new Error(`${flag} needs a value`);
    values[option.key] = option.parse(raw);
  }
  Object.assign(values, overrides);
  const config = values as unknown as Config;
  if (config.accountId !== undefined && !/^\d{12}$/.test(config.accountId)) throw new Error('account ID must be 12 digits');
  return { ...config, dataDir: path.resolve(config.dataDir) };
}
