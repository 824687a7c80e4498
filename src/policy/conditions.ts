/**
 * Condition operators (policy-evaluation.md §3): operator names are resolved once when a policy is
 * compiled; each clause becomes a closure over pre-parsed policy values.
 */

import { ArnConditionPattern, arnColons } from './arn.js';
import type { BaseOperator, ConditionBlock, ConditionClause, ConditionOperator, SetQualifier } from './ast.js';
import {
  blockContains,
  compareDecimal,
  decodeBase64,
  parseBool,
  parseDate,
  parseDecimal,
  parseIpAddress,
  parseIpBlock,
  type IpBlock,
} from './values.js';
import { TemplateGlob, parseTemplate, resolveTemplate, type Template, type VariableLookup } from './variables.js';

type Family = 'String' | 'StringIgnoreCase' | 'StringLike' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'Ip' | 'Arn' | 'Null';
type Comparison = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

interface OperatorInfo {
  readonly family: Family;
  /** Negated operators are true only if the request value matches none of the policy values. */
  readonly negated: boolean;
  readonly comparison: Comparison;
  /** Whether `${…}` is substituted in this operator's values (§3.2). */
  readonly variables: boolean;
}

const op = (family: Family, negated: boolean, comparison: Comparison = 'eq'): OperatorInfo => ({
  family,
  negated,
  comparison,
  variables: family === 'String' || family === 'StringIgnoreCase' || family === 'StringLike' || family === 'Arn' || family === 'Bool',
});

export const OPERATORS: Readonly<Record<BaseOperator, OperatorInfo>> = {
  StringEquals: op('String', false),
  StringNotEquals: op('String', true),
  StringEqualsIgnoreCase: op('StringIgnoreCase', false),
  StringNotEqualsIgnoreCase: op('StringIgnoreCase', true),
  StringLike: op('StringLike', false),
  StringNotLike: op('StringLike', true),
  NumericEquals: op('Numeric', false),
  NumericNotEquals: op('Numeric', true),
  NumericLessThan: op('Numeric', false, 'lt'),
  NumericLessThanEquals: op('Numeric', false, 'le'),
  NumericGreaterThan: op('Numeric', false, 'gt'),
  NumericGreaterThanEquals: op('Numeric', false, 'ge'),
  DateEquals: op('Date', false),
  DateNotEquals: op('Date', true),
  DateLessThan: op('Date', false, 'lt'),
  DateLessThanEquals: op('Date', false, 'le'),
  DateGreaterThan: op('Date', false, 'gt'),
  DateGreaterThanEquals: op('Date', false, 'ge'),
  Bool: op('Bool', false),
  BinaryEquals: op('Binary', false),
  IpAddress: op('Ip', false),
  NotIpAddress: op('Ip', true),
  ArnEquals: op('Arn', false),
  ArnLike: op('Arn', false),
  ArnNotEquals: op('Arn', true),
  ArnNotLike: op('Arn', true),
  Null: op('Null', false),
};

function isBaseOperator(name: string): name is BaseOperator {
  return Object.prototype.hasOwnProperty.call(OPERATORS, name);
}

/**
 * Resolves `[ForAllValues:|ForAnyValue:]<Base>[IfExists]` (case-sensitive, §1.5). Returns an
 * unknown operator for anything else, including `ForAnyValue::X` and `NullIfExists` (§3.1: `Null`
 * takes no `IfExists`).
 */
