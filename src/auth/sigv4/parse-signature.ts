/**
 * Steps 1–4 of sigv4.md §2: find the carrier, read what the request claims, and check everything
 * that needs no secret (algorithm, credential scope shape, dates, time window).
 */
import { formatAmzDate, httpDateToAmzDate, parseAmzDate } from './amz-date.js';
import {
  ALGORITHM,
  ALGORITHM_PARAM,
  AMZ_DATE_HEADER,
  AUTHORIZATION_HEADER,
  CONTENT_SHA256_HEADER,
  CREDENTIAL_PARAM,
  DATE_HEADER,
  DATE_PARAM,
  DEFAULT_CLOCK_SKEW_SECONDS,
  EXPIRES_PARAM,
  HOST_HEADER,
  MAX_PRESIGNED_EXPIRES_SECONDS,
  SIGNATURE_PARAM,
  SIGNED_HEADERS_PARAM,
  TERMINATOR,
  TOKEN_HEADER,
  TOKEN_PARAM,
} from './constants.js';
import {
  BOTH_CARRIERS_MESSAGE,
  HOST_NOT_SIGNED_MESSAGE,
  REQUEST_EXPIRED_MESSAGE,
  invalidDateMessage,
  invalidRegionMessage,
  invalidTerminatorMessage,
  malformedCredentialMessage,
  missingAuthenticationTokenFailure,
  scopeDateMismatchMessage,
  sigv4Failure,
  signatureExpiredMessage,
  signatureNotYetCurrentMessage,
  unsupportedAlgorithmMessage,
} from './errors.js';
import { parseRawQuery, splitOn, splitRawUrl, type RawQueryParam } from './raw-request.js';
import type { HttpRequestLike, ParseOptions, ParseResult, SigV4Failure } from './types.js';
import { percentDecode } from './uri-encode.js';

/** What a carrier claims, before the checks shared by both carriers. */
interface Claims {
  readonly carrier: 'header' | 'query';
  readonly algorithm: string;
  readonly credential: string;
  readonly signedHeaders: string;
  readonly signature: string;
  readonly amzDate: string;
  readonly securityToken: string | undefined;
  readonly expiresSeconds: number | undefined;
}

type ClaimsResult = { ok: true; claims: Claims } | { ok: false; failure: SigV4Failure };

/** Any of these in the query makes it a presigned request. */
const QUERY_AUTH_PARAMS: readonly string[] = [ALGORITHM_PARAM, CREDENTIAL_PARAM, SIGNATURE_PARAM, SIGNED_HEADERS_PARAM];
const PRESIGN_PARAMS: readonly string[] = [...QUERY_AUTH_PARAMS, DATE_PARAM, EXPIRES_PARAM, TOKEN_PARAM];
const REQUIRED_PRESIGN_PARAMS: readonly string[] = [ALGORITHM_PARAM, CREDENTIAL_PARAM, SIGNATURE_PARAM, SIGNED_HEADERS_PARAM, DATE_PARAM];

/** The headers SigV4 reads, found in one pass. */
interface AuthHeaders {
  authorization: string | undefined;
  amzDate: string | undefined;
  date: string | undefined;
  token: string | undefined;
  /** A header that must appear at most once but repeats (the claim would be ambiguous). */
  duplicate: string | undefined;
}

function scanAuthHeaders(rawHeaders: readonly string[]): AuthHeaders {
  const found: AuthHeaders = { authorization: undefined, amzDate: undefined, date: undefined, token: undefined, duplicate: undefined };
  let contentSha256 = false;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const len = name.length;
    // Only names of these lengths can matter; skip the rest without lower-casing them.
    if (len !== 4 && len !== 10 && len !== 13 && len !== 20) continue;
    const value = rawHeaders[i + 1] as string;
    switch (name.toLowerCase()) {
      case AUTHORIZATION_HEADER:
        if (found.authorization !== undefined) found.duplicate ??= AUTHORIZATION_HEADER;
        else found.authorization = value;
        break;
      case AMZ_DATE_HEADER:
        if (found.amzDate !== undefined) found.duplicate ??= AMZ_DATE_HEADER;
        else found.amzDate = value;
        break;
      case TOKEN_HEADER:
        if (found.token !== undefined) found.duplicate ??= TOKEN_HEADER;
        else found.token = value;
        break;
      case CONTENT_SHA256_HEADER:
        if (contentSha256) found.duplicate ??= CONTENT_SHA256_HEADER;
        contentSha256 = true;
        break;
      case DATE_HEADER:
        found.date ??= value;
        break;
      default:
        break;
    }
  }
  return found;
}

