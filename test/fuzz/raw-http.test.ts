/**
 * Raw HTTP abuse (issue #3 point 10): oversized bodies, wrong methods, bad percent-encoding,
 * non-form content types, slow, truncated and aborted bodies, pipelining, oversized headers and
 * malformed HTTP. Every answer the server writes is a 4xx AWS envelope (413
 * RequestEntityTooLarge for big bodies); what Node's HTTP parser refuses before the server sees
 * it is a bare 4xx; and the server keeps serving throughout.
 */
import { METHODS as NODE_METHODS } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from './fixture.js';
import { FORM, JSON_11, ORGS_PREFIX, STS_VERSION, formBody, fuzzRuns, inspect, rawExchange, serializeRequest, signed, signedQuery } from './harness.js';

const GCI = formBody([['Action', 'GetCallerIdentity'], ['Version', STS_VERSION]]);

let f: Fixture;

beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f?.close();
});

/** The server still answers a signed GetCallerIdentity with 200. */
async function stillServing(): Promise<void> {
  const verdict = inspect(await f.wire.send(await signedQuery(f.wire, 'sts', f.root, GCI)), 'query');
  expect([verdict.status, verdict.problems]).toEqual([200, []]);
}

describe('oversized bodies', () => {
  const big = 'x'.repeat(1_048_577);

  it('answers a body over the limit 413 RequestEntityTooLarge in the Query envelope, and keeps serving', async () => {
    const req = await signedQuery(f.wire, 'sts', f.root, `${GCI}&Pad=${big}`);
    const res = await f.wire.send(req);
    const verdict = inspect(res, 'query');
    expect([verdict.status, verdict.code, verdict.problems]).toEqual([413, 'RequestEntityTooLarge', []]);
    await stillServing();
  });

  it('answers a JSON body over the limit in the JSON envelope', async () => {
    const res = await f.wire.send({ method: 'POST', path: '/', headers: { 'content-type': JSON_11, 'x-amz-target': `${ORGS_PREFIX}.ListAccounts` }, body: `{"NextToken":"${big}"}` });
    const verdict = inspect(res, 'json');
    expect([verdict.status, verdict.code, verdict.problems]).toEqual([413, 'RequestEntityTooLarge', []]);
  });

  it('answers a declared Content-Length over the limit at once, without waiting for the body', async () => {
    const started = Date.now();
    const { responses } = await rawExchange(f.wire, [Buffer.from(`POST / HTTP/1.1\r\nHost: ${f.wire.host}\r\nContent-Type: ${FORM}\r\nContent-Length: 50000000\r\n\r\nAction=`, 'latin1')]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(responses).toHaveLength(1);
    const verdict = inspect(responses[0]!, 'query');
    expect([verdict.status, verdict.code, verdict.problems]).toEqual([413, 'RequestEntityTooLarge', []]);
    await stillServing();
  });

  it('answers a chunked body that grows over the limit 413', async () => {
    const chunk = 'y'.repeat(65536);
    const chunks = Array.from({ length: 18 }, () => Buffer.from(`${chunk.length.toString(16)}\r\n${chunk}\r\n`, 'latin1'));
    const head = Buffer.from(`POST / HTTP/1.1\r\nHost: ${f.wire.host}\r\nContent-Type: ${FORM}\r\nTransfer-Encoding: chunked\r\n\r\n`, 'latin1');
    const { responses } = await rawExchange(f.wire, [head, ...chunks, Buffer.from('0\r\n\r\n')], { timeoutMs: 10_000 });
    expect(responses).toHaveLength(1);
    const verdict = inspect(responses[0]!, 'query');
    expect([verdict.status, verdict.code, verdict.problems]).toEqual([413, 'RequestEntityTooLarge', []]);
    await stillServing();
  });
});

describe('methods, paths, encodings and content types', () => {
  // Methods Node's parser knows; others it refuses itself (see the last test).
  const METHODS = ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'M-SEARCH', 'PURGE'];

  it('answers other methods, signed or not, with a 4xx envelope', async () => {
    for (const method of METHODS) {
      const unsigned = inspect(await f.wire.send({ method, path: `/?${GCI}`, headers: { 'content-type': FORM }, body: GCI }), 'query');
      expect([method, unsigned.status >= 400 && unsigned.status < 500, unsigned.problems]).toEqual([method, true, []]);
      const req = await signed(f.wire, { service: 'sts', creds: f.root, method, body: GCI, headers: { 'content-type': FORM } });
      const verdict = inspect(await f.wire.send(req), 'query');
      expect([method, verdict.status, verdict.code, verdict.problems]).toEqual([method, 400, 'InvalidAction', []]);
    }
    const head = await f.wire.send(await signed(f.wire, { service: 'sts', creds: f.root, method: 'HEAD', query: GCI }));
    expect([head.status, inspect(head, 'query', { head: true }).problems]).toEqual([400, []]);
    await stillServing();
  });

  it('answers bad percent-encoding in the query string, the body and the path with a 4xx envelope', async () => {
    const queries = ['%', '%ZZ', 'Action=%E0%A4%A', 'Action=GetCallerIdentity&Version=2011-06-15&X=%C3%28', 'Action=Get%00CallerIdentity', '&&&==&', '=%', 'X-Amz-Credential=%ZZ'];
    for (const q of queries) {
      const unsigned = inspect(await f.wire.send({ method: 'GET', path: `/?${q}`, headers: {} }), 'query');
      expect([q, unsigned.status >= 400 && unsigned.status < 500, unsigned.problems]).toEqual([q, true, []]);
      const viaBody = inspect(await f.wire.send(await signedQuery(f.wire, 'sts', f.root, q)), 'query');
      expect([q, viaBody.status >= 400 && viaBody.status < 500, viaBody.problems]).toEqual([q, true, []]);
    }
    // Signed for `/`: a path that normalizes to `/` (sigv4.md §3.2) still verifies, the others do not.
    for (const [path, status] of [['/%ZZ', 403], ['/a/../b', 403], ['//', 200], ['/./', 200], ['/%2F%2E%2E', 403], [`/${'p'.repeat(5000)}`, 403], ['*', 403]] as const) {
      const req = await signedQuery(f.wire, 'sts', f.root, GCI);
      const verdict = inspect(await f.wire.send({ ...req, path }), 'query');
      expect([path.slice(0, 20), verdict.status, verdict.problems]).toEqual([path.slice(0, 20), status, []]);
    }
    await stillServing();
  });

  it('answers non-form content types and bodies that are not UTF-8 with a 4xx envelope', async () => {
    const bodies: Array<Buffer | string> = [GCI, '{"Action":"GetCallerIdentity"}', '<Action>GetCallerIdentity</Action>', Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28]), Buffer.from(`${GCI}&X=\xff\xfe`, 'latin1')];
    for (const type of ['text/plain', 'application/json', 'application/xml', 'multipart/form-data; boundary=--x', 'application/octet-stream', FORM, '']) {
      for (const body of bodies) {
        const req = await signed(f.wire, { service: 'sts', creds: f.root, body, headers: type === '' ? {} : { 'content-type': type } });
        const verdict = inspect(await f.wire.send(req), 'query');
        const ok = verdict.status === 200 || (verdict.status >= 400 && verdict.status < 500);
        expect([type, ok, verdict.problems]).toEqual([type, true, []]);
      }
    }
    await stillServing();
  });

  it('fuzzes raw request lines and headers without ever answering 5xx', async () => {
    const token = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'X'),
        fc.oneof(fc.constant('/'), token.map((t) => `/?${t}`), token.map((t) => `/${t}`)),
        fc.dictionary(fc.constantFrom('content-type', 'x-amz-target', 'x-amz-date', 'authorization', 'x-amz-security-token', 'x-amz-content-sha256', 'content-encoding', 'expect', 'x-forwarded-for'), token, { maxKeys: 4 }),
        fc.string({ maxLength: 200 }),
        async (method, path, headers, body) => {
          const res = await f.wire.send({ method, path, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body }) }).catch((e: Error) => e);
          if (res instanceof Error) throw res;
          const json = 'x-amz-target' in headers;
          const verdict = inspect(res, json ? 'json' : 'query', { head: method === 'HEAD' });
          // Node's parser refuses an unknown method (400) and an `Expect` other than 100-continue (417)
          // before the server sees the request: a bare 4xx, not an AWS envelope.
          if ((!NODE_METHODS.includes(method) && res.status === 400) || res.status === 417) return;
          if (verdict.problems.length > 0) throw new Error(`${verdict.problems.join('; ')}: ${method} ${path} ${JSON.stringify(headers)} ${res.status} ${res.body.slice(0, 300)}`);
        },
      ),
      fuzzRuns(0x5eed_0040, 300),
    );
    await stillServing();
  });
});

