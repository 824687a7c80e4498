/** Shared pieces of the policy validator: the stop-at-first-error mechanism and raw statements. */

import type { PolicyError } from './errors.js';
import type { JsonNode, JsonObject } from './json.js';

/** Raised inside the validator to stop at the first problem, like IAM. */
export class Stop {
  constructor(readonly error: PolicyError) {}
}
export const stop = (error: PolicyError): never => {
  throw new Stop(error);
};

export interface RawStatement {
  readonly node: JsonObject;
  readonly path: string;
  readonly index: number;
  readonly fields: ReadonlyMap<string, { readonly value: JsonNode; readonly path: string }>;
}

/** The strings of a `string | string[]` element with their paths (syntax already checked). */
export function stringsOf(node: JsonNode, path: string): [string, string][] {
  if (node.kind === 'string') return [[node.value, path]];
  if (node.kind === 'array') return node.items.flatMap((item, i) => (item.kind === 'string' ? [[item.value, `${path}[${i}]`] as [string, string]] : []));
  return [];
}

/** Condition values as canonical strings: numbers as shortest decimal text, booleans as words (§1.1). */
export function scalarsOf(node: JsonNode, path: string): [string, string][] {
  const one = (n: JsonNode, p: string): [string, string][] => {
    if (n.kind === 'string') return [[n.value, p]];
    if (n.kind === 'boolean') return [[n.value ? 'true' : 'false', p]];
    if (n.kind === 'number') {
      const text = String(n.value);
      return [[Number.isFinite(n.value) && !/e/i.test(text) ? text : n.text, p]];
    }
    return [];
  };
  if (node.kind === 'array') return node.items.flatMap((item, i) => one(item, `${path}[${i}]`));
  return one(node, path);
}

/** `[]` — an empty list where IAM needs at least one value. */
export function isEmptyArray(node: JsonNode): boolean {
  return node.kind === 'array' && node.items.length === 0;
}
