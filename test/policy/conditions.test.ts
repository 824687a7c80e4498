import { describe, expect, it } from 'vitest';
import { evaluate, parsePolicy } from '../../src/policy/index.js';

type Ctx = Record<string, string | string[]>;

/** Whether `Allow * on *` with this Condition block allows a request with this context. */
function holds(condition: Record<string, unknown>, context: Ctx, version = '2012-10-17'): boolean {
  const r = parsePolicy(JSON.stringify({ Version: version, Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: condition } }), 'identity');
  if (!r.ok) throw new Error(`${r.error.message} at ${r.error.path}`);
  return evaluate({ principal: 'arn:aws:iam::111122223333:user/u', action: 's3:GetObject', resource: '*', context }, { identity: [r.policy] }).outcome === 'Allow';
}
const one = (op: string, key: string, values: unknown) => ({ [op]: { [key]: values } });

describe('§3.3 truth table: key absent / single value / multivalued', () => {
  const cases: [string, Ctx, boolean][] = [
    ['StringEquals', {}, false],
    ['StringEquals', { k: 'a' }, true],
    ['StringEquals', { k: ['a'] }, false], // plain operator on a multivalued value (§9 U15)
    ['StringNotEquals', {}, true],
    ['StringNotEquals', { k: 'b' }, true],
    ['StringNotEquals', { k: 'a' }, false],
    ['StringNotEquals', { k: ['b'] }, false],
    ['StringEqualsIfExists', {}, true],
    ['StringEqualsIfExists', { k: 'b' }, false],
    ['StringNotEqualsIfExists', {}, true],
    ['ForAllValues:StringEquals', {}, true],
    ['ForAllValues:StringEquals', { k: [] }, true],
    ['ForAllValues:StringEquals', { k: [''] }, true], // null data set (§3.3)
    ['ForAllValues:StringEquals', { k: ['a', 'c'] }, true],
    ['ForAllValues:StringEquals', { k: ['a', 'x'] }, false],
    ['ForAllValues:StringEquals', { k: 'a' }, true], // single value = one-element set [impl]
    ['ForAnyValue:StringEquals', {}, false],
    ['ForAnyValue:StringEquals', { k: [] }, false],
    ['ForAnyValue:StringEquals', { k: [''] }, false],
    ['ForAnyValue:StringEquals', { k: ['x', 'c'] }, true],
    ['ForAnyValue:StringEquals', { k: ['x', 'y'] }, false],
    ['ForAnyValue:StringEqualsIfExists', {}, true], // §9 U16
    ['ForAllValues:StringNotEquals', { k: ['x', 'y'] }, true],
    ['ForAllValues:StringNotEquals', { k: ['x', 'a'] }, false],
    ['ForAllValues:StringNotEquals', {}, true],
    ['ForAnyValue:StringNotEquals', { k: ['a', 'x'] }, true],
    ['ForAnyValue:StringNotEquals', { k: ['a', 'c'] }, false],
  ];
  it.each(cases)('%s %j → %s', (op, ctx, expected) => expect(holds(one(op, 'k', ['a', 'c']), ctx)).toBe(expected));

  it('Null', () => {
    expect(holds(one('Null', 'k', 'true'), {})).toBe(true);
    expect(holds(one('Null', 'k', 'true'), { k: 'v' })).toBe(false);
    expect(holds(one('Null', 'k', 'false'), { k: ['v'] })).toBe(true);
    expect(holds(one('Null', 'k', 'false'), {})).toBe(false);
    expect(holds(one('Null', 'k', true), {})).toBe(true);
    expect(holds(one('Null', 'k', 'maybe'), {})).toBe(false);
  });

  it('keys, operators and values: AND across operators and keys, OR across values', () => {
    const c = { StringEquals: { a: ['1', '2'], b: '3' }, StringLike: { c: 'x*' } };
    expect(holds(c, { a: '2', b: '3', c: 'xyz' })).toBe(true);
    expect(holds(c, { a: '2', b: '3', c: 'yz' })).toBe(false);
    expect(holds(c, { a: '4', b: '3', c: 'xyz' })).toBe(false);
  });

  it('an empty value list: positive false, negated true (§9 U13); {} blocks are true', () => {
    expect(holds(one('StringEquals', 'k', []), { k: 'a' })).toBe(false);
    expect(holds(one('StringNotEquals', 'k', []), { k: 'a' })).toBe(true);
    expect(holds({}, {})).toBe(true);
    expect(holds({ DateGreaterThan: {} }, {})).toBe(true);
  });

  it('context keys are case-insensitive (also the tag-key part); the first of two spellings wins (§9 U14)', () => {
    expect(holds(one('StringEquals', 'aws:PrincipalTag/Team', 'blue'), { 'AWS:PRINCIPALTAG/team': 'blue' })).toBe(true);
    expect(holds(one('StringEquals', 'k', 'a'), { K: 'a', k: 'b' })).toBe(true);
    expect(holds(one('StringEquals', 'k', 'a'), { k: 'b', K: 'a' })).toBe(false);
  });
});

