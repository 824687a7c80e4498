/**
 * Steps 6–9 of sigv4.md §2: canonical request, string to sign, signing key (through the cache),
 * constant-time comparison.
 */
import { timingSafeEqual } from 'node:crypto';
import { getCanonicalHeaders, isCanonicalHeaderList } from './canonical-headers.js';
import { getCanonicalQuery } from './canonical-query.js';
import { createCanonicalRequest } from './canonical-request.js';
import { getCanonicalUri } from './canonical-uri.js';
import { TOKEN_PARAM } from './constants.js';
import { CONTENT_SHA256_MISMATCH_MESSAGE, signatureMismatchFailure, sigv4Failure } from './errors.js';
import { getPayloadHash } from './payload-hash.js';
import { parseRawQuery, splitRawUrl, type RawQueryParam } from './raw-request.js';
import { sha256Hex } from './sha256.js';
import { signingHmac, type SigningKeyCache } from './signing-key.js';
import { createStringToSign, credentialScope } from './string-to-sign.js';
import type { HttpRequestLike, SignatureInfo, SigV4Failure, VerifyOptions } from './types.js';

interface Prepared {
  readonly canonicalUri: string;
  readonly params: readonly RawQueryParam[];
  readonly headerLines: string;
  readonly payloadHash: string;
}

type PrepareResult = { ok: true; prepared: Prepared } | { ok: false; failure: SigV4Failure };

const NO_PARAMS: readonly RawQueryParam[] = [];

function prepare(req: HttpRequestLike, info: SignatureInfo, options: VerifyOptions): PrepareResult {
  if (!isCanonicalHeaderList(info.signedHeaders)) {
    return { ok: false, failure: signatureMismatchFailure('SignedHeaders is not lower-case, sorted and unique') };
  }
  const headers = getCanonicalHeaders(req.rawHeaders, info.signedHeaders);
  if (!headers.ok) return { ok: false, failure: signatureMismatchFailure(headers.reason) };
  const { path, query } = splitRawUrl(req.rawUrl);
  const params = query.length === 0 ? NO_PARAMS : parseRawQuery(query);
  const payload = getPayloadHash(req, info.carrier === 'query' ? params : undefined, options);
  if (!payload.ok) {
    // S3 has its own code for this (XAmzContentSHA256Mismatch); for STS/IAM, UNVERIFIED.
    const failure = payload.contentMismatch
      ? sigv4Failure('SignatureDoesNotMatch', CONTENT_SHA256_MISMATCH_MESSAGE, payload.reason)
      : signatureMismatchFailure(payload.reason);
    return { ok: false, failure };
  }
  return { ok: true, prepared: { canonicalUri: getCanonicalUri(path), params, headerLines: headers.lines, payloadHash: payload.hash } };
}

function canonicalRequestOf(req: HttpRequestLike, info: SignatureInfo, p: Prepared, excludeToken: boolean): string {
  const query = getCanonicalQuery(p.params, { excludeSignature: info.carrier === 'query', excludeToken });
  return createCanonicalRequest(req.method, p.canonicalUri, query, p.headerLines, info.signedHeaders, p.payloadHash);
}

function isLowerHex64(s: string): boolean {
  if (s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/**
 * The canonical request and string to sign the server computes for `req`, for tests and for
 * debugging signers. `excludeQueryToken` selects the "token appended after signing" variant.
 */
export function signingInputs(
  req: HttpRequestLike,
  info: SignatureInfo,
  options: VerifyOptions & { readonly excludeQueryToken?: boolean } = {},
): { ok: true; canonicalRequest: string; stringToSign: string } | { ok: false; failure: SigV4Failure } {
  const prepared = prepare(req, info, options);
  if (!prepared.ok) return prepared;
  const canonicalRequest = canonicalRequestOf(req, info, prepared.prepared, options.excludeQueryToken ?? false);
  const scope = credentialScope(info.scopeDate, info.region, info.service);
  return { ok: true, canonicalRequest, stringToSign: createStringToSign(info.amzDate, scope, sha256Hex(canonicalRequest)) };
}

/** Returns undefined when the signature is valid. */
export function verifySignature(
  req: HttpRequestLike,
  info: SignatureInfo,
  secretAccessKey: string,
  cache?: SigningKeyCache,
  options: VerifyOptions = {},
): SigV4Failure | undefined {
  if (!isLowerHex64(info.signature)) return signatureMismatchFailure('signature is not 64 lower-case hex digits');
  const prepared = prepare(req, info, options);
  if (!prepared.ok) return prepared.failure;
  const p = prepared.prepared;
  const key = cache
    ? cache.hmac(secretAccessKey, info.scopeDate, info.region, info.service)
    : signingHmac(secretAccessKey, info.scopeDate, info.region, info.service);
  const provided = Buffer.from(info.signature, 'latin1');
  const scope = credentialScope(info.scopeDate, info.region, info.service);

  const canonicalRequest = canonicalRequestOf(req, info, p, false);
  const stringToSign = createStringToSign(info.amzDate, scope, sha256Hex(canonicalRequest));
  // Both are 64 lower-case hex characters (checked above), so equal lengths for timingSafeEqual.
  if (timingSafeEqual(Buffer.from(key.hex(stringToSign), 'latin1'), provided)) return undefined;

  // Some signers append the session token to a presigned URL after signing (IAM guide; aws4 suite
  // post-sts-header-after). That mirrors an unsigned token header, which is accepted as well;
  // the token itself is still checked against the access key by the credential lookup.
  if (info.carrier === 'query' && p.params.some((x) => x.name === TOKEN_PARAM)) {
    const withoutToken = canonicalRequestOf(req, info, p, true);
    const sts = createStringToSign(info.amzDate, scope, sha256Hex(withoutToken));
    if (timingSafeEqual(Buffer.from(key.hex(sts), 'latin1'), provided)) return undefined;
  }
  return signatureMismatchFailure('signature mismatch', canonicalRequest, stringToSign);
}
