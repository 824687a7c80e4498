import type { JsonObject } from '../services/action.js';
import type { AwsError } from './errors.js';

/** JSON 1.1 (query-protocol.md §4): the body is a JSON object; `{}` when the input is empty. */
export function decodeJsonBody(body: string): { ok: true; value: JsonObject } | { ok: false } {
  if (body.trim().length === 0) return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(body);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false };
    return { ok: true, value: value as JsonObject };
  } catch {
    return { ok: false };
  }
}

/** Dates become epoch seconds; undefined members are dropped. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
}

export function jsonError(error: AwsError): string {
  return JSON.stringify({ __type: error.code, Message: error.message, ...(error.extra ?? {}) });
}