describe('operator families (§3.2, §3.4, §3.5)', () => {
  it('String, IgnoreCase, Like', () => {
    expect(holds(one('StringEquals', 'k', 'Abc'), { k: 'abc' })).toBe(false);
    expect(holds(one('StringEqualsIgnoreCase', 'k', 'Abc'), { k: 'aBC' })).toBe(true);
    expect(holds(one('StringNotEqualsIgnoreCase', 'k', 'Abc'), { k: 'aBC' })).toBe(false);
    expect(holds(one('StringEquals', 'k', 'a*'), { k: 'abc' })).toBe(false);
    expect(holds(one('StringEquals', 'k', 'a*'), { k: 'a*' })).toBe(true);
    expect(holds(one('StringLike', 'k', 'a?c*'), { k: 'abcde' })).toBe(true);
    expect(holds(one('StringLike', 'k', 'A*'), { k: 'abc' })).toBe(false);
    expect(holds(one('StringNotLike', 'k', ['x*', 'y*']), { k: 'zz' })).toBe(true);
  });

  it('Numeric: exact decimals, -?\\d+(\\.\\d+)? only, type mismatch false for negated too (§9 U18, U20)', () => {
    expect(holds(one('NumericEquals', 'k', '10'), { k: '10.000' })).toBe(true);
    expect(holds(one('NumericLessThan', 'k', '9007199254740993'), { k: '9007199254740992' })).toBe(true);
    expect(holds(one('NumericGreaterThan', 'k', '-1.5'), { k: '-1.25' })).toBe(true);
    expect(holds(one('NumericLessThanEquals', 'k', 3600), { k: '3600' })).toBe(true);
    expect(holds(one('NumericEquals', 'k', '1e3'), { k: '1000' })).toBe(false);
    expect(holds(one('NumericNotEquals', 'k', '10'), { k: 'abc' })).toBe(false);
    expect(holds(one('NumericNotEquals', 'k', 'abc'), { k: '5' })).toBe(false);
    expect(holds(one('NumericEquals', 'k', '+5'), { k: '5' })).toBe(false);
    expect(holds(one('NumericGreaterThanEquals', 'k', '0'), { k: '-0' })).toBe(true);
  });

  it('Date: ISO 8601 and epoch seconds, compared as instants', () => {
    expect(holds(one('DateLessThan', 'k', '2020-06-30T23:59:59Z'), { k: '2020-06-30T23:59:58Z' })).toBe(true);
    expect(holds(one('DateEquals', 'k', '2020-01-01T00:00:00Z'), { k: '1577836800' })).toBe(true);
    expect(holds(one('DateEquals', 'k', '2020-01-01T01:00:00+01:00'), { k: '2020-01-01T00:00:00Z' })).toBe(true);
    expect(holds(one('DateEquals', 'k', '2020-01-01'), { k: '2020-01-01T00:00:00Z' })).toBe(true);
    expect(holds(one('DateGreaterThanEquals', 'k', '2024-01-01T00:00:00.000Z'), { k: '2024-01-01T00:00:00Z' })).toBe(true);
    expect(holds(one('DateNotEquals', 'k', '2020-01-01T00:00:00Z'), { k: 'yesterday' })).toBe(false);
    expect(holds(one('DateLessThan', 'k', '2020-02-30T00:00:00Z'), { k: '2020-01-01T00:00:00Z' })).toBe(false);
  });

  it('Bool: true/false, case-insensitive, variables substituted (§9 U9, U21)', () => {
    expect(holds(one('Bool', 'k', 'true'), { k: 'TRUE' })).toBe(true);
    expect(holds(one('Bool', 'k', 'true'), { k: 'yes' })).toBe(false);
    expect(holds(one('Bool', 'k', '${v}'), { k: 'false', v: 'false' })).toBe(true);
  });

  it('BinaryEquals compares decoded bytes', () => {
    expect(holds(one('BinaryEquals', 'k', 'QmluYXJ5'), { k: 'QmluYXJ5' })).toBe(true);
    expect(holds(one('BinaryEquals', 'k', 'QmluYXJ5'), { k: 'QmluYXJ6' })).toBe(false);
    expect(holds(one('BinaryEquals', 'k', 'QmluYXJ5'), { k: 'not base64!' })).toBe(false);
  });

  it('IpAddress: CIDR, bare addresses, IPv6 in any form; families never mix', () => {
    expect(holds(one('IpAddress', 'k', '203.0.113.0/24'), { k: '203.0.113.255' })).toBe(true);
    expect(holds(one('IpAddress', 'k', '203.0.113.0'), { k: '203.0.113.1' })).toBe(false);
    expect(holds(one('IpAddress', 'k', '2001:DB8::/32'), { k: '2001:0db8:ffff::1' })).toBe(true);
    expect(holds(one('IpAddress', 'k', '::ffff:0:0/96'), { k: '::ffff:10.0.0.1' })).toBe(true);
    expect(holds(one('IpAddress', 'k', '::1'), { k: '0:0:0:0:0:0:0:1' })).toBe(true);
    expect(holds(one('IpAddress', 'k', '0.0.0.0/0'), { k: '::1' })).toBe(false);
    expect(holds(one('NotIpAddress', 'k', '0.0.0.0/0'), { k: '::1' })).toBe(true);
    expect(holds(one('NotIpAddress', 'k', '10.0.0.0/8'), { k: 'not-an-ip' })).toBe(false);
    expect(holds(one('IpAddress', 'k', '10.0.0.0/33'), { k: '10.0.0.1' })).toBe(false);
  });

  it('Arn: six fields, * does not cross colons in fields 1–5; fewer than six never match (§9 U19)', () => {
    expect(holds(one('ArnLike', 'k', 'arn:aws:sns:*:111122223333:*'), { k: 'arn:aws:sns:us-east-1:111122223333:t:x' })).toBe(true);
    expect(holds(one('ArnLike', 'k', 'arn:aws:s*:*:111122223333:*'), { k: 'arn:aws:sns:us-east-1:999:x:111122223333:t' })).toBe(false);
    expect(holds(one('ArnEquals', 'k', 'arn:aws:iam::111122223333:role/*'), { k: 'arn:aws:iam::111122223333:role/a/b' })).toBe(true);
    expect(holds(one('ArnLike', 'k', 'arn:aws:*'), { k: 'arn:aws:iam::111122223333:role/a' })).toBe(false);
    expect(holds(one('ArnNotLike', 'k', 'arn:aws:iam::*:role/x'), { k: 'not-an-arn' })).toBe(false);
    expect(holds(one('ArnLike', 'k', 'arn:aws:iam::${aws:PrincipalAccount}:role/*'), { k: 'arn:aws:iam::111122223333:role/r', 'aws:PrincipalAccount': '111122223333' })).toBe(
      true,
    );
  });
});

