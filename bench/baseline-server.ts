/**
 * The baseline peer: a bare node:http server that reads the request body and answers 200 with a
 * fixed text/xml body of BENCH_BODY_BYTES bytes and the headers open-sts sends. It is what the
 * same load generator, on the same requests, gets from Node's HTTP stack alone, so a workload's
 * throughput divided by this one means something on a noisy shared machine.
 *
 * Env: BENCH_PORT, BENCH_HOST (127.0.0.1), BENCH_BODY_BYTES (400), BENCH_WORKERS (1: one process;
 * N > 1: Node's cluster module with N workers sharing the port, as bench/cluster-server.ts does).
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';

const port = Number(process.env.BENCH_PORT ?? '0');
const host = process.env.BENCH_HOST ?? '127.0.0.1';
const bytes = Number(process.env.BENCH_BODY_BYTES ?? '400');
const workers = Number(process.env.BENCH_WORKERS ?? '1');

function fixedBody(size: number): Buffer {
  const head = '<?xml version="1.0" encoding="UTF-8"?>\n<FixedResponse><Padding>';
  const tail = '</Padding></FixedResponse>\n';
  return Buffer.from(head + 'x'.repeat(Math.max(0, size - head.length - tail.length)) + tail, 'utf8');
}

function serve(): void {
  const body = fixedBody(bytes);
  const headers = {
    'Content-Type': 'text/xml',
    'x-amzn-RequestId': '5a1f3b1e-0000-4000-8000-000000000000',
    'Content-Length': String(body.length),
  };
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, headers);
      res.end(body);
    });
  });
  server.listen(port, host, () => {
    if (!cluster.isWorker) process.stdout.write(`listening ${host}:${port} pid ${process.pid}\n`);
    else process.send?.('ready');
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

if (workers > 1 && cluster.isPrimary) {
  let ready = 0;
  const pids: number[] = [];
  for (let i = 0; i < workers; i++) {
    const worker = cluster.fork();
    pids.push(worker.process.pid!);
    worker.on('message', (m) => {
      if (m === 'ready' && ++ready === workers) process.stdout.write(`listening ${host}:${port} pid ${process.pid} workers ${pids.join(',')}\n`);
    });
  }
  process.on('SIGTERM', () => cluster.disconnect(() => process.exit(0)));
} else {
  serve();
}
