import { CONTENT_SHA256_HEADER, EMPTY_BODY_SHA256, UNSIGNED_PAYLOAD } from './constants.js';
import { firstHeader, type RawQueryParam } from './raw-request.js';
import { sha256Hex } from './sha256.js';
import type { HttpRequestLike, VerifyOptions } from './types.js';

export type PayloadHashResult = { ok: true; hash: string; signed: boolean } | { ok: false; reason: string; contentMismatch: boolean };

/**
 * HashedPayload (sigv4.md §3.5). A declared `x-amz-content-sha256` (or, presigned, an
 * `X-Amz-Content-Sha256` query parameter) is used literally, and unless it is UNSIGNED-PAYLOAD it
 * must equal the hash of the raw body bytes; without one, the body is hashed.
 */
export function getPayloadHash(req: HttpRequestLike, queryParams: readonly RawQueryParam[] | undefined, options: VerifyOptions): PayloadHashResult {
  let declared = firstHeader(req.rawHeaders, CONTENT_SHA256_HEADER)?.trim();
  if (declared === undefined && queryParams !== undefined) {
    // smithy's presign hoists x-amz-* headers into the query under their own spelling.
    for (const p of queryParams) {
      if (p.name.length === CONTENT_SHA256_HEADER.length && p.name.toLowerCase() === CONTENT_SHA256_HEADER) {
        declared = decodeURIComponentSafe(p.rawValue);
        break;
      }
    }
  }
  if (declared === UNSIGNED_PAYLOAD) {
    const policy = options.unsignedPayload ?? 'empty-body';
    if (policy === 'always' || (policy === 'empty-body' && req.body.length === 0)) return { ok: true, hash: UNSIGNED_PAYLOAD, signed: false };
    return { ok: false, reason: `UNSIGNED-PAYLOAD not accepted (policy '${policy}', body ${req.body.length} bytes)`, contentMismatch: false };
  }
  const actual = req.body.length === 0 ? EMPTY_BODY_SHA256 : sha256Hex(req.body);
  if (declared !== undefined && declared !== actual) {
    return { ok: false, reason: 'x-amz-content-sha256 does not match the body', contentMismatch: true };
  }
  return { ok: true, hash: actual, signed: true };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
