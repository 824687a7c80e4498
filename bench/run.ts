/**
 * `npm run bench` — open-sts under load, next to a bare node:http baseline measured by the same
 * client in the same run. See bench/README.md for what each workload does and how to read the table.
 *
 *   node --import tsx bench/run.ts [--quick] [--seconds=8] [--warmup=2] [--connections=10]
 *     [--sections=main,half-rate,memory,store-size,audit-size,processes,pipeline] [--only=assume-role,…]
 *     [--sizes=10,1000,100000] [--memory-calls=100000] [--cpu-prof] [--from-source]
 *     [--server-env=OPEN_STS_AUDIT_SYNC=normal,…] [--out=FILE]
 *
 * Three kinds of process: this orchestrator (sets up the account, signs requests, prints), the
 * server under test (`node dist/cli/main.js serve`, or N of them behind Node's cluster module)
 * and the baseline (bench/baseline-server.ts), and the load generator (bench/loadgen.ts).
 */
import Database from 'better-sqlite3';
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newAccessKeyId, newSecretAccessKey } from '../src/ids.js';
import type { LoadJob, LoadResult } from './loadgen.js';
import { cpuTime, freePort, memory, resetPeak, spawnListening, type CpuTime, type Running } from './lib/proc.js';
import { seedRoles, setUpAccount, type BenchAccount } from './lib/setup.js';
import type { BenchRequest } from './lib/sigv4.js';
import { PolicyPairSigner, type RequestSource } from './lib/sources.js';
import { MAIN_WORKLOADS, SCALE_WORKLOADS, type Workload } from './lib/workloads.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');

// ── options

const SECTIONS = ['main', 'half-rate', 'memory', 'store-size', 'audit-size', 'processes', 'pipeline'] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  readonly quick: boolean;
  readonly seconds: number;
  readonly warmup: number;
  readonly connections: number;
  readonly pool: number;
  readonly scalePool: number;
  readonly sizes: readonly number[];
  readonly memoryCalls: number;
  readonly sections: ReadonlySet<Section>;
  readonly only: ReadonlySet<string> | undefined;
  readonly cpuProf: boolean;
  readonly fromSource: boolean;
  /** Extra environment for the server, e.g. OPEN_STS_AUDIT_SYNC=normal. */
  readonly serverEnv: Readonly<Record<string, string>>;
  readonly out: string;
}

