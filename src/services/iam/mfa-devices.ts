import { timingSafeEqual } from 'node:crypto';
import QRCode from 'qrcode';
import { rootArn } from '../../auth/principal.js';
import { randomBase32 } from '../../ids.js';
import { AwsError } from '../../protocol/errors.js';
import type { QueryInput } from '../../protocol/query.js';
import type { XmlObject } from '../../protocol/xml.js';
import type { MfaDeviceRecord } from '../../store/types.js';
import type { ActionContext, QueryAction } from '../action.js';
import { totpFor } from '../sts/mfa.js';
import {
  RULES,
  checkPath,
  checkTagSemantics,
  iamCaller,
  implicitUser,
  pageMembers,
  paginate,
  readEnum,
  readMarker,
  readMaxItems,
  readPath,
  readTags,
  requestTagContext,
  stored,
  tagMembers,
  type IamCaller,
} from './common.js';
import { authorizeOn, lookupEntity } from './entities.js';
import { userShape } from './shapes.js';

// ── member rules from the IAM model (CreateVirtualMFADevice, EnableMFADevice, …)

const SERIAL_NUMBER = { required: true, min: 9, max: 256, pattern: { test: /^[\w+=/:,.@-]+$/, text: '[\\w+=/:,.@-]+' } } as const;
const DEVICE_NAME = { required: true, min: 1, pattern: { test: /^[\w+=,.@-]+$/, text: '[\\w+=,.@-]+' } } as const;
const AUTH_CODE = { required: true, min: 6, max: 6, pattern: { test: /^[\d]+$/, text: '[\\d]+' } } as const;
const OPTIONAL_USER = { ...RULES.existingUserName, required: false } as const;
const ASSIGNMENT_STATUS = ['Assigned', 'Unassigned', 'Any'] as const;

/** 40 random bytes as 64 Base32 characters, the length of AWS's virtual-device seeds (UNVERIFIED). */
const SEED_LENGTH = 64;
const STEP_MS = 30_000;
/** IAM quota: MFA devices in use per user (query-protocol.md §5.1). */
const DEVICES_PER_USER = 8;

function seedPurpose(serialNumber: string): string {
  return `mfa-seed:${serialNumber}`;
}

function noSuchDevice(serialNumber: string): AwsError {
  return new AwsError('NoSuchEntity', `MFA Device with serial number ${serialNumber} does not exist.`);
}

/** The user whose devices an action without UserName reads: the signing user, or root. */
interface Owner {
  /** The IAM user's unique ID, or the account ID for root (as MfaDeviceRecord.userId). */
  readonly ownerId: string;
  readonly arn: string;
  readonly userName: string;
}

async function resolveOwner(ctx: ActionContext, who: IamCaller, requested: string | undefined, action: string): Promise<Owner> {
  const implicit = requested === undefined ? implicitUser(who.caller) : undefined;
  if (implicit?.kind === 'root') {
    const arn = rootArn(who.partition, who.accountId);
    await ctx.authorize({ action, resource: arn });
    // MFADevice.UserName is required; for the root user AWS's value is UNVERIFIED (the account ID here).
    return { ownerId: who.accountId, arn, userName: who.accountId };
  }
  const name = requested ?? (implicit as { readonly name: string }).name;
  const target = await lookupEntity(ctx, who, 'user', name);
  await authorizeOn(ctx, action, target);
  const user = target.require();
  return { ownerId: user.id, arn: user.arn, userName: user.name };
}

/**
 * Whether `code1` and `code2` are the codes of two consecutive time steps, the second one at
 * most a step away from now (clock skew either side). Returns the second step, which becomes
 * the last one used so neither code can sign in later. AWS's exact window is UNVERIFIED.
 */
export function consecutiveSteps(seedBase32: string, code1: string, code2: string, now: Date): number | undefined {
  const totp = totpFor(seedBase32);
  const current = Math.floor(now.getTime() / STEP_MS);
  for (let second = current + 1; second >= current - 1; second--) {
    if (sameCode(totp.generate({ timestamp: (second - 1) * STEP_MS }), code1) && sameCode(totp.generate({ timestamp: second * STEP_MS }), code2)) {
      return second;
    }
  }
  return undefined;
}

function sameCode(expected: string, given: string): boolean {
  return expected.length === given.length && timingSafeEqual(Buffer.from(expected), Buffer.from(given));
}

