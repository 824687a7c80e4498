/**
 * The bugs the bad-input fuzz tests found, each pinned by the smallest request that showed it.
 */
import { GetUserCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryInput, decodeForm } from '../../src/protocol/query.js';
import { escapeXml } from '../../src/protocol/xml.js';
import { IDENTITY_POLICY, startFixture, type Fixture } from './fixture.js';
import { FORM, IAM_VERSION, JSON_11, STS_VERSION, dig, formBody, inspect, presigned, rawExchange, signed, signedQuery, type Verdict } from './harness.js';

let f: Fixture;

beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f?.close();
});

async function query(service: 'sts' | 'iam', creds: 'root' | 'admin', members: Array<[string, string]>): Promise<Verdict & { body: string }> {
  const res = await f.wire.send(await signedQuery(f.wire, service, creds === 'root' ? f.root : f.admin, formBody(members)));
  return { ...inspect(res, 'query'), body: res.body };
}

describe('XML answers stay well formed whatever the input echoed in them', () => {
  it('a control character in an STS member is echoed as U+FFFD, not written raw', async () => {
    // Was: `<Message>1 validation error detected: Value '\u0001…` — not XML; botocore's parser rejects it.
    const verdict = await query('sts', 'admin', [
      ['Action', 'AssumeRole'],
      ['Version', STS_VERSION],
      ['RoleArn', f.roleArn],
      ['RoleSessionName', 'a\u0001b\uffffc'],
    ]);
    expect([verdict.status, verdict.code, verdict.problems]).toEqual([400, 'ValidationError', []]);
    expect(verdict.message).toBe(
      "1 validation error detected: Value 'a\ufffdb\ufffdc' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
  });

  it('escapeXml replaces what XML 1.0 cannot carry and keeps what it can', () => {
    expect(escapeXml('<&>\r')).toBe('&lt;&amp;&gt;&#xD;');
    expect(escapeXml('\u0000\u0008\u000b\u000c\u001f\ufffe\uffff\ud800x\udc00')).toBe('\ufffd'.repeat(8) + 'x\ufffd');
    expect(escapeXml('\t\n é € \u{1f600} \u007f \u0085')).toBe('\t\n é € \u{1f600} \u007f \u0085');
  });
});

describe('a JSON 1.1 service without X-Amz-Target', () => {
  it('answers UnknownOperationException in JSON, whatever the body and content type', async () => {
    // Was: the body was decoded as a Query form first, so a JSON content type gave an STS XML
    // InvalidParameterValue and a form body a Query MissingAction.
    for (const [type, body] of [
      [JSON_11, '{}'],
      [FORM, 'Action=DescribeOrganization'],
      [FORM, ''],
    ] as const) {
      const req = await signed(f.wire, { service: 'organizations', creds: f.root, body, headers: { 'content-type': type } });
      const verdict = inspect(await f.wire.send(req), 'json');
      expect([type, body, verdict.status, verdict.code, verdict.message, verdict.problems]).toEqual([type, body, 400, 'UnknownOperationException', 'Missing X-Amz-Target header', []]);
    }
  });
});

describe('a request the client cut off', () => {
  it('is not executed', async () => {
    // Was: the aborted body was read as empty and the request handled; presigned for an empty
    // payload, it then verified and created the user.
    const user = 'fuzz-aborted';
    const req = await presigned(f.wire, { service: 'iam', creds: f.root, method: 'POST', query: formBody([['Action', 'CreateUser'], ['Version', IAM_VERSION], ['UserName', user]]) });
    const head = Buffer.from(`POST ${req.path} HTTP/1.1\r\nHost: ${f.wire.host}\r\nContent-Type: ${FORM}\r\nContent-Length: 64\r\n\r\n`, 'latin1');
    await rawExchange(f.wire, [head, Buffer.from('Extra=1')], { abortAfterWrite: true, timeoutMs: 500 });
    await new Promise((r) => setTimeout(r, 200));
    await expect(f.server.iam().send(new GetUserCommand({ UserName: user }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    // The same request sent whole, with the empty body it was signed for, is valid and creates the user.
    const whole = inspect(await f.wire.send({ ...req, headers: { ...req.headers, 'content-type': FORM }, body: '' }), 'query');
    expect([whole.status, whole.problems]).toEqual([200, []]);
    await expect(f.server.iam().send(new GetUserCommand({ UserName: user }))).resolves.toMatchObject({ User: { UserName: user } });
  });
});

describe('list members read in linear time', () => {
  it('reads 40,000 list indices about as fast as the form is decoded', () => {
    // Was: Array#includes per index, quadratic: ~4 s of blocked event loop for one 1 MiB body.
    const body = Array.from({ length: 40_000 }, (_, i) => `Tags.member.${40_000 - i}.Key=k`).join('&');
    const best = (run: () => void) => {
      let min = Infinity;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        run();
        min = Math.min(min, performance.now() - started);
      }
      return min;
    };
    const decode = best(() => decodeForm(body));
    const params = decodeForm(body);
    let read = 0;
    const list = best(() => {
      read = new QueryInput(params, { echoValues: true }).structList('Tags', ['Key', 'Value'] as const)!.length;
    });
    expect(read).toBe(40_000);
    expect(list).toBeLessThan(10 * decode + 100);
  });
});

describe('policy simulation evaluates only the page it answers', () => {
  const simulation = (actions: number, resources: number, extra: Array<[string, string]> = []): Array<[string, string]> => [
    ['Action', 'SimulateCustomPolicy'],
    ['Version', IAM_VERSION],
    ['PolicyInputList.member.1', IDENTITY_POLICY],
    ...Array.from({ length: actions }, (_, i) => [`ActionNames.member.${i + 1}`, i % 2 === 0 ? 's3:GetObject' : `s3:PutObject${i}`] as [string, string]),
    ...Array.from({ length: resources }, (_, i) => [`ResourceArns.member.${i + 1}`, `arn:aws:s3:::bucket/${i}`] as [string, string]),
    ...extra,
  ];

  it('answers 1,000 actions × 1,000 resources, MaxItems 1, at once', async () => {
    // Was: all 1,000,000 results were evaluated before one was sliced out (minutes, gigabytes).
    const started = Date.now();
    const verdict = await query('iam', 'root', simulation(1000, 1000, [['MaxItems', '1']]));
    expect([verdict.status, verdict.problems]).toEqual([200, []]);
    expect(Date.now() - started).toBeLessThan(5000);
    const result = dig(verdict.parsed, ['SimulateCustomPolicyResponse', 'SimulateCustomPolicyResult']) as Record<string, unknown>;
    expect([result['IsTruncated'], dig(result, ['EvaluationResults', 'member', 'EvalActionName'])]).toEqual(['true', 's3:GetObject']);
  });

  it('pages through actions × resources in order, action by action', async () => {
    const all = await query('iam', 'root', simulation(3, 2));
    const whole = (dig(all.parsed, ['SimulateCustomPolicyResponse', 'SimulateCustomPolicyResult', 'EvaluationResults', 'member']) as Array<Record<string, string>>).map(
      (r) => `${r['EvalActionName']} ${r['EvalResourceName']} ${r['EvalDecision']}`,
    );
    expect(whole).toEqual([
      's3:GetObject arn:aws:s3:::bucket/0 allowed',
      's3:GetObject arn:aws:s3:::bucket/1 allowed',
      's3:PutObject1 arn:aws:s3:::bucket/0 implicitDeny',
      's3:PutObject1 arn:aws:s3:::bucket/1 implicitDeny',
      's3:GetObject arn:aws:s3:::bucket/0 allowed',
      's3:GetObject arn:aws:s3:::bucket/1 allowed',
    ]);
    const paged: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const v = await query('iam', 'root', simulation(3, 2, [['MaxItems', '4'], ...(marker ? ([['Marker', marker]] as Array<[string, string]>) : [])]));
      const result = dig(v.parsed, ['SimulateCustomPolicyResponse', 'SimulateCustomPolicyResult']) as Record<string, unknown>;
      const members = dig(result, ['EvaluationResults', 'member']) as Record<string, string> | Array<Record<string, string>>;
      for (const r of Array.isArray(members) ? members : [members]) paged.push(`${r['EvalActionName']} ${r['EvalResourceName']} ${r['EvalDecision']}`);
      marker = result['IsTruncated'] === 'true' ? String(result['Marker']) : undefined;
      pages++;
    } while (marker);
    expect([pages, paged]).toEqual([2, whole]);
  });
});

describe('metrics labels', () => {
  it('take no action names from junk requests', async () => {
    // Was: every unknown Action (up to a megabyte, unsigned) became a new label set of the request
    // counter and latency histogram, held forever: memory grew without bound.
    for (let i = 0; i < 20; i++) {
      const junk = `JunkAction${i}${'x'.repeat(10_000)}`;
      const verdict = inspect(await f.wire.send({ method: 'POST', path: '/', headers: { 'content-type': FORM }, body: formBody([['Action', junk], ['Version', STS_VERSION]]) }), 'query');
      expect([verdict.status, verdict.code]).toEqual([400, 'InvalidAction']);
    }
    await query('sts', 'root', [['Action', 'GetCallerIdentity'], ['Version', STS_VERSION]]);
    const metrics = await (await fetch(`${f.server.endpoint}/metrics`)).text();
    expect(metrics).toContain('action="GetCallerIdentity"');
    expect(metrics).not.toContain('JunkAction');
  });
});