function parseOptions(argv: readonly string[]): Options {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}`);
    flags.set(m[1]!, m[2] ?? 'true');
  }
  const known = ['quick', 'seconds', 'warmup', 'connections', 'pool', 'scale-pool', 'sizes', 'memory-calls', 'sections', 'only', 'cpu-prof', 'from-source', 'server-env', 'out'];
  for (const key of flags.keys()) if (!known.includes(key)) throw new Error(`unknown option --${key} (known: ${known.join(', ')})`);
  const quick = flags.get('quick') === 'true';
  const num = (key: string, full: number, short: number) => Number(flags.get(key) ?? (quick ? short : full));
  const list = (key: string) => flags.get(key)?.split(',').filter((s) => s !== '');
  const sections = list('sections') ?? [...SECTIONS];
  for (const s of sections) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`unknown section ${s} (known: ${SECTIONS.join(', ')})`);
  const only = list('only');
  return {
    quick,
    seconds: num('seconds', 8, 1),
    warmup: num('warmup', 2, 0.5),
    connections: num('connections', 10, 4),
    pool: num('pool', 2000, 100),
    scalePool: num('scale-pool', 20_000, 300),
    sizes: (list('sizes') ?? (quick ? ['10', '100', '1000'] : ['10', '1000', '100000'])).map(Number),
    memoryCalls: num('memory-calls', 100_000, 2000),
    sections: new Set(sections as Section[]),
    only: only ? new Set(only) : undefined,
    cpuProf: flags.get('cpu-prof') === 'true',
    fromSource: flags.get('from-source') === 'true',
    serverEnv: Object.fromEntries((list('server-env') ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
    out: path.resolve(flags.get('out') ?? path.join(here, 'results', 'latest.json')),
  };
}

// ── results

interface PairRow {
  readonly workload: string;
  readonly title: string;
  /** Store-size rows: roles in the account; process rows: server processes. */
  readonly roles?: number;
  readonly processes?: number;
  /** Records in the audit store when the row was measured. */
  readonly auditEvents: number | undefined;
  readonly responseBytes: number;
  readonly server: LoadResult;
  readonly baseline: LoadResult;
  readonly ratio: number;
  /** Peak RSS of the server process(es) during the measured window (VmHWM reset before it), MB. */
  readonly peakRssMb: number | undefined;
  readonly serverCpu: CpuFigures | undefined;
  readonly baselineCpu: CpuFigures | undefined;
}

/** Over a measured window, from /proc schedstat of the serving process(es). */
interface CpuFigures {
  /** CPU time per request served, µs (all threads). */
  readonly usPerRequest: number;
  /** CPU time / wall time: 1.0 is one core kept busy. */
  readonly cores: number;
  /** Share of the time the process(es) were runnable but waited for a CPU (other work on the machine). */
  readonly waitShare: number;
}

interface HalfRateRow {
  readonly workload: string;
  readonly title: string;
  readonly maxRps: number;
  readonly result: LoadResult;
  readonly cpu: CpuFigures | undefined;
  /** The baseline at the same rate: the latency floor of this client on this machine right now. */
  readonly baseline: LoadResult;
}

interface MemoryResult {
  readonly calls: number;
  readonly rps: number;
  readonly errors: number;
  readonly rssBeforeMb: number | undefined;
  readonly rssAfterMb: number | undefined;
  readonly peakMb: number | undefined;
  /** Peak over the server's whole life up to here (VmHWM never reset). */
  readonly lifetimePeakMb: number | undefined;
}

interface Target {
  readonly name: string;
  readonly value: string;
  readonly pass: boolean;
}

interface Report {
  readonly date: string;
  readonly machine: { node: string; platform: string; cpus: number; cpuModel: string; loadAverage: number[]; memoryGb: number };
  readonly options: Omit<Options, 'sections' | 'only'> & { sections: string[]; only?: string[] };
  main: PairRow[];
  halfRate: HalfRateRow[];
  memory?: MemoryResult;
  storeSize: PairRow[];
  auditSize: PairRow[];
  seeding: { roles: number; seconds: number }[];
  processes: PairRow[];
  targets: Target[];
  notes: string[];
}

// ── the load generator (a child process)

class LoadGenerator {
  readonly #child: ChildProcess;
  #next = 1;
  readonly #waiting = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void; measuring?: () => void }>();

  constructor() {
    this.#child = fork(path.join(here, 'loadgen.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (message: { type: 'result'; result: LoadResult } | { type: 'error'; id: number; message: string } | { type: 'measuring'; id: number }) => {
      if (message.type === 'measuring') {
        this.#waiting.get(message.id)?.measuring?.();
        return;
      }
      const id = message.type === 'result' ? message.result.id : message.id;
      const waiter = this.#waiting.get(id);
      this.#waiting.delete(id);
      if (message.type === 'result') waiter?.resolve(message.result);
      else waiter?.reject(new Error(`load generator: ${message.message}`));
    });
    this.#child.on('exit', (code) => {
      for (const w of this.#waiting.values()) w.reject(new Error(`load generator exited with ${code}`));
      this.#waiting.clear();
    });
  }

  /** Runs `job`; `measuring` is called when its measured window starts (after the warm-up). */
  run(job: Omit<LoadJob, 'id'>, measuring?: () => void): Promise<LoadResult> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject, ...(measuring ? { measuring } : {}) });
      this.#child.send({ type: 'job', job: { ...job, id } });
    });
  }

  close(): void {
    if (this.#child.connected) this.#child.send({ type: 'exit' });
  }
}

// ── helpers

function send(url: string, request: BenchRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = httpRequest(
      { host: target.hostname, port: Number(target.port), method: request.method, path: request.path, headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

/** One request of the workload, checked: its response size sizes the baseline's body. */
async function probe(url: string, source: RequestSource, title: string): Promise<number> {
  const requests: BenchRequest[] = [];
  if (source.kind === 'pool') requests.push(source.requests[source.requests.length - 1]!);
  else {
    const signer = new PolicyPairSigner(source);
    const name = signer.nextName();
    requests.push(signer.create(name), signer.delete(name));
  }
  let bytes = 0;
  for (const request of requests) {
    const response = await send(url, request);
    if (response.status !== 200) throw new Error(`${title}: the probe request got ${response.status}:\n${response.body.slice(0, 2000)}`);
    bytes += Buffer.byteLength(response.body);
  }
  return Math.round(bytes / requests.length);
}

const mb = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(0));
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const int = (x: number) => Math.round(x).toLocaleString('en-US');

function table(headers: readonly string[], rows: readonly (readonly string[])[], alignLeft = 1): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i < alignLeft ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

// ── main

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parseOptions(process.argv.slice(2));
  const profileDir = path.join(here, 'results', 'profiles');
  if (options.cpuProf) mkdirSync(profileDir, { recursive: true });
  const report: Report = {
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.arch()} ${os.release()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
    },
    options: (({ sections, only, ...rest }) => ({ ...rest, sections: [...sections], ...(only ? { only: [...only] } : {}) }))(options),
    main: [],
    halfRate: [],
    storeSize: [],
    auditSize: [],
    seeding: [],
    processes: [],
    targets: [],
    notes: [],
  };

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'open-sts-bench-'));
  const accountId = '210987654321';
  const root = { accessKeyId: newAccessKeyId('AKIA', accountId), secretAccessKey: newSecretAccessKey() };
  const port = await freePort();
  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    OPEN_STS_HOST: '127.0.0.1',
    OPEN_STS_PORT: String(port),
    OPEN_STS_DATA_DIR: dataDir,
    OPEN_STS_ACCOUNT_ID: accountId,
    OPEN_STS_ROOT_ACCESS_KEY_ID: root.accessKeyId,
    OPEN_STS_ROOT_SECRET_ACCESS_KEY: root.secretAccessKey,
    OPEN_STS_MASTER_KEY: randomBytes(32).toString('base64'),
    OPEN_STS_STS_RATE_LIMIT: '0',
    OPEN_STS_LOG_LEVEL: 'warn',
    ...options.serverEnv,
  };
  // Node names each profile CPU.<date>.<time>.<pid>…; one directory per server kind keeps them apart.
  const profFlags = (tag: string) => (options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, tag)}`] : []);
  const startServer = (workers: number): Promise<Running> => {
    if (workers === 0) {
      const entry = options.fromSource ? ['--import', 'tsx', path.join(repo, 'src/cli/main.ts')] : [path.join(repo, 'dist/cli/main.js')];
      return spawnListening(process.execPath, [...profFlags('server'), ...entry, 'serve'], serverEnv, port, 'open-sts');
    }
    const env = { ...serverEnv, BENCH_WORKERS: String(workers), BENCH_SERVER_ROOT: options.fromSource ? 'src' : 'dist', BENCH_WORKER_FLAGS: profFlags(`cluster${workers}`).join(' ') };
    return spawnListening(process.execPath, ['--import', 'tsx', path.join(here, 'cluster-server.ts')], env, port, `open-sts ×${workers}`);
  };

  const load = new LoadGenerator();
  let server: Running | undefined;
  const cleanup = async () => {
    load.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  /** Runs a load job against `pids`, sampling their CPU time and resetting their peak RSS when the measured window starts. */
  const measure = async (pids: readonly number[], url: string, source: RequestSource, extra: Partial<LoadJob> = {}) => {
    let start: CpuTime | undefined;
    let startedAt = 0;
    const result = await load.run({ url, source, connections: options.connections, warmupSeconds: options.warmup, seconds: options.seconds, ...extra }, () => {
      resetPeak(pids);
      start = cpuTime(pids);
      startedAt = performance.now();
    });
    const end = cpuTime(pids);
    const wall = (performance.now() - startedAt) * 1e6;
    const peakMb = memory(pids)?.peakMb;
    const cpu: CpuFigures | undefined =
      start && end && result.requests > 0
        ? { usPerRequest: (end.runNs - start.runNs) / 1000 / result.requests, cores: (end.runNs - start.runNs) / wall, waitShare: (end.waitNs - start.waitNs) / (end.runNs - start.runNs + end.waitNs - start.waitNs) }
        : undefined;
    return { result, cpu, peakMb };
  };

  const auditFile = path.join(dataDir, 'audit.db');
  /** Records in the audit store (its highest sequence number: no retention sweep deletes any during a run). */
  const auditEvents = (): number | undefined => {
    if (!existsSync(auditFile)) return undefined;
    const db = new Database(auditFile, { readonly: true, fileMustExist: true });
    try {
      return Number((db.prepare('SELECT MAX(seq) AS n FROM audit_events').get() as { n: number | null }).n ?? 0);
    } catch {
      return undefined;
    } finally {
      db.close();
    }
  };

  /** Runs `job` against a fresh baseline server answering `bytes`-byte bodies from `workers` process(es). */
  const onBaseline = async <T>(bytes: number, workers: number, job: (url: string, pids: readonly number[]) => Promise<T>): Promise<T> => {
    const basePort = await freePort();
    const baseline = await spawnListening(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'baseline-server.ts')],
      { ...process.env, BENCH_PORT: String(basePort), BENCH_BODY_BYTES: String(bytes), BENCH_WORKERS: String(workers) },
      basePort,
      'baseline',
    );
    try {
      return await job(`http://127.0.0.1:${basePort}`, baseline.pids);
    } finally {
      await baseline.stop();
    }
  };

  /** The baseline (same client, same requests, same response size, same number of processes), then the server. */
  const pair = async (workload: Workload, source: RequestSource, workers = 1): Promise<Omit<PairRow, 'workload' | 'title'>> => {
    const responseBytes = await probe(server!.url, source, workload.title);
    const audited = auditEvents();
    const base = await onBaseline(responseBytes, workers, (url, pids) => measure(pids, url, source));
    const run = await measure(server!.pids, server!.url, source);
    const measured = run.result;
    if (measured.errors > 0) {
      const sample = source.kind === 'pool' ? await send(server!.url, source.requests[0]!) : undefined;
      report.notes.push(`${workload.title}: ${measured.errors} errors (${JSON.stringify(measured.statusCodes)})${sample ? `; a replayed request now gets ${sample.status}: ${sample.body.slice(0, 300)}` : ''}`);
    }
    return { auditEvents: audited, responseBytes, server: measured, baseline: base.result, ratio: measured.rps / base.result.rps, peakRssMb: run.peakMb, serverCpu: run.cpu, baselineCpu: base.cpu };
  };

  try {
    log(`starting open-sts (${options.fromSource ? 'src under tsx' : 'dist'}) on port ${port}, data in ${dataDir}`);
    server = await startServer(0);
    const account: BenchAccount = await setUpAccount(server.url, accountId, root);
    const host = new URL(server.url).host;
    const dbFile = path.join(dataDir, 'open-sts.db');
    const selected = (id: string) => options.only === undefined || options.only.has(id);

    if (options.sections.has('main') || options.sections.has('half-rate')) {
      for (const workload of MAIN_WORKLOADS.filter((w) => selected(w.id))) {
        log(`${workload.title}: baseline, then open-sts (${options.warmup} s warm-up + ${options.seconds} s, ${options.connections} connections)`);
        const source = workload.source(account, host, options.pool);
        const row: PairRow = { workload: workload.id, title: workload.title, ...(await pair(workload, source)) };
        report.main.push(row);
        log(`  ${int(row.server.rps)} req/s = ${row.ratio.toFixed(2)} × baseline ${int(row.baseline.rps)} req/s; p99 ${ms(row.server.latency.p99)} ms; errors ${row.server.errors}`);
      }
    }

    if (options.sections.has('half-rate')) {
      for (const row of report.main) {
        const workload = MAIN_WORKLOADS.find((w) => w.id === row.workload)!;
        const rate = Math.max(1, Math.floor(row.server.rps / 2));
        log(`${workload.title}: open loop at ${rate} req/s`);
        const source = workload.source(account, host, options.pool);
        const paced = { rate, connections: Math.max(32, options.connections * 2) };
        const baseline = await onBaseline(row.responseBytes, 1, (url, pids) => measure(pids, url, source, paced));
        const { result, cpu } = await measure(server.pids, server.url, source, paced);
        report.halfRate.push({ workload: row.workload, title: row.title, maxRps: row.server.rps, result, cpu, baseline: baseline.result });
        log(`  p50 ${ms(result.latency.p50)} ms, p99 ${ms(result.latency.p99)} ms, p99.9 ${ms(result.latency.p999)} ms, errors ${result.errors} (baseline at the same rate: p99 ${ms(baseline.result.latency.p99)} ms)`);
      }
    }

    if (options.sections.has('memory') && selected('assume-role')) {
      const workload = MAIN_WORKLOADS.find((w) => w.id === 'assume-role')!;
      log(`memory: ${int(options.memoryCalls)} AssumeRole calls`);
      const before = memory(server.pids);
      const lifetimeBefore = before?.peakMb;
      const { result } = await measure(server.pids, server.url, workload.source(account, host, options.pool), { amount: options.memoryCalls, warmupSeconds: 0 });
      const after = memory(server.pids);
      report.memory = {
        calls: result.requests,
        rps: result.rps,
        errors: result.errors,
        rssBeforeMb: before?.rssMb,
        rssAfterMb: after?.rssMb,
        peakMb: after?.peakMb,
        lifetimePeakMb: lifetimeBefore === undefined || after === undefined ? undefined : Math.max(lifetimeBefore, after.peakMb),
      };
      log(`  RSS ${mb(before?.rssMb)} → ${mb(after?.rssMb)} MB, peak ${mb(after?.peakMb)} MB, errors ${result.errors}`);
    }

    if (options.sections.has('store-size')) {
      for (const size of options.sizes) {
        if (size > account.roles) {
          log(`seeding the store to ${int(size)} roles`);
          const seconds = await seedRoles(dbFile, account, size);
          report.seeding.push({ roles: size, seconds });
          log(`  ${seconds.toFixed(1)} s`);
        }
        for (const workload of SCALE_WORKLOADS.filter((w) => selected(w.id))) {
          log(`${workload.title} with ${int(account.roles)} roles`);
          const source = workload.source(account, host, options.scalePool);
          const row: PairRow = { workload: workload.id, title: workload.title, roles: account.roles, ...(await pair(workload, source)) };
          report.storeSize.push(row);
          log(`  ${int(row.server.rps)} req/s = ${row.ratio.toFixed(2)} × baseline; p99 ${ms(row.server.latency.p99)} ms; errors ${row.server.errors}`);
        }
      }
    }

    if (options.sections.has('audit-size')) {
      // The main rows ran on a young audit store; by now every section before has added records.
      for (const workload of MAIN_WORKLOADS.filter((w) => (w.id === 'gci-session' || w.id === 'assume-role') && selected(w.id))) {
        log(`${workload.title} with ${int(auditEvents() ?? 0)} audit records`);
        const source = workload.source(account, host, options.pool);
        const row: PairRow = { workload: workload.id, title: workload.title, ...(await pair(workload, source)) };
        report.auditSize.push(row);
        log(`  ${int(row.server.rps)} req/s = ${row.ratio.toFixed(2)} × baseline; CPU ${int(row.serverCpu?.usPerRequest ?? 0)} µs/req; errors ${row.server.errors}`);
      }
    }

    if (options.sections.has('processes')) {
      const lifetime = memory(server.pids);
      if (lifetime) report.notes.push(`single server process: RSS ${mb(lifetime.rssMb)} MB at the end of the single-process sections`);
      await server.stop();
      server = undefined;
      for (const workers of [1, 2]) {
        log(`starting open-sts as ${workers} cluster worker(s)`);
        server = await startServer(workers);
        for (const workload of MAIN_WORKLOADS.filter((w) => (w.id === 'gci-session' || w.id === 'assume-role') && selected(w.id))) {
          log(`${workload.title} with ${workers} process(es)`);
          const source = workload.source(account, host, options.pool);
          const row: PairRow = { workload: workload.id, title: workload.title, processes: workers, ...(await pair(workload, source, workers)) };
          report.processes.push(row);
          log(`  ${int(row.server.rps)} req/s = ${row.ratio.toFixed(2)} × baseline (${workers} process(es)) ${int(row.baseline.rps)} req/s; errors ${row.server.errors}`);
        }
        await server.stop();
        server = undefined;
      }
    }
  } finally {
    await cleanup();
  }

  evaluateTargets(report, options);
  mkdirSync(path.dirname(options.out), { recursive: true });
  writeFileSync(options.out, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(render(report) + '\n');
  process.stdout.write(`\nraw results: ${path.relative(process.cwd(), options.out)}${options.cpuProf ? `; CPU profiles in ${path.relative(process.cwd(), profileDir)} (summarise with: node --import tsx bench/profile-summary.ts FILE)` : ''}\n`);
  if (options.sections.has('pipeline')) runPipeline(options);
}