/** `otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String` (IAM API reference, VirtualMFADevice). */
export function otpauthUri(deviceName: string, accountName: string, seedBase32: string): string {
  return `otpauth://totp/${encodeURIComponent(deviceName)}@${encodeURIComponent(accountName)}?secret=${seedBase32}`;
}

export const createVirtualMfaDevice: QueryAction = {
  name: 'CreateVirtualMFADevice',
  async run(input, ctx) {
    const rawPath = readPath(input);
    const name = input.string('VirtualMFADeviceName', DEVICE_NAME);
    const tags = readTags(input);
    input.done();
    const path = checkPath(rawPath);
    const who = iamCaller(ctx);
    const serialNumber = `arn:${who.partition}:iam::${who.accountId}:mfa${path}${name}`;
    await ctx.authorize({ action: 'iam:CreateVirtualMFADevice', resource: serialNumber, context: requestTagContext(tags) });
    // MFA device tag keys compare exactly, like every IAM resource but users and roles (query-protocol.md §5).
    checkTagSemantics(tags, false);
    const seed = randomBase32(SEED_LENGTH);
    const device: MfaDeviceRecord = {
      accountId: who.accountId,
      serialNumber,
      path,
      name,
      seedCiphertext: ctx.secrets.seal(seed, seedPurpose(serialNumber)),
      createdAt: ctx.clock.now(),
      tags: tags ?? [],
    };
    // The image first: once the device is stored, the caller must receive its seed.
    const png = await QRCode.toBuffer(otpauthUri(name, who.accountId, seed), { type: 'png', errorCorrectionLevel: 'M' });
    await stored(() => ctx.store.createMfaDevice(device));
    // Blobs travel base64-encoded: Base32StringSeed is the base64 of the Base32 text (the only time it leaves the server).
    return {
      VirtualMFADevice: {
        SerialNumber: serialNumber,
        Base32StringSeed: Buffer.from(seed, 'ascii').toString('base64'),
        QRCodePNG: png.toString('base64'),
        Tags: tags && tags.length > 0 ? tagMembers(tags) : undefined,
      },
    };
  },
};

export const enableMfaDevice: QueryAction = {
  name: 'EnableMFADevice',
  async run(input, ctx) {
    const userName = input.string('UserName', RULES.existingUserName);
    const serialNumber = input.string('SerialNumber', SERIAL_NUMBER);
    const code1 = input.string('AuthenticationCode1', AUTH_CODE);
    const code2 = input.string('AuthenticationCode2', AUTH_CODE);
    input.done();
    const who = iamCaller(ctx);
    const target = await lookupEntity(ctx, who, 'user', userName);
    await authorizeOn(ctx, 'iam:EnableMFADevice', target);
    const user = target.require();
    const device = await ctx.store.getMfaDevice(who.accountId, serialNumber);
    if (!device) throw noSuchDevice(serialNumber);
    if (device.userId !== undefined) throw new AwsError('EntityAlreadyExists', 'MFA Device is already in use.');
    const inUse = (await ctx.store.listMfaDevices(who.accountId)).filter((d) => d.userId === user.id).length;
    // The quota's LimitExceeded wording follows the other "Cannot exceed quota" texts (UNVERIFIED for MFA).
    if (inUse >= DEVICES_PER_USER) throw new AwsError('LimitExceeded', `Cannot exceed quota for MFADevicesPerUser: ${DEVICES_PER_USER}`);
    const now = ctx.request.receivedAt;
    const seed = ctx.secrets.open(device.seedCiphertext, seedPurpose(device.serialNumber));
    const lastStep = consecutiveSteps(seed, code1, code2, now);
    if (lastStep === undefined) throw new AwsError('InvalidAuthenticationCode', 'Authentication code for device is not valid.');
    if (!(await ctx.store.enableMfaDevice(who.accountId, serialNumber, user.id, now, lastStep))) {
      throw new AwsError('EntityAlreadyExists', 'MFA Device is already in use.');
    }
    return undefined;
  },
};

