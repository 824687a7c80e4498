/** Step 1 of validation (policy-evaluation.md §1.1, §1.6): the document's shape and JSON types. */

import type { PolicyVersion } from './ast.js';
import { parseOperator } from './conditions.js';
import { policyErrors } from './errors.js';
import { pathKey, type JsonArray, type JsonNode, type JsonObject } from './json.js';
import { isEmptyArray, stop, type RawStatement } from './validation.js';

const TOP_LEVEL_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const PRINCIPAL_KEYS = new Set<string>(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);

export function checkSyntax(root: JsonNode): { statements: RawStatement[]; version: PolicyVersion; versionSpecified: boolean; id?: string } {
  if (root.kind !== 'object') stop(policyErrors.syntax('$'));
  const top = root as JsonObject;
  let version: PolicyVersion = '2008-10-17';
  let versionSpecified = false;
  let id: string | undefined;
  let statementNode: JsonNode | undefined;
  for (const member of top.members) {
    const path = '$' + pathKey(member.key);
    if (!TOP_LEVEL_KEYS.has(member.key)) stop(policyErrors.syntax(path));
    if (member.key === 'Version') {
      if (member.value.kind !== 'string' || !VERSIONS.has(member.value.value)) stop(policyErrors.syntax(path));
      version = (member.value as { value: string }).value as PolicyVersion;
      versionSpecified = true;
    } else if (member.key === 'Id') {
      // A string Id is accepted and ignored (recorded [valid-24]); anything else is a syntax error.
      if (member.value.kind !== 'string') stop(policyErrors.syntax(path));
      id = (member.value as { value: string }).value;
    } else {
      statementNode = member.value;
    }
  }
  if (!statementNode) stop(policyErrors.syntax('$'));
  const node = statementNode as JsonNode;
  const statements: RawStatement[] = [];
  if (node.kind === 'object') {
    statements.push(checkStatement(node, '$.Statement', 0));
  } else if (node.kind === 'array' && node.items.length > 0) {
    node.items.forEach((item, index) => {
      const path = `$.Statement[${index}]`;
      if (item.kind !== 'object') stop(policyErrors.syntax(path));
      statements.push(checkStatement(item as JsonObject, path, index));
    });
  } else {
    stop(policyErrors.syntax('$.Statement'));
  }
  return { statements, version, versionSpecified, ...(id !== undefined ? { id } : {}) };
}

function checkStatement(node: JsonObject, path: string, index: number): RawStatement {
  const fields = new Map<string, { value: JsonNode; path: string }>();
  for (const member of node.members) {
    const memberPath = path + pathKey(member.key);
    if (!STATEMENT_KEYS.has(member.key)) stop(policyErrors.syntax(memberPath));
    fields.set(member.key, { value: member.value, path: memberPath });
  }
  for (const [a, b] of [
    ['Resource', 'NotResource'],
    ['Action', 'NotAction'],
    ['Principal', 'NotPrincipal'],
  ] as const) {
    if (fields.has(a) && fields.has(b)) stop(policyErrors.syntax(fields.get(b)!.path));
  }
  const effect = fields.get('Effect');
  if (!effect) stop(policyErrors.syntax(path));
  const effectValue = effect!.value;
  if (effectValue.kind !== 'string' || !['allow', 'deny'].includes(effectValue.value.toLowerCase())) stop(policyErrors.syntax(effect!.path));
  for (const key of ['Action', 'NotAction', 'Resource', 'NotResource']) {
    const field = fields.get(key);
    if (field) checkStringOrStrings(field.value, field.path);
  }
  const principal = fields.get('Principal') ?? fields.get('NotPrincipal');
  if (principal) checkPrincipalSyntax(principal.value, principal.path);
  const condition = fields.get('Condition');
  if (condition) checkConditionSyntax(condition.value, condition.path);
  const sid = fields.get('Sid');
  if (sid && sid.value.kind !== 'string') stop(policyErrors.syntax(sid.path));
  return { node, path, index, fields };
}

function checkStringOrStrings(value: JsonNode, path: string): void {
  if (value.kind === 'string') return;
  if (value.kind !== 'array') stop(policyErrors.syntax(path));
  (value as JsonArray).items.forEach((item, i) => {
    if (item.kind !== 'string') stop(policyErrors.syntax(`${path}[${i}]`));
  });
}

function checkPrincipalSyntax(value: JsonNode, path: string): void {
  if (value.kind === 'string') return;
  if (value.kind !== 'object' || value.members.length === 0) stop(policyErrors.syntax(path));
  for (const member of (value as JsonObject).members) {
    const memberPath = path + pathKey(member.key);
    if (!PRINCIPAL_KEYS.has(member.key)) stop(policyErrors.syntax(memberPath));
    checkStringOrStrings(member.value, memberPath);
    if (isEmptyArray(member.value)) stop(policyErrors.syntax(memberPath));
  }
}

function checkConditionSyntax(value: JsonNode, path: string): void {
  if (value.kind !== 'object') stop(policyErrors.syntax(path));
  for (const block of (value as JsonObject).members) {
    const blockPath = path + pathKey(block.key);
    if (block.value.kind !== 'object') stop(policyErrors.syntax(blockPath));
    const entries = (block.value as JsonObject).members;
    // An unknown operator is accepted only with an empty block (recorded [valid-19, 31], [invalid-52]).
    if (!parseOperator(block.key).known && entries.length > 0) stop(policyErrors.syntax(blockPath));
    for (const entry of entries) {
      const entryPath = blockPath + pathKey(entry.key);
      if (entry.value.kind === 'array') {
        entry.value.items.forEach((item, i) => {
          if (!isScalar(item)) stop(policyErrors.syntax(`${entryPath}[${i}]`));
        });
      } else if (!isScalar(entry.value)) {
        stop(policyErrors.syntax(entryPath));
      }
    }
  }
}

function isScalar(node: JsonNode): boolean {
  return node.kind === 'string' || node.kind === 'number' || node.kind === 'boolean';
}