/** The audit stage's cost: bench/pipeline.ts with the records stored, then discarded (its own table). */
function runPipeline(options: Options): void {
  const only = ['gci-session', 'assume-role'].filter((id) => options.only === undefined || options.only.has(id));
  if (only.length === 0) return;
  const sizing = options.quick ? ['--requests=500', '--repeat=1'] : [];
  for (const audit of ['store', 'discard']) {
    process.stdout.write('\n');
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'pipeline.ts'), `--only=${only.join(',')}`, `--audit=${audit}`, ...sizing], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.status !== 0) throw new Error(`bench/pipeline.ts --audit=${audit} exited with ${result.status}`);
  }
}

function evaluateTargets(report: Report, options: Options): void {
  const t = report.targets;
  if (options.quick) {
    // One-second windows on a freshly started server measure the JIT warming up, not the server.
    report.notes.push('quick mode: windows too short for a warm JIT; only the error count is checked');
  }
  const main = (id: string) => report.main.find((r) => r.workload === id);
  const gci = options.quick ? undefined : main('gci-session');
  if (gci) t.push({ name: 'GetCallerIdentity (session token) ≥ 0.6 × baseline', value: `${gci.ratio.toFixed(2)} ×`, pass: gci.ratio >= 0.6 });
  const ar = options.quick ? undefined : main('assume-role');
  if (ar) t.push({ name: 'AssumeRole ≥ 0.4 × baseline', value: `${ar.ratio.toFixed(2)} ×`, pass: ar.ratio >= 0.4 });
  for (const h of options.quick ? [] : report.halfRate) {
    t.push({ name: `p99 < 10 ms at half the maximum rate: ${h.title}`, value: `${ms(h.result.latency.p99)} ms at ${int(h.result.targetRate ?? 0)} req/s`, pass: h.result.latency.p99 < 10 && h.result.errors === 0 });
  }
  if (report.memory && !options.quick) {
    const m = report.memory;
    t.push({
      name: `RSS < 150 MB after ${int(m.calls)} AssumeRole calls${m.calls < 100_000 ? ' (quick: fewer calls)' : ''}`,
      value: `${mb(m.rssAfterMb)} MB (peak ${mb(m.peakMb)} MB)`,
      pass: m.rssAfterMb !== undefined && m.rssAfterMb < 150,
    });
  }
  for (const id of new Set(options.quick ? [] : report.storeSize.map((r) => r.workload))) {
    const rows = report.storeSize.filter((r) => r.workload === id);
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last || first === last) continue;
    // Ratios to the baseline measured beside each row, so machine noise between rows cancels.
    const kept = last.ratio / first.ratio;
    t.push({ name: `${first.title}: throughput at ${int(last.roles ?? 0)} roles ≥ 0.8 × at ${int(first.roles ?? 0)} roles`, value: `${kept.toFixed(2)} ×`, pass: kept >= 0.8 });
    // CPU time per request is the steadier figure of the two on a shared machine.
    if (first.serverCpu && last.serverCpu) {
      const growth = last.serverCpu.usPerRequest / first.serverCpu.usPerRequest;
      t.push({ name: `${first.title}: CPU per request at ${int(last.roles ?? 0)} roles ≤ 1.25 × at ${int(first.roles ?? 0)} roles`, value: `${growth.toFixed(2)} ×`, pass: growth <= 1.25 });
    }
  }
  for (const later of options.quick ? [] : report.auditSize) {
    const early = report.main.find((r) => r.workload === later.workload);
    if (!early?.serverCpu || !later.serverCpu) continue;
    const growth = later.serverCpu.usPerRequest / early.serverCpu.usPerRequest;
    t.push({
      name: `${later.title}: CPU per request with ${int(later.auditEvents ?? 0)} audit records ≤ 1.25 × with ${int(early.auditEvents ?? 0)}`,
      value: `${growth.toFixed(2)} ×`,
      pass: growth <= 1.25,
    });
  }
  const errors =
    [...report.main, ...report.storeSize, ...report.auditSize, ...report.processes].reduce((n, r) => n + r.server.errors + r.baseline.errors, 0) +
    report.halfRate.reduce((n, h) => n + h.result.errors + h.baseline.errors, 0) +
    (report.memory?.errors ?? 0);
  t.push({ name: 'no errors', value: int(errors), pass: errors === 0 });
}

