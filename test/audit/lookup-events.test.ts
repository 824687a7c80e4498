import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import {
  AccessDeniedException,
  CloudTrailServiceException,
  InvalidEventCategoryException,
  InvalidLookupAttributesException,
  InvalidMaxResultsException,
  InvalidNextTokenException,
  InvalidTimeRangeException,
  LookupEventsCommand,
  paginateLookupEvents,
  type Event,
  type LookupAttribute,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditInput, CloudTrailEvent } from '../../src/audit/types.js';
import { A, B, IAM, ISSUED_SECRET, ISSUED_TOKEN, STS, alice, assumeRoleResult, base, bob, deployerSession, failed, ok, query, root } from './fixtures.js';
import { startCloudTrailHarness, type CloudTrailHarness, type HarnessPrincipal } from './cloudtrail-harness.js';

const run = promisify(execFile);
const AWS_CLI = '/usr/bin/aws';

const rootA: HarnessPrincipal = { caller: root(A), secretAccessKey: 'root-secret-example-000000000000000000000', allow: [] };
const admin: HarnessPrincipal = { caller: alice(), secretAccessKey: 'alice-secret-example-00000000000000000000', allow: ['cloudtrail:LookupEvents'] };
const noPermission: HarnessPrincipal = { caller: deployerSession({ accessKeyId: 'ASIANOPERMISSION0001' }), secretAccessKey: 'role-secret-example-000000000000000000000', allow: [] };
const bobB: HarnessPrincipal = { caller: bob(), secretAccessKey: 'bob-secret-example-0000000000000000000000', allow: ['cloudtrail:LookupEvents'] };

