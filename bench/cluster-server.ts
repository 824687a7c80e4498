/**
 * Bench-only launcher: `open-sts serve` in N processes sharing one port through Node's cluster
 * module (the primary accepts connections and hands them to the workers round-robin). Each worker
 * is the real CLI (`dist/cli/main.js serve`) with the same OPEN_STS_* configuration, so all of
 * them open the same SQLite file (WAL mode lets several processes read while one writes) and load
 * the same session-token key ring: a token one worker issued is accepted by another without any
 * shared memory.
 *
 * Env: the server's OPEN_STS_* variables; BENCH_WORKERS (default 2); BENCH_SERVER_ROOT (`dist`,
 * the build `npm run bench` makes, or `src` to run the TypeScript under tsx); BENCH_WORKER_FLAGS
 * (extra node flags for the workers, space-separated, e.g. `--cpu-prof --cpu-prof-dir=…`).
 * Prints `listening <url> workers <pid,pid,…>` once every worker listens.
 */
import cluster from 'node:cluster';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const workers = Number(process.env.BENCH_WORKERS ?? '2');
const fromSource = process.env.BENCH_SERVER_ROOT === 'src';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flags = (process.env.BENCH_WORKER_FLAGS ?? '').split(' ').filter((f) => f !== '');

cluster.setupPrimary({
  exec: path.join(repo, fromSource ? 'src/cli/main.ts' : 'dist/cli/main.js'),
  args: ['serve'],
  execArgv: [...(fromSource ? ['--import', 'tsx'] : []), ...flags],
  silent: true,
});

const pids: number[] = [];
let listening = 0;
cluster.on('listening', (_worker, address) => {
  if (++listening === workers) process.stdout.write(`listening http://127.0.0.1:${address.port} workers ${pids.join(',')}\n`);
});
cluster.on('exit', (worker, code) => {
  if (code !== 0 && code !== null) process.stderr.write(`worker ${worker.process.pid} exited with ${code}\n`);
});
for (let i = 0; i < workers; i++) {
  const worker = cluster.fork();
  pids.push(worker.process.pid!);
  // Keep the workers' pipes drained (their banner and warnings), forwarding errors.
  worker.process.stdout?.resume();
  worker.process.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
}

process.once('SIGTERM', () => {
  // Disconnecting closes each worker's listening socket and IPC channel; a worker then exits once
  // its in-flight requests are done (writing its --cpu-prof profile, if asked for).
  cluster.disconnect(() => process.exit(0));
  setTimeout(() => process.exit(0), 15_000).unref();
});
