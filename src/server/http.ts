import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsError } from '../protocol/errors.js';
import type { App, IncomingRequest } from './app.js';
import type { Metrics } from './metrics.js';

export interface HttpServer {
  readonly server: Server;
  readonly url: string;
  /** Stops accepting connections and resolves once in-flight requests have finished. */
  close(): Promise<void>;
}

/** node:http wiring: body limit, /health, /metrics, keep-alive, graceful close. */
export async function listen(app: App, metrics: Metrics | undefined, host: string, port: number): Promise<HttpServer> {
  let ready = false;
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    void route(app, metrics, req, res, () => ready);
  });
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  ready = true;
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        ready = false;
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

async function route(app: App, metrics: Metrics | undefined, req: IncomingMessage, res: ServerResponse, isReady: () => boolean): Promise<void> {
  const url = req.url ?? '/';
  if (req.method === 'GET' && (url === '/health' || url === '/metrics')) {
    if (url === '/health') {
      send(res, isReady() ? 200 : 503, { 'Content-Type': 'application/json' }, JSON.stringify({ status: isReady() ? 'ok' : 'stopping' }));
    } else if (metrics) {
      send(res, 200, { 'Content-Type': metrics.registry.contentType }, await metrics.registry.metrics());
    } else {
      send(res, 404, {}, '');
    }
    return;
  }
  const body = await readBody(req, app.config.maxBodyBytes);
  // The client went away mid-body: there is no one to answer, and a cut-off request is never executed.
  if (body === 'aborted') return;
  if (body === 'too-large') {
    // Too large: answer without reading the rest, then drop the connection.
    res.setHeader('Connection', 'close');
    const error = new AwsError('RequestEntityTooLarge', `Request body must be at most ${app.config.maxBodyBytes} bytes`);
    const response = app.reject(error, req.headers['x-amz-target'] !== undefined);
    send(res, response.status, response.headers, response.body);
    return;
  }
  const incoming: IncomingRequest = {
    method: req.method ?? 'GET',
    rawUrl: url,
    rawHeaders: req.rawHeaders,
    headers: req.headers,
    body,
    sourceIp: normalizeIp(req.socket.remoteAddress ?? ''),
    secure: false,
  };
  const response = await app.handle(incoming);
  send(res, response.status, response.headers, response.body);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', () => resolve('aborted'));
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...headers, 'Content-Length': String(bytes.length) });
  res.end(bytes);
}

function normalizeIp(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
