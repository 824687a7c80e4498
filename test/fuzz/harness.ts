/**
 * Shared parts of the bad-input fuzz tests: raw HTTP over a keep-alive agent, SigV4 signing of
 * arbitrary bytes (so a mutated body is still validly signed and reaches the action), and the
 * checks every answer must pass (query-protocol.md §3–4): 200 or a 4xx, never 5xx, and a
 * well-formed AWS error envelope whose code is in the registry.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isErrorCode } from '../../src/protocol/errors.js';
import { NodeSha256 } from '../helpers/sign.js';

export interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface RawRequest {
  readonly method: string;
  /** Origin-form request target, e.g. `/` or `/?Action=…`. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer | string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export const JSON_11 = 'application/x-amz-json-1.1';
export const FORM = 'application/x-www-form-urlencoded';
export const STS_VERSION = '2011-06-15';
export const IAM_VERSION = '2010-05-08';
export const ORGS_PREFIX = 'AWSOrganizationsV20161128';

/** A keep-alive HTTP/1.1 client that sends exactly the bytes and headers it is given. */
export class Wire {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 4 });
  readonly #host: string;
  readonly #port: number;

  constructor(endpoint: string) {
    const url = new URL(endpoint);
    this.#host = url.hostname;
    this.#port = Number(url.port);
  }

  get host(): string {
    return `${this.#host}:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  send(req: RawRequest, timeoutMs = 20_000): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
      const headers: Record<string, string> = { ...req.headers };
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = String(body.length);
      const r = httpRequest({ host: this.#host, port: this.#port, method: req.method, path: req.path, headers, agent: this.#agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms: ${req.method} ${req.path.slice(0, 200)}`)));
      r.on('error', reject);
      r.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/**
 * fast-check settings: a fixed seed and run count by default (deterministic in CI); FUZZ_SEED
 * and FUZZ_SCALE (a run-count multiplier) explore further, e.g. `FUZZ_SCALE=10 FUZZ_SEED=7`.
 */
export function fuzzRuns(seed: number, runs: number): { seed: number; numRuns: number } {
  const scale = Number(process.env['FUZZ_SCALE'] ?? '1');
  const chosen = process.env['FUZZ_SEED'];
  return { seed: chosen === undefined ? seed : Number(chosen), numRuns: Math.max(1, Math.round(runs * (Number.isFinite(scale) ? scale : 1))) };
}

/** Gives a generated value a short form in fast-check's counterexamples (a 1 MiB body would print as 4 MB). */
export function shortly<T extends object>(value: T, text: string): T {
  return Object.assign(value, { [fc.toStringMethod]: () => text });
}

// ── form encoding

/** A form token: plain text (percent-encoded on the wire as SDKs do) or raw bytes sent as is. */
export type Token = string | { readonly raw: string };

const UNRESERVED = /[A-Za-z0-9_.~-]/;

/** RFC 3986 percent-encoding of the UTF-8 bytes, as the JS SDK encodes form members. */
export function formEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += UNRESERVED.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function encodeToken(token: Token): string {
  return typeof token === 'string' ? formEncode(token) : token.raw;
}

export function formBody(pairs: ReadonlyArray<readonly [Token, Token]>): string {
  return pairs.map(([k, v]) => `${encodeToken(k)}=${encodeToken(v)}`).join('&');
}

// ── signing

const signers = new Map<string, SignatureV4>();

function signerFor(service: string, creds: Creds, region: string): SignatureV4 {
  const key = `${service}\u0000${region}\u0000${creds.accessKeyId}\u0000${creds.secretAccessKey}\u0000${creds.sessionToken ?? ''}`;
  let signer = signers.get(key);
  if (!signer) {
    signer = new SignatureV4({ service, region, sha256: NodeSha256, credentials: creds });
    signers.set(key, signer);
  }
  return signer;
}

