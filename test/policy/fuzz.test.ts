/**
 * Issue #2 point 9: any input yields a result or a precise MalformedPolicyDocument error — never an
 * exception, never a hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, explain, lintPolicy, parsePolicy, type AuthorizationRequest, type PolicyKind } from '../../src/policy/index.js';

const KINDS: PolicyKind[] = ['identity', 'boundary', 'session', 'resource', 'trust', 'scp', 'rcp'];
const KNOWN_MESSAGE =
  /^(Syntax errors in policy\.|This policy contains invalid Json|Policy document must be version 2012-10-17 or greater\.|The policy failed legacy parsing|Statement IDs \(SID\) .*|Policy statement must contain (actions|resources)\.|Resource .* must be in ARN format or "\*"\.|Partition ".*" is not valid for resource ".*"\.|Resource vendor must be fully qualified and cannot contain regexes\.|IAM resource .* cannot contain region information\.|Resource .* can not contain region information\.|IAM resource path must either be .*|Actions\/Conditions must be prefaced by a vendor, e\.g\., iam, sdb, ec2, etc\.|Actions\/Condition can contain only one colon\.|Vendor .* is not valid|Policy document should not specify a principal\.|Has prohibited field \w+|Missing required field Principal|AssumeRole policy may only specify STS AssumeRole actions\.|Invalid principal in policy.*)$/s;

function checkAnyDocument(text: string, kinds: readonly PolicyKind[] = KINDS): void {
  for (const kind of kinds) {
    const r = parsePolicy(text, kind, { managed: kind === 'identity' });
    if (!r.ok) {
      expect(r.error.message).toMatch(KNOWN_MESSAGE);
      expect(r.error.path.startsWith('$')).toBe(true);
    }
  }
}

/** Policy-shaped JSON with arbitrary values in every position. */
const anyValue = fc.jsonValue({ maxDepth: 3 });
const elementValue = fc.oneof(
  anyValue,
  fc.constantFrom('*', 's3:GetObject', 'arn:aws:s3:::b/*', 'Allow', 'Deny', 'iam:*', 'arn:aws:iam::111122223333:root', ''),
  fc.array(fc.constantFrom('*', 's3:Get*', 'arn:aws:s3:::b', 'x', 'a:b:c'), { maxLength: 3 }),
);
const statement = fc.dictionary(
  fc.constantFrom('Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition', 'Other'),
  elementValue,
);
const condition = fc.dictionary(
  fc.constantFrom('StringEquals', 'ForAnyValue:StringLike', 'DateLessThan', 'NumericEquals', 'IpAddress', 'Null', 'Bool', 'Unknown', 'ArnLike'),
  fc.dictionary(fc.constantFrom('aws:username', 'aws:CurrentTime', 'a', 'aws:SourceIp'), anyValue),
);
const policyShaped = fc.record(
  {
    Version: fc.oneof(fc.constantFrom('2012-10-17', '2008-10-17', '2013-01-01'), anyValue),
    Id: anyValue,
    Statement: fc.oneof(statement, fc.array(fc.oneof(statement, statement.map((s) => ({ ...s, Condition: {} })), anyValue), { maxLength: 4 })),
  },
  { requiredKeys: [] },
);
const withConditions = fc.record({
  Version: fc.constant('2012-10-17'),
  Statement: fc.array(
    fc.record({ Effect: fc.constantFrom('Allow', 'Deny'), Action: fc.constant('*'), Resource: fc.constant('*'), Condition: condition }),
    { minLength: 1, maxLength: 3 },
  ),
});

