import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** SHA-256 (or HMAC-SHA256 when given a key) in the shape smithy's signer takes, on node:crypto. */
export class NodeSha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export interface RawSigned {
  readonly headers: Record<string, string>;
}

/** Signs a form POST to `endpoint` the way the JS SDK v3 does, for tests that need raw HTTP. */
export async function signFormPost(
  endpoint: string,
  body: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  options: { service?: string; region?: string; headers?: Record<string, string>; date?: Date } = {},
): Promise<RawSigned> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ service: options.service ?? 'sts', region: options.region ?? 'us-east-1', sha256: NodeSha256, credentials });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded', ...(options.headers ?? {}) },
      body,
    },
    options.date ? { signingDate: options.date } : {},
  );
  return { headers: signed.headers };
}

/** A presigned GET URL for a Query action, as `aws eks get-token`-style tools build them. */
export async function presignGet(
  endpoint: string,
  query: Record<string, string>,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  options: { service?: string; region?: string; expiresIn?: number; headers?: Record<string, string> } = {},
): Promise<string> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ service: options.service ?? 'sts', region: options.region ?? 'us-east-1', sha256: NodeSha256, credentials });
  const presigned = await signer.presign(
    { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query, headers: { host: url.host, ...(options.headers ?? {}) } },
    { expiresIn: options.expiresIn ?? 60 },
  );
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(presigned.query ?? {})) search.append(key, String(value));
  return `${endpoint}/?${search.toString().replace(/\+/g, '%20')}`;
}