export interface SignOptions {
  readonly service: string;
  readonly creds: Creds;
  readonly method?: string;
  /** Raw query string (without `?`), already encoded. */
  readonly query?: string;
  readonly body?: Buffer | string;
  /** Extra headers to send and sign (lower-case names). */
  readonly headers?: Record<string, string>;
  readonly region?: string;
  readonly date?: Date;
}

/** Parses a raw query into the decoded multi-map smithy signs; undecodable parts are kept raw. */
function queryObject(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = safeDecode(eq < 0 ? '' : part.slice(eq + 1));
    const seen = out[name];
    out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A request signed with SigV4 in the Authorization header, the way SDKs sign (host, x-amz-date, body hash). */
export async function signed(wire: Wire, options: SignOptions): Promise<RawRequest> {
  const method = options.method ?? 'POST';
  const [hostname, port] = wire.host.split(':') as [string, string];
  const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
  const request = {
    method,
    protocol: 'http:',
    hostname,
    port: Number(port),
    path: '/',
    headers: { host: wire.host, ...(options.headers ?? {}) },
    ...(options.query ? { query: queryObject(options.query) } : {}),
    ...(body !== undefined ? { body } : {}),
  };
  const out = await signerFor(options.service, options.creds, options.region ?? 'us-east-1').sign(request, options.date ? { signingDate: options.date } : {});
  return { method, path: options.query ? `/?${options.query}` : '/', headers: out.headers, ...(body !== undefined ? { body } : {}) };
}

/** A presigned GET URL (query carrier), as smithy's presign builds it. */
export async function presigned(wire: Wire, options: SignOptions & { expiresIn?: number }): Promise<RawRequest> {
  const [hostname, port] = wire.host.split(':') as [string, string];
  const url = await signerFor(options.service, options.creds, options.region ?? 'us-east-1').presign(
    {
      method: options.method ?? 'GET',
      protocol: 'http:',
      hostname,
      port: Number(port),
      path: '/',
      headers: { host: wire.host },
      query: queryObject(options.query ?? ''),
    },
    { ...(options.date ? { signingDate: options.date } : {}), expiresIn: options.expiresIn ?? 300 },
  );
  const query = Object.entries(url.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${formEncode(k)}=${formEncode(String(x ?? ''))}`))
    .join('&');
  return { method: options.method ?? 'GET', path: `/?${query}`, headers: { host: wire.host } };
}

/** A signed Query request (form POST, or GET with the members in the query string). */
export function signedQuery(wire: Wire, service: string, creds: Creds, body: string, options: { method?: 'GET' | 'POST'; contentType?: string | null; date?: Date } = {}): Promise<RawRequest> {
  if (options.method === 'GET') return signed(wire, { service, creds, method: 'GET', query: body, ...(options.date ? { date: options.date } : {}) });
  const contentType = options.contentType === undefined ? FORM : options.contentType;
  return signed(wire, { service, creds, body, headers: contentType === null ? {} : { 'content-type': contentType }, ...(options.date ? { date: options.date } : {}) });
}

/** A signed JSON 1.1 request; `target` undefined sends no X-Amz-Target. */
export function signedJson(wire: Wire, creds: Creds, body: Buffer | string, target: string | undefined, contentType: string | null = JSON_11): Promise<RawRequest> {
  const headers: Record<string, string> = {};
  if (contentType !== null) headers['content-type'] = contentType;
  if (target !== undefined) headers['x-amz-target'] = target;
  return signed(wire, { service: 'organizations', creds, body, headers });
}

// ── the checks every answer must pass

export type Protocol = 'query' | 'json';

export interface Verdict {
  readonly status: number;
  /** The AWS error code, for errors. */
  readonly code: string | undefined;
  readonly message: string | undefined;
  /** What is wrong with the answer; empty when it is a proper AWS answer. */
  readonly problems: readonly string[];
  /** Parsed XML (Query) or JSON body. */
  readonly parsed: unknown;
}

/** Characters XML 1.0 cannot carry, not even as character references (Char production). */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const xml = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false, processEntities: true, htmlEntities: false });

/**
 * Checks one answer: 200 or 4xx, never 5xx; the protocol's content type and request ID; a
 * well-formed body; for errors the envelope of query-protocol.md §3 (XML) or §4 (JSON) with a
 * registered code, `Type` Sender for 4xx.
 */
export function inspect(res: RawResponse, protocol: Protocol, options: { head?: boolean } = {}): Verdict {
  const problems: string[] = [];
  const status = res.status;
  if (status >= 500) problems.push(`status ${status} (server fault)`);
  else if (status !== 200 && (status < 400 || status > 499)) problems.push(`status ${status} is neither 200 nor 4xx`);
  const requestId = res.headers['x-amzn-requestid'];
  if (typeof requestId !== 'string' || !/^[0-9a-f-]{36}$/.test(requestId)) problems.push(`x-amzn-RequestId header missing or odd: ${String(requestId)}`);
  const contentType = res.headers['content-type'];
  const wantType = protocol === 'json' ? JSON_11 : 'text/xml';
  if (contentType !== wantType) problems.push(`Content-Type ${String(contentType)}, expected ${wantType}`);
  if (options.head) return { status, code: undefined, message: undefined, problems, parsed: undefined };

  let code: string | undefined;
  let message: string | undefined;
  let parsed: unknown;
  if (protocol === 'query') {
    const bad = NOT_XML_CHAR.exec(res.body);
    if (bad) problems.push(`body holds U+${bad[0].codePointAt(0)!.toString(16).padStart(4, '0')}, which XML 1.0 cannot carry`);
    const valid = XMLValidator.validate(res.body);
    if (valid !== true) problems.push(`ill-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
    else {
      const doc = xml.parse(res.body) as Record<string, unknown>;
      parsed = doc;
      const roots = Object.keys(doc).filter((k) => k !== '?xml');
      if (roots.length !== 1) problems.push(`XML has ${roots.length} root elements`);
      const rootName = roots[0] ?? '';
      const root = (doc[rootName] ?? {}) as Record<string, unknown>;
      if (status === 200) {
        if (!rootName.endsWith('Response') || rootName === 'ErrorResponse') problems.push(`success root is <${rootName}>`);
        const meta = root['ResponseMetadata'] as Record<string, unknown> | undefined;
        if (meta?.['RequestId'] !== requestId) problems.push('ResponseMetadata/RequestId differs from the header');
      } else {
        if (rootName !== 'ErrorResponse') problems.push(`error root is <${rootName}>, not <ErrorResponse>`);
        const error = root['Error'] as Record<string, unknown> | undefined;
        if (!error || typeof error !== 'object') problems.push('no <Error> element');
        else {
          code = typeof error['Code'] === 'string' ? error['Code'] : undefined;
          message = typeof error['Message'] === 'string' ? error['Message'] : error['Message'] === '' ? '' : undefined;
          if (code === undefined || !isErrorCode(code)) problems.push(`Code ${String(error['Code'])} is not in the error registry`);
          if (error['Type'] !== 'Sender') problems.push(`Type ${String(error['Type'])} for a ${status}`);
          if (message === undefined) problems.push('no <Message>');
        }
        if (root['RequestId'] !== requestId) problems.push('ErrorResponse/RequestId missing or differs from the header');
      }
    }
  } else {
    try {
      parsed = JSON.parse(res.body) as unknown;
    } catch {
      problems.push('body is not JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) problems.push('body is not a JSON object');
    else if (status !== 200) {
      const body = parsed as Record<string, unknown>;
      code = typeof body['__type'] === 'string' ? body['__type'] : undefined;
      message = typeof body['Message'] === 'string' ? body['Message'] : undefined;
      if (code === undefined || !isErrorCode(code)) problems.push(`__type ${String(body['__type'])} is not in the error registry`);
      if (message === undefined) problems.push('no Message');
      if (res.headers['x-amzn-errortype'] !== code) problems.push(`x-amzn-ErrorType ${String(res.headers['x-amzn-errortype'])} differs from __type`);
    }
  }
  return { status, code, message, problems, parsed };
}

/** Counts of outcomes, for asserting that a fuzz run reached the actions and for the report. */
export class Tally {
  readonly counts = new Map<string, number>();
  total = 0;

  add(verdict: Verdict): void {
    this.total++;
    const key = verdict.status === 200 ? '200' : `${verdict.status} ${verdict.code ?? '?'}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  count(prefix: string): number {
    let n = 0;
    for (const [key, value] of this.counts) if (key === prefix || key.endsWith(` ${prefix}`)) n += value;
    return n;
  }

  codes(): string[] {
    return [...this.counts.keys()].sort();
  }

  summary(): string {
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
  }
}

/** A short printable form of a request for failure messages. */
export function describeRequest(req: RawRequest): string {
  const body = req.body === undefined ? '' : Buffer.isBuffer(req.body) ? req.body.toString('latin1') : req.body;
  const shown = body.length > 300 ? `${body.slice(0, 300)}… (${body.length} bytes)` : body;
  const headers = Object.entries(req.headers)
    .filter(([k]) => !['authorization', 'x-amz-date', 'x-amz-content-sha256', 'host'].includes(k.toLowerCase()))
    .map(([k, v]) => `${k}: ${v.length > 80 ? `${v.slice(0, 80)}…` : v}`)
    .join(' | ');
  return `${req.method} ${req.path.slice(0, 200)} [${headers}] ${JSON.stringify(shown)}`;
}

/** Reads an XML member path of a parsed Query answer, e.g. ['AssumeRoleResponse', 'AssumeRoleResult', 'Credentials']. */
export function dig(parsed: unknown, path: readonly string[]): unknown {
  let at: unknown = parsed;
  for (const step of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  return at;
}

// ── raw sockets, for what an HTTP client library will not send

/** The bytes of an HTTP/1.1 request as a client would write them. */
export function serializeRequest(wire: Wire, req: RawRequest, extra: Record<string, string> = {}): Buffer {
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  const headers: Record<string, string> = { host: wire.host, ...req.headers, ...extra };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-length' || h.toLowerCase() === 'transfer-encoding') && (body.length > 0 || req.method === 'POST')) {
    headers['content-length'] = String(body.length);
  }
  const head = `${req.method} ${req.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/**
 * Writes `parts` to a fresh connection (with `delayMs` between them) and reads responses until
 * `count` complete ones arrived, the server closed, or `timeoutMs` passed.
 */
export function rawExchange(
  wire: Wire,
  parts: readonly Buffer[],
  options: { delayMs?: number; count?: number; timeoutMs?: number; head?: boolean; abortAfterWrite?: boolean } = {},
): Promise<{ responses: RawResponse[]; closed: boolean }> {
  const count = options.count ?? 1;
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(wire.port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    const responses: RawResponse[] = [];
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ responses, closed });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 5000);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(head[0]!.split(' ')[1]);
        const headers: Record<string, string> = {};
        for (const line of head.slice(1)) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = options.head ? 0 : Number(headers['content-length'] ?? 0);
        if (buffer.length < end + 4 + length) return;
        responses.push({ status, headers, body: buffer.subarray(end + 4, end + 4 + length).toString('utf8') });
        buffer = buffer.subarray(end + 4 + length);
        if (responses.length >= count) {
          finish();
          return;
        }
      }
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? finish() : reject(e)));
    socket.on('connect', async () => {
      for (let i = 0; i < parts.length; i++) {
        if (i > 0 && options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
        if (socket.destroyed) return;
        socket.write(parts[i]!);
      }
      if (options.abortAfterWrite) setTimeout(() => socket.destroy(), 50);
    });
  });
}