function incomplete(message: string, detail?: string): { ok: false; failure: SigV4Failure } {
  return { ok: false, failure: sigv4Failure('IncompleteSignature', message, detail) };
}

function mismatch(message: string, detail?: string): { ok: false; failure: SigV4Failure } {
  return { ok: false, failure: sigv4Failure('SignatureDoesNotMatch', message, detail) };
}

export function parseSignature(req: HttpRequestLike, now: Date, options: ParseOptions = {}): ParseResult {
  const headers = scanAuthHeaders(req.rawHeaders);
  const { query } = splitRawUrl(req.rawUrl);
  const params = query.length === 0 ? [] : parseRawQuery(query);
  let queryCarrier = false;
  for (const p of params) {
    if (QUERY_AUTH_PARAMS.includes(p.name)) {
      queryCarrier = true;
      break;
    }
  }
  const headerCarrier = headers.authorization !== undefined;
  if (!headerCarrier && !queryCarrier) return { ok: false, failure: missingAuthenticationTokenFailure() };
  if (headerCarrier && queryCarrier) return incomplete(BOTH_CARRIERS_MESSAGE, 'Authorization header and presigned query parameters both present');
  if (headers.duplicate !== undefined) return incomplete(`Duplicate '${headers.duplicate}' header.`, 'UNVERIFIED wording');
  const claimed = headerCarrier ? headerClaims(headers, params) : queryClaims(headers, params);
  if (!claimed.ok) return claimed;
  return checkClaims(claimed.claims, now, options);
}

function headerClaims(headers: AuthHeaders, params: readonly RawQueryParam[]): ClaimsResult {
  const value = (headers.authorization as string).trim();
  const space = value.indexOf(' ');
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== ALGORITHM) return incomplete(unsupportedAlgorithmMessage(algorithm));

  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  const components = space < 0 ? '' : value.slice(space + 1);
  for (const part of splitOn(components, ',')) {
    const item = part.trim();
    if (item.length === 0) continue;
    const eq = item.indexOf('=');
    if (eq < 0) return incomplete(`'${item}' not a valid key=value pair (missing equal-sign) in Authorization header: '${value}'.`);
    const key = item.slice(0, eq).trim();
    const v = item.slice(eq + 1).trim();
    if (key === 'Credential' || key === 'SignedHeaders' || key === 'Signature') {
      const seen = key === 'Credential' ? credential : key === 'SignedHeaders' ? signedHeaders : signature;
      if (seen !== undefined) return incomplete(`Authorization header has more than one '${key}' parameter. Authorization=${value}`, 'UNVERIFIED wording');
      if (key === 'Credential') credential = v;
      else if (key === 'SignedHeaders') signedHeaders = v;
      else signature = v;
    }
  }

  let amzDate: string | undefined;
  if (headers.amzDate !== undefined) {
    amzDate = headers.amzDate.trim();
  } else if (headers.date !== undefined) {
    amzDate = httpDateToAmzDate(headers.date);
    if (amzDate === undefined) return incomplete(invalidDateMessage(headers.date));
  }

  const missing: string[] = [];
  if (!credential) missing.push("Authorization header requires 'Credential' parameter.");
  if (!signature) missing.push("Authorization header requires 'Signature' parameter.");
  if (!signedHeaders) missing.push("Authorization header requires 'SignedHeaders' parameter.");
  if (amzDate === undefined) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (missing.length > 0 || !credential || !signature || !signedHeaders || amzDate === undefined) {
    return incomplete(`${missing.join(' ')} Authorization=${value}`);
  }

  let securityToken = headers.token?.trim();
  if (securityToken === undefined) {
    // Not what SDKs send, but the token is then part of the canonical query, so still signed.
    const fromQuery = params.find((p) => p.name === TOKEN_PARAM);
    if (fromQuery) {
      securityToken = percentDecode(fromQuery.rawValue);
      if (securityToken === undefined) return incomplete(`Invalid percent-encoding in '${TOKEN_PARAM}'.`);
    }
  }
  return { ok: true, claims: { carrier: 'header', algorithm, credential, signedHeaders, signature, amzDate, securityToken, expiresSeconds: undefined } };
}

