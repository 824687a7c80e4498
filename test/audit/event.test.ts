import { describe, expect, it } from 'vitest';
import { buildEvents, EVENT_VERSION } from '../../src/audit/event.js';
import type { CloudTrailEvent } from '../../src/audit/types.js';
import {
  A,
  B,
  CLOUDTRAIL,
  IAM,
  ISSUED_SECRET,
  ISSUED_TOKEN,
  ORGANIZATIONS,
  SECRET,
  STS,
  alice,
  assumeRoleResult,
  base,
  bob,
  deployerSession,
  failed,
  notes,
  ok,
  query,
  root,
  sequentialIds,
  session,
} from './fixtures.js';

function one(events: CloudTrailEvent[]): CloudTrailEvent {
  expect(events).toHaveLength(1);
  return events[0]!;
}

const E1_PARAMS = {
  Action: 'AssumeRole',
  Version: '2011-06-15',
  RoleArn: `arn:aws:iam::${A}:role/deployer`,
  RoleSessionName: 'alice',
  DurationSeconds: '3600',
  ExternalId: 'ext-7f3a9c',
  'Tags.member.1.Key': 'team',
  'Tags.member.1.Value': 'payments',
  'Tags.member.2.Key': 'ticket',
  'Tags.member.2.Value': 'CHG-1042',
  'TransitiveTagKeys.member.1': 'team',
  SourceIdentity: 'alice',
};