describe('LookupEvents over the wire (@aws-sdk/client-cloudtrail, AWS CLI)', () => {
  let h: CloudTrailHarness;
  const now = Math.floor(Date.now() / 1000);
  const seeded: CloudTrailEvent[] = [];

  async function seed(secondsAgo: number, input: Partial<AuditInput> & Pick<AuditInput, 'service' | 'action'>): Promise<void> {
    await h.trail.record(base({ eventTime: new Date((now - secondsAgo) * 1000), ...input }));
  }

  beforeAll(async () => {
    h = await startCloudTrailHarness({ principals: [rootA, admin, noPermission, bobB] });
    await seed(3600, { service: STS, action: 'AssumeRole', request: { query: query({ RoleArn: `arn:aws:iam::${A}:role/deployer`, RoleSessionName: 'alice', SourceIdentity: 'alice' }) }, outcome: ok(assumeRoleResult({ sourceIdentity: 'alice' })) });
    await seed(3500, { service: IAM, action: 'CreateRole', caller: deployerSession(), request: { query: query({ RoleName: 'lambda-exec', AssumeRolePolicyDocument: '{}' }) }, outcome: ok({ Role: { RoleName: 'lambda-exec', CreateDate: new Date() } }) });
    await seed(3400, { service: STS, action: 'AssumeRole', request: { query: query({ RoleArn: `arn:aws:iam::${A}:role/prod-admin`, RoleSessionName: 'alice' }) }, outcome: failed('AccessDenied', 'User: arn:aws:iam::111122223333:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/prod-admin') });
    for (let i = 0; i < 5; i++) await seed(3000 - i * 10, { service: STS, action: 'GetCallerIdentity', outcome: ok({ UserId: 'u', Account: A, Arn: 'a' }) });
    await seed(2000, { service: STS, action: 'GetCallerIdentity', region: 'eu-west-1', outcome: ok({}) });
    await seed(1000, { service: STS, action: 'GetCallerIdentity', caller: bob(), outcome: ok({}) });
    await seed(100 * 86400, { service: STS, action: 'GetCallerIdentity', outcome: ok({}) }); // outside the 90-day window
    const page = await h.store.lookup({ accountId: A, region: 'us-east-1', startTime: 0, endTime: 2e9, limit: 50 });
    seeded.push(...page.events.map((e) => JSON.parse(e.json) as CloudTrailEvent));
  });
  afterAll(async () => {
    await h?.close();
  });

  async function lookupAll(attribute?: LookupAttribute, principal = rootA, pageSize = 50): Promise<Event[]> {
    const events: Event[] = [];
    const params = { ...(attribute ? { LookupAttributes: [attribute] } : {}), MaxResults: pageSize };
    for await (const page of paginateLookupEvents({ client: h.client(principal) }, params)) events.push(...(page.Events ?? []));
    return events;
  }

  it('returns the account’s events in the request region, newest first, with AWS’s member shapes', async () => {
    const response = await h.client(rootA).send(new LookupEventsCommand({}));
    const events = response.Events ?? [];
    // 8 seeded in A/us-east-1 within 90 days; the lookups above did not run yet.
    expect(events.map((e) => e.EventName)).toEqual(['GetCallerIdentity', 'GetCallerIdentity', 'GetCallerIdentity', 'GetCallerIdentity', 'GetCallerIdentity', 'AssumeRole', 'CreateRole', 'AssumeRole']);
    expect(response.NextToken).toBeUndefined();
    const assume = events[7]!;
    expect(assume).toMatchObject({ EventName: 'AssumeRole', ReadOnly: 'true', AccessKeyId: 'AKIARZ7EXAMPLEKEY001', EventSource: 'sts.amazonaws.com', Username: 'alice' });
    expect(assume.EventTime).toEqual(new Date((now - 3600) * 1000));
    expect(assume.Resources?.map((r) => r.ResourceType)).toEqual(['AWS::IAM::AccessKey', 'AWS::STS::AssumedRole', 'AWS::STS::AssumedRole', 'AWS::STS::AssumedRole', 'AWS::IAM::Role']);
    const record = JSON.parse(assume.CloudTrailEvent!) as CloudTrailEvent;
    expect(record.eventID).toBe(assume.EventId);
    expect(record.responseElements?.['sourceIdentity']).toBe('alice');
    const denied = events[5]!;
    expect(denied.Resources).toEqual([]);
    expect(JSON.parse(denied.CloudTrailEvent!)).toMatchObject({ errorCode: 'AccessDenied', requestParameters: null });
    const eu = await h.client(rootA, 'eu-west-1').send(new LookupEventsCommand({}));
    expect(eu.Events?.map((e) => e.EventName)).toEqual(['GetCallerIdentity']);
  });

  it('pages with NextToken (paginator and MaxResults) without gaps or repeats; each LookupEvents call is itself recorded', async () => {
    // Each lookup is recorded before it answers, so compare the events that are not lookups.
    const notLookups = (events: Event[]) => events.filter((e) => e.EventName !== 'LookupEvents').map((e) => e.EventId);
    const all = await lookupAll(undefined, rootA, 50);
    const paged = await lookupAll(undefined, rootA, 2);
    expect(new Set(paged.map((e) => e.EventId)).size).toBe(paged.length);
    expect(notLookups(paged)).toEqual(notLookups(all));
    expect(notLookups(paged)).toHaveLength(8);
    const lookups = await lookupAll({ AttributeKey: 'EventName', AttributeValue: 'LookupEvents' });
    expect(lookups.length).toBeGreaterThanOrEqual(4);
    // The paginator's later pages: MaxResults 2 and the NextToken they followed (records of one
    // second are ordered by eventID, so look for them rather than at a position).
    const records = lookups.map((e) => JSON.parse(e.CloudTrailEvent!) as CloudTrailEvent);
    for (const record of records) expect(record).toMatchObject({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'LookupEvents', readOnly: true, responseElements: null });
    expect(records.some((r) => r.requestParameters?.['maxResults'] === 2 && typeof r.requestParameters['nextToken'] === 'string')).toBe(true);
  });

  it('filters by each lookup attribute', async () => {
    const names = async (AttributeKey: LookupAttribute['AttributeKey'], AttributeValue: string) => (await lookupAll({ AttributeKey, AttributeValue })).map((e) => e.EventName);
    expect(await names('EventName', 'AssumeRole')).toEqual(['AssumeRole', 'AssumeRole']);
    expect(await names('EventSource', 'iam.amazonaws.com')).toEqual(['CreateRole']);
    expect(await names('ReadOnly', 'false')).toEqual(['CreateRole']);
    expect(await names('Username', 'alice')).toEqual(expect.arrayContaining(['CreateRole', 'AssumeRole']));
    expect(await names('AccessKeyId', 'ASIAWD3EXAMPLETMP001')).toEqual(['CreateRole']);
    expect(await names('ResourceType', 'AWS::IAM::Role')).toEqual(['CreateRole', 'AssumeRole']);
    expect(await names('ResourceName', 'ASIAWD3EXAMPLETMP001')).toEqual(['AssumeRole']);
    const assume = seeded.find((e) => e.eventName === 'AssumeRole' && !e.errorCode)!;
    expect((await lookupAll({ AttributeKey: 'EventId', AttributeValue: assume.eventID })).map((e) => e.EventId)).toEqual([assume.eventID]);
  });

  it('applies StartTime and EndTime inclusively', async () => {
    const response = await h.client(rootA).send(new LookupEventsCommand({ StartTime: new Date((now - 3600) * 1000), EndTime: new Date((now - 3500) * 1000) }));
    expect(response.Events?.map((e) => e.EventName)).toEqual(['CreateRole', 'AssumeRole']);
  });

  it('answers AWS’s errors', async () => {
    const client = h.client(rootA);
    const attempt = (input: LookupEventsCommandInput) => client.send(new LookupEventsCommand(input));
    await expect(attempt({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'a' }, { AttributeKey: 'Username', AttributeValue: 'b' }] })).rejects.toBeInstanceOf(InvalidLookupAttributesException);
    await expect(attempt({ LookupAttributes: [{ AttributeKey: 'Color' as never, AttributeValue: 'a' }] })).rejects.toThrow(/Invalid lookup attribute key: Color/);
    await expect(attempt({ LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'maybe' }] })).rejects.toBeInstanceOf(InvalidLookupAttributesException);
    await expect(attempt({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: '_'.repeat(1001) }] })).rejects.toBeInstanceOf(InvalidLookupAttributesException);
    await expect(attempt({ MaxResults: 0 })).rejects.toBeInstanceOf(InvalidMaxResultsException);
    await expect(attempt({ MaxResults: 51 })).rejects.toBeInstanceOf(InvalidMaxResultsException);
    await expect(attempt({ StartTime: new Date(2000), EndTime: new Date(1000) })).rejects.toBeInstanceOf(InvalidTimeRangeException);
    await expect(attempt({ EventCategory: 'management' as never })).rejects.toBeInstanceOf(InvalidEventCategoryException);
    await expect(attempt({ NextToken: 'forged' })).rejects.toBeInstanceOf(InvalidNextTokenException);
    expect((await attempt({ EventCategory: 'insight' })).Events).toEqual([]);
    // A token is bound to the parameters it was issued for (MaxResults aside).
    const first = await attempt({ MaxResults: 1, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }] });
    expect(first.NextToken).toBeDefined();
    await expect(attempt({ MaxResults: 1, NextToken: first.NextToken })).rejects.toBeInstanceOf(InvalidNextTokenException);
    expect((await attempt({ MaxResults: 5, NextToken: first.NextToken, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }] })).Events).toHaveLength(1);
    // ...and to the caller's account.
    await expect(h.client(bobB).send(new LookupEventsCommand({ MaxResults: 1, NextToken: first.NextToken, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }] }))).rejects.toBeInstanceOf(
      InvalidNextTokenException,
    );
  });

  it('is authorized as cloudtrail:LookupEvents: root and an allowed user may, a role without it gets AccessDeniedException (recorded)', async () => {
    expect((await h.client(admin).send(new LookupEventsCommand({ MaxResults: 1 }))).Events).toHaveLength(1);
    const denied = h.client(noPermission).send(new LookupEventsCommand({}));
    await expect(denied).rejects.toBeInstanceOf(AccessDeniedException);
    await expect(denied).rejects.toThrow(
      `User: ${noPermission.caller.arn} is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action`,
    );
    expect(((await denied.catch((e: unknown) => e)) as Error).message).not.toMatch(/Encoded|on resource/);
    const error = (await denied.catch((e: unknown) => e)) as CloudTrailServiceException;
    expect(error.$metadata.httpStatusCode).toBe(403);
    const records = await lookupAll({ AttributeKey: 'AccessKeyId', AttributeValue: 'ASIANOPERMISSION0001' });
    expect(records.map((e) => JSON.parse(e.CloudTrailEvent!) as CloudTrailEvent).map((r) => [r.eventName, r.errorCode, r.requestParameters, r.userIdentity.type])).toEqual([['LookupEvents', 'AccessDenied', null, 'AssumedRole']]);
  });

  it('only shows the caller’s own account', async () => {
    const events = await lookupAll(undefined, bobB);
    expect(events.map((e) => e.EventName)).toContain('GetCallerIdentity');
    for (const event of events) {
      expect(event.Username).toBe('bob');
      expect(JSON.parse(event.CloudTrailEvent!)).toMatchObject({ recipientAccountId: B });
    }
  });

  it('never returns a secret key or session token in any record', async () => {
    const text = JSON.stringify(await lookupAll());
    for (const secret of [ISSUED_SECRET, ISSUED_TOKEN, rootA.secretAccessKey, admin.secretAccessKey]) expect(text).not.toContain(secret);
  });

  it.skipIf(!existsSync(AWS_CLI))('works with `aws cloudtrail lookup-events --endpoint-url …` (auto-pagination, filters, time range)', async () => {
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      AWS_ACCESS_KEY_ID: rootA.caller.accessKeyId,
      AWS_SECRET_ACCESS_KEY: rootA.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
    };
    const cli = async (...args: string[]) => {
      const { stdout } = await run(AWS_CLI, ['cloudtrail', 'lookup-events', '--endpoint-url', h.endpoint, '--region', 'us-east-1', '--output', 'json', ...args], { env });
      return JSON.parse(stdout) as { Events: Array<Event & { EventTime: string }>; NextToken?: string };
    };
    const filtered = await cli('--lookup-attributes', 'AttributeKey=EventName,AttributeValue=AssumeRole');
    expect(filtered.Events.map((e) => e.EventName)).toEqual(['AssumeRole', 'AssumeRole']);
    expect(JSON.parse(filtered.Events[1]!.CloudTrailEvent!)).toMatchObject({ eventName: 'AssumeRole', userIdentity: { userName: 'alice' } });
    // The CLI follows NextToken until it is absent; --page-size sets MaxResults.
    const paged = await cli('--page-size', '2', '--lookup-attributes', 'AttributeKey=EventSource,AttributeValue=sts.amazonaws.com');
    const sdk = await lookupAll({ AttributeKey: 'EventSource', AttributeValue: 'sts.amazonaws.com' });
    expect(paged.NextToken).toBeUndefined();
    expect(paged.Events.map((e) => e.EventId)).toEqual(sdk.map((e) => e.EventId));
    const ranged = await cli('--start-time', new Date((now - 3600) * 1000).toISOString(), '--end-time', new Date((now - 3500) * 1000).toISOString());
    expect(ranged.Events.map((e) => e.EventName)).toEqual(['CreateRole', 'AssumeRole']);
    const limited = await cli('--max-items', '1');
    expect(limited.Events).toHaveLength(1);
    expect(limited.NextToken).toBeDefined();
    await expect(cli('--lookup-attributes', 'AttributeKey=EventName,AttributeValue=a', 'AttributeKey=Username,AttributeValue=b')).rejects.toThrow(/InvalidLookupAttributesException/);
   }, 120_000);
});

describe('LookupEvents rate limit (cloudtrail.md §4.8)', () => {
  it('answers ThrottlingException above the per-account, per-region rate', async () => {
    const h = await startCloudTrailHarness({ principals: [rootA], service: { rateLimit: 2 } });
    try {
      const client = h.client(rootA);
      const results = await Promise.allSettled([1, 2, 3].map(() => client.send(new LookupEventsCommand({}))));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
      // Another region has its own bucket.
      await expect(h.client(rootA, 'eu-west-1').send(new LookupEventsCommand({}))).resolves.toBeDefined();
    } finally {
      await h.close();
    }
  });
});
