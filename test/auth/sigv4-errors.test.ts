/** Every failure path maps to AWS's code, status and text. */
import { describe, expect, it } from 'vitest';
import {
  EXPIRED_TOKEN_MESSAGE,
  INVALID_CLIENT_TOKEN_MESSAGE,
  MISSING_AUTHENTICATION_TOKEN_MESSAGE,
  SIGNATURE_DOES_NOT_MATCH_MESSAGE,
  SIGV4_ERROR_STATUS,
  expiredTokenFailure,
  invalidClientTokenFailure,
  invalidRegionFailure,
  parseSignature,
  verifySignature,
  wrongServiceFailure,
  type HttpRequestLike,
  type ParseOptions,
  type SigV4Failure,
  type SignatureInfo,
} from '../../src/auth/sigv4/index.js';
import { TEST_SECRET, header, signedRequest, withHeader } from './sigv4-helpers.js';

const NOW = new Date('2026-01-01T12:00:00Z');
const CREDENTIAL = 'AKIAEXAMPLE/20260101/us-east-1/sts/aws4_request';
const SIG = 'a'.repeat(64);

function authRequest(authorization: string | undefined, extra: readonly string[] = ['X-Amz-Date', '20260101T120000Z']): HttpRequestLike {
  const rawHeaders = ['Host', 'localhost', ...extra];
  if (authorization !== undefined) rawHeaders.push('Authorization', authorization);
  return { method: 'POST', rawUrl: '/', rawHeaders, body: new Uint8Array() };
}

function presigned(params: Record<string, string>, method = 'GET'): HttpRequestLike {
  const query = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return { method, rawUrl: `/?Action=GetCallerIdentity&Version=2011-06-15&${query}`, rawHeaders: ['Host', 'localhost'], body: new Uint8Array() };
}

const PRESIGN = {
  'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
  'X-Amz-Credential': CREDENTIAL,
  'X-Amz-Date': '20260101T120000Z',
  'X-Amz-Expires': '900',
  'X-Amz-SignedHeaders': 'host',
  'X-Amz-Signature': SIG,
};

function failureOf(req: HttpRequestLike, now = NOW, options?: ParseOptions): SigV4Failure {
  const parsed = parseSignature(req, now, options);
  if (parsed.ok) throw new Error(`expected a failure, got ${JSON.stringify(parsed.info)}`);
  return parsed.failure;
}

function infoOf(req: HttpRequestLike, now = NOW, options?: ParseOptions): SignatureInfo {
  const parsed = parseSignature(req, now, options);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.failure));
  return parsed.info;
}

const at = (iso: string): Date => new Date(iso);

describe('carrier', () => {
  it('neither Authorization nor presigned parameters → MissingAuthenticationToken 403', () => {
    expect(failureOf(authRequest(undefined))).toEqual({ code: 'MissingAuthenticationToken', status: 403, message: MISSING_AUTHENTICATION_TOKEN_MESSAGE });
    // A bare token or date in the query is not a carrier.
    expect(failureOf({ ...authRequest(undefined), rawUrl: '/?X-Amz-Date=20260101T120000Z&X-Amz-Security-Token=t' }).code).toBe('MissingAuthenticationToken');
  });

  it('both carriers → IncompleteSignature 400', () => {
    const req = { ...authRequest(`AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=${SIG}`), rawUrl: presigned(PRESIGN).rawUrl };
    expect(failureOf(req)).toMatchObject({ code: 'IncompleteSignature', status: 400 });
    // One presigning parameter is enough to count as a second carrier.
    const one = { ...authRequest(`AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=${SIG}`), rawUrl: `/?X-Amz-Signature=${SIG}` };
    expect(failureOf(one).code).toBe('IncompleteSignature');
  });

  it('duplicate Authorization / X-Amz-Date / token headers → IncompleteSignature', () => {
    const auth = `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=${SIG}`;
    expect(failureOf(authRequest(auth, ['Authorization', auth, 'X-Amz-Date', '20260101T120000Z'])).code).toBe('IncompleteSignature');
    expect(failureOf(authRequest(auth, ['X-Amz-Date', '20260101T120000Z', 'x-amz-date', '20260101T120000Z'])).code).toBe('IncompleteSignature');
    expect(failureOf(authRequest(auth, ['X-Amz-Date', '20260101T120000Z', 'X-Amz-Security-Token', 'a', 'X-Amz-Security-Token', 'b'])).code).toBe(
      'IncompleteSignature',
    );
  });
});

