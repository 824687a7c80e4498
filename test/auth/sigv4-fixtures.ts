/** Loads the copied SigV4 suite (test/fixtures/sigv4/) into table rows. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpRequestLike } from '../../src/auth/sigv4/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sigv4');
export const SUITE_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
export const SUITE_NOW = new Date('2015-08-30T12:36:00Z');

/** A request as written in the suite's files: request line, `Name:value` lines, blank line, body. */
export interface FixtureRequest {
  readonly method: string;
  readonly target: string;
  /** [name, value] in file order; obs-fold continuation lines are joined to the previous value with a space. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
}

export interface SuiteContext {
  readonly credentials: { readonly access_key_id: string; readonly secret_access_key: string; readonly token?: string };
  readonly normalize: boolean;
  readonly sign_body: boolean;
  readonly omit_session_token?: boolean;
  readonly region: string;
  readonly service: string;
  readonly expiration_in_seconds: number;
}

export interface SuiteCase {
  /** e.g. "aws-c-auth/v4/get-vanilla [query]" */
  readonly id: string;
  readonly set: 'aws-c-auth/v4' | 'aws4_testsuite';
  readonly name: string;
  readonly form: 'header' | 'query';
  readonly request: FixtureRequest;
  readonly expectedSignature: string;
  readonly expectedCanonicalRequest: string;
  readonly expectedStringToSign: string;
  /** aws-c-auth only; the legacy suite has no context file. */
  readonly context?: SuiteContext;
}

export function parseHttpMessage(text: string): FixtureRequest {
  const blank = text.indexOf('\n\n');
  const head = blank < 0 ? text.replace(/\n+$/, '') : text.slice(0, blank);
  const body = blank < 0 ? '' : text.slice(blank + 2);
  const [requestLine = '', ...lines] = head.split('\n');
  const firstSpace = requestLine.indexOf(' ');
  const lastSpace = requestLine.lastIndexOf(' ');
  const headers: [string, string][] = [];
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length > 0) {
      const last = headers[headers.length - 1] as [string, string];
      last[1] = `${last[1]} ${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) throw new Error(`not a header line: ${JSON.stringify(line)}`);
    headers.push([line.slice(0, colon), line.slice(colon + 1)]);
  }
  return {
    method: requestLine.slice(0, firstSpace),
    target: requestLine.slice(firstSpace + 1, lastSpace),
    headers,
    body: new TextEncoder().encode(body),
  };
}

export function toHttpRequest(r: FixtureRequest): HttpRequestLike {
  return { method: r.method, rawUrl: r.target, rawHeaders: r.headers.flat(), body: r.body };
}

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

export interface SkipList {
  readonly 'aws-c-auth/v4': Readonly<Record<string, string>>;
  readonly aws4_testsuite: Readonly<Record<string, string>>;
}

export function loadSkipList(): SkipList {
  return JSON.parse(read(join(FIXTURES, 'skipped-cases.json'))) as SkipList;
}

export function loadAwsCAuthCases(): { cases: SuiteCase[]; contexts: Map<string, SuiteContext> } {
  const root = join(FIXTURES, 'aws-c-auth', 'v4');
  const cases: SuiteCase[] = [];
  const contexts = new Map<string, SuiteContext>();
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    const context = JSON.parse(read(join(dir, 'context.json'))) as SuiteContext;
    contexts.set(name, context);
    for (const form of ['header', 'query'] as const) {
      cases.push({
        id: `aws-c-auth/v4/${name} [${form}]`,
        set: 'aws-c-auth/v4',
        name,
        form,
        request: parseHttpMessage(read(join(dir, `${form}-signed-request.txt`))),
        expectedSignature: read(join(dir, `${form}-signature.txt`)).trim(),
        expectedCanonicalRequest: read(join(dir, `${form}-canonical-request.txt`)),
        expectedStringToSign: read(join(dir, `${form}-string-to-sign.txt`)),
        context,
      });
    }
  }
  return { cases, contexts };
}

function findLegacyDirs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (!statSync(path).isDirectory()) continue;
    if (existsSync(join(path, `${entry}.sreq`))) out.push(path);
    else out.push(...findLegacyDirs(path));
  }
  return out;
}

export function loadLegacyCases(): SuiteCase[] {
  const root = join(FIXTURES, 'aws4_testsuite');
  return findLegacyDirs(root).map((dir) => {
    const name = relative(root, dir);
    const base = join(dir, name.split('/').pop() as string);
    const authz = read(`${base}.authz`).trim();
    const signature = authz.slice(authz.indexOf('Signature=') + 'Signature='.length);
    // The .authz file is the expected output. Upstream's get-vanilla-with-session-token.sreq
    // carries a stale Authorization (get-vanilla's signature), so the header is taken from .authz.
    const sreq = parseHttpMessage(read(`${base}.sreq`));
    const headers = sreq.headers.map(([n, v]) => (n.toLowerCase() === 'authorization' ? ([n, ` ${authz}`] as const) : ([n, v] as const)));
    return {
      id: `aws4_testsuite/${name} [header]`,
      set: 'aws4_testsuite' as const,
      name,
      form: 'header' as const,
      request: { ...sreq, headers },
      expectedSignature: signature,
      expectedCanonicalRequest: read(`${base}.creq`),
      expectedStringToSign: read(`${base}.sts`),
    };
  });
}
