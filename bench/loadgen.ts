/**
 * The load generator: a child process of bench/run.ts (child_process.fork), so it never shares an
 * event loop with the server or with the orchestrator. It takes one job at a time over IPC and
 * answers with the measured figures.
 *
 *  - closed loop (maximum throughput): autocannon, keep-alive, fixed concurrency, a warm-up run
 *    then a measured window (or a fixed number of requests);
 *  - open loop (latency at a given rate): our own paced client on raw keep-alive sockets. Each
 *    request has an intended send time on a fixed schedule and its latency is measured from that
 *    time, so a stalled server is not hidden by the client waiting for it (no coordinated
 *    omission). autocannon's own rate option sends each connection's quota at the start of every
 *    second and then idles, which measures a burst, not a rate.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { LatencyRecorder, type LatencySummary } from './lib/latency.js';
import { PolicyPairSigner, requestBytes, type RequestSource } from './lib/sources.js';

export interface LoadJob {
  readonly id: number;
  readonly url: string;
  readonly source: RequestSource;
  readonly connections: number;
  readonly warmupSeconds: number;
  /** Measured window; ignored when `amount` is set. */
  readonly seconds: number;
  /** Closed loop only: send exactly this many requests (after the warm-up) instead of a window. */
  readonly amount?: number;
  /** Open loop at this many requests per second. */
  readonly rate?: number;
}

export interface LoadResult {
  readonly id: number;
  readonly mode: 'closed' | 'open';
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly latency: LatencySummary;
  /** Non-2xx responses, socket errors and timeouts. */
  readonly errors: number;
  readonly statusCodes: Record<string, number>;
  /** Open loop: the rate asked for, and the mean delay between a request's intended and actual send (client slack). */
  readonly targetRate?: number;
  readonly sendDelayMs?: number;
}

type Message = { type: 'job'; job: LoadJob } | { type: 'exit' };

process.on('message', (message: Message) => {
  if (message.type === 'exit') process.exit(0);
  const { job } = message;
  const run = job.rate !== undefined ? openLoop(job, job.rate) : closedLoop(job);
  run.then(
    (result) => process.send!({ type: 'result', result }),
    (error: unknown) => process.send!({ type: 'error', id: job.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});

// ── closed loop: autocannon

interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  setupRequest?: (request: AcRequest, context: Record<string, unknown>) => AcRequest | undefined;
}

function autocannonRequests(source: RequestSource): AcRequest[] {
  if (source.kind === 'pool') return source.requests.map((r) => ({ method: r.method, path: r.path, headers: r.headers, body: r.body }));
  // Each connection runs create → delete with a fresh name; the context lives for one pass
  // over this two-entry list, so the delete names the policy its own create made.
  const signer = new PolicyPairSigner(source);
  return [
    {
      setupRequest: (request, context) => {
        const name = signer.nextName();
        context.name = name;
        return { ...request, ...signer.create(name) };
      },
    },
    {
      setupRequest: (request, context) => ({ ...request, ...signer.delete(String(context.name)) }),
    },
  ];
}

function autocannonRun(job: LoadJob, options: { seconds?: number; amount?: number }, recorder?: LatencyRecorder): Promise<{ result: { errors: number; timeouts: number; non2xx: number; statusCodeStats: Record<string, { count: number }> }; seconds: number; count: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let count = 0;
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        pipelining: 1,
        timeout: 30,
        requests: autocannonRequests(job.source),
        ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.seconds ?? 1 }),
      },
      (error, result) => {
        if (error) reject(error);
        else resolve({ result, seconds: (performance.now() - started) / 1000, count });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      count++;
      recorder?.record(ms);
    });
  });
}

/** Tells the orchestrator the measured window starts now (it samples the server's CPU time and memory). */
function measuring(job: LoadJob): void {
  process.send!({ type: 'measuring', id: job.id });
}

async function closedLoop(job: LoadJob): Promise<LoadResult> {
  if (job.warmupSeconds > 0) await autocannonRun(job, { seconds: job.warmupSeconds });
  measuring(job);
  const recorder = new LatencyRecorder();
  const { result, seconds, count } = await autocannonRun(job, job.amount !== undefined ? { amount: job.amount } : { seconds: job.seconds }, recorder);
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats)) statusCodes[code] = stat.count;
  return {
    id: job.id,
    mode: 'closed',
    requests: count,
    seconds,
    rps: count / seconds,
    latency: recorder.summary(),
    errors: result.errors + result.timeouts + result.non2xx,
    statusCodes,
  };
}

// ── open loop: paced requests on raw keep-alive sockets

interface Item {
  readonly bytes: Buffer;
  readonly intended: number;
  readonly measured: boolean;
  readonly onDone?: (status: number) => void;
}

/** One keep-alive connection; responses are framed by Content-Length (the server always sends it). */
class Connection {
  readonly #socket: net.Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #item: Item | undefined;
  #closed = false;
  readonly #onComplete: (item: Item, status: number, at: number) => void;
  readonly #onFailure: (item: Item | undefined) => void;