describe('Authorization header components', () => {
  it.each([
    ['Credential', `AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=${SIG}`],
    ['Signature', `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host;x-amz-date`],
    ['SignedHeaders', `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, Signature=${SIG}`],
  ])('missing %s → IncompleteSignature 400 naming it', (name, auth) => {
    const f = failureOf(authRequest(auth));
    expect(f).toMatchObject({ code: 'IncompleteSignature', status: 400 });
    expect(f.message).toBe(`Authorization header requires '${name}' parameter. Authorization=${auth}`);
  });

  it('everything missing → all four requirements in AWS order', () => {
    expect(failureOf(authRequest('AWS4-HMAC-SHA256', [])).message).toBe(
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
        'Authorization=AWS4-HMAC-SHA256',
    );
  });

  it('empty component values count as missing', () => {
    expect(failureOf(authRequest(`AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host, Signature=`)).code).toBe('IncompleteSignature');
  });

  it('no X-Amz-Date and no Date → IncompleteSignature', () => {
    const f = failureOf(authRequest(`AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host, Signature=${SIG}`, []));
    expect(f.code).toBe('IncompleteSignature');
    expect(f.message).toContain("requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  });

  it('a component without "=" → IncompleteSignature', () => {
    const auth = `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders, Signature=${SIG}`;
    expect(failureOf(authRequest(auth))).toMatchObject({
      code: 'IncompleteSignature',
      message: `'SignedHeaders' not a valid key=value pair (missing equal-sign) in Authorization header: '${auth}'.`,
    });
  });

  it('a repeated component → IncompleteSignature', () => {
    expect(failureOf(authRequest(`AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, Credential=${CREDENTIAL}, SignedHeaders=host, Signature=${SIG}`)).code).toBe(
      'IncompleteSignature',
    );
  });

  it('lenient layout: any component order, no space after commas', () => {
    const info = infoOf(authRequest(`AWS4-HMAC-SHA256 Signature=${SIG},SignedHeaders=host;x-amz-date,Credential=${CREDENTIAL}`));
    expect(info).toMatchObject({ accessKeyId: 'AKIAEXAMPLE', signedHeaders: ['host', 'x-amz-date'], signature: SIG });
  });

  it('the Date header (IMF-fixdate or ISO basic) is used when X-Amz-Date is absent', () => {
    const auth = `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=date;host, Signature=${SIG}`;
    expect(infoOf(authRequest(auth, ['Date', 'Thu, 01 Jan 2026 12:00:00 GMT'])).amzDate).toBe('20260101T120000Z');
    expect(infoOf(authRequest(auth, ['Date', '20260101T120000Z'])).amzDate).toBe('20260101T120000Z');
    expect(failureOf(authRequest(auth, ['Date', 'yesterday'])).code).toBe('IncompleteSignature');
    // X-Amz-Date wins over Date.
    expect(infoOf(authRequest(auth, ['Date', 'Wed, 31 Dec 2025 12:00:00 GMT', 'X-Amz-Date', '20260101T120000Z'])).amzDate).toBe('20260101T120000Z');
  });
});

describe('algorithm', () => {
  it.each([
    ['SigV4A', `AWS4-ECDSA-P256-SHA256 Credential=AKIAEXAMPLE/20260101/sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045022100ab`],
    ['another HMAC', `AWS4-HMAC-SHA512 Credential=${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=${SIG}`],
    ['SigV2 / S3 style', 'AWS AKIAEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg='],
    ['Bearer', 'Bearer abc'],
  ])('%s → IncompleteSignature 400', (_name, auth) => {
    const f = failureOf(authRequest(auth));
    expect(f).toMatchObject({ code: 'IncompleteSignature', status: 400 });
    expect(f.message).toBe(`Unsupported AWS 'algorithm': '${auth.slice(0, auth.indexOf(' '))}'`);
  });

  it('presigned SigV4A → IncompleteSignature', () => {
    expect(failureOf(presigned({ ...PRESIGN, 'X-Amz-Algorithm': 'AWS4-ECDSA-P256-SHA256' })).code).toBe('IncompleteSignature');
  });
});

describe('credential scope', () => {
  function withCredential(credential: string): HttpRequestLike {
    return authRequest(`AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host;x-amz-date, Signature=${SIG}`);
  }

  it('wrong number of elements → IncompleteSignature', () => {
    expect(failureOf(withCredential('AKIAEXAMPLE/20260101/us-east-1/aws4_request'))).toMatchObject({
      code: 'IncompleteSignature',
      message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIAEXAMPLE/20260101/us-east-1/aws4_request'",
    });
    expect(failureOf(withCredential('AKIAEXAMPLE//us-east-1/sts/aws4_request')).code).toBe('IncompleteSignature');
  });

  it('bad terminator → SignatureDoesNotMatch 403', () => {
    expect(failureOf(withCredential('AKIAEXAMPLE/20260101/us-east-1/sts/aws4_reqest'))).toEqual({
      code: 'SignatureDoesNotMatch',
      status: 403,
      message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reqest'. ",
    });
  });

  it('scope date ≠ X-Amz-Date day → SignatureDoesNotMatch 403', () => {
    expect(failureOf(withCredential('AKIAEXAMPLE/20251231/us-east-1/sts/aws4_request'))).toEqual({
      code: 'SignatureDoesNotMatch',
      status: 403,
      message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20251231' != '20260101', from '20260101T120000Z'.",
    });
  });

  it('any syntactically valid region is accepted; others → SignatureDoesNotMatch', () => {
    for (const region of ['us-east-1', 'eu-central-2', 'cn-north-1', 'us-gov-west-1', 'local', 'Custom-Region-9']) {
      expect(infoOf(withCredential(`AKIAEXAMPLE/20260101/${region}/sts/aws4_request`)).region).toBe(region);
    }
    expect(failureOf(withCredential('AKIAEXAMPLE/20260101/us_east_1/sts/aws4_request'))).toMatchObject({
      code: 'SignatureDoesNotMatch',
      message: "Credential should be scoped to a valid region, not 'us_east_1'. ",
    });
  });

  it('the service is reported, not judged (the caller picks the API from it)', () => {
    expect(infoOf(withCredential('AKIAEXAMPLE/20260101/us-east-1/organizations/aws4_request')).service).toBe('organizations');
  });

  it('malformed X-Amz-Date → IncompleteSignature', () => {
    const auth = `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=${SIG}`;
    for (const date of ['2026-01-01T12:00:00Z', '20260101T120000', '20260230T120000Z', '20260101T246000Z', '']) {
      expect(failureOf(authRequest(auth, ['X-Amz-Date', date])).code, date).toBe('IncompleteSignature');
    }
  });

  it('host not among the signed headers → IncompleteSignature', () => {
    expect(failureOf(authRequest(`AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=x-amz-date, Signature=${SIG}`))).toMatchObject({
      code: 'IncompleteSignature',
      message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    });
  });
});

describe('clock skew (15 minutes)', () => {
  const req = authRequest(`AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=${SIG}`);

  it('accepts exactly 15 minutes either way', () => {
    expect(parseSignature(req, at('2026-01-01T12:15:00Z')).ok).toBe(true);
    expect(parseSignature(req, at('2026-01-01T11:45:00Z')).ok).toBe(true);
  });

  it('past: "Signature expired" as SignatureDoesNotMatch 403 (observed STS text)', () => {
    expect(failureOf(req, at('2026-01-01T12:15:01Z'))).toEqual({
      code: 'SignatureDoesNotMatch',
      status: 403,
      message: 'Signature expired: 20260101T120000Z is now earlier than 20260101T120001Z (20260101T121501Z - 15 min.)',
    });
  });

  it('future: "Signature not yet current" as SignatureDoesNotMatch 403', () => {
    expect(failureOf(req, at('2026-01-01T11:44:59Z'))).toEqual({
      code: 'SignatureDoesNotMatch',
      status: 403,
      message: 'Signature not yet current: 20260101T120000Z is still later than 20260101T115959Z (20260101T114459Z + 15 min.)',
    });
  });

  it('the window is configurable', () => {
    expect(parseSignature(req, at('2026-01-01T12:04:00Z'), { clockSkewSeconds: 300 }).ok).toBe(true);
    expect(failureOf(req, at('2026-01-01T12:05:01Z'), { clockSkewSeconds: 300 }).message).toContain('(20260101T120501Z - 5 min.)');
  });
});

describe('presigned URLs', () => {
  it('parses the query carrier (token included)', () => {
    const info = infoOf(presigned({ ...PRESIGN, 'X-Amz-Security-Token': 'tok/+=' }));
    expect(info).toMatchObject({ carrier: 'query', accessKeyId: 'AKIAEXAMPLE', expiresSeconds: 900, signedHeaders: ['host'], securityToken: 'tok/+=' });
  });

  it('missing parameters → IncompleteSignature listing them', () => {
    const { 'X-Amz-Date': _d, 'X-Amz-Signature': _s, ...rest } = PRESIGN;
    expect(failureOf(presigned(rest))).toMatchObject({
      code: 'IncompleteSignature',
      status: 400,
      message:
        "AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
    });
  });

  it('repeated parameters → IncompleteSignature', () => {
    const req = presigned(PRESIGN);
    expect(failureOf({ ...req, rawUrl: `${req.rawUrl}&X-Amz-Signature=${SIG}` }).code).toBe('IncompleteSignature');
  });

  it('X-Amz-Expires must be a number of at most 604800', () => {
    expect(failureOf(presigned({ ...PRESIGN, 'X-Amz-Expires': 'soon' })).code).toBe('IncompleteSignature');
    expect(failureOf(presigned({ ...PRESIGN, 'X-Amz-Expires': '604801' })).code).toBe('IncompleteSignature');
    expect(infoOf(presigned({ ...PRESIGN, 'X-Amz-Expires': '604800' }), NOW, { presignedMaxAgeSeconds: 604800 }).expiresSeconds).toBe(604800);
  });

  it('past X-Amz-Expires → RequestExpired 400', () => {
    const req = presigned({ ...PRESIGN, 'X-Amz-Expires': '60' });
    expect(parseSignature(req, at('2026-01-01T12:01:00Z')).ok).toBe(true);
    expect(failureOf(req, at('2026-01-01T12:01:01Z'))).toMatchObject({ code: 'RequestExpired', status: 400, message: 'Request has expired' });
  });

  it('older than 15 minutes → "Signature expired" even when X-Amz-Expires is longer (STS cap); the cap is configurable', () => {
    const req = presigned({ ...PRESIGN, 'X-Amz-Expires': '3600' });
    expect(failureOf(req, at('2026-01-01T12:15:01Z'))).toMatchObject({ code: 'SignatureDoesNotMatch', message: expect.stringMatching(/^Signature expired: /) });
    expect(parseSignature(req, at('2026-01-01T13:00:00Z'), { presignedMaxAgeSeconds: 3600 }).ok).toBe(true);
    expect(failureOf(req, at('2026-01-01T13:00:01Z'), { presignedMaxAgeSeconds: 86400 }).code).toBe('RequestExpired');
  });

  it('dated in the future → "Signature not yet current"', () => {
    expect(failureOf(presigned(PRESIGN), at('2026-01-01T11:44:59Z')).message).toMatch(/^Signature not yet current: /);
  });

  it('without X-Amz-Expires only the 15-minute window applies', () => {
    const { 'X-Amz-Expires': _e, ...rest } = PRESIGN;
    const info = infoOf(presigned(rest));
    expect(info.expiresSeconds).toBeUndefined();
  });
});

describe('verification failures', () => {
  const req = signedRequest({ headers: [['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8']] });
  const info = infoOf(req);

  it('the test signer produces a valid request', () => {
    expect(verifySignature(req, info, TEST_SECRET)).toBeUndefined();
  });

  it('wrong secret → SignatureDoesNotMatch 403 with AWS text and debug detail', () => {
    const f = verifySignature(req, info, 'other-secret');
    expect(f).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403, message: SIGNATURE_DOES_NOT_MATCH_MESSAGE });
    expect(f?.canonicalRequest).toContain('content-type;host;x-amz-date');
    expect(f?.stringToSign).toMatch(/^AWS4-HMAC-SHA256\n20260101T120000Z\n20260101\/us-east-1\/sts\/aws4_request\n[0-9a-f]{64}$/);
    expect(JSON.stringify(f)).not.toContain('other-secret');
  });

  it('malformed signature (length, case, non-hex) → SignatureDoesNotMatch', () => {
    for (const signature of [info.signature.slice(1), info.signature.toUpperCase(), `${info.signature.slice(0, 63)}g`]) {
      expect(verifySignature(req, { ...info, signature }, TEST_SECRET)?.code).toBe('SignatureDoesNotMatch');
    }
  });

  it('a signed header missing from the request → SignatureDoesNotMatch', () => {
    const f = verifySignature(withHeader(req, 'content-type', undefined), info, TEST_SECRET);
    expect(f).toMatchObject({ code: 'SignatureDoesNotMatch', detail: "signed header 'content-type' is not in the request" });
  });

  it('SignedHeaders not lower-case, sorted and unique → SignatureDoesNotMatch', () => {
    for (const signedHeaders of [['host', 'content-type', 'x-amz-date'], ['content-type', 'Host', 'x-amz-date'], ['content-type', 'host', 'host', 'x-amz-date'], ['content-type', '', 'host']]) {
      expect(verifySignature(req, { ...info, signedHeaders }, TEST_SECRET)?.code, signedHeaders.join(';')).toBe('SignatureDoesNotMatch');
    }
  });

  it('an unsigned X-Amz-Security-Token header (added after signing) does not break the signature', () => {
    const after = withHeader(req, 'X-Amz-Security-Token', 'added-later');
    const afterInfo = infoOf(after);
    expect(afterInfo.securityToken).toBe('added-later');
    expect(verifySignature(after, afterInfo, TEST_SECRET)).toBeUndefined();
  });

  it('x-amz-content-sha256 not matching the body → SignatureDoesNotMatch', () => {
    // Checked whether or not the header is signed.
    const declared = withHeader(req, 'x-amz-content-sha256', '0'.repeat(64));
    const f = verifySignature(declared, infoOf(declared), TEST_SECRET);
    expect(f).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403, message: "The provided 'x-amz-content-sha256' header does not match what was computed." });
  });

  it('UNSIGNED-PAYLOAD: accepted for an empty body by default, refused with a body unless allowed', () => {
    const empty = signedRequest({ method: 'GET', rawUrl: '/?Action=GetCallerIdentity&Version=2011-06-15', body: '', headers: [['x-amz-content-sha256', 'UNSIGNED-PAYLOAD']] });
    expect(verifySignature(empty, infoOf(empty), TEST_SECRET)).toBeUndefined();
    expect(verifySignature(empty, infoOf(empty), TEST_SECRET, undefined, { unsignedPayload: 'never' })?.code).toBe('SignatureDoesNotMatch');

    const withBody = signedRequest({ headers: [['x-amz-content-sha256', 'UNSIGNED-PAYLOAD']] });
    expect(verifySignature(withBody, infoOf(withBody), TEST_SECRET)?.code).toBe('SignatureDoesNotMatch');
    expect(verifySignature(withBody, infoOf(withBody), TEST_SECRET, undefined, { unsignedPayload: 'always' })).toBeUndefined();
    // With UNSIGNED-PAYLOAD allowed, the body is not covered: changing it is not detected (by design).
    const changed = { ...withBody, body: new TextEncoder().encode('Action=DeleteUser') };
    expect(verifySignature(changed, infoOf(changed), TEST_SECRET, undefined, { unsignedPayload: 'always' })).toBeUndefined();
  });

  it('the header value is read case-insensitively and whitespace-folded', () => {
    const folded = withHeader(req, 'content-type', '  application/x-www-form-urlencoded;   charset=utf-8 ');
    expect(header(folded, 'Content-Type')).toContain('   ');
    expect(verifySignature(folded, infoOf(folded), TEST_SECRET)).toBeUndefined();
  });
});

