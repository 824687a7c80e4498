import { expect } from 'vitest';

export interface CaughtError {
  readonly code: string;
  readonly message: string;
  readonly status: number | undefined;
}

/** The AWS error a call failed with: wire code (`Error/Code`), message, HTTP status. */
export async function awsError(promise: Promise<unknown>): Promise<CaughtError> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; Code?: string; Error?: { Code?: string }; $metadata?: { httpStatusCode?: number }; $response?: { body?: unknown } };
    return { code: e.Code ?? e.Error?.Code ?? e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

export async function expectError(promise: Promise<unknown>, code: string, message: string | RegExp, status?: number): Promise<void> {
  const caught = await awsError(promise);
  expect(caught.code).toBe(code);
  if (typeof message === 'string') expect(caught.message).toBe(message);
  else expect(caught.message).toMatch(message);
  if (status !== undefined) expect(caught.status).toBe(status);
}

export const TRUST_EC2 = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export const S3_LIST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] });

export function document(statements: readonly Record<string, unknown>[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}