export const deactivateMfaDevice: QueryAction = {
  name: 'DeactivateMFADevice',
  async run(input, ctx) {
    const userName = input.string('UserName', OPTIONAL_USER);
    const serialNumber = input.string('SerialNumber', SERIAL_NUMBER);
    input.done();
    const who = iamCaller(ctx);
    const owner = await resolveOwner(ctx, who, userName, 'iam:DeactivateMFADevice');
    const device = await ctx.store.getMfaDevice(who.accountId, serialNumber);
    // A device enabled for someone else is answered like a missing one (UNVERIFIED; only the missing case is recorded).
    if (!device || device.userId !== owner.ownerId) throw noSuchDevice(serialNumber);
    await ctx.store.deactivateMfaDevice(who.accountId, serialNumber);
    return undefined;
  },
};

export const deleteVirtualMfaDevice: QueryAction = {
  name: 'DeleteVirtualMFADevice',
  async run(input, ctx) {
    const serialNumber = input.string('SerialNumber', SERIAL_NUMBER);
    input.done();
    const who = iamCaller(ctx);
    await ctx.authorize({ action: 'iam:DeleteVirtualMFADevice', resource: serialNumber });
    const device = await ctx.store.getMfaDevice(who.accountId, serialNumber);
    if (!device) throw noSuchDevice(serialNumber);
    // AWS's text as quoted in hashicorp/terraform-provider-aws#32462 (observed, not recorded).
    if (device.userId !== undefined) throw new AwsError('DeleteConflict', 'MFA VirtualDevice in use. Must deactivate first');
    await ctx.store.deleteMfaDevice(who.accountId, serialNumber);
    return undefined;
  },
};

export const listMfaDevices: QueryAction = {
  name: 'ListMFADevices',
  async run(input, ctx) {
    const userName = input.string('UserName', OPTIONAL_USER);
    const marker = readMarker(input);
    const maxItems = readMaxItems(input);
    input.done();
    const who = iamCaller(ctx);
    const owner = await resolveOwner(ctx, who, userName, 'iam:ListMFADevices');
    const devices = (await ctx.store.listMfaDevices(who.accountId)).filter((d) => d.userId === owner.ownerId);
    const page = paginate(devices, (d) => d.serialNumber, marker, maxItems);
    return pageMembers('MFADevices', {
      ...page,
      items: page.items.map((d) => ({ UserName: owner.userName, SerialNumber: d.serialNumber, EnableDate: d.enabledAt })),
    });
  },
};

function readAssignmentStatus(input: QueryInput): (typeof ASSIGNMENT_STATUS)[number] {
  return readEnum(input, 'AssignmentStatus', ASSIGNMENT_STATUS) ?? 'Any';
}

/** Assigned devices carry User (without tags or boundary, as recorded) and EnableDate; the seed never appears. */
async function virtualDeviceShape(ctx: ActionContext, who: IamCaller, device: MfaDeviceRecord): Promise<XmlObject> {
  if (device.userId === undefined) return { SerialNumber: device.serialNumber };
  let user: XmlObject;
  if (device.userId === who.accountId) {
    const account = await ctx.store.getAccount(who.accountId);
    user = { UserId: who.accountId, Arn: rootArn(who.partition, who.accountId), CreateDate: account?.joinedAt ?? device.createdAt };
  } else {
    const record = await ctx.store.getUserById(device.userId);
    user = record ? userShape(record) : { UserId: device.userId };
  }
  return { SerialNumber: device.serialNumber, User: user, EnableDate: device.enabledAt };
}

export const listVirtualMfaDevices: QueryAction = {
  name: 'ListVirtualMFADevices',
  async run(input, ctx) {
    const status = readAssignmentStatus(input);
    const marker = readMarker(input);
    const maxItems = readMaxItems(input);
    input.done();
    const who = iamCaller(ctx);
    await ctx.authorize({ action: 'iam:ListVirtualMFADevices', resource: '*' });
    const devices = (await ctx.store.listMfaDevices(who.accountId)).filter((d) =>
      status === 'Any' ? true : status === 'Assigned' ? d.userId !== undefined : d.userId === undefined,
    );
    const page = paginate(devices, (d) => d.serialNumber, marker, maxItems);
    const items: XmlObject[] = [];
    for (const device of page.items) items.push(await virtualDeviceShape(ctx, who, device));
    return pageMembers('VirtualMFADevices', { ...page, items });
  },
};

export const MFA_DEVICE_ACTIONS: readonly QueryAction[] = [
  createVirtualMfaDevice,
  enableMfaDevice,
  deactivateMfaDevice,
  deleteVirtualMfaDevice,
  listMfaDevices,
  listVirtualMfaDevices,
];