function render(report: Report): string {
  const o = report.options;
  const out: string[] = [];
  out.push(
    `open-sts bench — ${report.date.slice(0, 16).replace('T', ' ')} UTC — node ${report.machine.node}, ${report.machine.cpus} CPUs (${report.machine.cpuModel}), load average ${report.machine.loadAverage.join(' ')}`,
  );
  out.push(`closed loop: autocannon, ${o.connections} keep-alive connections, ${o.warmup} s warm-up + ${o.seconds} s measured; baseline = bare node:http, same client, same requests, same response size${o.quick ? '; QUICK MODE' : ''}`);
  const cpuText = (c: CpuFigures | undefined) => (c === undefined ? '—' : int(c.usPerRequest));
  const coresText = (c: CpuFigures | undefined) => (c === undefined ? '—' : `${c.cores.toFixed(2)}/${Math.round(100 * c.waitShare)}%`);
  const pairRows = (rows: readonly PairRow[], label: (r: PairRow) => string) =>
    rows.map((r) => [
      label(r),
      int(r.server.rps),
      r.ratio.toFixed(2),
      int(r.baseline.rps),
      ms(r.server.latency.p50),
      ms(r.server.latency.p99),
      ms(r.server.latency.p999),
      int(r.server.errors),
      mb(r.peakRssMb),
      cpuText(r.serverCpu),
      cpuText(r.baselineCpu),
      coresText(r.serverCpu),
      int(r.responseBytes),
    ]);
  const pairHeaders = (first: string) => [first, 'req/s', '× base', 'base req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'errors', 'peak RSS MB', 'CPU µs/req', 'base µs/req', 'cores/wait', 'resp B'];
  out.push(
    'CPU µs/req: CPU time of the server (all threads) per request in the window, and the same for the baseline; cores/wait: server CPU time ÷ wall time, and the share of its runnable time spent waiting for a CPU taken by other work',
  );
  if (report.main.length > 0) {
    out.push('', table(pairHeaders('workload'), pairRows(report.main, (r) => r.title)));
  }
  if (report.halfRate.length > 0) {
    out.push('', "latency at half the measured maximum rate (open loop, paced; measured from each request's scheduled send time; base = the baseline at the same rate)");
    out.push(
      table(
        ['workload', 'rate req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'errors', 'CPU µs/req', 'cores/wait', 'base p50', 'base p99', 'base p99.9'],
        report.halfRate.map((h) => [
          h.title,
          int(h.result.targetRate ?? 0),
          ms(h.result.latency.p50),
          ms(h.result.latency.p99),
          ms(h.result.latency.p999),
          ms(h.result.latency.max),
          int(h.result.errors),
          cpuText(h.cpu),
          coresText(h.cpu),
          ms(h.baseline.latency.p50),
          ms(h.baseline.latency.p99),
          ms(h.baseline.latency.p999),
        ]),
      ),
    );
  }
  if (report.memory) {
    const m = report.memory;
    out.push('', `memory: ${int(m.calls)} AssumeRole calls at ${int(m.rps)} req/s — server RSS ${mb(m.rssBeforeMb)} MB before, ${mb(m.rssAfterMb)} MB after, peak ${mb(m.peakMb)} MB during (lifetime peak ${mb(m.lifetimePeakMb)} MB); errors ${int(m.errors)}`);
  }
  if (report.storeSize.length > 0) {
    out.push('', `store size (roles in the account; ${int(o.scalePool)} pre-signed requests on roles drawn at random)`);
    out.push(table(pairHeaders('workload @ roles'), pairRows(report.storeSize, (r) => `${r.title} @ ${int(r.roles ?? 0)}`)));
    if (report.seeding.length > 0) out.push(`seeding (direct store writes, one transaction per role): ${report.seeding.map((s) => `${int(s.roles)} roles in ${s.seconds.toFixed(1)} s`).join(', ')}`);
  }
  if (report.auditSize.length > 0) {
    out.push('', 'audit store size (the main rows again, after every section before has added records to the audit store)');
    const rows = report.auditSize.flatMap((later) => {
      const early = report.main.find((r) => r.workload === later.workload);
      return early ? [early, later] : [later];
    });
    out.push(table(pairHeaders('workload @ audit records'), pairRows(rows, (r) => `${r.title} @ ${int(r.auditEvents ?? 0)}`)));
  }
  if (report.processes.length > 0) {
    out.push('', 'server processes (Node cluster, one shared SQLite file; the baseline runs as the same number of processes; one load-generator process on the same 2 CPUs)');
    out.push(table(pairHeaders('workload × processes'), pairRows(report.processes, (r) => `${r.title} × ${r.processes}`)));
    for (const id of new Set(report.processes.map((r) => r.workload))) {
      const one = report.processes.find((r) => r.workload === id && r.processes === 1);
      const two = report.processes.find((r) => r.workload === id && r.processes === 2);
      if (one && two) out.push(`${one.title}: 2 processes = ${(two.server.rps / one.server.rps).toFixed(2)} × 1 process (baseline: ${(two.baseline.rps / one.baseline.rps).toFixed(2)} ×)`);
    }
  }
  if (report.targets.length > 0) {
    out.push('', 'targets');
    for (const target of report.targets) out.push(`  ${target.pass ? 'PASS' : 'MISS'}  ${target.name}: ${target.value}`);
  }
  if (report.notes.length > 0) {
    out.push('', 'notes');
    for (const note of report.notes) out.push(`  - ${note}`);
  }
  return out.join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
