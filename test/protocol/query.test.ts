import { describe, expect, it } from 'vitest';
import { AwsError } from '../../src/protocol/errors.js';
import { QueryInput, decodeForm, queryError, querySuccess } from '../../src/protocol/query.js';

describe('Query protocol', () => {
  it('decodes form bodies: + is a space, percent-escapes, later duplicates win, empty values', () => {
    const params = decodeForm('Action=AssumeRole&RoleSessionName=a+b%2Bc&Tags=&X=1&X=2');
    expect(params.get('RoleSessionName')).toBe('a b+c');
    expect(params.get('Tags')).toBe('');
    expect(params.get('X')).toBe('2');
  });

  it('rejects a malformed percent escape with a 4xx, not an exception', () => {
    expect(() => decodeForm('Action=%E0%A4%A')).toThrowError(AwsError);
  });

  it('reads lists, struct lists and empty lists', () => {
    const input = new QueryInput(
      decodeForm('Tags.member.2.Key=b&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Value=&TransitiveTagKeys=&PolicyArns.member.1.arn=x'),
      { echoValues: true },
    );
    expect(input.structList('Tags', ['Key', 'Value'])).toEqual([{ Key: 'a', Value: '1' }, { Key: 'b', Value: '' }]);
    expect(input.list('TransitiveTagKeys')).toEqual([]);
    expect(input.list('Missing')).toBeUndefined();
    expect(input.structList('PolicyArns', ['arn'])).toEqual([{ arn: 'x' }]);
  });

  it('rejects gaps in list indices', () => {
    const input = new QueryInput(decodeForm('Names.member.1=a&Names.member.3=c'), { echoValues: false });
    expect(() => input.list('Names')).toThrowError(/Invalid list index/);
  });

  it('words validation errors as STS does (value echoed) and as IAM does (value omitted)', () => {
    const sts = new QueryInput(decodeForm('RoleSessionName=a'), { echoValues: true });
    sts.string('RoleSessionName', { required: true, min: 2, max: 64 });
    sts.string('RoleArn', { required: true });
    expect(() => sts.done()).toThrowError(
      "2 validation errors detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; Value 'null' at 'roleArn' failed to satisfy constraint: Member must not be null",
    );
    const iam = new QueryInput(decodeForm('Path=' + 'a'.repeat(513)), { echoValues: false });
    iam.string('Path', { max: 512 });
    expect(() => iam.done()).toThrowError("1 validation error detected: Value at 'path' failed to satisfy constraint: Member must have length less than or equal to 512");
  });

  it('writes the success and error envelopes AWS writes', () => {
    expect(querySuccess('GetCallerIdentity', 'https://sts.amazonaws.com/doc/2011-06-15/', { Arn: 'a&b', Account: '1' }, 'rid')).toBe(
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>a&amp;b</Arn><Account>1</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
    );
    expect(querySuccess('DeleteRole', 'ns', undefined, 'rid')).toBe('<DeleteRoleResponse xmlns="ns"><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></DeleteRoleResponse>');
    expect(querySuccess('ListRoles', 'ns', { Roles: [], IsTruncated: false }, 'r')).toContain('<Roles/><IsTruncated>false</IsTruncated>');
    expect(queryError(new AwsError('NoSuchEntity', 'The role with name x cannot be found.'), 'ns', 'rid')).toBe(
      '<ErrorResponse xmlns="ns"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name x cannot be found.</Message></Error><RequestId>rid</RequestId></ErrorResponse>',
    );
  });
});