describe('slow, truncated, aborted and malformed HTTP', () => {
  it('serves a body that arrives slowly, byte by byte', async () => {
    const req = await signedQuery(f.wire, 'sts', f.root, GCI);
    const bytes = serializeRequest(f.wire, req);
    const split = bytes.indexOf('\r\n\r\n') + 4;
    const parts = [bytes.subarray(0, split), ...Array.from(bytes.subarray(split), (b) => Buffer.from([b]))];
    const { responses } = await rawExchange(f.wire, parts, { delayMs: 5, timeoutMs: 10_000 });
    expect(responses.map((r) => r.status)).toEqual([200]);
  });

  it('survives clients that stop mid-body, mid-headers or right after connecting', async () => {
    const req = await signedQuery(f.wire, 'sts', f.root, GCI);
    const bytes = serializeRequest(f.wire, req);
    for (const cut of [0, 10, bytes.indexOf('\r\n\r\n'), bytes.indexOf('\r\n\r\n') + 4, bytes.length - 5]) {
      await rawExchange(f.wire, [bytes.subarray(0, cut)], { abortAfterWrite: true, timeoutMs: 500 });
    }
    await stillServing();
  });

  it('answers pipelined requests in order on one connection', async () => {
    const a = serializeRequest(f.wire, await signedQuery(f.wire, 'sts', f.root, GCI));
    const b = serializeRequest(f.wire, { method: 'POST', path: '/', headers: { 'content-type': FORM }, body: GCI });
    const c = serializeRequest(f.wire, await signedQuery(f.wire, 'sts', f.root, 'Version=2011-06-15'));
    const { responses } = await rawExchange(f.wire, [Buffer.concat([a, b, c])], { count: 3 });
    expect(responses.map((r) => [r.status, inspect(r, 'query').code])).toEqual([
      [200, undefined],
      [403, 'MissingAuthenticationToken'],
      [400, 'MissingAction'],
    ]);
  });

  it('answers repeated X-Amz-Date or Authorization headers IncompleteSignature', async () => {
    const req = await signedQuery(f.wire, 'sts', f.root, GCI);
    for (const name of ['x-amz-date', 'authorization']) {
      const bytes = serializeRequest(f.wire, req).toString('latin1').replace('\r\n\r\n', `\r\n${name}: ${req.headers[name]}\r\n\r\n`);
      const { responses } = await rawExchange(f.wire, [Buffer.from(bytes, 'latin1')]);
      const verdict = inspect(responses[0]!, 'query');
      expect([name, verdict.status, verdict.code, verdict.problems]).toEqual([name, 400, 'IncompleteSignature', []]);
    }
  });

  it('answers Expect: 100-continue with 100, then the answer', async () => {
    const req = await signedQuery(f.wire, 'sts', f.root, GCI);
    const bytes = serializeRequest(f.wire, req, { expect: '100-continue' });
    const split = bytes.indexOf('\r\n\r\n') + 4;
    const { responses } = await rawExchange(f.wire, [bytes.subarray(0, split), bytes.subarray(split)], { delayMs: 50, count: 2 });
    expect(responses.map((r) => r.status)).toEqual([100, 200]);
  });

  it('lets Node refuse malformed HTTP, oversized headers and conflicting framing with a 4xx, and keeps serving', async () => {
    const cases = [
      'GARBAGE\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      `GET /?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\nContent-Length: 0\r\n\r\n`,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'GET / HTTP/1.1\r\nBad Header Name: x\r\n\r\n',
      'GET /\x00 HTTP/1.1\r\n\r\n',
    ];
    for (const raw of cases) {
      const { responses } = await rawExchange(f.wire, [Buffer.from(raw, 'latin1')], { timeoutMs: 2000 });
      const status = responses[0]?.status;
      expect([raw.slice(0, 30), status !== undefined && status >= 400 && status < 500]).toEqual([raw.slice(0, 30), true]);
    }
    await stillServing();
  });
});
