/**
 * Requests signed by real SDK code verify: @smithy/signature-v4 (the signer of the AWS SDK for
 * JavaScript v3) directly, and the STS client end to end over HTTP.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCanonicalUri } from '../../src/auth/sigv4/canonical-uri.js';
import { SigningKeyCache, parseSignature, verifySignature, type HttpRequestLike, type SignatureInfo } from '../../src/auth/sigv4/index.js';

const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const TEMP_AKID = 'ASIAIOSFODNN7EXAMPLE';
const TEMP_SECRET = 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc/def+ghi=';
const NOW = new Date('2026-01-01T12:00:00Z');

/** smithy's Checksum contract over node:crypto (HMAC when constructed with a key). */
class NodeSha256 {
  readonly #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(toBytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
  reset(): void {
    throw new Error('not used');
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

interface SmithyRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** What a server would receive for a request the SDK serialized. */
function onTheWire(r: SmithyRequest): HttpRequestLike {
  const query = Object.entries(r.query)
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${rfc3986(k)}=${rfc3986(x)}`) : [`${rfc3986(k)}=${rfc3986(v ?? '')}`]))
    .join('&');
  const body = r.body === undefined ? new Uint8Array() : toBytes(r.body);
  return { method: r.method, rawUrl: query ? `${r.path}?${query}` : r.path, rawHeaders: Object.entries(r.headers).flat(), body };
}

function signer(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, region = 'us-east-1', applyChecksum = true) {
  return new SignatureV4({ credentials, region, service: 'sts', sha256: NodeSha256, applyChecksum });
}

function stsPost(params: string): SmithyRequest {
  return {
    method: 'POST',
    protocol: 'http:',
    hostname: 'localhost',
    port: 4566,
    path: '/',
    query: {},
    headers: { host: 'localhost:4566', 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(params)) },
    body: params,
  };
}

function parseOk(req: HttpRequestLike, now = NOW): SignatureInfo {
  const parsed = parseSignature(req, now);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.failure));
  return parsed.info;
}

describe('requests signed by @smithy/signature-v4 verify', () => {
  const cache = new SigningKeyCache();

  it('STS form POST with a long-term key and x-amz-content-sha256', async () => {
    const signed = (await signer({ accessKeyId: AKID, secretAccessKey: SECRET }).sign(stsPost('Action=GetCallerIdentity&Version=2011-06-15'), {
      signingDate: NOW,
    })) as SmithyRequest;
    const req = onTheWire(signed);
    const info = parseOk(req);
    expect(info).toMatchObject({ carrier: 'header', accessKeyId: AKID, region: 'us-east-1', service: 'sts', scopeDate: '20260101' });
    expect(info.signedHeaders).toContain('x-amz-content-sha256');
    expect(info.securityToken).toBeUndefined();
    expect(verifySignature(req, info, SECRET, cache)).toBeUndefined();
    expect(verifySignature(req, info, TEMP_SECRET, cache)?.code).toBe('SignatureDoesNotMatch');
  });

  it('STS form POST with temporary credentials (signed X-Amz-Security-Token), any region', async () => {
    const params = 'Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=s%20p%2Bace&Version=2011-06-15';
    const signed = (await signer({ accessKeyId: TEMP_AKID, secretAccessKey: TEMP_SECRET, sessionToken: TOKEN }, 'eu-west-3').sign(stsPost(params), {
      signingDate: NOW,
    })) as SmithyRequest;
    const req = onTheWire(signed);
    const info = parseOk(req);
    expect(info).toMatchObject({ accessKeyId: TEMP_AKID, region: 'eu-west-3', securityToken: TOKEN });
    expect(info.signedHeaders).toContain('x-amz-security-token');
    expect(verifySignature(req, info, TEMP_SECRET, cache)).toBeUndefined();
  });

  it('STS form POST without x-amz-content-sha256 (applyChecksum false, as botocore)', async () => {
    const signed = (await signer({ accessKeyId: AKID, secretAccessKey: SECRET }, 'us-east-1', false).sign(
      stsPost('Action=GetCallerIdentity&Version=2011-06-15'),
      { signingDate: NOW },
    )) as SmithyRequest;
    const req = onTheWire(signed);
    const info = parseOk(req);
    expect(info.signedHeaders).not.toContain('x-amz-content-sha256');
    expect(verifySignature(req, info, SECRET, cache)).toBeUndefined();
  });

  it('extra unsigned headers (user-agent, x-amzn-trace-id) do not matter', async () => {
    const request = stsPost('Action=GetCallerIdentity&Version=2011-06-15');
    request.headers['user-agent'] = 'aws-sdk-js/3';
    request.headers['x-amzn-trace-id'] = 'Root=1-abc';
    const signed = (await signer({ accessKeyId: AKID, secretAccessKey: SECRET }).sign(request, { signingDate: NOW })) as SmithyRequest;
    const req = onTheWire(signed);
    const info = parseOk(req);
    expect(info.signedHeaders).not.toContain('user-agent');
    expect(verifySignature(req, info, SECRET, cache)).toBeUndefined();
  });

  it('presigned GetCallerIdentity GET with a session token', async () => {
    const request: SmithyRequest = {
      method: 'GET',
      protocol: 'https:',
      hostname: 'sts.amazonaws.com',
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: 'sts.amazonaws.com', 'x-k8s-aws-id': 'my-cluster' },
    };
    const presigned = (await signer({ accessKeyId: TEMP_AKID, secretAccessKey: TEMP_SECRET, sessionToken: TOKEN }).presign(request, {
      signingDate: NOW,
      expiresIn: 60,
    })) as SmithyRequest;
    const req = onTheWire(presigned);
    expect(req.rawUrl).toContain('X-Amz-Security-Token=');
    const info = parseOk(req);
    expect(info).toMatchObject({ carrier: 'query', accessKeyId: TEMP_AKID, securityToken: TOKEN, expiresSeconds: 60 });
    expect(info.signedHeaders).toEqual(['host', 'x-k8s-aws-id']);
    expect(verifySignature(req, info, TEMP_SECRET, cache)).toBeUndefined();
    // The same URL fetched with POST, or after its 60 s lifetime, is refused.
    expect(verifySignature({ ...req, method: 'POST' }, info, TEMP_SECRET, cache)?.code).toBe('SignatureDoesNotMatch');
    const later = parseSignature(req, new Date(NOW.getTime() + 61_000));
    expect(later.ok ? undefined : later.failure).toMatchObject({ code: 'RequestExpired', status: 400 });
  });

  it('double encoding of a percent-encoded path agrees with the SDK signer', async () => {
    const request: SmithyRequest = {
      ...stsPost('Action=GetCallerIdentity&Version=2011-06-15'),
      path: '/prefix/a%20b/./c%2Fd/../e~f!/',
    };
    const signed = (await signer({ accessKeyId: AKID, secretAccessKey: SECRET }).sign(request, { signingDate: NOW })) as SmithyRequest;
    const req = onTheWire(signed);
    expect(getCanonicalUri(req.rawUrl)).toBe('/prefix/a%2520b/e~f%21/');
    expect(verifySignature(req, parseOk(req), SECRET, cache)).toBeUndefined();
  });
});

describe('@aws-sdk/client-sts end to end against a verifying server', () => {
  let server: Server;
  let endpoint: string;
  const seen: { info?: SignatureInfo; failure?: string }[] = [];
  const secrets = new Map([
    [AKID, SECRET],
    [TEMP_AKID, TEMP_SECRET],
  ]);
  const cache = new SigningKeyCache();

  async function readBody(req: IncomingMessage): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      void readBody(req).then((body) => {
        const request: HttpRequestLike = { method: req.method ?? '', rawUrl: req.url ?? '', rawHeaders: req.rawHeaders, body };
        const parsed = parseSignature(request, new Date());
        const failure = !parsed.ok
          ? parsed.failure
          : verifySignature(request, parsed.info, secrets.get(parsed.info.accessKeyId) ?? 'unknown', cache);
        seen.push(parsed.ok && !failure ? { info: parsed.info } : { failure: failure?.code });
        res.setHeader('content-type', 'text/xml');
        if (failure) {
          res.statusCode = failure.status;
          res.end(
            `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${failure.code}</Code><Message>${failure.message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
          );
          return;
        }
        res.end(
          '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
            '<Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>' +
            '</GetCallerIdentityResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each([
    ['long-term key', { accessKeyId: AKID, secretAccessKey: SECRET }],
    ['session credentials', { accessKeyId: TEMP_AKID, secretAccessKey: TEMP_SECRET, sessionToken: TOKEN }],
  ])('GetCallerIdentity with %s verifies', async (_name, credentials) => {
    seen.length = 0;
    const client = new STSClient({ endpoint, region: 'ap-southeast-2', credentials, maxAttempts: 1 });
    const out = await client.send(new GetCallerIdentityCommand({}));
    client.destroy();
    expect(out.Account).toBe('123456789012');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.info).toMatchObject({ carrier: 'header', accessKeyId: credentials.accessKeyId, region: 'ap-southeast-2', service: 'sts' });
    expect(seen[0]?.info?.securityToken).toBe('sessionToken' in credentials ? credentials.sessionToken : undefined);
  });

  it('a wrong secret is refused with SignatureDoesNotMatch', async () => {
    seen.length = 0;
    const client = new STSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: AKID, secretAccessKey: TEMP_SECRET }, maxAttempts: 1 });
    await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    client.destroy();
    expect(seen).toEqual([{ failure: 'SignatureDoesNotMatch' }]);
  });
});
