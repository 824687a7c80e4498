/** A minimal test-side signer built from the verifier's own (suite-checked) canonicalization. */
import { createHmac } from 'node:crypto';
import { deriveSigningKey, signingInputs, type HttpRequestLike, type SignatureInfo } from '../../src/auth/sigv4/index.js';

export interface SignSpec {
  readonly method?: string;
  readonly rawUrl?: string;
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: string;
  readonly accessKeyId?: string;
  readonly secret?: string;
  readonly region?: string;
  readonly service?: string;
  readonly amzDate?: string;
  readonly token?: string;
}

export const TEST_SECRET = 'test-secret-key-0123456789';

/** Signs with the Authorization header; every header given (plus x-amz-date and the token) is signed. */
export function signedRequest(spec: SignSpec = {}): HttpRequestLike {
  const amzDate = spec.amzDate ?? '20260101T120000Z';
  const headers: [string, string][] = [['Host', 'localhost:4566'], ...(spec.headers ?? []).map(([n, v]) => [n, v] as [string, string])];
  headers.push(['X-Amz-Date', amzDate]);
  if (spec.token !== undefined) headers.push(['X-Amz-Security-Token', spec.token]);
  const signedHeaders = [...new Set(headers.map(([n]) => n.toLowerCase()))].sort();
  const unsigned: HttpRequestLike = {
    method: spec.method ?? 'POST',
    rawUrl: spec.rawUrl ?? '/',
    rawHeaders: headers.flat(),
    body: new TextEncoder().encode(spec.body ?? 'Action=GetCallerIdentity&Version=2011-06-15'),
  };
  const info: SignatureInfo = {
    carrier: 'header',
    accessKeyId: spec.accessKeyId ?? 'AKIAEXAMPLE',
    scopeDate: amzDate.slice(0, 8),
    region: spec.region ?? 'us-east-1',
    service: spec.service ?? 'sts',
    amzDate,
    signedHeaders,
    signature: '',
  };
  const inputs = signingInputs(unsigned, info, { unsignedPayload: 'always' });
  if (!inputs.ok) throw new Error(JSON.stringify(inputs.failure));
  const key = deriveSigningKey(spec.secret ?? TEST_SECRET, info.scopeDate, info.region, info.service);
  const signature = createHmac('sha256', key).update(inputs.stringToSign).digest('hex');
  const authorization = `AWS4-HMAC-SHA256 Credential=${info.accessKeyId}/${info.scopeDate}/${info.region}/${info.service}/aws4_request, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return { ...unsigned, rawHeaders: [...unsigned.rawHeaders, 'Authorization', authorization] };
}

export function withHeader(req: HttpRequestLike, name: string, value: string | undefined): HttpRequestLike {
  const out: string[] = [];
  let replaced = false;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const n = req.rawHeaders[i] as string;
    if (n.toLowerCase() === name.toLowerCase()) {
      if (value !== undefined && !replaced) out.push(n, value);
      replaced = true;
    } else {
      out.push(n, req.rawHeaders[i + 1] as string);
    }
  }
  if (!replaced && value !== undefined) out.push(name, value);
  return { ...req, rawHeaders: out };
}

export function header(req: HttpRequestLike, name: string): string | undefined {
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if ((req.rawHeaders[i] as string).toLowerCase() === name.toLowerCase()) return req.rawHeaders[i + 1];
  }
  return undefined;
}