describe('credential-lookup vocabulary (used between parse and verify)', () => {
  it('exports the exact AWS texts and statuses', () => {
    expect(INVALID_CLIENT_TOKEN_MESSAGE).toBe('The security token included in the request is invalid.');
    expect(EXPIRED_TOKEN_MESSAGE).toBe('The security token included in the request is expired');
    expect(invalidClientTokenFailure()).toEqual({ code: 'InvalidClientTokenId', status: 403, message: INVALID_CLIENT_TOKEN_MESSAGE });
    expect(expiredTokenFailure()).toEqual({ code: 'ExpiredToken', status: 403, message: EXPIRED_TOKEN_MESSAGE });
    expect(wrongServiceFailure('sts')).toEqual({ code: 'SignatureDoesNotMatch', status: 403, message: "Credential should be scoped to correct service: 'sts'. " });
    expect(invalidRegionFailure('mars-1')).toMatchObject({ code: 'SignatureDoesNotMatch', message: "Credential should be scoped to a valid region, not 'mars-1'. " });
    expect(SIGV4_ERROR_STATUS).toEqual({
      IncompleteSignature: 400,
      SignatureDoesNotMatch: 403,
      MissingAuthenticationToken: 403,
      InvalidClientTokenId: 403,
      ExpiredToken: 403,
      RequestExpired: 400,
      AccessDenied: 403,
    });
  });
});
