/** Raw statements → the frozen AST (ast.ts), once validation has passed. */

import type { ConditionBlock, ConditionClause, Effect, PatternElement, PolicyStatement, PrincipalElement, PrincipalEntry, PrincipalType } from './ast.js';
import { parseOperator } from './conditions.js';
import { pathKey, type JsonNode, type JsonObject } from './json.js';
import { scalarsOf, stringsOf, type RawStatement } from './validation.js';

export function buildStatement(s: RawStatement): PolicyStatement {
  const f = s.fields;
  const sid = f.get('Sid');
  const principal = f.get('Principal');
  const notPrincipal = f.get('NotPrincipal');
  const resource = f.get('Resource') ?? f.get('NotResource');
  const action = (f.get('Action') ?? f.get('NotAction'))!;
  const condition = f.get('Condition');
  const start = s.node.start;
  const end = s.node.end;
  return Object.freeze({
    index: s.index,
    ...(sid && sid.value.kind === 'string' ? { sid: sid.value.value } : {}),
    effect: (f.get('Effect')!.value as { value: string }).value as Effect,
    ...(principal ? { principal: buildPrincipal(principal.value, principal.path, false) } : {}),
    ...(notPrincipal ? { principal: buildPrincipal(notPrincipal.value, notPrincipal.path, true) } : {}),
    action: buildPatterns(action.value, action.path, f.has('NotAction')),
    ...(resource ? { resource: buildPatterns(resource.value, resource.path, f.has('NotResource')) } : {}),
    condition: Object.freeze(condition ? buildConditions(condition.value as JsonObject, condition.path) : []),
    path: s.path,
    // IAM reports the column just after `{` and just after `}` (recorded SimulatePrincipalPolicy:
    // a statement object at 1-based column 40–112 was reported as 41–113).
    start: Object.freeze({ line: start.line, column: start.column + 1 }),
    end: Object.freeze({ line: end.line, column: end.column }),
  });
}

function buildPrincipal(value: JsonNode, path: string, negated: boolean): PrincipalElement {
  if (value.kind === 'string') return Object.freeze({ negated, wildcard: value.value === '*', entries: Object.freeze([]), path });
  const entries: PrincipalEntry[] = [];
  for (const member of (value as JsonObject).members) {
    for (const [v, p] of stringsOf(member.value, path + pathKey(member.key))) {
      entries.push(Object.freeze({ type: member.key as PrincipalType, value: v, path: p }));
    }
  }
  return Object.freeze({ negated, wildcard: false, entries: Object.freeze(entries), path });
}

function buildPatterns(value: JsonNode, path: string, negated: boolean): PatternElement {
  const strings = stringsOf(value, path);
  return Object.freeze({
    negated,
    values: Object.freeze(strings.map(([v]) => v)),
    path,
    valuePaths: Object.freeze(strings.map(([, p]) => p)),
  });
}

function buildConditions(node: JsonObject, path: string): ConditionBlock[] {
  return node.members.map((block) => {
    const blockPath = path + pathKey(block.key);
    const clauses: ConditionClause[] = (block.value as JsonObject).members.map((entry) => {
      const entryPath = blockPath + pathKey(entry.key);
      return Object.freeze({ key: entry.key, values: Object.freeze(scalarsOf(entry.value, entryPath).map(([v]) => v)), path: entryPath });
    });
    return Object.freeze({ operator: Object.freeze(parseOperator(block.key)), clauses: Object.freeze(clauses), path: blockPath });
  });
}

