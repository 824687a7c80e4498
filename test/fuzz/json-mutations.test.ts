/**
 * The JSON 1.1 half of issue #3 point 10: Organizations requests (`X-Amz-Target:
 * AWSOrganizationsV20161128.*`), validly signed, with mutated members, wrong types, invalid,
 * deeply nested or huge bodies, wrong Content-Type and targets, answer 200 or a registered 4xx
 * as `{"__type", "Message"}` with `x-amzn-ErrorType` — never a 5xx.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from './fixture.js';
import { JSON_11, ORGS_PREFIX, STS_VERSION, Tally, describeRequest, formBody, fuzzRuns, inspect, shortly, signedJson, signedQuery } from './harness.js';

const SEED = 0x5eed_0020;
const RUNS = 700;

let f: Fixture;

beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f?.close();
});

/** A member value as JSON text (so that invalid and deeply nested values can be written). */
type RawJson = string;

interface JsonCase {
  readonly op: string;
  readonly members: ReadonlyArray<readonly [string, RawJson]>;
}

function corpus(): JsonCase[] {
  const s = (v: unknown) => JSON.stringify(v);
  return [
    { op: 'DescribeOrganization', members: [] },
    { op: 'ListAccounts', members: [['MaxResults', '5']] },
    { op: 'ListAccounts', members: [['MaxResults', '1'], ['NextToken', s(Buffer.from('accounts:1').toString('base64'))]] },
    { op: 'DescribeAccount', members: [['AccountId', s(f.accountId)]] },
    { op: 'CreateAccount', members: [['Email', s('fuzz-new@example.com')], ['AccountName', s('fuzz new')], ['RoleName', s('OrganizationAccountAccessRole')]] },
    { op: 'DescribeCreateAccountStatus', members: [['CreateAccountRequestId', s(f.createAccountRequestId)]] },
  ];
}

const deep = (n: number, open: string, close: string, inner = '1') => open.repeat(n) + inner + close.repeat(n);

/** JSON values of every wrong kind. */
const badJsonValue: fc.Arbitrary<RawJson> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'null', 'true', 'false', '0', '-1', '1.5', '-0', '1e308', '1e309', '-1e309', '9007199254740993', '123456789012', '"123456789012"', '"12345678901"',
      '21', '20', '"5"', '""', '" "', '"\\u0000"', '"\\ud800"', '"\\udfff\\ud800"', '"\\u0001\\u001f"', '"<x>&"', '"😀"', '[]', '{}', '[1,2,3]', '{"a":1}',
      '"car-abcdefgh"', '"car-"', '"a@b.c"', '"x@y"', '"arn:aws:organizations::123456789012:account/o-x/123456789012"',
      '"AWSOrganizationsV20161128"', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{}}}',
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom(100, 1000, 100_000).map((n) => deep(n, '[', ']')) },
  { weight: 1, arbitrary: fc.constantFrom(100, 10_000).map((n) => deep(n, '{"a":', '}')) },
  { weight: 2, arbitrary: fc.constantFrom(1, 50, 51, 64, 65, 1000, 100_000).map((n) => JSON.stringify('x'.repeat(n))) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.double().map((v) => (Number.isFinite(v) ? String(v) : 'null')) },
);

/** Whole bodies that are not a JSON object, or barely one. */
const badBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constantFrom(
    '', ' ', 'null', '[]', '[{}]', '"{}"', '42', 'true', '{', '}', '{"a":}', '{"a":1,}', "{'a':1}", '{"a":1}}', '{}{}', '{} x', 'NaN', '{"a":NaN}',
    '\ufeff{}', '{"a":"\\x41"}', '{"a":"\\u12"}', '{"a":"unterminated}', '{"a":01}', '{"a":1e}', '<xml/>', 'Action=DescribeOrganization',
    deep(200_000, '[', ']'), deep(100_000, '{"a":', '}'), `{"Accounts":[${'1,'.repeat(300_000)}1]}`, `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`,
    '{"AccountId":"1","AccountId":"2"}',
  ).map((t) => Buffer.from(t, 'utf8')),
  fc.constantFrom(Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), Buffer.from([0x00, 0x7b, 0x7d]), Buffer.alloc(2048, 0x80)),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  // Just over the 1 MiB body limit.
  fc.constant(Buffer.from(JSON.stringify({ AccountName: 'x'.repeat(1_048_577) }), 'utf8')),
);

type JsonMutation =
  | { readonly kind: 'drop'; readonly at: number }
  | { readonly kind: 'value'; readonly at: number; readonly value: RawJson }
  | { readonly kind: 'add'; readonly name: string; readonly value: RawJson }
  | { readonly kind: 'rename'; readonly at: number; readonly to: string };

const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('value' as const), at: fc.nat(), value: badJsonValue }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      name: fc.oneof(fc.constantFrom('AccountId', 'MaxResults', 'NextToken', 'Email', 'AccountName', 'RoleName', 'IamUserAccessToBilling', 'Tags', '__proto__', '', 'Extra'), fc.string({ maxLength: 12 })),
      value: badJsonValue,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), to: fc.constantFrom('accountId', 'ACCOUNTID', 'Account Id', 'AccountIds', '') }) },
);

