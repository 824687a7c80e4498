/**
 * Checks against the service catalog (Access Analyzer's "invalid service / action / condition
 * key" findings) and condition-key types (ForAllValues on single-valued keys, §3.3).
 */

import type { ConditionBlock, PolicyStatement } from '../ast.js';
import { compileGlob } from '../glob.js';
import { conditionKeyType, isMultivaluedType, keyMatches, type ServiceCatalog, type ServiceInfo } from './catalog.js';
import { finding, type Finding } from './finding.js';

const SERVICE_PREFIX = /^[a-z0-9.-]+$/i;

export function referenceFindings(statements: readonly PolicyStatement[], catalog: ServiceCatalog | undefined): Finding[] {
  const out: Finding[] = [];
  for (const s of statements) {
    if (catalog) out.push(...actionFindings(s, catalog));
    for (const block of s.condition) out.push(...conditionKeyFindings(s, block, catalog));
  }
  return out;
}

function actionFindings(s: PolicyStatement, catalog: ServiceCatalog): Finding[] {
  const out: Finding[] = [];
  s.action.values.forEach((value, i) => {
    const path = s.action.valuePaths[i] ?? s.action.path;
    const colon = value.indexOf(':');
    if (value === '*' || colon < 0) return;
    const prefix = value.slice(0, colon);
    const name = value.slice(colon + 1);
    if (!SERVICE_PREFIX.test(prefix)) return;
    const service = catalog.service(prefix);
    if (!service) {
      out.push(finding('ERROR', 'INVALID_SERVICE', `The service ${prefix} does not exist.`, path, 'Use a service prefix from the AWS Service Authorization Reference.'));
      return;
    }
    if (matchingActions(service, name).length === 0) {
      const what = /[*?]/.test(name) ? `The pattern ${value} matches no ${prefix} action.` : `The action ${value} does not exist.`;
      out.push(finding('ERROR', 'INVALID_ACTION', what, path, `Use an action name listed for ${prefix} in the Service Authorization Reference.`));
    }
  });
  return out;
}

function matchingActions(service: ServiceInfo, namePattern: string): string[] {
  const lower = namePattern.toLowerCase();
  if (!/[*?]/.test(lower)) return service.actions.has(lower) ? [lower] : [];
  const glob = compileGlob(lower);
  return [...service.actions.keys()].filter((a) => glob.matches(a));
}

/** Concrete actions a statement's Action element names, or undefined when it is `*`/NotAction/unknown. */
function statementActions(s: PolicyStatement, catalog: ServiceCatalog): { service: ServiceInfo; action: string }[] | undefined {
  if (s.action.negated) return undefined;
  const out: { service: ServiceInfo; action: string }[] = [];
  for (const value of s.action.values) {
    const colon = value.indexOf(':');
    if (colon < 0) return undefined;
    const prefix = value.slice(0, colon);
    if (/[*?]/.test(prefix)) return undefined;
    const service = catalog.service(prefix);
    if (!service) return undefined;
    for (const action of matchingActions(service, value.slice(colon + 1))) out.push({ service, action });
  }
  return out;
}

const FEDERATION_PREFIXES = new Set(['saml', 'accounts.google.com', 'graph.facebook.com', 'www.amazon.com', 'cognito-identity.amazonaws.com']);

function conditionKeyFindings(s: PolicyStatement, block: ConditionBlock, catalog: ServiceCatalog | undefined): Finding[] {
  const out: Finding[] = [];
  const operator = block.operator;
  if (!operator.known) {
    out.push(
      finding(
        'WARNING',
        'UNKNOWN_CONDITION_OPERATOR',
        `${operator.name} is not a condition operator; IAM accepts it only because its block is empty. The engine treats it as unknown: the statement never allows.`,
        block.path,
        'Remove the empty block or use a documented operator.',
      ),
    );
    return out;
  }
  for (const clause of block.clauses) {
    const key = clause.key;
    const colon = key.indexOf(':');
    const prefix = colon < 0 ? '' : key.slice(0, colon).toLowerCase();
    const type = conditionKeyType(catalog, key);
    if (type === undefined) {
      const service = catalog?.service(prefix);
      if (service) {
        out.push(finding('ERROR', 'INVALID_SERVICE_CONDITION_KEY', `The condition key ${key} does not exist in the service ${prefix}.`, clause.path, `Use a condition key listed for ${prefix}.`));
      } else if (catalog && prefix !== 'aws' && !prefix.includes('.') && !FEDERATION_PREFIXES.has(prefix)) {
        out.push(finding('WARNING', 'UNKNOWN_CONDITION_KEY', `The condition key ${key} is not a global key and belongs to no known service.`, clause.path, 'Check the key name; unknown keys are absent from requests.'));
      }
    } else {
      if (operator.set === 'ForAllValues' && !isMultivaluedType(type)) {
        out.push(
          finding(
            s.effect === 'Allow' ? 'SECURITY_WARNING' : 'WARNING',
            'FOR_ALL_VALUES_WITH_SINGLE_VALUED_KEY',
            `ForAllValues with the single-valued key ${key} is true when the key is absent, which is overly permissive.`,
            clause.path,
            `Drop the ForAllValues: qualifier (use ${operator.base}${operator.ifExists ? 'IfExists' : ''}).`,
          ),
        );
      } else if (operator.set === 'ForAnyValue' && !isMultivaluedType(type)) {
        out.push(finding('SUGGESTION', 'FOR_ANY_VALUE_WITH_SINGLE_VALUED_KEY', `${key} is single-valued; ForAnyValue is unnecessary.`, clause.path, `Use ${operator.base} without a set qualifier.`));
      } else if (operator.set === undefined && operator.base !== 'Null' && isMultivaluedType(type)) {
        out.push(
          finding(
            'WARNING',
            'SINGLE_VALUE_OPERATOR_WITH_MULTIVALUED_KEY',
            `${key} is multivalued; ${operator.name} without ForAllValues:/ForAnyValue: is false whenever the request has values for it.`,
            clause.path,
            `Use ForAnyValue:${operator.name} or ForAllValues:${operator.name}.`,
          ),
        );
      }
      if (catalog && prefix !== 'aws' && catalog.service(prefix)) {
        const actions = statementActions(s, catalog);
        if (actions && actions.length > 0 && !actions.some(({ action, service }) => (service.actions.get(action)?.conditionKeys ?? []).some((k) => keyMatches(k, key)))) {
          out.push(
            finding(
              'WARNING',
              'UNSUPPORTED_CONDITION_KEY_FOR_ACTIONS',
              `None of the statement's actions supports the condition key ${key}; the key is never in their requests.`,
              clause.path,
              'Use a key the actions support, or move the condition to a statement for actions that support it.',
            ),
          );
        }
      }
    }
  }
  return out;
}
