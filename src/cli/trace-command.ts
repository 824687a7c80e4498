import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AuditStore } from '../audit/audit-store.js';
import { SqliteAuditStore } from '../audit/sqlite-audit-store.js';
import { formatTrace, traceAccessKey, type AccessKeyTrace } from '../audit/trace.js';

export { traceAccessKey, type AccessKeyTrace };

const USAGE = `Usage: open-sts trace <access-key-id> [--json] [--data-dir DIR]

Prints the chain behind an access key, from the audit records in <data dir>/audit.db:
the temporary key, its session (role, session name, source identity, tags, issue time, MFA),
the credentials that obtained it, and so on back to the IAM user, root or federated identity
at the origin, with the event ID of each call that issued a key.`;

export interface TraceCommandDeps {
  /** Used for OPEN_STS_DATA_DIR when --data-dir is not given. */
  readonly env?: NodeJS.ProcessEnv;
  /** An open store to read instead of `<data dir>/audit.db` (tests, or a running server's). */
  readonly store?: AuditStore;
  readonly err?: (line: string) => void;
}

/** `open-sts trace`: 0 when the chain reaches an origin, 1 when it ends in a gap, 2 on bad usage. */
export async function runTraceCommand(argv: string[], out: (line: string) => void, deps: TraceCommandDeps = {}): Promise<number> {
  const err = deps.err ?? out;
  let json = false;
  let dataDir: string | undefined;
  let accessKeyId: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      out(USAGE);
      return 0;
    } else if (arg === '--json') {
      json = true;
    } else if (arg === '--data-dir' || arg.startsWith('--data-dir=')) {
      dataDir = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!dataDir) {
        err('open-sts trace: --data-dir needs a value');
        return 2;
      }
    } else if (arg.startsWith('-')) {
      err(`open-sts trace: unknown option ${arg}\n\n${USAGE}`);
      return 2;
    } else if (accessKeyId === undefined) {
      accessKeyId = arg;
    } else {
      err(`open-sts trace: one access key ID at a time\n\n${USAGE}`);
      return 2;
    }
  }
  if (accessKeyId === undefined || !/^[A-Z0-9]{16,128}$/.test(accessKeyId)) {
    err(`open-sts trace: ${accessKeyId === undefined ? 'an access key ID is required' : `not an access key ID: ${accessKeyId}`}\n\n${USAGE}`);
    return 2;
  }
  let store = deps.store;
  if (!store) {
    const file = path.join(path.resolve(dataDir ?? deps.env?.['OPEN_STS_DATA_DIR'] ?? './data'), 'audit.db');
    if (!existsSync(file)) {
      err(`open-sts trace: no audit records at ${file}`);
      return 2;
    }
    store = new SqliteAuditStore(file);
  }
  try {
    const trace = await traceAccessKey(store, accessKeyId);
    if (json) out(JSON.stringify(trace, null, 2));
    else if (trace.chain.length === 0 && !trace.origin) out(`${accessKeyId}: ${trace.gap ?? 'no records'}`);
    else for (const line of formatTrace(trace)) out(line);
    return trace.origin ? 0 : 1;
  } finally {
    if (!deps.store) await store.close();
  }
}