describe('bad input never escapes as an exception', () => {
  it('arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => checkAnyDocument(text)), { seed: 1, numRuns: 500 });
  });

  it('arbitrary JSON documents', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => checkAnyDocument(JSON.stringify(v))), { seed: 2, numRuns: 500 });
  });

  it('policy-shaped documents with wrong types anywhere', () => {
    fc.assert(fc.property(policyShaped, (v) => checkAnyDocument(JSON.stringify(v))), { seed: 3, numRuns: 1500 });
  });

  it('truncated and spliced valid documents', () => {
    const valid = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'A', Effect: 'Allow', Action: ['s3:*'], Resource: 'arn:aws:s3:::b/${aws:username}/*', Condition: { StringLike: { 's3:prefix': ['a*'] } } }],
    });
    fc.assert(
      fc.property(fc.nat(valid.length), fc.nat(valid.length), fc.string({ maxLength: 5 }), (a, b, insert) => {
        checkAnyDocument(valid.slice(0, Math.min(a, b)) + insert + valid.slice(Math.max(a, b)));
      }),
      { seed: 4, numRuns: 1000 },
    );
  });

  it('conditions with arbitrary values compile and evaluate against arbitrary contexts', () => {
    const context = fc.dictionary(
      fc.constantFrom('aws:username', 'AWS:CurrentTime', 'a', 'aws:SourceIp', 'x'),
      fc.oneof(fc.string({ maxLength: 20 }), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), fc.constantFrom('2020-01-01T00:00:00Z', '10.0.0.1', '::1', '12')),
    );
    fc.assert(
      fc.property(withConditions, context, (policy, ctx) => {
        const r = parsePolicy(JSON.stringify(policy), 'identity');
        if (!r.ok) return;
        const request: AuthorizationRequest = { principal: 'arn:aws:iam::111122223333:user/u', action: 's3:GetObject', resource: '*', context: ctx };
        const decision = evaluate(request, { identity: [r.policy] });
        expect(['Allow', 'ExplicitDeny', 'ImplicitDeny']).toContain(decision.outcome);
        expect(explain(request, { identity: [r.policy] }).decision).toEqual(decision);
      }),
      { seed: 5, numRuns: 500 },
    );
  });

  it('huge and deep inputs finish quickly', () => {
    const cases = [
      '['.repeat(2_000_000),
      '{"Statement":'.repeat(200_000),
      JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'a'.repeat(3_000_000), Resource: '*' } }),
      JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:' + '*'.repeat(100_000), Resource: '*'.repeat(100_000) } }),
      JSON.stringify({ Version: '2012-10-17', Statement: Array.from({ length: 10_000 }, (_, i) => ({ Sid: `S${i}`, Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })) }),
      '"' + '\\u0041'.repeat(500_000) + '"',
      ' '.repeat(3_000_000),
    ];
    for (const text of cases) {
      const start = performance.now();
      checkAnyDocument(text, ['identity', 'trust']);
      expect(performance.now() - start, text.slice(0, 30)).toBeLessThan(5000);
    }
  });

  it('pathological wildcard patterns match in linear time', () => {
    const pattern = 's3:' + 'a*'.repeat(2000) + 'b';
    const r = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: pattern, Resource: '*' } }), 'identity');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const start = performance.now();
    const d = evaluate({ principal: 'arn:aws:iam::111122223333:user/u', action: 's3:' + 'a'.repeat(100_000), resource: '*', context: {} }, { identity: [r.policy] });
    expect(d.outcome).toBe('ImplicitDeny');
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('evaluate and explain fail closed on malformed requests from untyped callers', () => {
    const r = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }), 'identity');
    if (!r.ok) throw new Error('fixture');
    fc.assert(
      fc.property(fc.anything(), (junk) => {
        const request = junk as AuthorizationRequest;
        const d = evaluate(request, { identity: [r.policy] });
        expect(['Allow', 'ExplicitDeny', 'ImplicitDeny']).toContain(d.outcome);
        explain(request, { identity: [r.policy] });
      }),
      { seed: 6, numRuns: 500 },
    );
  });

  it('lintPolicy never throws', () => {
    fc.assert(
      fc.property(policyShaped, fc.constantFrom(...KINDS), (v, kind) => {
        const findings = lintPolicy(JSON.stringify(v), kind);
        expect(Array.isArray(findings)).toBe(true);
      }),
      { seed: 8, numRuns: 300 },
    );
  });
});