  constructor(port: number, host: string, onComplete: (item: Item, status: number, at: number) => void, onFailure: (item: Item | undefined) => void) {
    this.#onComplete = onComplete;
    this.#onFailure = onFailure;
    this.#socket = net.connect(port, host);
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (chunk: Buffer) => this.#data(chunk));
    this.#socket.on('error', () => this.#fail());
    this.#socket.on('close', () => this.#fail());
  }

  get idle(): boolean {
    return this.#item === undefined && !this.#closed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(item: Item): void {
    this.#item = item;
    this.#socket.write(item.bytes);
  }

  close(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  #fail(): void {
    if (this.#closed) return;
    this.#closed = true;
    const item = this.#item;
    this.#item = undefined;
    this.#onFailure(item);
  }

  #data(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const end = this.#buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.#buffer.toString('latin1', 0, end);
    const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const length = match ? Number(match[1]) : 0;
    if (this.#buffer.length < end + 4 + length) return;
    const status = Number(head.slice(9, 12));
    this.#buffer = this.#buffer.subarray(end + 4 + length);
    const item = this.#item;
    this.#item = undefined;
    if (item) this.#onComplete(item, status, performance.now());
  }
}

async function openLoop(job: LoadJob, rate: number): Promise<LoadResult> {
  const url = new URL(job.url);
  const port = Number(url.port);
  const host = url.hostname;
  const recorder = new LatencyRecorder();
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let measuredCount = 0;
  let sendDelayTotal = 0;
  let sendDelayCount = 0;

  // What to send next: the pool in a loop (from a random offset), or create/delete pairs where a
  // delete goes out at the first arrival after its create completed.
  let nextItem: () => { bytes: Buffer; onDone?: (status: number) => void };
  if (job.source.kind === 'pool') {
    const pool = job.source.requests.map((r) => requestBytes(r));
    let i = Math.floor(Math.random() * pool.length);
    nextItem = () => ({ bytes: pool[i++ % pool.length]! });
  } else {
    const signer = new PolicyPairSigner(job.source);
    const deletes: string[] = [];
    nextItem = () => {
      const pending = deletes.shift();
      if (pending !== undefined) return { bytes: requestBytes(signer.delete(pending)) };
      const name = signer.nextName();
      return { bytes: requestBytes(signer.create(name)), onDone: (status) => (status === 200 ? deletes.push(name) : undefined) };
    };
  }

  const connections: Connection[] = [];
  const queue: Item[] = [];
  const dispatch = () => {
    while (queue.length > 0) {
      const free = connections.find((c) => c.idle);
      if (!free) return;
      const item = queue.shift()!;
      if (item.measured) {
        sendDelayTotal += performance.now() - item.intended;
        sendDelayCount++;
      }
      free.send(item);
    }
  };
  const complete = (item: Item, status: number, at: number) => {
    item.onDone?.(status);
    if (item.measured) {
      measuredCount++;
      recorder.record(at - item.intended);
      statusCodes[status] = (statusCodes[status] ?? 0) + 1;
      if (status < 200 || status >= 300) errors++;
    }
    dispatch();
  };
  const failure = (item: Item | undefined) => {
    if (item?.measured) errors++;
    const index = connections.findIndex((c) => c.closed);
    if (index >= 0) connections.splice(index, 1, open());
    dispatch();
  };
  const open = () => new Connection(port, host, complete, failure);
  for (let i = 0; i < job.connections; i++) connections.push(open());

  const interval = 1000 / rate;
  const start = performance.now() + 50;
  const measureFrom = start + job.warmupSeconds * 1000;
  const stopAt = measureFrom + job.seconds * 1000;
  let n = 0;
  setTimeout(() => measuring(job), Math.max(0, measureFrom - performance.now()));
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (start + n * interval <= now && start + n * interval < stopAt) {
        const intended = start + n * interval;
        queue.push({ ...nextItem(), intended, measured: intended >= measureFrom });
        n++;
      }
      dispatch();
      if (start + n * interval >= stopAt) {
        resolve();
        return;
      }
      setTimeout(tick, Math.max(0, start + n * interval - performance.now()));
    };
    setTimeout(tick, 50);
  });
  // Let in-flight requests finish (bounded), then close.
  const deadline = performance.now() + 10_000;
  while ((queue.length > 0 || connections.some((c) => !c.idle && !c.closed)) && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  errors += queue.filter((i) => i.measured).length;
  for (const c of connections) c.close();
  return {
    id: job.id,
    mode: 'open',
    requests: measuredCount,
    seconds: job.seconds,
    rps: measuredCount / job.seconds,
    latency: recorder.summary(),
    errors,
    statusCodes,
    targetRate: rate,
    sendDelayMs: sendDelayCount > 0 ? sendDelayTotal / sendDelayCount : 0,
  };
}