function queryClaims(headers: AuthHeaders, params: readonly RawQueryParam[]): ClaimsResult {
  const found = new Map<string, string>();
  for (const p of params) {
    if (!PRESIGN_PARAMS.includes(p.name)) continue;
    if (found.has(p.name)) return incomplete(`AWS query-string parameters must not repeat '${p.name}'.`, 'UNVERIFIED wording');
    const decoded = percentDecode(p.rawValue);
    if (decoded === undefined) return incomplete(`Invalid percent-encoding in '${p.name}'.`, 'UNVERIFIED wording');
    found.set(p.name, decoded);
  }
  const missing: string[] = [];
  for (const name of REQUIRED_PRESIGN_PARAMS) {
    if (!found.get(name)) missing.push(`AWS query-string parameters must include '${name}'.`);
  }
  if (missing.length > 0) return incomplete(`${missing.join(' ')} Re-examine the query-string parameters.`);

  const algorithm = found.get(ALGORITHM_PARAM) as string;
  if (algorithm !== ALGORITHM) return incomplete(unsupportedAlgorithmMessage(algorithm));

  let expiresSeconds: number | undefined;
  const expires = found.get(EXPIRES_PARAM);
  if (expires !== undefined) {
    // S3's texts for the same limits (AuthorizationQueryParametersError); UNVERIFIED for STS.
    if (!isSmallDecimal(expires)) return incomplete('X-Amz-Expires should be a number');
    expiresSeconds = Number(expires);
    if (expiresSeconds > MAX_PRESIGNED_EXPIRES_SECONDS) {
      return incomplete(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_EXPIRES_SECONDS}`);
    }
  }
  const securityToken = found.get(TOKEN_PARAM) ?? headers.token?.trim();
  return {
    ok: true,
    claims: {
      carrier: 'query',
      algorithm,
      credential: found.get(CREDENTIAL_PARAM) as string,
      signedHeaders: found.get(SIGNED_HEADERS_PARAM) as string,
      signature: found.get(SIGNATURE_PARAM) as string,
      amzDate: found.get(DATE_PARAM) as string,
      securityToken,
      expiresSeconds,
    },
  };
}

function isSmallDecimal(s: string): boolean {
  if (s.length === 0 || s.length > 9) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function isValidRegion(region: string): boolean {
  if (region.length === 0 || region.length > 64) return false;
  for (let i = 0; i < region.length; i++) {
    const c = region.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d;
    if (!ok) return false;
  }
  return true;
}

function checkClaims(c: Claims, now: Date, options: ParseOptions): ParseResult {
  const parts = splitOn(c.credential, '/');
  if (parts.length !== 5) return incomplete(malformedCredentialMessage(c.credential));
  const [accessKeyId, scopeDate, region, service, terminator] = parts as [string, string, string, string, string];
  if (accessKeyId.length === 0 || scopeDate.length === 0 || service.length === 0) return incomplete(malformedCredentialMessage(c.credential));

  const t = parseAmzDate(c.amzDate);
  if (Number.isNaN(t)) return incomplete(invalidDateMessage(c.amzDate));
  // STS answers scope problems with SignatureDoesNotMatch (observed for the region check).
  if (terminator !== TERMINATOR) return mismatch(invalidTerminatorMessage(terminator));
  if (!isValidRegion(region)) return mismatch(invalidRegionMessage(region));
  if (scopeDate !== c.amzDate.slice(0, 8)) return mismatch(scopeDateMismatchMessage(scopeDate, c.amzDate));

  const signedHeaders = splitOn(c.signedHeaders, ';');
  if (!signedHeaders.includes(HOST_HEADER)) return incomplete(HOST_NOT_SIGNED_MESSAGE);

  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const maxAge = c.carrier === 'query' ? (options.presignedMaxAgeSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) : skew;
  const nowMs = Math.floor(now.getTime() / 1000) * 1000;
  if (t > nowMs + skew * 1000) {
    return mismatch(signatureNotYetCurrentMessage(c.amzDate, formatAmzDate(nowMs + skew * 1000), formatAmzDate(nowMs), skew / 60));
  }
  if (t < nowMs - maxAge * 1000) {
    return mismatch(signatureExpiredMessage(c.amzDate, formatAmzDate(nowMs - maxAge * 1000), formatAmzDate(nowMs), maxAge / 60));
  }
  if (c.expiresSeconds !== undefined && nowMs > t + c.expiresSeconds * 1000) {
    return { ok: false, failure: sigv4Failure('RequestExpired', REQUEST_EXPIRED_MESSAGE, `presigned at ${c.amzDate} for ${c.expiresSeconds} s`) };
  }

  return {
    ok: true,
    info: {
      carrier: c.carrier,
      accessKeyId,
      scopeDate,
      region,
      service,
      amzDate: c.amzDate,
      signedHeaders,
      signature: c.signature,
      // Always present (possibly undefined) so every SignatureInfo has one shape.
      securityToken: c.securityToken,
      expiresSeconds: c.expiresSeconds,
    },
  };
}
