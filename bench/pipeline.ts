/**
 * The request pipeline without HTTP: each workload's signed requests handed straight to
 * `App.handle`, one at a time, in this process, timed with process.cpuUsage(). It answers "what
 * does one request cost, and where" with far less noise than a throughput figure on a shared
 * machine — use it to compare a change to src/ before and after, and run it under
 * `node --cpu-prof` for a profile without socket syscalls in it.
 *
 *   node --import tsx bench/pipeline.ts [--requests=4000] [--concurrency=16] [--only=assume-role,…] [--repeat=3] [--audit-sync=full|normal] [--audit=store|discard] [--roles=N]
 *
 * `--audit=discard` runs the same pipeline with an audit store that accepts and drops every
 * record: the difference to the default is what audit-before-respond costs per request.
 *   node --cpu-prof --cpu-prof-dir=bench/results/profiles --import tsx bench/pipeline.ts --only=assume-role
 *
 * Runs the TypeScript sources (src/) under tsx, so no build is needed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { newAccessKeyId, newSecretAccessKey } from '../src/ids.js';
import type { AuditStore } from '../src/audit/audit-store.js';
import type { IncomingRequest } from '../src/server/app.js';
import { startServer } from '../src/server/start.js';
import { seedRoles, setUpAccount } from './lib/setup.js';
import type { BenchRequest } from './lib/sigv4.js';
import { PolicyPairSigner, type RequestSource } from './lib/sources.js';
import { MAIN_WORKLOADS, SCALE_WORKLOADS } from './lib/workloads.js';

const args = new Map(
  process.argv.slice(2).map((a) => {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1]!, m[2] ?? 'true'] as const;
  }),
);
const count = Number(args.get('requests') ?? '4000');
// Requests in flight at once, as concurrent connections would have them: the audit trail commits
// the records of one event-loop turn together, so one at a time would cost a commit each.
const concurrency = Number(args.get('concurrency') ?? '16');
const repeat = Number(args.get('repeat') ?? '3');
const only = args.get('only')?.split(',');
const discardAudit = args.get('audit') === 'discard';
// With --roles=N: the account is grown to N roles first and the store-size workloads run
// (AssumeRole and GetRole on roles drawn at random from `--requests` distinct requests).
const roles = args.has('roles') ? Number(args.get('roles')) : undefined;

/** An audit store that accepts every record and keeps none: the audit stage's cost without its storage. */
const DISCARDING_AUDIT_STORE: AuditStore = {
  append: async () => undefined,
  lookup: async () => ({ events: [], hasMore: false }),
  findIssuingEvents: async () => [],
  findSignedBy: async () => [],
  deleteOlderThan: async () => 0,
  close: async () => undefined,
};

/** CPU time of this process's main thread so far, µs (Linux; 0 elsewhere). */
function mainThreadCpuUs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {
    return 0;
  }
}

function incoming(request: BenchRequest): IncomingRequest {
  const rawHeaders: string[] = [];
  const headers: Record<string, string> = {};
  const body = Buffer.from(request.body, 'utf8');
  for (const [name, value] of Object.entries({ ...request.headers, 'content-length': String(body.length) })) {
    rawHeaders.push(name, value);
    headers[name.toLowerCase()] = value;
  }
  return { method: request.method, rawUrl: request.path, rawHeaders, headers, body, sourceIp: '127.0.0.1', secure: false };
}

/** `n` requests from the source, in order (policy pairs: create, delete, create, …). */
function take(source: RequestSource, n: number): IncomingRequest[] {
  if (source.kind === 'pool') return Array.from({ length: n }, (_, i) => incoming(source.requests[i % source.requests.length]!));
  const signer = new PolicyPairSigner(source);
  const out: IncomingRequest[] = [];
  while (out.length < n) {
    const name = signer.nextName();
    out.push(incoming(signer.create(name)), incoming(signer.delete(name)));
  }
  return out;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'open-sts-pipeline-'));
  const accountId = '210987654321';
  const root = { accessKeyId: newAccessKeyId('AKIA', accountId), secretAccessKey: newSecretAccessKey() };
  const config = loadConfig([], {}, {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    accountId,
    rootAccessKeyId: root.accessKeyId,
    rootSecretAccessKey: root.secretAccessKey,
    masterKey: randomBytes(32).toString('base64'),
    logLevel: 'warn',
    stsRateLimit: 0,
    ...(args.has('audit-sync') ? { auditSync: args.get('audit-sync') === 'normal' ? 'normal' : 'full' } : {}),
  });
  const server = await startServer(config, { writeCredentials: false, ...(discardAudit ? { auditStore: DISCARDING_AUDIT_STORE } : {}) });
  try {
    const account = await setUpAccount(server.url, accountId, root);
    const host = new URL(server.url).host;
    if (roles !== undefined) await seedRoles(path.join(dataDir, 'open-sts.db'), account, roles);
    const store = roles === undefined ? '' : `, ${roles} roles`;
    process.stdout.write(`pipeline cost per request (App.handle in-process, no HTTP; audit ${discardAudit ? 'records discarded' : 'stored'}${store}), ${count} requests × ${repeat}, ${concurrency} in flight; node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
    process.stdout.write(`${'workload'.padEnd(52)} ${'CPU µs/req (each run)'.padStart(28)}   best  main thread  other threads\n`);
    const workloads = roles === undefined ? MAIN_WORKLOADS : SCALE_WORKLOADS;
    for (const workload of workloads.filter((w) => !only || only.includes(w.id))) {
      const requests = take(workload.source(account, host, roles === undefined ? Math.min(count, 4000) : count), count);
      const check = await server.app.handle(requests[0]!);
      if (check.status !== 200) throw new Error(`${workload.title}: ${check.status} ${check.body.slice(0, 500)}`);
      // Warm-up: the JIT and the caches, on a slice of the same requests.
      await Promise.all(requests.slice(1, Math.max(2, count / 5)).map((r) => server.app.handle(r)));
      const runs: number[] = [];
      const mains: number[] = [];
      for (let k = 0; k < repeat; k++) {
        const batch = workload.id === 'iam-write' ? take(workload.source(account, host, 0), count) : requests;
        let errors = 0;
        let next = 0;
        const before = process.cpuUsage();
        const mainBefore = mainThreadCpuUs();
        // Policy pairs stay in order per lane: a lane takes a create and its delete together.
        const step = workload.id === 'iam-write' ? 2 : 1;
        const lane = async () => {
          while (next < batch.length) {
            const mine = batch.slice(next, next + step);
            next += step;
            for (const r of mine) if ((await server.app.handle(r)).status !== 200) errors++;
          }
        };
        await Promise.all(Array.from({ length: concurrency }, lane));
        const used = process.cpuUsage(before);
        mains.push((mainThreadCpuUs() - mainBefore) / batch.length);
        if (errors > 0) throw new Error(`${workload.title}: ${errors} errors`);
        runs.push((used.user + used.system) / batch.length);
      }
      const best = runs.indexOf(Math.min(...runs));
      const main = mains[best] ?? 0;
      process.stdout.write(
        `${workload.title.padEnd(52)} ${runs.map((r) => r.toFixed(0)).join(' / ').padStart(28)}   ${runs[best]!.toFixed(0).padStart(4)}  ${main.toFixed(0).padStart(11)}  ${(runs[best]! - main).toFixed(0).padStart(13)}\n`,
      );
    }
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`pipeline bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
