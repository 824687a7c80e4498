import { GetCallerIdentityCommand, STSServiceException } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { presignGet, signFormPost } from '../helpers/sign.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function signedPost(body: string, options: { service?: string; secret?: string; date?: Date } = {}): Promise<Response> {
  const credentials = { accessKeyId: server.rootCredentials.accessKeyId, secretAccessKey: options.secret ?? server.rootCredentials.secretAccessKey };
  const { headers } = await signFormPost(server.endpoint, body, credentials, options);
  return fetch(server.endpoint + '/', { method: 'POST', headers, body });
}

describe('the server', () => {
  it('answers GET /health and serves Prometheus metrics', async () => {
    const health = await fetch(server.endpoint + '/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    await server.sts().send(new GetCallerIdentityCommand({}));
    const metrics = await (await fetch(server.endpoint + '/metrics')).text();
    expect(metrics).toMatch(/open_sts_requests_total\{service="sts",action="GetCallerIdentity",status="200"\} \d+/);
    expect(metrics).toContain('open_sts_request_duration_seconds_bucket');
  });

  it('tells the account root who it is', async () => {
    const identity = await server.sts().send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: server.accountId, UserId: server.accountId, Arn: `arn:aws:iam::${server.accountId}:root` });
    expect(identity.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes the XML AWS writes, with the request ID in the body and the header', async () => {
    const response = await signedPost('Action=GetCallerIdentity&Version=2011-06-15');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/xml');
    const requestId = response.headers.get('x-amzn-requestid');
    expect(await response.text()).toBe(
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><UserId>${server.accountId}</UserId><Account>${server.accountId}</Account><Arn>arn:aws:iam::${server.accountId}:root</Arn></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
  });

  it('answers a presigned GetCallerIdentity URL, as EKS and Vault tokens use it', async () => {
    const url = await presignGet(server.endpoint, { Action: 'GetCallerIdentity', Version: '2011-06-15' }, server.rootCredentials, {
      headers: { 'x-k8s-aws-id': 'my-cluster' },
    });
    const signed = await fetch(url, { headers: { 'x-k8s-aws-id': 'my-cluster' } });
    expect(signed.status).toBe(200);
    expect(await signed.text()).toContain(`<Arn>arn:aws:iam::${server.accountId}:root</Arn>`);
    const withoutHeader = await fetch(url);
    expect(withoutHeader.status).toBe(403);
    const tampered = await fetch(url.replace('GetCallerIdentity', 'GetSessionToken'), { headers: { 'x-k8s-aws-id': 'my-cluster' } });
    expect(tampered.status).toBe(403);
  });

  it('rejects a wrong secret with SignatureDoesNotMatch and an unknown key with InvalidClientTokenId', async () => {
    const wrong = await signedPost('Action=GetCallerIdentity&Version=2011-06-15', { secret: 'x'.repeat(40) });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const unknown = server.sts({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) });
    await expect(unknown.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('rejects a request signed more than 15 minutes ago', async () => {
    const response = await signedPost('Action=GetCallerIdentity&Version=2011-06-15', { date: new Date(Date.now() - 16 * 60_000) });
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/<Code>SignatureDoesNotMatch<\/Code><Message>Signature expired: /);
  });

  it('answers unsigned, unknown and malformed requests with their AWS 4xx errors', async () => {
    const unsigned = await fetch(server.endpoint + '/?Action=GetCallerIdentity&Version=2011-06-15');
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>MissingAuthenticationToken</Code>');

    const unknown = await signedPost('Action=NoSuchThing&Version=2011-06-15');
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('<Code>InvalidAction</Code>');

    const noAction = await signedPost('Version=2011-06-15');
    expect(noAction.status).toBe(400);
    expect(await noAction.text()).toContain('<Code>MissingAction</Code>');

    const badVersion = await signedPost('Action=GetCallerIdentity&Version=2099-01-01');
    expect(badVersion.status).toBe(400);

    const badEscape = await signedPost('Action=GetCallerIdentity&Version=2011-06-15&X=%E0%A4%A');
    expect(badEscape.status).toBeGreaterThanOrEqual(400);
    expect(badEscape.status).toBeLessThan(500);

    const wrongService = await signedPost('Action=GetCallerIdentity&Version=2011-06-15', { service: 'ec2' });
    expect(wrongService.status).toBe(403);
    expect(await wrongService.text()).toContain("Credential should be scoped to correct service: 'sts'.");
  });

  it('refuses an oversized body with 413 and keeps serving', async () => {
    const response = await fetch(server.endpoint + '/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15&Pad=' + 'x'.repeat(server.config.maxBodyBytes + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain('<Code>RequestEntityTooLarge</Code>');
    await expect(server.sts().send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
  });

  it('is an STS service exception the SDK can match by name', async () => {
    const client = server.sts({ accessKeyId: server.rootCredentials.accessKeyId, secretAccessKey: 'y'.repeat(40) });
    const error = await client.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(STSServiceException);
    expect((error as STSServiceException).name).toBe('SignatureDoesNotMatch');
  });
});
