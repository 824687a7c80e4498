/** One canonicalization step per block (sigv4.md §3), including what the AWS suite does not cover. */
import { describe, expect, it } from 'vitest';
import { httpDateToAmzDate, parseAmzDate } from '../../src/auth/sigv4/amz-date.js';
import { canonicalHeaderValue, getCanonicalHeaders, isCanonicalHeaderList } from '../../src/auth/sigv4/canonical-headers.js';
import { getCanonicalQuery } from '../../src/auth/sigv4/canonical-query.js';
import { getCanonicalUri } from '../../src/auth/sigv4/canonical-uri.js';
import { parseRawQuery } from '../../src/auth/sigv4/raw-request.js';

describe('CanonicalURI (non-S3: normalized, then encoded again)', () => {
  it.each([
    ['', '/'],
    ['/', '/'],
    ['//', '/'],
    ['/foo%20bar', '/foo%2520bar'],
    ['/a%2Fb/', '/a%252Fb/'],
    ['/a/./b/../c//d/', '/a/c/d/'],
    ['/..', '/'],
    ['/a/..', '/'],
    ['/a/.', '/a'],
    ['/a/%2E%2E/b', '/a/%252E%252E/b'],
    ['/ሴ', '/%E1%88%B4'],
    ['/example/$delete', '/example/%24delete'],
    ['/a+b*c', '/a%2Bb%2Ac'],
    ['/-_.~AZaz09', '/-_.~AZaz09'],
  ])('%j → %j', (raw, canonical) => {
    expect(getCanonicalUri(raw)).toBe(canonical);
  });
});

describe('CanonicalQueryString', () => {
  const canonical = (q: string, excludeSignature = false): string => getCanonicalQuery(parseRawQuery(q), { excludeSignature, excludeToken: false });

  it.each([
    ['', ''],
    ['b=2&a=1', 'a=1&b=2'],
    ['a=2&a=10&a=1', 'a=1&a=10&a=2'],
    ['Param-3=y&Param=x', 'Param=x&Param-3=y'],
    ['B=1&a=1', 'B=1&a=1'],
    ['a+b=c+d', 'a%2Bb=c%2Bd'],
    ['a=%2f', 'a=%2F'],
    ['a=%41%7e', 'a=A~'],
    ['a=%zz', 'a=%25zz'],
    ['a=%', 'a=%25'],
    ['a=%4', 'a=%254'],
    ['flag', 'flag='],
    ['a=', 'a='],
    ['a=1&&b=2&', 'a=1&b=2'],
    ['a=b=c', 'a=b%3Dc'],
    ['x=%E1%88%B4', 'x=%E1%88%B4'],
    ['x=ሴ', 'x=%E1%88%B4'],
    ['x=😀', 'x=%F0%9F%98%80'],
    ['x=\ud800', 'x=%EF%BF%BD'],
    ['x=a b*c/d', 'x=a%20b%2Ac%2Fd'],
    ['RoleSessionName=s%20p%2Bace', 'RoleSessionName=s%20p%2Bace'],
  ])('%j → %j', (raw, expected) => {
    expect(canonical(raw)).toBe(expected);
  });

  it('drops X-Amz-Signature only for the presigned form', () => {
    expect(canonical('X-Amz-Signature=abc&a=1', true)).toBe('a=1');
    expect(canonical('X-Amz-Signature=abc&a=1', false)).toBe('X-Amz-Signature=abc&a=1');
    expect(canonical('%58-Amz-Signature=abc&a=1', true)).toBe('a=1');
  });

  it('can drop a token appended after signing', () => {
    expect(getCanonicalQuery(parseRawQuery('X-Amz-Security-Token=t&a=1'), { excludeSignature: true, excludeToken: true })).toBe('a=1');
  });
});

describe('CanonicalHeaders', () => {
  it.each([
    ['value', 'value'],
    ['  a   b\t c  ', 'a b c'],
    ['"a   b   c"', '"a b c"'],
    ['value1   value2      value3', 'value1 value2 value3'],
    ['', ''],
    ['   ', ''],
  ])('value %j → %j', (raw, expected) => {
    expect(canonicalHeaderValue(raw)).toBe(expected);
  });

  it('joins repeated headers with "," in arrival order, matching names case-insensitively', () => {
    const raw = ['Host', 'h', 'My-Header1', 'value2', 'my-header1', ' value2 ', 'MY-HEADER1', 'value1', 'Other', 'x'];
    expect(getCanonicalHeaders(raw, ['host', 'my-header1'])).toEqual({ ok: true, lines: 'host:h\nmy-header1:value2,value2,value1\n' });
    expect(getCanonicalHeaders(raw, ['host', 'missing'])).toMatchObject({ ok: false });
  });

  it('accepts only lower-case, strictly ascending SignedHeaders', () => {
    expect(isCanonicalHeaderList(['content-type', 'host', 'x-amz-date'])).toBe(true);
    expect(isCanonicalHeaderList([])).toBe(false);
    expect(isCanonicalHeaderList(['host', 'content-type'])).toBe(false);
    expect(getCanonicalHeaders(['Host', 'h'], ['Host'])).toMatchObject({ ok: false });
    expect(isCanonicalHeaderList(['host', 'host'])).toBe(false);
    // A name no header can have is not rejected here but fails as a missing header.
    expect(getCanonicalHeaders(['Host', 'h'], ['ho st'])).toMatchObject({ ok: false });
  });
});

describe('timestamps', () => {
  it('parses yyyymmddTHHMMSSZ strictly', () => {
    expect(parseAmzDate('20150830T123600Z')).toBe(Date.UTC(2015, 7, 30, 12, 36, 0));
    expect(parseAmzDate('20240229T000000Z')).toBe(Date.UTC(2024, 1, 29));
    for (const bad of ['20230229T000000Z', '20150830T123660Z', '20150830T123600', '2015-08-30T12:36:00Z', '20150830t123600z', '2015083OT123600Z']) {
      expect(parseAmzDate(bad), bad).toBeNaN();
    }
  });

  it('reads the Date header', () => {
    expect(httpDateToAmzDate('Sun, 30 Aug 2015 12:36:00 GMT')).toBe('20150830T123600Z');
    expect(httpDateToAmzDate('20150830T123600Z')).toBe('20150830T123600Z');
    expect(httpDateToAmzDate('Sun, 30 Foo 2015 12:36:00 GMT')).toBeUndefined();
    expect(httpDateToAmzDate('Sunday, 30-Aug-15 12:36:00 GMT')).toBeUndefined();
  });
});