/** The X-Amz-Target actually sent: usually the case's, sometimes wrong. */
const targetMutation: fc.Arbitrary<(op: string) => string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant((op: string) => `${ORGS_PREFIX}.${op}`) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      () => undefined,
      () => '',
      () => ORGS_PREFIX,
      () => `${ORGS_PREFIX}.`,
      () => `${ORGS_PREFIX}.NoSuchOperation`,
      () => `${ORGS_PREFIX}.CloseAccount`,
      (op: string) => `${ORGS_PREFIX}.${op.toLowerCase()}`,
      (op: string) => `awsorganizationsv20161128.${op}`,
      (op: string) => `AWSOrganizationsV20991231.${op}`,
      (op: string) => op,
      (op: string) => `${ORGS_PREFIX}..${op}`,
      (op: string) => `${ORGS_PREFIX}.${op}.extra`,
      () => `${ORGS_PREFIX}.__proto__`,
      () => `${ORGS_PREFIX}.constructor`,
      () => 'AWSSecurityTokenServiceV20110615.GetCallerIdentity',
      () => `${ORGS_PREFIX}.${'A'.repeat(5000)}`,
    ),
  },
);

const contentType = fc.oneof(
  { weight: 10, arbitrary: fc.constant<string | null>(JSON_11) },
  { weight: 2, arbitrary: fc.constantFrom<string | null>('application/x-amz-json-1.0', 'application/json', 'application/x-www-form-urlencoded', 'text/plain', '', null) },
);

function mutateMembers(members: ReadonlyArray<readonly [string, RawJson]>, mutations: readonly JsonMutation[]): Array<[string, RawJson]> {
  const out: Array<[string, RawJson]> = members.map(([k, v]) => [k, v]);
  for (const m of mutations) {
    const i = out.length === 0 ? -1 : ('at' in m ? m.at : 0) % out.length;
    if (m.kind === 'add') out.push([m.name, m.value]);
    else if (i < 0) out.push(['AccountId', m.kind === 'value' ? m.value : '"x"']);
    else if (m.kind === 'drop') out.splice(i, 1);
    else if (m.kind === 'value') out[i] = [out[i]![0], m.value];
    else out[i] = [m.to, out[i]![1]];
  }
  return out;
}

describe('mutated, validly signed JSON 1.1 requests', () => {
  it('every seed is accepted as it stands', async () => {
    for (const c of corpus()) {
      const body = `{${c.members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
      const verdict = inspect(await f.wire.send(await signedJson(f.wire, f.root, body, `${ORGS_PREFIX}.${c.op}`)), 'json');
      expect([c.op, verdict.status, verdict.problems]).toEqual([c.op, 200, []]);
    }
  });

  it(`answers ${RUNS} mutations with 200 or a registered 4xx as a JSON error`, async () => {
    const cases = corpus();
    const tally = new Tally();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(cases.length - 1),
        fc.oneof(
          { weight: 4, arbitrary: fc.array(jsonMutation, { minLength: 1, maxLength: 3 }).map((m) => ({ members: m })) },
          { weight: 1, arbitrary: badBody.map((b) => shortly({ body: b }, `{body: ${b.length} bytes: ${JSON.stringify(b.subarray(0, 60).toString('latin1'))}…}`)) },
        ),
        targetMutation,
        contentType,
        async (which, change, target, type) => {
          const c = cases[which]!;
          const body =
            'body' in change ? change.body : Buffer.from(`{${mutateMembers(c.members, change.members).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`, 'utf8');
          const sentTarget = target(c.op);
          const req = await signedJson(f.wire, f.root, body, sentTarget, type);
          const res = await f.wire.send(req);
          // Signed for organizations, the answer is JSON with or without a target (query-protocol.md §4);
          // only a body refused as too large before anything is read follows the X-Amz-Target header alone.
          const tooLarge = body.length > f.server.config.maxBodyBytes;
          const verdict = inspect(res, tooLarge && sentTarget === undefined ? 'query' : 'json');
          tally.add(verdict);
          const problems = [...verdict.problems];
          if (tooLarge && verdict.code !== 'RequestEntityTooLarge') problems.push(`a ${body.length}-byte body answered ${verdict.code}`);
          if (problems.length > 0) throw new Error(`${c.op}: ${problems.join('; ')}\n${describeRequest(req)}\n${res.status} ${res.body.slice(0, 600)}`);
        },
      ),
      fuzzRuns(SEED, RUNS),
    );
    console.info(`json fuzz: ${tally.total} requests — ${tally.summary()}`);
    expect(tally.count('SignatureDoesNotMatch')).toBe(0);
    expect(tally.count('200')).toBeGreaterThan(tally.total * 0.05);
    for (const code of ['SerializationException', 'InvalidInputException', 'UnknownOperationException', 'RequestEntityTooLarge']) {
      expect(tally.codes().some((k) => k.endsWith(` ${code}`)), code).toBe(true);
    }
    const after = inspect(await f.wire.send(await signedQuery(f.wire, 'sts', f.root, formBody([['Action', 'GetCallerIdentity'], ['Version', STS_VERSION]]))), 'query');
    expect([after.status, after.problems]).toEqual([200, []]);
  }, 120_000);
});