describe('buildEvents: STS AssumeRole (cloudtrail.md §3.3)', () => {
  it('E1: same-account AssumeRole by an IAM user is one record, as AWS writes it (session token left out)', () => {
    const record = one(
      buildEvents(
        base({
          service: STS,
          action: 'AssumeRole',
          request: { query: query(E1_PARAMS) },
          outcome: ok(assumeRoleResult({ packed: 3, sourceIdentity: 'alice' })),
        }),
        { newEventId: sequentialIds() },
      ),
    );
    expect(record).toEqual({
      eventVersion: '1.11',
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDARZ7EXAMPLEALICE01',
        arn: `arn:aws:iam::${A}:user/alice`,
        accountId: A,
        accessKeyId: 'AKIARZ7EXAMPLEKEY001',
        userName: 'alice',
      },
      eventTime: '2026-03-02T14:05:09Z',
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      awsRegion: 'us-east-1',
      sourceIPAddress: '203.0.113.10',
      userAgent: 'aws-cli/2.27.4 md/command#sts.assume-role',
      requestParameters: {
        roleArn: `arn:aws:iam::${A}:role/deployer`,
        roleSessionName: 'alice',
        durationSeconds: 3600,
        externalId: 'ext-7f3a9c',
        tags: [
          { key: 'team', value: 'payments' },
          { key: 'ticket', value: 'CHG-1042' },
        ],
        transitiveTagKeys: ['team'],
        sourceIdentity: 'alice',
      },
      responseElements: {
        credentials: { accessKeyId: 'ASIAWD3EXAMPLETMP001', expiration: 'Mar 2, 2026, 3:05:09 PM' },
        assumedRoleUser: { assumedRoleId: 'AROAWD3EXAMPLEDEPLOY1:alice', arn: `arn:aws:sts::${A}:assumed-role/deployer/alice` },
        packedPolicySize: 3,
        sourceIdentity: 'alice',
      },
      additionalEventData: { RequestDetails: { awsServingRegion: 'us-east-1', endpointType: 'regional' } },
      requestID: '19cb462f-94d2-4048-ac03-3ff073cdc80a',
      eventID: '00000000-0000-4000-8000-000000000001',
      readOnly: true,
      resources: [{ accountId: A, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${A}:role/deployer` }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: A,
      eventCategory: 'Management',
    });
  });

  it('writes the fields in the order AWS does (§1.1)', () => {
    const record = one(
      buildEvents(
        base({
          service: STS,
          action: 'AssumeRole',
          request: { query: query(E1_PARAMS) },
          outcome: failed('ValidationError', 'bad'),
          tls: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'sts.example.internal' },
        }),
      ),
    );
    expect(Object.keys(record)).toEqual([
      'eventVersion',
      'userIdentity',
      'eventTime',
      'eventSource',
      'eventName',
      'awsRegion',
      'sourceIPAddress',
      'userAgent',
      'errorCode',
      'errorMessage',
      'requestParameters',
      'responseElements',
      'requestID',
      'eventID',
      'readOnly',
      'eventType',
      'managementEvent',
      'recipientAccountId',
      'eventCategory',
      'tlsDetails',
    ]);
  });

  it('includes the session token only when the operator opts in (§3.6), never the secret key', () => {
    const input = base({ service: STS, action: 'AssumeRole', request: { query: query(E1_PARAMS) }, outcome: ok(assumeRoleResult()) });
    const without = JSON.stringify(buildEvents(input));
    expect(without).not.toContain(ISSUED_TOKEN);
    expect(without).not.toContain(ISSUED_SECRET);
    expect(without).not.toMatch(/secretAccessKey/i);
    const withToken = one(buildEvents(input, { includeSessionToken: true }));
    expect(withToken.responseElements?.['credentials']).toEqual({
      accessKeyId: 'ASIAWD3EXAMPLETMP001',
      sessionToken: ISSUED_TOKEN,
      expiration: 'Mar 2, 2026, 3:05:09 PM',
    });
    expect(JSON.stringify(withToken)).not.toContain(ISSUED_SECRET);
  });

  it('E2: a cross-account AssumeRole is recorded in both accounts, linked by sharedEventID', () => {
    const events = buildEvents(
      base({
        service: STS,
        action: 'AssumeRole',
        caller: bob(),
        request: { query: query({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: `arn:aws:iam::${A}:role/deployer`, RoleSessionName: 'bob-ci', ExternalId: 'ext-7f3a9c' }) },
        outcome: ok(assumeRoleResult({ sessionName: 'bob-ci', accessKeyId: 'ASIAWD3EXAMPLETMP002' })),
        notes: notes({ alsoRecordIn: [A] }),
      }),
      { newEventId: sequentialIds() },
    );
    expect(events).toHaveLength(2);
    const [callerCopy, ownerCopy] = events as [CloudTrailEvent, CloudTrailEvent];
    expect(callerCopy.recipientAccountId).toBe(B);
    expect(callerCopy.userIdentity).toMatchObject({ type: 'IAMUser', accountId: B, accessKeyId: 'AKIAKQ4EXAMPLEKEY002', userName: 'bob' });
    expect(ownerCopy.recipientAccountId).toBe(A);
    expect(ownerCopy.userIdentity).toEqual({ type: 'AWSAccount', principalId: 'AIDAKQ4EXAMPLEBOB0001', accountId: B });
    expect(callerCopy.sharedEventID).toBeDefined();
    expect(ownerCopy.sharedEventID).toBe(callerCopy.sharedEventID);
    expect(ownerCopy.eventID).not.toBe(callerCopy.eventID);
    expect(ownerCopy.requestID).toBe(callerCopy.requestID);
    for (const member of ['requestParameters', 'responseElements', 'additionalEventData', 'resources'] as const) {
      expect(ownerCopy[member]).toEqual(callerCopy[member]);
    }
  });

  it('derives the role account copy even when the action did not list it', () => {
    const events = buildEvents(
      base({
        service: STS,
        action: 'AssumeRole',
        caller: bob(),
        request: { query: query({ Action: 'AssumeRole', RoleArn: `arn:aws:iam::${A}:role/deployer`, RoleSessionName: 'bob-ci' }) },
        outcome: ok(assumeRoleResult({ sessionName: 'bob-ci' })),
      }),
    );
    expect(events.map((e) => e.recipientAccountId)).toEqual([B, A]);
  });

  it('E3: a denied AssumeRole records the error with null parameters and no resources; cross-account denials stay in the caller account', () => {
    const message = `User: arn:aws:iam::${B}:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${A}:role/prod-admin`;
    const record = one(
      buildEvents(
        base({
          service: STS,
          action: 'AssumeRole',
          caller: bob(),
          request: { query: query({ Action: 'AssumeRole', RoleArn: `arn:aws:iam::${A}:role/prod-admin`, RoleSessionName: 'x' }) },
          outcome: failed('AccessDenied', message),
          notes: notes({ alsoRecordIn: [A] }),
        }),
      ),
    );
    expect(record).toMatchObject({ errorCode: 'AccessDenied', errorMessage: message, requestParameters: null, responseElements: null, readOnly: true, recipientAccountId: B });
    expect(record).not.toHaveProperty('resources');
    expect(record).not.toHaveProperty('additionalEventData');
    expect(record).not.toHaveProperty('sharedEventID');
  });

  it('a failed AssumeRole that is not a denial keeps its parameters; STS modeled errors take their shape name', () => {
    const params = query({ Action: 'AssumeRole', RoleArn: `arn:aws:iam::${A}:role/deployer`, RoleSessionName: 'alice', Policy: '{not json' });
    const malformed = one(buildEvents(base({ service: STS, action: 'AssumeRole', request: { query: params }, outcome: failed('MalformedPolicyDocument', 'bad policy') })));
    expect(malformed.errorCode).toBe('MalformedPolicyDocumentException');
    expect(malformed.requestParameters).toEqual({ roleArn: `arn:aws:iam::${A}:role/deployer`, roleSessionName: 'alice', policy: '{not json' });
    const invalid = one(buildEvents(base({ service: STS, action: 'AssumeRole', request: { query: params }, outcome: failed('ValidationError', '1 validation error detected') })));
    expect(invalid.errorCode).toBe('ValidationError');
  });

  it('drops TokenCode and keeps SerialNumber; policy documents are written as sent', () => {
    const policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}';
    const record = one(
      buildEvents(
        base({
          service: STS,
          action: 'AssumeRole',
          request: {
            query: query({
              Action: 'AssumeRole',
              RoleArn: `arn:aws:iam::${A}:role/deployer`,
              RoleSessionName: 'alice',
              SerialNumber: `arn:aws:iam::${A}:mfa/alice`,
              TokenCode: '123456',
              Policy: policy,
              'PolicyArns.member.1.arn': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
            }),
          },
          outcome: ok(assumeRoleResult()),
        }),
      ),
    );
    expect(record.requestParameters).toEqual({
      roleArn: `arn:aws:iam::${A}:role/deployer`,
      roleSessionName: 'alice',
      serialNumber: `arn:aws:iam::${A}:mfa/alice`,
      policy,
      policyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
    });
    expect(JSON.stringify(record)).not.toContain('123456');
  });

  it('role chaining: the caller session’s source identity is in sessionContext and its transitive tags are recorded as incomingTransitiveTags', () => {
    const caller = deployerSession({ sessionTags: [{ Key: 'team', Value: 'payments' }, { Key: 'ticket', Value: 'CHG-1042' }], transitiveTagKeys: ['team'] });
    const record = one(
      buildEvents(
        base({
          service: STS,
          action: 'AssumeRole',
          caller,
          request: { query: query({ Action: 'AssumeRole', RoleArn: `arn:aws:iam::${A}:role/auditor`, RoleSessionName: 'alice-2' }) },
          outcome: ok(assumeRoleResult({ sessionName: 'alice-2', accessKeyId: 'ASIAWD3EXAMPLETMP009', sourceIdentity: 'alice' })),
        }),
      ),
    );
    expect(record.userIdentity.sessionContext?.sourceIdentity).toBe('alice');
    expect(record.requestParameters).toEqual({ roleArn: `arn:aws:iam::${A}:role/auditor`, roleSessionName: 'alice-2', incomingTransitiveTags: { team: 'payments' } });
    expect(record.responseElements?.['sourceIdentity']).toBe('alice');
    expect(JSON.stringify(record)).not.toContain(SECRET);
  });
});

describe('buildEvents: principal types (cloudtrail.md §2)', () => {
  const gci = (caller: Parameters<typeof base>[0]['caller']) =>
    one(buildEvents(base({ service: STS, action: 'GetCallerIdentity', caller, request: { query: query({ Action: 'GetCallerIdentity', Version: '2011-06-15' }) }, outcome: ok({ UserId: 'x', Account: A, Arn: 'y' }) })));

  it('E8: an AssumedRole session carries sessionIssuer, attributes and sourceIdentity', () => {
    const record = gci(deployerSession());
    expect(record.userIdentity).toEqual({
      type: 'AssumedRole',
      principalId: 'AROAWD3EXAMPLEDEPLOY1:alice',
      arn: `arn:aws:sts::${A}:assumed-role/deployer/alice`,
      accountId: A,
      accessKeyId: 'ASIAWD3EXAMPLETMP001',
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROAWD3EXAMPLEDEPLOY1', arn: `arn:aws:iam::${A}:role/deployer`, accountId: A, userName: 'deployer' },
        webIdFederationData: {},
        attributes: { creationDate: '2026-03-02T14:05:09Z', mfaAuthenticated: 'false' },
        sourceIdentity: 'alice',
      },
    });
    expect(Object.keys(record.userIdentity.sessionContext!)).toEqual(['sessionIssuer', 'webIdFederationData', 'attributes', 'sourceIdentity']);
    // GetCallerIdentity: null parameters and elements (observed), RequestDetails kept.
    expect(record.requestParameters).toBeNull();
    expect(record.responseElements).toBeNull();
    expect(record.readOnly).toBe(true);
    expect(record.additionalEventData).toEqual({ RequestDetails: { awsServingRegion: 'us-east-1', endpointType: 'regional' } });
  });

  it('a session without source identity has no sourceIdentity member; MFA shows as "true"', () => {
    const record = gci(deployerSession({ sourceIdentity: undefined, mfaAuthenticatedAt: new Date('2026-03-02T14:05:00Z') }));
    expect(record.userIdentity.sessionContext).not.toHaveProperty('sourceIdentity');
    expect(record.userIdentity.sessionContext?.attributes).toEqual({ creationDate: '2026-03-02T14:05:09Z', mfaAuthenticated: 'true' });
  });

  it('an IAM user with a long-term key has no sessionContext', () => {
    const record = gci(alice());
    expect(record.userIdentity).toEqual({
      type: 'IAMUser',
      principalId: 'AIDARZ7EXAMPLEALICE01',
      arn: `arn:aws:iam::${A}:user/alice`,
      accountId: A,
      accessKeyId: 'AKIARZ7EXAMPLEKEY001',
      userName: 'alice',
    });
  });

  it('root: principalId is the account ID; no userName without an alias', () => {
    expect(gci(root()).userIdentity).toEqual({ type: 'Root', principalId: A, arn: `arn:aws:iam::${A}:root`, accountId: A, accessKeyId: 'AKIAROOTEXAMPLEKEY01' });
  });

  it('GetSessionToken credentials of a user or root: sessionContext with an empty sessionIssuer (E6 note)', () => {
    const claims = session({ issuer: 'GetSessionToken', sessionName: undefined, accessKeyId: 'ASIARZ7EXAMPLETMP005', mfaAuthenticatedAt: new Date('2026-03-02T14:05:09Z') });
    const user = gci({ ...alice(), accessKeyId: claims.accessKeyId, session: claims });
    expect(user.userIdentity).toEqual({
      type: 'IAMUser',
      principalId: 'AIDARZ7EXAMPLEALICE01',
      arn: `arn:aws:iam::${A}:user/alice`,
      accountId: A,
      accessKeyId: 'ASIARZ7EXAMPLETMP005',
      userName: 'alice',
      sessionContext: { sessionIssuer: {}, webIdFederationData: {}, attributes: { creationDate: '2026-03-02T14:05:09Z', mfaAuthenticated: 'true' } },
    });
    const rootSession = gci({ ...root(), accessKeyId: claims.accessKeyId, session: claims });
    expect(rootSession.userIdentity.type).toBe('Root');
    expect(rootSession.userIdentity.sessionContext?.sessionIssuer).toEqual({});
  });

  it('FederatedUser: sessionIssuer is the IAM user who called GetFederationToken, or root', () => {
    const claims = session({ issuer: 'GetFederationToken', sessionName: 'contractor-1', accessKeyId: 'ASIARZ7EXAMPLETMP006' });
    const federated = {
      type: 'FederatedUser' as const,
      accountId: A,
      arn: `arn:aws:sts::${A}:federated-user/contractor-1`,
      userId: `${A}:contractor-1`,
      accessKeyId: claims.accessKeyId,
      userName: 'alice',
      userUniqueId: 'AIDARZ7EXAMPLEALICE01',
      session: claims,
    };
    expect(gci(federated).userIdentity).toEqual({
      type: 'FederatedUser',
      principalId: `${A}:contractor-1`,
      arn: `arn:aws:sts::${A}:federated-user/contractor-1`,
      accountId: A,
      accessKeyId: 'ASIARZ7EXAMPLETMP006',
      sessionContext: {
        sessionIssuer: { type: 'IAMUser', principalId: 'AIDARZ7EXAMPLEALICE01', arn: `arn:aws:iam::${A}:user/alice`, accountId: A, userName: 'alice' },
        webIdFederationData: {},
        attributes: { creationDate: '2026-03-02T14:05:09Z', mfaAuthenticated: 'false' },
      },
    });
    const { userName: _n, userUniqueId: _u, ...byRoot } = federated;
    expect(gci(byRoot).userIdentity.sessionContext?.sessionIssuer).toEqual({ type: 'Root', principalId: A, arn: `arn:aws:iam::${A}:root`, accountId: A });
  });

  it('E4: AssumeRoleWithWebIdentity is recorded in the role account under WebIdentityUser; the token never appears', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmV4YW1wbGUifQ.c2lnbmF0dXJlLWV4YW1wbGU';
    const provider = `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`;
    const sub = 'repo:example-org/app:ref:refs/heads/main';
    const record = one(
      buildEvents(
        base({
          service: STS,
          action: 'AssumeRoleWithWebIdentity',
          caller: undefined,
          userAgent: 'aws-sdk-js/3.721.0',
          request: {
            query: query({ Action: 'AssumeRoleWithWebIdentity', RoleArn: `arn:aws:iam::${A}:role/ci-deploy`, RoleSessionName: 'gha-8841', WebIdentityToken: token, DurationSeconds: '3600' }),
          },
          outcome: ok({
            Credentials: { AccessKeyId: 'ASIAGH5EXAMPLETMP003', SecretAccessKey: ISSUED_SECRET, SessionToken: ISSUED_TOKEN, Expiration: new Date('2026-03-02T15:10:02Z') },
            SubjectFromWebIdentityToken: sub,
            AssumedRoleUser: { AssumedRoleId: 'AROAGH5EXAMPLECIROLE1:gha-8841', Arn: `arn:aws:sts::${A}:assumed-role/ci-deploy/gha-8841` },
            Provider: provider,
            Audience: 'sts.amazonaws.com',
          }),
          notes: notes({
            federatedIdentity: { type: 'WebIdentityUser', principalId: `${provider}:sts.amazonaws.com:${sub}`, userName: sub, identityProvider: provider, accountId: A },
            additionalEventData: { identityProviderConnectionVerificationMethod: 'IAMTrustStore' },
          }),
        }),
      ),
    );
    expect(record.userIdentity).toEqual({ type: 'WebIdentityUser', principalId: `${provider}:sts.amazonaws.com:${sub}`, userName: sub, identityProvider: provider });
    expect(record.recipientAccountId).toBe(A);
    expect(record.requestParameters).toEqual({ roleArn: `arn:aws:iam::${A}:role/ci-deploy`, roleSessionName: 'gha-8841', durationSeconds: 3600 });
    expect(record.responseElements).toEqual({
      credentials: { accessKeyId: 'ASIAGH5EXAMPLETMP003', expiration: 'Mar 2, 2026, 3:10:02 PM' },
      subjectFromWebIdentityToken: sub,
      assumedRoleUser: { assumedRoleId: 'AROAGH5EXAMPLECIROLE1:gha-8841', arn: `arn:aws:sts::${A}:assumed-role/ci-deploy/gha-8841` },
      provider,
      audience: 'sts.amazonaws.com',
    });
    expect(record.additionalEventData).toEqual({
      identityProviderConnectionVerificationMethod: 'IAMTrustStore',
      RequestDetails: { awsServingRegion: 'us-east-1', endpointType: 'regional' },
    });
    expect(record.resources).toEqual([{ accountId: A, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${A}:role/ci-deploy` }]);
    expect(JSON.stringify(record)).not.toContain(token);
  });

  it('E5: AssumeRoleWithSAML records sAMLAssertionID instead of the assertion, and the SAML provider as a resource', () => {
    const assertion = Buffer.from('<samlp:Response ID="_a8f3c2d1">…</samlp:Response>').toString('base64');
    const providerArn = `arn:aws:iam::${A}:saml-provider/ExampleIdP`;
    const record = one(
      buildEvents(
        base({
          service: STS,
          action: 'AssumeRoleWithSAML',
          caller: undefined,
          request: { query: query({ Action: 'AssumeRoleWithSAML', RoleArn: `arn:aws:iam::${A}:role/saml-engineer`, PrincipalArn: providerArn, SAMLAssertion: assertion }) },
          outcome: ok({ Credentials: { AccessKeyId: 'ASIASM2EXAMPLETMP004', SecretAccessKey: ISSUED_SECRET, SessionToken: ISSUED_TOKEN, Expiration: new Date('2026-03-02T15:12:20Z') } }),
          notes: notes({
            federatedIdentity: { type: 'SAMLUser', principalId: 'r/aMZtFcsrrS73/lwr9nuW/cS68=:alice@example.com', userName: 'alice@example.com', identityProvider: 'r/aMZtFcsrrS73/lwr9nuW/cS68=', accountId: A },
            extraRequestParameters: { sAMLAssertionID: '_a8f3c2d1', principalTags: { team: 'payments' } },
          }),
        }),
      ),
    );
    expect(record.requestParameters).toEqual({
      roleArn: `arn:aws:iam::${A}:role/saml-engineer`,
      principalArn: providerArn,
      sAMLAssertionID: '_a8f3c2d1',
      principalTags: { team: 'payments' },
    });
    expect(record.resources).toEqual([
      { accountId: A, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${A}:role/saml-engineer` },
      { accountId: A, type: 'AWS::IAM::SAMLProvider', ARN: providerArn },
    ]);
    expect(JSON.stringify(record)).not.toContain(assertion);
  });

  it('an unsigned call whose token did not parse names nobody and is not recorded (R1, R3)', () => {
    expect(
      buildEvents(
        base({ service: STS, action: 'AssumeRoleWithWebIdentity', caller: undefined, request: { query: query({ WebIdentityToken: 'garbage' }) }, outcome: failed('InvalidIdentityToken', 'x') }),
      ),
    ).toEqual([]);
  });
});

describe('buildEvents: GetSessionToken, GetFederationToken (E6, E7)', () => {
  it('E6: GetSessionToken is a write event with the credentials in responseElements', () => {
    const record = one(
      buildEvents(
        base({
          service: STS,
          action: 'GetSessionToken',
          request: { query: query({ Action: 'GetSessionToken', DurationSeconds: '3600', SerialNumber: `arn:aws:iam::${A}:mfa/alice`, TokenCode: '654321' }) },
          outcome: ok({ Credentials: { AccessKeyId: 'ASIARZ7EXAMPLETMP005', SecretAccessKey: ISSUED_SECRET, SessionToken: ISSUED_TOKEN, Expiration: new Date('2026-03-02T15:15:00Z') } }),
        }),
      ),
    );
    expect(record.readOnly).toBe(false);
    expect(record.requestParameters).toEqual({ durationSeconds: 3600, serialNumber: `arn:aws:iam::${A}:mfa/alice` });
    expect(record.responseElements).toEqual({ credentials: { accessKeyId: 'ASIARZ7EXAMPLETMP005', expiration: 'Mar 2, 2026, 3:15:00 PM' } });
    expect(record).not.toHaveProperty('resources');
  });

  it('E7: GetFederationToken records federatedUser and packedPolicySize', () => {
    const policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
    const record = one(
      buildEvents(
        base({
          service: STS,
          action: 'GetFederationToken',
          request: { query: query({ Action: 'GetFederationToken', Name: 'contractor-1', Policy: policy, DurationSeconds: '3600' }) },
          outcome: ok({
            Credentials: { AccessKeyId: 'ASIARZ7EXAMPLETMP006', SecretAccessKey: ISSUED_SECRET, SessionToken: ISSUED_TOKEN, Expiration: new Date('2026-03-02T15:16:45Z') },
            FederatedUser: { FederatedUserId: `${A}:contractor-1`, Arn: `arn:aws:sts::${A}:federated-user/contractor-1` },
            PackedPolicySize: 5,
          }),
        }),
      ),
    );
    expect(record.readOnly).toBe(false);
    expect(record.requestParameters).toEqual({ name: 'contractor-1', policy, durationSeconds: 3600 });
    expect(record.responseElements).toEqual({
      credentials: { accessKeyId: 'ASIARZ7EXAMPLETMP006', expiration: 'Mar 2, 2026, 3:16:45 PM' },
      federatedUser: { federatedUserId: `${A}:contractor-1`, arn: `arn:aws:sts::${A}:federated-user/contractor-1` },
      packedPolicySize: 5,
    });
  });

  it('a GetSessionToken refused for session credentials is a denial: null parameters', () => {
    const claims = session({ issuer: 'GetSessionToken' });
    const record = one(
      buildEvents(
        base({
          service: STS,
          action: 'GetSessionToken',
          caller: { ...alice(), accessKeyId: claims.accessKeyId, session: claims },
          request: { query: query({ Action: 'GetSessionToken', DurationSeconds: '900' }) },
          outcome: failed('AccessDenied', 'Cannot call GetSessionToken with session credentials'),
        }),
      ),
    );
    expect(record).toMatchObject({ errorCode: 'AccessDenied', requestParameters: null, responseElements: null, readOnly: false });
  });

  it('GetAccessKeyInfo and DecodeAuthorizationMessage are read-only with parameters and no elements', () => {
    const record = one(
      buildEvents(base({ service: STS, action: 'GetAccessKeyInfo', request: { query: query({ Action: 'GetAccessKeyInfo', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' }) }, outcome: ok({ Account: A }) })),
    );
    expect(record).toMatchObject({ readOnly: true, requestParameters: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }, responseElements: null });
  });
});

describe('buildEvents: IAM (cloudtrail.md §3.4)', () => {
  const trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}';

  it('E9: CreateRole made with a role session carries sessionContext and sourceIdentity, in us-east-1', () => {
    const record = one(
      buildEvents(
        base({
          service: IAM,
          action: 'CreateRole',
          caller: deployerSession(),
          region: 'eu-west-1',
          request: {
            query: query({
              Action: 'CreateRole',
              Version: '2010-05-08',
              RoleName: 'lambda-exec',
              AssumeRolePolicyDocument: trust,
              Description: 'Lambda execution role',
              'Tags.member.1.Key': 'team',
              'Tags.member.1.Value': 'payments',
            }),
          },
          outcome: ok({
            Role: {
              Path: '/',
              RoleName: 'lambda-exec',
              RoleId: 'AROAWD3EXAMPLELAMBDA1',
              Arn: `arn:aws:iam::${A}:role/lambda-exec`,
              CreateDate: new Date('2026-03-02T14:20:11Z'),
              AssumeRolePolicyDocument: encodeURIComponent(trust),
              Tags: [{ Key: 'team', Value: 'payments' }],
            },
          }),
        }),
      ),
    );
    expect(record.awsRegion).toBe('us-east-1');
    expect(record.userIdentity.type).toBe('AssumedRole');
    expect(record.userIdentity.principalId).toBe('AROAWD3EXAMPLEDEPLOY1:alice');
    expect(record.userIdentity.sessionContext?.sourceIdentity).toBe('alice');
    expect(record.userIdentity.sessionContext?.sessionIssuer).toMatchObject({ type: 'Role', userName: 'deployer' });
    expect(record.readOnly).toBe(false);
    expect(record.requestParameters).toEqual({ roleName: 'lambda-exec', assumeRolePolicyDocument: trust, description: 'Lambda execution role', tags: [{ key: 'team', value: 'payments' }] });
    expect(record.responseElements).toEqual({
      role: {
        path: '/',
        roleName: 'lambda-exec',
        roleId: 'AROAWD3EXAMPLELAMBDA1',
        arn: `arn:aws:iam::${A}:role/lambda-exec`,
        createDate: 'Mar 2, 2026 2:20:11 PM',
        assumeRolePolicyDocument: encodeURIComponent(trust),
        tags: [{ key: 'team', value: 'payments' }],
      },
    });
    expect(record).not.toHaveProperty('resources');
    expect(record).not.toHaveProperty('additionalEventData');
  });

  it('E10: an IAM denial records null parameters', () => {
    const record = one(
      buildEvents(
        base({ service: IAM, action: 'CreateUser', caller: bob(), request: { query: query({ Action: 'CreateUser', UserName: 'mallory' }) }, outcome: failed('AccessDenied', 'User: … is not authorized') }),
      ),
    );
    expect(record).toMatchObject({ errorCode: 'AccessDenied', requestParameters: null, responseElements: null, readOnly: false, recipientAccountId: B, awsRegion: 'us-east-1' });
  });

  it('IAM modeled errors are recorded under their shape name with the parameters as sent', () => {
    const record = one(
      buildEvents(base({ service: IAM, action: 'GetRole', request: { query: query({ Action: 'GetRole', RoleName: 'ghost' }) }, outcome: failed('NoSuchEntity', 'The role with name ghost cannot be found.') })),
    );
    expect(record).toMatchObject({ errorCode: 'NoSuchEntityException', errorMessage: 'The role with name ghost cannot be found.', requestParameters: { roleName: 'ghost' }, readOnly: true });
    const validation = one(buildEvents(base({ service: IAM, action: 'CreateRole', request: { query: query({ RoleName: '' }) }, outcome: failed('ValidationError', 'x') })));
    expect(validation.errorCode).toBe('ValidationException');
    const already = one(buildEvents(base({ service: IAM, action: 'CreateRole', request: { query: query({ RoleName: 'a' }) }, outcome: failed('EntityAlreadyExists', 'x') })));
    expect(already.errorCode).toBe('EntityAlreadyExistsException');
  });

  it('read-only IAM calls and empty results have null responseElements', () => {
    const get = one(buildEvents(base({ service: IAM, action: 'GetRole', request: { query: query({ RoleName: 'x' }) }, outcome: ok({ Role: { RoleName: 'x' } }) })));
    expect(get.responseElements).toBeNull();
    const attach = one(buildEvents(base({ service: IAM, action: 'AttachRolePolicy', request: { query: query({ RoleName: 'x', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }) }, outcome: ok(undefined) })));
    expect(attach).toMatchObject({ responseElements: null, requestParameters: { roleName: 'x', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, readOnly: false });
  });

  it('CreateAccessKey never records the secret; CreateLoginProfile drops the password; ChangePassword records null', () => {
    const key = one(
      buildEvents(
        base({
          service: IAM,
          action: 'CreateAccessKey',
          request: { query: query({ Action: 'CreateAccessKey', UserName: 'alice' }) },
          outcome: ok({ AccessKey: { UserName: 'alice', AccessKeyId: 'AKIANEWEXAMPLEKEY003', Status: 'Active', SecretAccessKey: ISSUED_SECRET, CreateDate: new Date('2026-03-02T14:00:00Z') } }),
        }),
      ),
    );
    expect(key.responseElements).toEqual({ accessKey: { userName: 'alice', accessKeyId: 'AKIANEWEXAMPLEKEY003', status: 'Active', createDate: 'Mar 2, 2026 2:00:00 PM' } });
    expect(JSON.stringify(key)).not.toContain(ISSUED_SECRET);

    const login = one(
      buildEvents(
        base({
          service: IAM,
          action: 'CreateLoginProfile',
          request: { query: query({ Action: 'CreateLoginProfile', UserName: 'alice', Password: 'Sup3r-Secret-Passw0rd!', PasswordResetRequired: 'false' }) },
          outcome: ok({ LoginProfile: { UserName: 'alice', CreateDate: new Date('2026-03-02T14:00:00Z'), PasswordResetRequired: false } }),
        }),
      ),
    );
    expect(login.requestParameters).toEqual({ userName: 'alice', passwordResetRequired: false });
    expect(JSON.stringify(login)).not.toContain('Sup3r-Secret-Passw0rd!');

    const change = one(
      buildEvents(base({ service: IAM, action: 'ChangePassword', request: { query: query({ OldPassword: 'Old-Passw0rd-123', NewPassword: 'New-Passw0rd-456' }) }, outcome: ok(undefined) })),
    );
    expect(change.requestParameters).toBeNull();
    expect(JSON.stringify(change)).not.toMatch(/Passw0rd/);
  });
});

describe('buildEvents: JSON services', () => {
  it('Organizations: global (us-east-1), read-only describe with no input has null parameters', () => {
    const record = one(
      buildEvents(base({ service: ORGANIZATIONS, action: 'DescribeOrganization', region: 'eu-west-1', request: { json: {} }, outcome: ok({ Organization: { Id: 'o-abc' } }) })),
    );
    expect(record).toMatchObject({ eventSource: 'organizations.amazonaws.com', awsRegion: 'us-east-1', readOnly: true, requestParameters: null, responseElements: null });
  });

  it('CloudTrail LookupEvents: lowerCamel parameters, regional, denial recorded as AccessDenied', () => {
    const request = { json: { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }], MaxResults: 5 } };
    const record = one(buildEvents(base({ service: CLOUDTRAIL, action: 'LookupEvents', region: 'eu-west-1', request, outcome: ok({ Events: [] }) })));
    expect(record).toMatchObject({
      eventSource: 'cloudtrail.amazonaws.com',
      awsRegion: 'eu-west-1',
      readOnly: true,
      requestParameters: { lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'AssumeRole' }], maxResults: 5 },
      responseElements: null,
    });
    const denied = one(buildEvents(base({ service: CLOUDTRAIL, action: 'LookupEvents', request, outcome: failed('AccessDeniedException', 'User: x is not authorized') })));
    expect(denied).toMatchObject({ errorCode: 'AccessDenied', requestParameters: null });
  });
});

describe('buildEvents: limits and guards', () => {
  it('truncates userAgent and errorMessage at 1 KB and omits an empty userAgent', () => {
    const record = one(
      buildEvents(base({ service: STS, action: 'GetCallerIdentity', userAgent: 'u'.repeat(5000), outcome: failed('InvalidParameterValue', 'm'.repeat(5000)) })),
    );
    expect(record.userAgent).toHaveLength(1024);
    expect(record.errorMessage).toHaveLength(1024);
    expect(one(buildEvents(base({ service: STS, action: 'GetCallerIdentity', userAgent: '' })))).not.toHaveProperty('userAgent');
  });

  it('records null instead of parameters above 100 KB', () => {
    const record = one(
      buildEvents(base({ service: IAM, action: 'PutRolePolicy', request: { query: query({ RoleName: 'r', PolicyName: 'p', PolicyDocument: 'x'.repeat(110 * 1024) }) }, outcome: ok(undefined) })),
    );
    expect(record.requestParameters).toBeNull();
  });

  it('records null parameters for input nested deeper than any shape (a fuzzed body must not crash the audit)', () => {
    let deep: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const json = one(buildEvents(base({ service: ORGANIZATIONS, action: 'DescribeAccount', request: { json: { AccountId: deep } as never }, outcome: failed('InvalidInputException', 'x') })));
    expect(json.requestParameters).toBeNull();
    const dotted = one(buildEvents(base({ service: IAM, action: 'GetRole', request: { query: query({ ['a.'.repeat(5000) + 'b']: 'x', RoleName: 'r' }) }, outcome: failed('NoSuchEntity', 'x') })));
    expect(dotted.requestParameters).toBeNull();
  });

  it('drops presigned-URL members such as X-Amz-Security-Token', () => {
    const record = one(
      buildEvents(base({ service: STS, action: 'GetAccessKeyInfo', request: { query: query({ AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', 'X-Amz-Security-Token': ISSUED_TOKEN }) }, outcome: ok({ Account: A }) })),
    );
    expect(record.requestParameters).toEqual({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
  });

  it('scrubs a secret that an action put into its audit notes', () => {
    const caller = deployerSession();
    const record = one(
      buildEvents(
        base({
          service: STS,
          action: 'AssumeRole',
          caller,
          request: { query: query({ RoleArn: `arn:aws:iam::${A}:role/x`, RoleSessionName: 's' }) },
          outcome: ok(assumeRoleResult()),
          notes: notes({ responseElements: { leaked: SECRET, nested: { secretAccessKey: ISSUED_SECRET, sessionToken: ISSUED_TOKEN } } }),
        }),
      ),
    );
    const text = JSON.stringify(record);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(ISSUED_SECRET);
    expect(text).not.toContain(ISSUED_TOKEN);
    expect(text).not.toMatch(/secretAccessKey/i);
  });

  it('stamps eventVersion 1.11, whole-second eventTime, fresh UUIDs', () => {
    const [a, b] = [one(buildEvents(base({ service: STS, action: 'GetCallerIdentity' }))), one(buildEvents(base({ service: STS, action: 'GetCallerIdentity' })))];
    expect(a.eventVersion).toBe(EVENT_VERSION);
    expect(a.eventTime).toBe('2026-03-02T14:05:09Z');
    expect(a.eventID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.eventID).not.toBe(b.eventID);
  });
});