describe('policy variables in conditions (§4)', () => {
  it('substitutes in String and Arn values; specials are literal; substituted text is literal (§9 U10)', () => {
    expect(holds(one('StringLike', 's3:prefix', 'home/${aws:username}/*'), { 's3:prefix': 'home/David/x', 'aws:username': 'David' })).toBe(true);
    expect(holds(one('StringLike', 'k', 'report${*}'), { k: 'report*' })).toBe(true);
    expect(holds(one('StringLike', 'k', 'report${*}'), { k: 'reports' })).toBe(false);
    expect(holds(one('StringLike', 'k', '${v}'), { k: 'abc', v: 'a*' })).toBe(false);
    expect(holds(one('StringEquals', 'k', '${$}{x}'), { k: '${x}' })).toBe(true);
    expect(holds(one('StringEquals', 'k', "${aws:PrincipalTag/team, 'none'}"), { k: 'none' })).toBe(true);
    expect(holds(one('StringEquals', 'k', '${AWS:USERNAME}'), { k: 'bob', 'aws:username': 'bob' })).toBe(true);
  });

  it('a variable without a value never equals (positive false, negated true); multivalued keys are not variables', () => {
    expect(holds(one('StringEquals', 'k', '${missing}'), { k: '' })).toBe(false);
    expect(holds(one('StringNotEquals', 'k', '${missing}'), { k: 'x' })).toBe(true);
    expect(holds(one('StringEquals', 'k', '${multi}'), { k: 'a', multi: ['a'] })).toBe(false);
  });

  it('are literal text in Version 2008-10-17 and in Numeric/Date/Ip values', () => {
    expect(holds(one('StringEquals', 'k', '${v}'), { k: '${v}', v: 'x' }, '2008-10-17')).toBe(true);
    expect(holds(one('NumericEquals', 'k', '${v}'), { k: '5', v: '5' })).toBe(false);
  });
});
