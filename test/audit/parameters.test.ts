import { describe, expect, it } from 'vitest';
import { isReadOnly, recordedErrorCode } from '../../src/audit/classify.js';
import { elementTimeText, eventTimeText, truncate } from '../../src/audit/format.js';
import { jsonRequestParameters, queryRequestParameters, responseElementsOf } from '../../src/audit/parameters.js';
import { AwsError } from '../../src/protocol/errors.js';
import { query } from './fixtures.js';

describe('queryRequestParameters (cloudtrail.md §6.1)', () => {
  it('lower-cases the first letter, types integers and booleans, keeps strings as sent', () => {
    expect(queryRequestParameters(query({ Action: 'X', Version: 'v', RoleName: 'Admin', MaxSessionDuration: '7200', PasswordResetRequired: 'true', Path: '/a/' }))).toEqual({
      roleName: 'Admin',
      maxSessionDuration: 7200,
      passwordResetRequired: true,
      path: '/a/',
    });
  });

  it('keeps numeric-looking text of string members as text', () => {
    expect(queryRequestParameters(query({ RoleName: '12345', UserName: 'true' }))).toEqual({ roleName: '12345', userName: 'true' });
  });

  it('turns member lists into arrays, in index order, and struct members into objects', () => {
    expect(
      queryRequestParameters(
        query({
          'TagKeys.member.2': 'b',
          'TagKeys.member.1': 'a',
          'PolicyArns.member.1.arn': 'arn:aws:iam::aws:policy/A',
          'ProvidedContexts.member.1.ProviderArn': 'arn:aws:iam::aws:contextProvider/IdentityCenter',
          'ProvidedContexts.member.1.ContextAssertion': 'opaque-assertion',
        }),
      ),
    ).toEqual({
      tagKeys: ['a', 'b'],
      policyArns: [{ arn: 'arn:aws:iam::aws:policy/A' }],
      providedContexts: [{ providerArn: 'arn:aws:iam::aws:contextProvider/IdentityCenter' }],
    });
  });

  it('turns entry maps into objects and the empty-list form into []', () => {
    expect(queryRequestParameters(query({ 'Attributes.entry.1.key': 'k1', 'Attributes.entry.1.value': 'v1', 'Attributes.entry.2.key': 'k2', 'Attributes.entry.2.value': 'v2', Tags: '' }))).toEqual({
      attributes: { k1: 'v1', k2: 'v2' },
      tags: [],
    });
  });

  it('is undefined when only protocol members were sent', () => {
    expect(queryRequestParameters(query({ Action: 'GetCallerIdentity', Version: '2011-06-15' }))).toBeUndefined();
  });

  it('drops secret members at any depth', () => {
    expect(queryRequestParameters(query({ UserName: 'u', Password: 'p', NewPassword: 'n', AuthenticationCode1: '1', 'X-Amz-Security-Token': 't' }))).toEqual({ userName: 'u' });
  });
});

describe('JSON parameters and response elements', () => {
  it('lowerCamels JSON input recursively', () => {
    expect(jsonRequestParameters({ AccountId: '1', Filter: { Name: 'x' }, List: [{ A: 1 }] })).toEqual({ accountId: '1', filter: { name: 'x' }, list: [{ a: 1 }] });
    expect(jsonRequestParameters({})).toBeUndefined();
  });

  it('formats dates by service style and drops secrets and, by default, session tokens', () => {
    const result = { Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date('2026-01-01T00:05:09Z') }, Items: [{ CreateDate: new Date('2026-01-01T12:00:00Z') }] };
    expect(responseElementsOf(result, { timeStyle: 'sts', includeSessionToken: false })).toEqual({
      credentials: { accessKeyId: 'ASIA', expiration: 'Jan 1, 2026, 12:05:09 AM' },
      items: [{ createDate: 'Jan 1, 2026, 12:00:00 PM' }],
    });
    expect(responseElementsOf(result, { timeStyle: 'iam', includeSessionToken: true })).toEqual({
      credentials: { accessKeyId: 'ASIA', sessionToken: 't', expiration: 'Jan 1, 2026 12:05:09 AM' },
      items: [{ createDate: 'Jan 1, 2026 12:00:00 PM' }],
    });
  });
});

describe('formats (cloudtrail.md §1.4)', () => {
  it('eventTime is whole seconds UTC', () => {
    expect(eventTimeText(new Date('2024-08-02T08:20:52.999Z'))).toBe('2024-08-02T08:20:52Z');
  });

  it('STS and IAM element timestamps follow the observed shapes', () => {
    expect(elementTimeText(new Date('2024-11-30T20:43:17Z'), 'sts')).toBe('Nov 30, 2024, 8:43:17 PM');
    expect(elementTimeText(new Date('2024-08-01T13:37:41Z'), 'iam')).toBe('Aug 1, 2024 1:37:41 PM');
    expect(elementTimeText(new Date('2024-08-01T00:00:05Z'), 'iam')).toBe('Aug 1, 2024 12:00:05 AM');
  });

  it('truncate does not split a surrogate pair', () => {
    expect(truncate('ab😀', 3)).toBe('ab');
    expect(truncate('abc', 3)).toBe('abc');
  });
});

describe('classification (cloudtrail.md §6.3–6.4, §1.3)', () => {
  it('readOnly', () => {
    expect(isReadOnly('sts', 'AssumeRole')).toBe(true);
    expect(isReadOnly('sts', 'GetSessionToken')).toBe(false);
    expect(isReadOnly('sts', 'GetFederationToken')).toBe(false);
    expect(isReadOnly('iam', 'ListRoles')).toBe(true);
    expect(isReadOnly('iam', 'GenerateCredentialReport')).toBe(true);
    expect(isReadOnly('iam', 'CreateRole')).toBe(false);
    expect(isReadOnly('iam', 'TagRole')).toBe(false);
    expect(isReadOnly('cloudtrail', 'LookupEvents')).toBe(true);
    expect(isReadOnly('organizations', 'CreateAccount')).toBe(false);
  });

  it('errorCode', () => {
    expect(recordedErrorCode('iam', new AwsError('NoSuchEntity', 'x'))).toBe('NoSuchEntityException');
    expect(recordedErrorCode('iam', new AwsError('AccessDenied', 'x'))).toBe('AccessDenied');
    expect(recordedErrorCode('iam', new AwsError('InvalidInput', 'x'))).toBe('InvalidInputException');
    expect(recordedErrorCode('sts', new AwsError('PackedPolicyTooLarge', 'x'))).toBe('PackedPolicyTooLargeException');
    expect(recordedErrorCode('sts', new AwsError('ExpiredTokenException', 'x'))).toBe('ExpiredTokenException');
    expect(recordedErrorCode('sts', new AwsError('InvalidParameterValue', 'x'))).toBe('InvalidParameterValue');
    expect(recordedErrorCode('organizations', new AwsError('AccessDeniedException', 'x'))).toBe('AccessDeniedException');
  });
});
