import { Secret, TOTP } from 'otpauth';
import type { Caller } from '../../auth/principal.js';
import { AwsError } from '../../protocol/errors.js';
import type { ActionContext } from '../action.js';

const PERIOD_SECONDS = 30;

/** A virtual MFA device's TOTP: RFC 6238, SHA-1, 6 digits, 30-second steps (as AWS's virtual devices). */
export function totpFor(seedBase32: string): TOTP {
  return new TOTP({ secret: Secret.fromBase32(seedBase32), digits: 6, period: PERIOD_SECONDS, algorithm: 'SHA1' });
}

/** The time step a code belongs to, within one step of `now` either side; undefined if it matches none. */
export function matchingStep(seedBase32: string, code: string, now: Date): number | undefined {
  const delta = totpFor(seedBase32).validate({ token: code, timestamp: now.getTime(), window: 1 });
  return delta === null ? undefined : Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
}

/**
 * Verifies SerialNumber + TokenCode for the calling user (sts-api.md §10.5). Returns when MFA
 * was authenticated, undefined when neither was given; throws AccessDenied with AWS's text.
 * A code is accepted once: its time step must be newer than the last one accepted.
 */
export async function verifyMfa(
  ctx: ActionContext,
  caller: Caller,
  serialNumber: string | undefined,
  tokenCode: string | undefined,
  action: 'AssumeRole' | 'GetSessionToken',
): Promise<Date | undefined> {
  if (serialNumber === undefined && tokenCode === undefined) return undefined;
  const invalid =
    action === 'GetSessionToken'
      ? 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.'
      : 'MultiFactorAuthentication failed with invalid MFA one time pass code.';
  if (serialNumber === undefined || tokenCode === undefined) {
    throw new AwsError('AccessDenied', 'MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.');
  }
  const owner = caller.type === 'Root' ? caller.accountId : caller.userUniqueId;
  const device = await ctx.store.getMfaDevice(caller.accountId, serialNumber);
  if (!device || owner === undefined || device.userId !== owner) throw new AwsError('AccessDenied', invalid);
  const now = ctx.request.receivedAt;
  const seed = ctx.secrets.open(device.seedCiphertext, `mfa-seed:${device.serialNumber}`);
  const step = matchingStep(seed, tokenCode, now);
  if (step === undefined || !(await ctx.store.consumeMfaStep(caller.accountId, serialNumber, step))) {
    throw new AwsError('AccessDenied', invalid);
  }
  return now;
}
