/**
 * A small, fast SigV4 signer for AWS Query form POSTs, as the JavaScript SDK v3 sends them
 * (signed headers: content-type, host, x-amz-date and, for temporary credentials,
 * x-amz-security-token). The bench signs thousands of requests up front and some on the fly in
 * the load generator, so it avoids the SDK's async machinery. The server verifies every
 * signature; a mistake here shows up as errors in the table, never as inflated figures.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A ready-to-send HTTP request: what autocannon's `requests` entries and the paced client take. */
export interface BenchRequest {
  readonly method: 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';
const signingKeys = new Map<string, Buffer>();

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const id = `${secret}\u0000${day}\u0000${region}\u0000${service}`;
  let key = signingKeys.get(id);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
    if (signingKeys.size > 1000) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

/** `20240102T030405Z` */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Form-encodes Query parameters the way the SDK does (RFC 3986, `%20` for spaces). */
export function formBody(params: Readonly<Record<string, string | number>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(String(v))}`)
    .join('&');
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Signs a Query POST to `/` on `host` (`127.0.0.1:8777`) for `service` in `region`. */
export function signQuery(
  host: string,
  service: string,
  region: string,
  credentials: SigningCredentials,
  body: string,
  date: Date = new Date(),
): BenchRequest {
  const stamp = amzDate(date);
  const day = stamp.slice(0, 8);
  const token = credentials.sessionToken;
  const signedHeaders = token === undefined ? 'content-type;host;x-amz-date' : 'content-type;host;x-amz-date;x-amz-security-token';
  const canonicalHeaders =
    `content-type:${CONTENT_TYPE}\nhost:${host}\nx-amz-date:${stamp}\n` + (token === undefined ? '' : `x-amz-security-token:${token}\n`);
  const payloadHash = createHash('sha256').update(body, 'utf8').digest('hex');
  const canonicalRequest = `POST\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day, region, service)).update(stringToSign, 'utf8').digest('hex');
  const headers: Record<string, string> = {
    host,
    'content-type': CONTENT_TYPE,
    'x-amz-date': stamp,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
  if (token !== undefined) headers['x-amz-security-token'] = token;
  return { method: 'POST', path: '/', headers, body };
}