export function parseOperator(name: string): ConditionOperator {
  let rest = name;
  let set: SetQualifier | undefined;
  if (rest.startsWith('ForAllValues:')) {
    set = 'ForAllValues';
    rest = rest.slice('ForAllValues:'.length);
  } else if (rest.startsWith('ForAnyValue:')) {
    set = 'ForAnyValue';
    rest = rest.slice('ForAnyValue:'.length);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  if (!isBaseOperator(rest)) return { known: false, name };
  // Set qualifiers and IfExists ask about values; Null asks only about presence (UNVERIFIED for sets).
  if (rest === 'Null' && (ifExists || set)) return { known: false, name };
  return set ? { known: true, name, base: rest, set, ifExists } : { known: true, name, base: rest, ifExists };
}

/** Context access used by conditions: keys are lower-cased; arrays are multivalued keys. */
export interface ContextReader extends VariableLookup {
  get(lookupKey: string): string | readonly string[] | undefined;
}

/** One `operator → key → values` clause, ready to evaluate. */
export interface CompiledClause {
  readonly block: ConditionBlock;
  readonly clause: ConditionClause;
  readonly lookupKey: string;
  /** Keys of `${…}` variables this clause reads (lower-cased). */
  readonly variableKeys: readonly string[];
  evaluate(context: ContextReader): boolean;
}

type ValueTest = (value: string, lookup: VariableLookup) => boolean;

export function compileClause(
  block: ConditionBlock & { operator: Extract<ConditionOperator, { known: true }> },
  clause: ConditionClause,
  variablesEnabled: boolean,
): CompiledClause {
  const operator = block.operator;
  const info = OPERATORS[operator.base];
  const lookupKey = clause.key.toLowerCase();
  const templates = clause.values.map((v) =>
    variablesEnabled && info.variables ? parseTemplate(v) : { source: v, parts: v ? [{ text: v, fromSpecial: false }] : [], hasVariables: false },
  );
  const variableKeys = templates.flatMap((t) => t.parts.flatMap((p) => ('variable' in p ? [p.variable.lookupKey] : [])));

  if (operator.base === 'Null') {
    const wants = clause.values.map((v) => parseBool(v));
    return {
      block,
      clause,
      lookupKey,
      variableKeys,
      evaluate(context) {
        const present = context.get(lookupKey) !== undefined;
        for (const want of wants) if (want === true ? !present : want === false && present) return true;
        return false;
      },
    };
  }

  const test = compileValueTest(info, templates);
  const set = operator.set;
  const ifExists = operator.ifExists;
  const negated = info.negated;
  return {
    block,
    clause,
    lookupKey,
    variableKeys,
    evaluate(context) {
      const raw = context.get(lookupKey);
      if (raw === undefined) {
        // §3.3: IfExists → true; ForAllValues → true; ForAnyValue → false (IfExists: true, §9 U16);
        // otherwise positive → false, negated → true.
        if (ifExists) return true;
        if (set === 'ForAllValues') return true;
        if (set === 'ForAnyValue') return false;
        return negated;
      }
      const lookup = context;
      if (set === undefined) {
        // A plain operator on a multivalued value is false, negated ones too (§3.3, §9 U15).
        return typeof raw === 'string' && test(raw, lookup);
      }
      // A multivalued key holding exactly `""` is a null data set (§3.3, §9 U17).
      const values: readonly string[] = typeof raw === 'string' ? [raw] : raw.length === 1 && raw[0] === '' ? [] : raw;
      if (set === 'ForAllValues') {
        for (const value of values) if (!test(value, lookup)) return false;
        return true;
      }
      for (const value of values) if (test(value, lookup)) return true;
      return false;
    },
  };
}

function compileValueTest(info: OperatorInfo, templates: readonly Template[]): ValueTest {
  switch (info.family) {
    case 'String':
      return stringEquals(templates, false, info.negated);
    case 'StringIgnoreCase':
      return stringEquals(templates, true, info.negated);
    case 'StringLike':
      return stringLike(templates, info.negated);
    case 'Numeric':
      return ordered(
        templates.map((t) => parseDecimal(t.source)),
        parseDecimal,
        compareDecimal,
        info,
      );
    case 'Date':
      return ordered(
        templates.map((t) => parseDate(t.source)),
        parseDate,
        (a, b) => a - b,
        info,
      );
    case 'Bool':
      return boolEquals(templates);
    case 'Binary':
      return binaryEquals(templates);
    case 'Ip':
      return ipInRange(
        templates.map((t) => parseIpBlock(t.source)),
        info.negated,
      );
    case 'Arn':
      return arnLike(templates, info.negated);
    case 'Null':
      return () => false;
  }
}

function stringEquals(templates: readonly Template[], fold: boolean, negated: boolean): ValueTest {
  if (!templates.some((t) => t.hasVariables)) {
    const set = new Set(templates.map((t) => literalText(t, fold)));
    return fold ? (v) => set.has(v.toLowerCase()) !== negated : (v) => set.has(v) !== negated;
  }
  // A variable without a value matches nothing, so it counts as "not equal" for negated operators (§4).
  return (v, lookup) => {
    const value = fold ? v.toLowerCase() : v;
    for (const t of templates) if (resolveTemplate(t, lookup, fold) === value) return !negated;
    return negated;
  };
}

/** The text of a template without variables (specials such as `${*}` resolved). */
function literalText(t: Template, fold: boolean): string {
  let out = '';
  for (const part of t.parts) if ('text' in part) out += part.text;
  return fold ? out.toLowerCase() : out;
}

function stringLike(templates: readonly Template[], negated: boolean): ValueTest {
  const globs = templates.map((t) => new TemplateGlob(t, false));
  return (v, lookup) => {
    for (const g of globs) {
      const glob = g.resolve(lookup);
      if (glob && glob.matches(v)) return !negated;
    }
    return negated;
  };
}

/**
 * Numeric and Date comparisons. A value that does not parse makes the comparison false for
 * positive and negated operators alike (§3.5, §9 U20).
 */
function ordered<T>(policy: readonly (T | undefined)[], parse: (s: string) => T | undefined, compare: (a: T, b: T) => number, info: OperatorInfo): ValueTest {
  const comparison = info.comparison;
  if (info.negated) {
    return (v) => {
      const value = parse(v);
      if (value === undefined) return false;
      for (const p of policy) if (p === undefined || compare(value, p) === 0) return false;
      return true;
    };
  }
  return (v) => {
    const value = parse(v);
    if (value === undefined) return false;
    for (const p of policy) {
      if (p === undefined) continue;
      const c = compare(value, p);
      if (comparison === 'eq' ? c === 0 : comparison === 'lt' ? c < 0 : comparison === 'le' ? c <= 0 : comparison === 'gt' ? c > 0 : c >= 0) return true;
    }
    return false;
  };
}

function boolEquals(templates: readonly Template[]): ValueTest {
  return (v, lookup) => {
    const value = parseBool(v);
    if (value === undefined) return false;
    for (const t of templates) {
      const text = resolveTemplate(t, lookup, false);
      if (text !== undefined && parseBool(text) === value) return true;
    }
    return false;
  };
}

function binaryEquals(templates: readonly Template[]): ValueTest {
  const policy = templates.map((t) => decodeBase64(t.source));
  return (v) => {
    const value = decodeBase64(v);
    if (value === undefined) return false;
    for (const p of policy) if (p !== undefined && p === value) return true;
    return false;
  };
}

function ipInRange(blocks: readonly (IpBlock | undefined)[], negated: boolean): ValueTest {
  return (v) => {
    const address = parseIpAddress(v);
    if (!address) return false;
    if (negated) {
      for (const b of blocks) if (!b || blockContains(b, address)) return false;
      return true;
    }
    for (const b of blocks) if (b && blockContains(b, address)) return true;
    return false;
  };
}

function arnLike(templates: readonly Template[], negated: boolean): ValueTest {
  const patterns = templates.map((t) => new ArnConditionPattern(t));
  return (v, lookup) => {
    // A request value that is not an ARN fails positive and negated operators alike (§3.5).
    if (!arnColons(v)) return false;
    for (const p of patterns) if (p.matches(v, lookup) === true) return !negated;
    return negated;
  };
}

/** The families whose values accept policy variables; used by the linter and explainer. */
export function operatorFamily(base: BaseOperator): Family {
  return OPERATORS[base].family;
}
